"""Calibration check: how often a PMO without a deliberate strategy is restructured or closed.

Published range (docs/model.md, "Calibration"; reference section 8.1): PMOs change significantly
every 2-3 years (Hobbs & Aubry 2010), their life expectancy before being changed or removed is
about two years (Aubry et al. 2010; Rittenhouse 2014), 54% of PMOs are two years old or younger
(Hobbs 2007). Run ``python -m simulation.calibration [runs]``; the defaults of
:mod:`simulation.parameters` were chosen with it, and ``tests/test_simulation_calibration.py``
keeps them inside the range.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np

from simulation.experiments import run_specs
from simulation.model import Replication
from simulation.runner import Progress
from simulation.spec import make_spec
from simulation.state import indicator_ids

__all__ = ["CalibrationResult", "calibrate", "BASELINE_STRATEGY", "CALIBRATION_PROFILES",
           "TARGET_MONTHS_BETWEEN_CHANGES", "TARGET_MEDIAN_FIRST_CHANGE", "Figure",
           "calibration_table", "population_specs", "render_table", "POPULATION_SCENARIOS",
           "POPULATION_RUNS", "certainty_sweep", "CERTAINTY_MEASURES", "FORCED"]

BASELINE_STRATEGY = "minimal"
CALIBRATION_PROFILES = ("kickoff-fintech", "kickoff-hospital")
HORIZON = 120                            # months simulated per run (ten years)
TARGET_MONTHS_BETWEEN_CHANGES = (24.0, 36.0)   # Hobbs & Aubry 2010: every 2-3 years
TARGET_MEDIAN_FIRST_CHANGE = (18.0, 36.0)      # about two years (Aubry et al. 2010)


@dataclass(frozen=True)
class CalibrationResult:
    runs: int
    seed: int
    months_between_changes: float        # PMO-months per major change, pooled over runs
    median_first_change: float           # months from launch to the first major change
    p_changed_by_24: float
    p_changed_by_36: float
    p_shutdown_by_36: float
    months_with_a_pmo: float             # share of simulated months in which a PMO exists
    restructures_per_change: float       # shares of the major changes by cause
    shutdowns_per_change: float
    shocks_per_change: float

    def within_targets(self) -> bool:
        low, high = TARGET_MONTHS_BETWEEN_CHANGES
        first_low, first_high = TARGET_MEDIAN_FIRST_CHANGE
        return (low <= self.months_between_changes <= high
                and first_low <= self.median_first_change <= first_high)

    def to_dict(self) -> dict[str, Any]:
        """Every measure by name: a record printed as text (``make calibrate``), no answer."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _measure(reps: Sequence[Replication]) -> dict[str, Any]:
    changes = sum(len(r.major_changes) for r in reps)
    pmo_months = sum(int(r.exists[1:].sum()) for r in reps)
    restructures = sum(r.restructures for r in reps)
    shutdowns = sum(len(r.shutdowns) for r in reps)
    first = np.array([r.major_changes[0] if r.major_changes else np.inf for r in reps])
    return {
        "changes": changes, "pmo_months": pmo_months, "restructures": restructures,
        "shutdowns": shutdowns,
        "first": first,
        "shut36": [bool(r.shutdowns and r.shutdowns[0] <= 36) for r in reps],
        "months": sum(len(r.exists) - 1 for r in reps),
    }


def calibrate(runs: int = 200, seed: int = 2025, workers: int | None = None,
              parameters: Any = None, progress: Progress | None = None) -> CalibrationResult:
    """Run the baseline strategy from each calibration profile and pool the measures."""
    specs = [make_spec(p, BASELINE_STRATEGY, months=HORIZON, runs=runs, seed=seed,
                       parameters=parameters) for p in CALIBRATION_PROFILES]
    measures = [_measure(r.replications) for r in run_specs(specs, workers, progress)]
    changes = sum(m["changes"] for m in measures)
    first = np.concatenate([m["first"] for m in measures])
    restructures = sum(m["restructures"] for m in measures)
    shutdowns = sum(m["shutdowns"] for m in measures)
    per_change = (lambda n: round(n / changes, 3)) if changes else (lambda n: 0.0)
    return CalibrationResult(
        runs=runs * len(specs), seed=seed,
        months_between_changes=round(sum(m["pmo_months"] for m in measures) / max(changes, 1),
                                     1),
        median_first_change=float(np.median(first)),
        p_changed_by_24=round(float(np.mean(first <= 24)), 3),
        p_changed_by_36=round(float(np.mean(first <= 36)), 3),
        p_shutdown_by_36=round(float(np.mean([s for m in measures for s in m["shut36"]])), 3),
        months_with_a_pmo=round(sum(m["pmo_months"] for m in measures)
                                / sum(m["months"] for m in measures), 3),
        restructures_per_change=per_change(restructures),
        shutdowns_per_change=per_change(shutdowns),
        shocks_per_change=per_change(changes - restructures - shutdowns),
    )


# -- the population table: the research's figures beside the model's ------------------------------

#: Where a sampled PMO may start: in ordinary operation, not already in trouble.
POPULATION_SCENARIOS = ("kickoff", "growing", "thriving", "resurgence")
POPULATION_MONTHS = 36
POPULATION_RUNS = 30                # replications per profile x strategy pair (1,260 runs)
SUPPORT_INDICATORS = ("executive_support", "stakeholder_support")
MATURE_PM_MATURITY = 3.5            # a "mature PMO": organization's PM maturity at least this


def support_columns() -> list[int]:
    """Series columns (after momentum) of the support an assessor sees falling when value is
    doubted (read on first use: nothing runs at import)."""
    return [1 + indicator_ids().index(i) for i in SUPPORT_INDICATORS]


@dataclass(frozen=True)
class Figure:
    """One row of the calibration table: a published figure, its band, the model's value."""

    id: str
    measure: str
    published: str
    source: str
    band: tuple[float, float]
    model: float

    @property
    def within(self) -> bool:
        return self.band[0] <= self.model <= self.band[1]

    def to_dict(self) -> dict[str, Any]:
        """The row as a record (for tests and notes); the table is printed as text only."""
        return {"id": self.id, "measure": self.measure, "published": self.published,
                "source": self.source, "band": list(self.band), "model": self.model,
                "within": self.within}


def population_specs(runs: int, seed: int, parameters: Any = None) -> list[Any]:
    """The sampled population: every shipped profile whose PMO exists and starts in ordinary
    operation (``POPULATION_SCENARIOS``; a PMO not yet set up can have no value questioned)
    under every shipped strategy, ``runs`` replications each (a
    stratified sample: each profile x strategy pair equally likely), random shocks on."""
    from advisor.presets import load_preset, preset_names
    from rules.diagnosis import diagnose
    from simulation.strategies import strategy_ids
    profiles = [p for p in preset_names() if load_preset(p).pmo.exists
                and diagnose(load_preset(p)).scenario in POPULATION_SCENARIOS]
    return [make_spec(p, s, months=POPULATION_MONTHS, runs=runs, seed=seed,
                      parameters=parameters) for p in profiles for s in strategy_ids()]


def calibration_table(runs: int = POPULATION_RUNS, seed: int = 2025, workers: int | None = None,
                      lifecycle_runs: int = 100, parameters: Any = None,
                      life: CalibrationResult | None = None,
                      progress: Progress | None = None) -> list[Figure]:
    """Each published figure beside the model's (docs/model.md, "Calibration"); ``life``: the
    life-cycle calibration when already computed (``calibrate(lifecycle_runs, seed)``).

    Value is *questioned* when a review diagnoses Crisis, Decline or Collapse, a major change
    lands or a new sponsor takes over (the model's new sponsor starts sceptical and judges the
    PMO afresh, docs/model.md "Shocks"). The reviews are quarterly, so a PMO first seen Growing
    at a review got there some time since the review before: its launch time is taken at the
    middle of that interval (interval censoring)."""
    from advisor.presets import load_preset
    from simulation.model import scenario_ids
    index = {s: i for i, s in enumerate(scenario_ids())}
    trouble = [index["crisis"], index["decline"], index["collapse"]]
    specs = population_specs(runs, seed, parameters)
    threshold = specs[0].parameters.trend_threshold
    questioned, unquestioned, mature, launch_months = [], [], [], []
    for spec, result in zip(specs, run_specs(specs, workers, progress)):
        scen = np.stack([r.scenarios for r in result.replications])
        changed = np.array([any(m <= 12 for m in r.major_changes + r.new_sponsors)
                            for r in result.replications])
        support = np.stack([r.series[:13, support_columns()] for r in result.replications])
        doubted = (support[:, 3::3] - support[:, :-3:3] <= -threshold).any(axis=(1, 2))
        questioned += list(np.isin(scen[:, 1:13], trouble).any(axis=1) | changed | doubted)
        # a PMO closed by month 12 (e.g. by a reorganization) is not one whose value goes
        # unquestioned
        fine = ~np.isin(scen[:, 12], trouble) & np.array([r.exists[12]
                                                          for r in result.replications])
        unquestioned += list(fine)
        if load_preset(spec.profile_label).indicators.get("pm_maturity", 0) \
                >= MATURE_PM_MATURITY:
            mature += list(fine)
        if spec.start.exists and spec.start.age <= 6:
            grown = np.isin(scen, [index["growing"], index["thriving"]])
            first = np.where(grown.any(axis=1), grown.argmax(axis=1), np.inf)
            launch_months += list(first + spec.start.age
                                  - np.where(first > 0, spec.parameters.review_interval / 2, 0))
    life = life or calibrate(lifecycle_runs, seed, workers, parameters, progress)
    launch = np.array(launch_months)
    return [
        Figure("value_questioned", "value or existence questioned within 12 months (a review "
               "diagnoses Crisis, Decline or Collapse or sees executive or stakeholder support "
               "falling; a major change; a new sponsor)",
               "55% (ESI 2013); about half (Hobbs 2007)", "reference 8.1",
               (0.40, 0.65), round(float(np.mean(questioned)), 3)),
        Figure("value_unquestioned", "not in Crisis, Decline or Collapse at month 12 (nor "
               "closed)",
               "83% say value goes largely unquestioned", "PM Solutions 2010, reference 8.2",
               (0.70, 0.92), round(float(np.mean(unquestioned)), 3)),
        Figure("value_unquestioned_mature", "as above, PM maturity >= 3.5 at the start",
               "94% with mature PMOs", "PM Solutions 2010, reference 8.2",
               (0.85, 0.99), round(float(np.mean(mature)), 3)),
        Figure("months_between_changes", "PMO-months per major change (minimal, Kickoff, 120 "
               "months)", "every 2-3 years", "Hobbs & Aubry 2010, reference 8.1",
               TARGET_MONTHS_BETWEEN_CHANGES, life.months_between_changes),
        Figure("first_change", "median months to the first major change (as above)",
               "life expectancy about 2 years", "Aubry et al. 2010, reference 8.1",
               TARGET_MEDIAN_FIRST_CHANGE, life.median_first_change),
        Figure("implementation", "median months from launch to the first Growing or Thriving "
               "review (PMOs at most 6 months old)", "implementation 6-24 months",
               "Hobbs 2007, reference 8.1", (6.0, 24.0), float(np.median(launch))),
        Figure("quick_implementation", "share of those reaching Growing within 6 months",
               "16% took 6 months or less", "Hobbs 2007, reference 8.1",
               (0.05, 0.35), round(float(np.mean(launch <= 6)), 3)),
    ]


# -- certainty: no shipped profile x strategy pair should be sure of a headline share ------------

#: The headline shares (simulation.results.HEADLINE, plus the calibration's month-12 view).
CERTAINTY_MEASURES = ("p_thriving", "p_collapse", "p_crisis_at_12")
#: (profile, measure) pairs a share of 0 or 1 is forced for, with the reason.
FORCED = {
    ("collapse-conglomerate", "p_collapse"): "starts in Collapse; the measure counts the start",
    ("collapse-startup", "p_collapse"): "starts in Collapse; the measure counts the start",
    ("collapse-conglomerate", "p_thriving"): "starts in Collapse: to thrive by month 36 the PMO "
    "must be shut down, relaunched and rebuilt to a peak, and a relaunched PMO rebuilds trust "
    "first (Resurgence, Guide p.38-39)",
    ("collapse-startup", "p_thriving"): "starts in Collapse: to thrive by month 36 the PMO must "
    "be shut down, relaunched and rebuilt to a peak, and a relaunched PMO rebuilds trust first "
    "(Resurgence, Guide p.38-39)",
}


def certainty_sweep(runs: int = 100, seed: int = 11, months: int = POPULATION_MONTHS,
                    workers: int | None = None, parameters: Any = None,
                    progress: Progress | None = None,
                    executor: str | None = None) -> list[dict[str, Any]]:
    """Every shipped profile x shipped strategy, ``runs`` replications each (common random
    numbers): each headline share, and the measures on which every run agreed (share 0 or 1)
    that are not ``FORCED``. With N runs a share p looks certain by chance with probability
    p^N + (1 - p)^N: at N = 10 a 5% event looks certain 60% of the time, so the default is a
    strategist's N = 100 (0 of 100: p under about 3%; docs/model.md, "Certainty").
    ``executor``: where the replications run (``processes`` saves time; the same result on
    every executor)."""
    from advisor.presets import preset_names
    from simulation.model import scenario_ids
    from simulation.results import per_run
    from simulation.strategies import strategy_ids
    crisis = scenario_ids().index("crisis")
    specs = [make_spec(p, s, months=months, runs=runs, seed=seed, parameters=parameters)
             for p in preset_names() for s in strategy_ids()]
    rows = []
    for spec, result in zip(specs, run_specs(specs, workers, progress, executor)):
        measures = per_run(result.replications)
        shares = {"p_thriving": float(measures["p_thriving"].mean()),
                  "p_collapse": float(measures["p_collapse"].mean()),
                  "p_crisis_at_12": float(np.mean([r.scenarios[min(12, months)] == crisis
                                                   for r in result.replications]))}
        certain = [m for m in CERTAINTY_MEASURES if shares[m] in (0.0, 1.0)
                   and (spec.profile_label, m) not in FORCED]
        rows.append({"profile": spec.profile_label, "strategy": spec.strategy.id,
                     **{m: round(v, 3) for m, v in shares.items()}, "certain": certain})
    return rows


def render_table(figures: Sequence[Figure]) -> str:
    """The calibration table as Markdown (docs/model.md carries a copy)."""
    lines = ["| figure | published | source | band | model | |", "|---|---|---|---|---|---|"]
    for f in figures:
        band = (f"{f.band[0]:g}-{f.band[1]:g}")
        lines.append(f"| {f.measure} | {f.published} | {f.source} | {band} | {f.model:g} | "
                     + ("within" if f.within else "**OUTSIDE**") + " |")
    return "\n".join(lines)


def _progress() -> Progress | None:
    """A one-line progress count on stderr, only on a terminal (the table takes a minute)."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        sys.stderr.write(f"\rsimulating {done}/{total} runs" + ("\n" if done >= total else ""))
        sys.stderr.flush()
    return show


class _OneLineParser(argparse.ArgumentParser):
    """A refusal is one line naming the argument (the project's CLI rule), not usage + error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}\n")


def _arguments(argv: Sequence[str]) -> argparse.Namespace:
    """``[certainty [runs [executor]] | table [runs] | runs]``: bad words or numbers exit 2
    with argparse's usage and one line naming the argument and its range."""
    def runs(text: str) -> int:
        if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 10_000:
            raise argparse.ArgumentTypeError(
                f"must be a whole number from 1 to 10000, got {text!r}")
        return int(text)

    parser = _OneLineParser(
        prog="python -m simulation.calibration",
        description="The model against the research: the baseline's life cycle (runs), the "
                    "calibration table (table) or the certainty sweep (certainty).")
    parser.add_argument("what", nargs="?", default=None, help="certainty, table, or a run count")
    parser.add_argument("rest", nargs="*", help="certainty: runs [executor]; table: runs")
    args = parser.parse_args(list(argv))
    rest = list(args.rest)
    if args.what not in (None, "certainty", "table"):
        rest.insert(0, args.what)
        args.what = None
    most = {"certainty": 2, "table": 1, None: 1}[args.what]
    if len(rest) > most:
        parser.error(f"too many arguments: {' '.join(rest)}")
    try:
        args.runs = runs(rest[0]) if rest else None
    except argparse.ArgumentTypeError as exc:
        parser.error(f"runs: {exc}")
    args.executor = rest[1] if len(rest) > 1 else None
    if args.executor not in (None, "inline", "processes", "dask"):
        parser.error(f"executor: must be inline, processes or dask, got {args.executor!r}")
    return args


def main(argv: Sequence[str] = ()) -> int:
    args = _arguments(argv)
    if args.what == "certainty":
        runs = args.runs or 100
        rows = certainty_sweep(runs, progress=_progress(), executor=args.executor)
        for m in CERTAINTY_MEASURES:
            sure = [f"{r['profile']}/{r['strategy']}={r[m]:g}" for r in rows if m in r["certain"]]
            print(f"{m}: {len(sure)} of {len(rows)} pairs certain: " + ", ".join(sure))
        return 0 if not any(r["certain"] for r in rows) else 1
    if args.what == "table":
        runs = args.runs or POPULATION_RUNS
        figures = calibration_table(runs, progress=_progress())
        print(f"population: shipped profiles starting in {', '.join(POPULATION_SCENARIOS)} x "
              f"every shipped strategy, {runs} runs each, {POPULATION_MONTHS} months, seed 2025")
        print(render_table(figures))
        return 0 if all(f.within for f in figures) else 1
    result = calibrate(args.runs or 200)
    print(f"baseline strategy {BASELINE_STRATEGY!r} from {', '.join(CALIBRATION_PROFILES)}, "
          f"{result.runs} runs x {HORIZON} months, seed {result.seed}")
    for key, value in result.to_dict().items():
        if key not in ("runs", "seed"):
            print(f"  {key:<26} {value}")
    low, high = TARGET_MONTHS_BETWEEN_CHANGES
    print(f"target: {low:g}-{high:g} months between major changes, median first change "
          f"{TARGET_MEDIAN_FIRST_CHANGE[0]:g}-{TARGET_MEDIAN_FIRST_CHANGE[1]:g} months: "
          + ("within" if result.within_targets() else "OUTSIDE"))
    return 0 if result.within_targets() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
