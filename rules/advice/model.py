"""What the advice says, as frozen values whose ``to_dict()`` is the JSON contract (CLI and API).

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

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "then": dict(self.then), "reason": self.reason,
                "source": self.source, "evidence": dict(self.evidence)}


def _all(items: tuple[Any, ...]) -> list[dict[str, Any]]:
    return [item.to_dict() for item in items]


@dataclass(frozen=True, slots=True)
class ScenarioStrategy:
    strategy: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {"strategy": self.strategy, "source": self.source}


@dataclass(frozen=True, slots=True)
class ServedOutcome:
    """A customer's ranked outcome that a service produces (Appendix X2)."""

    customer: str
    outcome: int
    name: str
    rank: int

    def to_dict(self) -> dict[str, Any]:
        return {"customer": self.customer, "outcome": self.outcome, "name": self.name,
                "rank": self.rank}


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

    def to_dict(self) -> dict[str, Any]:
        return {"rank": self.rank, "id": self.id, "number": self.number, "name": self.name,
                "level": self.level, "priority": self.priority, "serves": _all(self.serves),
                "action": self.action, "timing": self.timing,
                "current_maturity": self.current_maturity,
                "recommended_maturity": self.recommended_maturity,
                "because": _all(self.because)}


@dataclass(frozen=True, slots=True)
class ApproachAdvice:
    """The approach for one service and one customer, among those the service allows."""

    service: str
    customer: str
    approach: str
    score: float
    scores: Mapping[str, float]
    because: tuple[Because, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"service": self.service, "customer": self.customer, "approach": self.approach,
                "score": self.score, "allowed": list(self.scores), "scores": dict(self.scores),
                "because": _all(self.because)}


@dataclass(frozen=True, slots=True)
class GroupMaturity:
    """The guide's maturity percentage of one service level (p.276), now and as recommended."""

    level: str
    current: float | None
    recommended: float | None
    services_current: int
    services_recommended: int

    def to_dict(self) -> dict[str, Any]:
        return {"current": self.current, "recommended": self.recommended,
                "services_current": self.services_current,
                "services_recommended": self.services_recommended}


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

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "number": self.number, "name": self.name,
                "required": self.required, "current": self.current, "gap": self.gap,
                "status": self.status, "needed_by": list(self.needed_by),
                "blocks": list(self.blocks), "because": _all(self.because)}


@dataclass(frozen=True, slots=True)
class FlywheelFocus:
    step: str
    number: int
    name: str
    stage: str
    score: float
    because: tuple[Because, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.step, "number": self.number, "name": self.name,
                "stage": self.stage, "score": self.score, "because": _all(self.because)}


@dataclass(frozen=True, slots=True)
class AdviceWarning:
    """Something in the assessment that does not add up, and what it is about."""

    id: str
    severity: str
    about: Mapping[str, Any]
    reason: str
    source: str
    evidence: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "severity": self.severity, "about": dict(self.about),
                "reason": self.reason, "source": self.source, "evidence": dict(self.evidence)}


@dataclass(frozen=True, slots=True)
class PlanChange:
    """One step of one service in the plan: at most one maturity level (a retirement stops it).

    ``None`` as a maturity means "not run"; the simulation reads these steps as its strategy."""

    service: str
    action: str
    from_maturity: int | None
    to_maturity: int | None
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"service": self.service, "action": self.action,
                "from_maturity": self.from_maturity, "to_maturity": self.to_maturity,
                "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Wave:
    """One wave of the plan (now, next, later) and the capacity that bounds it."""

    wave: str
    capacity: int
    capacity_rule: str
    changes: tuple[PlanChange, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"wave": self.wave, "capacity": self.capacity, "capacity_rule": self.capacity_rule,
                "changes": _all(self.changes)}


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

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "recommendation": self.recommendation, "wave": self.wave,
                "rule": self.rule, "reason": self.reason, "source": self.source,
                "evidence": dict(self.evidence)}


@dataclass(frozen=True, slots=True)
class Plan:
    """The services' changes in waves bounded by capacity, what did not fit, and the structure."""

    waves: tuple[Wave, ...]
    deferred: tuple[PlanChange, ...]
    structure: tuple[StructureAdvice, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"waves": _all(self.waves), "deferred": _all(self.deferred),
                "structure": _all(self.structure)}


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

    def approach_for(self, service_id: str, customer_id: str) -> ApproachAdvice:
        return next(a for a in self.approaches
                    if a.service == service_id and a.customer == customer_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "scenario": self.scenario,
            "diagnosis": self.diagnosis.to_dict(),
            "scenario_strategies": _all(self.scenario_strategies),
            "services": _all(self.services),
            "approaches": _all(self.approaches),
            "maturity": {group.level: group.to_dict() for group in self.maturity},
            "competencies": _all(self.competencies),
            "flywheel_focus": _all(self.flywheel_focus),
            "warnings": _all(self.warnings),
            "plan": self.plan.to_dict(),
            "ruleset_version": self.ruleset_version,
        }
