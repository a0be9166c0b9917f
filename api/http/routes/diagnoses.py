"""POST /diagnoses: a profile in, the diagnosis JSON of ``pmo-advisor diagnose --json`` out."""

from __future__ import annotations

from flask import Response, jsonify

from advisor.assessment import Profile, parse_profile
from api.http.openapi import ApiBlueprint
from api.schemas.diagnosis import DiagnosisSchema
from api.schemas.examples import diagnosis_example
from api.schemas.profiles import profile_schema
from api.service import diagnose

blp = ApiBlueprint("diagnoses", __name__, description="Which of the eight scenarios a PMO is "
                   "in, and why.")


@blp.route("/diagnoses", methods=["POST"])
@blp.response(200, DiagnosisSchema)
@blp.body(profile_schema(), build=parse_profile,
          description="a PMO profile (JSON, or YAML as in scenarios/profiles)",
          example=diagnosis_example())
def create_diagnosis(profile: Profile) -> Response:
    """Diagnose a profile

    Runs the diagnosis rules on the profile: the scenario, a ranking of all eight with scores,
    every rule that fired with the evidence it looked at, and the signs of a coming transition.
    A profile on which no rule finds evidence is refused (422, field ``indicators``).
    """
    # The hot path: the diagnosis is already plain JSON types in the schema's shape, and a
    # marshmallow dump would only copy it (dump does not validate). DiagnosisSchema stays the
    # documented contract, and the tests check every answer against it.
    return jsonify(diagnose(profile).to_dict())
