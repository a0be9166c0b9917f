"""The real server, as users run it: ``pmo-advisor serve`` in a child process on a free port.

2,200 diagnoses from 8 client threads must all come back exactly as the in-process diagnosis,
with no error, and the server's memory after the last 2,000 must stay within 10% of its memory
after the first 200 -- once with threads in one worker process, once with two worker processes
(the rules engine is not thread-safe and must not cross a fork: see rules/gateway.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import pytest
import requests

import scenarios
from advisor.assessment import parse_profile, read_document
from api.http.server_process import ServerProcess
from api.schemas.answers import to_json
from rules.diagnosis import diagnose

PROFILES = scenarios.documents("profiles")
SHIPPED = list(PROFILES.values())

CLIENT_THREADS = 8
WARM_UP = 200
LOAD = 2000
REQUESTS_PER_CONNECTION = 10  # clients reconnect now and then, so every worker gets work
MEMORY_GROWTH_ALLOWED = 0.10

DOCUMENTS = [read_document(path) for path in SHIPPED]
EXPECTED = [json.loads(json.dumps(to_json(diagnose(parse_profile(doc), explain=True))))
            for doc in DOCUMENTS]


def send_diagnoses(url: str, total: int,
                   per_connection: int = REQUESTS_PER_CONNECTION) -> list[str]:
    """POST ``total`` diagnoses from the client threads; return every problem seen."""
    problems: list[str] = []

    def client(first: int) -> None:
        session = requests.Session()
        try:
            for n, i in enumerate(range(first, total, CLIENT_THREADS)):
                if n and n % per_connection == 0:
                    session.close()
                    session = requests.Session()
                which = i % len(DOCUMENTS)
                # explained (opt-in): the search's shared caches see the threads too
                response = session.post(f"{url}/api/v1/diagnoses?explain=true",
                                        json=DOCUMENTS[which], timeout=30)
                if response.status_code != 200:
                    problems.append(f"request {i}: status {response.status_code}")
                elif response.json() != EXPECTED[which]:
                    problems.append(f"request {i}: a different diagnosis")
        except requests.RequestException as exc:
            problems.append(f"client {first}: {exc}")
        finally:
            session.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENT_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return problems


@pytest.mark.slow
@pytest.mark.parametrize(("args", "processes"), [
    # one worker process: 8 threads share one engine, serialized by the gateway's lock
    (("--workers", "1", "--threads", "8"), 3),
    # two worker processes, each building its own engine after the fork
    (("--workers", "2", "--threads", "4"), 4),
], ids=["threads", "processes"])
def test_thousands_of_concurrent_diagnoses_are_all_correct_and_memory_stays_flat(
        args: tuple[str, ...], processes: int) -> None:
    with ServerProcess(*args) as server:
        # a new connection per warm-up request: every worker serves some, and builds its engine
        assert send_diagnoses(server.url, WARM_UP, per_connection=1) == []
        after_warm_up = server.rss_bytes()
        assert len(server.pids()) == processes  # master + workers + the jobs runner
        assert send_diagnoses(server.url, LOAD) == []
        after_load = server.rss_bytes()
        assert "Traceback" not in server.log()
    assert after_load <= after_warm_up * (1 + MEMORY_GROWTH_ALLOWED), (
        f"memory grew from {after_warm_up / 1e6:.1f} MB to {after_load / 1e6:.1f} MB")


def test_waitress_serves_the_same_api() -> None:
    with ServerProcess("--server", "waitress", "--threads", "4") as server:
        health = requests.get(f"{server.url}/api/v1/health", timeout=10)
        diagnosis = requests.post(f"{server.url}/api/v1/diagnoses?explain=true",
                                  json=DOCUMENTS[0], timeout=10)
        missing = requests.get(f"{server.url}/api/v1/nothing-here", timeout=10)
    assert health.json()["status"] == "ok"
    assert diagnosis.json() == EXPECTED[0]
    assert missing.status_code == 404
    assert missing.headers["Content-Type"] == "application/problem+json"


def test_api_keys_from_the_environment_guard_the_real_server() -> None:
    with ServerProcess(env={"PMO_ADVISOR_API_KEYS": "0123,second-key"}) as server:
        health = requests.get(f"{server.url}/api/v1/health", timeout=10)
        without = requests.get(f"{server.url}/api/v1/profiles", timeout=10)
        numeric = requests.get(f"{server.url}/api/v1/profiles", timeout=10,
                               headers={"Authorization": "Bearer 0123"})
    assert health.status_code == 200
    assert without.status_code == 401
    assert numeric.status_code == 200  # "0123" stays a string, not the number 123


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--workers", "0", "--workers: must be between 1 and 32, got 0"),     # no worker
    ("--threads", "65", "--threads: must be between 1 and 64, got 65"),  # too many threads
    ("--port", "70000", "--port: must be between 0 and 65535, got 70000"),  # not a port
])
def test_serve_refuses_out_of_range_options_in_one_line(option: str, value: str,
                                                        message: str) -> None:
    result = subprocess.run([sys.executable, "-m", "api", "serve", option, value],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == f"pmo-advisor serve: error: {message}"


