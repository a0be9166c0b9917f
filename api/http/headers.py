"""Security headers on every answer: the pages ask for an API key, so they must not be framed,
sniffed into another type, or made to run scripts from anywhere but this service.

The pages and the vendored Swagger UI load scripts and styles from this service only (no inline
script: ``static/*.js``); styles may be inline (Swagger UI sets some), images may be ``data:``
(Swagger UI's icons). ``frame-ancestors 'none'`` and ``X-Frame-Options: DENY`` stop clickjacking
of the key field; ``nosniff`` keeps a JSON answer from being run as a script.
"""

from __future__ import annotations

from flask import Flask, Response

__all__ = ["CONTENT_SECURITY_POLICY", "SECURITY_HEADERS", "init_app"]

CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' "
                           "'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
                           "object-src 'none'; base-uri 'none'; form-action 'self'; "
                           "frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _add_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    app.after_request(_add_headers)
