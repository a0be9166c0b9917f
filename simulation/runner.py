"""Monte Carlo: many replications of one experiment, in this process, on local worker processes
or on a Dask cluster (``simulation/executors.py``).

Replication ``i`` always runs on ``SeedSequence(seed).spawn(runs)[i]``, whichever strategy is
simulated and whichever worker or executor runs it, and results are put back in replication
order: the same seed gives the same result bit for bit on every executor, and strategies compared
with one seed face the same shocks and noise (common random numbers).

Each worker builds its own durable-rules engine on first use (``rules/gateway.py``). As with any
``spawn``-style pool, a script that runs large experiments needs the usual
``if __name__ == "__main__":`` guard; ``workers=1`` never starts a pool.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from rules.diagnosis import Diagnosis, diagnose
from simulation.executors import MAX_WORKERS, Execution, run_tasks
from simulation.model import Replication, simulate
from simulation.spec import ExperimentSpec

__all__ = ["run_replications", "run_many", "Progress", "PARALLEL_MIN_WORK", "MAX_WORKERS"]

#: Replication-months below which a pool costs more (start-up, engine builds) than it saves.
PARALLEL_MIN_WORK = 6_000
CHUNKS_PER_WORKER = 6        # smaller chunks balance the load and let progress move
INLINE_CHUNK = 10            # replications between two progress ticks in this process

Progress = Callable[[int, int], None]


def _run_chunk(spec: ExperimentSpec, seeds: Sequence[np.random.SeedSequence],
               initial: Diagnosis | None = None) -> list[Replication]:
    """``initial``: the month-0 diagnosis when the caller has it (inline: once per spec,
    not once per chunk); a worker works it out."""
    if initial is None:
        initial = diagnose(spec.start.profile())
    return [simulate(spec.start, spec.strategy, spec.parameters, spec.months, seed,
                     spec.shocks, spec.random_shocks, spec.relaunch_strategy, initial=initial)
            for seed in seeds]


def run_many(specs: Sequence[ExperimentSpec], workers: int | None = None,
             progress: Progress | None = None, executor: str | None = None,
             scheduler: str | None = None) -> list[list[Replication]]:
    """All replications of several experiments (one list per spec, in replication order).

    ``executor``: ``inline``, ``processes`` or ``dask`` (None: inline for small work, local
    processes for large); ``scheduler``: a Dask scheduler address (``dask`` only)."""
    execution = Execution(executor, workers, scheduler)
    total = sum(s.runs for s in specs)
    kind, n_workers = execution.resolve(sum(s.runs * s.months for s in specs),
                                        PARALLEL_MIN_WORK)
    seeds = [np.random.SeedSequence(s.seed).spawn(s.runs) for s in specs]
    size = INLINE_CHUNK if kind == "inline" else \
        max(1, -(-total // (n_workers * CHUNKS_PER_WORKER)))
    owners: list[int] = []           # the spec of each task
    tasks = []
    for k, (spec, spec_seeds) in enumerate(zip(specs, seeds)):
        initial = diagnose(spec.start.profile()) if kind == "inline" else None
        for i in range(0, spec.runs, size):
            tasks.append((_run_chunk, (spec, spec_seeds[i:i + size], initial)))
            owners.append(k)
    finished = 0

    def done(i: int) -> None:
        nonlocal finished
        finished += len(tasks[i][1][1])
        if progress is not None:
            progress(finished, total)

    chunks = run_tasks(tasks, kind, n_workers, execution.scheduler, done)
    out: list[list[Replication]] = [[] for _ in specs]
    for k, chunk in zip(owners, chunks):
        out[k] += chunk
    return out


def run_replications(spec: ExperimentSpec, workers: int | None = None,
                     progress: Progress | None = None, executor: str | None = None,
                     scheduler: str | None = None) -> list[Replication]:
    return run_many([spec], workers, progress, executor, scheduler)[0]
