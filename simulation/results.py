"""What an experiment reports: monthly percentiles and scenario shares, and a summary.

``to_dict()`` is the JSON contract (the CLI's ``--json`` and the HTTP API): plain lists, dicts,
floats rounded to 4 decimals (shares are exact fractions of the runs), keys in a fixed order,
``null`` where a median does not exist within the horizon.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rules.diagnosis_table import load_diagnosis_table
from simulation.dynamics import load_dynamics
from simulation.model import SCENARIOS, SERIES, Replication
from simulation.shocks import load_shocks
from simulation.spec import ExperimentSpec

__all__ = ["ExperimentResult", "ComparisonResult", "summarize", "parameters_dict",
           "MODEL_VERSION", "SUMMARY_KEYS", "PERCENTILES"]

MODEL_VERSION = "flywheel-1"
PERCENTILES = (10, 50, 90)
#: Summary fields in report order (docs/model.md, "Results", defines each).
SUMMARY_KEYS = ("p_collapse_by_horizon", "p_thriving_at_horizon",
                "median_months_to_first_thriving", "mean_months_in_crisis", "p_thriving_ever",
                "p_crisis_ever", "p_recovered", "p_shutdown_by_horizon", "mean_major_changes",
                "median_months_to_first_major_change")

_INDEX = {s: i for i, s in enumerate(SCENARIOS)}


def _r(value: float) -> float:
    return round(float(value), 4)


def _median_months(first: np.ndarray) -> float | None:
    """Median over runs of a first-occurrence month, never = beyond the horizon (None)."""
    value = float(np.median(first))
    return None if not np.isfinite(value) else round(value, 1)


def _first(mask: np.ndarray) -> np.ndarray:
    """Per run, the first month where ``mask`` holds, or infinity."""
    found = mask.any(axis=1)
    return np.where(found, mask.argmax(axis=1), np.inf)


def summarize(reps: Sequence[Replication]) -> dict[str, Any]:
    scen = np.stack([r.scenarios for r in reps])            # (runs, months + 1)
    after = scen[:, 1:]
    runs = len(reps)
    thriving, crisis, collapse = _INDEX["thriving"], _INDEX["crisis"], _INDEX["collapse"]
    major_first = np.array([r.major_changes[0] if r.major_changes else np.inf for r in reps])
    return {
        "p_collapse_by_horizon": _r((scen == collapse).any(axis=1).mean()),
        "p_thriving_at_horizon": _r((scen[:, -1] == thriving).mean()),
        "median_months_to_first_thriving": _median_months(_first(scen == thriving)),
        "mean_months_in_crisis": _r((after == crisis).sum(axis=1).mean()),
        "p_thriving_ever": _r((after == thriving).any(axis=1).mean()),
        "p_crisis_ever": _r((after == crisis).any(axis=1).mean()),
        "p_recovered": _r(((after == _INDEX["growing"]) | (after == thriving))
                          .any(axis=1).mean()),
        "p_shutdown_by_horizon": _r(sum(1 for r in reps if r.shutdowns) / runs),
        "mean_major_changes": _r(sum(len(r.major_changes) for r in reps) / runs),
        "median_months_to_first_major_change": _median_months(major_first),
    }


def _bands(values: np.ndarray) -> dict[str, list[float]]:
    """p10/p50/p90 per month of a (runs, months + 1) array."""
    pct = np.percentile(values, PERCENTILES, axis=0)
    return {f"p{p}": [_r(v) for v in row] for p, row in zip(PERCENTILES, pct)}


@dataclass(frozen=True)
class ExperimentResult:
    spec: ExperimentSpec
    replications: tuple[Replication, ...]
    initial_scenario: str

    @property
    def summary(self) -> dict[str, Any]:
        return summarize(self.replications)

    def scenario_shares(self) -> dict[str, list[float]]:
        scen = np.stack([r.scenarios for r in self.replications])
        runs = len(self.replications)
        return {s: [int(c) / runs for c in (scen == i).sum(axis=0)]
                for i, s in enumerate(SCENARIOS)}

    def series_bands(self) -> dict[str, dict[str, list[float]]]:
        data = np.stack([r.series for r in self.replications])   # (runs, months + 1, 13)
        return {name: _bands(data[:, :, column]) for column, name in enumerate(SERIES)}

    def to_dict(self) -> dict[str, Any]:
        spec = self.spec
        bands = self.series_bands()
        exists = np.stack([r.exists for r in self.replications]).sum(axis=0)
        return {
            "kind": "experiment",
            "model_version": MODEL_VERSION,
            "ruleset_version": load_diagnosis_table().version,
            **spec.to_dict(),
            "initial_scenario": self.initial_scenario,
            "parameters": parameters_dict(spec),
            "series": {
                "month": list(range(spec.months + 1)),
                "momentum": bands.pop("momentum"),
                "indicators": bands,
                "scenario_shares": self.scenario_shares(),
                "pmo_exists": [int(c) / len(self.replications) for c in exists],
            },
            "summary": self.summary,
        }


def parameters_dict(spec: ExperimentSpec) -> dict[str, Any]:
    """Every parameter the run used: scalars, the strategy, the shock catalog, the dynamics."""
    strategies = {spec.strategy.id: spec.strategy.to_dict()}
    if spec.relaunch_strategy is not None:
        strategies[spec.relaunch_strategy.id] = spec.relaunch_strategy.to_dict()
    return {
        **spec.parameters.to_dict(),
        "strategies": strategies,
        "shocks": {s.id: {"hazard_per_year": s.hazard_per_year, "major_change": s.major_change}
                   for s in load_shocks().values()},
        "dynamics": load_dynamics().to_dict(),
    }


@dataclass(frozen=True)
class ComparisonResult:
    """Several strategies from one profile, with common random numbers (one seed)."""

    results: tuple[ExperimentResult, ...]

    def table(self) -> list[dict[str, Any]]:
        rows = []
        for result in self.results:
            momentum = np.stack([r.series[-1, 0] for r in result.replications])
            rows.append({"strategy": result.spec.strategy.id, **result.summary,
                         "median_momentum_at_horizon": _r(np.median(momentum))})
        return rows

    def to_dict(self) -> dict[str, Any]:
        first = self.results[0].spec
        common = first.to_dict()
        common.pop("strategy")
        return {
            "kind": "comparison",
            "model_version": MODEL_VERSION,
            "ruleset_version": load_diagnosis_table().version,
            **common,
            "strategies": [r.spec.strategy.id for r in self.results],
            "table": self.table(),
            "experiments": [r.to_dict() for r in self.results],
        }
