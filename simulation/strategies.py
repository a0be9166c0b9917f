"""Strategies: how a PMO spends its capacity, which services it offers and in what style.

Each strategy is a data file in ``scenarios/strategies`` (one per strategy, documented inline):
an effort share per flywheel step, a service mix over the catalog's services, a service approach
(or ``tailored``: the approach that suits the customers' current maturity) and optional triggers
that switch to another strategy when an executive review diagnoses a given scenario.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

import scenarios
from advisor.catalog import HORIZONS, load_catalog
from advisor.errors import CatalogError, InputError

__all__ = ["Strategy", "Trigger", "TAILORED", "load_strategies",
           "get_strategy", "strategy_ids"]

TAILORED = "tailored"
_KEYS = {"id", "name", "summary", "source", "effort", "services", "approach", "triggers"}


@dataclass(frozen=True, slots=True)
class Trigger:
    when: tuple[str, ...]      # scenarios diagnosed at an executive review
    switch_to: str             # strategy id
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"when": list(self.when), "switch_to": self.switch_to, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Strategy:
    id: str
    name: str
    summary: str
    source: str
    effort: tuple[float, ...]                   # share of capacity per flywheel step, in order
    services: tuple[tuple[str, float], ...]     # (service id, share of service work)
    approach: str                               # approach id or "tailored"
    triggers: tuple[Trigger, ...]
    horizon_mix: tuple[float, ...]              # share of value per horizon (advisor HORIZONS)

    def approach_for(self, pm_maturity: float) -> tuple[str, float]:
        """The approach used at this customer maturity and how well it fits it (0-1).

        Fit = 1 - |ideal customer maturity of the approach - PM maturity| / 4 (Guide Fig. 7-1:
        each approach suits a band of customer maturity; the numbers are assumption A4)."""
        if self.approach == TAILORED:
            return _nearest_approach(pm_maturity)
        return self.approach, 1.0 - abs(_ideal(self.approach) - pm_maturity) / 4.0

    def trigger_for(self, scenario: str) -> Trigger | None:
        return next((t for t in self.triggers if scenario in t.when), None)

    def to_dict(self) -> dict[str, Any]:
        steps = load_catalog().ids("flywheel")
        return {
            "id": self.id, "name": self.name, "summary": self.summary, "source": self.source,
            "effort": dict(zip(steps, self.effort)),
            "services": dict(self.services),
            "approach": self.approach,
            "triggers": [t.to_dict() for t in self.triggers],
            "perception_mix": dict(zip(HORIZONS, (round(v, 4) for v in self.horizon_mix))),
        }


@functools.cache
def _ideal(approach: str) -> float:
    return load_catalog().approach(approach).ideal_customer_maturity


@functools.lru_cache(maxsize=512)
def _nearest_approach(pm_maturity: float) -> tuple[str, float]:
    best = min(load_catalog().approaches,
               key=lambda a: (abs(a.ideal_customer_maturity - pm_maturity), a.order))
    return best.id, 1.0 - abs(best.ideal_customer_maturity - pm_maturity) / 4.0


def _horizon_mix(services: Mapping[str, float]) -> tuple[float, ...]:
    """Share of value per perception horizon: each service's outcomes (Appendix X2) spread its
    share evenly, each outcome perceived on its Table 6-1 horizon."""
    catalog = load_catalog()
    mix = dict.fromkeys(HORIZONS, 0.0)
    for service, share in services.items():
        outcomes = catalog.outcomes_of_service(service)
        for outcome in outcomes:
            mix[outcome.horizon] += share / len(outcomes)
    return tuple(mix[h] for h in HORIZONS)


def _shares(where: str, raw: Any, allowed: tuple[str, ...], exact_keys: bool) -> dict[str, float]:
    if not isinstance(raw, Mapping) or not raw:
        raise CatalogError(f"{where}: must be a non-empty mapping")
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        raise CatalogError(f"{where}: unknown id(s) {unknown}")
    if exact_keys and set(raw) != set(allowed):
        raise CatalogError(f"{where}: must give a share for each of {list(allowed)}")
    if any(not isinstance(v, (int, float)) or v < 0 for v in raw.values()):
        raise CatalogError(f"{where}: shares must be numbers >= 0")
    if abs(sum(raw.values()) - 1.0) > 1e-6:
        raise CatalogError(f"{where}: shares must sum to 1, got {sum(raw.values()):g}")
    return {k: float(v) for k, v in raw.items()}


def _build(path: Path) -> Strategy:
    catalog = load_catalog()
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    where = f"strategy {path.name}"
    if not isinstance(raw, Mapping) or set(raw) != _KEYS:
        raise CatalogError(f"{where}: needs exactly the keys {sorted(_KEYS)}")
    if raw["id"] != path.stem:
        raise CatalogError(f"{where}: id {raw['id']!r} must match the file name")
    steps = catalog.ids("flywheel")
    effort = _shares(f"{where} effort", raw["effort"], steps, exact_keys=True)
    services = _shares(f"{where} services", raw["services"], catalog.ids("services"),
                       exact_keys=False)
    if raw["approach"] not in (*catalog.ids("approaches"), TAILORED):
        raise CatalogError(f"{where}: unknown approach {raw['approach']!r}")
    scenarios = set(catalog.ids("scenarios"))
    triggers = []
    for t in raw["triggers"] or []:
        if not set(t["when"]) <= scenarios:
            raise CatalogError(f"{where}: trigger on unknown scenario in {t['when']}")
        triggers.append(Trigger(when=tuple(t["when"]), switch_to=t["switch_to"],
                                reason=t["reason"]))
    return Strategy(
        id=raw["id"], name=raw["name"], summary=" ".join(raw["summary"].split()),
        source=str(raw["source"]), effort=tuple(effort[s] for s in steps),
        services=tuple(services.items()), approach=raw["approach"],
        triggers=tuple(triggers), horizon_mix=_horizon_mix(services))


@functools.cache
def load_strategies() -> Mapping[str, Strategy]:
    """Every shipped strategy by id, checked (also that each trigger names a strategy)."""
    strategies = {s.id: s for s in map(_build, scenarios.documents("strategies").values())}
    for strategy in strategies.values():
        for trigger in strategy.triggers:
            if trigger.switch_to not in strategies:
                raise CatalogError(f"strategy {strategy.id}: trigger switches to unknown "
                                   f"strategy {trigger.switch_to!r}")
    return strategies


def strategy_ids() -> tuple[str, ...]:
    return tuple(load_strategies())


def get_strategy(strategy_id: Any, field: str = "strategy") -> Strategy:
    """A strategy by id; an unknown id is an :class:`InputError` naming ``field``."""
    strategies = load_strategies()
    if not isinstance(strategy_id, str) or strategy_id not in strategies:
        raise InputError(f"unknown strategy {strategy_id!r}; allowed: "
                         + ", ".join(strategies), field)
    return strategies[strategy_id]
