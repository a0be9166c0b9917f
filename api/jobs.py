"""Long runs as jobs: a simulation, a comparison or a sweep, run outside the HTTP workers.

A job is a row of a SQLite file (``JobStore``; its own table, until the project database of issue
12 takes it in): its kind, the request as sent, a status (``queued``, ``running``, ``done``,
``failed``, ``cancelled``), its progress and, once done, its result. Submitting inserts the row
and starts a runner, a separate process detached from the server (``python -m api.jobs run DB
ID``), which claims the job, runs it reporting progress, and writes the result *in the same
transaction* that sets ``done``: a half-written result is never served, and a job cancelled
meanwhile stays cancelled. A runner that died (server host restarted, killed) is noticed when the
job is read: the job is reported ``failed`` and can be submitted again.

Jobs use the command line's limits (:data:`simulation.limits.LOCAL`): long runs are what they are
for. At most ``max_active`` jobs are queued or running at once; past that, submitting is refused
(HTTP 429 with ``Retry-After``).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advisor.errors import InputError
from advisor.validation import load_with
from api.schemas.jobs import KINDS, STATUSES

__all__ = ["KINDS", "STATUSES", "Job", "JobStore", "QueueFull", "submit", "execute",
           "MAX_ACTIVE", "RETRY_AFTER_SECONDS"]

ACTIVE = ("queued", "running")
MAX_ACTIVE = 2                 # jobs queued or running at once (the machine's cores)
RETRY_AFTER_SECONDS = 30
START_GRACE_SECONDS = 30.0     # a queued job no runner claimed by then is failed
PROGRESS_EVERY_SECONDS = 0.5   # progress writes at most this often

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, request TEXT NOT NULL, status TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0, total INTEGER NOT NULL DEFAULT 0,
    result TEXT, error TEXT, runner_pid INTEGER,
    created REAL NOT NULL, updated REAL NOT NULL)
"""


class QueueFull(Exception):
    """As many jobs as allowed are queued or running."""


class Cancelled(Exception):
    """The job was cancelled while it ran."""


@dataclass(frozen=True)
class Job:
    id: str
    kind: str
    status: str
    done: int
    total: int
    created: float
    updated: float
    result: Any = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "kind": self.kind, "status": self.status,
                               "progress": {"done": self.done, "total": self.total},
                               "created": self.created, "updated": self.updated}
        if self.status == "done":
            out["result"] = self.result
        if self.error:
            out["error"] = self.error
        return out


def _alive(pid: int | None) -> bool:
    """A runner process with this pid is running (Linux /proc; elsewhere: signal 0)."""
    if not pid:
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if Path("/proc").is_dir():
        try:
            return b"api.jobs" in cmdline.read_bytes()
        except OSError:
            return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


class JobStore:
    """The jobs table of one SQLite file; every call opens its own short connection, so threads
    and processes (the server's workers, the runners) share it safely."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._write() as db:
            db.execute(_SCHEMA)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        finally:
            db.close()

    @staticmethod
    def _job(row: tuple[Any, ...]) -> Job:
        (id_, kind, status, done, total, created, updated, result, error) = row
        return Job(id_, kind, status, done, total, created, updated,
                   json.loads(result) if result is not None else None, error)

    _COLUMNS = "id, kind, status, done, total, created, updated, result, error"

    def create(self, kind: str, request: Mapping[str, Any], max_active: int) -> Job:
        """A new queued job, unless ``max_active`` jobs are already queued or running."""
        now = time.time()
        job_id = uuid.uuid4().hex
        with self._write() as db:
            self._recover(db)
            active = db.execute("SELECT COUNT(*) FROM jobs WHERE status IN ('queued', "
                                "'running')").fetchone()[0]
            if active >= max_active:
                raise QueueFull(active)
            db.execute("INSERT INTO jobs (id, kind, request, status, created, updated) "
                       "VALUES (?, ?, ?, 'queued', ?, ?)",
                       (job_id, kind, json.dumps(request), now, now))
        return Job(job_id, kind, "queued", 0, 0, now, now)

    def get(self, job_id: str) -> Job | None:
        """The job as it stands; a job whose runner is gone is failed first."""
        with self._write() as db:
            self._recover(db, job_id)
            row = db.execute(f"SELECT {self._COLUMNS} FROM jobs WHERE id = ?",
                             (job_id,)).fetchone()
        return self._job(row) if row else None

    def request(self, job_id: str) -> tuple[str, Any]:
        with self._write() as db:
            kind, request = db.execute("SELECT kind, request FROM jobs WHERE id = ?",
                                       (job_id,)).fetchone()
        return kind, json.loads(request)

    def cancel(self, job_id: str) -> Job | None:
        """Cancel a queued or running job (a finished one is left as it is)."""
        with self._write() as db:
            db.execute("UPDATE jobs SET status = 'cancelled', updated = ? WHERE id = ? AND "
                       "status IN ('queued', 'running')", (time.time(), job_id))
        return self.get(job_id)

    def claim(self, job_id: str, pid: int) -> bool:
        with self._write() as db:
            cur = db.execute("UPDATE jobs SET status = 'running', runner_pid = ?, updated = ? "
                             "WHERE id = ? AND status = 'queued'", (pid, time.time(), job_id))
            return cur.rowcount == 1

    def progress(self, job_id: str, done: int, total: int) -> str:
        """Record progress; the job's status (a runner stops when it reads ``cancelled``)."""
        with self._write() as db:
            db.execute("UPDATE jobs SET done = ?, total = ?, updated = ? WHERE id = ? AND "
                       "status = 'running'", (done, total, time.time(), job_id))
            return str(db.execute("SELECT status FROM jobs WHERE id = ?",
                                  (job_id,)).fetchone()[0])

    def finish(self, job_id: str, result: Any) -> bool:
        """Store the result and mark the job done, in one transaction, if it still runs."""
        text = json.dumps(result)
        with self._write() as db:
            cur = db.execute("UPDATE jobs SET status = 'done', result = ?, done = total, "
                             "updated = ? WHERE id = ? AND status = 'running'",
                             (text, time.time(), job_id))
            return cur.rowcount == 1

    def fail(self, job_id: str, error: str) -> None:
        with self._write() as db:
            db.execute("UPDATE jobs SET status = 'failed', error = ?, updated = ? WHERE id = ? "
                       "AND status IN ('queued', 'running')", (error, time.time(), job_id))

    @staticmethod
    def _recover(db: sqlite3.Connection, job_id: str | None = None) -> None:
        """Fail active jobs whose runner is gone, or that no runner claimed in time."""
        where = " AND id = ?" if job_id else ""
        rows = db.execute("SELECT id, status, runner_pid, created FROM jobs WHERE status IN "
                          f"('queued', 'running'){where}", (job_id,) if job_id else ()).fetchall()
        now = time.time()
        for id_, status, pid, created in rows:
            if status == "running" and not _alive(pid):
                error = "the job's runner stopped before it finished; submit the job again"
            elif status == "queued" and now - created > START_GRACE_SECONDS:
                error = "no runner started the job; submit it again"
            else:
                continue
            db.execute("UPDATE jobs SET status = 'failed', error = ?, updated = ? WHERE id = ?",
                       (error, now, id_))


def _load(kind: str, request: Any) -> Callable[[Callable[[int, int], None]], Any]:
    """Check a job's request exactly as the synchronous route does; the run it describes."""
    from api import service
    from api.schemas.answers import to_json
    from api.schemas.simulation import request_schemas
    from simulation.limits import LOCAL
    from simulation.spec import make_spec, make_specs

    if not isinstance(request, Mapping):
        raise InputError("a job is a JSON object with its kind and the request's fields", "kind")
    if kind == "sweep":
        from simulation.sweeps import parse_sweep, run_sweep
        sweep = parse_sweep(request)

        def run_sweep_job(progress: Callable[[int, int], None]) -> Any:
            result = run_sweep(sweep, progress=progress)
            return {"name": sweep.name, "outcome": sweep.outcome,
                    "columns": list(result.columns), "rows": result.rows()}
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
        make_specs(start, loaded["strategies"], compared=True, limits=LOCAL, **options)

    def run_simulation_job(progress: Callable[[int, int], None]) -> Any:
        if kind == "simulation":
            return to_json(service.simulate(start, loaded["strategy"], limits=LOCAL,
                                            progress=progress, **options))
        return to_json(service.compare(start, loaded["strategies"], limits=LOCAL,
                                       progress=progress, **options))
    return run_simulation_job


def submit(store: JobStore, body: Any, max_active: int = MAX_ACTIVE,
           start_runner: bool = True) -> Job:
    """Check a job request (``{"kind": ..., ...the synchronous request's fields}``), queue it
    and start its runner. Bad input raises InputError; a full queue raises QueueFull."""
    if not isinstance(body, Mapping) or body.get("kind") not in KINDS:
        raise InputError(f"kind must be one of {', '.join(KINDS)}", "kind")
    kind = body["kind"]
    request = {k: v for k, v in body.items() if k != "kind"}
    _load(kind, request)                     # refuse bad input now, not in the runner
    job = store.create(kind, request, max_active)
    if start_runner:
        try:
            _start_runner(store.path, job.id)
        except (OSError, subprocess.SubprocessError) as exc:
            store.fail(job.id, f"the job's runner could not start: {exc}")
            return store.get(job.id) or job
    return job


def _start_runner(path: Path, job_id: str) -> None:
    """Start the runner detached (its own session, re-parented away from the server: no zombie
    is left in a server worker, and stopping the server does not stop the job)."""
    launcher = ("import subprocess, sys; subprocess.Popen(sys.argv[1:], start_new_session=True,"
                " stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,"
                " stderr=subprocess.DEVNULL, close_fds=True)")
    subprocess.run([sys.executable, "-c", launcher, sys.executable, "-m", "api.jobs", "run",
                    str(path), job_id], check=True, timeout=30, stdin=subprocess.DEVNULL)


def execute(store: JobStore, job_id: str) -> None:
    """Run one job in this process (the runner's work)."""
    if not store.claim(job_id, os.getpid()):
        return                                   # cancelled, or another runner has it
    last = 0.0

    def progress(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= PROGRESS_EVERY_SECONDS or done >= total:
            last = now
            if store.progress(job_id, done, total) != "running":
                raise Cancelled()

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
    store.finish(job_id, result)


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] != "run":
        print("usage: python -m api.jobs run DATABASE JOB_ID", file=sys.stderr)
        return 2
    execute(JobStore(argv[1]), argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
