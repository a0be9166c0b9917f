"""Simulation throughput (replication-months per second) against a bare SimPy loop.

The bare loop starts, per replication, as many processes as the model does (ten flywheel steps,
the wheel, perception, organization, relaunch, random shocks and the recorder tick monthly; the
executive review quarterly) and runs them for the same months, each doing nothing. The ratio says
what the model's own work costs on top of SimPy's event loop; most of it is the durable-rules
diagnosis at each quarterly review (measured separately and printed). Finally the issue's target:
1,000 runs x 36 months with the process pool (target: under 30 s on 2 cores).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Generator
from typing import Any

import simpy

from rules.diagnosis import diagnose
from simulation import reviews, run_experiment
from simulation.parameters import REVIEW_INTERVAL

PROFILE = "kickoff-fintech"
STRATEGY = "customer_centric"
MONTHS = 36
RUNS = 200                 # single-process measurement
MONTHLY_PROCESSES = 16     # 10 steps, wheel, perception, organization, relaunch, shocks, recorder
TARGET_RUNS = 1000
TARGET_SECONDS = 30.0


def _tick(env: simpy.Environment, every: int) -> Generator[simpy.Event, None, None]:
    while True:
        yield env.timeout(every)


def bare(runs: int, months: int) -> float:
    """Seconds for ``runs`` empty replications with the model's processes and ticks."""
    start = time.perf_counter()
    for _ in range(runs):
        env = simpy.Environment()
        for _ in range(MONTHLY_PROCESSES):
            env.process(_tick(env, 1))
        env.process(_tick(env, REVIEW_INTERVAL))
        env.run(until=months + 1)
    return time.perf_counter() - start


class _TimedDiagnosis:
    """Wraps the reviews' diagnosis to time it inside a run (single process only)."""

    def __init__(self) -> None:
        self.calls = 0
        self.seconds = 0.0

    def __call__(self, profile: Any) -> Any:
        start = time.perf_counter()
        try:
            return diagnose(profile)
        finally:
            self.seconds += time.perf_counter() - start
            self.calls += 1


def measure() -> dict[str, Any]:
    run_experiment(PROFILE, STRATEGY, runs=5, months=MONTHS, workers=1)  # warm up
    bare_s = statistics.median(bare(RUNS, MONTHS) for _ in range(5))
    timed = _TimedDiagnosis()
    reviews.diagnose = timed
    try:
        start = time.perf_counter()
        run_experiment(PROFILE, STRATEGY, runs=RUNS, months=MONTHS, workers=1)
        model_s = time.perf_counter() - start
    finally:
        reviews.diagnose = diagnose
    start = time.perf_counter()
    run_experiment(PROFILE, STRATEGY, runs=TARGET_RUNS, months=MONTHS)
    target_s = time.perf_counter() - start
    rep_months = RUNS * MONTHS
    return {"model_rate": rep_months / model_s, "bare_rate": rep_months / bare_s,
            "ratio": model_s / bare_s, "diagnosis_ms": timed.seconds / timed.calls * 1e3,
            "diagnosis_share": timed.seconds / model_s, "target_s": target_s}


def main() -> None:
    r = measure()
    verdict = "meets" if r["target_s"] < TARGET_SECONDS else "MISSES"
    print(f"model, one process    {r['model_rate']:>10,.0f} replication-months/s")
    print(f"bare SimPy loop       {r['bare_rate']:>10,.0f} replication-months/s")
    print(f"ratio                 {r['ratio']:>10.1f}x slower than the bare loop")
    print(f"diagnosis             {r['diagnosis_ms']:>10.2f} ms/call at the reviews, "
          f"{r['diagnosis_share']:.0%} of the model's time")
    print(f"{TARGET_RUNS} runs x {MONTHS} months {r['target_s']:>7.1f} s with the process pool "
          f"({verdict} the {TARGET_SECONDS:.0f} s target)")


if __name__ == "__main__":
    main()
