"""pmo-advisor recommend FILE [--json]"""

from __future__ import annotations

import argparse
import json

from api.reports.advice import render_advice
from api.schemas.answers import to_json
from api.service import profile_of, recommend

NAME = "recommend"
HELP = ("advise a plan in waves bounded by capacity, services, approaches, competencies and "
        "flywheel focus for a PMO profile (YAML or JSON), with the rules behind each "
        "recommendation")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="a PMO profile, YAML or JSON, with optional "
                        "customers, services, team and organization sections")
    parser.add_argument("--json", action="store_true", help="print the advice as JSON")


def run(args: argparse.Namespace) -> int:
    profile = profile_of(args.file, allow_files=True)
    advice = recommend(profile)
    if args.json:
        print(json.dumps(to_json(advice), indent=2))
    else:
        print(render_advice(advice, profile))
    return 0
