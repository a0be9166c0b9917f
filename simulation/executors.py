"""Where replications run: in this process, on local worker processes, or on a Dask cluster.

``inline`` runs every chunk here; ``processes`` on a local process pool (``forkserver``, or
``spawn`` where that does not exist: a server may call this from a thread, and forking a threaded
process can deadlock); ``dask`` on a Dask cluster, the one at ``scheduler``
(``tcp://host:8786``) or, without one, a ``LocalCluster`` started here and stopped afterwards.

The work is a list of independent tasks (a function and its arguments, all picklable); results
come back in task order whatever finished first, so a caller that gives every replication its own
random stream (seed + index, never the worker) gets the same result on every executor. Each
worker builds its own durable-rules engine on first use (``rules/gateway.py``), after it starts.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, wait
from dataclasses import dataclass
from multiprocessing import forkserver
from typing import Any

from advisor.errors import InputError
from advisor.validation import excerpt

__all__ = ["EXECUTORS", "Execution", "run_tasks", "cpu_count", "check_scheduler", "MAX_WORKERS",
           "MAX_REQUESTED_WORKERS"]

#: The executors a run can ask for (``--executor``).
EXECUTORS = ("inline", "processes", "dask")
MAX_WORKERS = 8
#: workers one run may ask for (a remote cluster's count; local pools are capped at MAX_WORKERS)
MAX_REQUESTED_WORKERS = 10_000
#: seconds a Dask scheduler has to answer (connect, handshake and ``identity``)
SCHEDULER_TIMEOUT_SECONDS = 10.0
_SCHEDULER = re.compile(r"^(tcp|tls|ucx|inproc)://[^\s/:]+(:(?P<port>\d{1,5}))?/?$")

Task = tuple[Callable[..., Any], tuple[Any, ...]]
#: the module a worker process imports before its first task (``simulation/worker.py``)
WORKER = "simulation.worker"


def cpu_count() -> int:
    """Cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


@dataclass(frozen=True)
class Execution:
    """How to run: ``executor`` (None: inline for small work, local processes for large),
    ``workers`` (None: every core, at most :data:`MAX_WORKERS`) and a Dask ``scheduler``."""

    executor: str | None = None
    workers: int | None = None
    scheduler: str | None = None

    def __post_init__(self) -> None:
        if self.executor is not None and self.executor not in EXECUTORS:
            raise InputError(f"executor must be one of {', '.join(EXECUTORS)}, "
                             f"not {self.executor!r}", "executor")
        if self.scheduler is not None:
            if self.executor != "dask":
                raise InputError("a scheduler is only used with the dask executor "
                                 "(--executor dask)", "scheduler")
            match = _SCHEDULER.match(self.scheduler)
            if not match or not 1 <= int(match["port"] or 8786) <= 65535:
                raise InputError("scheduler must be a Dask scheduler address such as "
                                 f"tcp://host:8786 (port 1-65535), not {self.scheduler!r}",
                                 "scheduler")
        if self.workers is not None and not 1 <= int(self.workers) <= MAX_REQUESTED_WORKERS:
            raise InputError(f"workers must be between 1 and {MAX_REQUESTED_WORKERS}, got "
                             f"{self.workers}", "workers")

    def resolve(self, work: int, min_parallel_work: int) -> tuple[str, int]:
        """(executor, worker count) for ``work`` units (replication-months)."""
        executor = self.executor
        if executor is None:
            if self.workers == 1 or (self.workers is None and work < min_parallel_work):
                executor = "inline"
            else:
                executor = "processes"
        if executor == "inline":
            return "inline", 1
        n = self.workers if self.workers is not None else cpu_count()
        local = executor == "processes" or self.scheduler is None   # a pool started here
        return executor, max(1, min(int(n), MAX_WORKERS if local else n))


def run_tasks(tasks: Sequence[Task], executor: str, workers: int, scheduler: str | None = None,
              done: Callable[[int], None] | None = None) -> list[Any]:
    """Every task's result, in task order; ``done(i)`` is called as task ``i`` finishes."""
    if executor == "inline":
        return _inline(tasks, done)
    if executor == "processes":
        return _processes(tasks, workers, done)
    return _dask(tasks, workers, scheduler, done)


def _inline(tasks: Sequence[Task], done: Callable[[int], None] | None) -> list[Any]:
    out = []
    for i, (fn, args) in enumerate(tasks):
        out.append(fn(*args))
        if done is not None:
            done(i)
    return out


def _context(*preload: str) -> multiprocessing.context.BaseContext:
    """The forkserver context, its server started now if it is not running yet, with
    :data:`WORKER` and ``preload`` imported in it before it forks any worker; ``spawn`` where
    there is no forkserver.

    Started now, the server prepares the workers while the caller goes on starting the pool or
    the cluster. One server serves the process: whichever executor starts it chooses what it
    imports (a Dask worker forked from a server started for a pool imports Dask itself)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([*preload, WORKER])
    forkserver.ensure_running()
    return ctx


def _processes(tasks: Sequence[Task], workers: int,
               done: Callable[[int], None] | None) -> list[Any]:
    with ProcessPoolExecutor(max_workers=workers, mp_context=_context(),
                             initializer=_follow_parent) as pool:
        try:
            futures = [pool.submit(fn, *args) for fn, args in tasks]
            out = []
            for i, future in enumerate(futures):
                while not future.done():   # in slices: a signal the kernel gives another
                    wait((future,), timeout=0.5)   # thread is handled here within 0.5 s
                out.append(future.result())
                if done is not None:
                    done(i)
        except BaseException:
            started = list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)   # Ctrl-C: do not finish the queue
            _terminate(started)
            raise
    return out


def _follow_parent() -> None:
    """A pool worker's first act: end when the process that started the pool ends, however
    it ends. Killed (SIGKILL, the OOM killer: a jobs runner mid-job), it left its workers
    waiting for work for ever, and they kept their forkserver alive."""
    import threading
    from multiprocessing.connection import wait as ready

    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:
        return

    def follow() -> None:
        ready([parent.sentinel])    # readable once the parent is gone
        os._exit(1)

    threading.Thread(target=follow, name="follow-parent", daemon=True).start()


def _terminate(workers: list[multiprocessing.process.BaseProcess]) -> None:
    """Stop an interrupted pool's workers now (SIGTERM, or Ctrl-C sent to this process
    alone). Left alone, each finishes its running chunk first while this process waits at
    exit, and a caller killed in that time (SIGKILL after a grace period) leaves them for
    ever: a worker never notices its parent is gone, and it keeps the forkserver alive.
    ``workers`` is the pool's own map of them (``_processes``; Python 3.14 has
    ``terminate_workers()``), read before ``shutdown`` forgets it."""
    for worker in workers:
        if worker.is_alive():
            worker.terminate()


def _pickled(fn: Callable[..., Any], *args: Any) -> bytes:
    """Run a task on a Dask worker and hand back its result as one pickle. Measured: Dask's own
    serialization of a chunk of replications (thousands of small numpy arrays, each its own
    frame) took longer than running them."""
    return pickle.dumps(fn(*args), protocol=pickle.HIGHEST_PROTOCOL)


def check_scheduler(address: str, timeout: float | None = None) -> None:
    """Refuse, within ``timeout`` seconds, an address where no Dask scheduler answers.

    Dask's ``Client(timeout=...)`` bounds only the TCP connect: a server that accepts and then
    stays silent (any other service on that port) hangs it for ever, and one that answers with
    other bytes makes it read a garbage frame length (a MemoryError for exabytes). So ask the
    address who it is (Dask's handshake, then its ``identity`` operation) under one deadline."""
    import asyncio

    from distributed.comm import connect

    limit = SCHEDULER_TIMEOUT_SECONDS if timeout is None else timeout

    async def identity() -> Any:
        comm = await connect(address, timeout=limit)
        try:
            await comm.write({"op": "identity", "reply": True, "close": True})
            return await comm.read()
        finally:
            comm.abort()

    try:     # on a thread of its own: the caller may be running an event loop (a notebook)
        with ThreadPoolExecutor(1) as probe:
            answer = probe.submit(asyncio.run, asyncio.wait_for(identity(), limit)).result()
    except TimeoutError:   # (an OSError too: caught first)
        raise InputError(f"no Dask scheduler answered at {address} within {limit:g} s",
                         "scheduler") from None
    except OSError as exc:   # refused, reset, unknown host, connect timed out
        raise InputError(f"cannot reach the Dask scheduler at {address}: "
                         f"{excerpt(str(exc) or type(exc).__name__, 200)}",
                         "scheduler") from None
    except Exception as exc:  # noqa: BLE001 - bytes that are not Dask's protocol
        raise InputError(f"{address} does not answer as a Dask scheduler does "
                         f"({type(exc).__name__})", "scheduler") from None
    if not isinstance(answer, dict) or answer.get("type") != "Scheduler":
        kind = answer.get("type") if isinstance(answer, dict) else None
        raise InputError(f"{address} is not a Dask scheduler"
                         + (f" (a Dask {kind})" if isinstance(kind, str) else ""), "scheduler")


def _keep_preload() -> None:
    """Stop Dask from choosing the forkserver's preload: the first time a nanny sees the
    forkserver method, Dask imports pandas and its other optional packages *here* (about 1 s)
    to preload them, none of which a worker of ours uses; our server already runs with what
    they need. ``_forkserver_preload_set`` is Dask's private flag for "already chosen" (pinned
    in constraints.txt; were it gone, the cost would be that import, not a wrong result)."""
    import distributed.utils

    if hasattr(distributed.utils, "_forkserver_preload_set"):
        distributed.utils._forkserver_preload_set = True


def _dask(tasks: Sequence[Task], workers: int, scheduler: str | None,
          done: Callable[[int], None] | None) -> list[Any]:
    if scheduler is None:
        local = _context("distributed")   # its workers prepared while Dask is imported here
    try:
        import dask
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError as exc:  # pragma: no cover - dask is a dependency
        raise InputError("the dask executor needs dask and distributed installed",
                         "executor") from exc
    cluster = None
    try:
        if scheduler is None:
            # Dask's nannies start workers with MALLOC_TRIM_THRESHOLD_=65536 (to hand memory
            # back sooner); measured, it makes this allocation-heavy pure-Python model 2.2x
            # slower, so the cluster started here keeps glibc's default.
            environ = {k: v for k, v in dask.config.get("distributed.nanny.pre-spawn-environ",
                                                        {}).items()
                       if k != "MALLOC_TRIM_THRESHOLD_"}
            # No dashboard, so nobody reads the workers' statistical profiles: measured, the
            # sampling thread took 1.2% of a worker's time and the GIL from the model 100 times
            # a second. Likewise the event loops' 20 ms watchdog tick (1 s here) and work
            # stealing (equal chunks on equal local workers: the scheduler's queue balances
            # them): together about 6% of a 2,000-run job on 2 cores, measured side by side.
            with dask.config.set({"distributed.nanny.pre-spawn-environ": environ,
                                  "distributed.worker.multiprocessing-method":
                                      local.get_start_method(),
                                  "distributed.worker.profile.enabled": False,
                                  "distributed.admin.tick.interval": "1s",
                                  "distributed.scheduler.work-stealing": False}):
                _keep_preload()
                # no dashboard, and the scheduler's small HTTP server (health, metrics) on a
                # free port: on Dask's default 8787, any other cluster there made it warn
                cluster = LocalCluster(n_workers=workers, threads_per_worker=1,
                                       processes=True, dashboard_address=None,
                                       scheduler_kwargs={"dashboard": False,
                                                         "dashboard_address": ":0"},
                                       silence_logs=logging.ERROR)
            client = Client(cluster)
        else:
            check_scheduler(scheduler)
            try:
                client = Client(scheduler, timeout=f"{SCHEDULER_TIMEOUT_SECONDS}s")
            except Exception as exc:  # noqa: BLE001 - whatever went wrong, the address is bad
                raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {exc}",
                                 "scheduler") from exc
            try:       # a scheduler without workers would hold the tasks for ever, silently
                client.wait_for_workers(1, timeout=SCHEDULER_TIMEOUT_SECONDS)
            except TimeoutError:
                client.close()
                raise InputError(f"the Dask scheduler at {scheduler} has no workers (none "
                                 f"joined within {SCHEDULER_TIMEOUT_SECONDS:g} s); start "
                                 f"some: dask worker {scheduler}", "scheduler") from None
        with client:
            futures = [client.submit(_pickled, fn, *args, pure=False) for fn, args in tasks]
            index = {f.key: i for i, f in enumerate(futures)}
            out: list[Any] = [None] * len(futures)
            try:
                for future in as_completed(futures):
                    i = index[future.key]
                    out[i] = pickle.loads(future.result())   # a task's error raises here
                    if done is not None:
                        done(i)
            except BaseException:
                client.cancel(futures)
                raise
            return out
    finally:
        if cluster is not None:
            cluster.close()
