"""Shared marshmallow building blocks: strict fields and readable, field-named errors.

Every input (profile file, API body, CLI option) is checked with marshmallow schemas built from
these pieces, so a bad value always comes back as ``field.path: what is wrong (allowed: ...)``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from advisor import fastload
from advisor.errors import InputError

__all__ = ["excerpt", "Shown", "AsciiWhole", "Number", "StrictBool", "one_of", "matches", "within",
           "distinct", "repeats", "closed_schema", "flatten_errors", "load_with", "OneOfLater",
           "DOCUMENTED_LATER"]


def excerpt(value: Any, limit: int = 40) -> str:
    """A short, escaped excerpt of user input for an error message: never the whole input, never
    a control character or non-ASCII text that a terminal or log would render."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > limit:
        text = text[:limit] + "..."
    return text.encode("unicode_escape").decode("ascii")


class Shown:
    """User input as an error message shows it: ``{input!r}`` and ``{input}`` in a marshmallow
    message give a short, escaped excerpt (:func:`excerpt`), not a 60 KiB string."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return excerpt(repr(self.value))

    def __str__(self) -> str:
        return excerpt(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


class _ShortOneOf(validate.OneOf):
    def _format_error(self, value: Any) -> str:
        return super()._format_error(Shown(value))


class _ShortRegexp(validate.Regexp):
    def _format_error(self, value: Any) -> str:
        return super()._format_error(Shown(value))  # type: ignore[arg-type]  # formatted only


def matches(pattern: str, error: str) -> validate.Regexp:
    """A regular-expression validator whose message shows a short excerpt of the input."""
    return _ShortRegexp(pattern, error=error)


class Number(fields.Float):
    """A float that must be given as a number (not a string, not a boolean, not NaN)."""

    default_error_messages = {"invalid": "must be a number, got {input!r}",
                              "special": "must be a finite number"}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_nan", False)
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid", input=Shown(value))
        return super()._deserialize(value, attr, data, **kwargs)


class AsciiWhole(fields.Integer):
    """A whole number as a query string gives it: ASCII digits only, at most 19 of them.

    marshmallow's Integer runs ``int()`` on text, which reads ``"\u0663"`` (Arabic-Indic 3) as
    3, ``"3_0"`` as 30 and ``" +3"`` as 3; none of them is what a person typed as a number."""

    default_error_messages = {"invalid": "must be a whole number in ASCII digits, got {input}"}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid", input=Shown(repr(value)))
        if isinstance(value, str) and not _ASCII_WHOLE.fullmatch(value):
            raise self.make_error("invalid", input=Shown(repr(value)))
        return super()._deserialize(value, attr, data, **kwargs)


_ASCII_WHOLE = re.compile(r"-?[0-9]{1,19}", re.ASCII)


class StrictBool(fields.Boolean):
    """Only true or false: 'yes', 1 or 'on' are more likely mistakes than intent here."""

    default_error_messages = {"invalid": "must be true or false, got {input!r}"}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(truthy={True}, falsy={False}, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):  # 0 and 1 would pass: 0 in {False} is true in Python
            raise self.make_error("invalid", input=Shown(value))
        return value


def within(low: float, high: float) -> validate.Range:
    return validate.Range(low, high, error=f"must be between {low} and {high}, got {{input}}")


def repeats(values: Iterable[Any]) -> list[str]:
    """The values that occur more than once, sorted, as text (for error messages)."""
    items = list(values)
    return sorted({str(v) for v in items if items.count(v) > 1})


def distinct(verb: str = "listed") -> Any:
    """A list validator: no value twice (``signs``, a customer's ranked outcomes, ...)."""

    def check(values: list[Any]) -> None:
        try:
            if len(set(values)) == len(values):   # the usual case, without repeats' counting
                return
        except TypeError:                         # an unhashable item: count them
            pass
        twice = repeats(values)
        if twice:
            raise ValidationError(f"{verb} more than once: {', '.join(twice)}")

    return check


def one_of(choices: Iterable[Any], what: str = "value") -> validate.OneOf:
    allowed = list(choices)
    return _ShortOneOf(
        allowed, error=f"unknown {what} {{input!r}}; allowed: " + ", ".join(map(str, allowed)))


#: A field metadata key: a function giving more of the field's OpenAPI properties (``enum``, the
#: items of a mapping), called when the document is built -- for values read from shipped data,
#: which a schema module must not read when it is imported.
DOCUMENTED_LATER = "documented_later"


class OneOfLater(validate.Validator):
    """marshmallow's ``OneOf`` over choices read on first use (a catalog's ids), not when the
    schema's module is imported; apispec still lists them as the field's ``enum`` (it reads
    ``choices``), so the OpenAPI document is as with a plain ``OneOf``."""

    default_message = validate.OneOf.default_message

    def __init__(self, choices: Callable[[], Iterable[Any]]) -> None:
        self._read = choices

    @functools.cached_property
    def choices(self) -> tuple[Any, ...]:
        return tuple(self._read())

    def _repr_args(self) -> str:
        return f"choices={self._read!r}"

    def __call__(self, value: Any) -> Any:
        if value not in self.choices:
            raise ValidationError(self.default_message.format(
                input=value, choices=", ".join(map(str, self.choices)), labels=""))
        return value


def closed_schema(name: str, declared: Mapping[str, fields.Field]) -> type[Schema]:
    """A schema class that rejects unknown keys with a message listing the allowed ones."""
    cls = Schema.from_dict(dict(declared), name=name)
    allowed = ", ".join(declared)
    cls.error_messages = {**Schema.error_messages,
                          "unknown": f"unknown field; allowed: {allowed}",
                          "type": "must be a mapping (key: value)"}
    return cls


def flatten_errors(messages: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Turn marshmallow's nested error dict into ``[(dotted.field, message), ...]``."""
    out: list[tuple[str, str]] = []
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            if key == "_schema":
                path = prefix
            elif isinstance(key, int):
                path = f"{prefix}[{key}]"
            else:
                name = excerpt(str(key), 64)  # a key is user input too
                path = f"{prefix}.{name}" if prefix else name
            if isinstance(value, Mapping) and set(value) == {"key"}:
                value = value["key"]  # a bad dict key: report it at the key's own path
            out.extend(flatten_errors(value, path))
    elif isinstance(messages, list):
        for item in messages:
            if isinstance(item, (Mapping, list)):
                out.extend(flatten_errors(item, prefix))
            else:
                out.append((prefix, _lower_first(str(item))))
    else:
        out.append((prefix, _lower_first(str(messages))))
    return out


def _lower_first(text: str) -> str:
    text = text.rstrip(".") if text.endswith(".") and text.count(".") == 1 else text
    return text[:1].lower() + text[1:]


def load_with(schema: Schema, data: Any, prefix: str = "") -> Any:
    """Load ``data`` with ``schema``; raise :class:`InputError` naming every bad field."""
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise InputError(flatten_errors(exc.messages, prefix)) from None


# The compiled fast path (advisor/fastload.py) knows these fields: same checks, same values.
fastload.register(Number, fastload.number)
fastload.register(StrictBool, fastload.strict_bool)
