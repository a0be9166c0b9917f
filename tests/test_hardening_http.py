"""Hardening of the HTTP service, in-process: admission control, settings checked at start,
security headers, trusted hosts, strict ids, chunked bodies over the cap.

The same behaviours against the real server (waitress's own errors, slow clients, a soak) are in
tests/test_hostile_server.py.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from advisor.errors import InputError
from api.http import create_app
from api.http.admission import COSTLY_ENDPOINTS, RETRY_AFTER, Budget
from api.http.headers import SECURITY_HEADERS

SMALL_SIMULATION = {"preset": "kickoff-fintech", "strategy": "minimal", "months": 6, "runs": 2}


def budget_of(app: Flask) -> Budget:
    budget: Budget = app.extensions["pmo-advisor.admission"]
    return budget


def test_a_costly_request_over_the_service_budget_is_a_503_with_retry_after_at_once() -> None:
    app = create_app({"TESTING": True, "COSTLY_REQUESTS": 1})
    budget_of(app).enter(None)  # one simulation already running
    response = app.test_client().post("/api/v1/simulations", json=SMALL_SIMULATION)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER)
    assert response.mimetype == "application/problem+json"
    assert "already runs 1 costly request" in response.get_json()["detail"]


def test_cheap_routes_pass_while_the_costly_budget_is_spent() -> None:
    app = create_app({"TESTING": True, "COSTLY_REQUESTS": 1})
    budget_of(app).enter(None)
    client = app.test_client()
    assert client.get("/api/v1/health").status_code == 200
    assert client.post("/api/v1/diagnoses", json={"pmo": {"exists": False}}).status_code == 200


def test_one_key_over_its_share_is_a_429_while_another_key_still_runs() -> None:
    app = create_app({"TESTING": True, "API_KEYS": "alpha,beta", "COSTLY_REQUESTS": 2,
                      "COSTLY_REQUESTS_PER_KEY": 1})
    budget_of(app).enter(hashlib.sha256(b"alpha").hexdigest())  # alpha runs one already
    client = app.test_client()
    alpha = client.post("/api/v1/simulations", json=SMALL_SIMULATION,
                        headers={"Authorization": "Bearer alpha"})
    beta = client.post("/api/v1/simulations", json=SMALL_SIMULATION,
                       headers={"Authorization": "Bearer beta"})
    assert alpha.status_code == 429
    assert alpha.headers["Retry-After"] == str(RETRY_AFTER)
    assert beta.status_code == 200
    assert budget_of(app).running == 1  # beta's slot was given back


def test_the_budget_is_given_back_after_a_refused_or_failed_request() -> None:
    app = create_app({"TESTING": True, "COSTLY_REQUESTS": 1})
    client = app.test_client()
    assert client.post("/api/v1/simulations", json={"strategy": "nope"}).status_code == 422
    assert client.post("/api/v1/simulations", json=SMALL_SIMULATION).status_code == 200
    assert budget_of(app).running == 0


def test_a_simulation_stops_once_its_client_has_gone() -> None:
    """waitress tells the app (environ["waitress.client_disconnected"]); the run stops at the
    next progress tick instead of burning CPU for nobody."""
    app = create_app({"TESTING": True})
    checks: list[int] = []

    def gone() -> bool:
        checks.append(1)
        return True

    response = app.test_client().post(
        "/api/v1/simulations", json={**SMALL_SIMULATION, "runs": 200},
        environ_overrides={"waitress.client_disconnected": gone})
    assert response.status_code == 503
    assert "client closed the connection" in response.get_json()["detail"]
    assert checks == [1]  # stopped at the first check: 10 of 200 runs
    assert budget_of(app).running == 0


def test_the_costly_endpoints_exist() -> None:
    """A renamed view would silently escape the budget."""
    app = create_app({"TESTING": True})
    assert COSTLY_ENDPOINTS <= set(app.view_functions)


@pytest.mark.parametrize(("setting", "value", "message"), [
    ("MAX_CONTENT_LENGTH", "lots", "must be a whole number from 1 "),  # not a number
    ("MAX_CONTENT_LENGTH", 0, "must be a whole number from 1 "),       # no body at all
    ("SIMULATION_MAX_RUN_MONTHS", 1.5, "must be a whole number"),        # not whole
    ("COSTLY_REQUESTS", True, "must be a whole number"),                 # a boolean
    ("COSTLY_REQUESTS_PER_KEY", 5, "must not exceed PMO_ADVISOR_COSTLY_REQUESTS"),
    ("API_KEYS", " , ", "is set but holds no key"),                      # auth silently off
    ("TRUSTED_HOSTS", 42, "must be host names"),
    ("JOBS", "maybe", "must be true or false"),
    ("JOBS_MAX_ACTIVE", 0, "must be a whole number from 1 "),            # no job could run
])
def test_a_bad_setting_refuses_to_build_the_app(setting: str, value: Any, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        create_app({"TESTING": True, setting: value})
    assert caught.value.field == f"PMO_ADVISOR_{setting}"


def test_settings_from_the_environment_are_read_as_whole_numbers(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMO_ADVISOR_MAX_CONTENT_LENGTH", "2048")
    monkeypatch.setenv("PMO_ADVISOR_TRUSTED_HOSTS", "a.example, b.example")
    app = create_app({"TESTING": True})
    assert app.config["MAX_CONTENT_LENGTH"] == 2048
    assert app.config["TRUSTED_HOSTS"] == ["a.example", "b.example"]


@pytest.mark.parametrize("path", ["/", "/docs", "/api/v1/health", "/api/v1/nothing-here"])
def test_every_answer_carries_the_security_headers(path: str) -> None:
    response = create_app({"TESTING": True}).test_client().get(path)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_swagger_keeps_no_key_in_local_storage() -> None:
    script = Path(__file__).resolve().parent.parent / "api" / "http" / "static" / "docs.js"
    assert "persistAuthorization: false" in script.read_text()


@pytest.mark.parametrize(("host", "status"), [
    ("localhost", 200),
    ("127.0.0.1:8000", 200),
    ("attacker.example", 400),        # DNS rebinding: a name of theirs resolving to 127.0.0.1
    ("localhost.attacker.example", 400),
])
def test_a_loopback_server_answers_only_to_loopback_names(host: str, status: int) -> None:
    app = create_app({"TESTING": True, "TRUSTED_HOSTS": ["localhost", "127.0.0.1", "[::1]",
                                                         "::1"]})
    response = app.test_client().get("/api/v1/health", headers={"Host": host})
    assert response.status_code == status
    if status == 400:
        assert response.mimetype == "application/problem+json"


#: what a server that de-chunks a body tells the app (gunicorn does; waitress buffers the body
#: and gives its length instead)
CHUNKED = {"wsgi.input_terminated": True}


def test_a_chunked_body_over_the_cap_is_a_413_not_cut_and_diagnosed() -> None:
    app = create_app({"TESTING": True, "MAX_CONTENT_LENGTH": 2048})
    body = b'{"pmo": {"exists": true}, "signs": [' + b'"x",' * 1000 + b'"y"]}'
    response = app.test_client().post(
        "/api/v1/diagnoses", input_stream=io.BytesIO(body), content_type="application/json",
        headers={"Transfer-Encoding": "chunked"}, environ_overrides=CHUNKED)
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"


def test_a_chunked_body_under_the_cap_is_read_whole() -> None:
    app = create_app({"TESTING": True, "MAX_CONTENT_LENGTH": 2048})
    response = app.test_client().post(
        "/api/v1/diagnoses", input_stream=io.BytesIO(b'{"pmo": {"exists": false}}'),
        content_type="application/json", headers={"Transfer-Encoding": "chunked"},
        environ_overrides=CHUNKED)
    assert response.status_code == 200



def test_a_json_body_shorter_than_its_content_length_is_a_400_not_diagnosed() -> None:
    # the plain JSON path reads Content-Length bytes straight from the server's input
    body = b'{"pmo": {"exists": false}}'
    response = create_app({"TESTING": True}).test_client().post(
        "/api/v1/diagnoses", input_stream=io.BytesIO(body), content_type="application/json",
        environ_overrides={"CONTENT_LENGTH": str(len(body) + 10)})
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


def test_a_json_body_whose_content_length_is_over_the_cap_is_a_413_unread() -> None:
    stream = io.BytesIO(b'{"pmo": {"exists": false}}' + b" " * 3000)
    response = create_app({"TESTING": True, "MAX_CONTENT_LENGTH": 2048}).test_client().post(
        "/api/v1/diagnoses", input_stream=stream, content_type="application/json",
        environ_overrides={"CONTENT_LENGTH": "3026"})
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert stream.tell() == 0


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8",
                                          "application/problem+json", "Application/JSON"])
def test_a_json_body_reads_the_same_whatever_way_its_type_is_written(content_type: str) -> None:
    client = create_app({"TESTING": True}).test_client()
    profile = (b'{"pmo": {"exists": true, "age_months": 30}, '
               b'"indicators": {"executive_support": 2.0}}')
    plain = client.post("/api/v1/diagnoses", data=profile, content_type="application/json")
    other = client.post("/api/v1/diagnoses", data=profile, content_type=content_type)
    assert plain.status_code == other.status_code == 200
    assert plain.data == other.data
@pytest.mark.parametrize(("services", "field"), [
    ({"1\u00b2": {"maturity": 3}}, "services.1\\xb2"),       # superscript: isdigit, not int
    ({"\u0663": {"maturity": 3}}, "services.\\u0663"),        # Arabic-Indic 3: not service 3
    ({"9" * 5000: {"maturity": 3}}, "services." + "9" * 64 + "..."),  # a short excerpt
])
def test_a_service_id_is_a_catalog_id_or_an_ascii_number(services: dict[str, Any],
                                                         field: str) -> None:
    response = create_app({"TESTING": True}).test_client().post(
        "/api/v1/recommendations", json={"pmo": {"exists": True}, "services": services})
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["errors"][0]["field"] == field
    assert len(response.data) < 2000


@pytest.mark.parametrize("seed", [
    "\u0663",   # Arabic-Indic 3: int() reads 3
    "3_0",      # int() reads 30
    " +3",      # int() reads 3
    "9" * 5000,  # over int()'s digits: refused, echoed short
])
def test_a_seed_in_the_query_is_ascii_digits_only(seed: str) -> None:
    response = create_app({"TESTING": True}).test_client().get(
        "/api/v1/stories/crisis-to-resurgence", query_string={"seed": seed})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "seed"
    assert "must be a whole number in ASCII digits" in response.get_json()["detail"]
    assert len(response.data) < 1000


@pytest.mark.parametrize("org", [
    "\u0663",     # Arabic-Indic 3: Werkzeug's int converter read it as organization 3
    "9" * 5000,   # no int() of thousands of digits
    "1e3",
])
def test_an_id_in_the_url_is_an_ascii_number(org: str) -> None:
    response = create_app({"TESTING": True}).test_client().get(f"/api/v1/organizations/{org}")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert "requested URL was not found" in response.get_json()["detail"]  # no route, no lookup
