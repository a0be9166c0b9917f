"""Every error is RFC 9457 problem+json with field-level messages; no client input gives a 500."""

from __future__ import annotations

import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api.http import create_app
from api.http.problems import INVALID_INPUT
from api.limits import MAX_BODY_BYTES, MAX_FIELD_ERRORS

VALID = {"pmo": {"exists": True, "age_months": 24}, "indicators": {"executive_support": 3}}


@pytest.fixture(scope="module")
def app(app_config: dict) -> Flask:
    app = create_app(app_config)

    @app.route("/api/v1/boom")  # a bug, to see the last-resort handler
    def boom() -> str:
        raise RuntimeError("a bug")

    return app


def problem_of(response: object) -> dict:
    assert response.mimetype == "application/problem+json"  # type: ignore[attr-defined]
    body = response.get_json()  # type: ignore[attr-defined]
    assert set(body) == {"type", "title", "status", "detail", "errors"}
    assert body["status"] == response.status_code  # type: ignore[attr-defined]
    return body  # type: ignore[no-any-return]


@pytest.mark.parametrize(("body", "content_type", "status", "detail"), [
    # broken JSON
    (b'{"pmo": ', "application/json", 400, "not valid JSON"),
    # broken YAML
    (b"pmo: {exists: true\n", "application/yaml", 400, "not valid YAML"),
    # no body at all
    (b"", "application/json", 400, "the request body is empty"),
    # bytes that are not UTF-8
    (b'{"name": "\xff"}', "application/json", 400, "not valid UTF-8"),
    # nesting deeper than the bounded reader allows (the decoder would recurse)
    (b"[" * 60_000, "application/json", 400, "nested more than 32 levels deep"),
    # an integer longer than Python converts
    (b'{"pmo": {"exists": true, "age_months": ' + b"9" * 5000 + b"}}", "application/json", 400,
     "more than 30 digits"),
    # YAML aliases: a few bytes that would expand to millions of values (billion laughs)
    (b"a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
     b"pmo: {exists: true}\nindicators: {influence: *b}\n", "application/yaml", 400,
     "anchors and aliases (&name, *name) are not accepted"),
    # neither JSON nor YAML
    (b"pmo=1", "application/x-www-form-urlencoded", 415, "send the body as application/json"),
    # no Content-Type at all
    (b'{"pmo": {"exists": true}}', None, 415, "without a Content-Type"),
])
def test_a_body_that_cannot_be_read_is_refused_with_a_4xx(
        client: FlaskClient, body: bytes, content_type: str | None, status: int,
        detail: str) -> None:
    response = client.post("/api/v1/diagnoses", data=body, content_type=content_type)
    assert response.status_code == status
    problem = problem_of(response)
    assert problem["type"] == "about:blank"
    assert detail in problem["detail"]


@pytest.mark.parametrize(("body", "field", "message"), [
    # a value out of range
    ({"pmo": {"exists": True}, "indicators": {"influence": 6}}, "indicators.influence",
     "must be between 1.0 and 5.0, got 6.0"),
    # an unknown field
    ({**VALID, "mood": "good"}, "mood", "unknown field; allowed: name, pmo"),
    # an unknown nested field
    ({"pmo": {"exists": True, "size": 3}}, "pmo.size", "unknown field; allowed: exists"),
    # a required field missing
    ({"indicators": {"influence": 3}}, "pmo", "missing data for required field"),
    # a string where a number belongs
    ({"pmo": {"exists": True}, "indicators": {"influence": "high"}}, "indicators.influence",
     "must be a number, got 'high'"),
    # an unknown sign
    ({**VALID, "signs": ["all_good"]}, "signs[0]", "unknown sign 'all_good'"),
    # not a mapping at all
    ([1, 2, 3], "profile", "a profile must be a mapping"),
    # valid but nothing to go on
    ({"pmo": {"exists": True}}, "indicators", "not enough evidence to diagnose"),
])
def test_bad_fields_are_a_422_naming_each_field(client: FlaskClient, body: object, field: str,
                                                message: str) -> None:
    response = client.post("/api/v1/diagnoses", json=body)
    assert response.status_code == 422
    problem = problem_of(response)
    assert problem["type"] == INVALID_INPUT
    assert problem["errors"][0]["field"] == field
    assert problem["errors"][0]["message"].startswith(message)
    assert problem["detail"].startswith(f"{field}: {message}")


@pytest.mark.parametrize("age", [
    1e-05,  # Python writes 1e-05; durable-rules' own reader wants a fraction before an exponent
    0.0,    # the edge of the range, as a plain number
])
def test_any_valid_number_is_diagnosed_not_a_500(client: FlaskClient, age: float) -> None:
    response = client.post("/api/v1/diagnoses", json={"pmo": {"exists": False, "age_months": age}})
    assert response.status_code == 200, response.get_json()


def test_every_bad_field_is_listed_up_to_a_bound(client: FlaskClient) -> None:
    body = {**VALID, **{f"extra_{i}": i for i in range(MAX_FIELD_ERRORS + 10)}}
    problem = problem_of(client.post("/api/v1/diagnoses", json=body))
    assert len(problem["errors"]) == MAX_FIELD_ERRORS
    assert f"({MAX_FIELD_ERRORS + 10} field errors, the first {MAX_FIELD_ERRORS} listed)" \
        in problem["detail"]


def test_a_body_over_the_cap_is_a_413(client: FlaskClient) -> None:
    body = b'{"name": "' + b"x" * MAX_BODY_BYTES + b'"}'
    response = client.post("/api/v1/diagnoses", data=body, content_type="application/json")
    assert response.status_code == 413
    assert str(MAX_BODY_BYTES) in client.get("/openapi.json").get_data(as_text=True)
    problem_of(response)


def test_the_body_cap_follows_the_configuration() -> None:
    client = create_app({"TESTING": True, "MAX_CONTENT_LENGTH": 100}).test_client()
    response = client.post("/api/v1/diagnoses", json={**VALID, "name": "x" * 100})
    assert response.status_code == 413


def test_a_wrong_method_is_a_405_that_keeps_werkzeugs_allow_header(client: FlaskClient) -> None:
    response = client.delete("/api/v1/diagnoses")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"OPTIONS", "POST"}
    problem_of(response)


def test_an_unknown_route_is_a_404_problem(client: FlaskClient) -> None:
    problem = problem_of(client.get("/api/v1/nothing"))
    assert (problem["status"], problem["title"]) == (404, "Not Found")


def test_a_bug_is_logged_and_answered_as_a_500_problem_without_internals(
        client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="api.http.problems"):
        response = client.get("/api/v1/boom")
    assert response.status_code == 500
    problem = problem_of(response)
    assert "a bug" not in problem["detail"] and "RuntimeError" not in problem["detail"]
    assert "RuntimeError: a bug" in caplog.text


@pytest.mark.parametrize(("message", "field", "line"), [
    ("runs must be a whole number from 1 to 1000", "runs",
     "runs must be a whole number from 1 to 1000"),
    ("must be 1 to 5, got 9", "indicators.maturity", "indicators.maturity: must be 1 to 5, got 9"),
    ("unknown strategy 'x'", "strategy", "strategy: unknown strategy 'x'"),
    ("runsx is not known", "runs", "runs: runsx is not known"),
])
def test_an_error_line_names_its_field_once(message: str, field: str, line: str) -> None:
    """The CLI's line and the problem's detail: "workers: workers must be ..." said it twice."""
    from advisor.errors import InputError

    assert InputError(message, field).line == line
    assert InputError(message, field).field == field
