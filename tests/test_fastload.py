"""The compiled profile loader (advisor/fastload.py) agrees with marshmallow on every input.

It either returns exactly what the profile schema's ``load`` returns (same values, same key
order) or defers to marshmallow; it never accepts what marshmallow refuses."""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import pytest
from marshmallow import ValidationError

from advisor import fastload
from advisor.assessment import _fast_load, parse_profile, profile_schema
from advisor.errors import InputError
from advisor.presets import preset_names, preset_path, read_document

SHIPPED = {name: read_document(preset_path(name)) for name in preset_names()}
MUTATIONS = 3000

#: Values a mutation writes anywhere: valid ones of every kind, edge cases and wrong types.
TRICKY: list[Any] = [
    None, True, False, 0, 1, 2, 3, 5, 6, -1, 0.5, 0.99, 1.0, 2.5, 4.99, 5.0, 5.0001, 1200, 1200.5,
    -0.0, float("nan"), float("inf"), 10 ** 400, "3", "", "x" * 201, "rising", "falling",
    "steady", "unknown", "high", "enterprise", "pmo_team_forming", "16", 16, 31, "\u0663",
    "data_analytics_and_reporting", "a.b-c_1", "bad id!", [], [1, 1], [1, 2], {}, {"maturity": 3},
    {"maturity": 3.5}, {"months_ago": 4}, ["pmo_team_forming"], ["pmo_team_forming"] * 2,
    b"bytes", (1, 2),
]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key/index path in a document."""
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_paths(value, (*prefix, index)))
    return found


def _mutate(doc: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    for _ in range(rng.choice((1, 1, 2))):
        paths = _paths(doc)
        path = rng.choice(paths)
        parent: Any = doc
        for key in path[:-1]:
            parent = parent[key]
        last = path[-1]
        action = rng.random()
        if action < 0.6:
            parent[last] = rng.choice(TRICKY)
        elif action < 0.75 and isinstance(parent, dict):
            del parent[last]
        elif action < 0.9 and isinstance(parent, dict):
            parent[rng.choice(["unknown_key", "16", 16, "team", "services"])] = rng.choice(TRICKY)
        elif isinstance(parent, list):
            parent.append(copy.deepcopy(parent[last]))
    return doc


def _marshmallow(doc: Any) -> Any:
    try:
        return profile_schema().load(doc)
    except ValidationError:
        return ValidationError


def _same(fast: Any, slow: Any) -> bool:
    """Equal values and the same key order everywhere (json.dumps shows the order)."""
    return fast == slow and json.dumps(fast, sort_keys=False) == json.dumps(slow, sort_keys=False)


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_fast_loader_takes_every_shipped_profile_as_marshmallow_loads_it(name: str) -> None:
    fast = _fast_load(SHIPPED[name])
    assert fast is not fastload.DEFER
    assert _same(fast, profile_schema().load(SHIPPED[name]))


def test_fast_loader_never_accepts_what_marshmallow_refuses_nor_loads_it_differently() -> None:
    rng = random.Random(13)
    docs = list(SHIPPED.values())
    taken = refused = 0
    for _ in range(MUTATIONS):
        doc = _mutate(rng.choice(docs), rng)
        fast, slow = _fast_load(doc), _marshmallow(doc)
        if slow is ValidationError:
            refused += 1
            assert fast is fastload.DEFER, doc
        elif fast is not fastload.DEFER:
            taken += 1
            assert _same(fast, slow), doc
    # the mutations reach both sides: plenty are refused, plenty still load on the fast path
    assert refused > MUTATIONS // 4 and taken > MUTATIONS // 10


def test_a_bad_profile_still_gets_marshmallows_field_named_error() -> None:
    doc = copy.deepcopy(SHIPPED["crisis-retailer"])
    doc["indicators"]["pm_maturity"] = 7
    with pytest.raises(InputError) as caught:
        parse_profile(doc)
    assert "indicators.pm_maturity" in str(caught.value)
    assert "between 1.0 and 5.0" in str(caught.value)


def test_a_field_the_compiler_does_not_know_always_defers() -> None:
    from marshmallow import Schema, fields

    class WithDate(Schema):
        when = fields.Date()

    assert fastload.compile_loader(WithDate)({"when": "2026-01-01"}) is fastload.DEFER


def test_a_leaf_fields_inline_check_loads_what_marshmallow_loads_at_and_beside_its_bounds() -> None:
    from marshmallow import Schema, fields, validate

    from advisor.validation import Number, StrictBool, matches, one_of, within

    class Leaves(Schema):
        level = Number(validate=within(1.0, 5.0))
        share = Number(validate=validate.Range(0, 1, min_inclusive=False, max_inclusive=False))
        kind = fields.String(validate=one_of(["a", "b"]))
        code = fields.String(validate=matches(r"^[a-z]{1,3}$", error="bad"))
        note = fields.String(validate=validate.Length(max=3))
        flag = StrictBool()

    loader = fastload.compile_loader(Leaves)
    values: list[Any] = [1, 1.0, 0.999, 5, 5.0, 5.0001, 0, 0.0, 0.5, 1e-300, 3, True, False,
                         float("nan"), float("inf"), 10 ** 400, "a", "b", "c", "abc", "abcd",
                         "", None, [1]]
    for name in Leaves().fields:
        for value in values:
            fast, slow = loader({name: value}), _marshmallow_of(Leaves, {name: value})
            if slow is ValidationError:
                assert fast is fastload.DEFER, (name, value)
            elif fast is not fastload.DEFER:
                assert _same(fast, slow) and type(fast[name]) is type(slow[name]), (name, value)


def _marshmallow_of(schema: Any, doc: Any) -> Any:
    try:
        return schema().load(doc)
    except ValidationError:
        return ValidationError
