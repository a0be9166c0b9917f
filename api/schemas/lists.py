"""The envelope of every list the API returns: ``{"count": n, "items": [...]}``.

An envelope (not a bare array) leaves room to add paging or metadata without breaking clients.
"""

from __future__ import annotations

from marshmallow import Schema, fields

__all__ = ["list_of"]


def list_of(item: type[Schema], name: str) -> type[Schema]:
    """A schema class ``name`` for a list of ``item``."""
    return Schema.from_dict({
        "count": fields.Integer(required=True),
        "items": fields.List(fields.Nested(item), required=True),
    }, name=name)
