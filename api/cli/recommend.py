"""pmo-advisor recommend FILE [--json] [--strategy-out PLAN.yaml]"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

from advisor.errors import InputError
from api.reports.advice import render_advice
from api.schemas.answers import to_json
from api.service import plan_strategy, profile_of, recommend

NAME = "recommend"
HELP = ("advise a plan in waves bounded by capacity, services, approaches, competencies and "
        "flywheel focus for a PMO profile (YAML or JSON), with the rules behind each "
        "recommendation")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="a PMO profile, YAML or JSON, with optional "
                        "customers, services, team and organization sections")
    parser.add_argument("--json", action="store_true", help="print the advice as JSON")
    parser.add_argument("--strategy-out", metavar="PLAN.yaml",
                        help="also write the advice plan as a strategy document (YAML, or JSON "
                             "for a .json name) for simulate --strategy / compare --strategies")


def run(args: argparse.Namespace) -> int:
    profile = profile_of(args.file, allow_files=True)
    if args.strategy_out:
        write_strategy(plan_strategy(profile), args.strategy_out)
    advice = recommend(profile)
    if args.json:
        print(json.dumps(to_json(advice), indent=2))
    else:
        print(render_advice(advice, profile))
    return 0


def write_strategy(document: dict[str, object], path: str) -> None:
    """Write a strategy document; refuse names that are not YAML or JSON files."""
    target = Path(path)
    if target.suffix.lower() not in (".yaml", ".yml", ".json"):
        raise InputError(f"give a .yaml, .yml or .json file name, got {path}", "strategy-out")
    text = (json.dumps(document, indent=2) + "\n" if target.suffix.lower() == ".json"
            else "# The advice plan as a strategy: pmo-advisor simulate --strategy FILE\n"
            + yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}", "strategy-out") from None
    print(f"plan written as a strategy to {path}", file=sys.stderr)
