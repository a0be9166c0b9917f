"""The jobs API: 202 with Location, status with progress and result, cancel, 429 with
Retry-After when the queue is full, problem+json naming bad fields; on by default, in the
project's database, absent when jobs are turned off."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from api.http import create_app
from api.jobs import JobStore, Runner

SMALL = {"kind": "simulation", "preset": "crisis-retailer", "strategy": "minimal",
         "runs": 4, "months": 6, "seed": 5}


@pytest.fixture(scope="module")
def app_config(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    url = f"sqlite:///{tmp_path_factory.mktemp('jobs') / 'memory.sqlite3'}"
    return {"TESTING": True, "JOBS_MAX_ACTIVE": 2, "DATABASE_URL": url}


@pytest.fixture(scope="module", autouse=True)
def runner(app_config: dict[str, Any]) -> Iterator[Runner]:
    """The jobs runner ``pmo-advisor serve`` would start, here a thread of the test process."""
    runner = Runner(JobStore(app_config["DATABASE_URL"]), poll_seconds=0.05)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    yield runner
    runner.stopping.set()
    thread.join(60)


def _wait(client: FlaskClient, url: str, until: tuple[str, ...]) -> dict[str, Any]:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        body = client.get(url).get_json()
        if body["status"] in until:
            return body
        time.sleep(0.2)
    raise AssertionError(body)


def test_a_job_is_accepted_then_done_with_the_synchronous_answer(client: FlaskClient) -> None:
    response = client.post("/api/v1/jobs", json=SMALL)
    assert response.status_code == 202
    url = response.headers["Location"]
    assert url == f"/api/v1/jobs/{response.get_json()['id']}"
    done = _wait(client, url, ("done", "failed"))
    assert done["status"] == "done", done
    sync = client.post("/api/v1/simulations", json={k: v for k, v in SMALL.items()
                                                     if k != "kind"}).get_json()
    assert done["result"] == sync
    assert done["progress"] == 1.0 and done["replications"] == {"done": 4, "total": 4}


def test_a_bad_job_is_a_problem_naming_the_field(client: FlaskClient) -> None:
    response = client.post("/api/v1/jobs", json={**SMALL, "strategy": "nope"})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert "strategy" in response.get_data(as_text=True)
    response = client.post("/api/v1/jobs", json={"kind": "party"})
    assert response.status_code == 422 and "kind" in response.get_data(as_text=True)


@pytest.mark.parametrize("strategies", [["minimal"], ["minimal", "minimal"],
                                        ["minimal", "quick_wins", "resilient", "process_centric",
                                         "customer_centric", "crisis_turnaround", "plan"]])
def test_a_comparison_job_of_too_few_too_many_or_repeated_strategies_is_refused_at_once(
        client: FlaskClient, strategies: list[str]) -> None:
    """Accepted (202), it only failed later in the runner: the count is checked on submit, as
    the synchronous comparison checks it."""
    job = {**SMALL, "kind": "comparison", "strategies": strategies}
    del job["strategy"]
    response = client.post("/api/v1/jobs", json=job)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"][0]["field"] == "strategies"


def test_a_full_queue_answers_429_with_retry_after_and_cancel_frees_it(
        client: FlaskClient) -> None:
    long = {**SMALL, "runs": 2000, "months": 36}
    urls = []
    for _ in range(2):
        response = client.post("/api/v1/jobs", json=long)
        assert response.status_code == 202
        urls.append(response.headers["Location"])
    refused = client.post("/api/v1/jobs", json=long)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "30"
    assert refused.mimetype == "application/problem+json"
    for url in urls:
        cancelled = client.delete(url)
        assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
        assert "result" not in client.get(url).get_json()
    assert client.post("/api/v1/jobs", json=SMALL).status_code == 202


def test_an_unknown_job_is_404(client: FlaskClient) -> None:
    assert client.get("/api/v1/jobs/nope").status_code == 404
    assert client.delete("/api/v1/jobs/nope").status_code == 404


def test_a_running_jobs_progress_is_a_fraction_between_0_and_1(
        client: FlaskClient, runner: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    """The runner pauses right after the job's first progress write, so the status is read
    while the job is known to be running: on a fast (or idle) machine a 160-run job could
    finish between two polls and the fraction was never seen moving."""
    runs = 160          # no other job of this module has as many: it picks out the paused one
    written, go_on = threading.Event(), threading.Event()
    write = runner.store.progress

    def progress(job_id: str, who: str, done: int, total: int) -> str:
        status = write(job_id, who, done, total)
        if done < total == runs and not written.is_set():
            written.set()
            go_on.wait(60)
        return status

    monkeypatch.setattr(runner.store, "progress", progress)
    url = client.post("/api/v1/jobs", json={**SMALL, "runs": runs, "months": 36}).headers[
        "Location"]
    try:
        assert written.wait(90), "no progress written"
        seen = [client.get(url).get_json()]
    finally:
        go_on.set()
    assert seen[0]["status"] == "running" and 0.0 < seen[0]["progress"] < 1.0, seen
    deadline = time.monotonic() + 90
    while seen[-1]["status"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.1)
        seen.append(client.get(url).get_json())
    assert seen[-1]["status"] == "done" and seen[-1]["progress"] == 1.0, seen[-1]
    fractions = [body["progress"] for body in seen]
    assert fractions == sorted(fractions) and all(0.0 <= f <= 1.0 for f in fractions)


def test_jobs_are_on_by_default_and_absent_when_turned_off() -> None:
    assert create_app({"TESTING": True}).config["JOBS"] is True
    with create_app({"TESTING": True, "JOBS": False}).test_client() as plain:
        assert plain.post("/api/v1/jobs", json=SMALL).status_code == 404
        assert "/api/v1/jobs" not in plain.get("/openapi.json").get_json()["paths"]


def test_the_jobs_routes_are_documented_like_every_other(client: FlaskClient) -> None:
    document = client.get("/openapi.json").get_json()
    paths = document["paths"]
    assert set(paths["/api/v1/jobs"]) == {"post"}
    assert set(paths["/api/v1/jobs/{job_id}"]) - {"parameters"} == {"get", "delete"}
    post = paths["/api/v1/jobs"]["post"]
    assert post["summary"] and post["responses"]["202"]["content"]["application/json"]
    assert "Location" in post["responses"]["202"]["headers"]
    assert {"422", "429"} <= set(post["responses"])
    for method in ("get", "delete"):
        operation = paths["/api/v1/jobs/{job_id}"][method]
        assert operation["summary"] and operation["responses"]["200"]["content"]
        assert operation["responses"]["default"] == {
            "$ref": "#/components/responses/DEFAULT_ERROR"}
