"""The PMO as a whole: where to push the flywheel now, and what in the assessment does not add
up (``advice_pmo.yaml``, ``advice_outcomes.yaml``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from advisor.catalog import load_catalog
from rules.advice.competencies import CompetencyNeed
from rules.advice.demand import Assessment, LevelsServed, producers_for
from rules.advice.explain import because, conclusions
from rules.advice.maturity import percent
from rules.advice.model import FlywheelFocus
from rules.advice.services import ServicePlan, organization_values
from rules.advice.table import UNCHECKED, AdviceTable
from rules.diagnosis_table import load_diagnosis_table
from rules.table import Rule

__all__ = ["RankedOutcome", "ranked_outcomes", "outcome_values", "pmo_values", "focus"]


@dataclass(frozen=True)
class RankedOutcome:
    """An outcome some customer ranked, and whether the PMO's current services produce it."""

    number: int
    best_rank: int
    customers: tuple[str, ...]
    producers_offered: tuple[str, ...]
    without_producer: tuple[str, ...] = ()  # customers no service level of theirs can serve
    producers_possible: int = 0  # services that produce it at a level serving a ranking customer


def ranked_outcomes(assessment: Assessment,
                    levels_served: LevelsServed | None = None) -> list[RankedOutcome]:
    """Each ranked outcome; its producers count when they serve a customer ranking it at a level
    Table 7-1 ties to that customer's group (``levels_served``)."""
    ranks: dict[int, dict[str, int]] = {}
    eligible: dict[int, dict[str, list[str]]] = {}
    for customer in assessment.customers:
        for rank, number in enumerate(customer.outcomes, start=1):
            ranks.setdefault(number, {})[customer.id] = rank
            eligible.setdefault(number, {})[customer.id] = producers_for(
                customer, number, levels_served or {})
    outcomes = []
    for number, by_customer in sorted(ranks.items()):
        producers = {s for services in eligible[number].values() for s in services}
        outcomes.append(RankedOutcome(
            number=number, best_rank=min(by_customer.values()), customers=tuple(by_customer),
            producers_offered=tuple(s for s in load_catalog().outcome(number).services
                                    if s in producers and s in assessment.offered),
            without_producer=tuple(c for c, services in eligible[number].items()
                                   if not services),
            producers_possible=len(producers)))
    return outcomes


def outcome_values(assessment: Assessment, outcome: RankedOutcome) -> dict[str, Any]:
    return {"scenario": assessment.scenario, "pmo_exists": assessment.profile.pmo.exists,
            "outcome": outcome.number,
            "best_rank": outcome.best_rank, "customers_ranking": len(outcome.customers),
            "producers_offered": len(outcome.producers_offered),
            "customers_without_producer": len(outcome.without_producer),
            "producers_possible": outcome.producers_possible,
            "services_assessed": assessment.services_assessed}


def pmo_values(assessment: Assessment, plans: list[ServicePlan], outcomes: list[RankedOutcome],
               competencies: list[CompetencyNeed], top_rank: int) -> dict[str, Any]:
    profile = assessment.profile
    customers = assessment.customers
    indicators = dict(profile.indicators)
    features = {f.id: f.value(indicators) for f in load_diagnosis_table().features}
    values: dict[str, Any] = {
        "scenario": assessment.scenario,
        "confidence": assessment.diagnosis.confidence,
        "pmo_exists": profile.pmo.exists,
        "ind": indicators,
        "feat": {k: v for k, v in features.items() if v is not None},
        "sign": {s: s in profile.signs for s in load_catalog().ids("signs")},
        "customers_listed": len(customers),
        "customers_without_outcomes": sum(1 for c in customers if not c.outcomes),
        "services_assessed": assessment.services_assessed,
        "team_assessed": assessment.team_assessed,
        "services_offered": len(assessment.offered),
        "services_to_introduce": sum(1 for p in plans if p.action == "introduce" and p.runs),
        "services_to_strengthen": sum(1 for p in plans if p.action == "strengthen" and p.runs),
        "services_to_cut": sum(1 for p in plans if p.action in ("reduce", "retire")),
        "top_outcomes_unserved": sum(
            1 for o in outcomes if assessment.services_assessed and profile.pmo.exists
            and o.best_rank <= top_rank and not o.producers_offered),
        "competency_gaps": sum(1 for c in competencies if (c.gap or 0) > 0),
        "maturity_now": percent(list(assessment.offered.values())) or 0.0,
        "trend": dict(profile.trends),
        "resources_rated": "resources" in indicators,
        "reporting_line_stated": bool(assessment.organization.reporting_line),
        # every step, "unchecked" when the self-check did not rate it: durable-rules never
        # matches a missing key, and the indicator rules fire only on unchecked steps
        "self_check": {s: assessment.flywheel.get(s, UNCHECKED)
                       for s in load_catalog().ids("flywheel")},
        **organization_values(assessment),
    }
    if customers:
        mean = round(sum(c.maturity for c in customers) / len(customers), 2)
        values["customer_maturity_mean"] = mean
        if "pm_maturity" in indicators:
            values["customer_maturity_excess"] = round(mean - indicators["pm_maturity"], 2)
    return values


def focus(table: AdviceTable, fired: list[Rule],
          fact: Mapping[str, Any]) -> tuple[FlywheelFocus, ...]:
    """The two or three steps with the most weight; a third only when it has a fair share of the
    top weight (``focus`` in advice_pmo.yaml); ties go to the earlier step."""
    catalog = load_catalog()
    config = table.config["focus"]
    by_step: dict[str, list[Rule]] = {}
    for rule in conclusions(fired, "focus"):
        by_step.setdefault(rule.subject, []).append(rule)
    scores = {step: round(sum(r.weight for r in rules), 3) for step, rules in by_step.items()}
    order = sorted(scores, key=lambda s: (-scores[s], catalog.step(s).number))
    chosen = order[:config["at_least"]]
    for step in order[config["at_least"]:config["at_most"]]:
        if scores[step] >= config["third_share_of_top"] * scores[order[0]]:
            chosen.append(step)
    return tuple(
        FlywheelFocus(step=s, number=catalog.step(s).number, name=catalog.step(s).name,
                      stage=catalog.step(s).stage, score=scores[s],
                      because=tuple(because(table, r, fact) for r in by_step[s]))
        for s in chosen)

