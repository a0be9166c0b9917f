"""The model's data: step effort, initial step health, indicator dynamics and review feedback.

Loaded once from ``simulation/data`` into frozen objects and checked against the catalog, so a
typo in a driver or a step id fails at import in the tests, not silently in a run.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from advisor.catalog import load_catalog
from advisor.errors import CatalogError
from advisor.yaml_data import parse_yaml

__all__ = ["IndicatorDynamics", "ReviewFeedback", "Dynamics", "load_dynamics", "DRIVERS"]

#: Drivers an indicator may follow besides other indicators and step health (all 0-1).
DRIVERS = ("value", "momentum", "approach_fit")


@dataclass(frozen=True, slots=True)
class IndicatorDynamics:
    id: str
    rate: float                                  # 1/month (0 when moved by reviews only)
    drivers: tuple[tuple[str, float], ...]       # (driver, weight), weights sum to 1
    moved_by_review: bool
    source: str


@dataclass(frozen=True, slots=True)
class ReviewFeedback:
    scenario: str
    resources: float = 0.0                       # indicator points per review
    autonomy: float = 0.0                        # indicator points per review
    restructure_probability: float = 0.0         # per review
    shutdown_probability: float = 0.0            # per review
    source: str = ""


@dataclass(frozen=True)
class Dynamics:
    steps: tuple[str, ...]
    step_need: tuple[float, ...]                 # effort units per month, sums to 1
    step_questions: tuple[int, ...]
    initial_health: tuple[tuple[str, ...], ...]  # per step: indicators whose mean sets it
    indicators: tuple[IndicatorDynamics, ...]
    feedback: Mapping[str, ReviewFeedback]

    def to_dict(self) -> dict[str, Any]:
        """A record, not an answer: the answers carry it whole in ``parameters``."""
        return {
            "step_need": dict(zip(self.steps, self.step_need)),
            "indicators": {d.id: ({"moved_by": "review"} if d.moved_by_review else
                                  {"rate": d.rate, "drivers": dict(d.drivers)})
                           for d in self.indicators},
            "review_feedback": {s: {"resources": f.resources, "autonomy": f.autonomy,
                                    "restructure_probability": f.restructure_probability,
                                    "shutdown_probability": f.shutdown_probability}
                                for s, f in self.feedback.items()},
        }


def _read(name: str) -> Any:
    return parse_yaml(
        resources.files("simulation.data").joinpath(name).read_text(encoding="utf-8"))


def _check_weights(where: str, weights: Mapping[str, float], allowed: set[str]) -> None:
    unknown = sorted(set(weights) - allowed)
    if unknown:
        raise CatalogError(f"{where}: unknown driver(s) {unknown}")
    if abs(sum(weights.values()) - 1.0) > 1e-9 or min(weights.values()) < 0:
        raise CatalogError(f"{where}: weights must be >= 0 and sum to 1")


@functools.cache
def load_dynamics() -> Dynamics:
    catalog = load_catalog()
    steps = catalog.ids("flywheel")
    indicator_ids = catalog.ids("indicators")
    raw = _read("dynamics.yaml")

    questions = raw["step_need"]
    if list(questions) != list(steps):
        raise CatalogError("dynamics.yaml step_need: must list the ten flywheel steps in order")
    total = sum(questions.values())

    health = raw["initial_health"]
    if list(health) != list(steps) or not all(
            set(v) <= set(indicator_ids) and v for v in health.values()):
        raise CatalogError("dynamics.yaml initial_health: one non-empty indicator list per step")

    allowed = set(indicator_ids) | set(steps) | set(DRIVERS)
    indicators = []
    if list(raw["indicators"]) != list(indicator_ids):
        raise CatalogError("dynamics.yaml indicators: must list the twelve indicators in order")
    for ind, spec in raw["indicators"].items():
        by_review = spec.get("moved_by") == "review"
        drivers: dict[str, float] = {} if by_review else dict(spec["drivers"])
        if not by_review:
            _check_weights(f"dynamics.yaml indicators.{ind}", drivers, allowed - {ind})
            if not 0 < spec["rate"] <= 1:
                raise CatalogError(f"dynamics.yaml indicators.{ind}: rate must be in (0, 1]")
        indicators.append(IndicatorDynamics(
            id=ind, rate=0.0 if by_review else float(spec["rate"]),
            drivers=tuple((k, float(v)) for k, v in drivers.items()),
            moved_by_review=by_review, source=spec["source"]))

    feedback_raw = _read("reviews.yaml")["feedback"]
    if set(feedback_raw) != set(catalog.ids("scenarios")):
        raise CatalogError("reviews.yaml feedback: one entry per scenario")
    feedback = {s: ReviewFeedback(scenario=s, **spec) for s, spec in feedback_raw.items()}
    for f in feedback.values():
        if not (0 <= f.restructure_probability <= 1 and 0 <= f.shutdown_probability <= 1):
            raise CatalogError(f"reviews.yaml {f.scenario}: probabilities must be in 0-1")

    return Dynamics(
        steps=steps,
        step_need=tuple(questions[s] / total for s in steps),
        step_questions=tuple(questions[s] for s in steps),
        initial_health=tuple(tuple(health[s]) for s in steps),
        indicators=tuple(indicators),
        feedback=feedback,
    )
