"""The optional profile sections the advice reads: customers, current services and the team.

They belong to the profile itself (``advisor/assessment.py`` builds its schema with them), so
every reader of a profile -- diagnosis, simulation, API -- validates them the same way even if
it never gives advice. Values are normalized on the way in (services by id, outcomes by
number), so a profile's ``to_dict()`` reads back to the same profile.

Customers rank *outcomes*, never services (Guide p.62, 155); the PMO's current services carry the
maturity of Appendix X3 (p.275-293); the team's competency levels follow Appendix X4 (p.295-305).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, cast

from marshmallow import Schema, ValidationError, fields, validate

from advisor import fastload
from advisor.catalog import load_catalog
from advisor.validation import (
    Number,
    Shown,
    StrictBool,
    closed_schema,
    distinct,
    matches,
    one_of,
    within,
)

__all__ = ["Customer", "Organization", "SECTIONS", "RISKS", "SCOPES", "MAX_CUSTOMERS",
           "MAX_OUTCOMES", "LEVEL_RANGE", "CHANGES", "MAX_MONTHS_AGO", "customers_of",
           "services_of", "team_of", "changes_of", "organization_of", "has_section",
           "section_fields", "FLYWHEEL_BANDS", "flywheel_of"]

RISKS = ("low", "medium", "high")
LEVEL_RANGE = (1, 5)
MAX_CUSTOMERS = 50  # customer groups of one PMO: more is a data dump, not an assessment
MAX_OUTCOMES = 30  # every outcome of the guide, once
CUSTOMER_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
#: The organizational changes the guide names among its transition indicators (p.39-41).
CHANGES = ("restructuring", "leadership_change", "strategy_shift")
MAX_MONTHS_AGO = 1200.0  # a century, like the PMO's age: anything older is a typo
SCOPES = ("enterprise", "departmental", "project")  # the guide's coverage scopes (p.119)
MAX_TEXT = 200
#: The guide's bands for a flywheel step's self-assessment, best first (reference.md §7.2); the
#: questionnaire scores its self-check into the same bands (a test keeps the two lists equal).
FLYWHEEL_BANDS = ("excellent", "good", "average", "poor", "critical")


@dataclass(frozen=True, slots=True)
class Customer:
    """One customer group of the PMO and the outcomes it ranked, most important first."""

    id: str
    group: str
    maturity: float
    outcomes: tuple[int, ...]
    risk: str | None = None
    name: str | None = None

    def rank_of(self, outcome: int) -> int | None:
        return self.outcomes.index(outcome) + 1 if outcome in self.outcomes else None


class _Level(Number):
    """A whole maturity level 1-5: the guide scores each service on whole levels (p.276)."""

    default_error_messages = {"whole": "must be a whole level from 1 to 5, got {input!r}"}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        number = super()._deserialize(value, attr, data, **kwargs)
        if number != int(number):
            raise self.make_error("whole", input=value)
        return int(number)


class _CatalogRef(fields.Field):
    """A numbered catalog item (outcome, service) by its number or its snake_case id, stored as
    ``store`` says: the number or the id."""

    def __init__(self, kind: str, store: str, allowed: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.kind, self.store, self.allowed = kind, store, allowed

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        lookup = getattr(load_catalog(), self.kind)
        try:
            if isinstance(value, int) and not isinstance(value, bool):
                return getattr(lookup(value), self.store)
            if isinstance(value, str):
                return getattr(lookup(_number_or_id(value)), self.store)
        except KeyError:
            pass
        raise ValidationError(f"unknown {self.kind} {Shown(value)!r}; allowed: {self.allowed}")


def _number_or_id(text: str) -> int | str:
    """An ASCII number of at most 4 digits is a number; anything else is looked up as an id.

    ``str.isdigit()`` alone accepts superscripts and other scripts' digits, which ``int()`` then
    refuses (a 500) or reads as a number nobody typed (Arabic-Indic ``3``)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 4 else text


def _names(kind: str, count: int) -> list[str]:
    """Every name a catalog reference accepts as text: its ids, then its numbers."""
    return [*load_catalog().ids(kind), *map(str, range(1, count + 1))]


def _outcome_ref() -> _CatalogRef:
    count = len(load_catalog().outcomes)
    # metadata: the JSON schema of what is accepted, for the OpenAPI document
    return _CatalogRef("outcome", "number",
                       f"1-{count} (the guide's outcome numbers) or an outcome id",
                       metadata={"oneOf": [{"type": "integer", "minimum": 1, "maximum": count},
                                           {"type": "string",
                                            "enum": _names("outcomes", count)}]})


def _service_ref() -> _CatalogRef:
    catalog = load_catalog()
    # metadata: the names accepted as keys of ``services``, for the OpenAPI document
    return _CatalogRef("service", "id", f"1-{len(catalog.services)} or "
                       + ", ".join(catalog.ids("services")),
                       metadata={"enum": _names("services", len(catalog.services))})


class _UniqueKeys(fields.Dict):
    """A mapping whose keys normalize (``16`` and ``data_analytics_and_reporting``): two keys
    naming the same item are refused rather than one silently overwriting the other."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        try:
            result = super()._deserialize(value, attr, data, **kwargs)
        except ValidationError as exc:
            raise ValidationError(_errors_by_key(exc.messages)) from None
        if len(result) < len(value):
            seen: dict[Any, list[Any]] = {}
            to_id = self.key_field.deserialize  # type: ignore[union-attr]
            for key in value:
                seen.setdefault(to_id(key), []).append(key)
            twice = [f"{Shown(keys[0])!r} and {Shown(keys[1])!r}"
                     for keys in seen.values() if len(keys) > 1]
            raise ValidationError("the same service is listed twice: " + "; ".join(twice))
        return result


def _errors_by_key(messages: Any) -> Any:
    """marshmallow files a mapping's errors as ``{key: {"key"|"value": ...}}``; report them at
    ``services.<key>`` instead, as the user wrote it (a bad key hides its value's errors)."""
    if not isinstance(messages, Mapping):
        return messages
    return {str(key):
            parts.get("key", parts.get("value")) if isinstance(parts, Mapping) else parts
            for key, parts in messages.items()}


ServiceStateSchema = closed_schema("ServiceStateSchema", {
    "maturity": _Level(required=True, validate=within(*LEVEL_RANGE),
                       metadata={"multipleOf": 1}),
})


def _customer_schema() -> type[Schema]:
    declared: dict[str, fields.Field] = {
        "id": fields.String(required=True, validate=matches(
            CUSTOMER_ID, error="must be 1-64 letters, digits, '_', '.' or '-', got {input!r}")),
        "name": fields.String(validate=validate.Length(max=200)),
        "group": fields.String(required=True, validate=one_of(
            load_catalog().ids("customer_groups"), "customer group")),
        "maturity": Number(required=True, validate=within(*map(float, LEVEL_RANGE))),
        "outcomes": fields.List(_outcome_ref(), load_default=list, validate=[validate.Length(
            max=MAX_OUTCOMES, error=f"at most {MAX_OUTCOMES} outcomes per customer"),
            distinct("ranked")], metadata={
                "uniqueItems": True, "description": "the outcomes this customer wants, most "
                "important first; each once, by its number or its id"}),
        "risk": fields.String(validate=one_of(RISKS, "risk")),
    }
    return closed_schema("CustomerSchema", declared)


class _Customers(fields.List):
    """The customer list; ids must be unique so every recommendation can name its customer."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        result: list[Any] = super()._deserialize(value, attr, data, **kwargs) or []
        ids = [c["id"] for c in result]
        for index, cid in enumerate(ids):
            if cid in ids[:index]:
                raise ValidationError({index: {"id": [f"duplicate customer id {Shown(cid)!r}"]}})
        return result


def _team_schema() -> type[Schema]:
    return closed_schema("TeamSchema", {
        c: Number(validate=within(*map(float, LEVEL_RANGE)))
        for c in load_catalog().ids("competencies")})


def _organization_schema() -> type[Schema]:
    """Baseline elements (Guide p.107-122): all optional, so a profile states what it knows."""
    return closed_schema("BaselineSchema", {
        "industry": fields.String(validate=validate.Length(max=MAX_TEXT)),
        "regulated": StrictBool(),
        "scope": fields.String(validate=one_of(SCOPES, "scope")),
        "reporting_line": fields.String(validate=validate.Length(max=MAX_TEXT)),
    })


def section_fields() -> dict[str, fields.Field]:
    """The marshmallow fields of the advice sections, for the profile schema."""
    return {
        "organization": fields.Nested(_organization_schema()),
        "customers": _Customers(fields.Nested(_customer_schema()), validate=validate.Length(
            max=MAX_CUSTOMERS, error=f"at most {MAX_CUSTOMERS} customers"),
            metadata={"description": "the PMO's customer groups; each id once"}),
        "services": _UniqueKeys(keys=_service_ref(), values=fields.Nested(ServiceStateSchema),
                                metadata={"description": "the services offered today, by id or "
                                          "number; each service once"}),
        "team": fields.Nested(_team_schema()),
        "changes": fields.Nested(_changes_schema()),
        "flywheel": fields.Nested(_flywheel_schema(), metadata={
            "description": "the flywheel self-check: per step, the guide's band "
                           "(excellent, good, average, poor, critical)"}),
    }


def _flywheel_schema() -> type[Schema]:
    """The flywheel self-check, step by step: the band the raters' answers fall in. Optional
    per step, so a partial self-check says what it knows and the advice reads indicators for the
    rest."""
    return closed_schema("FlywheelSchema", {
        step: fields.String(validate=one_of(FLYWHEEL_BANDS, "band"))
        for step in load_catalog().ids("flywheel")})


def _changes_schema() -> type[Schema]:
    """Recent organizational changes, each with how many months ago it happened: the guide counts
    restructuring, leadership changes and strategy shifts among the signs of a transition."""
    when = closed_schema("ChangeSchema", {
        "months_ago": Number(required=True, validate=within(0.0, MAX_MONTHS_AGO))})
    return closed_schema("ChangesSchema", {c: fields.Nested(when) for c in CHANGES})


SECTIONS = ("customers", "services", "team", "changes", "organization", "flywheel")


# -- typed readers (the advice's view of the sections) -----------------------------------------

class _HasSections(Protocol):
    """What the readers need of a profile (``advisor.assessment.Profile``), without importing it:
    the profile module builds its schema from this one, so the import runs that way only."""

    @property
    def extra(self) -> Mapping[str, Any]: ...


def has_section(profile: _HasSections, name: str) -> bool:
    return name in profile.extra


def customers_of(profile: _HasSections) -> tuple[Customer, ...]:
    return tuple(
        Customer(id=c["id"], group=c["group"], maturity=float(c["maturity"]),
                 outcomes=tuple(c.get("outcomes", ())), risk=c.get("risk"), name=c.get("name"))
        for c in profile.extra.get("customers", ()))


def services_of(profile: _HasSections) -> dict[str, int]:
    """Current services and their maturity (1-5); a service not listed is not offered."""
    return {sid: int(state["maturity"]) for sid, state in profile.extra.get("services", {}).items()}


def team_of(profile: _HasSections) -> dict[str, float]:
    """The team's level (1-5) per competency assessed."""
    return {cid: float(level) for cid, level in profile.extra.get("team", {}).items()}


def changes_of(profile: _HasSections) -> dict[str, float]:
    """Organizational changes stated in the profile, by kind: months since each happened."""
    return {kind: float(change["months_ago"])
            for kind, change in profile.extra.get("changes", {}).items()}


def flywheel_of(profile: _HasSections) -> dict[str, str]:
    """The self-checked flywheel steps and their bands; a step not checked is not listed."""
    return dict(profile.extra.get("flywheel", {}))


@dataclass(frozen=True, slots=True)
class Organization:
    """The baseline elements a profile stated; ``None`` where it said nothing."""

    industry: str | None = None
    regulated: bool | None = None
    scope: str | None = None
    reporting_line: str | None = None


def organization_of(profile: _HasSections) -> Organization:
    section = profile.extra.get("organization", {})
    return Organization(industry=section.get("industry"), regulated=section.get("regulated"),
                        scope=section.get("scope"), reporting_line=section.get("reporting_line"))


# -- the compiled fast path (advisor/fastload.py): the same checks as the fields above ---------

def _fast_level(field: fields.Field) -> fastload.Check:
    number = fastload.number(field)

    def check(value: Any) -> int:
        loaded = number(value)
        if loaded != int(loaded):
            raise fastload.Defer
        return int(loaded)

    return check


def _inline_level(field: fields.Field) -> fastload.Inline | None:
    """A whole level given as an int within its closed ``Range`` loads as itself: stored in
    line by the schema's generated check (each of a profile's services had four nested calls
    for its one level; issue 13). Anything else (a float, a bool, out of range) goes to the
    check, which decides as before."""
    validators = list(field.validators)
    only = validators[0] if len(validators) == 1 else None
    if not isinstance(only, validate.Range) or type(only) is not validate.Range \
            or not only.min_inclusive \
            or not only.max_inclusive or type(only.min) is not int or type(only.max) is not int:
        return None
    return ({"_int": int, "_low": only.min, "_high": only.max},
            (("type(value) is _int and _low <= value <= _high", "value"),))


def _fast_ref(field: fields.Field) -> fastload.Check:
    """A catalog reference by number, by id, or by its number as plain digits: one dict lookup
    (any other spelling, "016" say, goes to the field itself)."""
    ref = cast(_CatalogRef, field)
    items = getattr(load_catalog(), ref.kind + "s")
    table: dict[Any, Any] = {}
    for number, item in enumerate(items, start=1):
        stored = getattr(getattr(load_catalog(), ref.kind)(number), ref.store)
        table[number] = table[str(number)] = table[item.id] = stored

    def check(value: Any) -> Any:
        kind = type(value)
        if kind is int or kind is str:
            found = table.get(value)
            if found is not None:
                return found
        return ref._deserialize(value, None, None)

    return check


def _fast_customers(field: fields.Field) -> fastload.Check:
    item = fastload.compile_field(field.inner)  # type: ignore[attr-defined]

    def check(value: Any) -> list[Any]:
        if not isinstance(value, list):
            raise fastload.Defer
        result = [item(v) for v in value]
        if len({c["id"] for c in result}) < len(result):
            raise fastload.Defer
        return result

    return check


def _fast_unique_keys(field: fields.Field) -> fastload.Check:
    key = fastload.compile_field(field.key_field)  # type: ignore[attr-defined]
    value_check = fastload.compile_field(field.value_field)  # type: ignore[attr-defined]

    def check(value: Any) -> dict[Any, Any]:
        if not isinstance(value, Mapping):
            raise fastload.Defer
        result = {key(k): value_check(v) for k, v in value.items()}
        if len(result) < len(value):
            raise fastload.Defer
        return result

    return check


fastload.register(_Level, _fast_level, _inline_level)
fastload.register(_CatalogRef, _fast_ref)
fastload.register(_Customers, _fast_customers)
fastload.register(_UniqueKeys, _fast_unique_keys)
