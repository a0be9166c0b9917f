"""pmo-advisor rules [--table diagnosis|advice] [--json]: every rule, for review by a PMO expert."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable

from api.schemas.answers import to_json
from api.service import rule_table
from rules.table import Rule

NAME = "rules"
HELP = "list every diagnosis or advice rule with its conditions, conclusion, reason and page"


def _diagnosis_tag(rule: Rule) -> str:
    if "from" in rule.data:  # a transition the guide states: from which scenarios, to which
        return f"{'/'.join(rule.data['from'])} -> {rule.subject}, transition"
    signed = {"evidence": f"+{rule.weight:g}", "against": f"-{rule.weight:g}"}
    weight = signed.get(rule.effect, rule.effect)
    return f"{rule.subject}, {weight}"


def _advice_tag(rule: Rule) -> str:
    then = ", ".join(f"{k}: {v}" for k, v in rule.data["then"].items())
    return f"{rule.data['fact']}; then {then}"


TAGS: dict[str, Callable[[Rule], str]] = {"diagnosis": _diagnosis_tag, "advice": _advice_tag}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--table", choices=sorted(TAGS), default="diagnosis",
                        help="which rule table (default: diagnosis)")
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace) -> int:
    tag = TAGS[args.table]
    table = rule_table(args.table)
    if args.json:
        print(json.dumps(to_json(table), indent=2))
        return 0
    print(f"ruleset {table.version}: {len(table.rules)} rules\n")
    for rule in table.rules:
        print(f"{rule.id}  [{tag(rule)}, pri {rule.priority}, {rule.source}]")
        print(f"    when {rule.conditions}")
        print(f"    {rule.reason}")
    return 0
