"""Output schemas of the catalog, one per kind, derived from the catalog's frozen dataclasses.

Deriving them (rather than writing each by hand) keeps the API in step with ``advisor/data``: a
field added to a catalog item appears in the OpenAPI document without a second edit.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from typing import Any

from marshmallow import Schema, fields

from advisor.catalog import KINDS, Catalog

__all__ = ["item_schema", "CatalogSummarySchema"]

_SCALARS: dict[Any, type[fields.Field]] = {str: fields.String, int: fields.Integer,
                                           float: fields.Float, bool: fields.Boolean}


def _field(hint: Any) -> fields.Field:
    if typing.get_origin(hint) is tuple:  # tuple[X, ...]
        return fields.List(_SCALARS[typing.get_args(hint)[0]](), required=True)
    if typing.get_origin(hint) in (typing.Union, types.UnionType):  # X | None
        inner = [a for a in typing.get_args(hint) if a is not type(None)][0]
        return _SCALARS[inner](required=True, allow_none=True)
    return _SCALARS[hint](required=True)


@functools.cache
def item_schema(kind: str) -> type[Schema]:
    """The schema of one item of ``kind`` (e.g. ``services`` -> ``ServiceSchema``), from the
    catalog's declared types (``Catalog.services: tuple[Service, ...]``): no data is read."""
    cls = typing.get_args(typing.get_type_hints(Catalog)[kind])[0]
    hints = typing.get_type_hints(cls)
    declared = {f.name: _field(hints[f.name]) for f in dataclasses.fields(cls)}
    return Schema.from_dict(declared, name=f"{cls.__name__}Schema")


CatalogSummarySchema = Schema.from_dict(
    {kind: fields.Integer(required=True, metadata={"description": f"number of {kind}"})
     for kind in KINDS}, name="CatalogSummarySchema")
