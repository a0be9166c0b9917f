"""Output of POST /diagnoses: the diagnosis JSON contract of ``rules/diagnosis.py``."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from advisor.catalog import load_catalog
from advisor.validation import OneOfLater
from api.schemas.plain import OptionalKeys, PlainDict

__all__ = ["DiagnosisSchema", "DiagnosisQuerySchema"]

_SCENARIOS = OneOfLater(lambda: load_catalog().ids("scenarios"))
_EVIDENCE = {"description": "the values the rule looked at, by indicator, feature or fact path"}


class RankedScenarioSchema(Schema):
    scenario = fields.String(required=True, validate=_SCENARIOS)
    score = fields.Float(required=True, validate=validate.Range(0, 1))


class FiredRuleSchema(Schema):
    id = fields.String(required=True, metadata={"description": "the rule, named for what it "
                                                "concludes (pmo-advisor rules lists them)"})
    scenario = fields.String(required=True, validate=_SCENARIOS)
    effect = fields.String(required=True, validate=validate.OneOf(
        ["evidence", "against", "exclude"]), metadata={
        "description": "evidence adds weight points, against (counter-evidence) takes them off, "
                       "exclude rules the scenario out (only whether a PMO exists)"})
    weight = fields.Float(required=True)
    reason = fields.String(required=True)
    source = fields.String(required=True, metadata={"description": "guide page, or 'model'"})
    evidence = PlainDict(required=True,
                           metadata=_EVIDENCE)


class TransitionSignSchema(Schema):
    towards = fields.String(required=True, validate=_SCENARIOS)
    indicator = fields.String(required=True)
    reason = fields.String(required=True)
    rule = fields.String(required=True)
    evidence = PlainDict(required=True,
                           metadata=_EVIDENCE)
    concurring = fields.List(fields.String(), required=True, metadata={
        "description": "the other fired rules pointing the same way (signals or evidence for "
                       "the target scenario)"})
    rests_on_one = fields.Boolean(required=True, metadata={
        "description": "true when nothing concurs: the guide reads signals together"})


class CounterfactualSchema(Schema):
    scenario = fields.String(required=True, validate=_SCENARIOS, metadata={
        "description": "an adjacent scenario the changes would move the diagnosis to"})
    changes = fields.List(fields.String(), required=True, metadata={
        "description": "the changes, one readable line each"})
    profile_patch = PlainDict(required=True,
                                metadata={"description": "an RFC 7386 JSON merge patch: applied "
                                          "to the input profile, it gives a profile diagnosed "
                                          "as `scenario`"})


class DiagnosisSchema(OptionalKeys):
    #: ``counterfactuals`` only when they were searched for (``explain=true``; the CLI's
    #: ``diagnose``): the search costs a server 10-40x a diagnosis, and an empty list would
    #: claim that nothing could change it
    OPTIONAL = frozenset({"counterfactuals"})

    scenario = fields.String(required=True, validate=_SCENARIOS)
    confidence = fields.Float(required=True, validate=validate.Range(0, 1))
    coverage = fields.Float(required=True, validate=validate.Range(0, 1), metadata={
        "description": "share of the evidence the rules use that the profile gave"})
    ranking = fields.List(fields.Nested(RankedScenarioSchema), required=True,
                          attribute="ranked_scenarios", metadata={
        "description": "all eight scenarios, best first; scores sum to 1"})
    fired_rules = fields.List(fields.Nested(FiredRuleSchema), required=True)
    transition_signs = fields.List(fields.Nested(TransitionSignSchema), required=True)
    missing_indicators = fields.List(fields.String(), required=True)
    counterfactuals = fields.List(fields.Nested(CounterfactualSchema), metadata={
        "description": "what would change the diagnosis, per adjacent scenario reachable; "
                       "only when asked for (`POST /diagnoses?explain=true`, `pmo-advisor "
                       "diagnose`), left out otherwise (a plan's diagnosis never has it)"})
    ruleset_version = fields.String(required=True)


class DiagnosisQuerySchema(Schema):
    explain = fields.Boolean(load_default=False, metadata={
        "description": "true: also search what would change the diagnosis (`counterfactuals`, "
                       "merge patches of the profile, each confirmed by the rules); about "
                       "5-60 ms of CPU for a profile not seen before, so off by default (the "
                       "answer then has no `counterfactuals`)"})
