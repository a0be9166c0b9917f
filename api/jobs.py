"""Long runs as jobs: a simulation, a comparison or a sweep, run outside the HTTP workers.

A job is a row of the project's database (``jobs``: ``api/store/jobs.py``; SQLite by default,
PostgreSQL by ``PMO_ADVISOR_DATABASE_URL``): its kind, the request as sent, a status
(``queued``, ``running``, ``done``, ``failed``, ``cancelled``), its progress and, once done, its
result. Submitting (an HTTP worker) only checks the request and inserts the row. A **runner**, a
process of its own, claims queued jobs one at a time, runs each reporting progress (at most every
:data:`PROGRESS_EVERY_SECONDS`, each report its own small transaction, which is also how it
notices a cancellation) and writes the result *in the same transaction* that sets ``done``.
``pmo-advisor serve`` starts one runner beside its workers (and restarts it if it dies);
``pmo-advisor jobs run`` (or ``python -m api.jobs run``) runs one alone, on any host that reaches
the database. A runner starting up fails the jobs left ``running`` by a dead runner: they can be
submitted again; a half-written result is never served.

Jobs use the command line's limits (:data:`simulation.limits.LOCAL`): long runs are what they are
for. At most ``max_active`` jobs are queued or running at once; past that, submitting is refused
(HTTP 429 with ``Retry-After``).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.exc import OperationalError

from advisor.errors import InputError
from advisor.validation import load_with
from api.schemas.jobs import KINDS, STATUSES
from api.store.jobs import Job, JobStore, QueueFull, runner_identity

__all__ = ["KINDS", "STATUSES", "Job", "JobStore", "QueueFull", "Runner", "submit", "execute",
           "MAX_ACTIVE", "RETRY_AFTER_SECONDS", "RunnerLaunch", "runner_command", "open_waiting"]

MAX_ACTIVE = 2                 # jobs queued or running at once (the machine's cores)
RETRY_AFTER_SECONDS = 30
PROGRESS_EVERY_SECONDS = 0.5   # progress writes at most this often
HEARTBEAT_SECONDS = 5.0        # a running job's runner says it is alive this often
POLL_SECONDS = 0.5             # an idle runner looks for queued jobs this often
UNREACHABLE_PAUSE_SECONDS = 5.0


class Cancelled(Exception):
    """The job was cancelled (or taken from this runner) while it ran."""


def _load(kind: str, request: Any) -> Callable[[Callable[[int, int], None]], Any]:
    """Check a job's request exactly as the synchronous route does; the run it describes."""
    from api import service
    from api.schemas.answers import to_json
    from api.schemas.simulation import request_schemas
    from simulation.limits import LOCAL
    from simulation.spec import check_strategy_list, make_spec, make_specs

    if not isinstance(request, Mapping):
        raise InputError("a job is a JSON object with its kind and the request's fields", "kind")
    if kind == "sweep":
        from simulation.sweeps import parse_sweep, run_sweep
        sweep = parse_sweep(request)

        def run_sweep_job(progress: Callable[[int, int], None]) -> Any:
            return to_json(run_sweep(sweep, progress=progress))
        return run_sweep_job
    simulation_schema, comparison_schema = request_schemas(LOCAL)
    loaded = load_with((simulation_schema if kind == "simulation" else comparison_schema)(),
                       request)
    start = loaded["profile"] if "profile" in loaded else loaded["preset"]
    options = {k: loaded[k] for k in ("months", "runs", "seed", "shocks", "random_shocks",
                                      "relaunch_strategy") if k in loaded}
    # the domain's own checks (limits, shocks), as the synchronous route meets them
    if kind == "simulation":
        make_spec(start, loaded["strategy"], limits=LOCAL, **options)
    else:
        make_specs(start, check_strategy_list(loaded["strategies"], LOCAL), compared=True,
                   limits=LOCAL, **options)

    def run_simulation_job(progress: Callable[[int, int], None]) -> Any:
        if kind == "simulation":
            return to_json(service.simulate(start, loaded["strategy"], limits=LOCAL,
                                            progress=progress, **options))
        return to_json(service.compare(start, loaded["strategies"], limits=LOCAL,
                                       progress=progress, **options))
    return run_simulation_job


def submit(store: JobStore, body: Any, max_active: int = MAX_ACTIVE) -> Job:
    """Check a job request (``{"kind": ..., ...the synchronous request's fields}``) and queue it
    for a runner. Bad input raises InputError; a full queue raises QueueFull."""
    if not isinstance(body, Mapping) or body.get("kind") not in KINDS:
        raise InputError(f"kind must be one of {', '.join(KINDS)}", "kind")
    kind = body["kind"]
    request = {k: v for k, v in body.items() if k != "kind"}
    _load(kind, request)                     # refuse bad input now, not in the runner
    return store.create(kind, request, max_active)


def execute(store: JobStore, job_id: str, runner: str,
            clock: Callable[[], float] = time.monotonic) -> None:
    """Run one job this runner has claimed, to ``done``, ``failed`` or a cancellation.
    ``clock`` times the progress writes (a test gives a fake one, so that how many writes a
    job makes and how far apart does not depend on the machine's speed or load)."""
    last = float("-inf")                 # the first report is written at once
    stop_beating = threading.Event()

    def progress(done: int, total: int) -> None:
        nonlocal last
        if clock() - last >= PROGRESS_EVERY_SECONDS or done >= total:
            status = store.progress(job_id, runner, done, total)
            last = clock()               # from the end of this write: writes never crowd closer
            if status != "running":
                raise Cancelled()

    def beat() -> None:
        while not stop_beating.wait(HEARTBEAT_SECONDS):
            store.beat(job_id, runner)

    heart = threading.Thread(target=beat, name=f"job-{job_id}-heartbeat", daemon=True)
    heart.start()
    try:
        kind, request = store.request(job_id)
        result = _load(kind, request)(progress)
    except Cancelled:
        return
    except InputError as exc:
        store.fail(job_id, str(exc))
        return
    except Exception as exc:  # noqa: BLE001 - recorded on the job, which is what it is for
        store.fail(job_id, f"the job failed: {type(exc).__name__}: {exc}")
        return
    except BaseException:  # stopped (SIGTERM, Ctrl-C): say so rather than leave it running
        store.fail(job_id, "the job's runner was stopped before it finished; submit the job "
                           "again")
        raise
    finally:
        stop_beating.set()
    store.finish(job_id, runner, result)


class Runner:
    """Claims queued jobs one at a time and runs them, until stopped.

    ``parent``: the pid of the process that started it (``pmo-advisor serve``); once that is
    gone the runner stops after its current job, so a killed server leaves no runner behind
    for long, and the job it was running is still done whole."""

    def __init__(self, store: JobStore, parent: int | None = None,
                 poll_seconds: float = POLL_SECONDS) -> None:
        self.store, self.parent, self.poll_seconds = store, parent, poll_seconds
        self.identity = runner_identity()
        self.stopping = threading.Event()

    def run_once(self) -> bool:
        """Claim and run one queued job; False when none was queued."""
        job_id = self.store.claim(self.identity)
        if job_id is None:
            return False
        execute(self.store, job_id, self.identity)
        return True

    def _orphaned(self) -> bool:
        return self.parent is not None and os.getppid() != self.parent

    def run(self) -> None:
        """Fail the jobs dead runners left running, then run jobs until stopped. A database
        that cannot be reached for a while (a restart) is waited for, not a reason to stop."""
        recovered = False
        while not self.stopping.is_set() and not self._orphaned():
            try:
                if not recovered:      # inside the loop: the database may be down at start
                    self.store.recover()
                    recovered = True
                ran = self.run_once()
            except OperationalError as exc:
                print(f"pmo-advisor jobs: the database cannot be reached ({exc.orig}); "
                      f"trying again in {UNREACHABLE_PAUSE_SECONDS:.0f} s", file=sys.stderr)
                self.stopping.wait(UNREACHABLE_PAUSE_SECONDS)
                continue
            if not ran:
                self.stopping.wait(self.poll_seconds)


#: a runner's command, and the environment it runs in (the database URL in it)
RunnerLaunch = tuple[list[str], dict[str, str]]


def runner_command(url: str, parent: int | None = None) -> RunnerLaunch:
    """How ``pmo-advisor serve`` starts its runner: this interpreter, its own process (the
    rules engine is built there, never inherited through a fork). The database URL goes in the
    environment, not the command line, where any user's ``ps`` would show its password."""
    from api.store.engine import ENV_URL

    command = [sys.executable, "-m", "api.jobs", "run"]
    command += ["--parent", str(parent)] if parent else []
    return command, {**os.environ, ENV_URL: url}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database", metavar="URL",
                        help="the project's database (default: PMO_ADVISOR_DATABASE_URL, else "
                             "the SQLite file, as for the assessments)")
    parser.add_argument("--parent", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--once", action="store_true",
                        help="run the queued jobs, then stop (default: wait for more)")


def run(args: argparse.Namespace) -> int:
    """The runner's main loop; SIGTERM stops it (its current job is failed, resubmittable)."""
    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    if args.once:
        runner = Runner(JobStore(args.database), parent=args.parent)
        runner.store.recover()
        while runner.run_once():
            pass
        return 0
    try:
        store = open_waiting(args.database, parent=args.parent)
        if store is not None:
            Runner(store, parent=args.parent).run()
    except KeyboardInterrupt:
        pass
    return 0


def open_waiting(database: str | None, parent: int | None = None) -> JobStore | None:
    """The jobs' store, waiting for a database that cannot be reached yet (a restart): else
    the runner died at once, and ``serve`` restarted it every second, a traceback each time.
    None once the server that started it is gone."""
    while True:
        try:
            return JobStore(database)
        except OperationalError as exc:
            print(f"pmo-advisor jobs: the database cannot be reached ({exc.orig}); trying "
                  f"again in {UNREACHABLE_PAUSE_SECONDS:.0f} s", file=sys.stderr)
        if parent is not None and os.getppid() != parent:
            return None
        time.sleep(UNREACHABLE_PAUSE_SECONDS)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.jobs",
                                     description="run queued jobs (the jobs runner)")
    commands = parser.add_subparsers(dest="command", required=True)
    add_arguments(commands.add_parser("run", help="run queued jobs"))
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
