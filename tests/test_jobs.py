"""Jobs: run outside the server in their own process, report progress, and never leave a
half-written result; a job whose runner died is failed, a full queue refuses more."""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest

import api.jobs as jobs
from advisor.errors import InputError
from api import service
from api.jobs import JobStore, QueueFull, execute, submit
from api.schemas.answers import to_json
from simulation.limits import LOCAL

SMALL = {"kind": "simulation", "preset": "crisis-retailer", "strategy": "minimal",
         "runs": 6, "months": 6, "seed": 3}


def _wait(store: JobStore, job_id: str, until: tuple[str, ...], timeout: float = 90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = store.get(job_id)
        if job is not None and job.status in until:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {store.get(job_id)}")


def _runner_pid(store: JobStore, job_id: str) -> int:
    with sqlite3.connect(store.path) as db:
        return int(db.execute("SELECT runner_pid FROM jobs WHERE id = ?",
                              (job_id,)).fetchone()[0] or 0)


def test_a_job_runs_in_its_own_process_and_gives_the_synchronous_result(tmp_path: Path) -> None:
    store = JobStore(tmp_path / "jobs.sqlite3")
    job = submit(store, SMALL)
    assert job.status == "queued"
    done = _wait(store, job.id, ("done", "failed"))
    assert done.status == "done", done.error
    assert _runner_pid(store, job.id) != os.getpid()
    expected = to_json(service.simulate("crisis-retailer", "minimal", runs=6, months=6, seed=3,
                                        limits=LOCAL))
    assert done.result == expected
    assert done.to_dict()["progress"] == {"done": 6, "total": 6}


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "party"}, "kind"),
    ({**SMALL, "strategy": "no_such_strategy"}, "strategy"),
    ({**SMALL, "runs": 0}, "runs"),
    ({"kind": "sweep", "profiles": ["crisis-retailer"], "strategies": []}, "strategies"),
])
def test_a_bad_job_is_refused_before_it_is_queued(tmp_path: Path, body, field) -> None:
    store = JobStore(tmp_path / "jobs.sqlite3")
    with pytest.raises(InputError) as caught:
        submit(store, body, start_runner=False)
    assert caught.value.field == field


def test_a_full_queue_refuses_more_jobs(tmp_path: Path) -> None:
    store = JobStore(tmp_path / "jobs.sqlite3")
    submit(store, SMALL, max_active=2, start_runner=False)
    submit(store, SMALL, max_active=2, start_runner=False)
    with pytest.raises(QueueFull):
        submit(store, SMALL, max_active=2, start_runner=False)


def test_a_killed_runner_leaves_a_failed_job_and_no_result(tmp_path: Path) -> None:
    store = JobStore(tmp_path / "jobs.sqlite3")
    job = submit(store, {**SMALL, "runs": 2000, "months": 36})
    _wait(store, job.id, ("running",))
    os.kill(_runner_pid(store, job.id), signal.SIGKILL)
    failed = _wait(store, job.id, ("failed", "done"), timeout=30)
    assert failed.status == "failed" and failed.result is None
    assert "submit the job again" in (failed.error or "")


def test_a_cancelled_job_stays_cancelled_and_never_gets_a_result(tmp_path: Path) -> None:
    store = JobStore(tmp_path / "jobs.sqlite3")
    job = submit(store, {**SMALL, "runs": 2000, "months": 36})
    _wait(store, job.id, ("running",))
    assert store.cancel(job.id).status == "cancelled"
    time.sleep(2)                              # the runner sees it at its next progress
    assert store.get(job.id).status == "cancelled"
    assert not store.finish(job.id, {"half": "written"})
    assert store.get(job.id).result is None


def test_a_queued_job_no_runner_claims_is_failed(tmp_path: Path, monkeypatch) -> None:
    store = JobStore(tmp_path / "jobs.sqlite3")
    job = submit(store, SMALL, start_runner=False)
    monkeypatch.setattr(jobs, "START_GRACE_SECONDS", 0.0)
    assert store.get(job.id).status == "failed"
    execute(store, job.id)                     # a late runner does not revive it
    assert store.get(job.id).status == "failed"


def test_a_sweep_job_gives_its_tidy_table(tmp_path: Path) -> None:
    store = JobStore(tmp_path / "jobs.sqlite3")
    job = submit(store, {"kind": "sweep", "profiles": ["crisis-retailer"],
                         "strategies": ["minimal", "crisis_turnaround"], "runs": 2,
                         "months": 3, "seed": 1}, start_runner=False)
    execute(store, job.id)
    done = store.get(job.id)
    assert done.status == "done", done.error
    assert [r["strategy"] for r in done.result["rows"]] == ["minimal", "crisis_turnaround"]


def test_a_runner_that_cannot_start_fails_its_job_at_once(tmp_path: Path, monkeypatch) -> None:
    store = JobStore(tmp_path / "jobs.sqlite3")

    def broken(path: Path, job_id: str) -> None:
        raise OSError("no such interpreter")

    monkeypatch.setattr(jobs, "_start_runner", broken)
    job = submit(store, SMALL)
    assert job.status == "failed" and "could not start" in (job.error or "")
