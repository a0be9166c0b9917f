"""Simulation speed, each figure a ratio measured side by side in one run (issue 13 targets).

* model vs a bare SimPy loop: the bare loop starts, per replication, as many processes as the
  model does (ten flywheel steps, the wheel, perception, organization, relaunch, random shocks and
  the recorder tick monthly; the executive review quarterly) and runs them for the same months,
  each doing nothing. Target: the model at least 1/5 of the bare loop's speed. Both sides run in
  this one process, in alternating rounds; the ratio is of CPU seconds (``time.process_time``),
  which other jobs on a shared machine distort far less than wall-clock time (printed too).
* the whole model with the thin engine host against durable-rules' own host (same results).
  Every model round starts cold: the reviews' memo of the engine's answers (``rules/memo.py``)
  and the rankings they remembered are forgotten first; the memo's hit rate over the measured
  rounds is reported.
* all local cores (``--executor processes``) vs inline for 2,000 x 36-month replications: at
  least 1.6x on 2 cores; a 2-worker Dask ``LocalCluster`` (its start-up included) vs inline: at
  least 1.4x. Every side starts as a fresh run would: the inline run with the engine's memo and
  the rankings forgotten, each worker with its own, empty.
* 10,000 x 36-month replications on every core: under 60 s.
"""

from __future__ import annotations

import os
import platform
import resource
import statistics
import time
from collections.abc import Callable, Generator
from typing import Any, TypeVar

import simpy

import rules.gateway
from api.http.server_process import proc_stats
from rules.diagnosis import forget_rankings, load_diagnosis_table
from rules.gateway import RulesGateway, get_gateway
from simulation import reviews, run_experiment
from simulation.executors import cpu_count
from simulation.limits import LOCAL
from simulation.parameters import REVIEW_INTERVAL
from simulation.runner import run_many
from simulation.spec import make_spec

PROFILE = "kickoff-fintech"
STRATEGY = "customer_centric"
MONTHS = 36
RUNS = 100                 # single-process measurement, per round
ROUNDS = 5
MONTHLY_PROCESSES = 16     # 10 steps, wheel, perception, organization, relaunch, shocks, recorder
TARGET_MODEL_RATIO = 5.0   # model at most 5x the bare loop's time
PARALLEL_RUNS = 2000
TARGET_PROCESSES = 1.6
TARGET_DASK = 1.4
LONG_RUNS = 10_000
TARGET_LONG_SECONDS = 60.0
_T = TypeVar("_T")


def _tick(env: simpy.Environment, every: int) -> Generator[simpy.Event, None, None]:
    while True:
        yield env.timeout(every)


def _bare_runs(runs: int, months: int) -> None:
    for _ in range(runs):
        env = simpy.Environment()
        for _ in range(MONTHLY_PROCESSES):
            env.process(_tick(env, 1))
        env.process(_tick(env, REVIEW_INTERVAL))
        env.run(until=months + 1)


def bare(runs: int, months: int) -> float:
    """Seconds for ``runs`` empty replications with the model's processes and ticks."""
    return _seconds(lambda: _bare_runs(runs, months))


def _both_clocks(call: Callable[[], Any]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    call()
    return time.perf_counter() - wall, time.process_time() - cpu


def _seconds(call: Callable[[], Any]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def _live_children_cpu() -> float:
    """CPU of our live children and of the children they reaped: the forkserver, which lives
    across pools, forks the pool's workers and reaps them (Linux /proc)."""
    me = os.getpid()
    total = sum(sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
                for _, fields in proc_stats() if int(fields[1]) == me)
    return total / os.sysconf("SC_CLK_TCK")


def _cpu_seconds() -> float:
    """CPU time of this process, of its finished children (cluster workers) and of the pool
    workers its forkserver ran."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
            + _live_children_cpu())


def _timed_run(**options: Any) -> tuple[float, float]:
    """(wall seconds, CPU seconds here and in every worker) of one run."""
    cpu = _cpu_seconds()
    wall = _model(**options)
    return wall, _cpu_seconds() - cpu


def _model(runs: int, **options: Any) -> float:
    """Wall seconds of one run of the benchmark's experiment."""
    return _seconds(lambda: run_experiment(PROFILE, STRATEGY, runs=runs, months=MONTHS,
                                           **options))


class _TimedReviewDiagnosis:
    """Wraps the reviews' diagnosis to time it inside a run (single process only)."""

    def __init__(self, inner: Callable[[Any], Any]) -> None:
        self.inner = inner
        self.calls = 0
        self.seconds = 0.0

    def __call__(self, profile: Any) -> Any:
        start = time.perf_counter()
        try:
            return self.inner(profile)
        finally:
            self.seconds += time.perf_counter() - start
            self.calls += 1


def _with_host(kind: str, call: Callable[[], _T]) -> _T:
    """Run ``call`` with this process' gateway driving the engine through ``kind``."""
    saved = rules.gateway._gateway
    rules.gateway._gateway = RulesGateway(host=kind)
    try:
        return call()
    finally:
        rules.gateway._gateway = saved


def measure_model() -> dict[str, Any]:
    _model(5, executor="inline")  # warm up
    bare_times, model_times, full_times = [], [], []

    def model() -> None:
        run_experiment(PROFILE, STRATEGY, runs=RUNS, months=MONTHS, executor="inline")

    def cold_model() -> tuple[float, float]:
        forget_rankings()         # nothing learned in an earlier round helps this one
        return _both_clocks(model)

    ruleset = load_diagnosis_table().name
    hits = misses = 0
    for _ in range(ROUNDS):       # alternate, so machine noise hits every side alike
        bare_times.append(_both_clocks(lambda: _bare_runs(RUNS, MONTHS)))
        model_times.append(cold_model())
        round_hits, round_misses = get_gateway().memo_stats(ruleset)
        hits, misses = hits + round_hits, misses + round_misses
        full_times.append(_with_host("full", cold_model))
    (bare_s, bare_cpu), (model_s, model_cpu), (full_s, full_cpu) = (
        (statistics.median(w for w, _ in t), statistics.median(c for _, c in t))
        for t in (bare_times, model_times, full_times))
    original = reviews.diagnose_ranking
    timed = _TimedReviewDiagnosis(original)
    reviews.diagnose_ranking = timed
    forget_rankings()
    try:
        timed_s = _model(RUNS, executor="inline")
    finally:
        reviews.diagnose_ranking = original
    rep_months = RUNS * MONTHS
    return {"model_rate": rep_months / model_cpu, "bare_rate": rep_months / bare_cpu,
            "ratio": model_cpu / bare_cpu, "wall_ratio": model_s / bare_s,
            "full_host_speedup": full_cpu / model_cpu,
            "memo_hit_rate": hits / (hits + misses) if hits + misses else 0.0,
            "diagnosis_ms": timed.seconds / timed.calls * 1e3,
            "diagnosis_share": timed.seconds / timed_s}


def measure_executors() -> dict[str, Any]:
    # inline starts as a fresh run does, as every worker does: with nothing remembered (the
    # engine's memo and the rankings; the model rounds above left this process' warm)
    forget_rankings()
    inline_s, inline_cpu = _timed_run(runs=PARALLEL_RUNS, executor="inline")
    processes_s, processes_cpu = _timed_run(runs=PARALLEL_RUNS, executor="processes")
    dask_s, dask_cpu = _timed_run(runs=PARALLEL_RUNS, executor="dask", workers=2)
    # past the command line's limits (LOCAL), widened here: a batch run's size
    limits = LOCAL.with_changes(max_runs=LONG_RUNS, max_run_months=LONG_RUNS * MONTHS)
    spec = make_spec(PROFILE, STRATEGY, months=MONTHS, runs=LONG_RUNS, limits=limits)
    long_s = _seconds(lambda: run_many([spec], executor="processes"))
    return {"inline_s": inline_s, "processes_s": processes_s, "dask_s": dask_s,
            "inline_cpu": inline_cpu, "processes_cpu": processes_cpu, "dask_cpu": dask_cpu,
            "processes_speedup": inline_s / processes_s, "dask_speedup": inline_s / dask_s,
            "long_s": long_s}


def machine() -> str:
    """The machine the figures come from: cores, CPU model, Python."""
    model = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu_count()} cores usable ({model}), Python {platform.python_version()}, "
            f"load average {os.getloadavg()[0]:.1f} at the start")


def _verdict(ok: bool) -> str:
    return "meets" if ok else "MISSES"


def main() -> None:
    print(f"machine               {machine()}")
    r = measure_model()
    print(f"model, one process    {r['model_rate']:>10,.0f} replication-months per CPU second")
    print(f"bare SimPy loop       {r['bare_rate']:>10,.0f} replication-months per CPU second")
    ok = r["ratio"] <= TARGET_MODEL_RATIO
    print(f"model vs bare loop    1/{r['ratio']:.1f} in CPU time, 1/{r['wall_ratio']:.1f} wall "
          f"({_verdict(ok)} the 1/{TARGET_MODEL_RATIO:.0f} target)")
    print(f"thin vs full host     {r['full_host_speedup']:>10.2f}x the whole model's speed")
    print(f"review diagnosis      {r['diagnosis_ms']:>10.3f} ms/call, "
          f"{r['diagnosis_share']:.0%} of the model's time; the engine's memo answered "
          f"{r['memo_hit_rate']:.0%} (cold at each round of {RUNS} runs)")
    e = measure_executors()
    print(f"{PARALLEL_RUNS} x {MONTHS} inline     {e['inline_s']:>7.1f} s "
          f"({e['inline_cpu']:.1f} s CPU)")
    print(f"{PARALLEL_RUNS} x {MONTHS} processes  {e['processes_s']:>7.1f} s "
          f"({e['processes_cpu']:.1f} s CPU in all processes)  {e['processes_speedup']:.2f}x "
          f"({_verdict(e['processes_speedup'] >= TARGET_PROCESSES)} the {TARGET_PROCESSES}x "
          "target)")
    print(f"{PARALLEL_RUNS} x {MONTHS} dask (2)   {e['dask_s']:>7.1f} s "
          f"({e['dask_cpu']:.1f} s CPU in all processes)  {e['dask_speedup']:.2f}x "
          f"({_verdict(e['dask_speedup'] >= TARGET_DASK)} the {TARGET_DASK}x target; "
          "LocalCluster start-up included)")
    print(f"{LONG_RUNS} x {MONTHS} processes {e['long_s']:>7.1f} s  "
          f"({_verdict(e['long_s'] < TARGET_LONG_SECONDS)} the {TARGET_LONG_SECONDS:.0f} s "
          "target)")


if __name__ == "__main__":
    main()
