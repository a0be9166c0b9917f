"""Diagnosis through the gateway against a bare durable-rules ``assert_fact`` of the same fact.

Target (issue 2): one diagnosis costs at most twice the bare engine call. The bare side uses the
same compiled ruleset, an already-built fact and no-op actions, and deletes its session too (it
must, or the engine stops at 1,024 sessions). Rounds alternate between the two sides so machine
noise hits both alike; the ratio of the medians is reported.
"""

from __future__ import annotations

import copy
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from durable import engine

from advisor.assessment import load_profile
from rules.diagnosis import build_fact, diagnose
from rules.diagnosis_table import load_diagnosis_table

PROFILE = Path(__file__).resolve().parent.parent / "scenarios" / "profiles" / "crisis-retailer.yaml"
ROUNDS = 15
CALLS_PER_ROUND = 200
TARGET_RATIO = 2.0


class _BareHost(engine.Host):
    def _run(self) -> None:
        return None

    def get_action(self, action_name: str) -> Callable[[Any], None]:
        return lambda closure: None


def _time(call: Callable[[int], None]) -> float:
    start = time.perf_counter()
    for i in range(CALLS_PER_ROUND):
        call(i)
    return (time.perf_counter() - start) / CALLS_PER_ROUND


def measure() -> dict[str, float]:
    profile = load_profile(PROFILE)
    table = load_diagnosis_table()
    fact = build_fact(profile, table)
    host = _BareHost()
    host.register_rulesets({"bare": copy.deepcopy(dict(table.definition))})
    counter = iter(range(10**9))

    def bare(_: int) -> None:
        sid = f"bare-{next(counter)}"
        try:
            host.assert_fact("bare", {**fact, "sid": sid})
        finally:
            host.delete_state("bare", sid)

    def gateway(_: int) -> None:
        diagnose(profile)

    gateway(0), bare(0)  # warm up: registration, caches
    bare_times, gateway_times = [], []
    for _ in range(ROUNDS):
        bare_times.append(_time(bare))
        gateway_times.append(_time(gateway))
    bare_s = statistics.median(bare_times)
    gateway_s = statistics.median(gateway_times)
    return {"bare_ms": bare_s * 1e3, "gateway_ms": gateway_s * 1e3,
            "ratio": gateway_s / bare_s}


def main() -> None:
    result = measure()
    verdict = "meets" if result["ratio"] <= TARGET_RATIO else "MISSES"
    print(f"bare assert_fact  {result['bare_ms']:.3f} ms/call")
    print(f"gateway diagnose  {result['gateway_ms']:.3f} ms/call")
    print(f"ratio             {result['ratio']:.2f}x  ({verdict} the {TARGET_RATIO:.0f}x target)")
