"""The model's hot-path shortcuts (issue 13) give what the plain code they replace gives."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from advisor.catalog import load_catalog
from advisor.errors import InputError
from rules.diagnosis_table import load_diagnosis_table
from simulation import leadership, portfolio
from simulation.parameters import DEFAULT_PARAMETERS
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
