"""Every error answer is RFC 9457 ``application/problem+json``: type, title, status, detail and
the field-level ``errors``.

HTTP errors, bad input and unexpected failures all leave through this module, so a client parses
one error shape and the OpenAPI document describes it once. Werkzeug's own headers (``Allow`` on
405, ``WWW-Authenticate`` on 401) are kept.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, json
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from advisor.errors import InputError
from advisor.validation import flatten_errors
from api.limits import MAX_FIELD_ERRORS

__all__ = ["PROBLEM_MEDIA_TYPE", "INVALID_INPUT", "ProblemSchema", "FieldErrorSchema",
           "problem", "handle_http_exception", "handle_input_error", "init_app"]

PROBLEM_MEDIA_TYPE = "application/problem+json"
#: the problem type of every 422: the request was well-formed but a field is not acceptable
INVALID_INPUT = "urn:pmo-advisor:problem:invalid-input"
MESSAGE_LIMIT = 2000  # characters of one message or detail: the longest "allowed: ..." fits

log = logging.getLogger(__name__)


class FieldErrorSchema(Schema):
    field = fields.String(required=True, metadata={
        "description": "dotted path of the field, e.g. indicators.influence; empty for the "
                       "request as a whole"})
    message = fields.String(required=True, metadata={"description": "what is wrong and what "
                                                     "is allowed"})


class ProblemSchema(Schema):
    """RFC 9457 problem details (documentation only: :func:`problem` builds the answer)."""

    type = fields.String(required=True, metadata={
        "description": "about:blank for plain HTTP errors, or a pmo-advisor problem URN"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.List(fields.Nested(FieldErrorSchema), required=True, metadata={
        "description": f"field-level messages (at most {MAX_FIELD_ERRORS})"})


def problem(status: int, detail: str, *, type_: str = "about:blank", title: str | None = None,
            errors: Iterable[tuple[str, str]] = (),
            headers: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> Response:
    """One problem+json response."""
    # a safety net for messages that echo input in full (the layers below echo excerpts)
    listed = [{"field": _clip(field), "message": _clip(message)} for field, message in errors]
    detail = _clip(detail)
    if len(listed) > MAX_FIELD_ERRORS:
        detail = f"{detail} ({len(listed)} field errors, the first {MAX_FIELD_ERRORS} listed)"
        listed = listed[:MAX_FIELD_ERRORS]
    body = {"type": type_, "title": title or HTTPStatus(status).phrase, "status": status,
            "detail": detail, "errors": listed}
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MEDIA_TYPE)
    response.headers.extend(headers)
    return response


def _clip(text: str, limit: int = MESSAGE_LIMIT) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def handle_http_exception(error: HTTPException) -> Response:
    """Any HTTP error Werkzeug or a view raises, with Werkzeug's headers but our body."""
    status = error.code or 500
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    data: Any = getattr(error, "data", None) or {}
    if status == 422 and "messages" in data:  # webargs: bad query parameters
        return handle_input_error(InputError(_webargs_problems(data["messages"])))
    detail = data.get("message") or error.description or HTTPStatus(status).phrase
    return problem(status, str(detail), headers=headers)


def _webargs_problems(messages: Mapping[str, Any]) -> list[tuple[str, str]]:
    """webargs files errors by location ({"query": {"seed": [...]}}): name the field alone."""
    return [problem for location in messages.values() for problem in flatten_errors(location)]


def handle_input_error(error: InputError) -> Response:
    return problem(422, error.line, type_=INVALID_INPUT, title="Invalid input",
                   errors=error.problems)


def handle_unexpected(error: Exception) -> Response:
    """Last resort: a bug. Logged with its traceback; the client learns nothing internal."""
    log.exception("unhandled error", exc_info=error)
    return problem(500, "the service failed to answer; the error has been logged")


def init_app(app: Flask) -> None:
    """Register the handlers for our errors; HTTP errors come through the Api (api/openapi.py),
    which flask-smorest would otherwise answer in its own JSON shape."""
    app.register_error_handler(InputError, handle_input_error)
    app.register_error_handler(Exception, handle_unexpected)
