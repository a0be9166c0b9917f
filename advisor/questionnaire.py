"""The assessment questionnaire: items with stable ids (``advisor/data/questionnaire.yaml``).

An assessment cycle asks several people the same anchored questions instead of asking one person
for twelve scores. This module knows the items (what each measures, how it is answered) and checks
one answer; :mod:`advisor.combination` turns many raters' answers into a profile. The wording is
data so a PMO expert reviews it like the rules; the ids are a contract with every stored answer.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any

from advisor.catalog import load_catalog
from advisor.errors import CatalogError, InputError
from advisor.yaml_data import parse_yaml

__all__ = ["DONT_KNOW", "TRENDS", "KINDS", "Item", "Band", "Questionnaire", "load_questionnaire",
           "SCALE_RANGE"]

#: the answer that says "I cannot judge this": it lowers coverage and adds no value
DONT_KNOW = "dont_know"
TRENDS = ("rising", "steady", "falling")
#: how an item is answered
KINDS = ("scale", "yes_no", "number", "choice", "ranking", "trend", "text")
MAX_TEXT = 200
SCALE_RANGE = (1, 5)


@dataclass(frozen=True, slots=True)
class Item:
    """One question. ``part`` says what it feeds: indicator, fact, change, organization, sign,
    customer, trend or flywheel; ``target`` names the indicator, sign, step or fact it is about."""

    id: str
    part: str
    kind: str
    text: str
    target: str = ""
    anchors: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    max_items: int | None = None

    # What the questionnaire's answer (``api.schemas.assessments.QuestionnaireItemSchema``)
    # reads: each None when it does not apply to this item, and then left out.
    @property
    def indicator(self) -> str | None:
        """The indicator an indicator item measures (its ``target``)."""
        return self.target if self.part == "indicator" else None

    @property
    def about(self) -> str | None:
        """The sign, step or fact any other item is about (its ``target``)."""
        return self.target if self.part != "indicator" and self.target else None

    @property
    def anchor_texts(self) -> dict[str, str] | None:
        """The scale's descriptors by point, ``"1"`` to ``"5"``."""
        return {str(i + 1): a for i, a in enumerate(self.anchors)} if self.anchors else None

    @property
    def choice_list(self) -> tuple[str, ...] | None:
        return self.choices or None

    @property
    def accepts_dont_know(self) -> bool:
        """Whether "dont_know" is an answer (not for a choice or a ranking)."""
        return self.kind not in ("choice", "ranking")


@dataclass(frozen=True, slots=True)
class Band:
    band: str
    min_share: float


@dataclass(frozen=True)
class Questionnaire:
    version: str
    items: tuple[Item, ...]
    bands: tuple[Band, ...]
    roles: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.items)

    def __post_init__(self) -> None:
        by_id: dict[str, Item] = {}
        for item in self.items:
            if item.id in by_id:
                raise CatalogError(f"questionnaire: item id {item.id!r} appears twice")
            by_id[item.id] = item
        object.__setattr__(self, "_by_id", MappingProxyType(by_id))

    @property
    def by_id(self) -> Mapping[str, Item]:
        return self._by_id  # type: ignore[attr-defined]

    def item(self, item_id: str) -> Item:
        try:
            return self.by_id[item_id]
        except KeyError:
            raise InputError(f"unknown questionnaire item {item_id!r}; GET /api/v1/questionnaire "
                             "or `pmo-advisor assess --items` lists them",
                             f"answers.{item_id}") from None

    def of_part(self, part: str) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.part == part)

    def band_of(self, share: float) -> str:
        """The guide's band for a score given as a share of its maximum."""
        for band in self.bands:
            if share >= band.min_share:
                return band.band
        return self.bands[-1].band

    def check(self, item_id: str, value: Any) -> Any:
        """One answer, normalized (whole levels as int, outcomes as numbers), or InputError
        naming ``answers.<item id>`` and what is allowed."""
        item = self.item(item_id)
        field = f"answers.{item_id}"
        if value == DONT_KNOW and item.kind not in ("choice", "ranking"):
            return DONT_KNOW
        if item.kind == "scale":
            low, high = SCALE_RANGE
            if (isinstance(value, bool) or not isinstance(value, (int, float))
                    or value != int(value) or not low <= value <= high):
                raise InputError(f"must be a whole number from {low} to {high} or "
                                 f"{DONT_KNOW!r}, got {value!r}", field)
            return int(value)
        if item.kind == "yes_no":
            if not isinstance(value, bool):
                raise InputError(f"must be true or false or {DONT_KNOW!r}, got {value!r}", field)
            return value
        if item.kind == "number":
            least, most = float(item.minimum or 0), float(item.maximum or 0)
            if (isinstance(value, bool) or not isinstance(value, (int, float))
                    or not least <= value <= most):
                raise InputError(f"must be a number from {least:g} to {most:g} or "
                                 f"{DONT_KNOW!r}, got {value!r}", field)
            # a whole number as int: SQLite's JSON column (numeric affinity) turns a stored 8.0
            # into 8 while PostgreSQL keeps 8.0, so a float here read back differently per backend
            return int(value) if float(value).is_integer() else float(value)
        if item.kind == "text":
            if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
                raise InputError(f"must be a text of 1 to {MAX_TEXT} characters or "
                                 f"{DONT_KNOW!r}, got {value!r}", field)
            return value.strip()
        if item.kind == "trend":
            if value not in TRENDS:
                raise InputError(f"must be one of {', '.join(TRENDS)} or {DONT_KNOW!r}, "
                                 f"got {value!r}", field)
            return value
        if item.kind == "choice":
            if value not in item.choices:
                raise InputError(f"must be one of {', '.join(item.choices)}, got {value!r}",
                                 field)
            return value
        return _ranking(item, value, field)


def _ranking(item: Item, value: Any, field: str) -> list[int]:
    """Outcomes by number or id, most important first, each once."""
    catalog = load_catalog()
    allowed = f"outcome numbers 1-{len(catalog.outcomes)} or outcome ids"
    if not isinstance(value, list) or (item.max_items and len(value) > item.max_items):
        raise InputError(f"must be a list of at most {item.max_items} {allowed}, "
                         f"got {value!r}", field)
    numbers: list[int] = []
    for entry in value:
        try:
            if isinstance(entry, bool):
                raise KeyError(entry)
            number = catalog.outcome(int(entry) if isinstance(entry, int) or (
                isinstance(entry, str) and entry.isdigit()) else entry).number
        except (KeyError, TypeError, ValueError):
            raise InputError(f"unknown outcome {entry!r}; allowed: {allowed}", field) from None
        if number in numbers:
            raise InputError(f"outcome {entry!r} is ranked twice", field)
        numbers.append(number)
    return numbers


def _scale_items(raw: list[dict[str, Any]], part: str, target: str,
                 scales: Mapping[str, tuple[str, ...]]) -> list[Item]:
    items = []
    for entry in raw:
        if entry["scale"] not in scales:
            raise CatalogError(f"questionnaire: {entry['id']} names unknown scale "
                               f"{entry['scale']!r}")
        items.append(Item(id=entry["id"], part=part, kind="scale", text=entry["text"],
                          target=target, anchors=scales[entry["scale"]]))
    return items


@functools.cache
def load_questionnaire() -> Questionnaire:
    """Load and check the questionnaire once per process (every indicator and flywheel step of
    the catalog has at least three items; every sign one yes/no item)."""
    raw = parse_yaml(resources.files("advisor.data").joinpath("questionnaire.yaml")
                         .read_text(encoding="utf-8"))
    catalog = load_catalog()
    scales = {name: tuple(points[i] for i in range(1, 6)) for name, points in raw["scales"].items()}
    items: list[Item] = []
    for indicator in catalog.ids("indicators"):
        listed = raw["indicators"].get(indicator, [])
        if len(listed) < 3:
            raise CatalogError(f"questionnaire: indicator {indicator} needs at least 3 items")
        items += _scale_items(listed, "indicator", indicator, scales)
    parts = {"fact": "fact", "change": "change", "org": "organization"}
    for entry in raw["facts"]:
        prefix, target = entry["id"].split(".", 1)
        items.append(Item(id=entry["id"], part=parts[prefix], kind=entry["kind"],
                          text=entry["text"], target=target, minimum=entry.get("minimum"),
                          maximum=entry.get("maximum"), choices=tuple(entry.get("choices", ()))))
    prompt = raw["signs"]["prompt"]
    items += [Item(id=f"sign.{sign.id}", part="sign", kind="yes_no", target=sign.id,
                   text=f"{prompt} {sign.description}") for sign in catalog.signs]
    for entry in raw["customer"]:
        choices: tuple[str, ...] = ()
        if entry.get("choices") == "customer_groups":
            choices = catalog.ids("customer_groups")
        target = entry["id"].split(".", 1)[1]
        items.append(Item(id=entry["id"], part="customer", kind=entry["kind"], target=target,
                          text=entry["text"], choices=choices,
                          anchors=scales.get(entry.get("scale", ""), ()),
                          max_items=entry.get("max_items")))
    trend_prompt = raw["trend_override"]["prompt"]
    items += [Item(id=f"trend.{i.id}", part="trend", kind="trend", target=i.id,
                   text=f"{i.name}: {trend_prompt}", choices=TRENDS)
              for i in catalog.indicators]
    for step in catalog.ids("flywheel"):
        listed = raw["flywheel"]["steps"].get(step, [])
        if len(listed) < 3:
            raise CatalogError(f"questionnaire: flywheel step {step} needs at least 3 items")
        items += _scale_items(listed, "flywheel", step, scales)
    bands = tuple(Band(b["band"], float(b["min_share"])) for b in raw["flywheel"]["bands"])
    return Questionnaire(version=str(raw["version"]), items=tuple(items), bands=bands,
                         roles=tuple(r["id"] for r in raw["roles"]))
