"""The organization around the PMO: how its indicators move from month to month.

Each indicator moves a share ``rate`` of the way towards a target set by its drivers (data in
``simulation/data/dynamics.yaml``), plus noise; executive support and resources move at
executive reviews and through shocks (:mod:`simulation.reviews`), and resources also while a new
PMO's team is being staffed (its first ``expectation_grace_months``). Trends given in the starting
profile go on for the first few months: a crisis has its own momentum.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import simpy

from simulation.dynamics import load_dynamics
from simulation.flywheel import every_month
from simulation.state import PmoState, indicator_ids, step_ids

__all__ = ["organization_process", "PHASE_ORGANIZATION", "maturity_tolerance", "STANDING"]

PHASE_ORGANIZATION = 0.3   # after the flywheel has turned and value was perceived
#: How the organization regards the PMO: in a mature organization these erode more slowly.
STANDING = ("stakeholder_support", "influence")
TROUBLE = ("crisis", "decline", "collapse")


def maturity_tolerance(state: PmoState) -> float:
    """How forgiving the organization is: 1 up to PM maturity 3, plus ``maturity_tolerance``
    per point above. Executives and customers who know what project management delivers give
    the PMO more time when its results dip (PM Solutions 2010: 83% of PMOs, 94% of those in
    mature organizations, say their value goes largely unquestioned; docs/model.md). The
    benefit of the doubt ends once a review has found the PMO in trouble."""
    excess = state.x["pm_maturity"] - 3.0
    if excess <= 0.0 or state.scenario in TROUBLE:
        return 1.0
    return 1.0 + state.params.maturity_tolerance * excess


Plan = tuple[tuple[str, int, float, tuple[tuple[int, float], ...], bool], ...]


@functools.cache
def _compiled() -> tuple[tuple[str, ...], tuple[int, ...], Plan]:
    """What moves monthly, worked out once per process: (the indicators and the steps some
    indicator follows, then per moving indicator: its id, the column of its noise, its rate,
    its drivers as (index into the month's driver list, weight), whether it is a standing).

    Only the drivers some indicator follows are worked out each month, into a list the
    weights index: the same arithmetic in the same order, so runs stay bit-identical."""
    moving = [(d.id, indicator_ids().index(d.id), d.rate, d.drivers)
              for d in load_dynamics().indicators if not d.moved_by_review]
    needed = {d for _, _, _, weights in moving for d, _ in weights}
    indicators = tuple(i for i in indicator_ids() if i in needed)
    steps = tuple(k for k, s in enumerate(step_ids()) if s in needed)
    slots = {d: n for n, d in enumerate(
        (*indicators, *(step_ids()[k] for k in steps), "value", "momentum", "approach_fit"))}
    plan = tuple((ind, column, rate, tuple((slots[d], w) for d, w in weights), ind in STANDING)
                 for ind, column, rate, weights in moving)
    return indicators, steps, plan


def _evolve(state: PmoState) -> Callable[[int], None]:
    indicators, steps, plan = _compiled()
    drifts = {i: (1.0 if t == "rising" else -1.0)
              for i, t in state.input_trends.items() if t in ("rising", "falling")}

    def evolve(month: int) -> None:
        p = state.params
        x, health = state.x, state.health
        drivers = [(x[i] - 1.0) / 4.0 for i in indicators]
        drivers += [health[k] for k in steps]
        drivers += (state.value_index(), state.momentum,
                    state.approach_fit() if state.exists else 0.0)
        noise = state.noise[month]
        noise_sd = p.noise_sd
        tolerance = maturity_tolerance(state)
        for ind, column, rate, weights, standing in plan:
            total = 0.0
            for d, w in weights:
                total += w * drivers[d]
            target = 1.0 + 4.0 * total
            now = x[ind]
            if standing and target < now:
                rate /= tolerance
            value = now + (rate * (target - now) + noise_sd * noise[column])
            x[ind] = 1.0 if value < 1.0 else 5.0 if value > 5.0 else value   # state.shift
        if month <= p.initial_trend_months:
            for ind, sign in drifts.items():
                state.shift(ind, sign * p.initial_trend_drift)
        if state.exists and state.age < p.expectation_grace_months \
                and x["executive_support"] > x["resources"]:
            # the launch: executives' initial buy-in staffs the new team month by month
            state.shift("resources", p.launch_buildup * (x["executive_support"] - x["resources"]))
        if state.exists:
            state.age += 1
            state.mandate_age += 1
            state.record_age += 1
        else:
            state.months_without_pmo += 1

    return evolve


def organization_process(env: simpy.Environment, state: PmoState) -> None:
    env.process(every_month(env, PHASE_ORGANIZATION, _evolve(state)))
