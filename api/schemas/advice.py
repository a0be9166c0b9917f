"""Output of POST /recommendations: the advice JSON contract of ``rules/advice/model.py``."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from advisor.catalog import LEVELS, load_catalog
from advisor.validation import OneOfLater
from api.schemas.diagnosis import DiagnosisSchema
from api.schemas.plain import PlainDict
from rules.advice.table import ACTIONS, SEVERITIES, STATUSES, TIMINGS

__all__ = ["AdviceSchema"]

_FREE_FORM = {"description": "values by name, as the rule or check recorded them"}
_SERVICES = OneOfLater(lambda: load_catalog().ids("services"))


def _free_form(**kwargs: object) -> fields.Dict:
    return PlainDict(required=True, metadata=_FREE_FORM, **kwargs)


class BecauseSchema(Schema):
    id = fields.String(required=True, metadata={"description": "the rule that decided"})
    then = _free_form()
    reason = fields.String(required=True)
    source = fields.String(required=True, metadata={"description": "guide page, or 'model'"})
    evidence = _free_form()


def _because() -> fields.List:
    return fields.List(fields.Nested(BecauseSchema), required=True)


class ScenarioStrategySchema(Schema):
    strategy = fields.String(required=True)
    source = fields.String(required=True)


class ServedOutcomeSchema(Schema):
    customer = fields.String(required=True)
    outcome = fields.Integer(required=True)
    name = fields.String(required=True)
    rank = fields.Integer(required=True)


class ServiceAdviceSchema(Schema):
    rank = fields.Integer(required=True)
    id = fields.String(required=True, validate=_SERVICES)
    number = fields.Integer(required=True)
    name = fields.String(required=True)
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    priority = fields.Float(required=True)
    serves = fields.List(fields.Nested(ServedOutcomeSchema), required=True)
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    timing = fields.String(required=True, validate=validate.OneOf(TIMINGS))
    current_maturity = fields.Integer(required=True, allow_none=True)
    recommended_maturity = fields.Integer(required=True, allow_none=True)
    because = _because()


class ApproachAdviceSchema(Schema):
    service = fields.String(required=True)
    customer = fields.String(required=True)
    approach = fields.String(required=True)
    score = fields.Float(required=True)
    allowed = fields.List(fields.String(), required=True)
    scores = fields.Dict(keys=fields.String(), values=fields.Float(), required=True)
    because = _because()


class GroupMaturitySchema(Schema):
    current = fields.Float(required=True, allow_none=True)
    recommended = fields.Float(required=True, allow_none=True)
    services_current = fields.Integer(required=True)
    services_recommended = fields.Integer(required=True)


class CompetencyAdviceSchema(Schema):
    id = fields.String(required=True)
    number = fields.Integer(required=True)
    name = fields.String(required=True)
    required = fields.Integer(required=True)
    current = fields.Float(required=True, allow_none=True)
    gap = fields.Float(required=True, allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    needed_by = fields.List(fields.String(), required=True)
    blocks = fields.List(fields.String(), required=True)
    because = _because()


class FlywheelFocusSchema(Schema):
    step = fields.String(required=True)
    number = fields.Integer(required=True)
    name = fields.String(required=True)
    stage = fields.String(required=True)
    score = fields.Float(required=True)
    because = _because()


class AdviceWarningSchema(Schema):
    id = fields.String(required=True)
    severity = fields.String(required=True, validate=validate.OneOf(SEVERITIES))
    about = _free_form()
    reason = fields.String(required=True)
    source = fields.String(required=True)
    evidence = _free_form()


class PlanChangeSchema(Schema):
    service = fields.String(required=True, validate=_SERVICES)
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    from_maturity = fields.Integer(required=True, allow_none=True, metadata={
        "description": "the level before the change; null: not run"})
    to_maturity = fields.Integer(required=True, allow_none=True, metadata={
        "description": "the level after it (at most one level away); null: stopped"})
    reason = fields.String(required=True)


class WaveSchema(Schema):
    wave = fields.String(required=True, validate=validate.OneOf(TIMINGS))
    capacity = fields.Integer(required=True, metadata={
        "description": "at most this many changes in the wave"})
    capacity_rule = fields.String(required=True, metadata={
        "description": "the rule that set the capacity, its reason and assumption"})
    changes = fields.List(fields.Nested(PlanChangeSchema), required=True)


class StructureAdviceSchema(Schema):
    id = fields.String(required=True)
    recommendation = fields.String(required=True)
    wave = fields.String(required=True, validate=validate.OneOf(TIMINGS))
    rule = fields.String(required=True)
    reason = fields.String(required=True)
    source = fields.String(required=True)
    evidence = _free_form()


class PlanSchema(Schema):
    waves = fields.List(fields.Nested(WaveSchema), required=True, metadata={
        "description": "now, next, later: service changes bounded by capacity"})
    deferred = fields.List(fields.Nested(PlanChangeSchema), required=True, metadata={
        "description": "per service, the changes that did not fit the waves, and why"})
    structure = fields.List(fields.Nested(StructureAdviceSchema), required=True, metadata={
        "description": "recommendations about the PMO itself (Table 4-1)"})


class AdviceSchema(Schema):
    name = fields.String(required=True, allow_none=True)
    scenario = fields.String(required=True)
    diagnosis = fields.Nested(DiagnosisSchema, required=True)
    scenario_strategies = fields.List(fields.Nested(ScenarioStrategySchema), required=True)
    services = fields.List(fields.Nested(ServiceAdviceSchema), required=True, metadata={
        "description": "every service, most needed first"})
    approaches = fields.List(fields.Nested(ApproachAdviceSchema), required=True)
    maturity = fields.Dict(keys=fields.String(validate=validate.OneOf(LEVELS)),
                           values=fields.Nested(GroupMaturitySchema), required=True,
                           attribute="maturity_by_level", metadata={
                               "description": "the guide's maturity percentage per service level"})
    competencies = fields.List(fields.Nested(CompetencyAdviceSchema), required=True)
    flywheel_focus = fields.List(fields.Nested(FlywheelFocusSchema), required=True)
    warnings = fields.List(fields.Nested(AdviceWarningSchema), required=True)
    plan = fields.Nested(PlanSchema, required=True)
    ruleset_version = fields.String(required=True)
