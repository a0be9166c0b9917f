"""The advice's cost: a recommendation against the diagnosis it starts from, and one batched
engine session against one session per fact.

Both ratios come from the same run (medians of alternating rounds, so machine noise hits both
sides alike). The largest profile allowed (50 customers x 30 outcomes) shows the worst case.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from advisor.assessment import Profile, load_profile, parse_profile
from rules.advice import recommend
from rules.advice.approaches import candidates
from rules.advice.demand import Assessment, service_demand
from rules.advice.table import load_advice_table
from rules.diagnosis import diagnose
from rules.gateway import get_gateway

PROFILES = Path(__file__).resolve().parent.parent / "scenarios" / "profiles"
ROUNDS = 7
CALLS_PER_ROUND = 20


def _median_ms(call: Callable[[], Any], other: Callable[[], Any]) -> tuple[float, float]:
    """Median milliseconds per call of ``call`` and of ``other``, timed in alternating rounds."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(ROUNDS):
        for side, fn in enumerate((call, other)):
            start = time.perf_counter()
            for _ in range(CALLS_PER_ROUND):
                fn()
            times[side].append((time.perf_counter() - start) / CALLS_PER_ROUND * 1e3)
    return statistics.median(times[0]), statistics.median(times[1])


def largest_profile() -> Profile:
    rng = random.Random(3)
    groups = ["project_managers", "program_managers", "executives", "functional_managers"]
    doc = load_profile(PROFILES / "growing-telecom.yaml").to_dict()
    doc["customers"] = [{"id": f"c{i}", "group": rng.choice(groups),
                         "maturity": rng.choice([1, 2, 3, 4, 5]),
                         "outcomes": rng.sample(range(1, 31), 30),
                         "risk": rng.choice(["low", "medium", "high"])} for i in range(50)]
    return parse_profile(doc)


def main() -> None:
    profile = load_profile(PROFILES / "crisis-retailer.yaml")
    recommend(profile)
    advice_ms, diagnosis_ms = _median_ms(lambda: recommend(profile), lambda: diagnose(profile))
    print(f"recommend crisis-retailer  {advice_ms:.1f} ms/call  "
          f"({advice_ms / diagnosis_ms:.1f}x its diagnosis, {diagnosis_ms:.1f} ms)")

    big = largest_profile()
    start = time.perf_counter()
    advice = recommend(big)
    print(f"recommend largest profile  {(time.perf_counter() - start) * 1e3:.0f} ms "
          f"({len(advice.approaches)} approach pairs)")

    table = load_advice_table()
    assessment = Assessment.read(big, diagnose(big))
    demands = service_demand(assessment.customers, assessment.offered, 0.8, 3)
    unique = {c.signature: c.values for c in candidates(assessment, list(demands.values()))}
    facts = [table.fact("approach", i + 1, v) for i, v in enumerate(unique.values())]
    gateway = get_gateway()
    start = time.perf_counter()
    gateway.evaluate_facts(table.name, facts)
    batched = time.perf_counter() - start
    start = time.perf_counter()
    for fact in facts:
        gateway.evaluate_facts(table.name, [fact])
    one_by_one = time.perf_counter() - start
    print(f"{len(facts)} approach facts: one session {batched * 1e3:.0f} ms, one session per "
          f"fact {one_by_one * 1e3:.0f} ms ({one_by_one / batched:.1f}x)")
