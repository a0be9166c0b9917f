"""pmo-advisor sensitivity --profile FILE_OR_PRESET --strategy NAME [--runs 50] [--months 36]
[--seed 0] [--trajectories 10] [--sobol-samples 64] [--top 4] [--out PREFIX]
[--workers N] [--executor inline|processes|dask] [--scheduler tcp://host:8786] [--json]"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from api.cli.arguments import whole
from api.cli.simulate import check_writable, progress_bar, strategy_help
from api.schemas.answers import to_json
from simulation.executors import EXECUTORS

NAME = "sensitivity"
HELP = ("which model parameters move P(Collapse), P(Thriving) and months in Crisis most "
        "(Morris screening, then Sobol on the few that matter)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", required=True, metavar="FILE_OR_PRESET",
                        help="a profile file or a shipped preset, e.g. crisis-retailer")
    parser.add_argument("--strategy", required=True, metavar="NAME_OR_FILE",
                        help=strategy_help())
    parser.add_argument("--runs", type=whole, default=50,
                        help="replications per sample point (default 50)")
    parser.add_argument("--months", type=whole, default=36, help="months (default 36)")
    parser.add_argument("--seed", type=whole, default=0, help="random seed (default 0)")
    parser.add_argument("--trajectories", type=whole, default=10,
                        help="Morris trajectories (default 10)")
    parser.add_argument("--sobol-samples", type=whole, default=64,
                        help="Sobol base samples, a power of two (default 64)")
    parser.add_argument("--top", type=whole, default=4,
                        help="parameters kept for the Sobol stage (default 4)")
    parser.add_argument("--out", metavar="PREFIX", default="sensitivity",
                        help="write PREFIX.csv and PREFIX.png (default: sensitivity)")
    parser.add_argument("--workers", type=whole, metavar="N", help="worker processes")
    parser.add_argument("--executor", choices=EXECUTORS, help="where the experiments run")
    parser.add_argument("--scheduler", metavar="tcp://HOST:8786",
                        help="the Dask scheduler to use with --executor dask")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args: argparse.Namespace) -> int:
    from simulation.executors import Execution
    from simulation.sensitivity import OUTCOMES, run_sensitivity
    from simulation.sweep_output import write_sensitivity

    Execution(args.executor, args.workers, args.scheduler)      # refuse bad options first
    check_writable(args.out, "out", ".csv", ".png")
    result = run_sensitivity(args.profile, args.strategy, runs=args.runs, months=args.months,
                             seed=args.seed, trajectories=args.trajectories,
                             sobol_samples=args.sobol_samples, top=args.top,
                             workers=args.workers, executor=args.executor,
                             scheduler=args.scheduler, progress=progress_bar(label="screening"))
    written = write_sensitivity(result, Path(args.out))
    if args.json:
        print(json.dumps(to_json(result), indent=2))
    else:
        print(f"What moves the outcomes of {result.strategy} from {result.profile} "
              f"({result.points} experiments of {result.runs} runs x {result.months} months)")
        print("Morris mu*, scaled to the most influential parameter per outcome; "
              "Sobol total index ST for the screened ones:")
        header = "".join(f"{label:>18}" for label in OUTCOMES.values())
        print(f"  {'parameter':<26}{header}")
        for row in result.ranking:
            cells = ""
            for outcome in OUTCOMES:
                st = row[f"ST.{outcome}"]
                cell = f"{row[f'mu_star.{outcome}']:.2f}" + (f" ST {st:.2f}" if st is not None
                                                             else "")
                cells += f"{cell:>18}"
            print(f"  {row['parameter']:<26}{cells}")
    for path in written:
        print(f"written {path}", file=sys.stderr)
    return 0
