"""schemathesis, a property-based client of our OpenAPI document, over every route.

It generates valid and invalid requests from the document (fixed seed, bounded examples) and
checks each answer with every check it has: no 5xx, the status documented, the media type and
the body as documented, documented headers present, undocumented methods answered 405 with
``Allow``, and ``positive_data_acceptance``: a request valid by the document is accepted. A
second run has API keys on, and checks that every guarded route refuses a request without one.

The document states every rule JSON Schema can state (allowed service keys, "preset or
profile, exactly one", distinct items, an inline strategy document's steps, services, levels,
months and phases). The few rules no schema can state are listed in
:data:`UNSTATEABLE`, each with its reason: a schema-valid request refused with a 422 naming one
of them is the server keeping a documented promise, and any other refusal fails the test.
"""

from __future__ import annotations

import atexit
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.http import create_app

SEED = 20_251_127
MAX_EXAMPLES = 150  # generated requests per operation (fuzzing phase)
KEY = "schemathesis-key"
_FUZZ_DATA = tempfile.mkdtemp(prefix="pmo-advisor-fuzz-")
atexit.register(shutil.rmtree, _FUZZ_DATA, ignore_errors=True)
#: a small simulation budget keeps each generated simulation well under a second; a database of
#: its own keeps the jobs it queues (as large as a job may be) from any other test's runner
APP_CONFIG = {"TESTING": True, "SIMULATION_MAX_RUN_MONTHS": 240,
              "DATABASE_URL": f"sqlite:///{Path(_FUZZ_DATA) / 'fuzz.sqlite3'}"}

#: (field pattern, message pattern, why no JSON schema can state the rule)
UNSTATEABLE = [
    (r"indicators", r"^not enough evidence to diagnose",
     "whether indicators, trends, age and signs together are evidence enough is the diagnosis "
     "rules' judgement, not a property of any one field"),
    (r"runs", r"is above the limit of \d+",
     "the cost is a product of fields (runs x months x strategies); a schema bounds each alone"),
    (r"shocks\[\d+\]", r"^month must be a whole number from 1 to \d+",
     "a scheduled shock must fall within the run, whose length is another field (months)"),
    (r"answers\.[\w.]+", r"is ranked twice$",
     "16, \"16\" and an outcome's id name the same outcome only after normalization"),
    (r"strateg(?:y|ies\[\d+\])\.(?:schedule\[\d+\]\.)?(?:effort|services)",
     r"^shares must sum to 1",
     "a strategy document's shares must add up to 1: a sum over a mapping's values, which no "
     "JSON Schema keyword states (each share's range is stated)"),
    (r"strateg(?:y|ies\[\d+\])\.schedule\[\d+\]\.month", r"\(after the phase before\), got \d+$",
     "each phase starts after the phase before it: an order across the list's items (each "
     "month's range, 1 to 120, is stated)"),
    (r"strateg(?:y|ies\[\d+\])\.source", r"^must be text of at most 400 characters",
     "a strategy's source may be any value and is read as its text; the length of that text is "
     "no property JSON Schema can state of a number, list or object"),
    (r"services", r"^the same service is listed twice",
     "a service named by its id and by its number is one key only after normalization"),
    (r"customers\[\d+\]\.id", r"^duplicate customer id",
     "uniqueItems compares whole customers, not their ids"),
    (r"customers\[\d+\]\.outcomes", r"^ranked more than once",
     "16, \"16\" and an outcome's id name the same outcome only after normalization"),
]


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
                       {"include-path-regex": "/organizations|/assessments$",
                        "generation": {"max-examples": max(5, max_examples // 5)}}],
    })


#: (detail pattern, why): a body refused whole (400) for a reason no schema states
UNSTATEABLE_BODIES = [
    (r"a number has more than \d+ digits",
     "the body reader refuses numbers too long to read safely anywhere in a body "
     "(api/http/bodies.py); a free-form value (a strategy document's) has no schema to bound"),
]


def refused_for_an_unstateable_rule(response: Any) -> bool:
    """A 422 whose every field error is one of :data:`UNSTATEABLE` (in a profile given alone,
    or as a simulation's ``profile``)."""
    if response.status_code == 400:
        detail = response.json().get("detail") or ""
        return any(re.search(pattern, detail) for pattern, _ in UNSTATEABLE_BODIES)
    if response.status_code != 422:
        return False
    errors = response.json().get("errors") or []
    return bool(errors) and all(
        any(re.fullmatch(rf"(?:profile\.)?{field}", error.get("field") or "", flags=re.S)
            and re.search(message, error["message"]) for field, message, _ in UNSTATEABLE)
        for error in errors)


#: why a job's body refused with 422 is no contract breach: its schema names only ``kind``; the
#: rest is the synchronous request's fields, checked (and fuzzed) at those routes
JOB_BODIES = ("/api/v1/jobs", "a job is its kind plus the fields of POST /simulations, "
              "/simulations/compare or a sweep file, checked as there; the schema states kind")


def call_and_check(case: schemathesis.Case, **kwargs: Any) -> None:
    response = case.call(**kwargs)
    job_body = case.path == JOB_BODIES[0] and response.status_code == 422
    excluded = [positive_data_acceptance] if job_body or \
        refused_for_an_unstateable_rule(response) else []
    case.validate_response(response, excluded_checks=excluded, **kwargs)


open_schema = schemathesis.openapi.from_wsgi(
    "/openapi.json", create_app(APP_CONFIG), config=_config(MAX_EXAMPLES))
guarded_schema = schemathesis.openapi.from_wsgi(
    "/openapi.json", create_app({**APP_CONFIG, "API_KEYS": KEY}),
    config=_config(MAX_EXAMPLES // 4))


@open_schema.parametrize()
def test_every_route_answers_within_its_documented_contract(case: schemathesis.Case) -> None:
    call_and_check(case)


@guarded_schema.parametrize()
def test_with_api_keys_every_route_keeps_its_contract_and_refuses_keyless_calls(
        case: schemathesis.Case) -> None:
    call_and_check(case, headers={"Authorization": f"Bearer {KEY}"})


def test_every_unstateable_rule_has_a_reason() -> None:
    assert all(len(reason) > 20 for _, _, reason in UNSTATEABLE)
    assert all(len(reason) > 20 for _, reason in UNSTATEABLE_BODIES)
