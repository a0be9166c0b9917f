"""Monte Carlo: many replications of one experiment, in this process or in a process pool.

Replication ``i`` always runs on ``SeedSequence(seed).spawn(runs)[i]``, whichever strategy is
simulated and whichever worker runs it, and results are put back in replication order: the same
seed gives the same result bit for bit, with or without workers, and strategies compared with one
seed face the same shocks and noise (common random numbers).

Workers are started with ``forkserver`` (``spawn`` where that does not exist), never plain
``fork``: a server may call this from a thread, and forking a threaded process can deadlock. Each
worker builds its own durable-rules engine on first use (``rules/gateway.py``). As with any
``spawn``-style pool, a script that runs large experiments needs the usual
``if __name__ == "__main__":`` guard; ``workers=1`` never starts a pool.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from rules.diagnosis import diagnose
from simulation.model import Replication, simulate
from simulation.spec import ExperimentSpec

__all__ = ["run_replications", "run_many", "Progress", "PARALLEL_MIN_WORK", "MAX_WORKERS"]

#: Replication-months below which a pool costs more (start-up, engine builds) than it saves.
PARALLEL_MIN_WORK = 6_000
MAX_WORKERS = 8
CHUNKS_PER_WORKER = 6        # smaller chunks balance the load and let progress move

Progress = Callable[[int, int], None]


def _run_chunk(spec: ExperimentSpec, seeds: Sequence[np.random.SeedSequence]
               ) -> list[Replication]:
    initial = diagnose(spec.start.profile())
    return [simulate(spec.start, spec.strategy, spec.parameters, spec.months, seed,
                     spec.shocks, spec.random_shocks, spec.relaunch_strategy, initial=initial)
            for seed in seeds]


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["simulation.runner"])
        return ctx
    return multiprocessing.get_context("spawn")


def _workers(requested: int | None, work: int) -> int:
    if requested is not None:
        return max(1, min(int(requested), MAX_WORKERS))
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return 1 if work < PARALLEL_MIN_WORK else max(1, min(cpus or 1, MAX_WORKERS))


def run_many(specs: Sequence[ExperimentSpec], workers: int | None = None,
             progress: Progress | None = None) -> list[list[Replication]]:
    """All replications of several experiments (one list per spec, in replication order)."""
    total = sum(s.runs for s in specs)
    n_workers = _workers(workers, sum(s.runs * s.months for s in specs))
    seeds = [np.random.SeedSequence(s.seed).spawn(s.runs) for s in specs]
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total)

    if n_workers == 1:
        out = []
        for spec, spec_seeds in zip(specs, seeds):
            runs = []
            for chunk_start in range(0, spec.runs, 10):
                runs += _run_chunk(spec, spec_seeds[chunk_start:chunk_start + 10])
                tick(len(runs) - chunk_start)
            out.append(runs)
        return out

    size = max(1, -(-total // (n_workers * CHUNKS_PER_WORKER)))
    with ProcessPoolExecutor(max_workers=n_workers, mp_context=_context()) as pool:
        try:
            futures = [[pool.submit(_run_chunk, spec, spec_seeds[i:i + size])
                        for i in range(0, spec.runs, size)]
                       for spec, spec_seeds in zip(specs, seeds)]
            out = []
            for spec_futures in futures:
                runs = []
                for future in spec_futures:
                    chunk = future.result()
                    runs += chunk
                    tick(len(chunk))
                out.append(runs)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)   # Ctrl-C: do not finish the queue
            raise
    return out


def run_replications(spec: ExperimentSpec, workers: int | None = None,
                     progress: Progress | None = None) -> list[Replication]:
    return run_many([spec], workers, progress)[0]
