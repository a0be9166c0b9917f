"""Serve the application with a production server: waitress by default, gunicorn on request.

**Why waitress.** A slow client must not take a thread: gunicorn's threads read a request's
headers and body themselves, so 16 connections that send a request line and stop block every
other request, ``/health`` included, for as long as they stay open (measured; see
docs/operations.md). waitress reads every request in one asynchronous I/O loop and hands a
thread only a request that has fully arrived; an idle or stalled connection costs a socket until
``CHANNEL_TIMEOUT`` closes it. gunicorn stays available (``--server gunicorn``) for deployments
behind a buffering reverse proxy (nginx), which does that job in front of it.

**Processes.** waitress is one process; on systems with ``fork`` we run ``workers`` of them on
one listening socket, under a small master that restarts a worker that dies and stops them all on
SIGTERM or Ctrl-C. Each worker creates its app after the fork, and the rules engine only on its
first diagnosis, so no durable-rules state ever crosses a fork; within a worker the engine
gateway's lock serializes the threads (``rules/gateway.py``).

**Jobs.** Unless jobs are off (``PMO_ADVISOR_JOBS=false``), the server also starts the jobs
runner (``api/jobs.py``), a process of its own beside the workers: the master restarts it if it
dies and stops it with them; it stops by itself once the server is gone (after its current job).

Once listening, the server prints one line, ``pmo-advisor: serving on http://HOST:PORT ...``, so
a caller that asked for port 0 (any free port) learns which one it got. Before it, one line says
whether API keys are on.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from advisor.errors import InputError

if TYPE_CHECKING:
    from flask import Flask

    from api.jobs import RunnerLaunch

__all__ = ["SERVERS", "READY_PREFIX", "default_server", "serve", "waitress_server",
           "waitress_settings"]

SERVERS = ("waitress", "gunicorn")
READY_PREFIX = "pmo-advisor: serving on "
GRACEFUL_TIMEOUT = 10     # seconds a stopping worker gets to finish its requests
WORKER_TIMEOUT = 60       # seconds of silence before gunicorn restarts a worker
CHANNEL_TIMEOUT = 15      # seconds a connection may stay silent (mid-request or idle) before
                          # waitress closes it
CLEANUP_INTERVAL = 2      # seconds between waitress's sweeps for such connections
CONNECTION_LIMIT = 1000   # open connections per worker before it stops accepting (file handles)
MAX_HEADER_BYTES = 32 * 1024   # request line and headers together (431 beyond)
BACKLOG = 1024            # connections the kernel queues while every worker is busy
RESTART_PAUSE = 1.0       # seconds the master waits before replacing a worker that died
SEND_BYTES = 18000        # an answer smaller than this goes out whole from the I/O loop


def default_server() -> str:
    """waitress everywhere: it survives slow clients by itself (see the module docstring)."""
    return "waitress"


def _announce(url: str, how: str) -> None:
    print(f"{READY_PREFIX}{url} ({how})", flush=True)


def _format_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def waitress_settings(max_body_bytes: int, threads: int) -> dict[str, Any]:
    """waitress's settings: every bound on what one connection may hold, in one place."""
    return {
        "threads": threads,
        "channel_timeout": CHANNEL_TIMEOUT,
        "cleanup_interval": CLEANUP_INTERVAL,
        "connection_limit": CONNECTION_LIMIT,
        "max_request_header_size": MAX_HEADER_BYTES,
        "max_request_body_size": max_body_bytes,  # chunked too: refused with 413 while reading
        # with one request looked ahead, waitress notices a client that hung up and tells the
        # app (environ["waitress.client_disconnected"]), so costly work can stop early
        "channel_request_lookahead": 1,
        "backlog": BACKLOG,
        "ident": "pmo-advisor",
        "expose_tracebacks": False,
    }


def _problem_channel(read_timeout: float) -> type:
    """waitress's connection class, with its own errors (400, 413, 431, ...) as problem+json, and
    a deadline on reading one request: waitress's ``channel_timeout`` closes a connection that
    goes silent, but a client that trickles a byte now and then would keep one open for ever;
    this closes it ``read_timeout`` seconds after its request began."""
    from waitress.channel import HTTPChannel
    from waitress.task import ErrorTask

    class ProblemErrorTask(ErrorTask):
        def execute(self) -> None:
            error = self.request.error
            body = _problem_body(error.code, error.reason, error.body)
            self.status = f"{error.code} {error.reason}"
            self.response_headers.append(("Content-Type", "application/problem+json"))
            self.set_close_on_finish()
            self.content_length = len(body)
            self.write(body)

    class ProblemChannel(HTTPChannel):
        error_task_class = ProblemErrorTask
        request_started: float | None = None

        def received(self, data: bytes) -> bool:
            now = time.monotonic()
            if self.request is None:  # this data begins a request
                self.request_started = None
            accepted: bool = super().received(data)
            if self.request is None:  # nothing left half-read
                self.request_started = None
            elif self.request_started is None:
                self.request_started = now
            elif now - self.request_started > read_timeout:
                self.will_close = True  # the I/O loop closes it
            return accepted

    return ProblemChannel


def _problem_body(status: int, reason: str, detail: str) -> bytes:
    return json.dumps({"type": "about:blank", "title": reason, "status": status,
                       "detail": " ".join(str(detail).split())[:200],
                       "errors": []}).encode("utf-8")


def _gunicorn_problems(server: Any, worker: Any) -> None:
    """gunicorn's post_fork hook: its own refusals (400, 414, 431, ...) as problem+json.

    gunicorn writes them with one module function, ``gunicorn.util.write_error``, as HTML; it is
    replaced in the worker process only (where nothing else uses gunicorn)."""
    from gunicorn import util

    def write_error(sock: socket.socket, status: int, reason: str, message: str) -> None:
        body = _problem_body(status, reason, message)
        head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
                f"Content-Type: application/problem+json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n")
        util.write_nonblock(sock, head.encode("latin-1") + body)

    util.write_error = write_error


def _listen(host: str, port: int) -> socket.socket:
    """The listening socket, shared by every worker; a busy port is one readable line."""
    sock = None
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _, address = infos[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(BACKLOG)
    except OSError as exc:
        if sock is not None:
            sock.close()
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                         "--port") from None
    return sock


def _freeze_heap() -> None:
    """Move what building the app left alive (schemas, catalog, OpenAPI document: ~140,000
    objects) out of the garbage collector's sight: it lives as long as the worker, and every
    full collection would walk it again. Measured: 8-10% of a diagnosis request's CPU."""
    gc.collect()
    gc.freeze()


def waitress_server(app: Flask, sock: socket.socket, threads: int) -> Any:
    """waitress serving ``app`` on ``sock`` as a worker does (call ``run()`` on it).

    Its answers go out in one send each, from the I/O loop: waitress (since 1.3) sends every
    write as soon as the app makes it, from the app's thread, so an answer was two sends (the
    head, then the body), each letting go of the GIL mid-request; together 0.05-0.15 ms of a
    worker's CPU per request, most of all for the larger answers (a diagnosis, issue 13). Its
    ``send_bytes`` adjustment says from how many buffered bytes the app's thread sends; passing
    it to waitress is deprecated (a warning), so it is set on the server's adjustments, which
    every connection reads. No route streams, so nothing waits on the buffer but the end of
    its own answer; an answer over ``SEND_BYTES`` is sent as the app writes it, as before."""
    from waitress import create_server

    server = create_server(app, sockets=[sock],
                           **waitress_settings(int(app.config["MAX_CONTENT_LENGTH"]), threads))
    server.adj.send_bytes = SEND_BYTES
    server.channel_class = _problem_channel(float(app.config["REQUEST_READ_TIMEOUT"]))
    return server


def _waitress_worker(sock: socket.socket, app_config: Mapping[str, Any], threads: int) -> None:
    from api.http import create_app

    app = create_app(app_config)
    _freeze_heap()
    waitress_server(app, sock, threads).run()


@contextmanager
def _runner_beside(launch: RunnerLaunch | None) -> Iterator[None]:
    """The jobs runner for as long as a server that has no master of ours runs (gunicorn, or
    one process without fork)."""
    if not launch:
        yield
        return
    runner = subprocess.Popen(launch[0], env=launch[1], stdin=subprocess.DEVNULL)
    try:
        yield
    finally:
        runner.terminate()
        try:
            runner.wait(GRACEFUL_TIMEOUT)
        except subprocess.TimeoutExpired:
            runner.kill()
            runner.wait()


def _run_waitress(host: str, port: int, workers: int, threads: int,
                  app_config: Mapping[str, Any], say_keys: Callable[[], None],
                  runner: RunnerLaunch | None = None) -> None:
    sock = _listen(host, port)
    say_keys()
    bound_host, bound_port = sock.getsockname()[:2]
    url = f"http://{_format_host(str(bound_host))}:{bound_port}"
    if not hasattr(os, "fork"):  # Windows: one process
        if workers > 1:
            print("pmo-advisor: one process here (no fork); --workers is ignored",
                  file=sys.stderr)
        _announce(url, f"waitress, 1 process x {threads} thread(s)")
        with _runner_beside(runner):
            _waitress_worker(sock, app_config, threads)
        return
    _Master(sock, app_config, workers, threads, runner).run(
        lambda: _announce(url, f"waitress, {workers} worker process(es) x {threads} thread(s)"))


class _Master:
    """Forks the waitress workers, starts the jobs runner, replaces one that dies, stops them
    all on SIGTERM/SIGINT."""

    def __init__(self, sock: socket.socket, app_config: Mapping[str, Any], workers: int,
                 threads: int, runner: RunnerLaunch | None = None) -> None:
        self.sock, self.app_config, self.workers, self.threads = sock, app_config, workers, threads
        self.runner_launch = runner
        self.runner: subprocess.Popen[bytes] | None = None  # kept: reaped by our waitpid only
        self.runner_pid = 0
        self.children: set[int] = set()
        self.stopping = False

    def _spawn_runner(self) -> None:
        if self.runner_launch:  # started, not forked: its rules engine is its own
            command, env = self.runner_launch
            self.runner = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL)
            self.runner_pid = self.runner.pid
            self.children.add(self.runner_pid)

    def _spawn(self) -> None:
        pid = os.fork()
        if pid == 0:  # the worker
            code = 0
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # the master stops us on Ctrl-C
                _waitress_worker(self.sock, self.app_config, self.threads)
            except BaseException as exc:  # noqa: BLE001 - a worker must never return to the master's code
                print(f"pmo-advisor: worker {os.getpid()} stopped: {exc!r}", file=sys.stderr)
                code = 1
            finally:
                os._exit(code)
        self.children.add(pid)

    def _stop(self, signum: int, frame: Any) -> None:
        self.stopping = True

    def run(self, ready: Callable[[], None]) -> None:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        for _ in range(self.workers):
            self._spawn()
        self._spawn_runner()
        ready()
        while not self.stopping:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                pid = 0
            if pid and pid == self.runner_pid:
                self.children.discard(pid)
                if not self.stopping:
                    print(f"pmo-advisor: jobs runner {pid} died; starting another",
                          file=sys.stderr)
                    time.sleep(RESTART_PAUSE)
                    self._spawn_runner()
                continue
            if pid and pid in self.children:
                self.children.discard(pid)
                if not self.stopping:
                    print(f"pmo-advisor: worker {pid} died; starting another", file=sys.stderr)
                    time.sleep(RESTART_PAUSE)
                    self._spawn()
                continue
            time.sleep(0.2)
        self._terminate()

    def _terminate(self) -> None:
        for pid in self.children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + GRACEFUL_TIMEOUT
        while self.children and time.monotonic() < deadline:
            for pid in list(self.children):
                try:
                    done, _ = os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    done = pid
                if done:
                    self.children.discard(pid)
            time.sleep(0.05)
        for pid in self.children:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.sock.close()


def _run_gunicorn(host: str, port: int, workers: int, threads: int,
                  app_config: Mapping[str, Any], say_keys: Callable[[], None],
                  runner: RunnerLaunch | None = None) -> None:
    """gunicorn, for deployments behind a buffering reverse proxy only (docs/operations.md)."""
    from gunicorn.app.base import BaseApplication

    say_keys()
    print("pmo-advisor: gunicorn reads requests on its worker threads: run it only behind a "
          "buffering reverse proxy (docs/operations.md)", file=sys.stderr)

    def when_ready(arbiter: Any) -> None:
        how = f"gunicorn, {workers} worker process(es) x {threads} thread(s)"
        _announce(str(arbiter.LISTENERS[0]), how)

    options = {
        "bind": f"{_format_host(host)}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": WORKER_TIMEOUT,
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "keepalive": 5,
        "limit_request_line": 8190,
        "limit_request_fields": 100,
        "when_ready": when_ready,
        "post_fork": _gunicorn_problems,
        "preload_app": False,  # each worker builds its own app (and engine) after the fork
    }

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)
            if "control_socket_disable" in self.cfg.settings:  # gunicorn >= 24
                # no runtime control socket: it sits at one path per user, which two servers
                # on one machine would share
                self.cfg.set("control_socket_disable", True)

        def load(self) -> Callable[..., Any]:
            from api.http import create_app
            app = create_app(app_config)
            _freeze_heap()
            return app

    with _runner_beside(runner):
        Server().run()


def serve(host: str, port: int, workers: int, threads: int, server: str | None = None,
          app_config: Mapping[str, Any] | None = None) -> None:
    """Run until stopped (SIGTERM or Ctrl-C). The settings are checked first: a bad one stops
    here, before anything listens, with one line naming it (an InputError)."""
    from api.http import create_app
    from api.http.auth import keys_required
    from api.http.config import database_url_of
    from api.jobs import runner_command

    app_config = dict(app_config or {})
    app = create_app(app_config)  # checks every setting; the engine is not built here
    notes = []
    costly = app.config["COSTLY_REQUESTS"]
    if costly >= threads:  # cheap routes (/health) must keep a thread whatever runs
        app_config["COSTLY_REQUESTS"] = max(1, threads - 1)
        app_config["COSTLY_REQUESTS_PER_KEY"] = min(app.config["COSTLY_REQUESTS_PER_KEY"],
                                                    app_config["COSTLY_REQUESTS"])
        notes.append(f"pmo-advisor: {app_config['COSTLY_REQUESTS']} costly request(s) at once "
                     f"per worker, not {costly}, so that cheap routes keep a thread of "
                     f"{threads}")
    count = len(app.extensions.get("pmo-advisor.api-keys", ()))
    if keys_required(app):
        line = f"pmo-advisor: API keys on ({count} key{'s' if count != 1 else ''})"
    else:
        line = "pmo-advisor: API keys off: anyone who can reach this address can use the API"
    jobs = runner_command(database_url_of(app.config), os.getpid()) if app.config["JOBS"] \
        else None
    del app

    def say_keys() -> None:  # the first log line, once the address is ours
        for text in (line, *notes):
            print(text, file=sys.stderr, flush=True)

    runner = {"gunicorn": _run_gunicorn, "waitress": _run_waitress}[server or default_server()]
    runner(host, port, workers, threads, app_config, say_keys, jobs)
