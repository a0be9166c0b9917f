"""A PMO assessment (profile): what a strategist knows about one PMO, validated on the way in.

A profile says whether a PMO exists, how old it is, whether an earlier one was closed, how strong
twelve indicators are (1-5, any may be left out), which way they trend and which of the guide's
signs are visible. Later sections (customers, services, team) feed the advice.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from marshmallow import Schema, fields, validate

from advisor import documents, fastload
from advisor.catalog import load_catalog
from advisor.errors import InputError
from advisor.sections import SECTIONS, section_fields
from advisor.validation import (
    Number,
    StrictBool,
    closed_schema,
    distinct,
    load_with,
    one_of,
    within,
)

__all__ = ["PmoFacts", "Profile", "TRENDS", "INDICATOR_RANGE", "MAX_PROFILE_BYTES",
           "profile_schema", "parse_profile", "load_profile", "read_document"]

TRENDS = ("rising", "steady", "falling")
INDICATOR_RANGE = (1.0, 5.0)
MAX_AGE_MONTHS = 1200.0  # a century: anything older is a typo
MAX_PROFILE_BYTES = documents.MAX_DOCUMENT_BYTES


@dataclass(frozen=True, slots=True)
class PmoFacts:
    exists: bool
    age_months: float | None = None
    previous_pmo_closed: bool = False


@dataclass(frozen=True)
class Profile:
    """One PMO assessment. Frozen: the simulation derives new profiles with :meth:`evolve`."""

    pmo: PmoFacts
    indicators: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    trends: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    signs: tuple[str, ...] = ()
    name: str | None = None
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def missing_indicators(self) -> list[str]:
        return [i for i in load_catalog().ids("indicators") if i not in self.indicators]

    def evolve(self, **changes: Any) -> "Profile":
        """A copy with some parts replaced (mappings are frozen again)."""
        for key in ("indicators", "trends", "extra"):
            if key in changes:
                changes[key] = MappingProxyType(dict(changes[key]))
        if "signs" in changes:
            changes["signs"] = tuple(changes["signs"])
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.name is not None:
            out["name"] = self.name
        pmo: dict[str, Any] = {"exists": self.pmo.exists,
                               "previous_pmo_closed": self.pmo.previous_pmo_closed}
        if self.pmo.age_months is not None:
            pmo["age_months"] = self.pmo.age_months
        out["pmo"] = pmo
        out["indicators"] = dict(self.indicators)
        if self.trends:
            out["trends"] = dict(self.trends)
        if self.signs:
            out["signs"] = list(self.signs)
        out.update(self.extra)
        return out


def _indicator_fields(make: Any) -> dict[str, fields.Field]:
    return {i: make() for i in load_catalog().ids("indicators")}


@functools.cache
def _profile_schema_class() -> type[Schema]:
    """The profile's schema class, built on first use (it reads the catalog), then kept.

    The advice's sections (customers, services, team: ``advisor/sections.py``) are part of every
    profile, so the diagnosis, the simulation and the API all validate them alike."""
    sign_ids = load_catalog().ids("signs")
    pmo = closed_schema("PmoSchema", {
        "exists": StrictBool(required=True),
        "age_months": Number(validate=within(0.0, MAX_AGE_MONTHS)),
        "previous_pmo_closed": StrictBool(load_default=False),
    })
    indicators = closed_schema(
        "IndicatorsSchema", _indicator_fields(lambda: Number(validate=within(*INDICATOR_RANGE))))
    trends = closed_schema(
        "TrendsSchema", _indicator_fields(lambda: fields.String(validate=one_of(TRENDS, "trend"))))
    return closed_schema("ProfileSchema", {
        "name": fields.String(validate=validate.Length(max=200)),
        "pmo": fields.Nested(pmo, required=True),
        "indicators": fields.Nested(indicators, load_default=dict),
        "trends": fields.Nested(trends, load_default=dict),
        "signs": fields.List(fields.String(validate=one_of(sign_ids, "sign")),
                             load_default=list,
                             validate=[validate.Length(max=len(sign_ids)), distinct()],
                             metadata={"uniqueItems": True}),
        **section_fields(),
    })


_schemas = threading.local()


def profile_schema() -> Schema:
    """This thread's profile schema instance.

    Built once per thread: building one (with its nested schemas) costs as much as validating a
    profile, and one instance per thread keeps loads from sharing state.
    """
    cached = getattr(_schemas, "instance", None)
    if cached is None:
        cached = _schemas.instance = _profile_schema_class()()
    return cached


@functools.cache
def _fast_loader() -> fastload.Loader:
    return fastload.compile_loader(_profile_schema_class())


def _fast_load(data: Any) -> Any:
    """The profile schema's load, compiled (``advisor/fastload.py``): the same result for a
    valid profile at a fraction of marshmallow's cost, or ``DEFER``."""
    return _fast_loader()(data)


def parse_profile(data: Any) -> Profile:
    """Validate a decoded document (dict) and build a :class:`Profile`."""
    if not isinstance(data, Mapping):
        raise InputError("a profile must be a mapping with at least a 'pmo' section", "profile")
    loaded = _fast_load(data)
    if loaded is fastload.DEFER:   # not plainly valid: marshmallow decides and names the field
        loaded = load_with(profile_schema(), data)
    pmo = loaded["pmo"]
    extra = {k: loaded[k] for k in SECTIONS if k in loaded}
    return Profile(
        name=loaded.get("name"),
        pmo=PmoFacts(exists=pmo["exists"], age_months=pmo.get("age_months"),
                     previous_pmo_closed=pmo.get("previous_pmo_closed", False)),
        indicators=MappingProxyType(dict(loaded["indicators"])),
        trends=MappingProxyType(dict(loaded["trends"])),
        signs=tuple(loaded["signs"]),
        extra=MappingProxyType(extra),
    )


def read_document(path: str | Path, what: str = "file") -> Any:
    """Read a YAML or JSON file through the one bounded reader (:mod:`advisor.documents`)."""
    return documents.read_document(path, what, max_bytes=MAX_PROFILE_BYTES)


def load_profile(path: str | Path) -> Profile:
    return parse_profile(read_document(path, "file"))
