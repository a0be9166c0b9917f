"""The API's routes answer as their contracts say: health, catalog, diagnoses, advice, profiles."""

from __future__ import annotations

import json
import subprocess
import sys
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from marshmallow import Schema

import scenarios
from advisor import __version__
from advisor.assessment import load_profile, read_document
from advisor.catalog import KINDS
from advisor.patch import merge_patch
from api.schemas.advice import AdviceSchema
from api.schemas.answers import to_json
from api.schemas.diagnosis import DiagnosisSchema
from rules.advice import recommend
from rules.diagnosis import diagnose
from rules.diagnosis_table import load_diagnosis_table

PROFILES = scenarios.documents("profiles")
SHIPPED = list(PROFILES.values())


def as_json(value: object) -> object:
    return json.loads(json.dumps(value))


def test_health_names_the_version_and_the_ruleset(client: FlaskClient) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "version": __version__,
                                   "ruleset_version": load_diagnosis_table().version}


def test_catalog_summary_counts_every_kind(client: FlaskClient) -> None:
    counts = client.get("/api/v1/catalog").get_json()
    assert list(counts) == list(KINDS)
    assert (counts["scenarios"], counts["services"], counts["approaches"], counts["outcomes"],
            counts["competencies"], counts["flywheel"]) == (8, 26, 6, 30, 30, 10)


@pytest.mark.parametrize("kind", KINDS)
def test_each_catalog_kind_lists_its_items_in_the_guides_order(client: FlaskClient,
                                                               kind: str) -> None:
    from api.cli.catalog import catalog_items

    body = client.get(f"/api/v1/catalog/{kind}").get_json()
    assert body == {"count": len(catalog_items(kind)), "items": as_json(catalog_items(kind))}


def test_an_unknown_catalog_kind_is_a_404(client: FlaskClient) -> None:
    response = client.get("/api/v1/catalog/unicorns")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize(("route", "conclude", "schema"), [
    ("/api/v1/diagnoses?explain=true", partial(diagnose, explain=True),  # diagnose --json
     DiagnosisSchema),
    ("/api/v1/diagnoses", partial(diagnose, explain=False), DiagnosisSchema),
    ("/api/v1/recommendations", recommend, AdviceSchema),  # pmo-advisor recommend --json
], ids=["diagnosis-explained", "diagnosis", "advice"])
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_an_answer_is_the_cli_json_contract(client: FlaskClient, route: str, conclude: Any,
                                            schema: type[Schema], path: Path) -> None:
    response = client.post(route, json=read_document(path))
    assert response.status_code == 200
    body = response.get_json()
    assert body == as_json(to_json(conclude(load_profile(path))))
    assert schema().validate(body) == {}


def test_a_profile_may_be_posted_as_yaml(client: FlaskClient) -> None:
    path = PROFILES["crisis-retailer"]
    response = client.post("/api/v1/diagnoses", data=path.read_bytes(),
                           content_type="application/yaml")
    assert response.status_code == 200
    assert response.get_json()["scenario"] == "crisis"


def test_profiles_lists_every_shipped_profile_with_its_description(client: FlaskClient) -> None:
    body = client.get("/api/v1/profiles").get_json()
    assert [p["id"] for p in body["items"]] == [p.stem for p in SHIPPED]
    assert body["count"] == len(SHIPPED)
    retailer = next(p for p in body["items"] if p["id"] == "crisis-retailer")
    assert retailer["name"] == "Brightmart PMO"
    assert retailer["description"].startswith("A retailer's PMO, four years old")


def test_a_shipped_profile_comes_back_ready_to_diagnose(client: FlaskClient) -> None:
    entry = client.get("/api/v1/profiles/thriving-energy").get_json()
    assert entry["id"] == "thriving-energy"
    diagnosis = client.post("/api/v1/diagnoses", json=entry["profile"]).get_json()
    assert diagnosis["scenario"] == "thriving"


@pytest.mark.parametrize("profile_id", [
    "no-such-profile",       # not shipped
    "..%2Fconftest",         # a path, encoded: ids are looked up, never joined into a path
    "crisis-retailer.yaml",  # the file name is not the id
])
def test_an_unknown_profile_is_a_404_problem(client: FlaskClient, profile_id: str) -> None:
    response = client.get(f"/api/v1/profiles/{profile_id}")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_creating_the_app_builds_no_rules_engine() -> None:
    """A server may create the app before it forks: the engine must wait for the first
    diagnosis, in the process that serves it (a fresh interpreter, so no other test interferes)."""
    script = ("import rules.gateway as g; from api.http import create_app; "
              "c = create_app().test_client(); c.get('/api/v1/health'); c.get('/'); "
              "print(g._gateway is None or g._gateway._host is None)")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120)
    assert result.stdout.strip() == "True", result.stderr


def test_a_diagnosis_says_what_would_change_it_only_when_asked(client: FlaskClient) -> None:
    """explain is opt-in on the API (the search costs 10-40x the diagnosis); what it gives,
    applied as merge patches and posted again, is diagnosed as it says."""
    document = read_document(PROFILES["crisis-mature-bank"])
    full = client.post("/api/v1/diagnoses?explain=true", json=document).get_json()
    assert full["counterfactuals"] and 0 < full["coverage"] <= 1
    for counterfactual in full["counterfactuals"]:
        patched = merge_patch(document, counterfactual["profile_patch"])
        again = client.post("/api/v1/diagnoses", json=patched).get_json()
        assert again["scenario"] == counterfactual["scenario"], counterfactual
    quick = client.post("/api/v1/diagnoses", json=document).get_json()
    assert "counterfactuals" not in quick and quick["scenario"] == full["scenario"]
    assert client.post("/api/v1/diagnoses?explain=false", json=document).get_json() == quick
    bad = client.post("/api/v1/diagnoses?explain=maybe", json=document)
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert "explain" in bad.get_data(as_text=True)
