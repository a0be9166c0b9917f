"""Diagnosis through the gateway against a bare durable-rules ``assert_fact`` of the same fact,
and the thin engine host against durable-rules' own host on the same fact (issue 13).

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
from rules.gateway import HOSTS, RulesGateway

PROFILE = Path(__file__).resolve().parent.parent / "scenarios" / "profiles" / "crisis-retailer.yaml"
ROUNDS = 15
CALLS_PER_ROUND = 200
TARGET_RATIO = 2.0
SESSIONS = 100_000


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

    hosts = {kind: RulesGateway(host=kind) for kind in HOSTS}
    for host_gateway in hosts.values():
        host_gateway.register(table.name, table.definition)

    def engine_call(kind: str) -> Callable[[int], None]:
        return lambda _: hosts[kind].evaluate(table.name, fact)

    gateway(0), bare(0)  # warm up: registration, caches
    times: dict[str, list[float]] = {"bare": [], "gateway": [], "thin": [], "full": []}
    for _ in range(ROUNDS):
        times["bare"].append(_time(bare))
        times["gateway"].append(_time(gateway))
        for kind in HOSTS:
            times[kind].append(_time(engine_call(kind)))
    s = {k: statistics.median(v) for k, v in times.items()}
    return {"bare_ms": s["bare"] * 1e3, "gateway_ms": s["gateway"] * 1e3,
            "ratio": s["gateway"] / s["bare"], "thin_ms": s["thin"] * 1e3,
            "full_ms": s["full"] * 1e3, "thin_speedup": s["full"] / s["thin"]}


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def memory_over_sessions(sessions: int = SESSIONS) -> tuple[int, int]:
    """RSS (KiB) after 10,000 thin-host sessions and after ``sessions``: flat means no leak."""
    table = load_diagnosis_table()
    fact = build_fact(load_profile(PROFILE), table)
    gateway = RulesGateway(host="thin")
    gateway.register(table.name, table.definition)
    for _ in range(10_000):
        gateway.evaluate(table.name, fact)
    warm = _rss_kib()
    for _ in range(sessions - 10_000):
        gateway.evaluate(table.name, fact)
    return warm, _rss_kib()


def main() -> None:
    result = measure()
    verdict = "meets" if result["ratio"] <= TARGET_RATIO else "MISSES"
    print(f"bare assert_fact  {result['bare_ms']:.3f} ms/call")
    print(f"gateway diagnose  {result['gateway_ms']:.3f} ms/call")
    print(f"ratio             {result['ratio']:.2f}x  ({verdict} the {TARGET_RATIO:.0f}x target)")
    print(f"engine call, durable-rules' host {result['full_ms']:.3f} ms, thin host "
          f"{result['thin_ms']:.3f} ms: {result['thin_speedup']:.1f}x faster")
    warm, after = memory_over_sessions()
    print(f"thin host memory  {warm / 1024:.1f} MiB after 10,000 sessions, {after / 1024:.1f} MiB "
          f"after {SESSIONS:,}")
