"""pmo-advisor memory export FILE | import FILE | wipe --yes  [--database URL]

Back up, move or reset the assessments' memory: ``export`` writes every organization, cycle,
answer and run as one JSON document, ``import`` loads such a document into an empty database
(all or nothing), ``wipe`` deletes everything. Export, wipe and import give back the same
content, also across SQLite and PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from advisor.assessment import read_document
from advisor.errors import InputError
from api.cli.history import add_database_argument
from api.store import open_store

NAME = "memory"
HELP = "export, import or wipe the assessments' database (JSON)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("export", "import", "wipe"))
    parser.add_argument("file", metavar="FILE", nargs="?",
                        help="the JSON file to write (export; '-' for stdout) or read (import)")
    parser.add_argument("--yes", action="store_true", help="confirm a wipe")
    add_database_argument(parser)


def run(args: argparse.Namespace) -> int:
    store = open_store(args.database)
    if args.action == "wipe":
        if not args.yes:
            raise InputError("wiping deletes every organization and cycle; add --yes", "yes")
        store.wipe()
        print(f"wiped {store.url}", file=sys.stderr)
        return 0
    if not args.file:
        raise InputError(f"{args.action} needs a FILE", "FILE")
    if args.action == "export":
        text = json.dumps(store.dump(), indent=1, sort_keys=True, ensure_ascii=False)
        if args.file == "-":
            print(text)
        else:
            Path(args.file).write_text(text + "\n", encoding="utf-8")
        return 0
    document = read_document(args.file, "FILE")
    if not isinstance(document, dict):
        raise InputError("not a pmo-advisor memory export", "FILE")
    store.load(document)
    print(f"imported {len(document.get('organizations', []))} organization(s) into {store.url}",
          file=sys.stderr)
    return 0
