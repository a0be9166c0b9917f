"""Outputs of the shipped strategy, shock and story library: GET /strategies, GET /shocks,
GET /stories[/{id}]."""

from __future__ import annotations

import copy

from marshmallow import Schema, fields, validate

from advisor.validation import AsciiWhole
from api.schemas.lists import list_of
from simulation.limits import MAX_SEED

__all__ = ["StrategyListSchema", "StrategyDocumentSchema", "ShockListSchema", "StoryListSchema",
           "StoryResultSchema", "StoryQuerySchema"]


def _shares(description: str) -> fields.Dict:
    return fields.Dict(keys=fields.String(), values=fields.Float(), required=True,
                       metadata={"description": description})


def _targets(**metadata: str) -> fields.Dict:
    return fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                       metadata=metadata)


class TriggerSchema(Schema):
    when = fields.List(fields.String(), required=True, metadata={
        "description": "scenarios that, diagnosed at a review, trigger the switch"})
    switch_to = fields.String(required=True)
    reason = fields.String(required=True)


class PhaseSchema(Schema):
    month = fields.Integer(required=True)
    effort = _shares("share of the PMO's capacity per flywheel step")
    services = _shares("share of service work per service")
    targets = _targets()


class MadeForSchema(Schema):
    scenarios = fields.List(fields.String(), required=True)
    elsewhere = fields.Dict(keys=fields.String(), values=fields.Float(), required=True)


class _StrategyCoreSchema(Schema):
    """The fields a strategy has however it travels, stated once: the shipped list
    (``StrategySchema``) and an inline document (``StrategyDocumentSchema``) build on them. The
    two differ only in what follows ``triggers`` (the list documents each field and always has a
    schedule), so the fields up to there live here, in the order both answers show them."""

    id = fields.String(required=True)
    name = fields.String(required=True)
    summary = fields.String(required=True)
    source = fields.String(required=True)
    effort = _shares("share of the PMO's capacity per flywheel step")
    services = _shares("share of service work per service")
    approach = fields.String(required=True)
    triggers = fields.List(fields.Nested(TriggerSchema), required=True)


class StrategySchema(_StrategyCoreSchema):
    """A shipped strategy as GET /strategies lists it, each field described."""

    approach = fields.String(required=True, metadata={"description": "an approach id, or "
                                                      "tailored (to the customers' maturity)"})
    perception_mix = _shares("share of delivered value per outcome horizon")
    targets = _targets(description="maturity level (1-5) each service works towards")
    schedule = fields.List(fields.Nested(PhaseSchema), required=True, metadata={
        "description": "later phases: from month on, new effort, services and targets"})
    made_for = fields.Nested(MadeForSchema, metadata={
        "description": "the scenarios the strategy is made for, and what each review "
                       "diagnosing another one costs (indicator shifts)"})
    adaptive = fields.Boolean(metadata={
        "description": "false: played exactly as written (absent: the PMO's leader shifts "
                       "effort towards weak steps at reviews)"})


class StrategyDocumentSchema(_StrategyCoreSchema):
    """A strategy as a document: what POST /simulations accepts as an inline ``strategy``."""

    targets = _targets()
    schedule = fields.List(fields.Nested(PhaseSchema), metadata={
        "description": "later phases (the plan's next and later waves)"})
    made_for = fields.Nested(MadeForSchema)
    adaptive = fields.Boolean()


class ShockSchema(Schema):
    id = fields.String(required=True, metadata={
        "description": "the name to schedule it by: `shocks: [\"<id>@<month>\"]`"})
    name = fields.String(required=True)
    summary = fields.String(required=True)
    source = fields.String(required=True, metadata={
        "description": "guide pages, or `model` (an assumption documented in docs/model.md)"})
    hazard_per_year = fields.Float(required=True, metadata={
        "description": "expected occurrences per PMO-year when shocks are random"})
    major_change = fields.Boolean(required=True, metadata={
        "description": "true when the PMO itself is restructured"})


class StorySchema(Schema):
    id = fields.String(required=True)
    title = fields.String(required=True)
    summary = fields.String(required=True)
    profile = fields.String(required=True, metadata={"description": "the shipped profile it "
                                                     "starts from"})
    strategy = fields.String(required=True)
    relaunch_strategy = fields.String(required=True, allow_none=True)
    months = fields.Integer(required=True)
    seed = fields.Integer(required=True)
    random_shocks = fields.Boolean(required=True)
    events = fields.List(fields.Dict(keys=fields.String(), values=fields.Raw()), required=True,
                         metadata={"description": "scripted shocks and strategy changes: month, "
                                                  "shock or strategy, and what to say"})
    expect_path = fields.List(fields.String(), required=True)
    takeaways = fields.List(fields.String(), required=True, metadata={
        "description": "what the room should take away (the presenter's closing slide)"})


class TimelineRuleSchema(Schema):
    id = fields.String(required=True)
    reason = fields.String(required=True)


class TimelineEntrySchema(Schema):
    month = fields.Integer(required=True)
    kind = fields.String(required=True)
    name = fields.String(required=True)
    text = fields.String(required=True)
    say = fields.String(required=True)
    scenario_from = fields.String(required=True, allow_none=True)
    scenario_to = fields.String(required=True, allow_none=True)
    confidence = fields.Float(required=True, allow_none=True)
    rules = fields.List(fields.Nested(TimelineRuleSchema), required=True)


class StorySeriesSchema(Schema):
    month = fields.List(fields.Integer(), required=True)
    momentum = fields.List(fields.Float(), required=True)
    indicators = fields.Dict(keys=fields.String(), values=fields.List(fields.Float()),
                             required=True)
    scenario = fields.List(fields.String(), required=True)
    strategy = fields.List(fields.String(), required=True)
    pmo_exists = fields.List(fields.Boolean(), required=True)


def _read_from(source: str, schema: type[Schema]) -> dict[str, fields.Field]:
    """``schema``'s fields, each read from the dumped object's attribute ``source``."""
    out = {}
    for name, field in schema._declared_fields.items():
        moved = copy.copy(field)
        moved.attribute = f"{source}.{field.attribute or name}"
        out[name] = moved
    return out


#: a story told (``simulation.stories.StoryResult``): its kind, the story's own fields (read
#: from ``result.story``), then the run; an ordered field list, so ``kind`` comes first
StoryResultSchema = Schema.from_dict({
    "kind": fields.String(required=True),
    **_read_from("story", StorySchema),
    "path": fields.List(fields.String(), required=True, metadata={
        "description": "the scenarios the run passed through, in order"}),
    "follows_expected_path": fields.Boolean(required=True),
    "timeline": fields.List(fields.Nested(TimelineEntrySchema), required=True),
    "series": fields.Nested(StorySeriesSchema, required=True),
}, name="StoryResultSchema")


class StoryQuerySchema(Schema):
    seed = AsciiWhole(validate=validate.Range(0, MAX_SEED), metadata={
        "description": "run the story with another seed, to explore a variant"})


StrategyListSchema = list_of(StrategySchema, "StrategyListSchema")
StoryListSchema = list_of(StorySchema, "StoryListSchema")
ShockListSchema = list_of(ShockSchema, "ShockListSchema")
