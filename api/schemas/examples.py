"""Working request bodies for the OpenAPI document: what Swagger's "Try it out" sends as shipped.

Each example is built from a shipped profile, so it stays valid whenever the profiles or their
schema change (tests/test_api_examples.py posts every one and expects a 200). The simulation
examples stay small (runs x months within the tightest budget the tests configure) so trying
them costs a fraction of a second.
"""

from __future__ import annotations

import functools
from typing import Any

from marshmallow import Schema

from advisor.presets import shipped_profiles
from advisor.questionnaire import load_questionnaire
from api.schemas.profiles import profile_schema

__all__ = ["EXAMPLE_PRESET", "diagnosis_example", "recommendation_example",
           "simulation_example", "comparison_example", "organization_example", "cycle_example",
           "answers_example", "cycle_simulation_example", "job_example", "example_for",
           "cycle_page_example"]

#: the shipped PMO every example starts from: a retailer's PMO in Crisis, with customers,
#: services and team (so the advice has something to work with)
EXAMPLE_PRESET = "crisis-retailer"
#: the sections a diagnosis reads; the advice reads the whole profile
_DIAGNOSIS_SECTIONS = ("name", "pmo", "indicators", "trends", "signs")


@functools.cache
def _profile() -> dict[str, Any]:
    return shipped_profiles()[EXAMPLE_PRESET].profile.to_dict()


def diagnosis_example() -> dict[str, Any]:
    """POST /diagnoses: a PMO in Crisis, its indicators, trends and signs."""
    return {k: v for k, v in _profile().items() if k in _DIAGNOSIS_SECTIONS}


def recommendation_example() -> dict[str, Any]:
    """POST /recommendations: the same PMO with its customers, services and team."""
    return dict(_profile())


def simulation_example() -> dict[str, Any]:
    """POST /simulations: a shipped PMO, a strategy, a scheduled shock, a seed."""
    return {"preset": EXAMPLE_PRESET, "strategy": "crisis_turnaround", "months": 12, "runs": 20,
            "seed": 7, "shocks": ["sponsor_change@3"], "random_shocks": True}


def comparison_example() -> dict[str, Any]:
    """POST /simulations/compare: two strategies on the same random numbers."""
    return {"preset": EXAMPLE_PRESET, "strategies": ["crisis_turnaround", "process_centric"],
            "months": 12, "runs": 10, "seed": 7, "shocks": [], "random_shocks": True}


def job_example() -> dict[str, Any]:
    """POST /jobs: the simulation of ``simulation_example``, run as a job."""
    return {"kind": "simulation", **simulation_example()}


def organization_example() -> dict[str, Any]:
    """POST /organizations: the organization whose PMO is assessed."""
    return {"name": "Brightmart", "pmo_name": "Brightmart PMO"}


def cycle_example() -> dict[str, Any]:
    """POST /organizations/{org}/assessments: a new assessment cycle."""
    return {"label": "2026 Q4 review"}


#: the questionnaire's scale items an executive answers in the example, all "weak" (2 of 5)
_EXAMPLE_INDICATORS = ("executive_support", "stakeholder_support", "autonomy")


def answers_example() -> dict[str, Any]:
    """POST .../answers: an executive's answers, built from the questionnaire (so they stay
    valid): the PMO exists, is four years old, and three indicators are weak."""
    items = load_questionnaire().items
    answers: dict[str, Any] = {"fact.pmo_exists": True, "fact.age_months": 48}
    answers.update({i.id: 2 for i in items
                    if i.kind == "scale" and i.id.split(".")[0] in _EXAMPLE_INDICATORS})
    return {"rater": "Dana Ruiz (COO)", "role": "executive", "answers": answers}


def cycle_simulation_example() -> dict[str, Any]:
    """POST .../simulations: a strategy from a closed cycle's profile, kept with the cycle."""
    return {"strategy": "crisis_turnaround", "months": 12, "runs": 20, "seed": 7}


def cycle_page_example() -> dict[str, Any]:
    """GET /assessments?status=closed&limit=2: the first page of the shipped example
    organization's closed cycles (``pmo-advisor assess --example``) as the service answers it,
    but for the times (tests/test_api_assessments.py compares the two)."""
    def cycle(number: int, year: int, scenario: str) -> dict[str, Any]:
        when = f"{year}-11-14T10:00:00+00:00"
        return {"organization": 1, "pmo": 1, "number": number, "label": f"{year} assessment",
                "status": "closed", "version": 6,
                "questionnaire_version": load_questionnaire().version, "created_at": when,
                "closed_at": when, "scenario": scenario, "rater_count": 4,
                "organization_name": "Northwind Freight",
                "pmo_name": "Northwind Delivery Office", "pmo_default": True}
    return {"count": 3, "offset": 0, "limit": 2,
            "items": [cycle(1, 2024, "crisis"), cycle(2, 2025, "decline")]}


def example_for(schema: type[Schema]) -> dict[str, Any] | None:
    """The example of a body whose route names none: any route taking a whole profile gets the
    shipped PMO with every section, so a new profile route works in "Try it out" as shipped."""
    return recommendation_example() if schema is profile_schema() else None
