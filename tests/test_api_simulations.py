"""Simulations, strategies and stories through the API: the simulation's own results, bounded."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

import scenarios
import simulation
from advisor.assessment import read_document
from api.schemas.answers import to_json
from api.schemas.library import StoryResultSchema, StrategyListSchema
from api.schemas.simulation import ComparisonResultSchema, ExperimentResultSchema
from simulation.limits import SERVICE

PROFILES = scenarios.documents("profiles")

BUDGET = 600  # runs x months per request in these tests
SMALL = {"preset": "crisis-retailer", "months": 12, "runs": 8, "seed": 3}


@pytest.fixture(scope="module")
def app_config() -> dict:
    return {"TESTING": True, "SIMULATION_MAX_RUN_MONTHS": BUDGET}


def as_json(value: object) -> Any:
    return json.loads(json.dumps(value))


def problem_fields(response: Any) -> list[str]:
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    return [e["field"] for e in response.get_json()["errors"]]


def test_a_simulation_is_the_models_result_for_the_same_seed(client: FlaskClient) -> None:
    response = client.post("/api/v1/simulations", json={**SMALL, "strategy": "quick_wins"})
    assert response.status_code == 200
    body = response.get_json()
    expected = to_json(simulation.run_experiment("crisis-retailer", "quick_wins", months=12,
                                                 runs=8, seed=3, workers=1))
    assert body == as_json(expected)
    assert ExperimentResultSchema().validate(body) == {}


def test_a_full_profile_may_start_a_simulation(client: FlaskClient) -> None:
    profile = read_document(PROFILES["kickoff-fintech"])
    request = {"profile": profile, "strategy": "customer_centric", "months": 6, "runs": 4,
               "shocks": ["sponsor_change@3"], "random_shocks": False}
    body = client.post("/api/v1/simulations", json=request).get_json()
    assert (body["months"], body["runs"], body["shocks"]) == (6, 4, ["sponsor_change@3"])


def test_a_comparison_runs_every_strategy_on_the_same_random_numbers(client: FlaskClient) -> None:
    request = {**SMALL, "strategies": ["quick_wins", "minimal"]}
    body = client.post("/api/v1/simulations/compare", json=request).get_json()
    assert ComparisonResultSchema().validate(body) == {}
    assert [row["strategy"] for row in body["table"]] == ["quick_wins", "minimal"]
    assert {e["seed"] for e in body["experiments"]} == {3}
    alone = client.post("/api/v1/simulations", json={**SMALL, "strategy": "minimal"}).get_json()
    assert body["experiments"][1]["series"] == alone["series"]


@pytest.mark.parametrize(("route", "request_body", "fields"), [
    # neither preset nor profile
    ("/simulations", {"strategy": "minimal"}, ["preset"]),
    # both preset and profile
    ("/simulations", {**SMALL, "strategy": "minimal", "profile": {"pmo": {"exists": False}}},
     ["preset"]),
    # a bad value inside the profile is named with its path
    ("/simulations", {"strategy": "minimal", "profile": {"pmo": {"exists": True},
                                                        "indicators": {"influence": 9}}},
     ["profile.indicators.influence"]),
    # an unknown strategy, shock and preset, and runs given as true
    ("/simulations", {"preset": "nowhere", "strategy": "luck", "runs": True,
                      "shocks": ["meteor@3"]}, ["strategy", "preset", "runs", "shocks[0]"]),
    # over the service's budget: runs x months
    ("/simulations", {**SMALL, "strategy": "minimal", "runs": 51}, ["runs"]),
    # over the budget with the strategies counted: 8 x 12 x 2 fits, 26 x 12 x 2 does not
    ("/simulations/compare", {**SMALL, "runs": 26, "strategies": ["minimal", "quick_wins"]},
     ["runs"]),
    # one strategy is not a comparison
    ("/simulations/compare", {**SMALL, "strategies": ["minimal"]}, ["strategies"]),
    # more strategies than a comparison may hold
    ("/simulations/compare", {**SMALL, "strategies": [
        s["id"] for s in simulation.list_strategies()][:SERVICE.max_strategies + 1]},
     ["strategies"]),
    # the same strategy twice
    ("/simulations/compare", {**SMALL, "strategies": ["minimal", "minimal"]}, ["strategies"]),
    # an unknown field
    ("/simulations", {**SMALL, "strategy": "minimal", "speed": "fast"}, ["speed"]),
])
def test_a_bad_simulation_request_is_a_422_naming_the_fields(
        client: FlaskClient, route: str, request_body: dict, fields: list[str]) -> None:
    response = client.post(f"/api/v1{route}", json=request_body)
    assert sorted(problem_fields(response)) == sorted(fields)


def test_strategies_are_the_shipped_library(client: FlaskClient) -> None:
    body = client.get("/api/v1/strategies").get_json()
    assert body == {"count": len(simulation.list_strategies()),
                    "items": as_json(simulation.list_strategies())}
    assert StrategyListSchema().validate(body) == {}


def test_stories_list_the_shipped_stories(client: FlaskClient) -> None:
    body = client.get("/api/v1/stories").get_json()
    assert [s["id"] for s in body["items"]] == [s.id for s in simulation.list_stories()]


def test_a_story_is_told_as_the_model_tells_it(client: FlaskClient) -> None:
    body = client.get("/api/v1/stories/crisis-to-resurgence").get_json()
    assert body == as_json(to_json(simulation.run_story("crisis-to-resurgence")))
    assert StoryResultSchema().validate(body) == {}


def test_a_story_variant_follows_its_seed(client: FlaskClient) -> None:
    body = client.get("/api/v1/stories/crisis-averted?seed=5").get_json()
    assert body == as_json(to_json(simulation.run_story("crisis-averted", seed=5)))
    assert body["seed"] == 5


@pytest.mark.parametrize(("query", "field"), [
    ("?seed=abc", "seed"),     # not a number
    ("?seed=-1", "seed"),      # below the range
    ("?colour=red", "colour"),  # an unknown parameter
])
def test_bad_story_parameters_are_a_422(client: FlaskClient, query: str, field: str) -> None:
    assert problem_fields(client.get(f"/api/v1/stories/crisis-averted{query}")) == [field]


def test_an_unknown_story_is_a_404(client: FlaskClient) -> None:
    response = client.get("/api/v1/stories/once-upon-a-time")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
