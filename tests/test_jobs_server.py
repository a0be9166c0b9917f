"""Jobs against the real server: killing it mid-job never leaves half a result. The runner is
not the server's child, so the job goes on and is done after a restart; if the runner dies too
(the host went down), the restarted server reports the job failed, and it can be resubmitted."""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from api import service
from api.http.server_process import ServerProcess
from simulation.limits import LOCAL

JOB = {"kind": "simulation", "preset": "decline-logistics", "strategy": "crisis_turnaround",
       "runs": 400, "months": 36, "seed": 9}
SERVER_ARGS = ("--workers", "1", "--threads", "2")

pytestmark = pytest.mark.slow


def _poll(url: str, until: tuple[str, ...], timeout: float = 120.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        body = requests.get(url, timeout=10).json()
        if body["status"] in until:
            return body
        time.sleep(0.2)
    raise AssertionError(body)


def _kill_server(server: ServerProcess) -> None:
    for pid in server.pids():
        os.kill(pid, signal.SIGKILL)


def _runner_pid(db: Path, job_id: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT runner_pid FROM jobs WHERE id = ?",
                                (job_id,)).fetchone()[0])


def test_a_job_survives_the_server_being_killed_and_is_done_whole(tmp_path: Path) -> None:
    env = {"PMO_ADVISOR_JOBS_DATABASE": str(tmp_path / "jobs.sqlite3")}
    with ServerProcess(*SERVER_ARGS, env=env) as server:
        response = requests.post(server.url + "/api/v1/jobs", json=JOB, timeout=30)
        assert response.status_code == 202, response.text
        path = response.headers["Location"]
        _poll(server.url + path, ("running",))
        _kill_server(server)
    with ServerProcess(*SERVER_ARGS, env=env) as again:
        job = _poll(again.url + path, ("done", "failed"))
    assert job["status"] == "done", job
    expected = service.simulate("decline-logistics", "crisis_turnaround", runs=400, months=36,
                                seed=9, limits=LOCAL).to_dict()
    assert job["result"] == expected


def test_a_job_whose_runner_died_with_the_server_is_failed_and_can_be_resubmitted(
        tmp_path: Path) -> None:
    db = tmp_path / "jobs.sqlite3"
    env = {"PMO_ADVISOR_JOBS_DATABASE": str(db)}
    with ServerProcess(*SERVER_ARGS, env=env) as server:
        response = requests.post(server.url + "/api/v1/jobs", json=JOB, timeout=30)
        path = response.headers["Location"]
        _poll(server.url + path, ("running",))
        os.kill(_runner_pid(db, response.json()["id"]), signal.SIGKILL)
        _kill_server(server)
    with ServerProcess(*SERVER_ARGS, env=env) as again:
        job = requests.get(again.url + path, timeout=10).json()
        assert job["status"] == "failed" and "result" not in job
        assert requests.post(again.url + "/api/v1/jobs", json={**JOB, "runs": 5},
                             timeout=30).status_code == 202
