"""Optional CORS: lets a browser app on another origin call the API, for the origins an operator
lists in ``PMO_ADVISOR_CORS_ORIGINS`` (comma-separated, or ``*`` for any). Off by default: with no
origins configured no CORS header is ever sent, so browsers keep other sites out as usual.

Only the API and its OpenAPI document answer cross-origin; a preflight (``OPTIONS`` with
``Access-Control-Request-Method``) carries no data, so it is answered without an API key (the
actual request still needs one). No cookies are used, so credentials are never allowed.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, Response, current_app, request

from api.http.auth import API_PREFIX

__all__ = ["parse_origins", "is_preflight", "init_app"]

_EXTENSION = "pmo-advisor.cors-origins"
ALLOWED_HEADERS = "Authorization, Content-Type"
MAX_AGE_SECONDS = 600


def parse_origins(value: str | Iterable[str] | None) -> frozenset[str]:
    """Origins from ``"https://a.example, https://b.example"`` or a list; ``*`` means any."""
    if not value:
        return frozenset()
    parts = value.split(",") if isinstance(value, str) else list(value)
    return frozenset(p.strip().rstrip("/") for p in parts if p.strip())


def is_preflight() -> bool:
    return request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers


def _cross_origin(response: Response) -> Response:
    origin = request.headers.get("Origin")
    if not origin or not (request.path.startswith(API_PREFIX) or request.path == "/openapi.json"):
        return response
    allowed = current_app.extensions[_EXTENSION]
    response.vary.add("Origin")
    if "*" not in allowed and origin not in allowed:
        return response
    response.headers["Access-Control-Allow-Origin"] = "*" if "*" in allowed else origin
    if is_preflight():
        methods = response.headers.get("Allow") or "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Methods"] = methods
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = str(MAX_AGE_SECONDS)
    else:
        response.headers["Access-Control-Expose-Headers"] = "WWW-Authenticate, Allow"
    return response


def init_app(app: Flask) -> None:
    origins = parse_origins(app.config.get("CORS_ORIGINS"))
    app.extensions[_EXTENSION] = origins
    if origins:
        app.after_request(_cross_origin)
