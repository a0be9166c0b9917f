"""The experiment entry points: one strategy, or several compared with common random numbers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from advisor.errors import InputError
from rules.diagnosis import diagnose
from simulation.limits import LOCAL, Limits
from simulation.results import BaselineResult, ComparisonResult, ExperimentResult
from simulation.runner import Progress, run_many
from simulation.spec import (
    ExperimentSpec,
    check_strategy_list,
    comparison_specs_from_request,
    experiment_spec_from_request,
    make_spec,
    make_specs,
)

__all__ = ["run_experiment", "run_with_baseline", "compare", "run_specs",
           "experiment_from_request", "compare_from_request"]


def run_specs(specs: Sequence[ExperimentSpec], workers: int | None = None,
              progress: Progress | None = None, executor: str | None = None,
              scheduler: str | None = None) -> list[ExperimentResult]:
    """``executor``/``scheduler``: where the replications run (:mod:`simulation.executors`)."""
    initial = diagnose(specs[0].start.profile()).scenario
    runs = run_many(specs, workers, progress, executor, scheduler)
    return [ExperimentResult(spec, tuple(reps), initial) for spec, reps in zip(specs, runs)]


def run_experiment(profile: Any, strategy: str, *, workers: int | None = None,
                   progress: Progress | None = None, executor: str | None = None,
                   scheduler: str | None = None, **options: Any) -> ExperimentResult:
    """Monte Carlo of one strategy from one profile.

    ``profile``: a Profile, a profile document (dict) or a preset name (``kickoff-fintech``).
    Options: ``months`` (36), ``runs`` (500), ``seed`` (0), ``shocks`` (``["sponsor_change@6"]``),
    ``random_shocks`` (True), ``relaunch_strategy`` (None: the strategy in force at the start),
    ``parameters`` (a Parameters or a dict of changes). Bad input raises InputError."""
    return run_specs([make_spec(profile, strategy, **options)], workers, progress, executor,
                     scheduler)[0]


def run_with_baseline(profile: Any, strategy: Any, *, workers: int | None = None,
                      progress: Progress | None = None, limits: Limits = LOCAL,
                      executor: str | None = None, scheduler: str | None = None,
                      **options: Any) -> BaselineResult:
    """The experiment with its scheduled shocks and again without them, on the same random
    numbers (random shocks, noise and decisions alike): the difference is the shocks' effect.
    It costs two experiments, and the limits count both."""
    spec = make_spec(profile, strategy, limits=limits, **options)
    if options.get("runs") is None:        # a default must fit the cap for both experiments
        spec = replace(spec, runs=limits.default_runs_for(spec.months, 2))
    limits.check_cost(spec.runs, spec.months, 2)
    if not spec.shocks:
        raise InputError("a baseline compares a run with its scheduled shocks against one "
                         "without; give at least one shock", "shocks")
    shocked, baseline = run_specs([spec, replace(spec, shocks=())], workers, progress, executor,
                                  scheduler)
    return BaselineResult(shocked, baseline)


def compare(profile: Any, strategies: Iterable[str], *, workers: int | None = None,
            progress: Progress | None = None, limits: Limits = LOCAL,
            executor: str | None = None, scheduler: str | None = None,
            **options: Any) -> ComparisonResult:
    """Several strategies from one profile with the same seed: common random numbers."""
    specs = make_specs(profile, check_strategy_list(list(strategies), limits),
                       compared=True, limits=limits, **options)
    return ComparisonResult(tuple(run_specs(specs, workers, progress, executor, scheduler)))


def experiment_from_request(body: Any, workers: int | None = None,
                            limits: Limits = LOCAL) -> ExperimentResult:
    """Validate a JSON request body (see :mod:`simulation.spec`) and run it."""
    return run_specs([experiment_spec_from_request(body, limits)], workers)[0]


def compare_from_request(body: Any, workers: int | None = None,
                         limits: Limits = LOCAL) -> ComparisonResult:
    return ComparisonResult(tuple(run_specs(comparison_specs_from_request(body, limits),
                                            workers)))
