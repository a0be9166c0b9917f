"""webargs' Flask parser, remembering what a query string loads to.

A query schema's load depends only on the query string (the schemas are stateless), and clients
send the same few strings (``explain=false``, none at all) again and again; loading one through
webargs and marshmallow was 5-6% of the application's CPU for a diagnosis (issue 13). So a short
query string that loaded cleanly is remembered, per schema and ``unknown`` setting, and its
arguments handed out as a fresh dict. Anything else (a long string, an error, a value that is
not a plain scalar, another location) goes through webargs as before: errors, their status and
their field names are unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import request
from marshmallow import Schema
from webargs.flaskparser import FlaskParser

__all__ = ["RememberingParser"]

MAX_QUERY = 128  # bytes of query string worth remembering
MAX_REMEMBERED = 256  # distinct (schema, query string) pairs per process
_SCALARS = (bool, int, float, str, type(None))


class RememberingParser(FlaskParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._remembered: dict[tuple[int, bytes, Any], tuple[Schema, Mapping[str, Any]]] = {}

    def parse(self, argmap: Any, req: Any = None, *, location: str | None = None,
              **kwargs: Any) -> Any:
        """As :meth:`FlaskParser.parse`; a remembered query string skips the loading."""
        if location != "query" or not isinstance(argmap, Schema) or kwargs.get("validate"):
            return super().parse(argmap, req, location=location, **kwargs)
        query = (req if req is not None else request).query_string
        key = (id(argmap), query, kwargs.get("unknown"))
        found = self._remembered.get(key)
        if found is not None and found[0] is argmap:  # the same schema, not one reusing its id
            return dict(found[1])
        parsed = super().parse(argmap, req, location=location, **kwargs)
        if len(query) <= MAX_QUERY and len(self._remembered) < MAX_REMEMBERED \
                and isinstance(parsed, dict) \
                and all(isinstance(v, _SCALARS) for v in parsed.values()):
            self._remembered[key] = (argmap, dict(parsed))
        return parsed
