"""One replication: wire the state and the processes into a SimPy environment and run it.

Every random number a replication uses is drawn up front from its own generator, in arrays whose
shapes depend only on the horizon (shock draws, indicator noise, review decisions). So two runs
with the same seed see the same shocks and the same noise whatever the strategy does: common
random numbers, which make strategy comparisons sharp.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from advisor.catalog import load_catalog
from rules.diagnosis import Diagnosis, diagnose
from simulation import fortune, leadership
from simulation.flywheel import every_month, flywheel_processes
from simulation.lifecycle import relaunch_process
from simulation.organization import organization_process
from simulation.parameters import SPREAD_DRAWS, Parameters
from simulation.reviews import apply_triggers, review_process
from simulation.shocks import PHASE_SHOCKS, ScheduledShock, load_shocks, shock_processes
from simulation.state import Event, PmoState, Start, indicator_ids, step_ids
from simulation.strategies import Strategy, get_strategy

__all__ = ["Replication", "simulate", "scenario_ids", "series_columns", "PHASE_RECORD"]


@functools.cache
def scenario_ids() -> tuple[str, ...]:
    """The catalog's scenarios in order (read on first use: nothing runs at import)."""
    return load_catalog().ids("scenarios")


@functools.cache
def series_columns() -> tuple[str, ...]:
    """Columns of :attr:`Replication.series`: momentum, then the twelve indicators."""
    return ("momentum", *indicator_ids())


PHASE_RECORD = 0.9       # the month's state is recorded after everything else
DECISIONS = 3            # uniforms per month: restructure, shutdown, relaunch


@dataclass(frozen=True)
class Replication:
    """What one run leaves behind: monthly series (month 0 = the start) and a few counts."""

    series: np.ndarray           # (months + 1, 13) floats: momentum, indicators
    scenarios: np.ndarray        # (months + 1,) int8: index into scenario_ids()
    exists: np.ndarray           # (months + 1,) bool: a PMO exists
    major_changes: tuple[int, ...]   # months of restructurings, shutdowns, major shocks
    shutdowns: tuple[int, ...]
    restructures: int
    launches: int
    completed_cycles: int
    events: tuple[Event, ...] = ()
    diagnoses: tuple[tuple[int, Diagnosis], ...] = ()
    strategies: tuple[str, ...] = ()  # strategy in force each month (traced runs only)
    new_sponsors: tuple[int, ...] = ()   # months a new sponsor took over (sponsor change, merger)


def _scripted(env: simpy.Environment, state: PmoState, month: int, strategy: Strategy) -> Any:
    yield env.timeout(month + PHASE_SHOCKS)
    state.strategy = strategy
    state.log("strategy", strategy.id, f"The PMO changes course: {strategy.name} strategy.")


def _phase(env: simpy.Environment, state: PmoState, month: int, base: Strategy,
           phase: Strategy) -> Any:
    """A scheduled phase of a strategy (a plan's next wave): applies while the PMO still
    follows that strategy (a trigger or a relaunch under another strategy cancels it)."""
    yield env.timeout(month + PHASE_SHOCKS)
    if state.exists and state.strategy.id == base.id:
        state.strategy = phase
        state.log("strategy", phase.id, f"{phase.name}: the phase from month {month} starts "
                  f"({len(phase.services)} services).")


def simulate(start: Start, strategy: Strategy, params: Parameters, months: int,
             seed: np.random.SeedSequence, schedule: Iterable[ScheduledShock] = (),
             random_shocks: bool = True, relaunch_strategy: Strategy | None = None,
             strategy_changes: Sequence[tuple[int, str]] = (), trace: bool = False,
             initial: Diagnosis | None = None) -> Replication:
    """Run one replication for ``months`` months. ``initial`` is the month-0 diagnosis (the
    same for every replication of an experiment, so the runner computes it once)."""
    rng = np.random.Generator(np.random.PCG64(seed))   # default_rng(seed), without its checks
    shock_u = rng.random((months + 1, len(load_shocks()))).tolist()
    noise = rng.standard_normal((months + 1, len(indicator_ids()))).tolist()
    decide = rng.random((months + 1, DECISIONS)).tolist()
    first_turn = float(rng.random())   # drawn after them: the streams above do not change
    params = params.varied(rng.standard_normal(SPREAD_DRAWS).tolist())
    execution = np.exp(params.execution_spread * rng.standard_normal(len(step_ids()))).tolist()
    adaptive = float(rng.random())     # the leader's trait, drawn last: the rest do not change

    env = simpy.Environment()
    state = PmoState(start, strategy, params, months, shock_u, noise, decide, trace)
    state.env = env
    state.execution = execution
    leadership.attach(state, adaptive)
    if state.exists:   # where in its turn the wheel is: cycles end at different months per run
        state.turn = first_turn
    if relaunch_strategy is not None:
        state.relaunch_strategy = relaunch_strategy
    first = initial if initial is not None else diagnose(start.profile())
    state.scenario = first.scenario
    if trace:
        state.diagnoses.append((0, first))
        state.log("review", first.scenario, f"Starting assessment: {first.scenario}")
    apply_triggers(state, first.scenario, first.ranking)

    # one flat row-major list, not a list per month: fewer objects for the garbage collector
    # to follow (each replication's objects form cycles through SimPy, freed by collections)
    width = len(series_columns())
    series = [0.0] * ((months + 1) * width)
    scenario_index = {s: i for i, s in enumerate(scenario_ids())}
    indicators = operator.itemgetter(*indicator_ids())    # the twelve, in one call
    scenarios = [0] * (months + 1)
    exists = [False] * (months + 1)
    strategies: list[str] = []

    def record(month: int) -> None:
        at = month * width
        series[at] = state.momentum
        series[at + 1:at + width] = indicators(state.x)
        scenarios[month] = scenario_index[state.scenario]
        exists[month] = state.exists
        if trace:
            strategies.append(state.strategy.id)

    record(0)
    shock_processes(env, state, schedule, random_shocks, fortune.land)
    for month, phase in strategy.phases:
        if month <= months:
            env.process(_phase(env, state, month, strategy, phase))
    for month, strategy_id in strategy_changes:
        env.process(_scripted(env, state, month, get_strategy(strategy_id)))
    flywheel_processes(env, state)
    organization_process(env, state)
    relaunch_process(env, state)
    env.process(review_process(env, state))
    env.process(every_month(env, PHASE_RECORD, record, months))
    env.run(until=months + 1)

    return Replication(
        series=np.fromiter(series, float, len(series)).reshape(months + 1, width),
        scenarios=np.array(scenarios, dtype=np.int8),
        exists=np.array(exists, dtype=bool),
        major_changes=tuple(state.major_changes),
        shutdowns=tuple(state.shutdowns),
        restructures=state.restructures,
        launches=state.launches,
        completed_cycles=state.completed_cycles,
        events=tuple(state.events or ()),
        diagnoses=tuple(state.diagnoses),
        strategies=tuple(strategies),
        new_sponsors=tuple(state.new_sponsors),
    )
