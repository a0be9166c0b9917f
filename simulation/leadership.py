"""Adaptive leadership: a PMO leader who moves effort towards the steps the reviews show weak.

A strategy says how a PMO means to spend its capacity; a leader who reads the guide's
self-assessment of each flywheel step (Guide Ch. 14-23: a checklist per step, so a PMO can see
which gear slips) moves effort from the strong steps to the weak ones. This is the real-world
reason a badly balanced strategy sometimes thrives: a process-centric PMO whose leader notices
that nobody knows or credits its services starts spending on awareness and recognition (Guide
p.141-144: the flywheel turns only as fast as its weakest gear). Organizations differ in how
much their leader adapts: the trait is drawn per replication (``Beta(1, ADAPTIVITY_SHAPE)``:
most leaders adapt little, a few a lot; issue 11 asks for no pair certain of its fate).

At each executive review (the one caller: :func:`simulation.reviews.executive_review`) each
step's effort, as carried out, is scaled by ``exp(adaptivity x ADAPTATION_GAIN x (mean health -
its health))`` (cumulative, within ``ADAPTATION_LIMIT ** adaptivity`` times the plan either
way), then rescaled so the PMO spends what its plan spends: effort moves, capacity does not
grow. A leader with adaptivity from ``TAILORING_ADAPTIVITY`` also tailors a fixed approach
that misfits the organization's maturity. The tilt starts afresh when the PMO follows a new
strategy (a trigger, a plan's next phase, a relaunch) or gets new leadership through a
restructuring. A strategy with ``adaptive: false`` is played exactly as written (a what-if).
docs/model.md, "Adaptive leadership".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from simulation.state import PmoState
from simulation.strategies import TAILORED

__all__ = ["Leadership", "adaptivity", "attach", "adapt"]


def adaptivity(u: float, shape: float) -> float:
    """The leader's adaptivity (0-1) from a uniform ``u``: the inverse distribution function of
    Beta(1, shape), 1 - (1 - u)^(1 / shape) (closed form, so one uniform is the whole draw).
    With shape 3 the mean is 0.25 and one leader in 8 adapts more than half-way."""
    if shape <= 0.0:
        return 0.0
    return 1.0 - (1.0 - u) ** (1.0 / shape)


@dataclass
class Leadership:
    """One replication's leader: the trait, and the tilt of each step's effort it has made."""

    adaptivity: float
    planned: list[float]                  # each step's execution factor as drawn (the plan)
    tilt: list[float] = field(default_factory=list)
    #: what the tilt was built for: (strategy, launches, restructures); a change resets it
    basis: tuple[object, int, int] = (None, 0, 0)


def attach(state: PmoState, u: float) -> None:
    """Give the state its leader (``u``: the replication's own uniform for the trait)."""
    state.leadership = Leadership(adaptivity(u, state.params.adaptivity_shape),
                                  list(state.execution))


def adapt(state: PmoState) -> None:
    """At a review: shift effort towards the steps below the wheel's mean health. Writes the
    steps' execution factors in place (the step processes read them every month)."""
    leader = state.leadership
    if leader is None or not state.exists:
        return
    p = state.params
    execution = state.execution
    basis = (state.strategy, state.launches, state.restructures)
    if basis[0] is not leader.basis[0] or basis[1:] != leader.basis[1:]:
        leader.basis = basis
        leader.tilt = [1.0] * len(execution)
        execution[:] = leader.planned
    gain = leader.adaptivity * p.adaptation_gain
    if gain <= 0.0 or not state.strategy.adaptive:
        return
    _tailor(state, leader)
    health = state.health
    mean = sum(health) / len(health)
    effort = state.strategy.effort
    planned = sum(e * x for e, x in zip(effort, leader.planned))
    limit = p.adaptation_limit ** leader.adaptivity    # how far this leader will stray
    tilt = [min(limit, max(1.0 / limit, t * math.exp(gain * (mean - h))))
            for t, h in zip(leader.tilt, health)]
    after = sum(e * x * t for e, x, t in zip(effort, leader.planned, tilt))
    scale = planned / after if after > 0.0 else 1.0
    leader.tilt = tilt
    execution[:] = [x * t * scale for x, t in zip(leader.planned, tilt)]


def _tailor(state: PmoState, leader: Leadership) -> None:
    """A leader adaptive enough (``TAILORING_ADAPTIVITY``) also drops a fixed approach that
    suits the organization's maturity worse than tailoring would (Guide Fig. 7-1, p.77: each
    approach suits a band of customer maturity; Table 4-1: "develop tailored approaches")."""
    strategy = state.strategy
    if leader.adaptivity < state.params.tailoring_adaptivity or strategy.approach == TAILORED:
        return
    tailored = replace(strategy, approach=TAILORED)
    maturity = round(state.x["pm_maturity"], 1)
    if tailored.approach_for(maturity)[1] > strategy.approach_for(maturity)[1]:
        state.strategy = tailored
        leader.basis = (tailored, *leader.basis[1:])
        state.log("strategy", strategy.id, "The PMO's leader tailors the approach to the "
                  "customers' maturity.")
