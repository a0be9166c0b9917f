"""Simulations: the request schemas (one strategy, or several compared) and the results.

A request names its starting PMO either by ``preset`` (a shipped profile's id) or by a full
``profile``; the run parameters are bounded here and the cost (runs x months x strategies) by the
route, against the service's configured limit. Results mirror ``simulation/results.py``; the
model's own records (its parameters, the profile as it started) are passed through as objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from advisor.assessment import parse_profile
from advisor.catalog import load_catalog
from advisor.errors import InputError
from advisor.presets import shipped_profiles
from advisor.validation import StrictBool, closed_schema, distinct, one_of
from api.limits import DEFAULT_SIMULATION_RUNS, MAX_COMPARED_STRATEGIES, MAX_SIMULATION_RUN_MONTHS
from api.schemas.profiles import profile_schema
from simulation import list_shocks, list_strategies
from simulation.spec import DEFAULT_MONTHS, DEFAULT_SEED, MAX_MONTHS, MAX_SEED, MAX_SHOCKS, PLAN
from simulation.strategies import strategy_from_document

__all__ = ["SimulationRequestSchema", "ComparisonRequestSchema", "ExperimentResultSchema",
           "ComparisonResultSchema"]

_STRATEGIES = [s["id"] for s in list_strategies()]
_SHOCK_PATTERN = r"^(" + "|".join(s["id"] for s in list_shocks()) + r")@[1-9][0-9]{0,2}$"


class Whole(fields.Integer):
    """A whole number given as a JSON number (not a string, not true/false)."""

    default_error_messages = {"invalid": "must be a whole number, got {input!r}"}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)  # type: ignore[no-any-return]


def _between(low: int, high: int) -> validate.Range:
    return validate.Range(low, high, error=f"must be between {low} and {high}, got {{input}}")


class ProfileField(fields.Nested):
    """A full profile, validated by ``parse_profile`` (as POST /diagnoses validates it)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(profile_schema(), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        try:
            return parse_profile(value)
        except InputError as exc:
            raise ValidationError({field or "_schema": [message]
                                   for field, message in exc.problems}) from None


class StrategyField(fields.Field):
    """A shipped strategy's id, ``plan`` (the profile's own advice plan) or an inline strategy
    document (``effort`` and ``services`` required; docs/model.md, "Strategy documents"), checked
    field by field."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(metadata={"description": "a shipped strategy id (GET /strategies), "
                                   "`plan`, or a strategy object with effort and services",
                                   "oneOf": [{"type": "string"}, {"type": "object"}]}, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            if value not in (*_STRATEGIES, PLAN):
                raise ValidationError(f"unknown strategy {value!r}; allowed: "
                                      + ", ".join((*_STRATEGIES, PLAN)) + " or an object")
            return value
        if isinstance(value, Mapping):
            try:
                strategy_from_document(value, "")
            except InputError as exc:
                raise ValidationError({f or "_schema": [m] for f, m in exc.problems}) from None
            return dict(value)
        raise ValidationError("give a strategy id or a strategy object")


def _run_fields() -> dict[str, fields.Field]:
    """What every simulation request may say besides its strategy or strategies."""
    return {
        "preset": fields.String(validate=one_of(list(shipped_profiles()), "preset"), metadata={
            "description": "a shipped profile's id (GET /profiles); or give `profile`"}),
        "profile": ProfileField(metadata={"description": "a full profile; or give `preset`"}),
        "months": Whole(load_default=DEFAULT_MONTHS, validate=_between(1, MAX_MONTHS)),
        "runs": Whole(load_default=DEFAULT_SIMULATION_RUNS,
                      validate=_between(1, MAX_SIMULATION_RUN_MONTHS), metadata={
                          "description": "replications; runs x months (x strategies) may be at "
                                         f"most {MAX_SIMULATION_RUN_MONTHS} (a service setting)"}),
        "seed": Whole(load_default=DEFAULT_SEED, validate=_between(0, MAX_SEED)),
        "shocks": fields.List(fields.String(validate=validate.Regexp(
            _SHOCK_PATTERN, error="must be SHOCK@MONTH with a known shock, got {input!r}")),
            load_default=list, validate=validate.Length(max=MAX_SHOCKS), metadata={
                "description": "scheduled shocks, e.g. sponsor_change@6"}),
        "random_shocks": StrictBool(load_default=True),
        "relaunch_strategy": fields.String(load_default=None, allow_none=True,
                                           validate=one_of(_STRATEGIES, "strategy")),
    }


class _StartsSomewhere(Schema):
    @validates_schema
    def _one_start(self, data: Mapping[str, Any], **kwargs: Any) -> None:
        if ("preset" in data) == ("profile" in data):
            raise ValidationError("give either preset or profile (exactly one)", "preset")


SimulationRequestSchema = type("SimulationRequestSchema", (
    _StartsSomewhere, closed_schema("SimulationRequestSchema", {
        "strategy": StrategyField(required=True),
        **_run_fields()})), {})

ComparisonRequestSchema = type("ComparisonRequestSchema", (
    _StartsSomewhere, closed_schema("ComparisonRequestSchema", {
        "strategies": fields.List(
            StrategyField(), required=True,
            validate=[validate.Length(2, MAX_COMPARED_STRATEGIES,
                                      error=f"compare 2 to {MAX_COMPARED_STRATEGIES} strategies"),
                      distinct()]),
        **_run_fields()})), {})


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
        validate=validate.OneOf(load_catalog().ids("scenarios"))), values=fields.List(
        fields.Float()), required=True, metadata={"description": "share of runs per scenario"})
    pmo_exists = fields.List(fields.Float(), required=True, metadata={
        "description": "share of runs in which a PMO exists"})


class _RunRecordSchema(Schema):
    """What every result repeats of its request, resolved (for reproducing it)."""

    kind = fields.String(required=True)
    model_version = fields.String(required=True)
    ruleset_version = fields.String(required=True)
    profile = _record("the starting PMO as the model read it")
    relaunch_strategy = fields.String(required=True, allow_none=True)
    months = fields.Integer(required=True)
    runs = fields.Integer(required=True)
    seed = fields.Integer(required=True)
    shocks = fields.List(fields.String(), required=True)
    random_shocks = fields.Boolean(required=True)


class ExperimentResultSchema(_RunRecordSchema):
    strategy = fields.String(required=True)
    initial_scenario = fields.String(required=True)
    parameters = _record("every model parameter the runs used (docs/model.md)")
    series = fields.Nested(ExperimentSeriesSchema, required=True)
    summary = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True),
                          required=True, metadata={"description": "outcome measures across the "
                                                   "runs (probabilities, months, counts)"})


class DifferenceSchema(Schema):
    """A headline measure's paired difference: strategy minus baseline, with its 95% interval."""

    measure = fields.String(required=True, validate=validate.OneOf(
        ["p_thriving", "p_collapse", "months_in_crisis", "final_momentum"]))
    strategy = fields.String(required=True)
    baseline = fields.String(required=True)
    estimate = fields.Float(required=True)
    low = fields.Float(required=True)
    high = fields.Float(required=True)


class ComparisonResultSchema(_RunRecordSchema):
    strategies = fields.List(fields.String(), required=True)
    table = fields.List(fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True)),
                        required=True,
                        metadata={"description": "one row of outcome measures per strategy"})
    differences = fields.List(fields.Nested(DifferenceSchema), required=True, metadata={
        "description": "the first strategy minus each other one, paired run by run"})
    verdict = fields.List(fields.String(), required=True, metadata={
        "description": "one plain sentence per strategy compared with the first"})
    experiments = fields.List(fields.Nested(ExperimentResultSchema), required=True)
