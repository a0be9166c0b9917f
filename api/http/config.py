"""Configuration: defaults, then ``PMO_ADVISOR_*`` environment variables, then the caller's.

That order (as in Flask's flaskr) lets an operator change a deployed service without code and a
test pin exactly what it needs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from advisor import __version__
from advisor.errors import InputError
from advisor.validation import excerpt
from api.http.auth import parse_keys
from api.limits import MAX_BODY_BYTES
from simulation.limits import SERVICE

__all__ = ["Defaults", "ENV_PREFIX", "LOOPBACK_HOSTS", "configure", "check_settings",
           "database_url_of"]

ENV_PREFIX = "PMO_ADVISOR"


class Defaults:
    """Every setting the service reads, with its default."""

    #: API keys, comma-separated; empty means the API is open (see api/auth.py)
    API_KEYS = ""
    #: origins allowed to call the API from a browser (CORS), comma-separated or "*"; empty: off
    CORS_ORIGINS = ""
    #: request bodies larger than this are refused with 413
    MAX_CONTENT_LENGTH = MAX_BODY_BYTES
    #: the assessments' memory: a database URL (sqlite:///..., postgresql://...); empty means
    #: PMO_ADVISOR_DATABASE_URL's, else the SQLite file at DATABASE_PATH (api/store/engine.py)
    DATABASE_URL = ""
    #: the SQLite file when no URL is set; empty means the user's data folder
    DATABASE_PATH = ""
    #: a simulation request may ask for at most this many runs x months (x strategies)
    SIMULATION_MAX_RUN_MONTHS = SERVICE.max_run_months
    #: long runs as jobs (POST /jobs), kept in the project's database (the one above) and run
    #: by the runner ``pmo-advisor serve`` starts (api/jobs.py); false: no jobs routes, no runner
    JOBS = True
    #: jobs queued or running at once; past that, POST /jobs answers 429
    JOBS_MAX_ACTIVE = 2
    #: seconds a 429 from POST /jobs asks the client to wait
    JOBS_RETRY_AFTER = 30
    #: costly requests (simulations, comparisons, stories) running at once in one worker
    #: process; more get 503 with Retry-After at once (api/http/admission.py)
    COSTLY_REQUESTS = 2
    #: of which one API key may hold at once (when keys are on); more get 429
    COSTLY_REQUESTS_PER_KEY = 1
    #: seconds a client may take to send one whole request (headers and body) before waitress
    #: closes the connection (api/http/server.py); a silent one is closed sooner
    REQUEST_READ_TIMEOUT = 30
    #: Host names the service answers to ("a,b" or a list; empty: any). ``pmo-advisor serve``
    #: bound to a loopback address defaults to the loopback names (no DNS rebinding)
    TRUSTED_HOSTS: list[str] | None = None
    # flask-smorest: the OpenAPI document at /openapi.json (the docs page is ours: api/docs.py)
    API_TITLE = "pmo-advisor"
    API_VERSION = __version__
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/"
    OPENAPI_JSON_PATH = "openapi.json"
    API_SPEC_OPTIONS = {"info": {"description": (
        "Diagnose, advise and simulate PMO strategy with the PMO Value Ring of PMI's *Project "
        "Management Offices: A Practice Guide*. Request bodies may be JSON or YAML. Every error "
        "is `application/problem+json` (RFC 9457) naming each bad field. Request bodies and "
        "simulation cost are capped (413 and 422 beyond; see each schema and the README). When "
        "the service has API keys, every route but `/api/v1/health` needs "
        "`Authorization: Bearer <key>`.")}}


def database_url_of(config: Mapping[str, Any]) -> str:
    """The project's database an app's settings name (``DATABASE_URL``, else ``DATABASE_PATH``,
    else the environment's, else the default file): the assessments' and the jobs'."""
    from api.store import database_url

    return database_url(config.get("DATABASE_URL") or None, config.get("DATABASE_PATH") or None)


def configure(app: Flask, override: Mapping[str, Any] | None = None) -> None:
    app.config.from_object(Defaults)
    app.config.from_prefixed_env(ENV_PREFIX)
    # from_prefixed_env reads values as JSON: a key such as "0123" would become a number. Keys
    # are opaque strings, so take them verbatim.
    raw_keys = os.environ.get(f"{ENV_PREFIX}_API_KEYS")
    if raw_keys is not None:
        app.config["API_KEYS"] = raw_keys
    app.config.update(override or {})
    check_settings(app.config)
    # The one set of simulation limits this service enforces and documents (simulation/limits.py)
    app.config["SIMULATION_LIMITS"] = SERVICE.with_changes(
        max_run_months=app.config["SIMULATION_MAX_RUN_MONTHS"])


#: the names of this machine, the default trusted hosts of a server bound to loopback
LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]", "::1"]

#: whole-number settings and their allowed ranges
_WHOLE_SETTINGS = {
    "MAX_CONTENT_LENGTH": (1, 16 * 1024 * 1024),
    "SIMULATION_MAX_RUN_MONTHS": (SERVICE.default_months * 2, 10_000_000),
    "COSTLY_REQUESTS": (1, 256),
    "COSTLY_REQUESTS_PER_KEY": (1, 256),
    "REQUEST_READ_TIMEOUT": (1, 600),
    "JOBS_MAX_ACTIVE": (1, 1000),
    "JOBS_RETRY_AFTER": (1, 3600),
}


def _setting_error(name: str, message: str) -> InputError:
    return InputError(message, f"{ENV_PREFIX}_{name}")


def check_settings(config: dict[str, Any]) -> None:
    """Refuse a bad setting when the app is built (so a server does not start with it), with
    one line naming it; normalize the ones the environment gives as text."""
    for name, (low, high) in _WHOLE_SETTINGS.items():
        value = config.get(name)
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise _setting_error(name, f"must be a whole number from {low} to {high}, got "
                                 f"{excerpt(str(value))!r}")
        config[name] = value
    if config["COSTLY_REQUESTS_PER_KEY"] > config["COSTLY_REQUESTS"]:
        raise _setting_error("COSTLY_REQUESTS_PER_KEY", "must not exceed "
                             f"{ENV_PREFIX}_COSTLY_REQUESTS ({config['COSTLY_REQUESTS']})")
    jobs = config.get("JOBS")
    if isinstance(jobs, str) and jobs.strip().lower() in ("true", "false", "1", "0"):
        jobs = jobs.strip().lower() in ("true", "1")
    if jobs not in (True, False):
        raise _setting_error("JOBS", f"must be true or false, got {excerpt(str(jobs))!r}")
    config["JOBS"] = bool(jobs)
    keys = config.get("API_KEYS")
    if keys is not None and not isinstance(keys, (str, list, tuple)):
        raise _setting_error("API_KEYS", "must be keys separated by commas")
    if keys and not parse_keys(keys):
        # " , " must not silently mean "no keys": the operator meant to turn auth on
        raise _setting_error("API_KEYS", "is set but holds no key; give keys separated by "
                             "commas, or leave it empty for an open API")
    hosts = config.get("TRUSTED_HOSTS")
    if isinstance(hosts, str):
        hosts = [h.strip() for h in hosts.split(",") if h.strip()]
    if hosts is not None and (not isinstance(hosts, (list, tuple))
                              or not all(isinstance(h, str) and h for h in hosts)):
        raise _setting_error("TRUSTED_HOSTS", "must be host names separated by commas")
    config["TRUSTED_HOSTS"] = list(hosts) if hosts else None
    _check_database_url(config)


def _check_database_url(config: Mapping[str, Any]) -> None:
    """A database URL that is not one: refused here, or the server started and its jobs
    runner died on it, was restarted and died again, a traceback each time."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        make_url(database_url_of(config))
    except ArgumentError:
        raise _setting_error("DATABASE_URL", "is not a database URL; give sqlite:///PATH or "
                             "postgresql://USER@HOST/NAME") from None
