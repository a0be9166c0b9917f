"""pmo-advisor catalog [KIND] [--json]"""

from __future__ import annotations

import argparse
import json
from typing import Any

from advisor.catalog import KINDS
from api.service import catalog_counts, catalog_items

NAME = "catalog"
HELP = "list the guide's catalog: scenarios, services, approaches, outcomes, competencies, ..."

_COLUMNS = {  # what the text listing shows per kind
    "scenarios": ("order", "id", "name", "page"),
    "services": ("number", "id", "level", "approaches", "page"),
    "approaches": ("order", "id", "label", "ideal_customer_maturity", "page"),
    "outcomes": ("number", "id", "horizon", "services", "page"),
    "competencies": ("number", "id", "name", "page"),
    "flywheel": ("number", "id", "stage", "page"),
    "signs": ("id", "scenario", "indicator", "page"),
    "indicators": ("id", "name", "page"),
    "customer_groups": ("id", "name", "page"),
    "maturity_levels": ("level", "name", "descriptor"),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", nargs="?", metavar="KIND",
                        help="one of: " + ", ".join(KINDS) + " (default: a summary)")
    parser.add_argument("--json", action="store_true", help="print JSON")


def _cell(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ",".join(map(str, value))
    return str(value)


def run(args: argparse.Namespace) -> int:
    if args.kind is None:
        counts = catalog_counts()
        if args.json:
            print(json.dumps(counts, indent=2))
        else:
            for kind, count in counts.items():
                print(f"{kind:<16} {count:>3}")
            print("\npmo-advisor catalog KIND lists one kind.")
        return 0
    items = catalog_items(args.kind)
    if args.json:
        print(json.dumps(items, indent=2))
        return 0
    columns = _COLUMNS[args.kind.replace("-", "_")]
    rows = [[_cell(item[c]) for c in columns] for item in items]
    widths = [min(48, max(len(c), *(len(r[i]) for r in rows))) for i, c in enumerate(columns)]
    print("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths)).rstrip())
    for row in rows:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip())
    return 0
