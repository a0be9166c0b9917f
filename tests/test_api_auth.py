"""Optional API keys: configured keys guard every API route but /health, in constant time."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from api.http import create_app
from api.http.auth import key_digest, key_is_known, parse_keys

KEYS = "first-key, second-key"


@pytest.fixture(scope="module")
def app_config() -> dict:
    return {"TESTING": True, "API_KEYS": KEYS}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.parametrize("headers", [
    {},                                      # no Authorization header
    bearer("wrong-key"),                     # a key that is not configured
    {"Authorization": "Basic Zmlyc3Q6a2V5"},  # another scheme
    {"Authorization": "Bearer "},            # the scheme without a key
    bearer("first-key, second-key"),         # the whole setting is not a key
])
def test_a_guarded_route_without_a_valid_key_is_a_401_problem(client: FlaskClient,
                                                              headers: dict[str, str]) -> None:
    response = client.get("/api/v1/profiles", headers=headers)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer realm=pmo-advisor")
    assert response.get_json()["status"] == 401


@pytest.mark.parametrize("key", ["first-key", "second-key"])  # every configured key works
def test_any_configured_key_opens_every_route(client: FlaskClient, key: str) -> None:
    assert client.get("/api/v1/profiles", headers=bearer(key)).status_code == 200
    assert client.post("/api/v1/diagnoses", headers=bearer(key),
                       json={"pmo": {"exists": False}}).status_code == 200


def test_the_scheme_name_is_case_insensitive(client: FlaskClient) -> None:
    assert client.get("/api/v1/catalog", headers={"Authorization": "bearer first-key"}
                      ).status_code == 200


def test_a_wrong_key_is_named_an_invalid_token(client: FlaskClient) -> None:
    response = client.get("/api/v1/profiles", headers=bearer("wrong-key"))
    assert response.headers["WWW-Authenticate"] == \
        'Bearer realm=pmo-advisor, error=invalid_token'
    assert response.get_json()["detail"] == "the API key is not valid"


def test_unknown_api_routes_are_guarded_too(client: FlaskClient) -> None:
    assert client.get("/api/v1/secret-admin").status_code == 401


def test_health_docs_and_pages_stay_open(client: FlaskClient) -> None:
    for path in ("/api/v1/health", "/openapi.json", "/docs", "/", "/diagnose"):
        assert client.get(path).status_code == 200, path


def test_the_openapi_document_declares_the_bearer_requirement(client: FlaskClient) -> None:
    document = client.get("/openapi.json").get_json()
    assert document["security"] == [{"bearerAuth": []}]
    assert document["paths"]["/api/v1/health"]["get"]["security"] == []
    assert "401" in document["paths"]["/api/v1/diagnoses"]["post"]["responses"]


def test_without_keys_the_api_is_open() -> None:
    client = create_app({"TESTING": True, "API_KEYS": ""}).test_client()
    assert client.get("/api/v1/profiles").status_code == 200
    assert "security" not in client.get("/openapi.json").get_json()


@pytest.mark.parametrize(("setting", "keys"), [
    ("a,b", ("a", "b")),             # the environment's comma-separated form
    (" a , ,b ", ("a", "b")),        # blanks and empty entries are dropped
    (["a", " b"], ("a", "b")),       # a list, from a test or code
    ("", ()),                         # nothing: the API is open
])
def test_keys_are_read_from_a_string_or_a_list(setting: object, keys: tuple[str, ...]) -> None:
    assert parse_keys(setting) == keys  # type: ignore[arg-type]


def test_every_key_is_compared_even_after_a_match(monkeypatch: pytest.MonkeyPatch) -> None:
    """No early exit: the time taken does not tell which key matched."""
    import api.http.auth

    compared: list[bytes] = []
    real = api.http.auth.hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append(b)
        return real(a, b)

    monkeypatch.setattr(api.http.auth.hmac, "compare_digest", spy)
    digests = (key_digest("a"), key_digest("b"), key_digest("c"))
    assert key_is_known("a", digests)
    assert compared == list(digests)
