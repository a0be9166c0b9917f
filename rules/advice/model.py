"""What the advice says, as frozen values; `api/schemas/advice.py` states their JSON (CLI and API).

Every recommendation carries ``because``: the rules that decided it, each with its reason, its
source (a guide page, or ``model`` for our own assumption) and the evidence it looked at -- the
same explanation the diagnosis gives.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rules.diagnosis import Diagnosis

__all__ = ["Because", "ScenarioStrategy", "ServedOutcome", "ServiceAdvice", "ApproachAdvice",
           "GroupMaturity", "CompetencyAdvice", "FlywheelFocus", "AdviceWarning", "PlanChange",
           "Wave", "StructureAdvice", "Plan", "Advice"]


@dataclass(frozen=True, slots=True)
class Because:
    """One fired rule, as it explains a recommendation."""

    id: str
    then: Mapping[str, Any]
    reason: str
    source: str
    evidence: Mapping[str, Any]




@dataclass(frozen=True, slots=True)
class ScenarioStrategy:
    strategy: str
    source: str



@dataclass(frozen=True, slots=True)
class ServedOutcome:
    """A customer's ranked outcome that a service produces (Appendix X2)."""

    customer: str
    outcome: int
    name: str
    rank: int



@dataclass(frozen=True, slots=True)
class ServiceAdvice:
    rank: int
    id: str
    number: int
    name: str
    level: str
    priority: float
    serves: tuple[ServedOutcome, ...]
    action: str
    timing: str
    current_maturity: int | None
    recommended_maturity: int | None
    because: tuple[Because, ...]



@dataclass(frozen=True, slots=True)
class ApproachAdvice:
    """The approach for one service and one customer, among those the service allows."""

    service: str
    customer: str
    approach: str
    score: float
    scores: Mapping[str, float]
    because: tuple[Because, ...]

    @property
    def allowed(self) -> tuple[str, ...]:
        """The approaches the service allows for this customer (those scored)."""
        return tuple(self.scores)



@dataclass(frozen=True, slots=True)
class GroupMaturity:
    """The guide's maturity percentage of one service level (p.276), now and as recommended."""

    level: str
    current: float | None
    recommended: float | None
    services_current: int
    services_recommended: int



@dataclass(frozen=True, slots=True)
class CompetencyAdvice:
    id: str
    number: int
    name: str
    required: int
    current: float | None
    gap: float | None
    status: str
    needed_by: tuple[str, ...]
    blocks: tuple[str, ...]
    because: tuple[Because, ...]



@dataclass(frozen=True, slots=True)
class FlywheelFocus:
    step: str
    number: int
    name: str
    stage: str
    score: float
    because: tuple[Because, ...]



@dataclass(frozen=True, slots=True)
class AdviceWarning:
    """Something in the assessment that does not add up, and what it is about."""

    id: str
    severity: str
    about: Mapping[str, Any]
    reason: str
    source: str
    evidence: Mapping[str, Any]



@dataclass(frozen=True, slots=True)
class PlanChange:
    """One step of one service in the plan: at most one maturity level (a retirement stops it).

    ``None`` as a maturity means "not run"; the simulation reads these steps as its strategy."""

    service: str
    action: str
    from_maturity: int | None
    to_maturity: int | None
    reason: str



@dataclass(frozen=True, slots=True)
class Wave:
    """One wave of the plan (now, next, later) and the capacity that bounds it."""

    wave: str
    capacity: int
    capacity_rule: str
    changes: tuple[PlanChange, ...]



@dataclass(frozen=True, slots=True)
class StructureAdvice:
    """A recommendation about the PMO itself (Table 4-1): mandate, governance, structure..."""

    id: str
    recommendation: str
    wave: str
    rule: str
    reason: str
    source: str
    evidence: Mapping[str, Any]



@dataclass(frozen=True, slots=True)
class Plan:
    """The services' changes in waves bounded by capacity, what did not fit, and the structure."""

    waves: tuple[Wave, ...]
    deferred: tuple[PlanChange, ...]
    structure: tuple[StructureAdvice, ...]



@dataclass(frozen=True)
class Advice:
    """Everything ``recommend`` concludes about one profile."""

    name: str | None
    diagnosis: Diagnosis
    scenario_strategies: tuple[ScenarioStrategy, ...]
    services: tuple[ServiceAdvice, ...]
    approaches: tuple[ApproachAdvice, ...]
    maturity: tuple[GroupMaturity, ...]
    competencies: tuple[CompetencyAdvice, ...]
    flywheel_focus: tuple[FlywheelFocus, ...]
    warnings: tuple[AdviceWarning, ...]
    ruleset_version: str
    plan: Plan = Plan((), (), ())

    @property
    def scenario(self) -> str:
        return self.diagnosis.scenario

    def service(self, service_id: str) -> ServiceAdvice:
        return next(s for s in self.services if s.id == service_id)

    @property
    def maturity_by_level(self) -> dict[str, GroupMaturity]:
        """The maturity percentages keyed by service level, as the answer shows them."""
        return {group.level: group for group in self.maturity}

    def approach_for(self, service_id: str, customer_id: str) -> ApproachAdvice:
        return next(a for a in self.approaches
                    if a.service == service_id and a.customer == customer_id)

