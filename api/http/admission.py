"""Admission control: costly requests run under a bounded budget, cheap ones always get through.

A simulation, a comparison or a story holds a server thread for up to seconds of CPU; a health
check or a diagnosis for about a millisecond. Without a bound, a handful of costly requests
occupy every thread and ``/health`` waits behind them (8 comparisons at the cost cap blocked it
for 34 s). So each worker process runs at most ``COSTLY_REQUESTS`` costly requests at once (fewer
than its threads: the rest stay free for cheap routes), and at most ``COSTLY_REQUESTS_PER_KEY``
for one API key when keys are on. A request over the budget is not queued: it is answered at once,
503 (the service is busy) or 429 (this key is), with ``Retry-After``.

Work whose client has gone stops: under waitress (which notices a closed connection, see
``api/http/server.py``) the simulation's progress callback checks the connection every ten
replications and ends the request, so a client that sends and drops a request stops burning CPU
within about a second.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import Counter
from collections.abc import Callable

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import ServiceUnavailable, TooManyRequests

from api.http import problems

__all__ = ["COSTLY_ENDPOINTS", "RETRY_AFTER", "Budget", "ClientGone", "stop_when_client_gone",
           "init_app"]

#: the endpoints that run the simulation model (each up to the service's cost cap)
COSTLY_ENDPOINTS = frozenset({"simulations.create_simulation",
                              "simulations.compare_simulations", "stories.tell_story",
                              "assessments.simulate_cycle"})
RETRY_AFTER = 2   # seconds a refused client is asked to wait: about one costly request's time
_EXTENSION = "pmo-advisor.admission"

log = logging.getLogger(__name__)


class ClientGone(Exception):  # noqa: N818 - an event, not a failure of ours
    """The client closed its connection while its costly request ran."""


class Budget:
    """How many costly requests run now, in all and per key; thread-safe, never blocks."""

    def __init__(self, total: int, per_key: int) -> None:
        self.total, self.per_key = total, per_key
        self._lock = threading.Lock()
        self._running = 0
        self._by_key: Counter[str] = Counter()

    def enter(self, key: str | None) -> str | None:
        """``None`` when admitted; otherwise why not: ``"key"`` or ``"service"``."""
        with self._lock:
            if key is not None and self._by_key[key] >= self.per_key:
                return "key"
            if self._running >= self.total:
                return "service"
            self._running += 1
            if key is not None:
                self._by_key[key] += 1
            return None

    def leave(self, key: str | None) -> None:
        with self._lock:
            self._running -= 1
            if key is not None:
                self._by_key[key] -= 1
                if not self._by_key[key]:
                    del self._by_key[key]

    @property
    def running(self) -> int:
        return self._running


def _key() -> str | None:
    """The caller's API key (its digest: no key is held in memory longer than the request), when
    keys are on; auth has already checked it."""
    if not current_app.extensions.get("pmo-advisor.api-keys"):
        return None
    token = request.headers.get("Authorization", "").partition(" ")[2].strip()
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _admit() -> None:
    if request.endpoint not in COSTLY_ENDPOINTS:
        return
    budget: Budget = current_app.extensions[_EXTENSION]
    key = _key()
    refused = budget.enter(key)
    if refused == "key":
        raise TooManyRequests(f"this API key already runs {budget.per_key} costly request(s) "
                              f"(simulations, comparisons, stories); retry after "
                              f"{RETRY_AFTER} s", retry_after=RETRY_AFTER)
    if refused == "service":
        raise ServiceUnavailable(f"the service already runs {budget.total} costly request(s) "
                                 f"(simulations, comparisons, stories); retry after "
                                 f"{RETRY_AFTER} s", retry_after=RETRY_AFTER)
    g.admitted = (key,)


def _release(exc: BaseException | None) -> None:
    admitted = g.pop("admitted", None)
    if admitted is not None:
        current_app.extensions[_EXTENSION].leave(admitted[0])


def stop_when_client_gone() -> Callable[[int, int], None] | None:
    """A progress callback for the simulation that ends the request once its client has gone
    (``None`` where the server cannot tell: the work then runs to its capped end)."""
    gone = request.environ.get("waitress.client_disconnected")
    if gone is None:
        return None

    def check(done: int, total: int) -> None:
        if gone():
            raise ClientGone(f"client gone after {done} of {total} runs")

    return check


def _client_gone(error: ClientGone) -> Response:
    log.info("stopped a costly request: %s", error)
    return problems.problem(503, "the client closed the connection; the work was stopped")


def init_app(app: Flask) -> None:
    """After auth (only known callers take budget): register the budget and its hooks."""
    app.extensions[_EXTENSION] = Budget(app.config["COSTLY_REQUESTS"],
                                        app.config["COSTLY_REQUESTS_PER_KEY"])
    app.before_request(_admit)
    app.teardown_request(_release)
    app.register_error_handler(ClientGone, _client_gone)
