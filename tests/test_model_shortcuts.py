"""The model's hot-path shortcuts (issue 13) give what the plain code they replace gives."""

from __future__ import annotations

from dataclasses import replace

import pytest

from advisor.catalog import load_catalog
from advisor.errors import InputError
from simulation import portfolio
from simulation.parameters import DEFAULT_PARAMETERS
from simulation.strategies import get_strategy, horizon_mix


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
