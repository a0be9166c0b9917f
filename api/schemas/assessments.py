"""Organizations, assessment cycles, answers and the questionnaire: the API's contract for the
assessments' memory (``api/http/routes/assessments.py``)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from advisor.catalog import load_catalog
from advisor.questionnaire import (
    DONT_KNOW,
    KINDS,
    MAX_TEXT,
    SCALE_RANGE,
    TRENDS,
    Item,
    load_questionnaire,
)
from advisor.sections import SCOPES as PMO_SCOPES
from advisor.validation import DOCUMENTED_LATER, closed_schema
from api.schemas.plain import OptionalKeys, PlainDict

__all__ = ["OrganizationInSchema", "OrganizationSchema", "OrganizationPageSchema",
           "PageQuerySchema", "CycleInSchema", "CycleSummarySchema", "CycleSchema",
           "CycleListSchema", "ListedCycleSchema", "CyclePageSchema", "CyclePageQuerySchema",
           "AnswersInSchema", "QuestionnaireSchema", "QuestionnaireItemSchema",
           "QuestionnaireBandSchema", "HistorySchema",
           "SimulationRunInSchema", "SimulationRunSchema", "SimulationRunListSchema",
           "PmoInSchema", "AssessedPmoSchema", "HistoryCycleSchema", "KeptRunSchema",
           "RaterAnswersSchema",
           "PmoListSchema", "CombinedSchema",
           "IndicatorSummarySchema", "StepSummarySchema"]

_NAME = validate.Length(min=1, max=200)

OrganizationInSchema = closed_schema("OrganizationInSchema", {
    "name": fields.String(required=True, validate=_NAME),
    "pmo_name": fields.String(validate=_NAME),
})

PmoInSchema = closed_schema("PmoInSchema", {
    "name": fields.String(required=True, validate=_NAME),
    "scope": fields.String(validate=validate.OneOf(PMO_SCOPES), metadata={
        "description": "the PMO's coverage (Guide p.119)"}),
})

CycleInSchema = closed_schema("CycleInSchema", {
    "label": fields.String(validate=_NAME),
})

def _answer_value(item: Item) -> dict[str, Any]:
    """The JSON schema of one item's answer, as ``Questionnaire.check`` accepts it, so the
    document states what the server enforces (anyOf: "dont_know" is also a valid text)."""
    dont_know = {"type": "string", "enum": [DONT_KNOW]}
    if item.kind == "choice":
        return {"type": "string", "enum": list(item.choices)}
    if item.kind == "trend":
        return {"type": "string", "enum": [*TRENDS, DONT_KNOW]}
    if item.kind == "ranking":
        count = len(load_catalog().outcomes)
        names = [*load_catalog().ids("outcomes"), *map(str, range(1, count + 1))]
        ranking: dict[str, Any] = {"type": "array", "uniqueItems": True, "items": {"anyOf": [
            {"type": "integer", "minimum": 1, "maximum": count},
            {"type": "string", "enum": names}]}}
        if item.max_items:
            ranking["maxItems"] = item.max_items
        return ranking
    values: dict[str, dict[str, Any]] = {
        "scale": {"type": "number", "minimum": SCALE_RANGE[0], "maximum": SCALE_RANGE[1],
                  "multipleOf": 1},
        "yes_no": {"type": "boolean"},
        "number": {"type": "number", "minimum": float(item.minimum or 0),
                   "maximum": float(item.maximum or 0)},
        "text": {"type": "string", "minLength": 1, "maxLength": MAX_TEXT, "pattern": r"\S"},
    }
    return {"anyOf": [values[item.kind], dont_know]}


def _answers_document() -> dict[str, Any]:
    """``answers`` as the document states it: the questionnaire's item ids, each its values."""
    items = load_questionnaire().items
    return {"properties": {item.id: _answer_value(item) for item in items},
            "additionalProperties": False, "minProperties": 1}


AnswersInSchema = closed_schema("AnswersInSchema", {
    "rater": fields.String(required=True, validate=_NAME, metadata={
        "description": "who answers; their earlier answers to the same items are replaced"}),
    "role": fields.String(load_default="other", metadata={
        "description": "executive, customer, pmo_staff or other",
        DOCUMENTED_LATER: lambda: {"enum": list(load_questionnaire().roles)}}),
    "answers": fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=False),
                           required=True, metadata={
        "description": "item id -> value: 1-5, true/false, a number, a choice, a ranking of "
                       "outcome numbers, or \"dont_know\" (GET /questionnaire lists the items)",
        DOCUMENTED_LATER: _answers_document}),
})


SimulationRunInSchema = closed_schema("SimulationRunInSchema", {
    "strategy": fields.String(required=True, metadata={
        "description": "a shipped strategy id (GET /api/v1/strategies)"}),
    # bounds and defaults: the service's simulation limits (simulation/limits.py), checked by
    # the domain as for POST /simulations
    "months": fields.Integer(strict=True, validate=validate.Range(min=1)),
    "runs": fields.Integer(strict=True, validate=validate.Range(min=1)),
    "seed": fields.Integer(strict=True, validate=validate.Range(min=0)),
})


def _run_fields() -> dict[str, fields.Field]:
    """A kept run's fields, in their order (fresh instances: one set per schema)."""
    return {"id": fields.Integer(required=True), "strategy": fields.String(required=True),
            "seed": fields.Integer(allow_none=True),
            "summary": fields.Dict(required=True, metadata={
                "description": "the run's summary measures and its months and runs"}),
            "created_at": fields.String(required=True)}


#: a simulation run kept with a closed cycle (``api.store.records.RunRecord``)
SimulationRunSchema = Schema.from_dict(_run_fields(), name="SimulationRunSchema")


class SimulationRunListSchema(Schema):
    count = fields.Integer(required=True)
    items = fields.List(fields.Nested(SimulationRunSchema), required=True)


class PageQuerySchema(Schema):
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=1_000_000_000))
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class OrganizationSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    pmo_name = fields.String(allow_none=True)
    created_at = fields.String(required=True)


class AssessedPmoSchema(Schema):
    id = fields.Integer(required=True)
    organization = fields.Integer(required=True)
    name = fields.String(required=True)
    scope = fields.String(allow_none=True)
    default = fields.Boolean(required=True, metadata={
        "description": "the PMO the organization-level cycle routes use"})
    created_at = fields.String(required=True)


class PmoListSchema(Schema):
    count = fields.Integer(required=True)
    items = fields.List(fields.Nested(AssessedPmoSchema), required=True)


class OrganizationPageSchema(Schema):
    count = fields.Integer(required=True, metadata={"description": "organizations in all"})
    offset = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    items = fields.List(fields.Nested(OrganizationSchema), required=True)


class CycleSummarySchema(OptionalKeys):
    """A cycle without its answers (a cycle's row, ``api/store/store.py``)."""

    organization = fields.Integer(required=True)
    pmo = fields.Integer(required=True, metadata={"description": "the PMO assessed (its id)"})
    number = fields.Integer(required=True)
    label = fields.String(allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(["open", "closed"]))
    version = fields.Integer(required=True, metadata={"description": "the ETag's version"})
    questionnaire_version = fields.String(required=True)
    created_at = fields.String(required=True)
    closed_at = fields.String(allow_none=True)
    scenario = fields.String(allow_none=True)
    rater_count = fields.Integer()


#: a number as the combination rounded it (a whole mean stays whole: no conversion)
def _number(description: str, **kwargs: Any) -> fields.Raw:
    return fields.Raw(metadata={"type": "number", "description": description}, **kwargs)


class IndicatorSummarySchema(Schema):
    """One indicator across raters (``advisor.combination.IndicatorSummary``)."""

    mean = _number("the mean of the raters' scores; null when nobody could judge it",
                   required=True, allow_none=True)
    spread = _number("highest rater score minus lowest", required=True)
    raters = fields.Integer(required=True)
    answers = fields.Integer(required=True)
    dont_know = fields.Integer(required=True)
    coverage = _number("the share of answers that were known", required=True)
    disagreement = fields.Boolean(required=True, metadata={
        "description": "the spread is 2 points or more"})


class StepSummarySchema(Schema):
    """One flywheel step's self-check (``advisor.combination.StepSummary``)."""

    score = _number("the mean of its raters' scores", required=True, allow_none=True)
    band = fields.String(required=True, allow_none=True)
    raters = fields.Integer(required=True)


class CombinedSchema(Schema):
    """Several raters' answers combined (``advisor.combination.Combined``): the rule is in
    docs/questionnaire.md."""

    questionnaire_version = fields.String(required=True)
    raters = fields.Integer(required=True)
    indicators = fields.Dict(keys=fields.String(), values=fields.Nested(IndicatorSummarySchema),
                             required=True)
    facts = PlainDict(required=True)
    changes = PlainDict(required=True, metadata={"description": "change kind -> months ago"})
    organization = PlainDict(required=True)
    signs = fields.List(fields.String(), required=True)
    customers = fields.List(PlainDict(), required=True)
    flywheel = fields.Dict(keys=fields.String(), values=fields.Nested(StepSummarySchema),
                           required=True)
    trends = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    trend_overrides = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class RaterAnswersSchema(Schema):
    """One rater's answers in a cycle, by item id (values as ``Questionnaire.check`` kept them)."""

    name = fields.String(required=True)
    role = fields.String(required=True)
    answers = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True)


class CycleSchema(CycleSummarySchema):
    """A cycle with its raters' answers; what it concluded only once closed (an open cycle's
    answer has no ``profile``, ``diagnosis`` or ``plan`` keys)."""

    OPTIONAL = frozenset({"profile", "diagnosis", "plan"})

    raters = fields.List(fields.Nested(RaterAnswersSchema), required=True)
    combined = fields.Nested(CombinedSchema, allow_none=True)
    profile = fields.Dict(allow_none=True)
    diagnosis = fields.Dict(allow_none=True)
    plan = fields.Dict(allow_none=True)


class CycleListSchema(Schema):
    count = fields.Integer(required=True)
    items = fields.List(fields.Nested(CycleSummarySchema), required=True)


class CyclePageQuerySchema(PageQuerySchema):
    status = fields.String(validate=validate.OneOf(["open", "closed"]), metadata={
        "description": "only the open or only the closed cycles (closed: what a simulation can "
                       "start from)", "example": "closed"})


class ListedCycleSchema(CycleSummarySchema):
    """A cycle in the list across organizations: its summary and whose it is, by name."""

    organization_name = fields.String(required=True)
    pmo_name = fields.String(required=True)
    pmo_default = fields.Boolean(required=True, metadata={
        "description": "the PMO is its organization's default one"})


class CyclePageSchema(Schema):
    count = fields.Integer(required=True, metadata={"description": "cycles in all (of the "
                                                    "status asked for)"})
    offset = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    items = fields.List(fields.Nested(ListedCycleSchema), required=True)


class QuestionnaireBandSchema(Schema):
    band = fields.String(required=True)
    min_share = fields.Float(required=True, metadata={
        "description": "the lowest score, as a share of the maximum, in this band"})


class QuestionnaireItemSchema(OptionalKeys):
    """One item (``advisor.questionnaire.Item``); keys that do not apply are left out."""

    OPTIONAL = frozenset({"indicator", "target", "anchors", "choices", "minimum", "maximum",
                          "max_items"})

    id = fields.String(required=True, metadata={"description": "stable: answers are keyed by it"})
    part = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    text = fields.String(required=True)
    indicator = fields.String(metadata={"description": "the indicator it measures (indicator "
                                                       "items)"})
    target = fields.String(attribute="about", metadata={
        "description": "the sign, step or fact it is about (other items)"})
    anchors = fields.Dict(keys=fields.String(), values=fields.String(), attribute="anchor_texts",
                          metadata={"description": "scale items: point (1-5) -> descriptor"})
    choices = fields.List(fields.String(), attribute="choice_list")
    # as the questionnaire states them (whole numbers stay whole)
    minimum = fields.Raw(metadata={"type": "number"})
    maximum = fields.Raw(metadata={"type": "number"})
    max_items = fields.Integer()
    dont_know = fields.Boolean(required=True, attribute="accepts_dont_know", metadata={
        "description": "whether \"dont_know\" is an answer"})


class QuestionnaireSchema(Schema):
    """The questionnaire (``advisor.questionnaire.Questionnaire``), as GET /questionnaire
    answers it."""

    version = fields.String(required=True)
    count = fields.Integer(required=True)
    roles = fields.List(fields.String(), required=True)
    bands = fields.List(fields.Nested(QuestionnaireBandSchema), required=True)
    items = fields.List(fields.Nested(QuestionnaireItemSchema), required=True)


class HistoryCycleSchema(Schema):
    """One closed cycle of a history, in brief (``api.store.records.HistoryCycleRecord``)."""

    number = fields.Integer(required=True)
    label = fields.String(allow_none=True)
    closed_at = fields.String(allow_none=True)
    scenario = fields.String(allow_none=True)
    raters = fields.Integer(required=True, metadata={"description": "how many raters answered"})
    trends = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


#: a kept run as a history lists it, its cycle's number first
#: (``api.store.records.KeptRunRecord``)
KeptRunSchema = Schema.from_dict({"cycle": fields.Integer(required=True), **_run_fields()},
                                 name="KeptRunSchema")


class HistorySchema(Schema):
    """A PMO's closed cycles (``api.store.records.HistoryRecord``)."""

    organization = fields.Nested(OrganizationSchema, required=True)
    pmo = fields.Nested(AssessedPmoSchema, required=True)
    cycles = fields.List(fields.Nested(HistoryCycleSchema), required=True)
    scenario_path = fields.List(fields.String(), required=True)
    indicators = fields.Dict(keys=fields.String(), values=fields.List(_number(
        "the mean across raters in each closed cycle; null where not assessed",
        allow_none=True)), required=True)
    simulation_runs = fields.List(fields.Nested(KeptRunSchema), metadata={
        "description": "the runs kept with the closed cycles (API and `simulate --org`), each "
                       "with its cycle number"})
