"""POST /api/v1/diagnoses against GET /api/v1/health on the same real server, in one run.

Target (issues 5 and 13): a diagnosis costs the server at most twice the CPU of a health check.
Both sides are sent from the same client threads to one ``pmo-advisor serve`` started here (as
users run it: 2 workers x 4 threads), in alternating rounds so machine noise hits both alike.
The cost is the server's own CPU time per request (user + system, read from /proc for the master
and its workers before and after a round), so the Python client, which costs about as much per
request as a health check, does not hide it; throughput is printed too.

Every diagnosis request sends a *different* profile (the shipped profiles with their indicators
redrawn from a seeded generator), so no cache of answers or counterfactuals can hide the cost.
The target is measured on the route's default (no query string: ``explain`` is off, no
counterfactuals); the opt-in ``explain=true`` (the counterfactual search, tens of engine calls
per new profile) is measured too and reported.
"""

from __future__ import annotations

import itertools
import json
import random
import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

import requests

from advisor.presets import preset_names, preset_path, read_document
from api.http.server_process import ServerProcess, cpu_seconds

SERVER_ARGS = ("--workers", "2", "--threads", "4")
CLIENT_THREADS = 8
ROUNDS = 7
REQUESTS_PER_ROUND = 400
EXPLAIN_ROUNDS = 3             # the default route (counterfactuals): slower, so fewer requests
EXPLAIN_REQUESTS = 48
TARGET_RATIO = 2.0
SEED = 13


def distinct_profiles(count: int, seed: int = SEED) -> list[bytes]:
    """``count`` different profile bodies: the shipped profiles in turn, each indicator they
    assess redrawn (1.0-5.0, one decimal), so every request is a new diagnosis."""
    rng = random.Random(seed)
    shipped = [read_document(preset_path(name)) for name in preset_names()]
    bodies: list[bytes] = []
    for index in range(count):
        profile = json.loads(json.dumps(shipped[index % len(shipped)]))
        for indicator in profile.get("indicators", {}):
            profile["indicators"][indicator] = round(rng.uniform(1.0, 5.0), 1)
        bodies.append(json.dumps(profile).encode())
    return bodies



def _round(server: ServerProcess, send: Callable[[requests.Session], requests.Response],
           requests_per_round: int = REQUESTS_PER_ROUND) -> tuple[float, float]:
    """(requests per second, server CPU seconds per request) for one round."""
    pids = server.pids()
    before = cpu_seconds(pids)
    rps = _throughput(send, requests_per_round)
    return rps, (cpu_seconds(pids) - before) / (requests_per_round // CLIENT_THREADS
                                                  * CLIENT_THREADS)


def _throughput(send: Callable[[requests.Session], requests.Response],
                requests_per_round: int = REQUESTS_PER_ROUND) -> float:
    """Requests per second for one round, spread over the client threads."""
    failures: list[int] = []
    per_thread = requests_per_round // CLIENT_THREADS

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
    total = REQUESTS_PER_ROUND * (ROUNDS + 1) + EXPLAIN_REQUESTS * (EXPLAIN_ROUNDS + 1)
    bodies = distinct_profiles(total)
    next_body = itertools.count().__next__     # atomic under the GIL: one body per request
    headers = {"Content-Type": "application/json"}
    with ServerProcess(*SERVER_ARGS) as server:
        health_url = server.url + "/api/v1/health"
        diagnoses_url = server.url + "/api/v1/diagnoses"

        def health(session: requests.Session) -> requests.Response:
            return session.get(health_url)

        def diagnosis(session: requests.Session) -> requests.Response:
            return session.post(diagnoses_url, data=bodies[next_body()], headers=headers)

        def explained(session: requests.Session) -> requests.Response:
            return session.post(diagnoses_url + "?explain=true", data=bodies[next_body()],
                                headers=headers)

        # warm up every worker and connection
        _throughput(health), _throughput(diagnosis), _throughput(explained, EXPLAIN_REQUESTS)
        health_rounds, diagnosis_rounds, explain_rounds = [], [], []
        for round_ in range(ROUNDS):
            health_rounds.append(_round(server, health))
            diagnosis_rounds.append(_round(server, diagnosis))
            if round_ < EXPLAIN_ROUNDS:
                explain_rounds.append(_round(server, explained, EXPLAIN_REQUESTS))
    health_rps = statistics.median(r[0] for r in health_rounds)
    diagnosis_rps = statistics.median(r[0] for r in diagnosis_rounds)
    health_cpu = statistics.median(r[1] for r in health_rounds)
    diagnosis_cpu = statistics.median(r[1] for r in diagnosis_rounds)
    explain_cpu = statistics.median(r[1] for r in explain_rounds)
    return {"health_rps": health_rps, "diagnosis_rps": diagnosis_rps,
            "throughput_ratio": health_rps / diagnosis_rps,
            "health_cpu_ms": health_cpu * 1e3, "diagnosis_cpu_ms": diagnosis_cpu * 1e3,
            "ratio": diagnosis_cpu / health_cpu,
            "explain_cpu_ms": explain_cpu * 1e3, "explain_ratio": explain_cpu / health_cpu}


def main() -> None:
    result = measure()
    verdict = "meets" if result["ratio"] <= TARGET_RATIO else "MISSES"
    print(f"server            pmo-advisor serve {' '.join(SERVER_ARGS)}, "
          f"{CLIENT_THREADS} client threads")
    print(f"GET  /health      {result['health_rps']:.0f} requests/s, "
          f"{result['health_cpu_ms']:.2f} ms server CPU each")
    print(f"POST /diagnoses   {result['diagnosis_rps']:.0f} requests/s, "
          f"{result['diagnosis_cpu_ms']:.2f} ms server CPU each (the default, no "
          "counterfactuals; a different profile each)")
    print(f"  explain=true    {result['explain_cpu_ms']:.2f} ms server CPU each "
          f"({result['explain_ratio']:.1f}x health; opt-in: counterfactuals of a new profile, "
          "reported)")
    print(f"throughput ratio  {result['throughput_ratio']:.2f}x  (client-limited: not the target)")
    print(f"server CPU ratio  {result['ratio']:.2f}x  ({verdict} the {TARGET_RATIO:.0f}x target, "
          "the default)")
