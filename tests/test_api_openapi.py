"""The OpenAPI document describes every route; the docs and configuration work as promised."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from api.http import create_app
from api.http.auth import API_PREFIX
from api.limits import MAX_BODY_BYTES


@pytest.fixture(scope="module")
def document(app: Flask) -> dict:
    return app.test_client().get("/openapi.json").get_json()  # type: ignore[no-any-return]


def api_rules(app: Flask) -> set[tuple[str, str]]:
    """(path in OpenAPI form, method) of every API route Flask serves."""
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(API_PREFIX):
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
            found |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def operations(document: dict) -> list[tuple[str, str, dict]]:
    return [(path, method, operation) for path, item in document["paths"].items()
            for method, operation in item.items() if method != "parameters"]


def test_every_api_route_is_in_the_document_and_nothing_else(app: Flask, document: dict) -> None:
    documented = {(path, method) for path, method, _ in operations(document)}
    assert documented == api_rules(app)


#: the answers that are not JSON, by design: a cycle's exports and its printable report
NOT_JSON = {"text/csv", "text/html",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def test_every_operation_has_a_summary_a_json_answer_and_problem_errors(document: dict) -> None:
    for path, method, operation in operations(document):
        where = f"{method.upper()} {path}"
        assert operation.get("summary"), where
        success = [code for code in operation["responses"] if code.startswith("2")]
        # one success code: 201 when it creates, 202 when it queues (a job)
        assert success in (["200"], ["201"], ["202"]), where
        content = operation["responses"][success[0]]["content"]
        assert content.get("application/json", {}).get("schema") or (
            set(content) <= NOT_JSON and all(c["schema"] for c in content.values())), where
        assert operation["responses"]["default"] == {
            "$ref": "#/components/responses/DEFAULT_ERROR"}, where
    problem = document["components"]["responses"]["DEFAULT_ERROR"]["content"]
    assert list(problem) == ["application/problem+json"]


def test_bodies_document_their_media_types_and_limits(document: dict) -> None:
    bodies = [(path, op) for path, _, op in operations(document) if "requestBody" in op]
    assert bodies
    for path, operation in bodies:
        assert set(operation["requestBody"]["content"]) == {
            "application/json", "application/yaml", "application/x-yaml", "text/yaml"}
        assert {"400", "413", "415", "422"} <= set(operation["responses"]), path
    too_large = document["components"]["responses"]["REQUEST_ENTITY_TOO_LARGE"]
    assert str(MAX_BODY_BYTES) in too_large["description"]


def test_profiles_are_closed_objects_in_the_document(document: dict) -> None:
    """Unknown fields are refused, and the document says so (clients can check before sending)."""
    schemas = document["components"]["schemas"]
    for name in ("Profile", "Pmo", "Indicators", "Trends"):
        assert schemas[name]["additionalProperties"] is False, name


def test_the_docs_page_works_offline(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/docs").get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets and all(a.startswith("/") for a in assets), assets
    for asset in [*assets, "/docs/swagger-ui/LICENSE.txt"]:
        with client.get(asset) as response:
            assert response.status_code == 200, asset
    with client.get("/static/docs.js") as response:
        initializer = response.get_data(as_text=True)
    assert "validatorUrl: null" in initializer  # Swagger UI would call an online validator


def test_configuration_is_defaults_then_environment_then_override(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert create_app().config["MAX_CONTENT_LENGTH"] == MAX_BODY_BYTES
    monkeypatch.setenv("PMO_ADVISOR_MAX_CONTENT_LENGTH", "1000")
    assert create_app().config["MAX_CONTENT_LENGTH"] == 1000
    assert create_app({"MAX_CONTENT_LENGTH": 10}).config["MAX_CONTENT_LENGTH"] == 10
