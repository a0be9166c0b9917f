"""The team's competency gaps for the services it should run (``advice_competencies.yaml``).

The critical competencies of each service come from Appendix X4 (p.295-305). Running a service
at maturity L takes its critical competencies at about level L (our assumption A25), so a
competency is required at the highest target among the services that need it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from advisor.catalog import load_catalog
from rules.advice.demand import Assessment
from rules.advice.explain import because, conclusions, strongest
from rules.advice.model import CompetencyAdvice
from rules.advice.services import ServicePlan
from rules.advice.table import STATUSES, AdviceTable
from rules.table import Rule

__all__ = ["CompetencyNeed", "competency_needs", "competency_values", "resolve_competency",
           "rank_competencies"]


@dataclass(frozen=True)
class CompetencyNeed:
    id: str
    required: int
    current: float | None
    needed_by: tuple[str, ...]
    blocks: tuple[str, ...]
    blocks_core: int

    @property
    def gap(self) -> float | None:
        return None if self.current is None else round(self.required - self.current, 2)


def competency_needs(assessment: Assessment, plans: list[ServicePlan],
                     top_rank: int) -> list[CompetencyNeed]:
    """One need per critical competency of the services to run now or next, in catalog order."""
    running = [p for p in plans if p.runs and p.recommended]
    needs = []
    for competency in load_catalog().competencies:
        users = [p for p in running if competency.id in p.need.demand.service.critical_competencies]
        if not users:
            continue
        current = assessment.team.get(competency.id)
        blocked = [p for p in users if current is not None and current < (p.recommended or 0)]
        needs.append(CompetencyNeed(
            id=competency.id, required=max(p.recommended or 0 for p in users), current=current,
            needed_by=tuple(p.id for p in users), blocks=tuple(p.id for p in blocked),
            blocks_core=sum(1 for p in blocked if p.need.is_core(top_rank))))
    return needs


def competency_values(assessment: Assessment, need: CompetencyNeed) -> dict[str, Any]:
    return {
        "scenario": assessment.scenario,
        "competency": need.id,
        "assessed": need.current is not None,
        "required": need.required,
        "current": need.current or 0.0,
        "gap": need.gap or 0.0,
        "needed_by": len(need.needed_by),
        "blocks": len(need.blocks),
        "blocks_core": need.blocks_core,
    }


def resolve_competency(table: AdviceTable, need: CompetencyNeed, fired: list[Rule],
                       fact: Mapping[str, Any]) -> CompetencyAdvice:
    """The most severe status that fired."""
    competency = load_catalog().competency(need.id)
    status = strongest(conclusions(fired, "status"), STATUSES)
    if status is None:  # every combination is covered by a rule; a table edit broke that
        raise AssertionError(f"no status rule fired for competency {need.id}")
    return CompetencyAdvice(
        id=need.id, number=competency.number, name=competency.name, required=need.required,
        current=need.current, gap=need.gap, status=status.subject, needed_by=need.needed_by,
        blocks=need.blocks, because=(because(table, status, fact),))


def rank_competencies(items: list[CompetencyAdvice]) -> tuple[CompetencyAdvice, ...]:
    """Most severe first, then widest gap, then most services blocked."""
    return tuple(sorted(items, key=lambda c: (STATUSES.index(c.status),
                                              -(c.gap if c.gap is not None else -99),
                                              -len(c.blocks), c.number)))
