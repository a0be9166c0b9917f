"""pmo-advisor diagnose FILE [--json]"""

from __future__ import annotations

import argparse
import json

from api.reports.diagnosis import render_diagnosis
from api.schemas.answers import to_json
from api.service import diagnose, profile_of

NAME = "diagnose"
HELP = "diagnose which of the eight scenarios a PMO profile (YAML or JSON) is in, and why"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="a PMO profile, YAML or JSON")
    parser.add_argument("--json", action="store_true", help="print the diagnosis as JSON")


def run(args: argparse.Namespace) -> int:
    profile = profile_of(args.file, allow_files=True)
    diagnosis = diagnose(profile)
    if args.json:
        print(json.dumps(to_json(diagnosis), indent=2))
    else:
        print(render_diagnosis(diagnosis, profile.name))
    return 0
