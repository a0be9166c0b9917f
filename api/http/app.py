"""The application factory: configuration, errors, API keys, the API, its docs and the pages.

Nothing here touches the rules engine: durable-rules must not be created before a server forks
its workers, so the engine is built on the first diagnosis, in the process that serves it
(``rules/gateway.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from api.http import admission, auth, cors, docs, headers, ids, memory_pages, pages, problems
from api.http.config import configure
from api.http.openapi import Api
from api.http.routes import register_routes

__all__ = ["create_app"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """A new application: defaults, then PMO_ADVISOR_* variables, then ``config``."""
    app = Flask(__name__)
    configure(app, config)
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep the contract's field order
    ids.init_app(app)
    problems.init_app(app)
    auth.init_app(app)
    cors.init_app(app)
    admission.init_app(app)
    headers.init_app(app)
    api = Api(app)
    ids.register_in_openapi(api)
    register_routes(api, app.config["SIMULATION_LIMITS"], bool(app.config["JOBS"]))
    docs.init_app(app)
    pages.init_app(app)
    memory_pages.init_app(app)
    return app
