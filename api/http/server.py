"""Serve the application with a production server: gunicorn on Linux, waitress elsewhere.

gunicorn runs ``workers`` processes of ``threads`` threads each (gthread workers). The app is
created in each worker after the fork (no ``preload_app``), and the rules engine only on a
worker's first diagnosis, so no durable-rules state is ever shared across a fork; within a worker
the engine gateway's lock serializes the threads (``rules/gateway.py``). waitress, for systems
where gunicorn cannot run (Windows), is one process of ``threads`` threads.

Once listening, the server prints one line, ``pmo-advisor: serving on http://HOST:PORT ...``, so
a caller that asked for port 0 (any free port) learns which one it got.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["SERVERS", "READY_PREFIX", "default_server", "serve"]

SERVERS = ("gunicorn", "waitress")
READY_PREFIX = "pmo-advisor: serving on "
GRACEFUL_TIMEOUT = 10     # seconds a stopping worker gets to finish its requests
WORKER_TIMEOUT = 60       # seconds of silence before gunicorn restarts a worker


def default_server() -> str:
    """gunicorn where it runs (it needs fork and fcntl: not on Windows), else waitress."""
    if sys.platform != "win32" and importlib.util.find_spec("gunicorn") is not None:
        return "gunicorn"
    return "waitress"


def _announce(url: str, how: str) -> None:
    print(f"{READY_PREFIX}{url} ({how})", flush=True)


def _format_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _run_gunicorn(host: str, port: int, workers: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

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
        "when_ready": when_ready,
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
            return create_app()

    Server().run()


def _run_waitress(host: str, port: int, workers: int, threads: int) -> None:
    from waitress import create_server

    from api.http import create_app

    if workers > 1:
        print("pmo-advisor: waitress runs one process; --workers is ignored", file=sys.stderr)
    server = create_server(create_app(), host=host, port=port, threads=threads)
    url = f"http://{_format_host(str(server.effective_host))}:{server.effective_port}"
    _announce(url, f"waitress, 1 process x {threads} thread(s)")
    server.run()


def serve(host: str, port: int, workers: int, threads: int, server: str | None = None) -> None:
    """Run until stopped (SIGTERM or Ctrl-C)."""
    runner = {"gunicorn": _run_gunicorn, "waitress": _run_waitress}[server or default_server()]
    runner(host, port, workers, threads)
