"""From one profile to the whole advice: the diagnosis, then three engine sessions.

1. demand -- each service's priority and target maturity, and every approach candidate;
2. plan -- each service's action and timing, given its target and what the PMO runs today;
3. review -- the team's competency gaps, the flywheel focus, the warnings, and the plan: the
   capacity per wave, the structural recommendations and how each service change is staged.
Each session asserts all the facts of its step at once; each step needs the previous one's
conclusions, which the engine's actions here only record, never feed back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, cast

from advisor.assessment import Profile
from advisor.catalog import load_catalog
from rules.advice.approaches import Candidate, candidates, choose
from rules.advice.batch import Batch, Fired
from rules.advice.competencies import (
    competency_needs,
    competency_values,
    rank_competencies,
    resolve_competency,
)
from rules.advice.demand import Assessment, Demand, service_demand
from rules.advice.explain import warnings_of
from rules.advice.maturity import group_maturity
from rules.advice.model import (
    Advice,
    AdviceWarning,
    ApproachAdvice,
    Because,
    CompetencyAdvice,
    FlywheelFocus,
    Plan,
    ScenarioStrategy,
    ServiceAdvice,
)
from rules.advice.review import focus, outcome_values, pmo_values, ranked_outcomes
from rules.advice.services import (
    ServiceNeed,
    ServicePlan,
    demand_values,
    plan_values,
    rank_services,
    resolve_need,
    resolve_plan,
)
from rules.advice.table import SEVERITIES, AdviceTable, load_advice_table
from rules.advice.waves import CHANGING, build_plan, change_values, held_back
from rules.diagnosis import diagnose

__all__ = ["recommend"]

#: Where Table 4-1 (the strategies per scenario) stands in the guide.
STRATEGY_TABLE_PAGE = "42-43"


@dataclass(frozen=True)
class _Demand:
    """Step 1's results."""

    demands: Mapping[str, Demand]
    values: Mapping[str, Mapping[str, Any]]  # per service: the values its facts carry
    needs: Mapping[str, ServiceNeed]
    pairs: Mapping[tuple[str, str], list[Candidate]]  # (service, customer) -> candidates
    approaches: Mapping[tuple[Any, ...], Fired]  # candidate signature -> what fired on it


@dataclass(frozen=True)
class _Review:
    """Step 3's results."""

    competencies: tuple[CompetencyAdvice, ...]
    focus: tuple[FlywheelFocus, ...]
    warnings: list[AdviceWarning]
    plan: Plan
    held_back: Mapping[str, tuple[str, Because]]  # service -> (timing, rule) the waves impose


def _demand_step(table: AdviceTable, assessment: Assessment) -> _Demand:
    scoring = table.config["scoring"]
    demands = service_demand(assessment.customers, assessment.offered, scoring["rank_decay"],
                             scoring["top_rank"], table.config.get("levels_served"))
    values = {sid: demand_values(assessment, d, scoring["not_ranked"])
              for sid, d in demands.items()}
    batch = Batch(table)
    for sid, service_values in values.items():
        batch.add("service_demand", sid, service_values)
    pairs: dict[tuple[str, str], list[Candidate]] = defaultdict(list)
    for candidate in candidates(assessment, list(demands.values())):
        pairs[(candidate.service, candidate.customer)].append(candidate)
        batch.add("approach", candidate.signature, candidate.values)
    fired = batch.fire()
    return _Demand(
        demands=demands, values=values,
        needs={sid: resolve_need(table, d, *fired[("service_demand", sid)])
               for sid, d in demands.items()},
        pairs=pairs,
        approaches={cast(tuple[Any, ...], key): result
                    for (kind, key), result in fired.items() if kind == "approach"})


def _plan_step(table: AdviceTable, assessment: Assessment, step: _Demand) -> list[ServicePlan]:
    batch = Batch(table)
    for sid, need in step.needs.items():
        batch.add("service_plan", sid, plan_values(assessment, need, step.values[sid],
                                                   table.config["compliance_services"]))
    fired = batch.fire()
    plans = [resolve_plan(table, need, assessment.offered.get(sid), *fired[("service_plan", sid)])
             for sid, need in step.needs.items()]
    return [plan for plan in plans if plan is not None]


def _review_step(table: AdviceTable, assessment: Assessment,
                 plans: list[ServicePlan]) -> _Review:
    top_rank = table.config["scoring"]["top_rank"]
    needs = competency_needs(assessment, plans, top_rank)
    outcomes = ranked_outcomes(assessment, table.config.get("levels_served"))
    batch = Batch(table)
    for need in needs:
        batch.add("competency", need.id, competency_values(assessment, need))
    for outcome in outcomes:
        batch.add("outcome", outcome.number, outcome_values(assessment, outcome))
    batch.add("pmo", "pmo", pmo_values(assessment, plans, outcomes, needs, top_rank))
    for plan in plans:
        if plan.action in CHANGING:
            batch.add("change", plan.id, change_values(assessment, plan))
    fired = batch.fire()
    changes = {str(key): result for (kind, key), result in fired.items() if kind == "change"}
    pmo_rules, pmo_fact = fired[("pmo", "pmo")]
    warnings = warnings_of(table, pmo_rules, pmo_fact, {})
    for outcome in outcomes:
        warnings += warnings_of(table, *fired[("outcome", outcome.number)],
                                {"outcome": outcome.number, "customers": list(outcome.customers)})
    return _Review(
        competencies=rank_competencies([resolve_competency(table, need,
                                                           *fired[("competency", need.id)])
                                        for need in needs]),
        focus=focus(table, pmo_rules, pmo_fact), warnings=warnings,
        plan=build_plan(table, plans, (pmo_rules, pmo_fact), changes),
        held_back=held_back(table, plans, changes))


def _approaches(table: AdviceTable, step: _Demand,
                services: tuple[ServiceAdvice, ...]) -> tuple[ApproachAdvice, ...]:
    """One approach per (service, customer it serves), in service rank order; none for a
    service to retire."""
    return tuple(choose(table, step.pairs[(service.id, customer.id)], step.approaches)
                 for service in services if service.action != "retire"
                 for customer in step.demands[service.id].customers)


def _strategies(scenario_id: str) -> tuple[ScenarioStrategy, ...]:
    scenario = load_catalog().scenario(scenario_id)
    source = f"Guide p.{scenario.page}, Table 4-1 p.{STRATEGY_TABLE_PAGE}"
    return tuple(ScenarioStrategy(text, source) for text in scenario.strategies)


def recommend(profile: Profile) -> Advice:
    """Recommend services, approaches, competencies and flywheel focus for one profile."""
    table = load_advice_table()
    assessment = Assessment.read(profile, diagnose(profile))
    demand = _demand_step(table, assessment)
    plans = _plan_step(table, assessment, demand)
    review = _review_step(table, assessment, plans)
    services = tuple(
        replace(s, timing=review.held_back[s.id][0],
                because=(*(b for b in s.because if "timing" not in b.then),
                         review.held_back[s.id][1]))
        if s.id in review.held_back else s for s in rank_services(plans))
    warnings = review.warnings + [w for s in services for p in plans if p.id == s.id
                                  for w in p.warnings]
    return Advice(
        name=profile.name,
        diagnosis=assessment.diagnosis,
        scenario_strategies=_strategies(assessment.scenario),
        services=services,
        approaches=_approaches(table, demand, services),
        maturity=group_maturity(assessment.offered, {s.id: s.recommended_maturity
                                                     for s in services if s.recommended_maturity}),
        competencies=review.competencies,
        flywheel_focus=review.focus,
        warnings=tuple(sorted(warnings, key=lambda w: SEVERITIES.index(w.severity))),
        ruleset_version=table.version,
        plan=review.plan,
    )
