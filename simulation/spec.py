"""What an experiment asks for, checked once and bounded by the caller's :class:`Limits`.

Python callers (:func:`simulation.run_experiment`) and request bodies (the HTTP API, through
:func:`experiment_spec_from_request`) go through the same checks, and every problem is an
:class:`~advisor.errors.InputError` naming its field. Limits bound what one call can cost.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from advisor.assessment import Profile
from advisor.errors import InputError
from advisor.presets import resolve_profile
from advisor.validation import repeats
from simulation.limits import LOCAL, MAX_SEED, Limits
from simulation.parameters import DEFAULT_PARAMETERS, Parameters
from simulation.shocks import ScheduledShock, parse_shock
from simulation.state import Start
from simulation.strategies import Strategy, resolve_strategy

__all__ = ["ExperimentSpec", "make_spec", "make_specs", "experiment_spec_from_request",
           "comparison_specs_from_request", "check_strategy_list", "PLAN"]

_REQUEST_KEYS = ("profile", "strategy", "months", "runs", "seed", "shocks", "random_shocks",
                 "relaunch_strategy")


@dataclass(frozen=True)
class ExperimentSpec:
    """One strategy's Monte Carlo experiment, every input checked."""

    start: Start
    profile_label: str
    strategy: Strategy
    months: int
    runs: int
    seed: int
    shocks: tuple[ScheduledShock, ...] = ()
    random_shocks: bool = True
    relaunch_strategy: Strategy | None = None
    parameters: Parameters = field(default=DEFAULT_PARAMETERS)


def _whole(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"must be a whole number, got {value!r}", name)
    if not low <= value <= high:
        raise InputError(f"must be between {low} and {high}, got {value}", name)
    return value


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise InputError(f"must be true or false, got {value!r}", name)
    return value


def _shocks(values: Any, months: int, limit: int) -> tuple[ScheduledShock, ...]:
    if isinstance(values, (str, Mapping)) or not isinstance(values, Iterable):
        raise InputError("must be a list of NAME@MONTH entries", "shocks")
    items = list(values)
    if len(items) > limit:
        raise InputError(f"at most {limit} scheduled shocks, got {len(items)}", "shocks")
    return tuple(sorted((parse_shock(v, months, f"shocks[{i}]") for i, v in enumerate(items)),
                        key=lambda s: (s.month, s.shock)))


def _label(profile: Any) -> str:
    return profile if isinstance(profile, str) else getattr(profile, "name", None) or \
        (profile.get("name") if isinstance(profile, Mapping) else None) or "profile"


def make_specs(profile: Any, strategies: Iterable[Any], *, months: Any = None,
               runs: Any = None, seed: Any = None, shocks: Any = (),
               random_shocks: Any = True, relaunch_strategy: Any = None,
               parameters: Parameters | Mapping[str, Any] | None = None,
               allow_files: bool = False, compared: bool = False,
               limits: Limits = LOCAL) -> tuple[ExperimentSpec, ...]:
    """Check everything once, against the caller's ``limits``, and build one spec per strategy
    (same seed: common random numbers). ``None`` takes the limits' default; ``compared``: the
    strategies come from a comparison's ``strategies`` list (errors say so). A strategy is a
    shipped id, ``plan`` (the profile's own advice plan), a document or (``allow_files``) a
    file."""
    months = _whole(limits.default_months if months is None else months, "months", 1,
                    limits.max_months)
    seed = _whole(limits.default_seed if seed is None else seed, "seed", 0, MAX_SEED)
    resolved = resolve_profile(profile, "profile", allow_files)
    chosen = [_strategy(s, f"strategies[{i}]" if compared else "strategy", allow_files,
                        resolved) for i, s in enumerate(strategies)]
    ids = [s.id for s in chosen]
    for i, sid in enumerate(ids):
        if sid in ids[:i]:
            raise InputError(f"two strategies have the id {sid!r}; give each document its own "
                             "id", f"strategies[{i}]")
    if runs is None:
        runs = limits.default_runs_for(months, len(chosen))
    runs = _whole(runs, "runs", 1, limits.max_runs_allowed)
    limits.check_cost(runs, months, len(chosen))
    scheduled = _shocks(shocks, months, limits.max_shocks)
    random_shocks = _flag(random_shocks, "random_shocks")
    relaunch = None if relaunch_strategy is None else _strategy(
        relaunch_strategy, "relaunch_strategy", allow_files, resolved)
    if parameters is None:
        params = DEFAULT_PARAMETERS
    elif isinstance(parameters, Parameters):
        params = parameters
    else:
        params = DEFAULT_PARAMETERS.with_changes(parameters)
    start = Start.from_profile(resolved)
    label = _label(profile)
    return tuple(ExperimentSpec(start=start, profile_label=label, strategy=s, months=months,
                                runs=runs, seed=seed, shocks=scheduled,
                                random_shocks=random_shocks, relaunch_strategy=relaunch,
                                parameters=params) for s in chosen)


#: The strategy name that means "this profile's own advice plan" (simulation/plan.py).
PLAN = "plan"


def _strategy(value: Any, field: str, allow_files: bool, profile: Profile) -> Strategy:
    """A shipped id, a document, a file (command line only) or ``plan``: the profile's plan."""
    if value == PLAN:
        from simulation.plan import profile_plan_strategy
        return profile_plan_strategy(profile)
    return resolve_strategy(value, field, allow_files)


def make_spec(profile: Any, strategy: Any, **options: Any) -> ExperimentSpec:
    return make_specs(profile, [strategy], **options)[0]


def _request(body: Any, keys: tuple[str, ...], required: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(body, Mapping):
        raise InputError("the request body must be a JSON object", "body")
    problems = [(k, "unknown field; allowed: " + ", ".join(keys)) for k in body if k not in keys]
    problems += [(k, "missing required field") for k in required if k not in body]
    if problems:
        raise InputError(problems)
    return dict(body)


def experiment_spec_from_request(body: Any, limits: Limits = LOCAL) -> ExperimentSpec:
    """``{"profile": {...} | "preset", "strategy": "...", "months": 36, "runs": 500,
    "seed": 0, "shocks": ["sponsor_change@6"], "random_shocks": true,
    "relaunch_strategy": null}``; only profile and strategy are required."""
    data = _request(body, _REQUEST_KEYS, ("profile", "strategy"))
    return make_spec(data.pop("profile"), data.pop("strategy"), limits=limits, **data)


def comparison_specs_from_request(body: Any,
                                  limits: Limits = LOCAL) -> tuple[ExperimentSpec, ...]:
    """As :func:`experiment_spec_from_request`, with ``"strategies": [...]`` (2 or more,
    distinct) instead of ``strategy``."""
    keys = tuple(k if k != "strategy" else "strategies" for k in _REQUEST_KEYS)
    data = _request(body, keys, ("profile", "strategies"))
    return make_specs(data.pop("profile"), check_strategy_list(data.pop("strategies"), limits),
                      compared=True, limits=limits, **data)


def check_strategy_list(values: Any, limits: Limits = LOCAL) -> list[Any]:
    """2 to ``limits.max_strategies`` distinct names (a comma-separated string is split)."""
    if isinstance(values, str):
        values = [v.strip() for v in values.split(",") if v.strip()]
    if not isinstance(values, (list, tuple)):
        raise InputError("must be a list of strategy names", "strategies")
    if not 2 <= len(values) <= limits.max_strategies:
        raise InputError(f"compare 2 to {limits.max_strategies} strategies, got {len(values)}",
                         "strategies")
    repeated = repeats(v for v in values if isinstance(v, str))
    if repeated:
        raise InputError(f"listed more than once: {', '.join(repeated)}", "strategies")
    return list(values)
