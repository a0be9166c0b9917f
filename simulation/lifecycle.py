"""The PMO's life cycle: restructuring, shutdown and (re)launch.

Executive reviews decide restructurings (in Decline) and shutdowns (in Collapse); once there is no
PMO, the organization launches a new one with a monthly hazard after a minimum gap. A launch after
a closure is the guide's Resurgence: the profile then says ``previous_pmo_closed: true`` and the
same diagnosis recognizes it (Guide p.38-39). Settings: ``simulation/data/lifecycle.yaml``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources

import simpy

from advisor.errors import CatalogError
from advisor.yaml_data import parse_yaml
from simulation.flywheel import every_month
from simulation.shocks import Shock, shock_from_data
from simulation.state import PmoState, indicator_ids

__all__ = ["Lifecycle", "load_lifecycle", "restructure", "shutdown", "launch",
           "relaunch_process", "PHASE_RELAUNCH"]

PHASE_RELAUNCH = 0.35      # after the month's indicator changes, before the review


@dataclass(frozen=True)
class Lifecycle:
    restructure: Shock
    champion_relaunch: Shock
    launch_set: Mapping[str, float]
    launch_health: float
    launch_signs: Mapping[str, int]
    closure_shift: Mapping[str, float]
    closure_experience: float
    closure_signs: Mapping[str, int]


@functools.cache
def load_lifecycle() -> Lifecycle:
    text = resources.files("simulation.data").joinpath("lifecycle.yaml").read_text("utf-8")
    raw = parse_yaml(text)
    launch_raw = raw["launch"]
    closure = launch_raw["after_closure"]
    if not (set(launch_raw["set"]) | set(closure["shift"])) <= set(indicator_ids()):
        raise CatalogError("lifecycle.yaml launch: unknown indicator")
    return Lifecycle(
        restructure=shock_from_data(raw["restructure"], "lifecycle.yaml"),
        champion_relaunch=shock_from_data(raw["champion_relaunch"], "lifecycle.yaml"),
        launch_set=dict(launch_raw["set"]),
        launch_health=float(launch_raw["health"]),
        launch_signs=dict(launch_raw["signs"]),
        closure_shift=dict(closure["shift"]),
        closure_experience=float(closure["experience"]),
        closure_signs=dict(closure["signs"]),
    )


def restructure(state: PmoState, w: float = 1.0) -> None:
    """Executives redesign the PMO and appoint new leadership (a major change). ``w``: the
    decision's own uniform given that it restructures (0-1); below ``CHAMPION_RELAUNCH`` a
    champion sponsor drives the redesign as a relaunch that keeps what still works, instead of
    a rebuild from conditional backing (Guide p.36-37, 42-43; docs/model.md, "Life cycle")."""
    state.restructures += 1
    state.mandate_age = state.record_age = 0.0
    life = load_lifecycle()
    (life.champion_relaunch if w < state.params.champion_relaunch else life.restructure
     ).apply(state)


def shutdown(state: PmoState) -> None:
    """Close the PMO: the flywheel stops and value still on its way is lost (a major change)."""
    month = state.month
    state.exists = False
    state.closed_before = True
    state.shutdowns.append(month)
    state.major_change()
    state.months_without_pmo = 0
    state.health[:] = [0.0] * len(state.health)
    state.momentum = state.turn = state.cycles = state.recognized = 0.0
    state.pipeline[month + 1:] = [0.0] * (len(state.pipeline) - month - 1)
    state.shift("cultural_readiness", -state.params.shutdown_trauma)
    state.signs.clear()
    state.log("shutdown", "shutdown", "Executives shut the PMO down.")


def launch(state: PmoState) -> None:
    """A new PMO starts: an initial buy-in, a small team; after a closure, a Resurgence."""
    life = load_lifecycle()
    again = state.closed_before
    state.exists = True
    state.age = state.mandate_age = state.record_age = 0.0
    state.launches += 1
    state.strategy = state.relaunch_strategy
    for indicator, value in life.launch_set.items():
        state.x[indicator] = value
    state.health[:] = [life.launch_health] * len(state.health)
    state.momentum = state.turn = 0.0
    state.cycles = life.closure_experience if again else 0.0
    for sign, months in life.launch_signs.items():
        state.show_sign(sign, months)
    if again:
        for indicator, delta in life.closure_shift.items():
            state.shift(indicator, delta)
        for sign, months in life.closure_signs.items():
            state.show_sign(sign, months)
    state.new_leader()
    what = "A new PMO rises where the old one was closed" if again else "A PMO is launched"
    state.log("launch", "launch", f"{what}, following the {state.strategy.name} strategy.")


def _consider_relaunch(state: PmoState) -> Callable[[int], None]:
    def consider(month: int) -> None:
        p = state.params
        if (not state.exists and state.months_without_pmo >= p.relaunch_min_gap
                and state.decide[month][2] < p.relaunch_hazard):
            launch(state)
    return consider


def relaunch_process(env: simpy.Environment, state: PmoState) -> None:
    env.process(every_month(env, PHASE_RELAUNCH, _consider_relaunch(state), state.months))
