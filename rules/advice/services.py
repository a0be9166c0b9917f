"""Which services to run, at what maturity, and what to do with each (advice parts 1 and 3).

Part 1 (``advice_demand.yaml``) turns each service's demand into a priority and a target
maturity: the right level for the need, not the highest (Guide p.83-84). Part 2
(``advice_plan.yaml``) compares the target with what the PMO runs today and decides the action
and its timing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from advisor.catalog import load_catalog
from rules.advice.demand import Assessment, Demand
from rules.advice.explain import (
    because,
    conclusions,
    first_by_priority,
    strongest,
    total,
    warnings_of,
)
from rules.advice.model import AdviceWarning, Because, ServedOutcome, ServiceAdvice
from rules.advice.table import CURRENT, TIMINGS, UNSTATED, AdviceTable
from rules.table import Rule

__all__ = ["ServiceNeed", "ServicePlan", "demand_values", "organization_values", "resolve_need",
           "plan_values", "resolve_plan", "rank_services"]

TIMING_CAUTION = tuple(reversed(TIMINGS))  # the most deferring timing wins


@dataclass(frozen=True)
class ServiceNeed:
    """Part 1's conclusion for one service."""

    demand: Demand
    priority: float
    emphasized: bool
    target: int  # 0: not needed
    because: tuple[Because, ...]

    @property
    def needed(self) -> bool:
        return self.target > 0

    def is_core(self, top_rank: int) -> bool:
        """Serves a customer's top outcome or the scenario's strategy."""
        best = self.demand.best_rank
        return self.emphasized or (best is not None and best <= top_rank)


@dataclass(frozen=True)
class ServicePlan:
    """Part 2's conclusion for one service: the need, the action, the timing, the aim."""

    need: ServiceNeed
    current: int | None
    action: str
    timing: str
    recommended: int | None
    because: tuple[Because, ...]
    warnings: tuple[AdviceWarning, ...]

    @property
    def id(self) -> str:
        return self.need.demand.service.id

    @property
    def runs(self) -> bool:
        """The PMO should run this service now or next (not cut, not deferred)."""
        return self.action in ("introduce", "strengthen", "keep") and self.timing != "later"


def demand_values(assessment: Assessment, demand: Demand, not_ranked: int) -> dict[str, Any]:
    service = demand.service
    maturities = [c.maturity for c in demand.customers]
    return {
        "scenario": assessment.scenario,
        "pmo_exists": assessment.profile.pmo.exists,
        "service": service.id,
        "level": service.level,
        "offered": service.id in assessment.offered,
        "maturity": assessment.offered.get(service.id, 0),
        "best_rank": demand.best_rank or not_ranked,
        "customers_served": len(demand.customers),
        "top_customers": demand.top_customers,
        "covers_top_outcome": demand.covers_top_outcome,
        "served_max_maturity": max(maturities, default=0.0),
        "served_min_maturity": min(maturities, default=0.0),
        "customers_listed": len(assessment.customers),
        "trend": dict(assessment.profile.trends),
        **organization_values(assessment),
    }


def organization_values(assessment: Assessment) -> dict[str, Any]:
    """The baseline elements the rules read; an unstated one reads as not regulated/unstated."""
    organization = assessment.organization
    return {"regulated": bool(organization.regulated),
            "scope": organization.scope or UNSTATED}


def resolve_need(table: AdviceTable, demand: Demand, fired: list[Rule],
                 fact: Mapping[str, Any]) -> ServiceNeed:
    """Priority = the customers' demand plus the scenario's emphasis. Target = the highest target
    that fired, held down by the lowest cap; a scenario's limit then stops raises above it
    without cutting what already runs higher."""
    emphasis = conclusions(fired, "emphasis")
    targets = [r for r in fired if "target" in r.data["then"]]
    floor = max((r.data["then"]["target"] for r in targets), default=0)
    needed = demand.score > 0 or bool(emphasis)
    deciding = [r for r in targets if r.data["then"]["target"] == floor and r not in emphasis]
    target = floor
    for effect, keep_current in (("cap", False), ("raise_at_most", True)):
        limit = min(conclusions(fired, effect), key=lambda r: r.data["then"][effect], default=None)
        if limit is None:
            continue
        level = limit.data["then"][effect]
        bound = max(level, fact["maturity"]) if keep_current else level
        if bound < target:
            target = bound
            deciding.append(limit)
    if not needed:
        target, deciding = 0, []
    return ServiceNeed(demand=demand, priority=round(demand.score + total(emphasis), 3),
                       emphasized=bool(emphasis), target=target,
                       because=tuple(because(table, r, fact) for r in emphasis + deciding))


def plan_values(assessment: Assessment, need: ServiceNeed, demand: Mapping[str, Any],
                compliance_services: Sequence[str] = ()) -> dict[str, Any]:
    """Part 1's values plus what it concluded."""
    values = dict(demand)
    values.update(needed=need.needed, emphasized=need.emphasized, target=need.target,
                  gap=need.target - values["maturity"], priority=need.priority,
                  services_assessed=assessment.services_assessed,
                  compliance_service=need.demand.service.id in compliance_services)
    return values


def resolve_plan(table: AdviceTable, need: ServiceNeed, current: int | None, fired: list[Rule],
                 fact: Mapping[str, Any]) -> ServicePlan | None:
    """The winning action (None: nothing to do with this service) and the most cautious timing."""
    action = first_by_priority(conclusions(fired, "action"))
    if action is None:
        return None
    timing = strongest(conclusions(fired, "timing"), TIMING_CAUTION)
    aim = action.data["then"].get("target", need.target)
    if aim == CURRENT:
        aim = current or 0
    warnings = warnings_of(table, fired, fact, {"service": need.demand.service.id})
    explained = [because(table, action, fact), *need.because]
    if timing is not None:
        explained.append(because(table, timing, fact))
    return ServicePlan(need=need, current=current, action=action.subject,
                       timing=timing.subject if timing else "now", recommended=aim or None,
                       because=tuple(explained), warnings=tuple(warnings))


def rank_services(plans: list[ServicePlan]) -> tuple[ServiceAdvice, ...]:
    """Highest priority first; ties in catalog order."""
    catalog = load_catalog()
    ordered = sorted(plans, key=lambda p: (-p.need.priority, p.need.demand.service.number))
    advice = []
    for rank, plan in enumerate(ordered, start=1):
        service = plan.need.demand.service
        advice.append(ServiceAdvice(
            rank=rank, id=service.id, number=service.number, name=service.name,
            level=service.level, priority=plan.need.priority,
            serves=tuple(ServedOutcome(s.customer, s.outcome, catalog.outcome(s.outcome).name,
                                       s.rank) for s in plan.need.demand.serves),
            action=plan.action, timing=plan.timing, current_maturity=plan.current,
            recommended_maturity=plan.recommended, because=plan.because))
    return tuple(advice)
