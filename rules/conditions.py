"""The condition language of our rule tables, and its translation into durable-rules JSON.

A rule's ``when`` is a mapping a PMO expert can read::

    when:
      pmo.exists: true
      executive_support: {gt: 2.0, lte: 3.5}
      any:
      - {delivery_performance: {lte: 2.5}}
      - {trend.delivery_performance: falling}

Every key must be declared in a :class:`KeySpace`, which knows where the key lives in the fact
asserted into the engine and which values it may take, so a typo in a table fails at load time.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from advisor.errors import CatalogError

__all__ = ["Condition", "AnyOf", "Clause", "KeySpace", "KeySpec", "parse_when", "to_durable",
           "describe", "referenced_keys", "lookup", "holds", "DISCRIMINATOR"]

#: Every asserted fact carries ``kind``; every rule tests it first. Without it, rules would also
#: match the engine's own state messages (measured: a rule on a missing key then loops forever).
DISCRIMINATOR = "kind"

_OPERATORS = {"lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte", "ne": "$neq"}
_SYMBOLS = {"eq": "=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">=", "ne": "!="}


@dataclass(frozen=True, slots=True)
class Condition:
    key: str
    op: str  # eq | lt | lte | gt | gte | ne
    value: Any


@dataclass(frozen=True, slots=True)
class AnyOf:
    options: tuple[tuple[Condition, ...], ...]


Clause = Condition | AnyOf


@dataclass(frozen=True, slots=True)
class KeySpec:
    """Where a table key lives in the fact, and what it may be compared with."""

    path: str
    kind: str  # number | bool | choice
    choices: tuple[Any, ...] = ()


class KeySpace:
    """The vocabulary one family of rule tables may use."""

    def __init__(self, specs: Mapping[str, KeySpec]) -> None:
        self._specs = dict(specs)

    def __contains__(self, key: str) -> bool:
        return key in self._specs

    def spec(self, key: str, where: str) -> KeySpec:
        try:
            return self._specs[key]
        except KeyError:
            raise CatalogError(f"{where}: unknown condition key {key!r}") from None

    def path(self, key: str) -> str:
        return self._specs[key].path


def _parse_comparisons(key: str, raw: Any, keys: KeySpace, where: str) -> list[Condition]:
    spec = keys.spec(key, where)
    pairs = raw.items() if isinstance(raw, Mapping) else [("eq", raw)]
    out = []
    for op, value in pairs:
        if op != "eq" and op not in _OPERATORS:
            raise CatalogError(f"{where}: {key}: unknown operator {op!r}")
        if spec.kind == "number" and (isinstance(value, bool)
                                     or not isinstance(value, (int, float))):
            raise CatalogError(f"{where}: {key} compares with a number, got {value!r}")
        if spec.kind == "bool" and (op not in ("eq", "ne") or not isinstance(value, bool)):
            raise CatalogError(f"{where}: {key} is true or false, got {op} {value!r}")
        if spec.kind == "choice" and (op not in ("eq", "ne") or value not in spec.choices):
            raise CatalogError(f"{where}: {key} must be one of {list(spec.choices)}, got {value!r}")
        out.append(Condition(key, op, value))
    return out


def parse_when(when: Mapping[str, Any], keys: KeySpace, where: str) -> tuple[Clause, ...]:
    """Parse and check one rule's ``when`` mapping."""
    if not isinstance(when, Mapping) or not when:
        raise CatalogError(f"{where}: 'when' must be a non-empty mapping")
    clauses: list[Clause] = []
    for key, raw in when.items():
        if key == "any":
            if not isinstance(raw, Sequence) or len(raw) < 2:
                raise CatalogError(f"{where}: 'any' needs a list of at least two condition maps")
            options = []
            for option in raw:
                parsed = parse_when(option, keys, where)
                if any(isinstance(c, AnyOf) for c in parsed):
                    raise CatalogError(f"{where}: 'any' cannot nest another 'any'")
                options.append(tuple(c for c in parsed if isinstance(c, Condition)))
            clauses.append(AnyOf(tuple(options)))
        else:
            clauses.extend(_parse_comparisons(key, raw, keys, where))
    return tuple(clauses)


def _condition_json(cond: Condition, keys: KeySpace) -> dict[str, Any]:
    path = keys.path(cond.key)
    if cond.op == "eq":
        return {path: cond.value}
    return {_OPERATORS[cond.op]: {path: cond.value}}


def to_durable(clauses: Sequence[Clause], keys: KeySpace, kind: str) -> dict[str, Any]:
    """One rule antecedent in durable-rules' JSON form (``{"all": [{"m": {...}}]}``)."""
    terms: list[dict[str, Any]] = [{DISCRIMINATOR: kind}]
    for clause in clauses:
        if isinstance(clause, Condition):
            terms.append(_condition_json(clause, keys))
        else:
            terms.append({"$or": [{"$and": [_condition_json(c, keys) for c in option]}
                                  for option in clause.options]})
    return {"all": [{"m": {"$and": terms}}]}


def _iter_conditions(clauses: Sequence[Clause]) -> Iterator[Condition]:
    for clause in clauses:
        if isinstance(clause, Condition):
            yield clause
        else:
            for option in clause.options:
                yield from option


def referenced_keys(clauses: Sequence[Clause]) -> tuple[str, ...]:
    """The keys a rule looks at, in table order, each once."""
    return tuple(dict.fromkeys(c.key for c in _iter_conditions(clauses)))


def _describe_key(key: str, conds: list[Condition]) -> str:
    parts = [f"{_SYMBOLS[c.op]} {_fmt(c.value)}" for c in conds]
    return f"{key} " + " and ".join(parts)


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def describe(clauses: Sequence[Clause]) -> str:
    """A one-line, human reading of the conditions (for rule listings and reports)."""
    parts: list[str] = []
    grouped: dict[str, list[Condition]] = {}
    for clause in clauses:
        if isinstance(clause, Condition):
            grouped.setdefault(clause.key, []).append(clause)
    for key, conds in grouped.items():
        parts.append(_describe_key(key, conds))
    for clause in clauses:
        if isinstance(clause, AnyOf):
            options = [" and ".join(_describe_key(c.key, [c]) for c in option)
                       for option in clause.options]
            parts.append("(" + " or ".join(options) + ")")
    return "; ".join(parts)


_MISSING = object()


def lookup(fact: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path of a nested fact, or ``None`` when absent."""
    node: Any = fact
    for part in path.split("."):
        try:
            node = node.get(part, _MISSING)
        except AttributeError:  # reached a leaf before the end of the path
            return None
        if node is _MISSING:
            return None
    return node


_COMPARE = {
    "eq": lambda a, b: a == b, "ne": lambda a, b: a != b, "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b, "gt": lambda a, b: a > b, "gte": lambda a, b: a >= b,
}


def _condition_holds(cond: Condition, fact: Mapping[str, Any], keys: KeySpace) -> bool:
    value = lookup(fact, keys.path(cond.key))
    # As in durable-rules: a missing key never matches, not even ``ne``.
    return value is not None and bool(_COMPARE[cond.op](value, cond.value))


def holds(clauses: Sequence[Clause], fact: Mapping[str, Any], keys: KeySpace) -> bool:
    """Whether a rule's conditions hold for a fact, evaluated in Python.

    Only for searches that try many hypothetical facts (the counterfactuals): every answer they
    give is confirmed by the engine, and a test checks both agree on every fired rule."""
    for clause in clauses:
        if isinstance(clause, Condition):
            if not _condition_holds(clause, fact, keys):
                return False
        elif not any(all(_condition_holds(c, fact, keys) for c in option)
                     for option in clause.options):
            return False
    return True
