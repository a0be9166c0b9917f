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
from typing import Any

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
Move = Callable[..., None]


@functools.cache
def _compiled() -> tuple[tuple[str, ...], tuple[int, ...], Move]:
    """What moves monthly, worked out once per process: the indicators and the steps some
    indicator follows, and one generated function moving every indicator that moves monthly
    (straight-line code: the drivers, then per indicator its weighted drivers, its target and
    its move, in the same arithmetic and order as a loop over the dynamics, so runs stay
    bit-identical; it runs every month of every replication)."""
    moving = [(d.id, indicator_ids().index(d.id), d.rate, d.drivers)
              for d in load_dynamics().indicators if not d.moved_by_review]
    needed = {d for _, _, _, weights in moving for d, _ in weights}
    indicators = tuple(i for i in indicator_ids() if i in needed)
    steps = tuple(k for k, s in enumerate(step_ids()) if s in needed)
    slots = {d: n for n, d in enumerate(
        (*indicators, *(step_ids()[k] for k in steps), "value", "momentum", "approach_fit"))}
    plan = tuple((ind, column, rate, tuple((slots[d], w) for d, w in weights), ind in STANDING)
                 for ind, column, rate, weights in moving)
    return indicators, steps, _mover(indicators, steps, plan)


def _mover(indicators: tuple[str, ...], steps: tuple[int, ...], plan: Plan) -> Move:
    """``move(x, health, value, momentum, approach_fit, noise, noise_sd, tolerance)``: each
    indicator a share ``rate`` of the way to the target its drivers set, plus noise, within
    1-5; a standing's rate divided by ``tolerance`` when it falls."""
    lines = ["def move(x, health, value, momentum, approach_fit, noise, noise_sd, tolerance):"]
    lines += [f"    d{n} = (x[{i!r}] - 1.0) / 4.0" for n, i in enumerate(indicators)]
    lines += [f"    d{len(indicators) + m} = health[{k}]" for m, k in enumerate(steps)]
    lines += [f"    d{len(indicators) + len(steps) + n} = {name}"
              for n, name in enumerate(("value", "momentum", "approach_fit"))]
    for ind, column, rate, weights, standing in plan:
        lines += ["    total = 0.0", *(f"    total += {w!r} * d{d}" for d, w in weights),
                  "    target = 1.0 + 4.0 * total", f"    now = x[{ind!r}]", f"    rate = {rate!r}"]
        if standing:
            lines += ["    if target < now:", "        rate /= tolerance"]
        lines += [f"    v = now + (rate * (target - now) + noise_sd * noise[{column}])",
                  f"    x[{ind!r}] = 1.0 if v < 1.0 else 5.0 if v > 5.0 else v   # state.shift"]
    env: dict[str, Any] = {}
    exec(compile("\n".join(lines), "<organization.move>", "exec"), env)  # noqa: S102
    move: Move = env["move"]
    return move


def _evolve(state: PmoState) -> Callable[[int], None]:
    move = _compiled()[2]
    drifts = {i: (1.0 if t == "rising" else -1.0)
              for i, t in state.input_trends.items() if t in ("rising", "falling")}

    def evolve(month: int) -> None:
        p = state.params
        x = state.x
        move(x, state.health, state.value_index(), state.momentum,
             state.approach_fit() if state.exists else 0.0, state.noise[month], p.noise_sd,
             maturity_tolerance(state))
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
    env.process(every_month(env, PHASE_ORGANIZATION, _evolve(state), state.months))
