"""CORS: off by default, and for the configured origins only (PMO_ADVISOR_CORS_ORIGINS)."""

from __future__ import annotations

import pytest

from api.http import create_app

SITE = "https://pmo.example"


def test_without_configured_origins_no_cors_header_is_ever_sent() -> None:
    client = create_app({"TESTING": True}).test_client()
    answer = client.get("/api/v1/health", headers={"Origin": SITE})
    assert answer.status_code == 200
    assert "Access-Control-Allow-Origin" not in answer.headers
    preflight = client.options("/api/v1/diagnoses", headers={
        "Origin": SITE, "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in preflight.headers


def test_a_configured_origin_may_call_and_another_may_not(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMO_ADVISOR_CORS_ORIGINS", f"{SITE}, https://other.example")
    client = create_app({"TESTING": True}).test_client()
    answer = client.get("/api/v1/shocks", headers={"Origin": SITE})
    assert answer.headers["Access-Control-Allow-Origin"] == SITE
    assert "Origin" in answer.headers["Vary"]
    stranger = client.get("/api/v1/shocks", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in stranger.headers
    page = client.get("/diagnose", headers={"Origin": SITE})  # pages are not shared
    assert "Access-Control-Allow-Origin" not in page.headers


def test_a_preflight_is_answered_without_a_key_but_the_call_still_needs_one() -> None:
    client = create_app({"TESTING": True, "CORS_ORIGINS": SITE,
                         "API_KEYS": "k1"}).test_client()
    preflight = client.options("/api/v1/diagnoses", headers={
        "Origin": SITE, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == SITE
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    keyless = client.post("/api/v1/diagnoses", json={}, headers={"Origin": SITE})
    assert keyless.status_code == 401
    assert keyless.headers["Access-Control-Allow-Origin"] == SITE  # the browser sees the 401
