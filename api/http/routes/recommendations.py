"""POST /recommendations: a profile (with customers, services, team) in, the advice out."""

from __future__ import annotations

from flask import Response, jsonify

from advisor.assessment import Profile, parse_profile
from api.http.openapi import ApiBlueprint
from api.schemas.advice import AdviceSchema
from api.schemas.answers import to_json
from api.schemas.profiles import profile_schema
from api.service import recommend

blp = ApiBlueprint("recommendations", __name__, description="Which services, approaches, "
                   "competencies and flywheel steps a PMO should work on, and why.")


@blp.route("/recommendations", methods=["POST"])
@blp.response(200, AdviceSchema)
@blp.body(profile_schema(), build=parse_profile,
          description="a PMO profile; its customers, services and team sections feed the advice")
def create_recommendation(profile: Profile) -> Response:
    """Advise a PMO

    The diagnosis, then every service ranked by what the customers need (with an action, a
    timing and a target maturity), the approach per service and customer, the team's competency
    gaps, the flywheel steps to focus on and the warnings -- each with the rules behind it.
    """
    return jsonify(to_json(recommend(profile)))
