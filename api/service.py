"""The front door for library users, the command line and the HTTP API alike.

Every operation pmo-advisor offers is a typed function here, taking plain values (a profile file,
document or shipped id; strategy ids; run options) and returning the result objects of the layers
below. ``api/cli`` and ``api/http`` call only these, so both front ends do the same thing with
the same checks; the limits a front end wants are passed in (:class:`simulation.limits.Limits`).

    from api import diagnose, recommend, simulate, compare, tell_story
    diagnose("crisis-retailer").scenario          # 'crisis'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import simulation
from advisor.assessment import Profile
from advisor.catalog import KINDS, load_catalog
from advisor.errors import InputError
from advisor.presets import ShippedProfile, resolve_profile, shipped_profiles
from rules.advice import Advice
from rules.advice import recommend as _recommend
from rules.advice.table import AdviceTable, load_advice_table
from rules.diagnosis import Diagnosis
from rules.diagnosis import diagnose as _diagnose
from rules.diagnosis_table import DiagnosisTable, load_diagnosis_table
from simulation import (
    BaselineResult,
    ComparisonResult,
    ExperimentResult,
    Shock,
    Story,
    StoryResult,
)
from simulation.plan import profile_plan_document
from simulation.runner import Progress

__all__ = ["ProfileSource", "StrategySource", "profile_of", "diagnose", "recommend",
           "plan_strategy", "simulate", "simulate_with_baseline", "compare", "tell_story",
           "catalog_counts", "catalog_items", "shipped", "strategies", "shocks",
           "stories", "rule_table", "Profile", "Diagnosis",
           "Advice", "ExperimentResult", "ComparisonResult", "BaselineResult", "StoryResult"]

#: What names a profile: a Profile, a profile document (mapping), a shipped profile's id, or (where
#: the caller allows files: the command line) a file path.
ProfileSource = Profile | dict[str, Any] | str | Path
#: What names a strategy: a shipped strategy's id, ``plan`` (the profile's own advice plan), a
#: strategy document (mapping) or (where the caller allows files) a YAML/JSON file.
StrategySource = str | dict[str, Any] | Path


def profile_of(source: ProfileSource, *, allow_files: bool = False,
               field: str = "profile") -> Profile:
    """A validated profile from any :data:`ProfileSource`; bad input raises InputError."""
    return resolve_profile(str(source) if isinstance(source, Path) else source, field,
                           allow_files=allow_files)


def diagnose(profile: ProfileSource, *, allow_files: bool = False,
             explain: bool = True) -> Diagnosis:
    """Which of the eight scenarios the PMO is in, why, what signs of a transition it shows and
    (``explain``, on by default for people; the simulation never asks) what would change it."""
    return _diagnose(profile_of(profile, allow_files=allow_files), explain=explain)


def recommend(profile: ProfileSource, *, allow_files: bool = False) -> Advice:
    """The advice: services, approaches per customer, maturity, competencies, flywheel focus."""
    return _recommend(profile_of(profile, allow_files=allow_files))


def plan_strategy(profile: ProfileSource, *, allow_files: bool = False) -> dict[str, Any]:
    """The advice's plan as a strategy document (``recommend --strategy-out``): write it to a
    file and ``simulate``/``compare`` play it like any strategy."""
    return profile_plan_document(profile_of(profile, allow_files=allow_files))


def _strategy(strategy: StrategySource) -> Any:
    return str(strategy) if isinstance(strategy, Path) else strategy


def simulate(profile: ProfileSource, strategy: StrategySource, *,
             progress: Progress | None = None, **options: Any) -> ExperimentResult:
    """Monte Carlo of one strategy from one PMO (options: :func:`simulation.run_experiment`)."""
    return simulation.run_experiment(_start(profile, options), _strategy(strategy),
                                     progress=progress, **options)


def simulate_with_baseline(profile: ProfileSource, strategy: StrategySource, *,
                           progress: Progress | None = None, **options: Any) -> BaselineResult:
    """As :func:`simulate`, and again without the scheduled shocks on the same random numbers:
    the shocks' effect with 95% intervals."""
    return simulation.run_with_baseline(_start(profile, options), _strategy(strategy),
                                        progress=progress, **options)


def compare(profile: ProfileSource, strategies: Iterable[StrategySource], *,
            progress: Progress | None = None, **options: Any) -> ComparisonResult:
    """Several strategies from one PMO on common random numbers; the first is compared with
    each other one (paired differences with 95% intervals and a verdict)."""
    return simulation.compare(_start(profile, options), [_strategy(s) for s in strategies],
                              progress=progress, **options)


def tell_story(story_id: str, seed: int | None = None) -> StoryResult:
    """A scripted story for trainers, told month by month."""
    return simulation.run_story(story_id, seed=seed)


def catalog_counts() -> dict[str, int]:
    """How many items of each kind the catalog holds."""
    return {kind: len(getattr(load_catalog(), kind)) for kind in KINDS}


def catalog_items(kind: str) -> list[dict[str, Any]]:
    """One kind of the catalog as plain dicts."""
    kind = kind.replace("-", "_")
    if kind not in KINDS:
        raise InputError(f"unknown kind {kind!r}; allowed: {', '.join(KINDS)}", "kind")
    return [dataclasses.asdict(item) for item in getattr(load_catalog(), kind)]


def shipped() -> dict[str, ShippedProfile]:
    """The shipped profiles by id."""
    return dict(shipped_profiles())


def _start(profile: ProfileSource, options: dict[str, Any]) -> Any:
    """Profiles pass through to the simulation's own reader, which knows its field names."""
    return str(profile) if isinstance(profile, Path) else profile


def strategies() -> list[dict[str, Any]]:
    """Every shipped strategy: effort per step, service mix, approach, triggers."""
    return simulation.list_strategies()


def shocks() -> list[Shock]:
    """Every shock the simulation knows, scheduled or random."""
    return simulation.list_shocks()


def stories() -> list[Story]:
    """Every shipped story, as a listing."""
    return simulation.list_stories()


def rule_table(name: str) -> DiagnosisTable | AdviceTable:
    """One rule table (``diagnosis`` or ``advice``), for review by a PMO expert."""
    if name == "diagnosis":
        return load_diagnosis_table()
    if name == "advice":
        return load_advice_table()
    raise InputError(f"unknown rule table {name!r}; allowed: diagnosis, advice", "table")
