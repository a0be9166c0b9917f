"""A single fact's compact (orjson) text reads as the same numbers as the exact path's text:
the engine must see 9.9e-05 as 0.0 and refuse what it refused before, whichever encoder ran."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from rules.gateway import _engine_json


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


@pytest.mark.parametrize("fact", [
    {"kind": "x", "v": 1e-05, "w": [2.5e-3, {"z": -3e-7}], "s": "1e-5 in a string"},
    {"kind": "x", "v": 9.9e-05, "u": 0.0001, "n": 0.000099},
    {"kind": "x", "v": 3.0, "sid": "caller's own", "t": (1, 2)},
    {"kind": "x", "nested": {"v": 12345678.9}, "label": "Ünïcode \\n \"quoted\""},
    {"kind": "x", "big": 1e15, "bigger": 1e16 - 2},
    {"kind": "x", "v": float("nan"), "none": None},
    {"kind": "x", 3: "a number as a key"},
    {"ind": {"executive_support": 2.25, "resources": 4.0}, "count": {"changes": 0}, "ok": True},
])
def test_compact_fact_text_reads_as_the_exact_text(fact: dict[str, Any]) -> None:
    compact, exact = _engine_json(fact, "7-1", compact=True), _engine_json(fact, "7-1")
    assert _same(json.loads(compact), json.loads(exact))
    assert json.loads(compact)["sid"] == "7-1"
