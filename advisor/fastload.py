"""A compiled, fast path for loading a marshmallow schema's valid input; marshmallow for the rest.

Validating a profile with marshmallow walks every field generically (field objects, error
containers, validator objects): for the API that was about a third of a diagnosis request's
server time (issue 13). :func:`compile_loader` turns a schema class into plain Python checks, once.
The compiled loader either returns exactly what ``schema.load(data)`` returns for ``data`` (the
same values, the same key order) or :data:`DEFER`: the input is not plainly valid, or uses a field
the compiler does not know. On :data:`DEFER` the caller runs marshmallow itself, so every bad input
still gets marshmallow's field-named errors, and nothing new is accepted. A test pins the
equivalence on every shipped profile and thousands of mutated ones.

What it knows: closed schemas without hooks, ``Nested``, ``List``, ``Dict``, ``String``,
``Boolean`` (strict), ``Float`` (our ``Number``), and the validators ``Range``, ``Length``,
``OneOf``, ``Regexp`` (others are called as they are). A field class it has not been told about
compiles to "always defer", so a new kind of field is slow, never wrong.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any, cast

from marshmallow import Schema, fields, missing, validate

__all__ = ["DEFER", "Defer", "compile_loader", "compile_field", "register", "Loader", "number",
           "strict_bool", "own_deserialize"]


class Defer(Exception):
    """Raised inside a compiled check: hand this input to marshmallow."""


#: What a loader returns when marshmallow must decide.
DEFER: Any = object()

Check = Callable[[Any], Any]           # value -> loaded value, or raises Defer
Loader = Callable[[Any], Any]          # data -> loaded dict, or DEFER

#: Field classes whose own ``_deserialize`` a compiled check may call (plain, no nested state):
#: registered by the modules that define them, with the check that replaces their type test.
_CUSTOM: dict[type, Callable[[fields.Field], Check]] = {}


def register(field_class: type, compile_field: Callable[[fields.Field], Check]) -> None:
    """Teach the compiler a custom field class (exact class, not its subclasses)."""
    _CUSTOM[field_class] = compile_field


def compile_loader(schema: type[Schema] | Schema) -> Loader:
    """A loader for ``schema``: ``loader(data)`` is ``schema.load(data)`` or :data:`DEFER`."""
    check = _compile_schema(schema)

    def load(data: Any) -> Any:
        try:
            return check(data)
        except Exception:  # noqa: BLE001 - whatever the fast path trips on, marshmallow decides
            return DEFER

    return load


def _never(value: Any) -> Any:
    raise Defer


def _compile_schema(schema: type[Schema] | Schema) -> Check:
    cls = schema if isinstance(schema, type) else type(schema)
    instance = schema if isinstance(schema, Schema) else cls()
    if cls._hooks and any(cls._hooks.values()) or instance.unknown != "raise" \
            or instance.partial or instance.many:
        return _never
    plan: list[tuple[str, bool, Any, Check, Inline | None]] = []
    for name, field in instance.load_fields.items():
        if field.data_key not in (None, name) or field.allow_none:
            return _never
        plan.append((name, field.required, field.load_default, compile_field(field),
                     _inline(field)))
    return _generated_check(cls.__name__, plan)


#: A leaf field's commonest valid inputs as conditions on ``value``, each with the expression
#: the field's compiled check would return for it (its names bound in the scope given): where
#: one holds, the generated schema check stores that without calling anything.
Inline = tuple[dict[str, Any], tuple[tuple[str, str], ...]]   # (names, (condition, loaded)...)


def _inline(field: fields.Field) -> Inline | None:
    """The condition under which ``field``'s check returns its input unchanged, for the leaf
    kinds a profile is made of: a ``Number`` in a closed ``Range`` (a float within finite
    bounds is finite, so ``float(v)`` is ``v``; an int: ``float(v)``), a ``String`` (one of a
    ``OneOf``'s strings, matching a ``Regexp``, or within a ``Length``'s maximum), a
    ``StrictBool``. Anything else (and any input the
    condition does not cover: an int, a subclass, an unknown value) goes to the check itself,
    which decides exactly as before. Each field's check was three nested calls; a profile with
    customers has about forty such fields (issue 13)."""
    kind = type(field)
    validators = list(field.validators)
    if len(validators) > 1:
        return None
    only = validators[0] if validators else None
    rule = type(only)
    if _CUSTOM.get(kind) is number and isinstance(only, validate.Range) \
            and rule.__call__ is validate.Range.__call__:
        low, high = only.min, only.max
        if not all(type(b) in (int, float) and math.isfinite(b) for b in (low, high)):
            return None
        below = "<=" if only.min_inclusive else "<"
        above = "<=" if only.max_inclusive else "<"
        within = f"_low {below} value {above} _high"
        return ({"_float": float, "_int": int, "_low": low, "_high": high},
                ((f"type(value) is _float and {within}", "value"),
                 (f"type(value) is _int and {within}", "_float(value)")))
    if _CUSTOM.get(kind) is strict_bool and only is None:
        return {}, (("value is True or value is False", "value"),)
    if kind is fields.String:
        if only is None:
            return {"_str": str}, (("type(value) is _str", "value"),)
        if isinstance(only, validate.OneOf) and rule.__call__ is validate.OneOf.__call__ \
                and all(isinstance(c, str) for c in only.choices):
            return ({"_str": str, "_allowed": frozenset(only.choices)},
                    (("type(value) is _str and value in _allowed", "value"),))
        if isinstance(only, validate.Regexp) and rule.__call__ is validate.Regexp.__call__:
            return ({"_str": str, "_match": only.regex.match},
                    (("type(value) is _str and _match(value) is not None", "value"),))
        if isinstance(only, validate.Length) and rule.__call__ is validate.Length.__call__ \
                and only.min is None and only.equal is None and only.max is not None:
            return ({"_str": str, "_most": only.max},
                    (("type(value) is _str and len(value) <= _most", "value"),))
    return None


def _generated_check(name: str, plan: list[tuple[str, bool, Any, Check, Inline | None]]
                     ) -> Check:
    """The schema's check as one straight function, a few lines a field (every body passes
    here: the loop over the fields cost about a third of loading a profile, issue 13); a leaf
    field's commonest valid input is stored in line (:func:`_inline`)."""
    scope: dict[str, Any] = {"_Mapping": Mapping, "_dict": dict, "_Defer": Defer,
                             "_missing": missing,
                             "_allowed": frozenset(field for field, *_ in plan)}
    lines = [f"def check_{name}(data):",
             # a dict first: the abstract Mapping test costs more than the rest of a small
             # schema's check (issue 13)
             "    if type(data) is not _dict and not isinstance(data, _Mapping):",
             "        raise _Defer",
             "    if not _allowed.issuperset(data):",
             "        raise _Defer",
             "    out = {}",
             "    get = data.get"]
    for index, (field, required, default, check_field, inline) in enumerate(plan):
        scope[f"_check{index}"] = check_field
        lines += [f"    value = get({field!r}, _missing)",
                  "    if value is _missing:"]
        if required:
            lines.append("        raise _Defer")
        elif default is not missing:
            scope[f"_default{index}"] = default
            made = f"_default{index}()" if callable(default) else f"_default{index}"
            lines.append(f"        out[{field!r}] = {made}")
        else:
            lines.append("        pass")
        lines += ["    elif value is None:",
                  "        raise _Defer"]
        if inline is not None:
            names, cases = inline
            for local, bound in names.items():
                scope[f"{local}{index}"] = bound
            for condition, loaded in cases:
                for local in names:     # this field's own names
                    condition = re.sub(rf"\b{local}\b", f"{local}{index}", condition)
                    loaded = re.sub(rf"\b{local}\b", f"{local}{index}", loaded)
                lines += [f"    elif {condition}:",
                          f"        out[{field!r}] = {loaded}"]
        lines += ["    else:",
                  f"        out[{field!r}] = _check{index}(value)"]
    lines.append("    return out")
    exec("\n".join(lines), scope)  # noqa: S102 - field names of our own schemas
    check: Check = scope[f"check_{name}"]
    return check


def _compile_validators(field: fields.Field) -> Check | None:
    """One check running the field's validators on a deserialized value (None: no validators)."""
    steps: list[Check] = []
    for validator in field.validators:
        steps.append(_compile_validator(validator))
    if not steps:
        return None
    if len(steps) == 1:
        return steps[0]

    def run_all(value: Any) -> Any:
        for step in steps:
            step(value)
        return value

    return run_all


def _compile_validator(validator: Any) -> Check:
    kind = type(validator)
    if isinstance(validator, validate.Range) and kind.__call__ is validate.Range.__call__:
        low, high = validator.min, validator.max
        low_in, high_in = validator.min_inclusive, validator.max_inclusive

        def in_range(value: Any) -> Any:
            if low is not None and not (value >= low if low_in else value > low):
                raise Defer
            if high is not None and not (value <= high if high_in else value < high):
                raise Defer
            return value

        return in_range
    if isinstance(validator, validate.Length) and kind.__call__ is validate.Length.__call__:
        least, most, equal = validator.min, validator.max, validator.equal

        def has_length(value: Any) -> Any:
            length = len(value)
            if equal is not None and length != equal or least is not None and length < least \
                    or most is not None and length > most:
                raise Defer
            return value

        return has_length
    if isinstance(validator, validate.OneOf) and kind.__call__ is validate.OneOf.__call__:
        choices = list(validator.choices)
        if all(isinstance(c, str) for c in choices):
            allowed = frozenset(choices)

            def is_one_of(value: Any) -> Any:
                if not isinstance(value, str) or value not in allowed:
                    raise Defer
                return value

            return is_one_of
    if isinstance(validator, validate.Regexp) and kind.__call__ is validate.Regexp.__call__:
        match = validator.regex.match

        def matches(value: Any) -> Any:
            if match(value) is None:
                raise Defer
            return value

        return matches

    def call(value: Any) -> Any:     # any other validator: run it (raising means "defer")
        if validator(value) is False:
            raise Defer
        return value

    return call


def compile_field(field: fields.Field) -> Check:
    kind = type(field)
    if kind in _CUSTOM:
        inner = _CUSTOM[kind](field)
    elif kind is fields.Nested:
        nested_field = cast(fields.Nested, field)
        nested = nested_field.nested
        if not (isinstance(nested, type) and issubclass(nested, Schema)
                or isinstance(nested, Schema)) or nested_field.only or nested_field.exclude \
                or nested_field.many:
            return _never
        inner = _compile_schema(nested)
    elif kind is fields.List:
        item = compile_field(cast(fields.List, field).inner)

        def inner(value: Any) -> Any:
            if not isinstance(value, list):
                raise Defer
            return [item(v) for v in value]
    elif kind is fields.String:
        def inner(value: Any) -> Any:
            if not isinstance(value, str):
                raise Defer
            return value
    else:
        return _never
    validators = _compile_validators(field)
    if validators is None:
        return inner

    def validated(value: Any) -> Any:
        loaded = inner(value)
        validators(loaded)
        return loaded

    return validated


def number(field: fields.Field) -> Check:
    """Our ``Number`` (a Float given as a number, finite): the loaded value is ``float(v)``."""
    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Defer
        loaded = float(value)
        if not math.isfinite(loaded):
            raise Defer
        return loaded

    return check


def strict_bool(field: fields.Field) -> Check:
    """Our ``StrictBool``: only true or false."""
    def check(value: Any) -> bool:
        if value is not True and value is not False:
            raise Defer
        return value

    return check


def own_deserialize(field: fields.Field) -> Check:
    """A custom field whose ``_deserialize`` is plain (no nested schemas): called directly."""
    def check(value: Any) -> Any:
        return field._deserialize(value, None, None)

    return check
