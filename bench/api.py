"""POST /api/v1/diagnoses against GET /api/v1/health on the same real server, in one run.

Target (issues 5 and 13): a diagnosis costs the server at most twice the CPU of a health check.
Both sides are sent from the same client threads to one ``pmo-advisor serve`` started here (as
users run it: gunicorn, 2 workers x 4 threads), in alternating rounds so machine noise hits both
alike. The cost is the server's own CPU time per request (user + system, read from /proc for the
master and its workers before and after a round), so the Python client, which costs about as
much per request as a health check, does not hide it; throughput is printed too.
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
from api.http.server_process import ServerProcess, cpu_seconds

PROFILE = Path(__file__).resolve().parent.parent / "scenarios" / "profiles" / "crisis-retailer.yaml"
SERVER_ARGS = ("--workers", "2", "--threads", "4")
CLIENT_THREADS = 8
ROUNDS = 7
REQUESTS_PER_ROUND = 400
TARGET_RATIO = 2.0



def _round(server: ServerProcess,
           send: Callable[[requests.Session], requests.Response]) -> tuple[float, float]:
    """(requests per second, server CPU seconds per request) for one round."""
    pids = server.pids()
    before = cpu_seconds(pids)
    rps = _throughput(send)
    return rps, (cpu_seconds(pids) - before) / (REQUESTS_PER_ROUND // CLIENT_THREADS
                                                  * CLIENT_THREADS)


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
        health_rounds, diagnosis_rounds = [], []
        for _ in range(ROUNDS):
            health_rounds.append(_round(server, health))
            diagnosis_rounds.append(_round(server, diagnosis))
    health_rps = statistics.median(r[0] for r in health_rounds)
    diagnosis_rps = statistics.median(r[0] for r in diagnosis_rounds)
    health_cpu = statistics.median(r[1] for r in health_rounds)
    diagnosis_cpu = statistics.median(r[1] for r in diagnosis_rounds)
    return {"health_rps": health_rps, "diagnosis_rps": diagnosis_rps,
            "throughput_ratio": health_rps / diagnosis_rps,
            "health_cpu_ms": health_cpu * 1e3, "diagnosis_cpu_ms": diagnosis_cpu * 1e3,
            "ratio": diagnosis_cpu / health_cpu}


def main() -> None:
    result = measure()
    verdict = "meets" if result["ratio"] <= TARGET_RATIO else "MISSES"
    print(f"server            pmo-advisor serve {' '.join(SERVER_ARGS)}, "
          f"{CLIENT_THREADS} client threads")
    print(f"GET  /health      {result['health_rps']:.0f} requests/s, "
          f"{result['health_cpu_ms']:.2f} ms server CPU each")
    print(f"POST /diagnoses   {result['diagnosis_rps']:.0f} requests/s, "
          f"{result['diagnosis_cpu_ms']:.2f} ms server CPU each")
    print(f"throughput ratio  {result['throughput_ratio']:.2f}x  (client-limited: not the target)")
    print(f"server CPU ratio  {result['ratio']:.2f}x  ({verdict} the {TARGET_RATIO:.0f}x target)")
