"""A SimPy model of the value-generating PMO flywheel, with Monte Carlo what-ifs and stories.

Entry points (all raise :class:`advisor.errors.InputError`, naming the field, on bad input)::

    run_experiment(profile, strategy, months=36, runs=500, seed=0, shocks=(...))
        -> ExperimentResult (.summary; its JSON: api.schemas.answers.to_json)
    compare(profile, ["customer_centric", "minimal"], ...)  -> ComparisonResult
    run_with_baseline(profile, strategy, shocks=[...])      -> BaselineResult (shock effect)
    run_story("crisis-to-resurgence")                       -> StoryResult
    strategy_from_document({...}) / strategy_document_from_plan(advice_or_plan)
    experiment_from_request(body) / compare_from_request(body)   # JSON bodies, validated
    list_strategies() / list_shocks() / list_stories() / list_presets()
    Limits, LOCAL, SERVICE                                # what one call may ask for
    plot_png(result) -> PNG bytes of the result's chart

Modules, one job each: ``state`` (the simulated PMO), ``flywheel`` (the ten step processes, the
wheel, perception), ``organization`` (indicator dynamics), ``reviews`` (executive reviews and the
diagnosis), ``shocks``, ``lifecycle`` (restructure, shutdown, relaunch), ``strategies``,
``model`` (one replication), ``runner`` (Monte Carlo, process pool), ``limits``, ``spec``
(validation), ``results``, ``stories``, ``plots`` (charts),
``calibration``. The equations and their sources: ``docs/model.md``.
"""

from __future__ import annotations

from typing import Any

from advisor.presets import preset_names
from simulation.experiments import (
    compare,
    compare_from_request,
    experiment_from_request,
    run_experiment,
    run_with_baseline,
)
from simulation.limits import LOCAL, SERVICE, Limits
from simulation.parameters import DEFAULT_PARAMETERS, Parameters
from simulation.plan import strategy_document_from_plan
from simulation.results import MODEL_VERSION, BaselineResult, ComparisonResult, ExperimentResult
from simulation.shocks import Shock, load_shocks
from simulation.stories import Story, StoryResult, load_stories, run_story
from simulation.strategies import load_strategies, strategy_from_document

__all__ = ["run_experiment", "run_with_baseline", "compare", "run_story",
           "experiment_from_request", "compare_from_request", "list_strategies", "list_shocks",
           "list_stories", "list_presets", "plot_png", "strategy_from_document",
           "strategy_document_from_plan", "ExperimentResult", "ComparisonResult",
           "BaselineResult", "Shock", "Story", "StoryResult",
           "Parameters", "DEFAULT_PARAMETERS", "Limits", "LOCAL", "SERVICE", "MODEL_VERSION"]


def list_strategies() -> list[dict[str, Any]]:
    """Every shipped strategy: effort per step, service mix, approach, triggers."""
    return [s.to_dict() for s in load_strategies().values()]


def list_shocks() -> list[Shock]:
    """Every shock (its JSON: ``api/schemas/library.py`` ``ShockSchema``)."""
    return list(load_shocks().values())


def list_stories() -> list[Story]:
    """Every shipped story (its JSON: ``api/schemas/library.py`` ``StorySchema``)."""
    return list(load_stories().values())


def list_presets() -> list[str]:
    """Names usable as ``profile`` (the shipped profiles of scenarios/profiles)."""
    return list(preset_names())


def plot_png(result: ExperimentResult | ComparisonResult | StoryResult | BaselineResult
             ) -> bytes:
    """The chart of a result as PNG bytes (matplotlib is imported only when needed)."""
    from simulation import plots
    if isinstance(result, BaselineResult):      # with and without its shocks, side by side
        return plots.figure_png(plots.baseline_figure(result))
    if isinstance(result, ExperimentResult):
        return plots.figure_png(plots.experiment_figure(result))
    if isinstance(result, ComparisonResult):
        return plots.figure_png(plots.comparison_figure(result))
    return plots.figure_png(plots.story_figure(result))
