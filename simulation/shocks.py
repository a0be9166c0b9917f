"""Shocks: organizational events that hit the PMO, scheduled (``name@month``) or random.

Each shock is data (``simulation/data/shocks.yaml``): indicator pulls and shifts, a momentum and
step-health factor, signs it makes visible, whether it restarts the sponsorship or changes the
PMO's head, and a yearly hazard for random occurrence (a Poisson process, drawn once a month).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import simpy

from advisor.catalog import load_catalog
from advisor.errors import CatalogError, InputError
from advisor.validation import Shown
from advisor.yaml_data import parse_yaml
from simulation.flywheel import every_month
from simulation.parameters import Parameters
from simulation.state import PmoState, indicator_ids, step_ids

__all__ = ["Shock", "ScheduledShock", "shock_from_data", "load_shocks", "shock_ids",
           "parse_shock", "shock_processes", "PHASE_SHOCKS"]

PHASE_SHOCKS = 0.0     # shocks land at the start of their month, before any work
_SCHEDULE = re.compile(r"^\s*([a-z_]+)\s*@\s*(-?[0-9]{1,6})\s*$")  # ASCII digits only


@dataclass(frozen=True, slots=True)
class Shock:
    id: str
    name: str
    summary: str
    source: str
    hazard_per_year: float                       # expected occurrences per PMO-year
    major_change: bool
    new_leader: bool
    new_sponsor: bool
    pull: tuple[tuple[str, float, float], ...]   # (indicator, toward, share)
    shift: tuple[tuple[str, float], ...]         # (indicator, points)
    momentum: float                              # factor
    steps: tuple[float, ...]                     # health factor per step
    signs: tuple[tuple[str, int], ...]           # (sign, months visible)

    def monthly_probability(self, params: Parameters) -> float:
        """P(at least one occurrence in a month) = 1 - exp(-hazard x scale / 12)."""
        return 1.0 - math.exp(-self.hazard_per_year * params.hazard_scale / 12.0)

    def apply(self, state: PmoState) -> None:
        """Land the shock. A healthy Monitoring step (step 7) has seen it coming and softens
        it: a share ``MONITORING_SOFTENING x health`` of its harm is avoided (Guide p.201-210)."""
        keep = 1.0 - state.params.monitoring_softening * state.health[6] if state.exists \
            else 1.0
        for indicator, toward, share in self.pull:
            state.pull(indicator, toward, share * keep)
        for indicator, delta in self.shift:
            state.shift(indicator, delta * keep if delta < 0 else delta)
        state.momentum *= 1.0 - (1.0 - self.momentum) * keep
        state.health[:] = [h * (1.0 - (1.0 - f) * keep) for h, f in zip(state.health, self.steps)]
        for sign, months in self.signs:
            state.show_sign(sign, months)
        if self.new_leader:
            state.new_leader()
        if self.new_sponsor:
            state.record_age = 0.0
            state.new_sponsors.append(state.month)
        if self.major_change:
            state.major_change()
        state.log("shock", self.id, f"{self.name}: {self.summary}")


@dataclass(frozen=True, slots=True)
class ScheduledShock:
    shock: str
    month: int

    def __str__(self) -> str:
        return f"{self.shock}@{self.month}"


def shock_from_data(raw: Mapping[str, Any], where: str = "shocks.yaml") -> Shock:
    """One shock (or shock-like event) from its data, checked against the catalog."""
    catalog = load_catalog()
    where = f"{where} {raw.get('id')}"
    known = {"id", "name", "summary", "source", "hazard_per_year", "major_change", "new_leader",
             "new_sponsor", "pull", "shift", "momentum", "steps", "signs"}
    if set(raw) - known:
        raise CatalogError(f"{where}: unknown keys {sorted(set(raw) - known)}")
    pull = raw.get("pull", {})
    shift = raw.get("shift", {})
    if not set(pull) | set(shift) <= set(indicator_ids()):
        raise CatalogError(f"{where}: unknown indicator")
    steps_raw = dict(raw.get("steps", {}))
    everywhere = float(steps_raw.pop("all", 1.0))
    if not set(steps_raw) <= set(step_ids()):
        raise CatalogError(f"{where}: unknown step")
    signs = raw.get("signs", {})
    if not set(signs) <= set(catalog.ids("signs")):
        raise CatalogError(f"{where}: unknown sign")
    return Shock(
        id=raw["id"], name=raw["name"], summary=raw["summary"], source=raw["source"],
        hazard_per_year=float(raw["hazard_per_year"]), major_change=bool(raw["major_change"]),
        new_leader=bool(raw.get("new_leader", False)),
        new_sponsor=bool(raw.get("new_sponsor", False)),
        pull=tuple((i, float(v["toward"]), float(v["share"])) for i, v in pull.items()),
        shift=tuple((i, float(v)) for i, v in shift.items()),
        momentum=float(raw.get("momentum", 1.0)),
        steps=tuple(float(steps_raw.get(s, everywhere)) for s in step_ids()),
        signs=tuple((s, int(m)) for s, m in signs.items()))


@functools.cache
def load_shocks() -> Mapping[str, Shock]:
    text = resources.files("simulation.data").joinpath("shocks.yaml").read_text(encoding="utf-8")
    shocks = [shock_from_data(raw) for raw in parse_yaml(text)["shocks"]]
    return {s.id: s for s in shocks}


def shock_ids() -> tuple[str, ...]:
    return tuple(load_shocks())


def parse_shock(value: Any, months: int, field: str = "shocks") -> ScheduledShock:
    """``"sponsor_change@6"`` or ``{"shock": "sponsor_change", "month": 6}``; month 1-months."""
    if isinstance(value, ScheduledShock):
        name, month = value.shock, value.month
    elif isinstance(value, Mapping) and set(value) == {"shock", "month"}:
        name, month = value["shock"], value["month"]
    elif isinstance(value, str) and (match := _SCHEDULE.match(value)):
        name, month = match.group(1), int(match.group(2))
    else:
        raise InputError(f"expected NAME@MONTH (e.g. sponsor_change@6), got {Shown(value)!r}",
                         field)
    if name not in load_shocks():
        raise InputError(f"unknown shock {Shown(name)!r}; allowed: "
                         f"{', '.join(load_shocks())}", field)
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= months:
        raise InputError(f"month must be a whole number from 1 to {months}, got {month!r}",
                         field)
    return ScheduledShock(name, month)


def _at(env: simpy.Environment, when: float, action: Callable[[], None]) -> Any:
    yield env.timeout(when)
    action()


def _scheduled(state: PmoState, shock: Shock) -> Callable[[], None]:
    def land() -> None:
        if state.exists:
            shock.apply(state)
    return land


def _random(state: PmoState, shocks: tuple[Shock, ...],
            land: Callable[[PmoState, Shock, float], None]) -> Callable[[int], None]:
    chances = [s.monthly_probability(state.params) for s in shocks]
    top = max(chances, default=0.0)

    def draw(month: int) -> None:
        draws = state.shock_u[month]
        if not draws or min(draws) >= top:      # most months: no draw under any chance
            return
        for shock, chance, u in zip(shocks, chances, draws):
            if u < chance and state.exists:
                land(state, shock, u / chance)

    return draw


def _apply(state: PmoState, shock: Shock, w: float) -> None:
    shock.apply(state)


def shock_processes(env: simpy.Environment, state: PmoState,
                    schedule: Iterable[ScheduledShock], random_shocks: bool,
                    land: Callable[[PmoState, Shock, float], None] = _apply) -> None:
    """One process per scheduled shock; one monthly process drawing random shocks, each landed
    by ``land(state, shock, w)`` with ``w`` its draw given that it occurs (uniform 0-1;
    :func:`simulation.fortune.land` adds what befalls the PMO with it)."""
    shocks = load_shocks()
    for item in schedule:
        env.process(_at(env, item.month + PHASE_SHOCKS, _scheduled(state, shocks[item.shock])))
    if random_shocks:
        env.process(every_month(env, PHASE_SHOCKS,
                                _random(state, tuple(shocks.values()), land), state.months))
