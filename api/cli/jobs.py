"""pmo-advisor jobs run [--database URL] [--once]

The jobs runner alone: claims the jobs queued in the project's database (``POST /api/v1/jobs``)
and runs them one at a time. ``pmo-advisor serve`` starts one itself; run more (here or on other
hosts reaching the same PostgreSQL database) to run more jobs at once.
"""

from __future__ import annotations

import argparse

NAME = "jobs"
HELP = "run the queued jobs (the runner pmo-advisor serve starts; more runners run more at once)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from api.jobs import add_arguments as runner_arguments

    parser.add_argument("action", choices=("run",), help="run: claim and run queued jobs")
    runner_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from api.jobs import run as run_runner

    return run_runner(args)
