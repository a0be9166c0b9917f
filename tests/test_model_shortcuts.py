"""The model's hot-path shortcuts (issue 13) give what the plain code they replace gives."""

from __future__ import annotations

import gc
import json
import math
import random
import weakref
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from advisor.catalog import load_catalog
from advisor.errors import InputError
from rules.diagnosis import Observation, diagnose_ranking, score_points
from rules.diagnosis_table import load_diagnosis_table
from rules.gateway import get_gateway
from simulation import leadership, model, portfolio, reviews, run_experiment
from simulation.parameters import DEFAULT_PARAMETERS
from simulation.spec import make_spec
from simulation.state import PmoState
from simulation.strategies import TAILORED, get_strategy, horizon_mix


def test_parameters_changed_is_replace_with_the_same_checks() -> None:
    changes = {"value_expected": 0.37, "exec_response": 1.2}
    assert DEFAULT_PARAMETERS.changed(**changes) == replace(DEFAULT_PARAMETERS, **changes)
    assert DEFAULT_PARAMETERS.changed() == DEFAULT_PARAMETERS
    assert DEFAULT_PARAMETERS.value_expected != 0.37          # the original is untouched
    with pytest.raises(InputError):
        DEFAULT_PARAMETERS.changed(value_expected=-1.0)
    with pytest.raises(InputError):
        replace(DEFAULT_PARAMETERS, value_expected=-1.0)
    with pytest.raises(TypeError):
        DEFAULT_PARAMETERS.changed(no_such_parameter=1.0)
    for bad in ({"review_interval": 0}, {"perception_delay": {"S": 1}}, {"spread": {"x": 1}}):
        with pytest.raises(InputError) as by_changed:
            DEFAULT_PARAMETERS.changed(**bad)
        with pytest.raises(InputError) as by_replace:
            replace(DEFAULT_PARAMETERS, **bad)
        assert str(by_changed.value) == str(by_replace.value)


def test_a_reshaped_strategy_is_shared_and_equals_a_fresh_one() -> None:
    strategy = get_strategy("customer_centric")
    services = tuple((s, 1.0 / 3) for s, _ in strategy.services[:3])
    fresh = replace(strategy, services=services, horizon_mix=horizon_mix(dict(services)))
    first = portfolio._with_services(strategy, services)
    assert first == fresh
    assert portfolio._with_services(strategy, services) is first


def test_catalog_ids_are_the_ids_in_catalog_order() -> None:
    catalog = load_catalog()
    assert catalog.ids("scenarios") == tuple(s.id for s in catalog.scenarios)
    assert catalog.ids("signs") == tuple(s.id for s in catalog.signs)


def test_the_generated_features_are_feature_by_feature_values() -> None:
    """All indicators there (generated code) or some missing (the loop): Feature.value's."""
    table = load_diagnosis_table()
    ids = load_catalog().ids("indicators")
    rng = random.Random(13)
    for n in range(400):
        given = ids if n % 2 else rng.sample(ids, rng.randint(0, len(ids)))
        indicators = {i: rng.choice([rng.randint(1, 5), round(rng.uniform(1, 5), 2)])
                      for i in given}
        plain = {f.id: v for f in table.features if (v := f.value(indicators)) is not None}
        values = table.feature_values(indicators)
        assert list(values.items()) == list(plain.items())
        assert [type(v) for v in values.values()] == [type(v) for v in plain.values()]


def test_a_tailored_strategy_is_shared_and_equals_a_fresh_one() -> None:
    strategy = get_strategy("process_centric")
    first = leadership._tailored(strategy)
    assert first == replace(strategy, approach=TAILORED)
    assert leadership._tailored(strategy) is first


def _plain_score_points(gross: dict[str, float], against: dict[str, float], excluded: set[str],
                        coverage: float, smoothing: float, uncertainty: float
                        ) -> tuple[tuple[str, float], ...]:
    """The ranking as docs/diagnosis reads it, written plainly (dictionaries, max, round)."""
    scenarios = load_catalog().ids("scenarios")
    opened = {s: s not in excluded for s in scenarios}
    points = {s: max(0.0, gross[s] - against[s]) for s in scenarios}
    if sum([gross[s] for s in scenarios if opened[s]]) <= 0:
        raise InputError("no evidence", "indicators")
    alpha = smoothing + uncertainty * (1.0 - coverage)
    denominator = sum([points[s] for s in scenarios if opened[s]]) \
        + alpha * sum(opened.values())
    raw = {s: (points[s] + alpha) / denominator if opened[s] else 0.0 for s in scenarios}
    order = sorted(range(len(scenarios)), key=lambda i: (
        -raw[scenarios[i]], -points[scenarios[i]],
        -gross[scenarios[i]] * opened[scenarios[i]], i))
    return tuple((scenarios[i], round(raw[scenarios[i]], 3)) for i in order)


def test_score_points_is_the_plain_ranking_bit_for_bit() -> None:
    """score_points' one-pass lists and sort keys rank as the plain formula does: the same
    floats, ties to the most evidence and then the guide's order, exclusions at 0."""
    table = load_diagnosis_table()
    scenarios = load_catalog().ids("scenarios")
    rng = random.Random(7)
    for _ in range(3000):
        weights = [0.0, 0.5, 1.0, 1.5, 2.0, rng.uniform(0, 4)]
        gross = {s: rng.choice(weights) for s in scenarios}
        against = {s: rng.choice(weights[:3]) for s in scenarios}
        excluded = set(rng.sample(scenarios, rng.choice((0, 0, 1, 3))))
        coverage = rng.choice((1.0, 0.75, rng.random()))
        args = (gross, against, excluded, coverage)
        try:
            expected = _plain_score_points(*args, table.smoothing, table.uncertainty)
        except InputError:
            with pytest.raises(InputError):
                score_points(*args, table)
            continue
        got = score_points(*args, table)
        assert [s for s, _ in got] == [s for s, _ in expected], args
        assert [v.hex() for _, v in got] == [v.hex() for _, v in expected], args


def test_customer_fit_rounds_each_level_as_round_does() -> None:
    """customer_approach_fit writes round_to's steps out: each customer's level (its maturity
    plus the organization's drift, within 1-5) rounded as round(level, 1), ties included."""
    spec = make_spec("kickoff-fintech", "customer_centric", months=12, runs=1)
    state = PmoState(spec.start, spec.strategy, spec.parameters, 12, [], [], [], False)
    assert state.customers
    rng = random.Random(11)
    start = state.start_pm_maturity
    drifts = [rng.uniform(-5, 5) for _ in range(2000)]
    for k in range(-45, 46):        # levels at and beside every tie of one decimal
        centre = k / 10 + 0.05
        drifts += [math.nextafter(centre, -math.inf), centre, math.nextafter(centre, math.inf)]
    for drift in drifts:
        state.x["pm_maturity"] = start + drift
        moved = state.x["pm_maturity"] - start
        fits = [state.strategy.approach_for(round(min(5.0, max(1.0, m + moved)), 1))[1]
                for m, _ in state.customers]
        assert portfolio.customer_approach_fit(state) == sum(fits) / len(fits), drift


def test_a_replication_is_freed_when_it_returns() -> None:
    """Every process ends with the run (issue 13): nothing is left waiting in SimPy's queue,
    so the replication's state is not held in reference cycles for the garbage collector."""
    spec = make_spec("kickoff-fintech", "customer_centric", months=24, runs=1)
    states: list[weakref.ref[PmoState]] = []
    attach = leadership.attach

    def keep(state: PmoState, u: float) -> None:
        states.append(weakref.ref(state))
        attach(state, u)

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(model.leadership, "attach", keep)
            replication = model.simulate(spec.start, spec.strategy, spec.parameters, 24,
                                         np.random.SeedSequence(5))
        assert replication.series.shape == (25, len(model.series_columns()))
        assert len(states) == 1 and states[0]() is None
    finally:
        if was_enabled:
            gc.enable()


def test_observed_indicators_are_rounded_as_round_does() -> None:
    """observed_profile writes round_to's steps out: each indicator as round(x, 2), ties and
    the floats beside them included, whatever the value."""
    spec = make_spec("kickoff-fintech", "customer_centric", months=12, runs=1)
    state = PmoState(spec.start, spec.strategy, spec.parameters, 12, [], [], [], False)
    ids = list(state.x)
    rng = random.Random(17)
    values = [rng.uniform(1, 5) for _ in range(1200)] + [1.0, 5.0, 3, 7.125, 1e7, 0.0]
    for k in range(100, 501):         # every tie of two decimals from 1 to 5, and beside it
        centre = (k + 0.5) / 100
        values += [math.nextafter(centre, -math.inf), centre, math.nextafter(centre, math.inf)]
    for start in range(0, len(values), len(ids)):
        chunk = values[start:start + len(ids)]
        state.x.update(zip(ids, chunk))
        seen = state.observed_profile().indicators
        for i, v in zip(ids, chunk):
            assert seen[i] == round(v, 2) and type(seen[i]) is type(round(v, 2)), v


def test_an_observation_is_diagnosed_as_its_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reviews diagnose an Observation straight into a fact: the very fact (values and
    key order) and the very ranking its profile gives, on the reviews of real runs."""
    observed: list[Observation] = []
    original = reviews.diagnose_ranking

    def keep(observation: Observation) -> tuple[tuple[str, float], ...]:
        observed.append(observation)
        return original(observation)

    with monkeypatch.context() as patch:
        patch.setattr(reviews, "diagnose_ranking", keep)
        for preset in ("kickoff-fintech", "decline-logistics", "collapse-startup"):
            run_experiment(preset, "crisis_turnaround", runs=4, months=36, seed=3,
                           executor="inline")
    assert len(observed) > 100 and any(o.signs for o in observed)
    facts: list[str] = []
    gateway = get_gateway()
    firing_set = gateway.firing_set

    def seen(ruleset: str, fact: dict[str, Any], among: Any = None) -> tuple[str, ...]:
        facts.append(json.dumps(fact))
        return firing_set(ruleset, fact, among)

    monkeypatch.setattr(gateway, "firing_set", seen)
    for observation in observed:
        assert type(observation) is Observation
        as_profile = diagnose_ranking(observation.profile())
        as_observed = diagnose_ranking(observation)
        assert facts[-1] == facts[-2]
        assert [(s, v.hex()) for s, v in as_observed] == [(s, v.hex()) for s, v in as_profile]
