"""The guide's catalog: scenarios, services, approaches, outcomes, competencies, flywheel, signs.

The knowledge lives in the YAML files of ``advisor/data`` (reviewable by a PMO expert, each item
with its guide page); this module only loads them once into frozen, typed objects and checks
that every cross-reference resolves.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, fields
from importlib import resources
from types import MappingProxyType
from typing import Any, TypeVar

from advisor.errors import CatalogError
from advisor.yaml_data import parse_yaml

__all__ = [
    "Approach", "Catalog", "Competency", "CustomerGroup", "FlywheelStage", "FlywheelStep",
    "Indicator", "MaturityLevel", "Outcome", "Scenario", "Service", "Sign", "load_catalog",
    "KINDS",
]

HORIZONS = ("S", "S-M", "M", "M-L", "L")
LEVELS = ("strategic", "tactical", "operational")


@dataclass(frozen=True, slots=True)
class Scenario:
    id: str
    name: str
    order: int
    page: str
    metaphor: str
    summary: str
    focus_areas: tuple[str, ...]
    strategies: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Service:
    number: int
    id: str
    name: str
    level: str
    domains: tuple[str, ...]
    approaches: tuple[str, ...]
    approaches_source: str
    critical_competencies: tuple[str, ...]
    page: str
    maturity_page: str


@dataclass(frozen=True, slots=True)
class Approach:
    id: str
    name: str
    label: str
    order: int
    ideal_customer_maturity: float
    customer_control: str
    page: str
    summary: str


@dataclass(frozen=True, slots=True)
class Outcome:
    number: int
    id: str
    name: str
    horizon: str
    need: str
    services: tuple[str, ...]
    page: str
    horizon_note: str = ""


@dataclass(frozen=True, slots=True)
class Competency:
    number: int
    id: str
    name: str
    page: str


@dataclass(frozen=True, slots=True)
class FlywheelStage:
    id: str
    name: str
    order: int
    page: str


@dataclass(frozen=True, slots=True)
class FlywheelStep:
    number: int
    id: str
    name: str
    stage: str
    page: str
    summary: str


@dataclass(frozen=True, slots=True)
class Sign:
    id: str
    scenario: str
    indicator: str
    direction: str
    page: str
    description: str


@dataclass(frozen=True, slots=True)
class Indicator:
    id: str
    name: str
    page: str
    meaning: str
    rising: str
    falling: str


@dataclass(frozen=True, slots=True)
class CustomerGroup:
    id: str
    name: str
    page: str


@dataclass(frozen=True, slots=True)
class MaturityLevel:
    level: int
    id: str
    name: str
    page: str
    descriptor: str


T = TypeVar("T")


def _build(cls: type[T], raw: Mapping[str, Any], where: str) -> T:
    """Make one frozen item, turning lists into tuples and pages into strings."""
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    unknown = set(raw) - names
    if unknown:
        raise CatalogError(f"{where}: unknown keys {sorted(unknown)}")
    values = {}
    for key, value in raw.items():
        if isinstance(value, list):
            value = tuple(value)
        elif key == "page" or key.endswith("_page"):
            value = str(value)
        values[key] = value
    try:
        return cls(**values)
    except TypeError as exc:
        raise CatalogError(f"{where}: {exc}") from None


def _index(items: tuple[Any, ...], kind: str) -> Mapping[str, Any]:
    table: dict[str, Any] = {}
    for item in items:
        if item.id in table:
            raise CatalogError(f"{kind}: duplicate id {item.id!r}")
        table[item.id] = item
    return MappingProxyType(table)


@dataclass(frozen=True)
class Catalog:
    """Everything the guide names, with lookups by id (and by number where the guide numbers)."""

    scenarios: tuple[Scenario, ...]
    services: tuple[Service, ...]
    approaches: tuple[Approach, ...]
    outcomes: tuple[Outcome, ...]
    competencies: tuple[Competency, ...]
    flywheel_stages: tuple[FlywheelStage, ...]
    flywheel: tuple[FlywheelStep, ...]
    signs: tuple[Sign, ...]
    indicators: tuple[Indicator, ...]
    customer_groups: tuple[CustomerGroup, ...]
    maturity_levels: tuple[MaturityLevel, ...]

    def __post_init__(self) -> None:
        for name in ("scenarios", "services", "approaches", "outcomes", "competencies",
                     "flywheel", "signs", "indicators", "customer_groups"):
            object.__setattr__(self, f"_{name}_by_id", _index(getattr(self, name), name))
            object.__setattr__(self, f"_{name}_ids", tuple(getattr(self, f"_{name}_by_id")))
        self._check_references()

    # -- lookups -----------------------------------------------------------------------------
    def scenario(self, scenario_id: str) -> Scenario:
        return self._get("scenarios", scenario_id)

    def service(self, key: str | int) -> Service:
        """A service by snake_case id or by its number 1-26."""
        if isinstance(key, int) and not isinstance(key, bool):
            if 1 <= key <= len(self.services):
                return self.services[key - 1]
            raise KeyError(key)
        return self._get("services", str(key))

    def outcome(self, key: str | int) -> Outcome:
        """An outcome by number 1-30 or by snake_case id."""
        if isinstance(key, int) and not isinstance(key, bool):
            if 1 <= key <= len(self.outcomes):
                return self.outcomes[key - 1]
            raise KeyError(key)
        return self._get("outcomes", str(key))

    def approach(self, approach_id: str) -> Approach:
        return self._get("approaches", approach_id)

    def competency(self, competency_id: str) -> Competency:
        return self._get("competencies", competency_id)

    def step(self, step_id: str) -> FlywheelStep:
        return self._get("flywheel", step_id)

    def sign(self, sign_id: str) -> Sign:
        return self._get("signs", sign_id)

    def indicator(self, indicator_id: str) -> Indicator:
        return self._get("indicators", indicator_id)

    def customer_group(self, group_id: str) -> CustomerGroup:
        return self._get("customer_groups", group_id)

    def ids(self, kind: str) -> tuple[str, ...]:
        """The ids of one kind, in catalog order (worked out once: the reviews ask often)."""
        ids: tuple[str, ...] = getattr(self, f"_{kind}_ids")
        return ids

    def signs_of(self, scenario_id: str) -> tuple[Sign, ...]:
        return tuple(s for s in self.signs if s.scenario == scenario_id)

    def services_for_outcome(self, number: int) -> tuple[Service, ...]:
        """Appendix X2: the services that produce an outcome."""
        return tuple(self.service(sid) for sid in self.outcome(number).services)

    def outcomes_of_service(self, service_id: str) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if service_id in o.services)

    def _by_id(self, kind: str) -> Mapping[str, Any]:
        by_id: Mapping[str, Any] = getattr(self, f"_{kind}_by_id")
        return by_id

    def _get(self, kind: str, key: str) -> Any:
        return self._by_id(kind)[key]

    # -- integrity ---------------------------------------------------------------------------
    def _check_references(self) -> None:
        scenario_ids = set(self.ids("scenarios"))
        indicator_ids = set(self.ids("indicators"))
        approach_ids = set(self.ids("approaches"))
        competency_ids = set(self.ids("competencies"))
        service_ids = set(self.ids("services"))
        stage_ids = {s.id for s in self.flywheel_stages}
        problems = []
        for service in self.services:
            if service.level not in LEVELS:
                problems.append(f"service {service.id}: level {service.level!r}")
            problems += [f"service {service.id}: approach {a!r}"
                         for a in service.approaches if a not in approach_ids]
            problems += [f"service {service.id}: competency {c!r}"
                         for c in service.critical_competencies if c not in competency_ids]
        for outcome in self.outcomes:
            if outcome.horizon not in HORIZONS:
                problems.append(f"outcome {outcome.number}: horizon {outcome.horizon!r}")
            problems += [f"outcome {outcome.number}: service {s!r}"
                         for s in outcome.services if s not in service_ids]
        for sign in self.signs:
            if sign.scenario not in scenario_ids or sign.indicator not in indicator_ids:
                problems.append(f"sign {sign.id}: {sign.scenario}/{sign.indicator}")
            if sign.direction not in ("positive", "negative"):
                problems.append(f"sign {sign.id}: direction {sign.direction!r}")
        problems += [f"step {s.id}: stage {s.stage!r}" for s in self.flywheel
                     if s.stage not in stage_ids]
        for kind, items in (("services", self.services), ("outcomes", self.outcomes),
                            ("competencies", self.competencies), ("flywheel", self.flywheel)):
            numbers = [item.number for item in items]
            if numbers != list(range(1, len(items) + 1)):
                problems.append(f"{kind}: numbers must run 1..{len(items)} in order")
        if problems:
            raise CatalogError("catalog inconsistent: " + "; ".join(problems))


def _read(name: str) -> Any:
    text = resources.files("advisor.data").joinpath(name).read_text(encoding="utf-8")
    return parse_yaml(text)


@functools.cache
def load_catalog() -> Catalog:
    """Load the catalog once per process; every caller shares the same frozen object."""
    services_raw = _read("services.yaml")["services"]
    numbers_to_ids = {s["number"]: s["id"] for s in services_raw}
    outcomes_raw = [
        {**o, "services": [numbers_to_ids[n] for n in o["services"]]}
        for o in _read("outcomes.yaml")["outcomes"]
    ]
    flywheel = _read("flywheel.yaml")

    def build(cls: type[T], items: list[dict[str, Any]], kind: str) -> tuple[T, ...]:
        return tuple(_build(cls, raw, f"{kind}[{i}]") for i, raw in enumerate(items))

    return Catalog(
        scenarios=build(Scenario, _read("scenarios.yaml")["scenarios"], "scenarios"),
        services=build(Service, services_raw, "services"),
        approaches=build(Approach, _read("approaches.yaml")["approaches"], "approaches"),
        outcomes=build(Outcome, outcomes_raw, "outcomes"),
        competencies=build(Competency, _read("competencies.yaml")["competencies"], "competencies"),
        flywheel_stages=build(FlywheelStage, flywheel["stages"], "stages"),
        flywheel=build(FlywheelStep, flywheel["steps"], "flywheel"),
        signs=build(Sign, _read("signs.yaml")["signs"], "signs"),
        indicators=build(Indicator, _read("indicators.yaml")["indicators"], "indicators"),
        customer_groups=build(CustomerGroup, _read("customer_groups.yaml")["customer_groups"],
                              "customer_groups"),
        maturity_levels=build(MaturityLevel, _read("maturity_levels.yaml")["levels"],
                              "maturity_levels"),
    )


#: Kinds that ``pmo-advisor catalog KIND`` and ``GET /api/v1/catalog/{kind}`` list.
KINDS = ("scenarios", "services", "approaches", "outcomes", "competencies", "flywheel", "signs",
         "indicators", "customer_groups", "maturity_levels")
