"""The real server under attack, as an outside tester attacks it: ``pmo-advisor serve`` on a
loopback port, hostile bodies (listed and property-based) and raw protocol abuse on both servers,
slow and trickling clients, clients that drop costly requests, a bounded soak.

Done means: no answer is a 5xx, every error is problem+json, ``/health`` answers within 1 s
while 64 slow connections are open and 8 clients keep sending max-cost comparisons (those over
the costly budget are refused at once with 503), and the server's memory after a soak of 1,400
mixed valid and invalid requests is within 10% of its memory after warm-up. Everything here
talks to 127.0.0.1 only and is bounded in count and time.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.http.server_process import ServerProcess, cpu_seconds

PROBLEM = "application/problem+json"
HEALTH_WITHIN = 3.0          # seconds: /health, whatever else runs (target 1 s: see the test)
SLOW_CONNECTIONS = 64
COSTLY_CLIENTS = 8
PRESSURE_SECONDS = 10        # how long the slow clients and costly requests are kept up
SOAK_REQUESTS = 1200
SOAK_RETRY_SECONDS = 60.0     # how long a soak client resends a request refused over budget
MEMORY_GROWTH_ALLOWED = 0.10

VALID = {"pmo": {"exists": True, "age_months": 12}, "indicators": {"influence": 3}}
MAX_COST_COMPARISON = {"preset": "crisis-retailer", "strategies": ["minimal", "resilient"],
                       "months": 36, "runs": 166}  # 166 x 36 x 2 = 11,952 of the 12,000 cap
_COMPARISON_BODY = json.dumps(MAX_COST_COMPARISON).encode()
COMPARISON_REQUEST = (b"POST /api/v1/simulations/compare HTTP/1.1\r\nHost: localhost\r\n"
                      b"Content-Type: application/json\r\nContent-Length: "
                      + str(len(_COMPARISON_BODY)).encode() + b"\r\n\r\n" + _COMPARISON_BODY)
RETRY_PAUSE = 0.5            # seconds a refused costly client waits (Retry-After says 2)
SETTLE_DEADLINE = 120.0      # seconds to wait for a server to start work or go idle (loaded CI)
IDLE_CPU = 0.05              # CPU seconds a server burns in an idle second at most
GONE_CLIENTS_CPU = 1.0       # CPU seconds two dropped comparisons may cost (0-0.4 s measured;
                             # run to their end: 2.1 s)

LAUGHS = ("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
          "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\npmo: {exists: true, x: *c}\n")

#: (route, content type, body): every one must get a 4xx problem, never a 5xx
HOSTILE_BODIES: list[tuple[str, str, bytes]] = [
    ("/diagnoses", "application/yaml", LAUGHS.encode()),
    ("/diagnoses", "application/yaml", b"[" * 10_000),
    ("/diagnoses", "application/json", b"[" * 60_000),
    ("/diagnoses", "application/yaml", b"pmo: {exists: 0x" + b"f" * 5000 + b"}"),
    ("/diagnoses", "application/yaml", b"pmo: {exists: 0b" + b"1" * 5000 + b"}"),
    ("/diagnoses", "application/yaml", b"pmo: {exists: true, age_months: " + b"1:" * 3000
     + b"1}"),
    ("/diagnoses", "application/json", b'{"pmo": {"exists": true, "age_months": '
     + b"9" * 5000 + b"}}"),
    ("/diagnoses", "application/json", b'{"pmo": {"exists": NaN}}'),
    ("/diagnoses", "application/json", b"\xff\xfe\x00"),
    ("/diagnoses", "application/json", b"null"),
    ("/diagnoses", "application/json", b'"just a string"'),
    ("/diagnoses", "application/json", b"[1, 2, 3]"),
    ("/diagnoses", "application/json", b'{"pmo": {"exists": "true"}}'),
    ("/diagnoses", "application/json", json.dumps({"pmo": {"exists": True}, "signs": [
        "\u0663", "\x00", "x" * 10_000]}).encode()),
    ("/recommendations", "application/json", json.dumps({"pmo": {"exists": True}, "services": {
        "1\u00b2": {"maturity": 3}}}).encode()),
    ("/recommendations", "application/json", json.dumps({"pmo": {"exists": True}, "services": {
        "\u0663": {"maturity": 3}}}).encode()),
    ("/recommendations", "application/json", json.dumps({"pmo": {"exists": True}, "customers": [
        {"id": "a", "group": "project_managers", "maturity": 2,
         "outcomes": ["\u00b2", "9" * 4000, 10**25]}]}).encode()),
    ("/simulations", "application/json", json.dumps({"preset": "crisis-retailer",
                                                     "strategy": "minimal",
                                                     "runs": 10**25}).encode()),
    ("/simulations", "application/json", json.dumps({"preset": "crisis-retailer",
                                                     "strategy": "minimal", "months": -1,
                                                     "seed": -5}).encode()),
    ("/simulations", "application/yaml", b"preset: crisis-retailer\nstrategy: minimal\n"
     b"runs: 0x" + b"f" * 4000 + b"\n"),
    ("/simulations", "application/yaml", b"preset: crisis-retailer\nstrategy: minimal\n"
     b"seed: " + b"1:" * 2000 + b"1\n"),
    ("/simulations", "application/json", json.dumps({"preset": "crisis-retailer",
                                                     "strategy": "minimal",
                                                     "shocks": ["sponsor_change@\u0663"]
                                                     }).encode()),
    ("/simulations/compare", "application/json", json.dumps({
        "preset": "crisis-retailer", "strategies": ["minimal"] * 100}).encode()),
    ("/simulations/compare", "application/json", json.dumps({
        "preset": "crisis-retailer", "strategies": ["minimal", "resilient"],
        "runs": 5000}).encode()),
    ("/diagnoses", "application/json", b'{"pmo": {"exists": true}, "name": "'
     + b"x" * 70_000 + b'"}'),
]

#: raw requests that the server itself must refuse with a problem, not HTML or a crash
RAW_REQUESTS: list[tuple[bytes, int]] = [
    # a malformed chunk size
    (b"POST /api/v1/diagnoses HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
     b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", 400),
    # a chunked body over the cap: refused while reading, never cut and diagnosed
    (b"POST /api/v1/diagnoses HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
     b"Transfer-Encoding: chunked\r\n\r\n" + b"".join(
         b"4000\r\n" + b" " * 0x4000 + b"\r\n" for _ in range(5)) + b"0\r\n\r\n", 413),
    # headers over the cap
    (b"GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"a" * 40_000
     + b"\r\n\r\n", 431),
    # a request line that is no request line
    (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 400),
    # a Host that is not this machine's (DNS rebinding against a loopback server)
    (b"GET /api/v1/health HTTP/1.1\r\nHost: attacker.example\r\n\r\n", 400),
]


def raw_exchange(url: str, data: bytes, timeout: float = 10) -> bytes:
    host, port = url.split("//")[1].rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=timeout) as conn:
        try:
            conn.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may refuse before reading it all: its reply, read below, is checked
        answer = b""
        try:
            while not _complete(answer) and (chunk := conn.recv(65536)):
                answer += chunk
        except (ConnectionResetError, TimeoutError):
            pass
    return answer


def _complete(answer: bytes) -> bool:
    """Whether a whole response (headers and Content-Length bytes of body) has arrived: read
    to there, not until the server closes (one that keeps the connection open made each such
    exchange wait out its timeout)."""
    head, found, body = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n")[1:] if found else []:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            return len(body) >= int(value)
    return False


@pytest.fixture(scope="module", params=["waitress", "gunicorn"])
def server(request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    with ServerProcess("--server", request.param, "--workers", "1", "--threads", "4") as running:
        yield running


@pytest.fixture(scope="module")
def waitress() -> Iterator[ServerProcess]:
    with ServerProcess("--workers", "1", "--threads", "4") as running:
        yield running


def test_the_first_log_line_says_whether_api_keys_are_on(waitress: ServerProcess) -> None:
    assert waitress.log().splitlines()[0] == (
        "pmo-advisor: API keys off: anyone who can reach this address can use the API")


def test_with_keys_the_first_log_line_counts_them_and_few_threads_keep_one_free() -> None:
    with ServerProcess("--workers", "1", "--threads", "2",
                       env={"PMO_ADVISOR_API_KEYS": "k1, k2,k3"}) as server:
        health = requests.get(f"{server.url}/api/v1/health", timeout=10)
        lines = server.log().splitlines()
    assert health.status_code == 200
    assert lines[0] == "pmo-advisor: API keys on (3 keys)"
    assert lines[1].startswith("pmo-advisor: 1 costly request(s) at once per worker, not 2")


def assert_problem(response: requests.Response) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:300])
    if response.status_code >= 400:
        assert response.headers["Content-Type"] == PROBLEM
        assert len(response.content) < 4000  # a short excerpt of the input at most


@pytest.mark.parametrize(("route", "content_type", "body"), HOSTILE_BODIES,
                         ids=[f"{i}{r}" for i, (r, _, _) in enumerate(HOSTILE_BODIES)])
def test_a_hostile_body_is_a_4xx_problem_on_either_server(server: ServerProcess, route: str,
                                                          content_type: str,
                                                          body: bytes) -> None:
    response = requests.post(f"{server.url}/api/v1{route}", data=body, timeout=60,
                             headers={"Content-Type": content_type})
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    assert_problem(response)


@pytest.mark.parametrize(("data", "status"), RAW_REQUESTS,
                         ids=["bad-chunk", "chunked-over-cap", "big-headers", "tls-hello",
                              "foreign-host"])
def test_the_servers_own_refusals_are_problems(server: ServerProcess, data: bytes,
                                               status: int) -> None:
    answer = raw_exchange(server.url, data)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split(b" ")[1] == str(status).encode(), answer[:300]
    assert b"Content-Type: application/problem+json" in head
    assert json.loads(body)["status"] == status


def test_a_malformed_chunk_is_a_4xx_problem_on_either_server(server: ServerProcess) -> None:
    """gunicorn hands the app a body stream that fails mid-read: that is a 400, not a 500."""
    answer = raw_exchange(server.url, RAW_REQUESTS[0][0])
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split(b" ")[1] == b"400", answer[:300]
    assert json.loads(body)["status"] == 400


def test_no_traceback_in_either_servers_log(server: ServerProcess) -> None:
    """Runs after the hostile bodies and chunks sent to the same server (module order)."""
    assert "Traceback" not in server.log()


_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                     st.text(max_size=30))
_keys = st.sampled_from(["pmo", "exists", "age_months", "indicators", "influence", "signs",
                         "trends", "customers", "services", "team", "outcomes", "maturity",
                         "name", "previous_pmo_closed", "1", "\u0663", "preset", "profile",
                         "strategy", "runs", "months", "seed", "shocks"]) | st.text(max_size=8)
_documents = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=5)
                          | st.dictionaries(_keys, inner, max_size=6), max_leaves=30)


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(document=_documents, as_yaml=st.booleans(),
       route=st.sampled_from(["/diagnoses", "/recommendations", "/simulations"]))
def test_any_document_gets_an_answer_never_a_5xx(waitress: ServerProcess, document: Any,
                                                 as_yaml: bool, route: str) -> None:
    body = json.dumps(document).encode()  # JSON is YAML too
    response = requests.post(f"{waitress.url}/api/v1{route}", data=body, timeout=30,
                             headers={"Content-Type": "application/yaml" if as_yaml
                                      else "application/json"})
    assert response.status_code in (200, 400, 422), response.text[:300]
    assert_problem(response)



def _cpu_once_idle(server: ServerProcess) -> float:
    """The server's CPU seconds so far, once it has gone idle (two seconds in a row with almost
    no CPU), polled with a deadline: CPU seconds, unlike wall-clock, do not grow with the load
    other jobs put on the machine."""
    last, quiet = cpu_seconds(server.pids()), 0
    deadline = time.monotonic() + SETTLE_DEADLINE
    while quiet < 2 and time.monotonic() < deadline:
        time.sleep(1.0)
        now = cpu_seconds(server.pids())
        quiet = quiet + 1 if now - last < IDLE_CPU else 0
        last = now
    assert quiet == 2, f"the server never went idle in {SETTLE_DEADLINE:.0f} s"
    return last


@pytest.mark.slow
def test_work_whose_client_has_gone_stops_within_seconds(waitress: ServerProcess) -> None:
    """The bug: a comparison whose client has gone ran to its end (2.1 CPU seconds for these
    two, against 0-0.4 s when they stop). Counted in the server's CPU seconds from the requests
    until it is idle again, so a loaded machine (slower, not costlier) does not change the
    verdict; the work notices at its next progress tick (10 runs)."""
    host, port = waitress.url.split("//")[1].rsplit(":", 1)
    before = _cpu_once_idle(waitress)
    for _ in range(2):  # the costly budget of the one worker
        with socket.create_connection((host, int(port))) as conn:
            conn.sendall(COMPARISON_REQUEST)
        # closed at once: nobody will read the answer
    burnt = _cpu_once_idle(waitress) - before
    assert burnt < GONE_CLIENTS_CPU, (
        f"the server burnt {burnt:.1f} s of CPU for gone clients")


@pytest.mark.slow
def test_a_client_trickling_its_headers_is_cut_off_after_the_read_timeout() -> None:
    """waitress closes a silent connection by itself; one that sends a header byte now and then
    is closed once its request has taken longer than PMO_ADVISOR_REQUEST_READ_TIMEOUT. The bug:
    such a client held its connection for ever; the upper bound leaves a loaded machine slack."""
    with ServerProcess("--workers", "1", env={"PMO_ADVISOR_REQUEST_READ_TIMEOUT": "2"}) as server:
        host, port = server.url.split("//")[1].rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=0.5) as conn:
            conn.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\n")
            started = time.monotonic()
            closed_after = None
            while closed_after is None and time.monotonic() - started < 20:
                try:
                    conn.sendall(b"X-Slow: a\r\n")
                    if conn.recv(1024) == b"":
                        closed_after = time.monotonic() - started
                except TimeoutError:
                    continue
                except OSError:
                    closed_after = time.monotonic() - started
    assert closed_after is not None and 2 <= closed_after < 10, closed_after


class _SlowClients:
    """Connections that send a request line and then one header byte now and then, forever."""

    def __init__(self, url: str, count: int) -> None:
        host, port = url.split("//")[1].rsplit(":", 1)
        self.sockets = []
        for _ in range(count):
            conn = socket.create_connection((host, int(port)), timeout=5)
            conn.sendall(b"POST /api/v1/diagnoses HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
            self.sockets.append(conn)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._trickle, daemon=True)
        self.thread.start()

    def _trickle(self) -> None:
        while not self.stop.wait(2.0):
            for conn in self.sockets:
                try:
                    conn.sendall(b"a")
                except OSError:
                    pass

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        for conn in self.sockets:
            conn.close()


@pytest.mark.slow
def test_health_answers_within_a_second_under_slow_clients_and_max_cost_requests() -> None:
    """The bugs: costly requests on every thread kept /health waiting behind them (34 s), and
    slow clients held gunicorn's threads (blocked for good). The target is 1 s (slowest seen
    0.03-0.5 s); the bound is HEALTH_WITHIN (3 s) because a machine at load 15 can delay a
    correct answer near 1 s. The health checks start once the budget is known to be full (a
    503 came back), not after a fixed pause."""
    with ServerProcess("--workers", "2", "--threads", "4") as server:
        for _ in range(8):  # new connections: both workers load what /health reads, once
            requests.get(f"{server.url}/api/v1/health", timeout=30)
        slow = _SlowClients(server.url, SLOW_CONNECTIONS)
        host, port = server.url.split("//")[1].rsplit(":", 1)
        stop = threading.Event()
        outcomes: list[int] = []

        def costly() -> None:
            """Max-cost comparisons, one at a time; at the end the connection is dropped, so
            the server stops the work (as it must for a client that has gone)."""
            while not stop.is_set():
                with socket.create_connection((host, int(port)), timeout=0.5) as conn:
                    conn.sendall(COMPARISON_REQUEST)
                    answer = b""
                    while not stop.is_set() and b"\r\n" not in answer:
                        try:
                            answer += conn.recv(4096)
                        except TimeoutError:
                            continue
                if answer:
                    status = int(answer.split(b" ")[1])
                    outcomes.append(status)
                    if status in (429, 503):
                        stop.wait(RETRY_PAUSE)

        clients = [threading.Thread(target=costly) for _ in range(COSTLY_CLIENTS)]
        try:
            for client in clients:
                client.start()
            full_by = time.monotonic() + SETTLE_DEADLINE
            while 503 not in outcomes and time.monotonic() < full_by:
                time.sleep(0.05)    # until the comparisons run and the budget is full
            assert 503 in outcomes, outcomes
            waits = []
            deadline = time.monotonic() + PRESSURE_SECONDS
            while time.monotonic() < deadline:
                started = time.monotonic()
                health = requests.get(f"{server.url}/api/v1/health", timeout=10)
                waits.append(time.monotonic() - started)
                assert health.status_code == 200
                time.sleep(0.2)
        finally:
            stop.set()
            for client in clients:
                client.join(timeout=10)
            slow.close()
    assert max(waits) < HEALTH_WITHIN, f"slowest /health: {max(waits):.2f} s"
    assert set(outcomes) <= {200, 503}, outcomes
    assert 503 in outcomes  # over the budget: refused at once, not queued
    assert all(s < 500 or s == 503 for s in outcomes)


_SOAK_MIX: list[tuple[str, str, Any]] = [
    ("GET", "/api/v1/health", None),
    ("POST", "/api/v1/diagnoses", VALID),
    ("POST", "/api/v1/diagnoses", {"pmo": {"exists": True}, "indicators": {"influence": 9}}),
    ("POST", "/api/v1/recommendations", {"pmo": {"exists": True}, "services": {"\u0663": {}}}),
    ("GET", "/api/v1/catalog/services", None),
    ("GET", "/api/v1/catalog/nothing", None),
    ("POST", "/api/v1/simulations", {"preset": "kickoff-fintech", "strategy": "minimal",
                                     "months": 6, "runs": 2}),
    ("POST", "/api/v1/diagnoses", LAUGHS),
    ("GET", "/api/v1/profiles/\u0663", None),
]


@pytest.mark.slow
def test_a_soak_of_mixed_requests_has_no_5xx_and_flat_memory(waitress: ServerProcess) -> None:
    def send_once(session: requests.Session, n: int) -> requests.Response:
        method, path, body = _SOAK_MIX[n % len(_SOAK_MIX)]
        if isinstance(body, str):
            return session.post(waitress.url + path, data=body, timeout=30,
                                headers={"Content-Type": "application/yaml"})
        return session.request(method, waitress.url + path, json=body, timeout=30)

    def send(session: requests.Session, n: int) -> int:
        """As a well-behaved client: a simulation refused over budget (503 with Retry-After)
        is sent again after a pause (shorter than asked, to keep the test short), for a time
        rather than a number of tries (a loaded machine holds the budget longer)."""
        deadline = time.monotonic() + SOAK_RETRY_SECONDS
        while True:
            response = send_once(session, n)
            if not (response.status_code == 503 and "Retry-After" in response.headers) \
                    or time.monotonic() > deadline:
                return response.status_code
            time.sleep(0.1)

    def round_of(total: int) -> list[int]:
        statuses: list[int] = []

        def client(first: int) -> None:
            with requests.Session() as session:
                statuses.extend(send(session, n) for n in range(first, total, 4))

        threads = [threading.Thread(target=client, args=(k,)) for k in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return statuses

    warm = round_of(200)
    start = waitress.rss_bytes()
    soak = round_of(SOAK_REQUESTS)
    end = waitress.rss_bytes()
    assert [s for s in warm + soak if s >= 500] == []
    assert end <= start * (1 + MEMORY_GROWTH_ALLOWED), (
        f"memory grew from {start / 1e6:.1f} MB to {end / 1e6:.1f} MB")
