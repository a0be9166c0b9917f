"""Diagnose which of the eight scenarios a PMO is in, and say why.

The profile becomes one fact; the durable-rules engine fires every matching rule of the diagnosis
table; this module only adds up what fired. A PMO may show signs of several scenarios at once
(Guide p.41, 43), so the answer is a ranking with a confidence, not a single label, and it lists
every rule that produced it with the evidence each one looked at.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from advisor.assessment import Profile
from advisor.catalog import load_catalog
from advisor.errors import InputError
from rules.conditions import lookup
from rules.diagnosis_table import FACT_KIND, UNKNOWN_TREND, DiagnosisTable, load_diagnosis_table
from rules.gateway import get_gateway
from rules.table import Rule

__all__ = ["FiredRule", "TransitionSign", "Diagnosis", "diagnose", "diagnose_ranking",
           "build_fact"]


@dataclass(frozen=True, slots=True)
class FiredRule:
    id: str
    scenario: str
    effect: str
    weight: float
    reason: str
    source: str
    evidence: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "scenario": self.scenario, "effect": self.effect,
                "weight": self.weight, "reason": self.reason, "source": self.source,
                "evidence": dict(self.evidence)}


@dataclass(frozen=True, slots=True)
class TransitionSign:
    towards: str
    indicator: str
    reason: str
    rule: str
    evidence: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"towards": self.towards, "indicator": self.indicator, "reason": self.reason,
                "rule": self.rule, "evidence": dict(self.evidence)}


@dataclass(frozen=True)
class Diagnosis:
    scenario: str
    confidence: float
    ranking: tuple[tuple[str, float], ...]
    fired_rules: tuple[FiredRule, ...]
    transition_signs: tuple[TransitionSign, ...]
    missing_indicators: tuple[str, ...]
    ruleset_version: str

    def score(self, scenario: str) -> float:
        return dict(self.ranking)[scenario]

    def rules_for(self, scenario: str) -> tuple[FiredRule, ...]:
        return tuple(r for r in self.fired_rules if r.scenario == scenario)

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "confidence": self.confidence,
            "ranking": [{"scenario": s, "score": v} for s, v in self.ranking],
            "fired_rules": [r.to_dict() for r in self.fired_rules],
            "transition_signs": [t.to_dict() for t in self.transition_signs],
            "missing_indicators": list(self.missing_indicators),
            "ruleset_version": self.ruleset_version,
        }


def build_fact(profile: Profile, table: DiagnosisTable) -> dict[str, Any]:
    """The one fact the engine sees: raw indicators plus features and counts, nested by kind."""
    catalog = load_catalog()
    pmo: dict[str, Any] = {"exists": profile.pmo.exists,
                           "previous_pmo_closed": profile.pmo.previous_pmo_closed}
    if profile.pmo.age_months is not None:
        pmo["age_months"] = profile.pmo.age_months
    indicators = dict(profile.indicators)
    features = {}
    for feature in table.features:
        value = feature.value(indicators)
        if value is not None:
            features[feature.id] = value
    trends = list(profile.trends.values())
    sign_counts = {s: 0 for s in catalog.ids("scenarios")}
    for sign in profile.signs:
        sign_counts[catalog.sign(sign).scenario] += 1
    return {
        "kind": FACT_KIND,
        "pmo": pmo,
        "ind": indicators,
        "feat": features,
        "trend": {i: profile.trends.get(i, UNKNOWN_TREND) for i in catalog.ids("indicators")},
        "sign": {s: True for s in profile.signs},
        "count": {"signs": sign_counts,
                  "trends": {"rising": trends.count("rising"),
                             "falling": trends.count("falling")}},
    }


def _evidence(rule: Rule, fact: Mapping[str, Any], table: DiagnosisTable) -> dict[str, Any]:
    """The values a rule looked at; a feature brings the indicators it is made of."""
    evidence: dict[str, Any] = {}
    indicators = fact["ind"]
    for key, path, behind in table.evidence_paths[rule.id]:
        value = lookup(fact, path)
        if value is None:
            continue
        evidence[key] = value
        for ind in behind:
            if ind in indicators:
                evidence[ind] = indicators[ind]
    return evidence


def _transition_signs(scenario: str, fired: list[Rule], fact: Mapping[str, Any],
                      table: DiagnosisTable) -> tuple[TransitionSign, ...]:
    catalog = load_catalog()
    edges = table.transitions[scenario]
    here = catalog.scenario(scenario).name
    signs: dict[tuple[str, str], TransitionSign] = {}
    for rule in fired:
        if rule.effect == "transition":
            direction = "better" if rule.data["direction"] == "rising" else "worse"
            targets = edges[direction]
            if not targets:
                continue
            towards = targets[0]
            indicator = rule.data["indicator"]
            name = catalog.scenario(towards).name
            reason = f"{rule.reason} From {here} this points towards {name}."
        elif rule.effect == "evidence" and "sign" in rule.data and rule.subject != scenario:
            towards = rule.subject
            if towards not in edges["better"] + edges["worse"]:
                continue
            indicator = catalog.sign(rule.data["sign"]).indicator
            reason = (f"{rule.reason} Seen in a PMO diagnosed {here}, it points towards "
                      f"{catalog.scenario(towards).name}.")
        else:
            continue
        signs.setdefault((towards, indicator), TransitionSign(
            towards=towards, indicator=indicator, reason=reason, rule=rule.id,
            evidence=_evidence(rule, fact, table)))
    return tuple(signs.values())


def _ranking(fired: list[Rule], table: DiagnosisTable) -> tuple[tuple[str, float], ...]:
    """Every scenario with its score, best first: the points of its evidence rules, smoothed,
    over the scenarios no rule excluded."""
    scenarios = load_catalog().ids("scenarios")
    excluded = {r.subject for r in fired if r.effect == "exclude"}
    points = dict.fromkeys(scenarios, 0.0)
    for rule in fired:
        if rule.effect == "evidence":
            points[rule.subject] += rule.weight
    open_scenarios = [s for s in scenarios if s not in excluded]
    total = sum(points[s] for s in open_scenarios)
    if total <= 0:
        raise InputError(
            "not enough evidence to diagnose: assess some indicators, give pmo.age_months "
            "or list the signs you see", "indicators")

    alpha = table.smoothing
    denominator = total + alpha * len(open_scenarios)
    raw = {s: ((points[s] + alpha) / denominator if s in open_scenarios else 0.0)
           for s in scenarios}
    order = sorted(scenarios, key=lambda s: (-raw[s], -points[s], scenarios.index(s)))
    return tuple((s, round(raw[s], 3)) for s in order)


def _fired(profile: Profile, table: DiagnosisTable) -> tuple[dict[str, Any], list[Rule]]:
    table.ensure_registered()
    fact = build_fact(profile, table)
    return fact, [table.by_id[rule_id] for rule_id in get_gateway().evaluate(table.name, fact)]


def diagnose_ranking(profile: Profile) -> tuple[tuple[str, float], ...]:
    """Only the ranking :func:`diagnose` gives (the diagnosed scenario first): what the
    simulation's executive reviews use. They run a dozen diagnoses per replication and read
    nothing else, so this skips the evidence, the transition signs and the explanation objects."""
    table = load_diagnosis_table()
    return _ranking(_fired(profile, table)[1], table)


def diagnose(profile: Profile) -> Diagnosis:
    """Run the diagnosis rules on one profile (through the serialized engine gateway)."""
    table = load_diagnosis_table()
    fact, fired = _fired(profile, table)
    ranking = _ranking(fired, table)
    winner = ranking[0][0]

    fired_rules = tuple(
        FiredRule(id=r.id, scenario=r.subject, effect=r.effect, weight=r.weight,
                  reason=r.reason, source=r.source, evidence=_evidence(r, fact, table))
        for r in fired if r.effect in ("evidence", "exclude"))
    return Diagnosis(
        scenario=winner,
        confidence=ranking[0][1],
        ranking=ranking,
        fired_rules=fired_rules,
        transition_signs=_transition_signs(winner, fired, fact, table),
        missing_indicators=tuple(profile.missing_indicators()),
        ruleset_version=table.version,
    )
