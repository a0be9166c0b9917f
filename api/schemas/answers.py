"""Each answer's JSON, from its one schema: the CLI's ``--json`` and the HTTP API alike.

The marshmallow schemas in this package are the one statement of each answer's shape: flask-
smorest documents them in the OpenAPI document, and the JSON the CLI prints and the API returns
is dumped from the domain's own result objects *by them* -- no hand-written ``to_dict`` in
between, so document and answer cannot drift apart.

A marshmallow dump costs about 15x a plain walk of the object (0.5 ms for a diagnosis: more than
the rules engine itself), so :func:`to_json` walks each schema's declared fields once, compiles
them into a plain dumper, and uses that; ``tests/test_answers.py`` pins that the compiled dumper
and marshmallow's own dump give the same JSON for every shipped profile.
"""

from __future__ import annotations

import functools
import keyword
from collections.abc import Callable, Mapping
from typing import Any

from marshmallow import Schema, fields

from advisor.combination import Combined
from advisor.questionnaire import Questionnaire
from api.schemas.advice import AdviceSchema
from api.schemas.assessments import CombinedSchema, QuestionnaireSchema
from api.schemas.diagnosis import DiagnosisSchema
from api.schemas.library import ShockSchema, StoryResultSchema, StorySchema
from api.schemas.plain import OptionalKeys, PlainDict, plain
from api.schemas.rules import RuleTableSchema
from api.schemas.simulation import (
    BaselineResultSchema,
    ComparisonResultSchema,
    ExperimentResultSchema,
    SensitivityResultSchema,
    SweepResultSchema,
)
from rules.advice import Advice
from rules.advice.table import AdviceTable
from rules.diagnosis import Diagnosis
from rules.diagnosis_table import DiagnosisTable
from simulation.results import BaselineResult, ComparisonResult, ExperimentResult
from simulation.sensitivity import SensitivityResult
from simulation.shocks import Shock
from simulation.stories import Story, StoryResult
from simulation.sweeps import SweepResult

__all__ = ["to_json", "schema_for", "compiled", "Answer"]

_SCHEMAS: dict[type, type[Schema]] = {
    Diagnosis: DiagnosisSchema, Advice: AdviceSchema, ExperimentResult: ExperimentResultSchema,
    ComparisonResult: ComparisonResultSchema, BaselineResult: BaselineResultSchema,
    StoryResult: StoryResultSchema, Story: StorySchema,
    SensitivityResult: SensitivityResultSchema, Shock: ShockSchema,
    Questionnaire: QuestionnaireSchema, Combined: CombinedSchema,
    DiagnosisTable: RuleTableSchema, AdviceTable: RuleTableSchema,
    SweepResult: SweepResultSchema}

#: every result object that is an answer (its JSON: :func:`to_json`)
Answer = (Diagnosis | Advice | ExperimentResult | ComparisonResult | BaselineResult | StoryResult
          | Story | Shock | SensitivityResult | Questionnaire | Combined | DiagnosisTable
          | AdviceTable | SweepResult)

Dump = Callable[[Any], Any]


def schema_for(result: Any) -> type[Schema]:
    for kind, schema in _SCHEMAS.items():
        if isinstance(result, kind):
            return schema
    raise TypeError(f"no answer schema for {type(result).__name__}")


def to_json(result: Answer | Any, schema: type[Schema] | None = None) -> dict[str, Any]:
    """The answer as plain JSON types, in its schema's shape and field order.

    ``schema`` names the schema of an answer whose class lives above this layer (a job of
    ``api.store``), which this module cannot import to look it up."""
    dumped: dict[str, Any] = compiled(schema or schema_for(result))(result)
    return dumped


def _nested_schema(field: fields.Nested) -> type[Schema]:
    """The nested schema's class, however the field names it (class, instance or function)."""
    return type(field.schema)


def _field_dumper(field: fields.Field) -> Dump | None:
    """How one declared field turns a domain value into JSON; ``None``: as it is.

    Scalars are taken as the domain holds them (strings, numbers, booleans, null): the test
    against marshmallow's own dump, which converts, pins that they already are those types."""
    if isinstance(field, PlainDict):
        return plain
    if isinstance(field, fields.Nested):
        inner = compiled(_nested_schema(field))
        if field.many:
            return lambda v: None if v is None else [inner(item) for item in v]
        return lambda v: None if v is None else inner(v)
    if isinstance(field, fields.List):
        if isinstance(field.inner, fields.Nested) and not field.inner.many:   # one call an item
            nested = compiled(_nested_schema(field.inner))
            return lambda v: None if v is None else [None if x is None else nested(x) for x in v]
        item = _field_dumper(field.inner)
        if item is None:
            return lambda v: None if v is None else list(v)
        return lambda v: None if v is None else [item(x) for x in v]
    if isinstance(field, fields.Dict):
        value = _field_dumper(field.value_field) if field.value_field else None
        if value is None:
            return lambda v: None if v is None else dict(v)
        return lambda v: None if v is None else {k: value(x) for k, x in v.items()}
    return None


def _walk(obj: Any, path: tuple[str, ...]) -> Any:
    """A dotted attribute (``story.title``, ``data.sign``), read as marshmallow reads it (a key
    missing from a mapping: None here, left out there; ``OptionalKeys`` leaves it out here)."""
    for attribute in path:
        obj = obj.get(attribute) if isinstance(obj, Mapping) else getattr(obj, attribute)
    return obj


@functools.cache
def compiled(schema: type[Schema]) -> Dump:
    """A plain dumper for one schema: each field's attribute, converted, under its data key."""
    instance = schema()
    hooks = {name for name, *_ in instance._hooks.get("post_dump", ())}
    optional = isinstance(instance, OptionalKeys) and hooks == {"_omit_none"}
    if instance._hooks.get("pre_dump") or (hooks and not optional):
        raise TypeError(f"{schema.__name__}: dump hooks are not compiled; give the domain object "
                        "the attribute the schema reads instead (keys left out when None: "
                        "OptionalKeys)")
    omit = instance.OPTIONAL if isinstance(instance, OptionalKeys) else frozenset()
    plan = tuple((field.data_key or name, field.attribute or name,
                  tuple((field.attribute or name).split(".")), _field_dumper(field))
                 for name, field in instance.dump_fields.items())

    def dump_mapping(obj: Any) -> dict[str, Any]:
        get = obj.get if isinstance(obj, dict) else obj.__getattribute__
        out = {}
        for key, attribute, path, convert in plan:
            value = get(attribute) if len(path) == 1 else _walk(obj, path)
            if value is None and key in omit:
                continue
            out[key] = value if convert is None else convert(value)
        return out

    return _generated(schema.__name__, plan, omit, dump_mapping)


def _generated(name: str, plan: tuple[tuple[str, str, tuple[str, ...], Dump | None], ...],
               omit: frozenset[str], dump_mapping: Dump) -> Dump:
    """The plan as one straight function of an object's attributes (a dict goes to
    ``dump_mapping``): no loop, no per-field lookups. Every answer passes here (a diagnosis
    has a few hundred values), so the loop's bookkeeping was most of its cost (issue 13)."""
    scope: dict[str, Any] = {"_dict": dict, "_walk": _walk, "_mapping": dump_mapping}
    lines = [f"def dump_{name}(obj):",
             "    if isinstance(obj, _dict):",
             "        return _mapping(obj)"]
    reads: list[tuple[str, str, str]] = []    # (key, how it is read, its converter or "")
    for index, (key, attribute, path, convert) in enumerate(plan):
        if len(path) == 1 and attribute.isidentifier() and not keyword.iskeyword(attribute):
            read = f"obj.{attribute}"
        else:
            scope[f"_path{index}"] = path
            read = f"_walk(obj, _path{index})"
        if convert is not None:
            scope[f"_convert{index}"] = convert
        reads.append((key, read, f"_convert{index}" if convert is not None else ""))
    if not any(key in omit for key, *_ in reads):
        # every key written: one dict display, read and converted in the plan's order (a
        # diagnosis dumps a dozen fired rules this way)
        lines.append("    return {")
        lines += [f"        {key!r}: {made}({read})," if made else f"        {key!r}: {read},"
                  for key, read, made in reads]
        lines.append("    }")
    else:
        lines.append("    out = {}")
        for key, read, made in reads:
            written = f"{made}(value)" if made else "value"
            lines.append(f"    value = {read}")
            if key in omit:
                lines.append("    if value is not None:")
                lines.append(f"        out[{key!r}] = {written}")
            else:
                lines.append(f"    out[{key!r}] = {written}")
        lines.append("    return out")
    exec("\n".join(lines), scope)  # noqa: S102 - our own field names, from our own schemas
    dump: Dump = scope[f"dump_{name}"]
    return dump
