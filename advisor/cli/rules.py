"""pmo-advisor rules [--table diagnosis|advice] [--json]: every rule, for review by a PMO expert."""

from __future__ import annotations

import argparse
import json
from typing import Any, Callable

from rules.advice_table import load_advice_table
from rules.diagnosis_table import load_diagnosis_table
from rules.table import Rule

NAME = "rules"
HELP = "list every diagnosis or advice rule with its conditions, conclusion, reason and page"
ORDER = 40


def _diagnosis_tag(rule: Rule) -> str:
    weight = f"+{rule.weight:g}" if rule.effect == "evidence" else rule.effect
    return f"{rule.subject}, {weight}"


def _advice_tag(rule: Rule) -> str:
    then = ", ".join(f"{k}: {v}" for k, v in rule.data["then"].items())
    return f"{rule.data['fact']}; then {then}"


TABLES: dict[str, tuple[Callable[[], Any], Callable[[Rule], str]]] = {
    "diagnosis": (load_diagnosis_table, _diagnosis_tag),
    "advice": (load_advice_table, _advice_tag),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--table", choices=sorted(TABLES), default="diagnosis",
                        help="which rule table (default: diagnosis)")
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace) -> int:
    load, tag = TABLES[args.table]
    table = load()
    if args.json:
        print(json.dumps({"ruleset_version": table.version,
                          "rules": [r.to_dict() for r in table.rules]}, indent=2))
        return 0
    print(f"ruleset {table.version}: {len(table.rules)} rules\n")
    for rule in table.rules:
        print(f"{rule.id}  [{tag(rule)}, pri {rule.priority}, {rule.source}]")
        print(f"    when {rule.conditions}")
        print(f"    {rule.reason}")
    return 0
