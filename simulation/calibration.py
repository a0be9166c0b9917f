"""Calibration check: how often a PMO without a deliberate strategy is restructured or closed.

Published range (docs/model.md, "Calibration"; reference section 8.1): PMOs change significantly
every 2-3 years (Hobbs & Aubry 2010), their life expectancy before being changed or removed is
about two years (Aubry et al. 2010; Rittenhouse 2014), 54% of PMOs are two years old or younger
(Hobbs 2007). Run ``python -m simulation.calibration [runs]``; the defaults of
:mod:`simulation.parameters` were chosen with it, and ``tests/test_simulation_calibration.py``
keeps them inside the range.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulation.experiments import run_specs
from simulation.model import Replication
from simulation.spec import make_spec

__all__ = ["CalibrationResult", "calibrate", "BASELINE_STRATEGY", "CALIBRATION_PROFILES",
           "TARGET_MONTHS_BETWEEN_CHANGES", "TARGET_MEDIAN_FIRST_CHANGE"]

BASELINE_STRATEGY = "minimal"
CALIBRATION_PROFILES = ("kickoff-fintech", "kickoff-hospital")
HORIZON = 120                            # months simulated per run (ten years)
TARGET_MONTHS_BETWEEN_CHANGES = (24.0, 36.0)   # Hobbs & Aubry 2010: every 2-3 years
TARGET_MEDIAN_FIRST_CHANGE = (18.0, 36.0)      # about two years (Aubry et al. 2010)


@dataclass(frozen=True)
class CalibrationResult:
    runs: int
    seed: int
    months_between_changes: float        # PMO-months per major change, pooled over runs
    median_first_change: float           # months from launch to the first major change
    p_changed_by_24: float
    p_changed_by_36: float
    p_shutdown_by_36: float
    months_with_a_pmo: float             # share of simulated months in which a PMO exists
    restructures_per_change: float       # shares of the major changes by cause
    shutdowns_per_change: float
    shocks_per_change: float

    def within_targets(self) -> bool:
        low, high = TARGET_MONTHS_BETWEEN_CHANGES
        first_low, first_high = TARGET_MEDIAN_FIRST_CHANGE
        return (low <= self.months_between_changes <= high
                and first_low <= self.median_first_change <= first_high)

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _measure(reps: Sequence[Replication]) -> dict[str, Any]:
    changes = sum(len(r.major_changes) for r in reps)
    pmo_months = sum(int(r.exists[1:].sum()) for r in reps)
    restructures = sum(r.restructures for r in reps)
    shutdowns = sum(len(r.shutdowns) for r in reps)
    first = np.array([r.major_changes[0] if r.major_changes else np.inf for r in reps])
    return {
        "changes": changes, "pmo_months": pmo_months, "restructures": restructures,
        "shutdowns": shutdowns,
        "first": first,
        "shut36": [bool(r.shutdowns and r.shutdowns[0] <= 36) for r in reps],
        "months": sum(len(r.exists) - 1 for r in reps),
    }


def calibrate(runs: int = 200, seed: int = 2025, workers: int | None = None,
              parameters: Any = None) -> CalibrationResult:
    """Run the baseline strategy from each calibration profile and pool the measures."""
    specs = [make_spec(p, BASELINE_STRATEGY, months=HORIZON, runs=runs, seed=seed,
                       parameters=parameters) for p in CALIBRATION_PROFILES]
    measures = [_measure(r.replications) for r in run_specs(specs, workers)]
    changes = sum(m["changes"] for m in measures)
    first = np.concatenate([m["first"] for m in measures])
    restructures = sum(m["restructures"] for m in measures)
    shutdowns = sum(m["shutdowns"] for m in measures)
    per_change = (lambda n: round(n / changes, 3)) if changes else (lambda n: 0.0)
    return CalibrationResult(
        runs=runs * len(specs), seed=seed,
        months_between_changes=round(sum(m["pmo_months"] for m in measures) / max(changes, 1),
                                     1),
        median_first_change=float(np.median(first)),
        p_changed_by_24=round(float(np.mean(first <= 24)), 3),
        p_changed_by_36=round(float(np.mean(first <= 36)), 3),
        p_shutdown_by_36=round(float(np.mean([s for m in measures for s in m["shut36"]])), 3),
        months_with_a_pmo=round(sum(m["pmo_months"] for m in measures)
                                / sum(m["months"] for m in measures), 3),
        restructures_per_change=per_change(restructures),
        shutdowns_per_change=per_change(shutdowns),
        shocks_per_change=per_change(changes - restructures - shutdowns),
    )


def main(argv: Sequence[str] = ()) -> int:
    runs = int(argv[0]) if argv else 200
    result = calibrate(runs)
    print(f"baseline strategy {BASELINE_STRATEGY!r} from {', '.join(CALIBRATION_PROFILES)}, "
          f"{result.runs} runs x {HORIZON} months, seed {result.seed}")
    for key, value in result.to_dict().items():
        if key not in ("runs", "seed"):
            print(f"  {key:<26} {value}")
    low, high = TARGET_MONTHS_BETWEEN_CHANGES
    print(f"target: {low:g}-{high:g} months between major changes, median first change "
          f"{TARGET_MEDIAN_FIRST_CHANGE[0]:g}-{TARGET_MEDIAN_FIRST_CHANGE[1]:g} months: "
          + ("within" if result.within_targets() else "OUTSIDE"))
    return 0 if result.within_targets() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
