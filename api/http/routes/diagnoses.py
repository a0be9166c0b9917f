"""POST /diagnoses: a profile in, the diagnosis JSON of ``pmo-advisor diagnose --json`` out."""

from __future__ import annotations

from flask import Response
from marshmallow import RAISE

from advisor.assessment import Profile, parse_profile
from api.http.fastjson import json_response
from api.http.openapi import ApiBlueprint
from api.schemas.answers import to_json
from api.schemas.diagnosis import DiagnosisQuerySchema, DiagnosisSchema
from api.schemas.examples import diagnosis_example
from api.schemas.profiles import profile_schema
from api.service import diagnose

blp = ApiBlueprint("diagnoses", __name__, description="Which of the eight scenarios a PMO is "
                   "in, and why.")


@blp.route("/diagnoses", methods=["POST"])
# an instance, not the class: webargs would build a new schema for every request (one boolean
# field, loaded without state: shared by every thread)
@blp.query(DiagnosisQuerySchema(), unknown=RAISE)
@blp.answers(200, DiagnosisSchema)
@blp.body(profile_schema, build=parse_profile,
          description="a PMO profile (JSON, or YAML as in scenarios/profiles)",
          example=diagnosis_example)
def create_diagnosis(profile: Profile, explain: bool = False) -> Response:
    """Diagnose a profile

    Runs the diagnosis rules on the profile: the scenario, a ranking of all eight with scores,
    every rule that fired with the evidence it looked at, and the signs of a coming transition.
    A profile on which no rule finds evidence is refused (422, field ``indicators``).
    ``coverage`` says how much of the evidence the rules use the profile gave. With
    ``explain=true``, ``counterfactuals`` says what would move the diagnosis to each neighbouring
    scenario, as merge patches of the profile (that search costs about 5-60 ms of CPU the first
    time a profile is seen, 10-40x the diagnosis, so it is asked for, not done by default).
    """
    return json_response(to_json(diagnose(profile, explain=explain)))
