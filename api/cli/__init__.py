"""The ``pmo-advisor`` command line.

Each sub-command lives in its own module of this package with ``NAME``, ``HELP``,
``add_arguments(parser)`` and ``run(args) -> int``, and is registered in :data:`COMMANDS` (the
order of ``pmo-advisor --help``). Bad input ends with exit status 2 and one readable line on
stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Sequence

from advisor import __version__
from advisor.errors import PmoAdvisorError
from advisor.validation import excerpt
from api.cli import (
    assess,
    catalog,
    compare,
    diagnose,
    history,
    jobs,
    memory,
    recommend,
    rules,
    sensitivity,
    serve,
    simulate,
    story,
    sweep,
)

__all__ = ["main", "build_parser", "EXIT_USAGE", "EXIT_INTERNAL"]

EXIT_USAGE = 2
EXIT_INTERNAL = 70  # EX_SOFTWARE (sysexits.h): our fault, not the input's
EXIT_UNAVAILABLE = 69  # EX_UNAVAILABLE (sysexits.h): a service we need (the database) is down


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (no usage dump) and exits 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


#: Every command, in the order ``pmo-advisor --help`` lists them.
COMMANDS = (diagnose, recommend, simulate, compare, sweep, sensitivity, story, assess, history,
            memory, catalog, rules, serve, jobs)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="pmo-advisor",
                     description="Diagnose, advise and simulate PMO strategy (PMO Value Ring).")
    parser.add_argument("--version", action="version", version=f"pmo-advisor {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for module in COMMANDS:
        command = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(command)
        command.set_defaults(_run=module.run)
    return parser


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM ends a command as Ctrl-C does, through the code that stops its workers
    (``simulation/executors.py``); Python's default ends this process alone, and a local pool's
    workers and their forkserver wait for it for ever."""
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    previous = None
    if threading.current_thread() is threading.main_thread():   # (serve, jobs: their own)
        previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        return _run(args)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _run(args: argparse.Namespace) -> int:
    try:
        return int(args._run(args) or 0)
    except PmoAdvisorError as exc:
        line = " ".join(str(exc).split())  # one line, and a short one: a safety net for
        line = line if len(line) <= 2000 else line[:2000] + "..."  # messages echoing input
        print(f"pmo-advisor {args.command}: error: {line}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"pmo-advisor {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug: one line for the user, the traceback on request
        database = _database_problem(exc)
        if database is not None:
            print(f"pmo-advisor {args.command}: error: {database[1]}", file=sys.stderr)
            return database[0]
        if os.environ.get("PMO_ADVISOR_TRACEBACK"):
            raise
        print(f"pmo-advisor {args.command}: internal error ({type(exc).__name__}): "
              f"{excerpt(str(exc), 200)}; PMO_ADVISOR_TRACEBACK=1 shows where",
              file=sys.stderr)
        return EXIT_INTERNAL


def _database_problem(exc: Exception) -> tuple[int, str] | None:
    """A database named by ``--database`` or ``PMO_ADVISOR_DATABASE_URL`` that is not a URL
    (exit 2), or that cannot be reached (exit 69, EX_UNAVAILABLE): the user's to mend, not
    an internal error. (SQLAlchemy is looked up only if a command has loaded it.)"""
    errors = sys.modules.get("sqlalchemy.exc")
    if errors is None:
        return None
    if isinstance(exc, errors.ArgumentError):
        return EXIT_USAGE, (f"database: not a database URL ({excerpt(str(exc), 120)}); give "
                            "sqlite:///PATH or postgresql://USER@HOST/NAME")
    if isinstance(exc, errors.OperationalError):
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return EXIT_UNAVAILABLE, f"database: cannot reach it: {excerpt(reason, 200)}"
    return None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
