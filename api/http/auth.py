"""Optional API keys: when any are configured, every API route but ``/health`` needs
``Authorization: Bearer <key>``.

Keys are compared in constant time (``hmac.compare_digest`` over SHA-256 digests, so neither the
content nor the length of a key leaks through timing), and every configured key is compared on
every request. What stays open: ``/api/v1/health`` (for load balancers and uptime checks), and
the documentation and page shells (``/openapi.json``, ``/docs``, the pages and their static
files), which carry no data -- the pages send the key the user types with each API call.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from flask import Flask, current_app, request
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

__all__ = ["API_PREFIX", "OPEN_ENDPOINTS", "parse_keys", "key_digest", "key_is_known",
           "keys_required", "init_app"]

API_PREFIX = "/api/v1"
OPEN_ENDPOINTS = frozenset({"health.health"})
REALM = "pmo-advisor"
_EXTENSION = "pmo-advisor.api-keys"


def parse_keys(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """Keys from ``"k1,k2"`` (the environment's form) or a list (a test's)."""
    if value is None:
        return ()
    parts = value.split(",") if isinstance(value, str) else list(value)
    return tuple(key.strip() for key in parts if key and key.strip())


def key_digest(text: str) -> bytes:
    """A fixed-length digest, so comparing two keys takes the same time whatever their length."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def key_is_known(token: str, digests: tuple[bytes, ...]) -> bool:
    """Constant time per key, and every key is tried: no early exit on a match."""
    given = key_digest(token)
    found = False
    for digest in digests:
        found |= hmac.compare_digest(given, digest)
    return found


def _bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _require_key() -> None:
    if not (request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")):
        return
    if request.endpoint in OPEN_ENDPOINTS:
        return
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        return  # a CORS preflight carries no data (api/http/cors.py); the real request needs a key
    token = _bearer_token()
    if token is not None and key_is_known(token, current_app.extensions[_EXTENSION]):
        return
    challenge = {"realm": REALM}
    if token is None:
        detail = "this route needs an API key: send Authorization: Bearer <key>"
    else:
        detail = "the API key is not valid"
        challenge["error"] = "invalid_token"  # RFC 6750 section 3.1
    raise Unauthorized(detail, www_authenticate=WWWAuthenticate(
        "bearer", dict[str, str | None](challenge)))


def keys_required(app: Flask) -> bool:
    return bool(app.extensions.get(_EXTENSION))


def init_app(app: Flask) -> None:
    keys = parse_keys(app.config.get("API_KEYS"))
    app.extensions[_EXTENSION] = tuple(key_digest(key) for key in keys)
    if keys:
        app.before_request(_require_key)
