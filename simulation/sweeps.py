"""Sweeps: one experiment per point of a grid of profiles x strategies x shock schedules x
parameter values, run together on any executor, reported as a tidy table (one row per point).

A sweep file (YAML or JSON)::

    name: turnaround-options          # optional
    months: 36                        # per point (default 36)
    runs: 200                         # replications per point (default 200)
    seed: 7                           # every point uses it: common random numbers across points
    profiles: [crisis-retailer]       # shipped ids, or files relative to the sweep file
    strategies: [crisis_turnaround, plan, ours.yaml]   # shipped ids, plan, files or documents
    shock_schedules:                  # optional; name -> scheduled shocks (default: none: [])
      none: []
      sponsor_change: [sponsor_change@6]
    random_shocks: true               # optional
    parameters:                       # optional; name -> values (grid) or {from, to, steps}
      exec_response: [0.2, 0.35, 0.5]
    outcome: p_collapse_by_horizon    # the chart's key outcome (default)

Strategies are named as ``simulate`` and ``compare`` take them (``simulation/spec.py``): a
shipped id, ``plan`` (each profile's own advice plan, so one sweep compares every PMO's plan with
the shipped strategies), a strategy file (relative to the sweep file; command line only) or a
strategy document (a mapping, as a job's sweep sends it). The table's ``strategy`` column holds
the name as written (a document's ``id``).

Every point runs on the sweep's seed: points differ only by what the sweep changes, never by
luck (common random numbers), and each row records its seed so a point can be rerun alone with
``pmo-advisor simulate``. The same sweep and seed give the same table on every executor.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advisor.assessment import read_document
from advisor.errors import InputError
from advisor.presets import resolve_profile
from rules.diagnosis import diagnose
from simulation.limits import LOCAL
from simulation.parameters import DEFAULT_PARAMETERS
from simulation.results import SUMMARY_KEYS, ExperimentResult
from simulation.runner import Progress, run_many
from simulation.spec import PLAN, ExperimentSpec, make_spec

__all__ = ["Sweep", "SweepPoint", "SweepResult", "load_sweep", "parse_sweep", "run_sweep",
           "MAX_POINTS", "MAX_SWEEP_REPLICATION_MONTHS", "DEFAULT_SWEEP_RUNS"]

DEFAULT_SWEEP_RUNS = 200
MAX_POINTS = 500
#: replication-months of a whole sweep (about an hour on 2 cores at today's speed)
MAX_SWEEP_REPLICATION_MONTHS = 5_000_000
MAX_STEPS = 50
MAX_NAME = 120      # characters of a sweep's name (the chart's title, the table's metadata)
#: the largest parameter value a sweep may set (above any parameter's sensible range; keeps
#: month counts and products of parameters finite)
MAX_VALUE = 1e6
_KEYS = {"name", "months", "runs", "seed", "profiles", "strategies", "shock_schedules",
         "random_shocks", "parameters", "outcome"}


@dataclass(frozen=True)
class SweepPoint:
    """One point of the grid: what it sets, and the experiment that runs it."""

    index: int
    profile: str
    strategy: str
    shock_schedule: str
    parameters: Mapping[str, float]
    spec: ExperimentSpec


@dataclass(frozen=True)
class Sweep:
    name: str
    outcome: str
    parameter_names: tuple[str, ...]
    points: tuple[SweepPoint, ...]


@dataclass(frozen=True)
class SweepResult:
    sweep: Sweep
    results: tuple[ExperimentResult, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return ("point", "profile", "strategy", "shock_schedule", *self.sweep.parameter_names,
                "seed", "runs", "months", "initial_scenario", *SUMMARY_KEYS)

    def rows(self) -> list[dict[str, Any]]:
        """The tidy table: one row per point, in grid order."""
        out = []
        for point, result in zip(self.sweep.points, self.results):
            out.append({"point": point.index, "profile": point.profile,
                        "strategy": point.strategy, "shock_schedule": point.shock_schedule,
                        **point.parameters, "seed": point.spec.seed, "runs": point.spec.runs,
                        "months": point.spec.months,
                        "initial_scenario": result.initial_scenario, **result.summary})
        return out

    @property
    def table(self) -> list[dict[str, Any]]:
        """:meth:`rows`, read as an attribute (by ``api.schemas.simulation.SweepResultSchema``)."""
        return self.rows()


def _list(doc: Mapping[str, Any], key: str) -> list[Any]:
    value = doc.get(key)
    if not isinstance(value, list) or not value:
        raise InputError(f"{key} must be a non-empty list", key)
    if len(set(map(str, value))) != len(value):
        raise InputError(f"{key} lists the same item twice", key)
    return value


def _values(name: str, raw: Any) -> list[float]:
    """A parameter's values: a list, or {from, to, steps} (evenly spaced, ends included)."""
    where = f"parameters.{name}"
    if isinstance(raw, Mapping):
        if set(raw) != {"from", "to", "steps"}:
            raise InputError("a range is {from, to, steps}", where)
        steps = raw["steps"]
        if not isinstance(steps, int) or isinstance(steps, bool) or not 2 <= steps <= MAX_STEPS:
            raise InputError(f"steps must be a whole number from 2 to {MAX_STEPS}", where)
        low, high = raw["from"], raw["to"]
        if not all(_finite(v) for v in (low, high)):
            raise InputError(f"from and to must be finite numbers, at most {MAX_VALUE:g}", where)
        return [round(low + (high - low) * i / (steps - 1), 10) for i in range(steps)]
    if not isinstance(raw, list) or not raw or len(raw) > MAX_STEPS:
        raise InputError(f"give 1-{MAX_STEPS} values or {{from, to, steps}}", where)
    if not all(_finite(v) for v in raw):
        raise InputError(f"values must be finite numbers, at most {MAX_VALUE:g}", where)
    return list(raw)


def _finite(value: Any) -> bool:
    """A number the model can run with: YAML's .inf and .nan ran (NaN months, infinite noise)
    and broke the chart's axis after the whole sweep had run."""
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value) and abs(value) <= MAX_VALUE)


def _whole(doc: Mapping[str, Any], key: str, default: int) -> int:
    value = doc.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InputError(f"{key} must be a whole number, 0 or more, got {value!r}"[:200], key)
    return value


def parse_sweep(doc: Any, base: Path | None = None, allow_files: bool = False) -> Sweep:
    """Check a sweep document and build every point's experiment (bad input: InputError)."""
    if not isinstance(doc, Mapping):
        raise InputError("a sweep must be a mapping with profiles and strategies", "sweep")
    unknown = sorted(set(doc) - _KEYS)
    if unknown:
        raise InputError(f"unknown key {unknown[0]!r}; allowed: {', '.join(sorted(_KEYS))}",
                         unknown[0])
    months = _whole(doc, "months", LOCAL.default_months)
    runs = _whole(doc, "runs", DEFAULT_SWEEP_RUNS)
    seed = _whole(doc, "seed", LOCAL.default_seed)
    profiles = _list(doc, "profiles")
    strategies = _list(doc, "strategies")
    schedules = doc.get("shock_schedules", {"none": []})
    if not isinstance(schedules, Mapping) or not schedules:
        raise InputError("shock_schedules must map names to lists of shocks", "shock_schedules")
    raw_parameters = doc.get("parameters", {})
    if not isinstance(raw_parameters, Mapping):
        raise InputError("parameters must map parameter names to values", "parameters")
    known = {k for k, v in DEFAULT_PARAMETERS.to_dict().items()
             if isinstance(v, (int, float)) and not isinstance(v, bool)}
    for name in raw_parameters:
        if name not in known:
            raise InputError(f"unknown parameter {name!r}; allowed: "
                             + ", ".join(sorted(known)), f"parameters.{name}")
    grid = {name: _values(name, raw) for name, raw in raw_parameters.items()}
    for name, values in grid.items():
        if isinstance(getattr(DEFAULT_PARAMETERS, name), int) and \
                any(v != int(v) for v in values):
            raise InputError("this parameter takes whole numbers", f"parameters.{name}")
        grid[name] = [type(getattr(DEFAULT_PARAMETERS, name))(v) for v in values]
    name = doc.get("name", "sweep")
    if not isinstance(name, str) or not 1 <= len(name) <= MAX_NAME:
        raise InputError(f"name must be text of 1-{MAX_NAME} characters", "name")
    outcome = doc.get("outcome", "p_collapse_by_horizon")
    if outcome not in SUMMARY_KEYS:
        raise InputError(f"outcome must be one of {', '.join(SUMMARY_KEYS)}", "outcome")

    # counted before the grid is written out: 5 parameters of 50 steps are 312 million
    # combinations, which took minutes and gigabytes to list before this refused them
    n_points = (len(profiles) * len(strategies) * len(schedules)
                * math.prod(len(values) for values in grid.values()))
    if n_points > MAX_POINTS:
        raise InputError(f"the sweep has {n_points} points, above the limit of {MAX_POINTS}",
                         "parameters")
    if n_points * runs * months > MAX_SWEEP_REPLICATION_MONTHS:
        raise InputError(f"points x runs x months = {n_points * runs * months} is above the "
                         f"limit of {MAX_SWEEP_REPLICATION_MONTHS}", "runs")
    combos = list(itertools.product(*grid.values())) if grid else [()]

    from simulation.plan import profile_plan_strategy

    points = []
    plans: dict[int, Any] = {}
    for i, (profile, strategy, (schedule, shocks), combo) in enumerate(itertools.product(
            profiles, strategies, schedules.items(), combos)):
        source: Any = profile
        if allow_files and isinstance(profile, str) and base is not None and \
                (base / profile).is_file():
            source = str(base / profile)
        settings = dict(zip(grid, combo))
        try:
            chosen = _strategy_source(strategy, base, allow_files)
            if strategy == PLAN:           # one advice per profile, not one per point
                if id(profile) not in plans:
                    plans[id(profile)] = profile_plan_strategy(
                        resolve_profile(source, "profile", allow_files))
                chosen = plans[id(profile)]
            spec = make_spec(source, chosen, months=months,
                             runs=runs, seed=seed, shocks=shocks or [],
                             random_shocks=doc.get("random_shocks", True),
                             parameters=settings or None, allow_files=allow_files)
        except InputError as exc:   # name the sweep's own field: strategies[j], profiles[k]
            raise InputError([(_sweep_field(f, profiles.index(profile),
                                            strategies.index(strategy), str(schedule)), m)
                              for f, m in exc.problems]) from None
        label = strategy if isinstance(strategy, str) else spec.strategy.id
        points.append(SweepPoint(index=i, profile=str(profile), strategy=str(label),
                                 shock_schedule=str(schedule), parameters=settings, spec=spec))
    return Sweep(name=" ".join(name.split()), outcome=outcome,
                 parameter_names=tuple(grid), points=tuple(points))


def _sweep_field(field: str, profile: int, strategy: int, schedule: str) -> str:
    """A point's field as the sweep file names it: ``strategy.effort`` of its second strategy
    is ``strategies[1].effort``; ``profile.indicators.x`` (or the profile ``file``) of its
    first profile is ``profiles[0]...``; ``shocks[0]`` of schedule ``late`` is
    ``shock_schedules.late[0]``."""
    for prefix, where in (("strategy", f"strategies[{strategy}]"),
                          ("profile", f"profiles[{profile}]"), ("file", f"profiles[{profile}]"),
                          ("shocks", f"shock_schedules.{schedule}")):
        if field == prefix or field.startswith((prefix + ".", prefix + "[")):
            return where + field[len(prefix):]
    return field


def _strategy_source(strategy: Any, base: Path | None, allow_files: bool) -> Any:
    """A strategy file is found next to the sweep file, as its profiles are."""
    if allow_files and isinstance(strategy, str) and base is not None and \
            (base / strategy).is_file():
        return str(base / strategy)
    return strategy


def load_sweep(path: str | Path) -> Sweep:
    """A sweep file; its profiles may be shipped ids or files next to it."""
    path = Path(path)
    return parse_sweep(read_document(path, "sweep file"), base=path.parent, allow_files=True)


def run_sweep(sweep: Sweep, *, workers: int | None = None, progress: Progress | None = None,
              executor: str | None = None, scheduler: str | None = None) -> SweepResult:
    """Every point, all replications scheduled together on the chosen executor."""
    specs: Sequence[ExperimentSpec] = [p.spec for p in sweep.points]
    runs = run_many(specs, workers, progress, executor, scheduler)
    initial: dict[str, str] = {}
    results = []
    for point, reps in zip(sweep.points, runs):
        if point.profile not in initial:
            initial[point.profile] = diagnose(point.spec.start.profile()).scenario
        results.append(ExperimentResult(point.spec, tuple(reps), initial[point.profile]))
    return SweepResult(sweep, tuple(results))
