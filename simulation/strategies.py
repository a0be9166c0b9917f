"""Strategies: how a PMO spends its capacity, which services it offers and in what style.

Each strategy is a data file in ``scenarios/strategies`` (one per strategy, documented inline):
an effort share per flywheel step, a service mix over the catalog's services, a service approach
(or ``tailored``: the approach that suits the customers' current maturity) and optional triggers
that switch to another strategy when an executive review diagnoses a given scenario.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import scenarios
from advisor.catalog import HORIZONS, load_catalog
from advisor.errors import CatalogError, InputError
from advisor.validation import excerpt
from advisor.yaml_data import parse_yaml

__all__ = ["Strategy", "Trigger", "TAILORED", "load_strategies", "get_strategy",
           "strategy_ids", "strategy_from_document", "resolve_strategy", "horizon_mix",
           "MAX_PHASES", "STRATEGY_ID"]

TAILORED = "tailored"
#: What a shipped strategy must say; a user's document needs only effort and services.
_SHIPPED_KEYS = {"id", "name", "summary", "source", "effort", "services", "approach", "triggers"}
_DOCUMENT_KEYS = _SHIPPED_KEYS | {"targets", "schedule", "made_for", "adaptive"}
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
SHARE_TOLERANCE = 1e-3       # shares may be rounded (to 3 decimals); they are renormalized
MAX_PHASES = 24              # schedule phases of one strategy

STRATEGY_ID = _ID  # what an inline document's id must match (the OpenAPI document states it)


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
    targets: tuple[tuple[str, int], ...] = ()   # (service id, maturity level it aims for)
    phases: tuple[tuple[int, "Strategy"], ...] = ()   # (from month, the strategy from then on)
    #: the scenarios the strategy is made for (empty: any) and what each review outside them
    #: costs, as indicator shifts (e.g. a turnaround's cuts when nothing is broken)
    made_for: tuple[str, ...] = ()
    elsewhere: tuple[tuple[str, float], ...] = ()
    #: False: played exactly as written, no leader shifting effort at reviews (leadership.py)
    adaptive: bool = True

    def approach_for(self, pm_maturity: float) -> tuple[str, float]:
        """The approach used at this customer maturity and how well it fits it (0-1).

        Fit = 1 - |ideal customer maturity of the approach - PM maturity| / 4 (Guide Fig. 7-1:
        each approach suits a band of customer maturity; the numbers are assumption A4)."""
        if self.approach == TAILORED:
            return _nearest_approach(pm_maturity)
        return self.approach, 1.0 - abs(_ideal(self.approach) - pm_maturity) / 4.0

    def trigger_for(self, scenario: str) -> Trigger | None:
        for trigger in self.triggers:     # (asked at every review: a loop, not a generator)
            if scenario in trigger.when:
                return trigger
        return None

    def to_dict(self) -> dict[str, Any]:
        """The strategy as a record: what a run's ``parameters`` carry, what GET /strategies
        lists (``StrategySchema`` documents it) and, trimmed, a document (:meth:`document`)."""
        steps = load_catalog().ids("flywheel")
        return {
            "id": self.id, "name": self.name, "summary": self.summary, "source": self.source,
            "effort": {k: round(v, 4) for k, v in zip(steps, self.effort)},
            "services": {k: round(v, 4) for k, v in self.services},
            "approach": self.approach,
            "triggers": [t.to_dict() for t in self.triggers],
            "perception_mix": dict(zip(HORIZONS, (round(v, 4) for v in self.horizon_mix))),
            "targets": dict(self.targets),
            "schedule": [{"month": month,
                          "effort": {k: round(v, 4) for k, v in zip(steps, phase.effort)},
                          "services": {k: round(v, 4) for k, v in phase.services},
                          "targets": dict(phase.targets)}
                         for month, phase in self.phases],
            **({"made_for": {"scenarios": list(self.made_for),
                             "elsewhere": dict(self.elsewhere)}} if self.made_for else {}),
            **({} if self.adaptive else {"adaptive": False}),
        }

    def document(self) -> dict[str, Any]:
        """The strategy as a document :func:`strategy_from_document` reads back (for files)."""
        out = self.to_dict()
        out.pop("perception_mix")
        if not out["schedule"]:
            out.pop("schedule")
        return out


@functools.cache
@functools.cache
def _ideal(approach: str) -> float:
    return load_catalog().approach(approach).ideal_customer_maturity


@functools.lru_cache(maxsize=512)
def _nearest_approach(pm_maturity: float) -> tuple[str, float]:
    best = min(load_catalog().approaches,
               key=lambda a: (abs(a.ideal_customer_maturity - pm_maturity), a.order))
    return best.id, 1.0 - abs(best.ideal_customer_maturity - pm_maturity) / 4.0


def horizon_mix(services: Mapping[str, float]) -> tuple[float, ...]:
    """Share of value per perception horizon: each service's outcomes (Appendix X2) spread its
    share evenly, each outcome perceived on its Table 6-1 horizon."""
    catalog = load_catalog()
    mix = dict.fromkeys(HORIZONS, 0.0)
    for service, share in services.items():
        outcomes = catalog.outcomes_of_service(service)
        for outcome in outcomes:
            mix[outcome.horizon] += share / len(outcomes)
    return tuple(mix[h] for h in HORIZONS)


class _Problems:
    """Field-level problems of one strategy document, collected so a user sees them all."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.items: list[tuple[str, str]] = []

    def add(self, field: str, message: str) -> None:
        name = ".".join(part for part in (self.where, field) if part)
        self.items.append((name, message))


def _shares(problems: _Problems, field: str, raw: Any, allowed: tuple[str, ...],
            exact_keys: bool) -> dict[str, float]:
    if not isinstance(raw, Mapping) or not raw:
        problems.add(field, "must be a non-empty mapping of id: share")
        return {}
    unknown = sorted(str(k) for k in set(raw) - set(allowed))
    if unknown:
        problems.add(field, f"unknown id(s) {unknown}; allowed: " + ", ".join(allowed))
        return {}
    if exact_keys and set(raw) != set(allowed):
        problems.add(field, "must give a share for each of " + ", ".join(allowed))
        return {}
    bad = [k for k, v in raw.items()
           if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1]
    for key in bad:   # each named: "strategy.effort" alone left a user to find which of ten
        problems.add(f"{field}.{key}", f"must be a share from 0 to 1, got {excerpt(raw[key])}")
    if bad:
        return {}
    total = sum(raw.values())
    if abs(total - 1.0) > SHARE_TOLERANCE:
        problems.add(field, f"shares must sum to 1, got {total:g}")
        return {}
    return {k: float(v) / total for k, v in raw.items()}


def _targets(problems: _Problems, field: str, raw: Any) -> dict[str, int]:
    services = load_catalog().ids("services")
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        problems.add(field, "must be a mapping of service: maturity level 1-5")
        return {}
    out = {}
    for key, level in raw.items():
        if key not in services:
            problems.add(f"{field}.{key}", "unknown service; allowed: " + ", ".join(services))
        elif isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 5:
            problems.add(f"{field}.{key}", f"must be a whole maturity level 1-5, got {level!r}")
        else:
            out[key] = level
    return out


def _made_for(problems: _Problems, raw: Any
              ) -> tuple[tuple[str, ...], tuple[tuple[str, float], ...]]:
    """``made_for: {scenarios: [...], elsewhere: {indicator: shift per review}}``: a strategy
    made for some scenarios costs ``elsewhere`` at each review that diagnoses another one."""
    if raw is None:
        return (), ()
    catalog = load_catalog()
    if not isinstance(raw, Mapping) or set(raw) != {"scenarios", "elsewhere"}:
        problems.add("made_for", "needs exactly scenarios (a list) and elsewhere (indicator: "
                     "points per review, -1 to 1)")
        return (), ()
    scenarios = raw["scenarios"]
    if (not isinstance(scenarios, list) or not scenarios
            or not all(isinstance(x, str) and x in catalog.ids("scenarios") for x in scenarios)):
        problems.add("made_for.scenarios", "scenarios from: "
                     + ", ".join(catalog.ids("scenarios")))
        return (), ()
    costs = raw["elsewhere"]
    if not isinstance(costs, Mapping):
        problems.add("made_for.elsewhere", "must map indicators to points per review, -1 to 1")
        return (), ()
    out = []
    for key, value in costs.items():
        if key not in catalog.ids("indicators"):
            problems.add(f"made_for.elsewhere.{key}", "unknown indicator; allowed: "
                         + ", ".join(catalog.ids("indicators")))
        elif isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not -1.0 <= value <= 1.0:
            problems.add(f"made_for.elsewhere.{key}", f"must be -1 to 1, got {value!r}")
        else:
            out.append((str(key), float(value)))
    return tuple(scenarios), tuple(out)


def _text(problems: _Problems, field: str, raw: Any, default: str, limit: int = 400) -> str:
    if raw is None:
        return default
    if not isinstance(raw, str) or len(raw) > limit:
        problems.add(field, f"must be text of at most {limit} characters")
        return default
    return " ".join(raw.split())


def _parse(raw: Any, problems: _Problems, default_id: str, shipped: bool) -> Strategy | None:
    """A strategy from its document; problems are collected, None when there are any."""
    catalog = load_catalog()
    allowed_keys = _DOCUMENT_KEYS
    if not isinstance(raw, Mapping):
        problems.add("", "a strategy document must be a mapping (YAML or JSON object)")
        return None
    for key in sorted(str(k) for k in set(raw) - allowed_keys):
        problems.add(key, "unknown field; allowed: " + ", ".join(sorted(allowed_keys)))
    required = _SHIPPED_KEYS if shipped else {"effort", "services"}
    for key in sorted(required - set(raw)):
        problems.add(key, "missing required field")
    sid = raw.get("id", default_id)
    if not isinstance(sid, str) or not _ID.match(sid):
        problems.add("id", f"must be 1-64 letters, digits, '_', '.' or '-', got {sid!r}")
        sid = default_id
    steps = catalog.ids("flywheel")
    effort = _shares(problems, "effort", raw.get("effort"), steps, exact_keys=True)
    services = _shares(problems, "services", raw.get("services"), catalog.ids("services"),
                       exact_keys=False)
    approach = raw.get("approach", TAILORED)
    if approach not in (*catalog.ids("approaches"), TAILORED):
        problems.add("approach", f"unknown approach {approach!r}; allowed: "
                     + ", ".join((*catalog.ids("approaches"), TAILORED)))
    targets = _targets(problems, "targets", raw.get("targets"))
    scenario_ids = set(catalog.ids("scenarios"))
    triggers = []
    raw_triggers = raw.get("triggers")
    if raw_triggers is None:  # none; anything else but a list is refused (as documented)
        raw_triggers = []
    if not isinstance(raw_triggers, list):
        problems.add("triggers", "must be a list of {when, switch_to, reason}")
        raw_triggers = []
    for i, t in enumerate(raw_triggers):
        if not isinstance(t, Mapping) or set(t) != {"when", "switch_to", "reason"}:
            problems.add(f"triggers[{i}]", "needs exactly when, switch_to and reason")
            continue
        when = t["when"] if isinstance(t["when"], list) else [t["when"]]
        if not when or not all(isinstance(w, str) and w in scenario_ids for w in when):
            problems.add(f"triggers[{i}].when", "scenarios from: " + ", ".join(
                sorted(scenario_ids)))
            continue
        if not shipped and (not isinstance(t["switch_to"], str)
                            or t["switch_to"] not in load_strategies()):
            problems.add(f"triggers[{i}].switch_to", "a shipped strategy: "
                         + ", ".join(load_strategies()))
            continue
        triggers.append(Trigger(when=tuple(when), switch_to=str(t["switch_to"]),
                                reason=" ".join(str(t["reason"]).split())))
    name = _text(problems, "name", raw.get("name"), sid, 120)
    summary = _text(problems, "summary", raw.get("summary"), "", 2000)
    source = _text(problems, "source", str(raw["source"]) if "source" in raw else None,
                   "user document")
    phases = _schedule(problems, raw.get("schedule"), effort, services, targets)
    made_for, elsewhere = _made_for(problems, raw.get("made_for"))
    adaptive = raw.get("adaptive", True)
    if not isinstance(adaptive, bool):
        problems.add("adaptive", f"must be true or false, got {excerpt(adaptive)}")
    if problems.items:
        return None
    base = Strategy(id=sid, name=name, summary=summary, source=source,
                    effort=tuple(effort[s] for s in steps), services=tuple(services.items()),
                    approach=approach, triggers=tuple(triggers),
                    horizon_mix=horizon_mix(services), targets=tuple(targets.items()),
                    made_for=made_for, elsewhere=elsewhere, adaptive=adaptive is not False)
    return replace(base, phases=tuple((month, replace(
        base, effort=tuple(p_effort[s] for s in steps), services=tuple(p_services.items()),
        horizon_mix=horizon_mix(p_services), targets=tuple(p_targets.items())))
        for month, p_effort, p_services, p_targets in phases))


def _schedule(problems: _Problems, raw: Any, effort: dict[str, float],
              services: dict[str, float], targets: dict[str, int]
              ) -> list[tuple[int, dict[str, float], dict[str, float], dict[str, int]]]:
    """Later phases of a strategy: from ``month`` on, new effort, services and targets (each
    phase inherits what it does not say from the phase before)."""
    if raw is None:
        return []
    if not isinstance(raw, list) or len(raw) > MAX_PHASES:
        problems.add("schedule", f"must be a list of at most {MAX_PHASES} phases")
        return []
    catalog = load_catalog()
    out = []
    last = 0
    for i, phase in enumerate(raw):
        where = f"schedule[{i}]"
        if not isinstance(phase, Mapping) or "month" not in phase:
            problems.add(where, "needs a month and any of effort, services, targets")
            continue
        for key in sorted(str(k) for k in set(phase) - {"month", "effort", "services",
                                                         "targets"}):
            problems.add(f"{where}.{key}", "unknown field; allowed: month, effort, services, "
                         "targets")
        month = phase["month"]
        if isinstance(month, bool) or not isinstance(month, int) or not last < month <= 120:
            problems.add(f"{where}.month", f"must be a whole month from {last + 1} to 120 "
                         f"(after the phase before), got {month!r}")
            continue
        last = month
        if "effort" in phase:
            effort = _shares(problems, f"{where}.effort", phase["effort"],
                             catalog.ids("flywheel"), exact_keys=True)
        if "services" in phase:
            services = _shares(problems, f"{where}.services", phase["services"],
                               catalog.ids("services"), exact_keys=False)
        if "targets" in phase:
            targets = {**targets, **_targets(problems, f"{where}.targets", phase["targets"])}
        out.append((month, effort, services, targets))
    return out


def _build(path: Path) -> Strategy:
    raw = parse_yaml(path.read_text(encoding="utf-8"))
    problems = _Problems(f"strategy {path.name}")
    strategy = _parse(raw, problems, path.stem, shipped=True)
    if strategy is None:
        raise CatalogError("; ".join(f"{f}: {m}" for f, m in problems.items))
    if strategy.id != path.stem:
        raise CatalogError(f"strategy {path.name}: id {strategy.id!r} must match the file name")
    return strategy


def strategy_from_document(raw: Any, field: str = "strategy",
                           default_id: str = "custom") -> Strategy:
    """A strategy from a user's document (a mapping, as YAML or JSON gives it), checked: every
    problem is an :class:`InputError` naming its field (``strategy.effort``, ...)."""
    problems = _Problems(field)
    strategy = _parse(raw, problems, default_id, shipped=False)
    if strategy is None:
        raise InputError(problems.items)
    return strategy


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
    """A shipped strategy by id; an unknown id is an :class:`InputError` naming ``field``."""
    strategies = load_strategies()
    if not isinstance(strategy_id, str) or strategy_id not in strategies:
        raise InputError(f"unknown strategy {strategy_id!r}; allowed: "
                         + ", ".join(strategies) + " (or a strategy document)", field)
    return strategies[strategy_id]


def resolve_strategy(value: Any, field: str = "strategy", allow_files: bool = False) -> Strategy:
    """A strategy from a shipped id, a document (mapping) or, when ``allow_files`` (the command
    line), a YAML/JSON file. A request to the API never makes the server read a file."""
    if isinstance(value, Strategy):
        return value
    if isinstance(value, Mapping):
        return strategy_from_document(value, field)
    if (allow_files and isinstance(value, str) and value not in load_strategies()
            and (value.endswith((".yaml", ".yml", ".json")) or "/" in value)):
        from advisor.assessment import read_document
        return strategy_from_document(read_document(value, field), field, Path(value).stem)
    return get_strategy(value, field)
