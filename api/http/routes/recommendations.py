"""POST /recommendations: a profile (with customers, services, team) in, the advice out;
POST /recommendations/strategy: the advice's plan as a strategy document for simulations."""

from __future__ import annotations

from flask import Response, jsonify

from advisor.assessment import Profile, parse_profile
from api.http.fastjson import json_response
from api.http.openapi import ApiBlueprint
from api.schemas.advice import AdviceSchema
from api.schemas.answers import to_json
from api.schemas.examples import recommendation_example
from api.schemas.library import StrategyDocumentSchema
from api.schemas.profiles import profile_schema
from api.service import plan_strategy, recommend

blp = ApiBlueprint("recommendations", __name__, description="Which services, approaches, "
                   "competencies and flywheel steps a PMO should work on, and why.")


@blp.route("/recommendations", methods=["POST"])
@blp.response(200, AdviceSchema)
@blp.body(profile_schema, build=parse_profile,
          description="a PMO profile; its customers, services and team sections feed the advice",
          example=recommendation_example)
def create_recommendation(profile: Profile) -> Response:
    """Advise a PMO

    The diagnosis, then every service ranked by what the customers need (with an action, a
    timing and a target maturity), the approach per service and customer, the team's competency
    gaps, the flywheel steps to focus on and the warnings -- each with the rules behind it.
    """
    return json_response(to_json(recommend(profile)))


@blp.route("/recommendations/strategy", methods=["POST"])
@blp.response(200, StrategyDocumentSchema)
@blp.body(profile_schema, build=parse_profile,
          description="a PMO profile, as for POST /recommendations")
def create_plan_strategy(profile: Profile) -> Response:
    """The advice's plan as a strategy

    The plan's waves (now, next, later) as a strategy document: which services at which level
    from which month, and the effort per flywheel step. Send it as the ``strategy`` (or one of the
    ``strategies``) of POST /simulations or /simulations/compare: "our plan against the
    alternatives". Same as ``pmo-advisor recommend FILE --strategy-out PLAN.yaml``.
    """
    return jsonify(plan_strategy(profile))
