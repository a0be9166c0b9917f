"""Jobs against the real server, on SQLite and PostgreSQL: killing it mid-job (workers and the
jobs runner it started, SIGKILL) never leaves half a result; after a restart the job is failed or
done, and a resubmitted job is done whole. A runner that dies alone is replaced by the server."""

from __future__ import annotations

import os
import signal
import time
from typing import Any

import pytest
import requests

from api import service
from api.http.server_process import ServerProcess
from api.jobs import JobStore
from api.schemas.answers import to_json
from api.store import close_store
from api.store.models import Job as JobRow
from simulation.limits import LOCAL

JOB = {"kind": "simulation", "preset": "decline-logistics", "strategy": "crisis_turnaround",
       "runs": 400, "months": 36, "seed": 9}
RESUBMITTED = {**JOB, "runs": 5, "months": 12}
SERVER_ARGS = ("--workers", "1", "--threads", "2")

pytestmark = pytest.mark.slow


def _poll(url: str, until: tuple[str, ...], timeout: float = 120.0) -> dict[str, Any]:
    """The job once its status is one of ``until``: polled, with a deadline generous for a
    loaded machine (a runner is a new process that imports the model first)."""
    deadline = time.monotonic() + timeout
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        body = requests.get(url, timeout=10).json()
        if body["status"] in until:
            return body
        time.sleep(0.2)
    raise AssertionError(body)


def _runner_pid(url: str, job_id: str) -> int:
    store = JobStore(url)
    with store._transaction() as s:
        row = s.get(JobRow, job_id)
        assert row is not None and row.runner
        return int(row.runner.split(":")[1])


def _expected(body: dict[str, Any]) -> dict[str, Any]:
    return to_json(service.simulate(body["preset"], body["strategy"], runs=body["runs"],
                                    months=body["months"], seed=body["seed"], limits=LOCAL))


def _resubmit_and_wait(server: ServerProcess) -> None:
    response = requests.post(server.url + "/api/v1/jobs", json=RESUBMITTED, timeout=30)
    assert response.status_code == 202, response.text
    job = _poll(server.url + response.headers["Location"], ("done", "failed"))
    assert job["status"] == "done" and job["result"] == _expected(RESUBMITTED), job


def test_a_job_running_when_the_server_is_killed_is_failed_or_done_never_half(
        database_url: str) -> None:
    env = {"PMO_ADVISOR_DATABASE_URL": database_url}
    with ServerProcess(*SERVER_ARGS, env=env) as server:
        response = requests.post(server.url + "/api/v1/jobs", json=JOB, timeout=30)
        assert response.status_code == 202, response.text
        path = response.headers["Location"]
        _poll(server.url + path, ("running",))
        runner = _runner_pid(database_url, response.json()["id"])
        assert runner in server.pids()                 # the server's own runner runs it
        for pid in server.pids():                      # master, workers and runner at once
            os.kill(pid, signal.SIGKILL)
    with ServerProcess(*SERVER_ARGS, env=env) as again:
        job = _poll(again.url + path, ("done", "failed"))
        if job["status"] == "done":
            assert job["result"] == _expected(JOB)
        else:
            assert "result" not in job and "submit the job again" in job["error"]
        _resubmit_and_wait(again)
    close_store(database_url)


def test_a_runner_that_dies_is_replaced_and_its_job_is_failed(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'memory.sqlite3'}"
    with ServerProcess(*SERVER_ARGS, env={"PMO_ADVISOR_DATABASE_URL": url}) as server:
        response = requests.post(server.url + "/api/v1/jobs", json=JOB, timeout=30)
        path = response.headers["Location"]
        _poll(server.url + path, ("running",))
        os.kill(_runner_pid(url, response.json()["id"]), signal.SIGKILL)
        job = _poll(server.url + path, ("failed", "done"))
        assert job["status"] == "failed" and "result" not in job
        _resubmit_and_wait(server)                     # run by the runner that replaced it
        assert "jobs runner" in server.log() and "starting another" in server.log()
    close_store(url)
