"""The scenario-diagnosis rule table, loaded once and registered once with the gateway.

Rules come from four places, all data: the hand-written rows of ``tables/diagnosis.yaml``, one
evidence rule per sign of the catalog (``<scenario>_when_<sign>``), one transition rule per
indicator and direction (``transition_when_<indicator>_rises`` / ``_falls``) and one per
organizational change (``transition_when_<change>``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from advisor.assessment import TRENDS
from advisor.catalog import Catalog, load_catalog
from advisor.errors import CatalogError
from advisor.sections import CHANGES
from rules.conditions import AnyOf, Condition, KeySpace, KeySpec
from rules.gateway import get_gateway
from rules.table import Rule, compile_rules, digest, read_table, rule_from_row

__all__ = ["Feature", "DiagnosisTable", "load_diagnosis_table", "FACT_KIND", "UNKNOWN_TREND"]

FACT_KIND = "pmo_assessment"
#: The trend a fact carries for an indicator whose trend was not given. durable-rules never matches
#: a comparison on a missing key, not even ``ne``; with a value, "not falling" can be written.
UNKNOWN_TREND = "unknown"
TABLES = "rules.tables"


@dataclass(frozen=True, slots=True)
class Feature:
    """A composite of indicators (mean, min or max of those assessed)."""

    id: str
    of: str
    indicators: tuple[str, ...]
    min_assessed: int
    meaning: str

    def value(self, indicators: Mapping[str, float]) -> float | None:
        present = [indicators[i] for i in self.indicators if i in indicators]
        if len(present) < self.min_assessed:
            return None
        if self.of == "mean":
            return round(sum(present) / len(present), 3)
        return min(present) if self.of == "min" else max(present)


@dataclass(frozen=True)
class DiagnosisTable:
    name: str
    version: str
    smoothing: float
    uncertainty: float
    recent_months: float
    rules: tuple[Rule, ...]
    by_id: Mapping[str, Rule]
    features: tuple[Feature, ...]
    transitions: Mapping[str, Mapping[str, tuple[str, ...]]]
    keys: KeySpace
    definition: Mapping[str, Any]

    def ensure_registered(self) -> None:
        gateway = get_gateway()
        if not gateway.is_registered(self.name):
            gateway.register(self.name, self.definition)

    @functools.cached_property
    def evidence_paths(self) -> Mapping[str, tuple[tuple[str, str, tuple[str, ...]], ...]]:
        """Per rule: (key, fact path, indicators behind a feature) for each key it reads."""
        features = {f.id: f.indicators for f in self.features}
        return MappingProxyType({
            rule.id: tuple((key, self.keys.path(key), features.get(key, ())) for key in rule.keys)
            for rule in self.rules})

    @functools.cached_property
    def evidence_steps(self) -> Mapping[str, tuple[tuple[str, tuple[str, ...], tuple[str, ...]],
                                                   ...]]:
        """:attr:`evidence_paths` with each path split once: every answer reads it (issue 13)."""
        return MappingProxyType({
            rule_id: tuple((key, tuple(path.split(".")), behind) for key, path, behind in paths)
            for rule_id, paths in self.evidence_paths.items()})

    def input_weights(self, pmo_exists: bool) -> Mapping[str, float]:
        """How much weight the rules that can apply to such a PMO put on each input the profile
        may give: ``<indicator>`` (its value), ``trend.<indicator>`` and ``pmo.age_months``.

        A rule's weight is shared among the inputs it reads (a feature among its indicators, a
        trend count among all trends). Signs and changes are left out: not seeing a sign is
        itself an observation, not a gap. This is what ``coverage`` is measured against."""
        return self._input_weights[pmo_exists]

    @functools.cached_property
    def _input_weights(self) -> Mapping[bool, Mapping[str, float]]:
        features = {f.id: f.indicators for f in self.features}
        indicators = tuple(sorted({i for f in self.features for i in f.indicators}))
        out = {}
        for exists in (True, False):
            weights: dict[str, float] = {}
            for rule in self.rules:
                if rule.effect not in ("evidence", "against") or not _may_apply(rule, exists):
                    continue
                inputs: list[str] = []
                for key in rule.keys:
                    if key in features:
                        inputs.extend(features[key])
                    elif key.startswith("count.trends."):
                        inputs.extend(f"trend.{i}" for i in indicators)
                    elif key in indicators or key.startswith("trend.") or key == "pmo.age_months":
                        inputs.append(key)
                for key in inputs:
                    weights[key] = weights.get(key, 0.0) + rule.weight / len(inputs)
            out[exists] = MappingProxyType(weights)
        return MappingProxyType(out)

    @functools.cached_property
    def sums_exact(self) -> bool:
        """Whether adding up any of the rules' weights is exact in floating point, whatever the
        order: every weight a multiple of 1/1024 and all of them together below 2**40. Then a
        ranking depends on which rules fired, not on the engine's firing order, and may be
        answered from the engine's memo (``RulesGateway.firing_set``)."""
        return (all((r.weight * 1024).is_integer() for r in self.rules)
                and sum(abs(r.weight) for r in self.rules) < 2.0 ** 40)

    @functools.cached_property
    def scoring(self) -> frozenset[str]:
        """The ids of the rules a ranking adds up (evidence, counter-evidence, exclusions);
        transition rules only explain."""
        return frozenset(r.id for r in self.rules if r.effect in ("evidence", "against", "exclude"))


def _may_apply(rule: Rule, pmo_exists: bool) -> bool:
    """False when the rule requires the opposite answer to "does a PMO exist?"."""
    for clause in rule.when:
        if isinstance(clause, AnyOf):
            continue
        if clause.key == "pmo.exists" and (clause.value == pmo_exists) != (clause.op == "eq"):
            return False
    return True


def _keyspace(catalog: Catalog, features: tuple[Feature, ...]) -> KeySpace:
    specs: dict[str, KeySpec] = {
        "pmo.exists": KeySpec("pmo.exists", "bool"),
        "pmo.previous_pmo_closed": KeySpec("pmo.previous_pmo_closed", "bool"),
        "pmo.age_months": KeySpec("pmo.age_months", "number"),
        "count.trends.rising": KeySpec("count.trends.rising", "number"),
        "count.trends.falling": KeySpec("count.trends.falling", "number"),
        "count.trends.steady": KeySpec("count.trends.steady", "number"),
        "count.changes.recent": KeySpec("count.changes", "number"),
        "service_maturity": KeySpec("svc.maturity", "number"),
    }
    for change in CHANGES:
        specs[f"change.{change}"] = KeySpec(f"change.{change}", "number")
    for ind in catalog.ids("indicators"):
        specs[ind] = KeySpec(f"ind.{ind}", "number")
        specs[f"trend.{ind}"] = KeySpec(f"trend.{ind}", "choice", (*TRENDS, UNKNOWN_TREND))
    for feature in features:
        if feature.id in specs:
            raise CatalogError(f"feature {feature.id!r} clashes with an indicator")
        specs[feature.id] = KeySpec(f"feat.{feature.id}", "number")
    for sign in catalog.ids("signs"):
        specs[f"sign.{sign}"] = KeySpec(f"sign.{sign}", "bool")
    for scenario in catalog.ids("scenarios"):
        specs[f"count.signs.{scenario}"] = KeySpec(f"count.signs.{scenario}", "number")
    return KeySpace(specs)


def _sign_rules(catalog: Catalog, config: Mapping[str, Any]) -> list[Rule]:
    weights = config["weights"]
    rules = []
    for sign in catalog.signs:
        scenario = catalog.scenario(sign.scenario)
        rules.append(Rule(
            id=f"{sign.scenario}_when_{sign.id}", subject=sign.scenario, effect="evidence",
            weight=float(weights[sign.scenario]), priority=int(config["priority"]),
            when=(Condition(f"sign.{sign.id}", "eq", True),),
            reason=f"{sign.description} This is one of the guide's signs of {scenario.name}.",
            source=f"{config['source_prefix']}{sign.page}",
            data=MappingProxyType({"sign": sign.id}),
        ))
    return rules


def _trend_rules(catalog: Catalog, config: Mapping[str, Any]) -> list[Rule]:
    rules = []
    for ind in catalog.indicators:
        for trend, verb, text in (("rising", "rises", ind.rising),
                                  ("falling", "falls", ind.falling)):
            rules.append(Rule(
                id=f"transition_when_{ind.id}_{verb}", subject=ind.id, effect="transition",
                weight=0.0, priority=int(config["priority"]),
                when=(Condition(f"trend.{ind.id}", "eq", trend),),
                reason=f"{ind.name} is {trend}: {text}.", source=str(config["source"]),
                data=MappingProxyType({"indicator": ind.id, "direction": trend}),
            ))
    return rules


def _change_rules(config: Mapping[str, Any]) -> list[Rule]:
    rules = []
    for change in CHANGES:
        label = change.replace("_", " ")
        rules.append(Rule(
            id=f"transition_when_{change}", subject=change, effect="transition", weight=0.0,
            priority=int(config["priority"]),
            when=(Condition(f"change.{change}", "lte", config["recent_months"]),),
            reason=(f"A recent {label}: organizational changes can push a PMO towards better or "
                    "worse scenarios."),
            source=str(config["source"]),
            data=MappingProxyType({"change": change, "direction": "either"}),
        ))
    return rules


@functools.cache
def load_diagnosis_table() -> DiagnosisTable:
    """Load, check and compile the diagnosis rules (once per process)."""
    catalog = load_catalog()
    table, table_text = read_table(TABLES, "diagnosis.yaml")
    feats, feats_text = read_table(TABLES, "features.yaml")
    trans, trans_text = read_table(TABLES, "transitions.yaml")
    _, signs_text = read_table("advisor.data", "signs.yaml")
    _, indicators_text = read_table("advisor.data", "indicators.yaml")

    features = tuple(Feature(id=f["id"], of=f["of"], indicators=tuple(f["indicators"]),
                             min_assessed=int(f["min_assessed"]), meaning=f["meaning"])
                     for f in feats["features"])
    for feature in features:
        unknown = set(feature.indicators) - set(catalog.ids("indicators"))
        if unknown or feature.of not in ("mean", "min", "max"):
            raise CatalogError(f"feature {feature.id!r}: bad definition")

    scenarios = catalog.ids("scenarios")
    transitions = {}
    for scenario in scenarios:
        row = trans["transitions"][scenario]
        edges = {d: tuple(row[d]) for d in ("better", "worse")}
        if not set(edges["better"] + edges["worse"]) <= set(scenarios):
            raise CatalogError(f"transitions of {scenario!r} name an unknown scenario")
        transitions[scenario] = MappingProxyType(edges)

    keys = _keyspace(catalog, features)
    written = [rule_from_row(row, keys, scenarios, "scenario", data_fields=("from",))
               for row in table["rules"]]
    for rule in written:
        sources = rule.data.get("from", ())
        if (rule.effect == "transition") != bool(sources) or not set(sources) <= set(scenarios):
            raise CatalogError(f"rule {rule.id!r}: a transition, and only a transition, names "
                               "the scenarios it leads `from`")
    rules = tuple(written + _sign_rules(catalog, table["sign_rules"])
                  + _trend_rules(catalog, table["trend_rules"])
                  + _change_rules(table["change_rules"]))
    name = str(table["ruleset"])
    definition = compile_rules(rules, keys, FACT_KIND)
    version = f"{name}-{digest(table_text, feats_text, trans_text, signs_text, indicators_text)}"
    return DiagnosisTable(
        name=name, version=version, smoothing=float(table["smoothing"]),
        uncertainty=float(table["uncertainty"]),
        recent_months=float(table["change_rules"]["recent_months"]), rules=rules,
        by_id=MappingProxyType({r.id: r for r in rules}), features=features,
        transitions=MappingProxyType(transitions), keys=keys,
        definition=MappingProxyType(definition),
    )
