"""The jobs table of the project's database: queue, claim, progress, result, recovery.

Every method is one short transaction, so the HTTP workers and the runners (other processes,
possibly other hosts on PostgreSQL) share the table safely:

- **claiming** takes the oldest queued job and marks it ``running`` in one transaction
  (``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two runners never take the same
  job and neither waits for the other; SQLite's ``BEGIN IMMEDIATE`` serializes writers, and the
  ``UPDATE`` is guarded by ``status = 'queued'`` all the same);
- **finishing** writes the result in the same transaction that sets ``done``, and only if this
  runner still holds the job: a half-written or cancelled result is never served;
- **recovering** fails a ``running`` job whose runner is gone: on this host, when no process with
  the runner's pid and start time exists; elsewhere, when its heartbeat is older than
  :data:`STALE_SECONDS`. The job can then be submitted again.

Finished jobs (done, failed, cancelled) are kept :data:`KEEP_SECONDS` (a week) after their last
change, then deleted when a runner starts or a job is submitted: results can be large (a sweep's
table), and a client that never came back for one must not grow the database for ever.

The queue is bounded: :meth:`JobStore.create` counts the active jobs under a lock (an advisory
lock on PostgreSQL) and raises :class:`QueueFull` past ``max_active``.
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from api.store.models import Job as JobRow
from api.store.store import open_store

__all__ = ["Job", "JobStore", "QueueFull", "runner_identity", "runner_alive", "ACTIVE",
           "STALE_SECONDS", "KEEP_SECONDS"]

ACTIVE = ("queued", "running")
#: a runner on another host whose heartbeat is older than this is taken for dead
STALE_SECONDS = 60.0
#: finished jobs are deleted this long after their last change
KEEP_SECONDS = 7 * 24 * 3600.0
#: one lock id for "counting and adding jobs" (PostgreSQL advisory lock)
QUEUE_LOCK = 2026_11_13


class QueueFull(Exception):
    """As many jobs as allowed are queued or running."""


@dataclass(frozen=True)
class Job:
    """A job as the API reports it (``progress`` a fraction in [0, 1]); its JSON is
    ``api.schemas.jobs.JobSchema``'s (``to_json(job, JobSchema)``). ``result`` is set only once
    done, ``error`` only when it failed: the answer leaves out what is None."""

    id: str
    kind: str
    status: str
    done: int
    total: int
    created: float
    updated: float
    result: Any = None
    error: str | None = None

    @property
    def progress(self) -> float:
        if self.status == "done":
            return 1.0
        return min(1.0, self.done / self.total) if self.total > 0 else 0.0

    @property
    def replications(self) -> dict[str, int]:
        return {"done": self.done, "total": self.total}


def _start_ticks(pid: int) -> str | None:
    """A process's start time (clock ticks since boot, Linux /proc): with its pid, it names one
    process for good, even once the pid is reused."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2:].split()[19]


def runner_identity(pid: int | None = None) -> str:
    """``host:pid:start``: which process claimed a job."""
    pid = pid or os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_ticks(pid) or 0}"


def runner_alive(identity: str | None) -> bool | None:
    """Whether the runner is alive; None when it runs on another host (we cannot tell)."""
    if not identity:
        return False
    host, _, rest = identity.partition(":")
    pid_text, _, start = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return None
    pid = int(pid_text)
    if Path("/proc").is_dir():
        return _start_ticks(pid) == start
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def _job(row: JobRow) -> Job:
    result = json.loads(row.result) if row.status == "done" and row.result is not None else None
    return Job(row.id, row.kind, row.status, row.done, row.total, row.created, row.updated,
               result, row.error or None)


class JobStore:
    """The jobs of one database (``url`` as :func:`api.store.database_url` reads it)."""

    def __init__(self, url: str | None = None) -> None:
        self._store = open_store(url)
        self.url = self._store.url

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        with self._store._transaction() as session:
            yield session

    def create(self, kind: str, request: Mapping[str, Any], max_active: int) -> Job:
        """A new queued job, unless ``max_active`` jobs are already queued or running."""
        now = time.time()
        with self._transaction() as s:
            if s.get_bind().dialect.name == "postgresql":
                s.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": QUEUE_LOCK})
            self._recover(s)
            self._prune(s)
            active = s.scalar(select(func.count(JobRow.id))
                              .where(JobRow.status.in_(ACTIVE))) or 0
            if active >= max_active:
                raise QueueFull(active)
            row = JobRow(id=uuid.uuid4().hex, kind=kind, request=dict(request), status="queued",
                         done=0, total=0, created=now, updated=now)
            s.add(row)
            s.flush()
            return _job(row)

    def get(self, job_id: str) -> Job | None:
        """The job as it stands; a running job whose runner is gone is failed first."""
        with self._transaction() as s:
            self._recover(s, job_id)
            row = s.get(JobRow, job_id)
            return _job(row) if row is not None else None

    def request(self, job_id: str) -> tuple[str, Any]:
        with self._transaction() as s:
            row = s.get(JobRow, job_id)
            if row is None:
                raise KeyError(job_id)
            return row.kind, row.request

    def cancel(self, job_id: str) -> Job | None:
        """Cancel a queued or running job (a finished one is left as it is)."""
        with self._transaction() as s:
            s.execute(update(JobRow).where(JobRow.id == job_id, JobRow.status.in_(ACTIVE))
                      .values(status="cancelled", updated=time.time()))
        return self.get(job_id)

    def claim(self, runner: str) -> str | None:
        """Take the oldest queued job for ``runner``; its id, or None when none is queued."""
        now = time.time()
        with self._transaction() as s:
            job_id = s.scalar(select(JobRow.id).where(JobRow.status == "queued")
                              .order_by(JobRow.created, JobRow.id).limit(1)
                              .with_for_update(skip_locked=True))
            if job_id is None:
                return None
            taken = s.execute(update(JobRow).where(JobRow.id == job_id,
                                                   JobRow.status == "queued")
                              .values(status="running", runner=runner, heartbeat=now,
                                      updated=now))
            return job_id if taken.rowcount == 1 else None  # type: ignore[attr-defined]

    def progress(self, job_id: str, runner: str, done: int, total: int) -> str:
        """Record progress (and the runner's heartbeat); the job's status as it now stands
        (a runner stops when it is no longer ``running``)."""
        now = time.time()
        with self._transaction() as s:
            s.execute(update(JobRow).where(JobRow.id == job_id, JobRow.runner == runner,
                                           JobRow.status == "running")
                      .values(done=done, total=total, heartbeat=now, updated=now))
            return str(s.scalar(select(JobRow.status).where(JobRow.id == job_id)))

    def beat(self, job_id: str, runner: str) -> None:
        """The runner is alive (between progress reports: one replication may take long)."""
        with self._transaction() as s:
            s.execute(update(JobRow).where(JobRow.id == job_id, JobRow.runner == runner,
                                           JobRow.status == "running")
                      .values(heartbeat=time.time()))

    def finish(self, job_id: str, runner: str, result: Any) -> bool:
        """Store the result and mark the job done, in one transaction, if this runner still
        holds it; False when it does not (cancelled, or failed as abandoned)."""
        body = json.dumps(result)
        with self._transaction() as s:
            done = s.execute(update(JobRow).where(JobRow.id == job_id, JobRow.runner == runner,
                                                  JobRow.status == "running")
                             .values(status="done", result=body, done=JobRow.total,
                                     updated=time.time()))
            return done.rowcount == 1  # type: ignore[attr-defined]

    def fail(self, job_id: str, error: str) -> None:
        with self._transaction() as s:
            s.execute(update(JobRow).where(JobRow.id == job_id, JobRow.status.in_(ACTIVE))
                      .values(status="failed", error=error, updated=time.time()))

    def recover(self) -> int:
        """Fail every running job whose runner is gone and delete the finished jobs past
        keeping (a runner does this when it starts); how many were failed."""
        with self._transaction() as s:
            self._prune(s)
            return self._recover(s)

    @staticmethod
    def _prune(s: Session) -> None:
        s.execute(delete(JobRow).where(JobRow.status.not_in(ACTIVE),
                                       JobRow.updated < time.time() - KEEP_SECONDS))

    @staticmethod
    def _recover(s: Session, job_id: str | None = None) -> int:
        query = select(JobRow.id, JobRow.runner, JobRow.heartbeat).where(
            JobRow.status == "running")
        if job_id is not None:
            query = query.where(JobRow.id == job_id)
        now = time.time()
        gone = []
        for id_, runner, heartbeat in s.execute(query).all():
            alive = runner_alive(runner)
            if alive is False or (alive is None and now - (heartbeat or 0.0) > STALE_SECONDS):
                gone.append(id_)
        if gone:
            s.execute(update(JobRow).where(JobRow.id.in_(gone), JobRow.status == "running")
                      .values(status="failed", updated=now,
                              error="the job's runner stopped before it finished; submit the "
                                    "job again"))
        return len(gone)
