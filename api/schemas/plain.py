"""A free-form JSON object field: what a rule looked at, a merge patch, a record of values.

The domain keeps such values as read-only mappings (``MappingProxyType``) with tuples inside;
this field writes them as plain JSON objects and arrays, at any depth, so a schema can dump the
domain's own objects without a hand-written ``to_dict`` in between.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import fields

__all__ = ["PlainDict", "plain"]


def plain(value: Any) -> Any:
    """``value`` with every mapping a dict and every tuple or list a list, at any depth."""
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


class PlainDict(fields.Dict):
    """A JSON object of string keys and any JSON values (documented as such)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(keys=fields.String(), values=fields.Raw(), **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else plain(value)
