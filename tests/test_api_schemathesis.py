"""schemathesis, a property-based client of our OpenAPI document, over every route.

It generates valid and invalid requests from the document (fixed seed, bounded examples) and
checks each answer: no 5xx, the status documented, the media type and the body as documented,
documented headers present, undocumented methods answered 405 with ``Allow``. A second run has
API keys on, and checks that every guarded route refuses a request without one.

One of schemathesis' checks is left out, for a reason: ``positive_data_acceptance``: a request
valid by the document may still be refused, by rules a JSON schema cannot state (a profile with
no evidence to diagnose, a sign listed twice, a service named twice by id and number).
"""

from __future__ import annotations

import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.http import create_app

SEED = 20_251_127
MAX_EXAMPLES = 150  # generated requests per operation (fuzzing phase)
KEY = "schemathesis-key"
#: a small simulation budget keeps each generated simulation well under a second
APP_CONFIG = {"TESTING": True, "SIMULATION_MAX_RUN_MONTHS": 240}
LEFT_OUT = [positive_data_acceptance]


def _config(max_examples: int) -> schemathesis.Config:
    return schemathesis.Config.from_dict({
        "seed": SEED,
        "generation": {"max-examples": max_examples, "mode": "all", "deterministic": True},
        # The coverage phase walks every boundary of every field: thousands of profiles for the
        # POST routes (a minute each). They get the fuzzing phase's random requests instead;
        # the GET routes get both.
        "operations": [{"include-method": "POST", "phases": {"coverage": {"enabled": False}}},
                       # the assessments' routes: many, each a few database writes; fewer
                       # examples keep the suite's time in bounds
                       {"include-path-regex": "/organizations",
                        "generation": {"max-examples": max(5, max_examples // 5)}}],
    })


open_schema = schemathesis.openapi.from_wsgi(
    "/openapi.json", create_app(APP_CONFIG), config=_config(MAX_EXAMPLES))
guarded_schema = schemathesis.openapi.from_wsgi(
    "/openapi.json", create_app({**APP_CONFIG, "API_KEYS": KEY}),
    config=_config(MAX_EXAMPLES // 4))


@open_schema.parametrize()
def test_every_route_answers_within_its_documented_contract(case: schemathesis.Case) -> None:
    case.call_and_validate(excluded_checks=LEFT_OUT)


@guarded_schema.parametrize()
def test_with_api_keys_every_route_keeps_its_contract_and_refuses_keyless_calls(
        case: schemathesis.Case) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {KEY}"}, excluded_checks=LEFT_OUT)
