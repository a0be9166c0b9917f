"""pmo-advisor advice-rules [--json]: every advice rule, for review by a PMO expert.

The sibling of ``pmo-advisor rules`` (the diagnosis rules), with the same ``--json`` option; each
line shows the kind of fact a rule reads and what it concludes (``then``).
"""

from __future__ import annotations

import argparse
import json

from advisor.cli.rules import add_arguments  # noqa: F401 - the same options as `rules`
from rules.advice_table import load_advice_table

NAME = "advice-rules"
HELP = "list every advice rule with the fact it reads, its conditions, conclusion, reason and page"
ORDER = 45


def run(args: argparse.Namespace) -> int:
    table = load_advice_table()
    listing = {"ruleset_version": table.version, "rules": [r.to_dict() for r in table.rules]}
    if args.json:
        print(json.dumps(listing, indent=2))
        return 0
    print(f"ruleset {table.version}: {len(table.rules)} rules\n")
    for rule in table.rules:
        then = ", ".join(f"{k}: {v}" for k, v in rule.data["then"].items())
        print(f"{rule.id}  [{rule.data['fact']}; then {then}; pri {rule.priority}; {rule.source}]")
        print(f"    when {rule.conditions}\n    {rule.reason}")
    return 0
