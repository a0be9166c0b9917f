"""Which model parameters move P(Collapse), P(Thriving) and months in Crisis most.

Two stages, with SALib: Morris elementary effects screen every parameter of
``simulation/data/sensitivity.yaml`` (each with its range and source) cheaply; Sobol indices then
apportion the outcomes' variance among the few that matter (first order S1: alone; total ST:
with every interaction). Each sample point is one Monte Carlo experiment (``runs`` replications
of ``months`` on one profile and strategy), every point on the same seed (common random numbers,
so points differ by their parameters only, never by luck), all scheduled together on the chosen
executor. Same seed, same ranking, on every executor.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from advisor.errors import InputError
from advisor.yaml_data import parse_yaml
from simulation.parameters import DEFAULT_PARAMETERS
from simulation.results import summarize
from simulation.runner import Progress, run_many
from simulation.spec import make_spec

__all__ = ["ParameterRange", "load_ranges", "OUTCOMES", "SensitivityResult", "run_sensitivity"]

#: The outcomes ranked (keys of the experiment summary) and how the report names them.
OUTCOMES = {"p_collapse_by_horizon": "P(Collapse)", "p_thriving_at_horizon": "P(Thriving)",
            "mean_months_in_crisis": "months in Crisis"}


@dataclass(frozen=True)
class ParameterRange:
    name: str
    low: float
    high: float
    source: str


@functools.cache
def load_ranges() -> tuple[ParameterRange, ...]:
    """The parameter ranges (data: ``simulation/data/sensitivity.yaml``), checked."""
    raw = parse_yaml(resources.files("simulation.data").joinpath("sensitivity.yaml")
                         .read_text(encoding="utf-8"))
    out = []
    for name, spec in raw["parameters"].items():
        default = getattr(DEFAULT_PARAMETERS, name, None)
        if not isinstance(default, float):
            raise ValueError(f"sensitivity.yaml: {name} is not a real-valued model parameter")
        low, high = float(spec["low"]), float(spec["high"])
        if not low <= default <= high or not spec.get("source"):
            raise ValueError(f"sensitivity.yaml: {name} needs low <= {default} <= high and a "
                             "source")
        out.append(ParameterRange(name, low, high, str(spec["source"])))
    return tuple(out)


@dataclass(frozen=True)
class SensitivityResult:
    profile: str
    strategy: str
    runs: int
    months: int
    seed: int
    ranges: tuple[ParameterRange, ...]
    morris: Mapping[str, Mapping[str, Mapping[str, float]]]   # outcome -> parameter -> mu_star..
    screened: tuple[str, ...]                                   # kept for Sobol, most first
    sobol: Mapping[str, Mapping[str, Mapping[str, float]]]      # outcome -> parameter -> S1, ST
    points: int                                                 # experiments run in all
    name: str = ""                                              # the profile's own name

    @property
    def outcomes(self) -> dict[str, str]:
        """The outcomes measured, by id, with their labels."""
        return dict(OUTCOMES)

    @functools.cached_property
    def ranking(self) -> list[dict[str, Any]]:
        """One row per parameter, most influential first: its Morris mu* per outcome (scaled
        by the largest of that outcome) and, for the screened ones, Sobol S1 and ST."""
        rows = []
        for r in self.ranges:
            row: dict[str, Any] = {"parameter": r.name, "low": r.low, "high": r.high,
                                   "source": r.source, "screened": r.name in self.screened}
            for outcome in OUTCOMES:
                row[f"mu_star.{outcome}"] = self.morris[outcome][r.name]["mu_star_scaled"]
                indices = self.sobol.get(outcome, {}).get(r.name)
                row[f"mu_star_raw.{outcome}"] = round(self.morris[outcome][r.name]["mu_star"], 6)
                row[f"S1.{outcome}"] = indices["S1"] if indices else None
                row[f"ST.{outcome}"] = indices["ST"] if indices else None
                row[f"ST_conf.{outcome}"] = indices["ST_conf"] if indices else None
            row["influence"] = max(row[f"mu_star.{o}"] for o in OUTCOMES)
            rows.append(row)
        return sorted(rows, key=lambda r: (-r["influence"], r["parameter"]))


def _outcomes(values: Sequence[Mapping[str, float]], profile: Any, strategy: str,
              names: Sequence[str], months: int, runs: int, seed: int, workers: int | None,
              executor: str | None, scheduler: str | None,
              progress: Progress | None) -> dict[str, np.ndarray]:
    """Each outcome at every sample point (one experiment per point, all on one seed)."""
    specs = [make_spec(profile, strategy, months=months, runs=runs, seed=seed,
                       parameters=dict(zip(names, point)), allow_files=True)
             for point in values]
    results = run_many(specs, workers, progress, executor, scheduler)
    summaries = [summarize(reps) for reps in results]
    return {o: np.array([float(s[o] or 0.0) for s in summaries]) for o in OUTCOMES}


def _noise_floor(runs: int) -> float:
    """Morris mu* of an outcome that moved by two replications' worth (2 / runs) at a step of
    2/3 of a range (SALib's step with 4 levels)."""
    return 2.0 / runs / (2.0 / 3.0)


def _whole(value: Any, field: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise InputError(f"{field} must be a whole number from {low} to {high}", field)
    return value


def run_sensitivity(profile: Any, strategy: str, *, runs: int = 50, months: int = 36,
                    seed: int = 0, trajectories: int = 10, sobol_samples: int = 64,
                    top: int = 4, workers: int | None = None, executor: str | None = None,
                    scheduler: str | None = None,
                    progress: Progress | None = None) -> SensitivityResult:
    """Morris screening of every ranged parameter, then Sobol on the ``top`` most influential.

    Cost: (trajectories x (k + 1) + sobol_samples x (top + 2)) experiments of ``runs`` x
    ``months`` (k parameters); the defaults are about 530 experiments of 50 x 36."""
    runs = _whole(runs, "runs", 1, 1000)
    months = _whole(months, "months", 1, 120)
    trajectories = _whole(trajectories, "trajectories", 2, 100)
    sobol_samples = _whole(sobol_samples, "sobol_samples", 2, 4096)
    if sobol_samples & (sobol_samples - 1):
        raise InputError("sobol_samples must be a power of two (Sobol sequences)",
                         "sobol_samples")
    ranges = load_ranges()
    top = _whole(top, "top", 1, len(ranges))
    checked = make_spec(profile, strategy, months=months, runs=runs, seed=seed,
                        allow_files=True)
    # SALib (and the scipy and pandas it brings) only once every option is known good: an
    # option out of range is refused at once, not after seconds of imports
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    names = [r.name for r in ranges]
    problem = {"num_vars": len(ranges), "names": names,
               "bounds": [[r.low, r.high] for r in ranges]}

    x = morris_sample.sample(problem, trajectories, num_levels=4, seed=seed)
    y = _outcomes(x, profile, strategy, names, months, runs, seed, workers, executor,
                  scheduler, progress)
    morris: dict[str, dict[str, dict[str, float]]] = {}
    for outcome, values in y.items():
        found = morris_analyze.analyze(problem, x, values, num_levels=4, seed=seed)
        # scaled to the largest effect, but never to less than two replications' worth of
        # change: an outcome that barely moves must not crown whichever parameter flipped it
        largest = max(float(np.max(found["mu_star"])), _noise_floor(runs))
        morris[outcome] = {n: {"mu_star": float(found["mu_star"][i]),
                               "sigma": float(found["sigma"][i]),
                               "mu_star_scaled": round(float(found["mu_star"][i]) / largest, 4)}
                           for i, n in enumerate(names)}
    influence = {n: max(morris[o][n]["mu_star_scaled"] for o in OUTCOMES) for n in names}
    screened = tuple(sorted(names, key=lambda n: (-influence[n], n))[:top])

    chosen = [r for r in ranges if r.name in screened]
    sub_names = [r.name for r in chosen]
    sub = {"num_vars": len(chosen), "names": sub_names,
           "bounds": [[r.low, r.high] for r in chosen]}
    xs = sobol_sample.sample(sub, sobol_samples, calc_second_order=False, seed=seed)
    ys = _outcomes(xs, profile, strategy, sub_names, months, runs, seed, workers, executor,
                   scheduler, progress)
    sobol: dict[str, dict[str, dict[str, float]]] = {}
    for outcome, values in ys.items():
        if float(np.var(values)) == 0.0:       # the outcome never moves: nothing to apportion
            sobol[outcome] = {n: {"S1": 0.0, "ST": 0.0, "ST_conf": 0.0} for n in sub_names}
            continue
        found = sobol_analyze.analyze(sub, values, calc_second_order=False, seed=seed)
        sobol[outcome] = {n: {"S1": round(float(found["S1"][i]), 4),
                              "ST": round(float(found["ST"][i]), 4),
                              "ST_conf": round(float(found["ST_conf"][i]), 4)}
                          for i, n in enumerate(sub_names)}
    return SensitivityResult(
        profile=str(profile), strategy=strategy, runs=runs, months=months, seed=seed,
        ranges=ranges, morris=morris, screened=screened, sobol=sobol,
        points=len(x) + len(xs), name=checked.start.name or "")
