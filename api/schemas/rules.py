"""A rule table as ``pmo-advisor rules --json`` prints it: for review by a PMO expert."""

from __future__ import annotations

from marshmallow import Schema, fields

from api.schemas.plain import OptionalKeys, PlainDict

__all__ = ["RuleSchema", "RuleTableSchema"]


class RuleSchema(OptionalKeys):
    """One rule (``rules.table.Rule``) and, after ``source``, the row's own data: which sign,
    indicator or change it reads, a transition's ``from``, an advice rule's ``then`` and
    ``fact``; each only on the rules that have it."""

    OPTIONAL = frozenset({"sign", "indicator", "change", "direction", "from", "then", "fact"})

    id = fields.String(required=True)
    subject = fields.String(required=True, metadata={
        "description": "what it concludes about: a scenario, a service, a flywheel step..."})
    effect = fields.String(required=True)
    weight = fields.Float(required=True)
    priority = fields.Integer(required=True)
    when = fields.String(required=True, attribute="conditions")
    reason = fields.String(required=True)
    source = fields.String(required=True, metadata={"description": "guide page, or model"})
    sign = fields.String(attribute="data.sign")
    indicator = fields.String(attribute="data.indicator")
    change = fields.String(attribute="data.change")
    direction = fields.String(attribute="data.direction")
    from_ = fields.List(fields.String(), data_key="from", attribute="data.from")
    then = PlainDict(attribute="data.then")
    fact = fields.String(attribute="data.fact")


class RuleTableSchema(Schema):
    """A whole table (``rules.diagnosis_table.DiagnosisTable``, ``rules.advice.table.
    AdviceTable``): its version and every rule."""

    ruleset_version = fields.String(required=True, attribute="version")
    rules = fields.List(fields.Nested(RuleSchema), required=True)
