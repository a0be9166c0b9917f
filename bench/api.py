"""POST /api/v1/diagnoses against GET /api/v1/health on the same real server, in one run.

Target (issue 5): a diagnosis costs at most twice a health check. Both sides are measured as
throughput from the same client threads against one ``pmo-advisor serve`` started here (as
users run it: gunicorn, 2 workers x 4 threads), in alternating rounds so machine noise hits both
alike; the ratio of the median throughputs is reported. Client and server share the machine, so
this is the cost as a client on the same host sees it.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from advisor.assessment import read_document
from api.http.server_process import ServerProcess

PROFILE = Path(__file__).resolve().parent.parent / "scenarios" / "profiles" / "crisis-retailer.yaml"
SERVER_ARGS = ("--workers", "2", "--threads", "4")
CLIENT_THREADS = 8
ROUNDS = 7
REQUESTS_PER_ROUND = 400
TARGET_RATIO = 2.0


def _throughput(send: Callable[[requests.Session], requests.Response]) -> float:
    """Requests per second for one round, spread over the client threads."""
    failures: list[int] = []
    per_thread = REQUESTS_PER_ROUND // CLIENT_THREADS

    def client() -> None:
        with requests.Session() as session:
            for _ in range(per_thread):
                status = send(session).status_code
                if status != 200:
                    failures.append(status)

    threads = [threading.Thread(target=client) for _ in range(CLIENT_THREADS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if failures:
        raise RuntimeError(f"{len(failures)} requests failed, e.g. status {failures[0]}")
    return per_thread * CLIENT_THREADS / elapsed


def measure() -> dict[str, Any]:
    profile = read_document(PROFILE)
    with ServerProcess(*SERVER_ARGS) as server:
        health_url = server.url + "/api/v1/health"
        diagnoses_url = server.url + "/api/v1/diagnoses"

        def health(session: requests.Session) -> requests.Response:
            return session.get(health_url)

        def diagnosis(session: requests.Session) -> requests.Response:
            return session.post(diagnoses_url, json=profile)

        _throughput(health), _throughput(diagnosis)  # warm up every worker and connection
        health_rps, diagnosis_rps = [], []
        for _ in range(ROUNDS):
            health_rps.append(_throughput(health))
            diagnosis_rps.append(_throughput(diagnosis))
    health_median = statistics.median(health_rps)
    diagnosis_median = statistics.median(diagnosis_rps)
    return {"health_rps": health_median, "diagnosis_rps": diagnosis_median,
            "ratio": health_median / diagnosis_median}


def main() -> None:
    result = measure()
    verdict = "meets" if result["ratio"] <= TARGET_RATIO else "MISSES"
    print(f"server            pmo-advisor serve {' '.join(SERVER_ARGS)}, "
          f"{CLIENT_THREADS} client threads")
    print(f"GET  /health      {result['health_rps']:.0f} requests/s")
    print(f"POST /diagnoses   {result['diagnosis_rps']:.0f} requests/s")
    print(f"ratio             {result['ratio']:.2f}x  ({verdict} the {TARGET_RATIO:.0f}x target)")
