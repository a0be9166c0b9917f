"""pmo-advisor history ORG [--pmo NAME] [--json] [--database URL]"""

from __future__ import annotations

import argparse
import json

from api.reports.history import render_history
from api.schemas.answers import to_json
from api.schemas.assessments import HistorySchema
from api.store import open_store

NAME = "history"
HELP = ("an organization's assessment cycles: scenario path, indicator trends, simulation runs")


def add_database_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database", metavar="URL", default=None,
                        help="database URL (default: PMO_ADVISOR_DATABASE_URL, else a SQLite "
                             "file in the user's data folder)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("organization", metavar="ORG", help="the organization's name or id")
    add_pmo_argument(parser)
    parser.add_argument("--json", action="store_true", help="print the history as JSON")
    add_database_argument(parser)


def add_pmo_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pmo", metavar="NAME", default=None,
                        help="which of the organization's PMOs (default: its default PMO)")


def run(args: argparse.Namespace) -> int:
    history = open_store(args.database).history(args.organization, args.pmo)
    print(json.dumps(to_json(history, HistorySchema), indent=2) if args.json
          else render_history(history))
    return 0
