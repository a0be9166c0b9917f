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
from api.limits import MAX_BODY_BYTES
from simulation.limits import SERVICE

__all__ = ["Defaults", "ENV_PREFIX", "configure"]

ENV_PREFIX = "PMO_ADVISOR"


class Defaults:
    """Every setting the service reads, with its default."""

    #: API keys, comma-separated; empty means the API is open (see api/auth.py)
    API_KEYS = ""
    #: request bodies larger than this are refused with 413
    MAX_CONTENT_LENGTH = MAX_BODY_BYTES
    #: a simulation request may ask for at most this many runs x months (x strategies)
    SIMULATION_MAX_RUN_MONTHS = SERVICE.max_run_months
    #: the jobs' SQLite file (api/jobs.py); empty: no jobs routes
    JOBS_DATABASE = ""
    #: jobs queued or running at once; past that, POST /jobs answers 429
    JOBS_MAX_ACTIVE = 2
    #: seconds a 429 from POST /jobs asks the client to wait
    JOBS_RETRY_AFTER = 30
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


def configure(app: Flask, override: Mapping[str, Any] | None = None) -> None:
    app.config.from_object(Defaults)
    app.config.from_prefixed_env(ENV_PREFIX)
    # from_prefixed_env reads values as JSON: a key such as "0123" would become a number. Keys
    # are opaque strings, so take them verbatim.
    raw_keys = os.environ.get(f"{ENV_PREFIX}_API_KEYS")
    if raw_keys is not None:
        app.config["API_KEYS"] = raw_keys
    app.config.update(override or {})
    # The one set of simulation limits this service enforces and documents (simulation/limits.py)
    app.config["SIMULATION_LIMITS"] = SERVICE.with_changes(
        max_run_months=app.config["SIMULATION_MAX_RUN_MONTHS"])
