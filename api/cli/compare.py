"""pmo-advisor compare (--profile FILE_OR_PRESET | --org ORG) --strategies a,FILE,c [simulate's
options]

The first strategy is compared with each other one: paired differences with 95% intervals and a
plain verdict."""

from __future__ import annotations

import argparse
import json

from api.cli.remembered import remember, source_of
from api.cli.simulate import add_run_options, check_plot, run_options, write_plot
from api.schemas.answers import to_json
from api.service import compare
from simulation.limits import LOCAL
from simulation.strategies import strategy_ids

NAME = "compare"
HELP = "compare strategies side by side from one profile (same seed: common random numbers)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--strategies", required=True, metavar="A,B,C",
                        help=f"2-{LOCAL.max_strategies} comma-separated strategies, the first "
                             "compared with the others: shipped (" + ", ".join(strategy_ids())
                             + "), plan (the profile's advice plan) or strategy files")
    add_run_options(parser)


def run(args: argparse.Namespace) -> int:
    from api.reports.simulation import render_comparison
    check_plot(args.plot)
    strategies = [s.strip() for s in args.strategies.split(",") if s.strip()]
    source = source_of(args)
    result = compare(source.profile, [source.strategy(s) for s in strategies],
                     **run_options(args, "comparing"))
    print(json.dumps(to_json(result), indent=2) if args.json else render_comparison(result))
    write_plot(result, args.plot)
    remember(source, result.results)
    return 0
