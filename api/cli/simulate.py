"""pmo-advisor simulate (--profile FILE_OR_PRESET | --org ORG [--pmo NAME] [--cycle N])
--strategy NAME_OR_FILE [--months 36]
[--runs 500] [--seed 0] [--shock sponsor_change@6 ...] [--baseline] [--no-random-shocks]
[--workers N] [--executor inline|processes|dask] [--scheduler tcp://host:8786] [--json]
[--plot out.png]"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from advisor.errors import InputError
from advisor.validation import excerpt
from api.cli.arguments import whole
from api.cli.remembered import add_memory_options, remember, source_of
from api.schemas.answers import to_json
from api.service import simulate, simulate_with_baseline
from simulation.executors import EXECUTORS
from simulation.limits import LOCAL
from simulation.strategies import strategy_ids

NAME = "simulate"
HELP = "Monte Carlo simulation of a PMO strategy from a profile (the flywheel model)"


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by simulate and compare."""
    parser.add_argument("--profile", metavar="FILE_OR_PRESET",
                        help="a profile file (YAML/JSON) or a shipped preset, e.g. "
                             "kickoff-fintech (or --org)")
    add_memory_options(parser)
    parser.add_argument("--months", type=whole, default=LOCAL.default_months,
                        help=f"months to simulate, 1-{LOCAL.max_months} "
                             f"(default {LOCAL.default_months})")
    parser.add_argument("--runs", type=whole, default=None,
                        help=f"replications, 1-{LOCAL.max_runs_allowed}; runs x months x "
                             f"strategies at most {LOCAL.max_run_months} "
                             f"(default {LOCAL.default_runs}, fewer if that is over the cap)")
    parser.add_argument("--seed", type=whole, default=LOCAL.default_seed,
                        help=f"random seed; the same seed gives the same result "
                             f"(default {LOCAL.default_seed})")
    parser.add_argument("--shock", action="append", default=[], metavar="NAME@MONTH",
                        help="a scheduled shock, e.g. sponsor_change@6 (repeatable)")
    parser.add_argument("--no-random-shocks", action="store_true",
                        help="only the scheduled shocks (default: also random ones)")
    parser.add_argument("--relaunch-strategy", metavar="NAME_OR_FILE",
                        help="strategy of a new PMO after a shutdown: shipped, plan or a file "
                             "(default: the same)")
    parser.add_argument("--workers", type=whole, metavar="N",
                        help="worker processes (default: all cores for large runs)")
    parser.add_argument("--executor", choices=EXECUTORS,
                        help="where replications run: inline (this process), processes (local "
                             "cores) or dask (a Dask cluster; default: inline for small runs, "
                             "processes for large); the same seed gives the same result on each")
    parser.add_argument("--scheduler", metavar="tcp://HOST:8786",
                        help="the Dask scheduler to use with --executor dask (default: a local "
                             "cluster started for the run); give --workers as its worker count")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--plot", metavar="PNG", help="write a chart to this PNG file")


def run_options(args: argparse.Namespace, label: str = "simulating") -> dict[str, Any]:
    return {"months": args.months, "runs": args.runs, "seed": args.seed, "shocks": args.shock,
            "random_shocks": not args.no_random_shocks,
            "relaunch_strategy": args.relaunch_strategy, "allow_files": True, "limits": LOCAL,
            "workers": args.workers, "executor": args.executor, "scheduler": args.scheduler,
            "progress": progress_bar(label=label)}


#: a run shorter than this shows no bar (no flicker on quick runs)
PROGRESS_DELAY_SECONDS = 1.0
#: the bar is redrawn at most this often
PROGRESS_REDRAW_SECONDS = 0.1


def progress_bar(stream: Any = None, label: str = "simulating",
                 clock: Callable[[], float] = time.monotonic
                 ) -> Callable[[int, int], None] | None:
    """A one-line progress bar on stderr, only when stderr is a terminal (a pipe or a file
    gets none), shown once the run has taken a second, and wiped when it ends."""
    stream = stream or sys.stderr
    if not stream.isatty():
        return None
    started = clock()
    drawn: float | None = None              # when the bar was last drawn (None: not shown)
    width = 30

    def show(done: int, total: int) -> None:
        nonlocal drawn
        now = clock()
        if done >= total:
            if drawn is not None:
                stream.write("\r" + " " * (width + len(label) + 30) + "\r")
                stream.flush()
            drawn = None
            return
        if now - started < PROGRESS_DELAY_SECONDS or \
                (drawn is not None and now - drawn < PROGRESS_REDRAW_SECONDS):
            return
        drawn = now
        filled = done * width // max(total, 1)
        stream.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        stream.flush()

    return show


def check_plot(path: str | None) -> None:
    """Refuse a bad chart file name, or one that cannot be written, before spending time on the
    simulation (the chart is written last)."""
    if not path:
        return
    if not path.lower().endswith(".png"):
        raise InputError(f"plots are written as PNG; give a .png file name, got "
                         f"{excerpt(path)}", "plot")
    if Path(path).is_dir():
        raise InputError(f"{excerpt(path)} is a directory; give a .png file name", "plot")
    check_writable(path, "plot")


def check_writable(path: str, field: str, *suffixes: str) -> None:
    """Refuse an output whose folder is missing or read-only before a long run, not after
    it (``path`` plus each of ``suffixes``: a sweep's PREFIX.csv, .parquet, .png)."""
    for name in [path + s for s in suffixes] or [path]:
        target = Path(name)
        folder = target.parent if str(target.parent) else Path(".")
        if not folder.is_dir():
            raise InputError(f"cannot write {excerpt(name)}: no such folder "
                             f"{excerpt(str(folder))}", field)
        if not os.access(folder, os.W_OK) or \
                (target.exists() and not os.access(target, os.W_OK)) or target.is_dir():
            raise InputError(f"cannot write {excerpt(name)}: permission denied", field)


def write_plot(result: Any, path: str | None) -> None:
    if path:
        from simulation import plots
        draw: dict[str, Callable[[Any], Any]] = {
            "experiment": plots.experiment_figure, "comparison": plots.comparison_figure,
            "baseline": plots.baseline_figure, "story": plots.story_figure}
        figure = draw[kind_of(result)](result)
        written = plots.save_figure(figure, path)
        print(f"chart written to {written}", file=sys.stderr)


def kind_of(result: Any) -> str:
    return type(result).__name__.replace("Result", "").lower()


def strategy_help() -> str:
    """``--strategy``'s help, naming the shipped strategies (read when the parser is built)."""
    return ("a shipped strategy (" + ", ".join(strategy_ids()) + "), plan (the profile's own "
            "advice plan) or a strategy file, YAML or JSON (e.g. written by recommend "
            "--strategy-out)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--strategy", required=True, metavar="NAME_OR_FILE", help=strategy_help())
    parser.add_argument("--baseline", action="store_true",
                        help="also run without the --shock shocks on the same random numbers "
                             "and report the shocks' effect with 95%% intervals")
    add_run_options(parser)


def run(args: argparse.Namespace) -> int:
    from api.reports.simulation import render_baseline, render_experiment
    check_plot(args.plot)
    source = source_of(args)
    if args.baseline:
        both = simulate_with_baseline(source.profile, source.strategy(args.strategy),
                                      **run_options(args))
        print(json.dumps(to_json(both), indent=2) if args.json else render_baseline(both))
        write_plot(both, args.plot)
        remember(source, [both.shocked])
        return 0
    result = simulate(source.profile, source.strategy(args.strategy), **run_options(args))
    print(json.dumps(to_json(result), indent=2) if args.json else render_experiment(result))
    write_plot(result, args.plot)
    remember(source, [result])
    return 0
