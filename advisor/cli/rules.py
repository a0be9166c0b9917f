"""pmo-advisor rules [--json]: every diagnosis rule, for review by a PMO expert."""

from __future__ import annotations

import argparse
import json

from rules.diagnosis_table import load_diagnosis_table

NAME = "rules"
HELP = "list every diagnosis rule with its conditions, weight, reason and guide page"
ORDER = 40


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace) -> int:
    table = load_diagnosis_table()
    if args.json:
        print(json.dumps({"ruleset_version": table.version,
                          "rules": [r.to_dict() for r in table.rules]}, indent=2))
        return 0
    print(f"ruleset {table.version}: {len(table.rules)} rules\n")
    for rule in table.rules:
        weight = f"+{rule.weight:g}" if rule.effect == "evidence" else rule.effect
        print(f"{rule.id}  [{rule.subject}, {weight}, pri {rule.priority}, {rule.source}]")
        print(f"    when {rule.conditions}")
        print(f"    {rule.reason}")
    return 0
