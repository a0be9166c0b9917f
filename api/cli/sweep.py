"""pmo-advisor sweep FILE [--out PREFIX] [--workers N] [--executor inline|processes|dask]
[--scheduler tcp://host:8786] [--json]"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from api.cli.arguments import whole
from api.cli.simulate import check_writable, progress_bar
from simulation.executors import EXECUTORS

NAME = "sweep"
HELP = ("run a sweep file (profiles x strategies x shock schedules x parameter values): a tidy "
        "table as CSV and Parquet, and a chart of the key outcome")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the sweep (YAML or JSON); see "
                        "docs/sweeps/turnaround.yaml")
    parser.add_argument("--out", metavar="PREFIX",
                        help="write PREFIX.csv, PREFIX.parquet and PREFIX.png (default: the "
                             "sweep file's name, in the current folder)")
    parser.add_argument("--workers", type=whole, metavar="N",
                        help="worker processes (default: all cores for large sweeps)")
    parser.add_argument("--executor", choices=EXECUTORS,
                        help="where replications run (default: inline for small sweeps, "
                             "processes for large); the same seed gives the same table on each")
    parser.add_argument("--scheduler", metavar="tcp://HOST:8786",
                        help="the Dask scheduler to use with --executor dask (default: a local "
                             "cluster started for the run)")
    parser.add_argument("--json", action="store_true", help="print the table as JSON rows")


def run(args: argparse.Namespace) -> int:
    from simulation.executors import Execution
    from simulation.sweep_output import write_outputs
    from simulation.sweeps import load_sweep, run_sweep

    Execution(args.executor, args.workers, args.scheduler)      # refuse bad options first
    sweep = load_sweep(args.file)
    prefix = Path(args.out) if args.out else Path(Path(args.file).stem)
    check_writable(str(prefix), "out", ".csv", ".parquet", ".png")
    result = run_sweep(sweep, workers=args.workers, executor=args.executor,
                       scheduler=args.scheduler, progress=progress_bar(label="sweeping"))
    written = write_outputs(result, prefix)
    rows = result.rows()
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        outcome = sweep.outcome
        width = max(len(c) for c in ("strategy", *(r["strategy"] for r in rows)))
        print(f"{sweep.name}: {len(rows)} points, {outcome}")
        for row in rows:
            knobs = ", ".join(f"{n}={row[n]}" for n in sweep.parameter_names)
            print(f"  {row['point']:>3}  {row['strategy']:<{width}}  {row['shock_schedule']:<16} "
                  f"{row['profile']:<22} {knobs:<28} {row[outcome]}")
    for path in written:
        print(f"written {path}", file=sys.stderr)
    return 0
