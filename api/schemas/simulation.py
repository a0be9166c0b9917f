"""Simulations: the request schemas (one strategy, or several compared) and the results.

A request names its starting PMO either by ``preset`` (a shipped profile's id) or by a full
``profile``. The schemas check shapes and known ids (strategies, shocks, presets); the bounds
(months, runs, cost, shocks, strategies) are the domain's, checked once in ``simulation.spec``
against the service's :class:`Limits`, and documented here from the same object. The result
schemas are the answers' one shape: they dump ``simulation/results.py``'s objects (through
``api.schemas.answers.to_json``); the model's own records (its parameters, the profile as it
started) are passed through as JSON objects.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from advisor.assessment import parse_profile
from advisor.catalog import load_catalog
from advisor.errors import InputError
from advisor.presets import shipped_profiles
from advisor.validation import OneOfLater, StrictBool, closed_schema, distinct, one_of
from api.schemas.plain import PlainDict
from api.schemas.profiles import profile_schema
from simulation import list_strategies
from simulation.limits import MAX_SEED, Limits
from simulation.results import HEADLINE
from simulation.shocks import shock_ids
from simulation.spec import PLAN
from simulation.strategies import MAX_PHASES, STRATEGY_ID, TAILORED, strategy_from_document

__all__ = ["request_schemas", "ExperimentResultSchema", "ComparisonResultSchema",
           "BaselineResultSchema", "SensitivityResultSchema", "SweepResultSchema"]


class Whole(fields.Integer):
    """A whole number given as a JSON number (not a string, not true/false)."""

    default_error_messages = {"invalid": "must be a whole number, got {input!r}"}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        result: int = super()._deserialize(value, attr, data, **kwargs)
        return result


def _bounds(low: int, high: int, default: int | None = None, **extra: Any) -> dict[str, Any]:
    """OpenAPI bounds, documented only: the domain checks them (``simulation.spec``), once."""
    documented: dict[str, Any] = {"minimum": low, "maximum": high, **extra}
    if default is not None:
        documented["default"] = default
    return documented


class ProfileField(fields.Nested):
    """A full profile, validated by ``parse_profile`` (as POST /diagnoses validates it)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(profile_schema(), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any,
                     partial: Any = None, **kwargs: Any) -> Any:
        try:
            return parse_profile(value)
        except InputError as exc:
            raise ValidationError({field or "_schema": [message]
                                   for field, message in exc.problems}) from None


def _shares_of(ids: tuple[str, ...], every: bool) -> dict[str, Any]:
    """An id -> share mapping: known ids only (every one of them when ``every``), shares 0-1."""
    share = {"type": "number", "minimum": 0, "maximum": 1}
    return {"type": "object", "properties": dict.fromkeys(ids, share),
            "additionalProperties": False, "minProperties": 1,
            **({"required": list(ids)} if every else {}),
            "description": "shares from 0 to 1 that sum to 1 (within 0.001)"}


@functools.cache
def strategy_document_schema() -> dict[str, Any]:
    """The JSON schema of an inline strategy document: what ``simulation/strategies.py`` checks
    field by field, stated (known steps, services, approaches, scenarios and shipped strategies,
    shares and levels in range, months 1-120, at most ``MAX_PHASES`` phases). What no schema can
    state (shares summing to 1, phases in month order, ``source`` read as text) the schemathesis
    test lists with its reasons. Built on first use (it reads the catalog)."""
    catalog = load_catalog()
    steps, services = catalog.ids("flywheel"), catalog.ids("services")
    targets = {"type": "object", "nullable": True, "additionalProperties": False,
               "properties": dict.fromkeys(services, {"type": "integer", "minimum": 1,
                                                      "maximum": 5}),
               "description": "service -> the maturity level (1-5) it aims for"}
    scenario = {"type": "string", "enum": list(catalog.ids("scenarios"))}
    trigger = {"type": "object", "required": ["when", "switch_to", "reason"],
               "additionalProperties": False, "properties": {
                   "when": {"oneOf": [scenario, {"type": "array", "minItems": 1,
                                                 "items": scenario}]},
                   "switch_to": {"type": "string", "enum": [s["id"] for s in list_strategies()]},
                   "reason": {"description": "why, in words"}}}
    phase = {"type": "object", "required": ["month"], "additionalProperties": False,
             "properties": {"month": {"type": "integer", "minimum": 1, "maximum": 120,
                                      "description": "from this month on; after the phase "
                                                     "before"},
                            "effort": _shares_of(steps, every=True),
                            "services": _shares_of(services, every=False),
                            "targets": targets}}
    text = {"type": "string", "nullable": True}
    return {"type": "object", "required": ["effort", "services"], "additionalProperties": False,
            "properties": {
                "id": {"type": "string", "pattern": STRATEGY_ID.pattern},
                "name": {**text, "maxLength": 120},
                "summary": {**text, "maxLength": 2000},
                "source": {"description": "where the strategy comes from; read as text of at "
                                          "most 400 characters"},
                "effort": {**_shares_of(steps, every=True),
                           "description": "share of capacity per flywheel step (every step); "
                                          "shares from 0 to 1 that sum to 1 (within 0.001)"},
                "services": {**_shares_of(services, every=False),
                             "description": "share of service work per service; shares from 0 "
                                            "to 1 that sum to 1 (within 0.001)"},
                "approach": {"type": "string",
                             "enum": [*catalog.ids("approaches"), TAILORED]},
                "triggers": {"type": "array", "nullable": True, "items": trigger},
                "targets": targets,
                "schedule": {"type": "array", "nullable": True, "maxItems": MAX_PHASES,
                             "items": phase},
                "made_for": {"type": "object", "nullable": True,
                             "required": ["scenarios", "elsewhere"],
                             "additionalProperties": False, "properties": {
                                 "scenarios": {"type": "array", "minItems": 1,
                                               "items": scenario},
                                 "elsewhere": {"type": "object", "additionalProperties": False,
                                               "properties": dict.fromkeys(
                                                   catalog.ids("indicators"),
                                                   {"type": "number", "minimum": -1,
                                                    "maximum": 1})}},
                             "description": "the scenarios the strategy is made for, and the "
                                            "indicator shifts (points per review) at a review "
                                            "that diagnoses another"},
                "adaptive": {"type": "boolean",
                             "description": "false: played exactly as written; true "
                                            "(default): the PMO's leader shifts effort towards "
                                            "the steps its reviews show weak"}}}


class StrategyField(fields.Field):
    """A shipped strategy's id, ``plan`` (the profile's own advice plan) or an inline strategy
    document (``effort`` and ``services`` required; docs/model.md, "Strategy documents"), checked
    field by field."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(metadata={"description": "a shipped strategy id (GET /strategies), "
                                   "`plan`, or a strategy object with effort and services",
                                   "oneOf": [{"type": "string", "enum": [
                                       *(s["id"] for s in list_strategies()), PLAN]},
                                       strategy_document_schema()]}, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            allowed = (*(s["id"] for s in list_strategies()), PLAN)
            if value not in allowed:
                raise ValidationError(f"unknown strategy {value!r}; allowed: "
                                      + ", ".join(allowed) + " or an object")
            return value
        if isinstance(value, Mapping):
            try:
                strategy_from_document(value, "")
            except InputError as exc:
                raise ValidationError({f or "_schema": [m] for f, m in exc.problems}) from None
            return dict(value)
        raise ValidationError("give a strategy id or a strategy object")


def _run_fields(limits: Limits) -> dict[str, fields.Field]:
    """What every simulation request may say besides its strategy or strategies."""
    strategies = [s["id"] for s in list_strategies()]
    return {
        "preset": fields.String(validate=one_of(list(shipped_profiles()), "preset"), metadata={
            "description": "a shipped profile's id (GET /profiles); or give `profile`"}),
        "profile": ProfileField(metadata={"description": "a full profile; or give `preset`"}),
        "months": Whole(metadata=_bounds(1, limits.max_months, limits.default_months)),
        "runs": Whole(metadata=_bounds(1, limits.max_runs_allowed, limits.default_runs,
            description=f"replications; runs x months (x strategies) may be at most "
                        f"{limits.max_run_months} (a service setting). When not given: "
                        f"{limits.default_runs}, or fewer so the request fits that cap")),
        "seed": Whole(metadata=_bounds(0, MAX_SEED, limits.default_seed)),
        "shocks": fields.List(fields.String(validate=validate.Regexp(
            r"^(" + "|".join(shock_ids()) + r")@[1-9][0-9]{0,2}$",
            error="must be SHOCK@MONTH with a known shock, got {input!r}")),
            load_default=list, metadata={"maxItems": limits.max_shocks,
                                         "description": "scheduled shocks, e.g. sponsor_change@6 "
                                                        "(GET /shocks); each month within the "
                                                        "run's `months`"}),
        "random_shocks": StrictBool(load_default=True),
        "relaunch_strategy": fields.String(load_default=None, allow_none=True,
                                           validate=one_of(strategies, "strategy")),
    }


class _StartsSomewhere(Schema):
    #: the same rule for the OpenAPI document (api/http/openapi.py merges it into the schema)
    JSON_SCHEMA = {"oneOf": [{"required": ["preset"]}, {"required": ["profile"]}]}

    @validates_schema
    def _one_start(self, data: Mapping[str, Any], **kwargs: Any) -> None:
        if ("preset" in data) == ("profile" in data):
            raise ValidationError("give either preset or profile (exactly one)", "preset")


@functools.cache
def request_schemas(limits: Limits) -> tuple[type[Schema], type[Schema]]:
    """The request schemas of one simulation and of one comparison, documenting ``limits``.

    Built when an app is created (nothing at import), once per set of limits, so the OpenAPI
    document states the very bounds the domain enforces for this service."""
    simulation = type("SimulationRequestSchema", (
        _StartsSomewhere, closed_schema("SimulationRequestSchema", {
            "strategy": StrategyField(required=True),
            **_run_fields(limits)})), {})
    comparison = type("ComparisonRequestSchema", (
        _StartsSomewhere, closed_schema("ComparisonRequestSchema", {
            "strategies": fields.List(
                StrategyField(), required=True,
                validate=distinct(), metadata={"minItems": 2, "maxItems": limits.max_strategies,
                                               "uniqueItems": True}),
            **_run_fields(limits)})), {})
    return simulation, comparison


# -- results -------------------------------------------------------------------------------------

def _record(description: str) -> fields.Dict:
    return fields.Dict(keys=fields.String(), values=fields.Raw(), required=True,
                       metadata={"description": description})


def _floats() -> fields.List:
    return fields.List(fields.Float(), required=True)


class BandSchema(Schema):
    """10th, 50th and 90th percentile across the runs, one value per month."""

    p10 = _floats()
    p50 = _floats()
    p90 = _floats()


class ExperimentSeriesSchema(Schema):
    month = fields.List(fields.Integer(), required=True)
    momentum = fields.Nested(BandSchema, required=True)
    indicators = fields.Dict(keys=fields.String(), values=fields.Nested(BandSchema),
                             required=True)
    scenario_shares = fields.Dict(keys=fields.String(
        validate=OneOfLater(lambda: load_catalog().ids("scenarios"))), values=fields.List(
        fields.Float()), required=True, metadata={"description": "share of runs per scenario"})
    pmo_exists = fields.List(fields.Float(), required=True, metadata={
        "description": "share of runs in which a PMO exists"})


def _run_record(**after_profile: fields.Field) -> dict[str, fields.Field]:
    """What every result repeats of its request, resolved (for reproducing it), in the
    answer's key order; ``after_profile``: the fields that follow the profile (the strategy)."""
    return {
        "kind": fields.String(required=True),
        "model_version": fields.String(required=True),
        "ruleset_version": fields.String(required=True),
        "profile": _record("the starting PMO as the model read it"),
        **after_profile,
        "relaunch_strategy": fields.String(required=True, allow_none=True),
        "months": fields.Integer(required=True),
        "runs": fields.Integer(required=True),
        "seed": fields.Integer(required=True),
        "shocks": fields.List(fields.String(), required=True),
        "random_shocks": fields.Boolean(required=True),
    }


def _summary(description: str) -> fields.Dict:
    return fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True),
                       required=True, metadata={"description": description})


class DifferenceSchema(Schema):
    """A headline measure's paired difference: strategy minus baseline, with its 95% interval."""

    measure = fields.String(required=True, validate=validate.OneOf(
        [m for m, _, _, _ in HEADLINE]), metadata={
            "description": "the table column it differs on: " + "; ".join(
                f"{m} = {column}" for m, column, _, _ in HEADLINE)})
    strategy = fields.String(required=True)
    baseline = fields.String(required=True)
    estimate = fields.Float(required=True)
    low = fields.Float(required=True)
    high = fields.Float(required=True)


# The answers are built from ordered field lists (``Schema.from_dict``) rather than subclasses:
# marshmallow puts inherited fields first, and the experiment's ``strategy`` sits inside the run
# record (after ``profile``), where the JSON contract has always had it.
_EXPERIMENT_FIELDS = {
    **_run_record(strategy=fields.String(required=True)),
    "initial_scenario": fields.String(required=True),
    "parameters": _record("every model parameter the runs used (docs/model.md)"),
    "series": fields.Nested(ExperimentSeriesSchema, required=True),
    "summary": _summary("outcome measures across the runs (probabilities, months, counts)"),
}

#: one strategy's Monte Carlo experiment (``simulation.results.ExperimentResult``)
ExperimentResultSchema = Schema.from_dict(_EXPERIMENT_FIELDS, name="ExperimentResultSchema")

#: several strategies on common random numbers (``simulation.results.ComparisonResult``)
ComparisonResultSchema = Schema.from_dict({
    **_run_record(),
    "strategies": fields.List(fields.String(), required=True),
    "table": fields.List(fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True)),
                         required=True,
                         metadata={"description": "one row of outcome measures per strategy"}),
    "differences": fields.List(fields.Nested(DifferenceSchema), required=True, metadata={
        "description": "the first strategy minus each other one, paired run by run"}),
    "verdict": fields.List(fields.String(), required=True, metadata={
        "description": "one plain sentence per strategy compared with the first"}),
    "experiments": fields.List(fields.Nested(ExperimentResultSchema), required=True),
}, name="ComparisonResultSchema")

#: one strategy with and without its scheduled shocks (``simulation.results.BaselineResult``,
#: ``pmo-advisor simulate --baseline``): the shocked experiment, then the shocks' effect
BaselineResultSchema = Schema.from_dict({
    **_EXPERIMENT_FIELDS,
    "baseline_summary": _summary("the same measures without the scheduled shocks"),
    "differences": fields.List(fields.Nested(DifferenceSchema), required=True, metadata={
        "description": "with the shocks minus without them, paired run by run"}),
    "verdict": fields.List(fields.String(), required=True, metadata={
        "description": "the shocks' effect in one plain sentence"}),
}, name="BaselineResultSchema")


class SensitivityResultSchema(Schema):
    """Which parameters move the outcomes (``pmo-advisor sensitivity --json``;
    ``simulation.sensitivity.SensitivityResult``)."""

    profile = fields.String(required=True)
    strategy = fields.String(required=True)
    runs = fields.Integer(required=True)
    months = fields.Integer(required=True)
    seed = fields.Integer(required=True)
    points = fields.Integer(required=True, metadata={"description": "experiments run in all"})
    outcomes = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                           metadata={"description": "the outcomes measured, with their labels"})
    screened = fields.List(fields.String(), required=True, metadata={
        "description": "the parameters kept for Sobol, most influential first"})
    ranking = fields.List(fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True)),
                          required=True, metadata={
                              "description": "one row per parameter, most influential first: "
                                             "Morris mu* per outcome, Sobol S1 and ST"})


class SweepResultSchema(Schema):
    """A sweep's tidy table (``simulation.sweeps.SweepResult``): a sweep job's result."""

    name = fields.String(required=True, attribute="sweep.name")
    outcome = fields.String(required=True, attribute="sweep.outcome",
                            metadata={"description": "the summary measure the sweep is about"})
    columns = fields.List(fields.String(), required=True, metadata={
        "description": "point, profile, strategy, shock_schedule, the swept parameters, seed, "
                       "runs, months, initial_scenario, the summary measures"})
    rows = fields.List(PlainDict(), required=True, attribute="table",
                       metadata={"description": "one row per point, in grid order: columns -> "
                                                "value"})
