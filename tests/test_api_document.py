"""The OpenAPI document is one an integrator can use on the first try: valid OpenAPI, an
operationId on every operation, and a request-body example that works as shipped."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from openapi_spec_validator import validate

from api.http import create_app


@pytest.fixture(scope="module")
def shipped_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The shipped settings, on a database of its own: the examples create an organization and
    queue a job, which must not land in the user's default database."""
    folder = tmp_path_factory.mktemp("document")
    return create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{folder / 'memory.sqlite3'}"})


@pytest.fixture(scope="module")
def document(shipped_app: Flask) -> dict[str, Any]:
    return shipped_app.test_client().get("/openapi.json").get_json()  # type: ignore[no-any-return]


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, operation) for path, item in document["paths"].items()
            for method, operation in item.items() if method != "parameters"]


def test_the_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)  # raises, naming the offending part, when it is not


def test_every_operation_has_a_unique_operation_id(document: dict[str, Any]) -> None:
    ids = [operation.get("operationId") for _, _, operation in operations(document)]
    assert None not in ids
    assert len(ids) == len(set(ids))
    by_route = {(method, path): op["operationId"] for path, method, op in operations(document)}
    assert by_route[("post", "/api/v1/diagnoses")] == "create_diagnosis"
    assert by_route[("get", "/api/v1/shocks")] == "list_shocks"


def test_every_request_body_example_works_as_shipped(shipped_app: Flask,
                                                      document: dict[str, Any]) -> None:
    """What Swagger's "Try it out" sends: the JSON example of each body, answered 2xx. Routes
    under a resource are tried on the one the examples created (an organization, its cycle,
    closed before it is simulated), in the document's order."""
    client = shipped_app.test_client()
    bodies = [(path, method, op) for path, method, op in operations(document)
              if "requestBody" in op]
    assert {path for path, _, _ in bodies} >= {
        "/api/v1/diagnoses", "/api/v1/recommendations", "/api/v1/simulations",
        "/api/v1/simulations/compare"}
    made: dict[str, str] = {}  # path parameter -> the id the examples created
    for path, method, operation in bodies:
        example = operation["requestBody"]["content"]["application/json"].get("example")
        assert example, f"{method.upper()} {path} has no example"
        under_pmo = "{pmo}" in path  # a PMO's cycle is numbered apart from the default PMO's
        ids = {**made, "number": made.get("pmo number" if under_pmo else "number", "")}
        url = path.format_map(ids)
        if url.endswith("/simulations") and "number" in made:  # a cycle is simulated closed
            client.post(url.removesuffix("/simulations") + "/close")
        answer = client.open(url, method=method.upper(), json=example)
        assert answer.status_code < 300, (path, answer.get_json())
        if path.endswith("/organizations"):
            made["org"] = str(answer.get_json()["id"])
        if path.endswith("/pmos"):
            made["pmo"] = str(answer.get_json()["id"])
        if path.endswith("/assessments"):
            made[("pmo " if under_pmo else "") + "number"] = str(answer.get_json()["number"])


def test_the_shocks_a_simulation_can_schedule_are_listed(shipped_app: Flask) -> None:
    answer = shipped_app.test_client().get("/api/v1/shocks").get_json()
    ids = [shock["id"] for shock in answer["items"]]
    assert answer["count"] == len(ids) and "sponsor_change" in ids and "budget_cut" in ids
    first = answer["items"][0]
    assert set(first) == {"id", "name", "summary", "source", "hazard_per_year", "major_change"}


def test_the_document_states_what_the_server_enforces(document: dict[str, Any]) -> None:
    """Where JSON Schema can state a rule, the document states it (schemathesis then holds the
    server to it with positive_data_acceptance: tests/test_api_schemathesis.py)."""
    schemas = document["components"]["schemas"]
    services = schemas["Profile"]["properties"]["services"]
    assert services["additionalProperties"] is False
    assert {"governance_oversight", "16"} <= set(services["properties"])
    assert "no_such_service" not in services["properties"]
    for request in ("SimulationRequest", "ComparisonRequest"):
        assert schemas[request]["oneOf"] == [{"required": ["preset"]}, {"required": ["profile"]}]
    assert schemas["ComparisonRequest"]["properties"]["strategies"]["uniqueItems"] is True
    assert schemas["Profile"]["properties"]["signs"]["uniqueItems"] is True
    assert schemas["Customer"]["properties"]["outcomes"]["uniqueItems"] is True
    assert schemas["ServiceState"]["properties"]["maturity"]["multipleOf"] == 1


def test_a_request_naming_both_preset_and_profile_is_refused_as_documented(
        shipped_app: Flask) -> None:
    answer = shipped_app.test_client().post("/api/v1/simulations", json={
        "preset": "crisis-retailer", "profile": {"pmo": {"exists": True}},
        "strategy": "minimal", "runs": 1, "months": 1})
    assert answer.status_code == 422
    assert answer.get_json()["errors"][0]["field"] == "preset"


def test_the_readme_shows_a_curl_call_for_every_route(document: dict[str, Any]) -> None:
    """A client in a few lines: every operation of the document is tried in the README."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    calls = re.findall(r"^curl .*\$API(/\S*)", readme, flags=re.MULTILINE)
    for name, words, call in re.findall(
            r"^for (\w+) in ([\w ]+); do curl .*\$API(/\S*); done", readme, flags=re.MULTILINE):
        calls += [call.replace(f"${name}", word) for word in words.split()]
    missing = []
    for path, method, _ in operations(document):
        pattern = re.sub(r"\\\{[^}]+\\\}", r"[^/?\\s]+", re.escape(path.removeprefix("/api/v1")))
        if not any(re.fullmatch(pattern + r"(\?\S*)?", call) for call in calls):
            missing.append(f"{method.upper()} {path}")
    assert missing == []
