"""The organization around the PMO: how its indicators move from month to month.

Each indicator moves a share ``rate`` of the way towards a target set by its drivers (data in
``simulation/data/dynamics.yaml``), plus noise; executive support and resources move only at
executive reviews and through shocks (:mod:`simulation.reviews`). Trends given in the starting
profile go on for the first few months: a crisis has its own momentum.
"""

from __future__ import annotations

from collections.abc import Callable

import simpy

from simulation.dynamics import load_dynamics
from simulation.flywheel import every_month
from simulation.state import PmoState, indicator_ids, step_ids

__all__ = ["organization_process", "PHASE_ORGANIZATION"]

PHASE_ORGANIZATION = 0.3   # after the flywheel has turned and value was perceived


def _compiled() -> list[tuple[str, int, float, tuple[tuple[str, float], ...]]]:
    """(indicator, column of its noise, rate, drivers) for indicators that move monthly."""
    return [(d.id, indicator_ids().index(d.id), d.rate, d.drivers)
            for d in load_dynamics().indicators if not d.moved_by_review]


def _evolve(state: PmoState) -> Callable[[int], None]:
    moving = _compiled()
    drifts = {i: (1.0 if t == "rising" else -1.0)
              for i, t in state.input_trends.items() if t in ("rising", "falling")}

    def evolve(month: int) -> None:
        p = state.params
        x = state.x
        drivers = {i: (v - 1.0) / 4.0 for i, v in x.items()}
        drivers.update(zip(step_ids(), state.health))
        drivers["value"] = state.value_index()
        drivers["momentum"] = state.momentum
        drivers["approach_fit"] = state.approach_fit() if state.exists else 0.0
        noise = state.noise[month]
        for ind, column, rate, weights in moving:
            target = 1.0 + 4.0 * sum(w * drivers[d] for d, w in weights)
            state.shift(ind, rate * (target - x[ind]) + p.noise_sd * noise[column])
        if month <= p.initial_trend_months:
            for ind, sign in drifts.items():
                state.shift(ind, sign * p.initial_trend_drift)
        if state.exists:
            state.age += 1
            state.mandate_age += 1
            state.record_age += 1
        else:
            state.months_without_pmo += 1

    return evolve


def organization_process(env: simpy.Environment, state: PmoState) -> None:
    env.process(every_month(env, PHASE_ORGANIZATION, _evolve(state)))
