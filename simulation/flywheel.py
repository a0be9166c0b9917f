"""The value-generating flywheel as SimPy processes (Guide Ch. 13, p.139-144).

Ten step processes run concurrently, as the guide's "gears in constant motion": each month each
step spends its share of the PMO's capacity and its health moves towards what that effort buys.
The wheel process turns the flywheel at the pace of its weakest step, delivers value into the
perception pipeline and completes cycles; the perception process lets customers recognize value
after the delay of each outcome's horizon (Guide Table 6-1), and momentum follows.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import simpy

from advisor.catalog import HORIZONS
from simulation import portfolio
from simulation.dynamics import load_dynamics
from simulation.state import SERVICE_STEPS, PmoState, step_ids

__all__ = ["every_month", "flywheel_processes", "step_action", "wheel_action",
           "perception_action", "PHASE_STEPS", "PHASE_WHEEL", "PHASE_PERCEPTION"]

# Order of work within a month (fractions of a month after its start).
PHASE_STEPS = 0.1        # the ten steps spend their effort
PHASE_WHEEL = 0.2        # the wheel turns and delivers value
PHASE_PERCEPTION = 0.25  # value due this month is perceived and recognized


def every_month(env: simpy.Environment, phase: float, action: Callable[[int], None],
                last: int | None = None) -> Generator[simpy.Event, None, None]:
    """A process that runs ``action(month)`` at ``month + phase`` for months 1, 2, ...

    With ``last`` (the run's months) it ends after that month's action rather than wait for a
    month the run never reaches: a process left waiting ties the whole replication (its events,
    generators, closures and state) into reference cycles only the garbage collector frees,
    which cost the model about 7% of its time; ended, they go as soon as the run returns. Its
    end takes the place of the timeout it no longer asks for: what runs when is unchanged."""
    timeout = env.timeout
    yield timeout(1 + phase)
    first = int(env.now)
    if last is None:
        month = first
        while True:
            action(month)
            month += 1
            yield timeout(1)
    for month in range(first, last):      # (the run never resumes it past ``last``)
        action(month)
        yield timeout(1)
    action(last)


def step_action(state: PmoState, index: int,
                shared: list[Any] | None = None) -> Callable[[int], None]:
    """Step ``index``: health += response x (min(1, effort / need) - health).

    ``shared``: a list the ten steps share, holding what every step works out alike in a
    month (capacity, the learning and portfolio factors), keyed by everything they read. Only
    the first step (``index`` 0) checks the key: the ten run one after another at the same
    time each month (started in order, same phase, nothing else scheduled then), and a step
    writes only its own health, so the others read what the first one found (0.1 ms a
    replication: the key was built and compared 360 times)."""
    base_need = load_dynamics().step_need[index]
    serves = step_ids()[index] in SERVICE_STEPS
    health = state.health
    execution = state.execution
    month_factors: list[Any] = shared if shared is not None else [None, 0.0, 0.0, 0.0]
    checks = shared is None or index == 0

    def work(month: int) -> None:
        p = state.params
        if state.exists:
            strategy = state.strategy
            if checks:
                x = state.x
                key = (month, strategy, p, state.cycles, x["team_morale"], x["resources"])
                if month_factors[0] != key:
                    month_factors[:] = (key, (1.0 + state.cycles) ** -p.learning_exponent,
                                        (len(strategy.services) / p.reference_portfolio)
                                        ** p.portfolio_exponent, state.capacity())
            need = base_need * month_factors[1]
            if serves:
                need *= month_factors[2]
            target = month_factors[3] * strategy.effort[index] * execution[index] / need
            if target > 1.0:
                target = 1.0
        else:
            target = 0.0
        health[index] += p.health_response * (target - health[index])

    return work


def wheel_action(state: PmoState) -> Callable[[int], None]:
    """Services mature; the wheel turns at the weakest step's pace, sped up by momentum; it
    delivers value, which Value Delivery measures in proportion to its health; cycles complete.

    Where the value goes, (months ahead, share) per horizon with a share, is worked out once
    per (strategy, parameters) rather than every month (the same additions, in order)."""
    routes: list[Any] = [None, None, ()]     # strategy, parameters, ((delay, share), ...)

    def turn(month: int) -> None:
        if not state.exists:
            return
        p = state.params
        portfolio.grow(state)
        progress = min(state.health) * (1.0 + p.momentum_speedup * state.momentum) \
            / p.cycle_months                   # state.wheel(), without the call
        delivered = progress * state.fit()
        state.measured += p.value_smoothing * (delivered * state.health[8] - state.measured)
        strategy = state.strategy
        if routes[0] is not strategy or routes[1] is not p:
            delay = p.perception_delay
            routes[:] = (strategy, p, tuple((delay[horizon], share) for horizon, share
                                            in zip(HORIZONS, strategy.horizon_mix) if share))
        pipeline = state.pipeline
        for ahead, share in routes[2]:
            pipeline[month + ahead] += delivered * share
        state.turn += progress
        while state.turn >= 1.0:
            state.turn -= 1.0
            state.cycles += 1.0
            state.completed_cycles += 1
            state.momentum += p.cycle_kick * (1.0 - state.momentum)
            state.log("cycle", "cycle_completed",
                      f"The flywheel completed turn {state.completed_cycles}.")
    return turn


def perception_action(state: PmoState) -> Callable[[int], None]:
    """Recognize the value due now; update the recognized-value average and momentum."""
    def perceive(month: int) -> None:
        p = state.params
        arriving = state.pipeline[month]
        state.pipeline[month] = 0.0
        recognition = (p.recognition_floor + (1.0 - p.recognition_floor) * state.health[-1]) \
            * p.recognition_luck
        recognized = arriving * recognition if state.exists else 0.0
        state.recognized += p.value_smoothing * (recognized - state.recognized)
        boost = min(1.0, recognized * p.cycle_months)
        state.momentum += p.recognition_gain * boost * (1.0 - state.momentum)
        state.momentum -= p.momentum_decay * state.momentum
    return perceive


def flywheel_processes(env: simpy.Environment, state: PmoState) -> None:
    """Start the ten step processes, the wheel and the perception process."""
    shared: list[Any] = [None, 0.0, 0.0, 0.0]
    for index in range(len(step_ids())):
        env.process(every_month(env, PHASE_STEPS, step_action(state, index, shared),
                                state.months))
    env.process(every_month(env, PHASE_WHEEL, wheel_action(state), state.months))
    env.process(every_month(env, PHASE_PERCEPTION, perception_action(state), state.months))
