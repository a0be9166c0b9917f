"""Rule tables as data: one :class:`Rule` per table row, compiled into a durable-rules ruleset.

Following durable-rules' own JSON form, each rule is keyed by *our* id and its action is named by
that id too, so "which rule fired" comes straight back from the engine.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType
from typing import Any

from advisor.errors import CatalogError
from advisor.yaml_data import parse_yaml
from rules.conditions import Clause, KeySpace, describe, parse_when, referenced_keys, to_durable

__all__ = ["Rule", "rule_from_row", "compile_rules", "read_table", "digest"]

EFFECTS = ("evidence", "against", "exclude", "transition")


@dataclass(frozen=True)
class Rule:
    """One reviewable rule: what it concludes, when, how strongly, why, and the guide's page."""

    id: str
    subject: str  # what it concludes about: a scenario id, a service id, a flywheel step...
    effect: str
    weight: float
    priority: int
    when: tuple[Clause, ...]
    reason: str
    source: str
    data: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def keys(self) -> tuple[str, ...]:
        return referenced_keys(self.when)

    @property
    def conditions(self) -> str:
        return describe(self.when)


def rule_from_row(row: Mapping[str, Any], keys: KeySpace, subjects: Iterable[str],
                  subject_field: str, effects: Iterable[str] = EFFECTS,
                  data_fields: Iterable[str] = ()) -> Rule:
    """Check one table row and build its :class:`Rule`."""
    where = f"rule {row.get('id', '?')!r}"
    allowed = {"id", subject_field, "effect", "weight", "priority", "when", "reason", "source",
               *data_fields}
    unknown = set(row) - allowed
    if unknown:
        raise CatalogError(f"{where}: unknown fields {sorted(unknown)}")
    for required in ("id", subject_field, "when", "reason", "source"):
        if not row.get(required):
            raise CatalogError(f"{where}: missing {required!r}")
    if row[subject_field] not in set(subjects):
        raise CatalogError(f"{where}: unknown {subject_field} {row[subject_field]!r}")
    effect = row.get("effect", "evidence")
    if effect not in set(effects):
        raise CatalogError(f"{where}: unknown effect {effect!r}")
    weight = float(row.get("weight", 0.0))
    if effect in ("evidence", "against") and weight <= 0:
        raise CatalogError(f"{where}: {effect} needs a positive weight")
    return Rule(
        id=str(row["id"]), subject=str(row[subject_field]), effect=effect, weight=weight,
        priority=int(row.get("priority", 3)), when=parse_when(row["when"], keys, where),
        reason=" ".join(str(row["reason"]).split()), source=str(row["source"]),
        data=MappingProxyType({k: row[k] for k in data_fields if k in row}),
    )


def compile_rules(rules: Iterable[Rule], keys: KeySpace, kind: str) -> dict[str, Any]:
    """The durable-rules definition of a ruleset: ``{rule_id: {all, pri, run}}``."""
    definition: dict[str, Any] = {}
    for rule in rules:
        if rule.id in definition:
            raise CatalogError(f"duplicate rule id {rule.id!r}")
        definition[rule.id] = {**to_durable(rule.when, keys, kind), "pri": rule.priority,
                               "run": rule.id}
    return definition


def read_table(package: str, name: str) -> tuple[Any, str]:
    """A YAML table shipped in ``package`` and its raw text (for versioning)."""
    text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
    return parse_yaml(text), text


def digest(*texts: str) -> str:
    """A short, stable fingerprint of the tables a ruleset was built from."""
    sha = hashlib.sha256()
    for text in texts:
        sha.update(text.encode("utf-8"))
        sha.update(b"\0")
    return sha.hexdigest()[:12]
