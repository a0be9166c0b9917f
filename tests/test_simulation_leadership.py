"""Adaptive leadership and the champion's relaunch (simulation/leadership.py, lifecycle.py;
docs/model.md "Adaptive leadership", "Life cycle"): exact state checks, and seeded runs that
show the trait is the replication's own and that ``adaptive: false`` plays the plan as written."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import simpy

from advisor.errors import InputError
from advisor.presets import load_preset
from simulation import leadership
from simulation.lifecycle import restructure
from simulation.model import simulate
from simulation.parameters import DEFAULT_PARAMETERS, Parameters
from simulation.state import PmoState, Start
from simulation.strategies import TAILORED, Strategy, load_strategies, strategy_from_document


def state_of(preset: str, strategy: Strategy, u: float,
             params: Parameters = DEFAULT_PARAMETERS) -> PmoState:
    months = 24
    state = PmoState(Start.from_profile(load_preset(preset)), strategy, params, months,
                     [[1.0] * 7] * (months + 1), [[0.0] * 12 for _ in range(months + 1)],
                     [[1.0] * 3] * (months + 1), trace=True)
    state.env = simpy.Environment()
    leadership.attach(state, u)
    return state


def spent(state: PmoState) -> float:
    return sum(e * x for e, x in zip(state.strategy.effort, state.execution))


def test_most_leaders_adapt_little_and_a_few_a_lot() -> None:
    """Beta(1, shape) by its inverse distribution function: median 1 - 0.5^(1/shape), mean
    1 / (1 + shape), one in 2^shape above one half."""
    shape = DEFAULT_PARAMETERS.adaptivity_shape
    draws = np.array([leadership.adaptivity(u, shape) for u in np.linspace(0, 1, 100_001)[:-1]])
    assert leadership.adaptivity(0.5, shape) == pytest.approx(1 - 0.5 ** (1 / shape))
    assert draws.mean() == pytest.approx(1 / (1 + shape), abs=1e-3)
    assert np.mean(draws > 0.5) == pytest.approx(0.5 ** shape, abs=1e-3)
    assert leadership.adaptivity(0.9, 0.0) == 0.0            # shape 0: nobody adapts


def test_a_leader_moves_effort_to_the_weakest_steps_without_growing_capacity() -> None:
    state = state_of("kickoff-fintech", load_strategies()["process_centric"], u=0.99)
    before = spent(state)
    state.health[:] = [0.2, 0.2, 0.3, 1.0, 1.0, 1.0, 0.9, 0.9, 0.5, 0.2]
    leadership.adapt(state)
    assert state.execution[0] > state.leadership.planned[0]      # awareness, weakest: more
    assert state.execution[3] < state.leadership.planned[3]      # development, strong: less
    assert spent(state) == pytest.approx(before)
    limit = DEFAULT_PARAMETERS.adaptation_limit ** state.leadership.adaptivity
    for _ in range(20):                                          # cumulative, but bounded
        leadership.adapt(state)
    assert max(state.leadership.tilt) <= limit + 1e-12
    assert min(state.leadership.tilt) >= 1 / limit - 1e-12


def test_an_adaptive_leader_tailors_a_fixed_approach_that_misfits() -> None:
    keen = state_of("kickoff-fintech", load_strategies()["process_centric"], u=0.99)
    leadership.adapt(keen)
    assert keen.strategy.approach == TAILORED and keen.strategy.id == "process_centric"
    assert any(e.kind == "strategy" for e in keen.events or ())
    settled = state_of("kickoff-fintech", load_strategies()["process_centric"], u=0.0)
    leadership.adapt(settled)
    assert settled.strategy.approach == "controlling" and settled.execution == \
        settled.leadership.planned


def test_a_new_strategy_starts_from_its_plan() -> None:
    state = state_of("kickoff-fintech", load_strategies()["minimal"], u=0.9)
    state.health[:] = [0.1] * 5 + [1.0] * 5
    leadership.adapt(state)
    assert state.execution != state.leadership.planned
    state.strategy = load_strategies()["customer_centric"]      # a trigger switched it
    state.health[:] = [0.5] * 10                                # nothing to adapt to
    leadership.adapt(state)
    assert state.execution == pytest.approx(state.leadership.planned)


def test_adaptive_false_plays_the_strategy_as_written() -> None:
    """The what-if switch: a document saying ``adaptive: false`` runs exactly as the model with
    no adaptation at all (``adaptation_gain`` 0), draw for draw."""
    document = load_strategies()["process_centric"].document()
    fixed = strategy_from_document({**document, "adaptive": False})
    assert fixed.document()["adaptive"] is False and "adaptive" not in document
    start = Start.from_profile(load_preset("kickoff-fintech"))
    still = DEFAULT_PARAMETERS.with_changes({"adaptation_gain": 0.0})
    for seed in range(3):
        a = simulate(start, fixed, DEFAULT_PARAMETERS, 24, np.random.SeedSequence(seed))
        b = simulate(start, load_strategies()["process_centric"], still, 24,
                     np.random.SeedSequence(seed))
        assert np.array_equal(a.series, b.series) and np.array_equal(a.scenarios, b.scenarios)
    with pytest.raises(InputError) as caught:
        strategy_from_document({**document, "adaptive": "no"})
    assert caught.value.field == "strategy.adaptive"


def test_the_leader_is_the_replications_own_and_adapts_the_run() -> None:
    """Drawn from the replication's stream (same seed, same leader); with leaders on, a poorly
    balanced strategy's runs differ from the plan played as written."""
    start = Start.from_profile(load_preset("kickoff-fintech"))
    strategy = load_strategies()["process_centric"]
    runs = [simulate(start, strategy, DEFAULT_PARAMETERS, 24, np.random.SeedSequence(s))
            for s in (5, 5)]
    assert np.array_equal(runs[0].series, runs[1].series)
    fixed = replace(strategy, adaptive=False)
    differ = [not np.array_equal(
        simulate(start, strategy, DEFAULT_PARAMETERS, 24, np.random.SeedSequence(s)).series,
        simulate(start, fixed, DEFAULT_PARAMETERS, 24, np.random.SeedSequence(s)).series)
        for s in range(6)]
    assert any(differ)


def test_a_champion_relaunch_keeps_what_works_where_a_restructuring_rebuilds() -> None:
    """The restructuring's own uniform, given that it happens, picks the champion (below
    ``CHAMPION_RELAUNCH``): stronger backing, step health and momentum kept."""
    share = DEFAULT_PARAMETERS.champion_relaunch
    champion = state_of("decline-logistics", load_strategies()["crisis_turnaround"], u=0.0)
    rebuilt = state_of("decline-logistics", load_strategies()["crisis_turnaround"], u=0.0)
    health, momentum = list(champion.health), champion.momentum
    restructure(champion, share * 0.99)
    restructure(rebuilt, share * 1.01 + (1 - share) * 0.5)
    assert champion.x["executive_support"] > rebuilt.x["executive_support"] + 1.0
    assert champion.x["resources"] > rebuilt.x["resources"]
    assert champion.health == health and champion.momentum == momentum
    assert all(r < h for r, h in zip(rebuilt.health, health)) and rebuilt.momentum < momentum
    assert champion.restructures == rebuilt.restructures == 1
    assert champion.major_changes == rebuilt.major_changes == [0]
    assert [e.name for e in champion.events or ()][-1] == "champion_relaunch"


def test_a_review_where_no_rule_fires_keeps_the_last_scenario(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A simulated PMO can drift to a view no diagnosis rule speaks to (seed 11, 300 runs of
    potential-public-agency found one at month 9); the review then keeps the scenario it had
    instead of stopping the run (the diagnosis refuses a profile without evidence)."""
    from simulation import reviews

    def no_evidence(profile: object) -> None:
        raise InputError("not enough evidence to diagnose", "indicators")
    state = state_of("kickoff-fintech", load_strategies()["minimal"], u=0.5)
    state.events = None
    state.scenario = "kickoff"
    monkeypatch.setattr(reviews, "diagnose_ranking", no_evidence)
    assert reviews.executive_review(state) == "kickoff" and state.scenario == "kickoff"
