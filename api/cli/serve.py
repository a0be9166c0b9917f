"""pmo-advisor serve [--host] [--port] [--workers] [--threads] [--server]"""

from __future__ import annotations

import argparse
import ipaddress
import os
from typing import Any

from advisor.errors import InputError
from api.cli.arguments import whole

NAME = "serve"
HELP = "serve the HTTP API, its docs and the pages (waitress; gunicorn behind a proxy)"

MAX_WORKERS = 32   # processes: each holds its own app and rules engine (~60 MB)
MAX_THREADS = 64   # threads per process: the engine serializes them anyway
DEFAULT_THREADS = 4


def _default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from api.http.server import SERVERS

    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=whole, default=8000,
                        help="port to listen on (default 8000; 0 picks a free port)")
    parser.add_argument("--workers", type=whole, default=_default_workers(),
                        help=f"worker processes, 1-{MAX_WORKERS} (default: CPUs, at most 4)")
    parser.add_argument("--threads", type=whole, default=DEFAULT_THREADS,
                        help=f"threads per worker, 1-{MAX_THREADS} (default {DEFAULT_THREADS})")
    parser.add_argument("--server", choices=SERVERS, default=None,
                        help="waitress (default: survives slow clients by itself) or gunicorn "
                             "(only behind a buffering reverse proxy: docs/operations.md)")


def _check(args: argparse.Namespace) -> None:
    for name, value, low, high in (("port", args.port, 0, 65535),
                                   ("workers", args.workers, 1, MAX_WORKERS),
                                   ("threads", args.threads, 1, MAX_THREADS)):
        if not low <= value <= high:
            raise InputError(f"must be between {low} and {high}, got {value}", f"--{name}")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def app_settings(host: str) -> dict[str, Any]:
    """Bound to this machine only, the service answers only to this machine's names unless
    ``PMO_ADVISOR_TRUSTED_HOSTS`` says otherwise: a web page elsewhere cannot reach it through
    DNS rebinding (a name of its own that resolves to 127.0.0.1)."""
    from api.http.config import ENV_PREFIX, LOOPBACK_HOSTS

    if _is_loopback(host) and f"{ENV_PREFIX}_TRUSTED_HOSTS" not in os.environ:
        return {"TRUSTED_HOSTS": list(LOOPBACK_HOSTS)}
    return {}


def run(args: argparse.Namespace) -> int:
    from api.http.server import serve

    _check(args)
    serve(args.host, args.port, args.workers, args.threads, args.server,
          app_config=app_settings(args.host))
    return 0
