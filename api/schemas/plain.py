"""A free-form JSON object field: what a rule looked at, a merge patch, a record of values.

The domain keeps such values as read-only mappings (``MappingProxyType``) with tuples inside;
this field writes them as plain JSON objects and arrays, at any depth, so a schema can dump the
domain's own objects without a hand-written ``to_dict`` in between.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar

from marshmallow import Schema, fields, post_dump

__all__ = ["PlainDict", "plain", "OptionalKeys"]


_LEAVES = frozenset({str, int, float, bool, type(None)})


def plain(value: Any) -> Any:
    """``value`` with every mapping a dict and every tuple or list a list, at any depth."""
    kind = type(value)
    if kind in _LEAVES:   # most values are: skip the abstract Mapping test (issue 13)
        return value
    if kind is dict or kind is MappingProxyType:   # leaves in line: a fired rule's evidence
        return {key: item if type(item) in _LEAVES else plain(item)
                for key, item in value.items()}
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


class OptionalKeys(Schema):
    """A schema whose :attr:`OPTIONAL` keys are left out of the JSON when their value is None.

    Some answers omit what does not apply (a job's ``result`` before it is done, an item's
    ``choices`` when it has none) rather than send ``null``; marshmallow writes every declared
    field, so this one hook drops them. ``api.schemas.answers.compiled`` knows this hook and
    does the same, so both dumps still agree to the byte."""

    #: data keys dropped when None (every other key is always written)
    OPTIONAL: ClassVar[frozenset[str]] = frozenset()

    @post_dump
    def _omit_none(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {key: value for key, value in data.items()
                if value is not None or key not in self.OPTIONAL}
