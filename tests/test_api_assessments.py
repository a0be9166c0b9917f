"""The assessments API under /api/v1, on SQLite and on PostgreSQL: organizations, cycles,
answers with ETag/If-Match, closing, history, exports and the printable report."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from api.store import close_store

CRISIS_LIKE = {"fact.pmo_exists": True, "fact.age_months": 48,
               "executive_support.funding": 2, "stakeholder_support.participation": 2,
               "autonomy.mandate_clear": 2, "delivery_performance.on_time_budget": 3,
               "sign.artifacts_unused": True, "sign.bureaucracy_complaints": True}


@pytest.fixture
def client(app: Flask, database_url: str) -> Iterator[FlaskClient]:
    """The module's app on a new database of each backend (the store is found per request)."""
    app.config["DATABASE_URL"] = database_url
    with app.test_client() as test_client:
        yield test_client
    close_store(database_url)


def _cycle(client) -> tuple[str, str]:
    """A new organization with an open cycle: (the cycle's path, its ETag)."""
    org = client.post("/api/v1/organizations", json={"name": "Acme"})
    created = client.post(org.headers["Location"] + "/assessments", json={"label": "Q1"})
    assert created.status_code == 201
    return created.headers["Location"], created.headers["ETag"]


def test_questionnaire_lists_items_each_with_its_indicator(client):
    body = client.get("/api/v1/questionnaire").get_json()
    indicator_items = [i for i in body["items"] if i["part"] == "indicator"]
    assert len(indicator_items) >= 36
    assert all(i["indicator"] and len(i["anchors"]) == 5 for i in indicator_items)
    assert body["count"] == len(body["items"])


def test_creating_an_organization_answers_201_with_its_location(client):
    created = client.post("/api/v1/organizations", json={"name": "Acme", "pmo_name": "Acme PMO"})
    assert created.status_code == 201
    assert client.get(created.headers["Location"]).get_json()["pmo_name"] == "Acme PMO"
    again = client.post("/api/v1/organizations", json={"name": "Acme"})
    assert again.status_code == 409 and again.mimetype == "application/problem+json"
    assert again.get_json()["errors"][0]["field"] == "name"


def test_organizations_are_paginated(client):
    for n in range(3):
        client.post("/api/v1/organizations", json={"name": f"Org {n}"})
    page = client.get("/api/v1/organizations?offset=1&limit=1").get_json()
    assert (page["count"], [o["name"] for o in page["items"]]) == (3, ["Org 1"])
    bad = client.get("/api/v1/organizations?limit=1000")
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "limit"


def test_if_match_with_a_stale_etag_is_refused_412(client):
    path, tag = _cycle(client)
    first = client.post(path + "/answers", json={"rater": "ann", "answers": CRISIS_LIKE},
                        headers={"If-Match": tag})
    assert first.status_code == 200 and first.headers["ETag"] != tag
    stale = client.post(path + "/answers", json={"rater": "bob", "answers": CRISIS_LIKE},
                        headers={"If-Match": tag})
    assert stale.status_code == 412
    assert stale.get_json()["errors"][0]["field"] == "If-Match"
    assert [r["name"] for r in client.get(path).get_json()["raters"]] == ["ann"]


@pytest.mark.parametrize("answers, field", [
    ({"no.such.item": 3}, "answers.no.such.item"),               # unknown item id
    ({"influence.consulted": 0}, "answers.influence.consulted"),  # out of range
    ({}, "answers"),                                             # nothing to store
])
def test_bad_answers_are_422_naming_the_field_and_store_nothing(client, answers, field):
    path, _ = _cycle(client)
    bad = client.post(path + "/answers", json={"rater": "ann",
                                               "answers": {**answers}})
    assert bad.status_code == 422
    assert bad.get_json()["errors"][0]["field"] == field
    assert client.get(path).get_json()["raters"] == []


def test_a_closed_cycle_keeps_diagnosis_and_plan_and_refuses_answers_409(client):
    path, _ = _cycle(client)
    client.post(path + "/answers", json={"rater": "ann", "role": "executive",
                                         "answers": CRISIS_LIKE})
    closed = client.post(path + "/close")
    assert closed.status_code == 200
    body = closed.get_json()
    assert body["status"] == "closed" and body["diagnosis"]["scenario"] == body["scenario"]
    assert body["plan"]["services"]
    late = client.post(path + "/answers", json={"rater": "bob", "answers": CRISIS_LIKE})
    assert late.status_code == 409 and late.get_json()["errors"][0]["field"] == "status"
    history = client.get(path.rsplit("/assessments", 1)[0] + "/history").get_json()
    assert history["scenario_path"] == [body["scenario"]]


def test_unknown_organization_is_404_problem(client):
    missing = client.get("/api/v1/organizations/999/assessments")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"


def test_exports_csv_and_xlsx_hold_every_answer(client):
    path, _ = _cycle(client)
    client.post(path + "/answers", json={"rater": "ann", "answers": CRISIS_LIKE})
    exported = client.get(path + "/export.csv")
    assert exported.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert {r["item"]: r["value"] for r in rows}["fact.pmo_exists"] == "yes"
    assert len(rows) == len(CRISIS_LIKE)
    book = load_workbook(io.BytesIO(client.get(path + "/export.xlsx").data))
    assert book.sheetnames == ["Profile", "Answers", "Flywheel"]
    assert book["Answers"].max_row == 1 + len(CRISIS_LIKE)
    assert book["Profile"]["A3"].value == "executive_support"


def test_printable_report_is_one_html_page_with_print_styles(client):
    path, _ = _cycle(client)
    client.post(path + "/answers", json={"rater": "ann", "answers": CRISIS_LIKE})
    client.post(path + "/close")
    report = client.get(path + "/report")
    assert report.mimetype == "text/html"
    html = report.get_data(as_text=True)
    assert "@page" in html and "Combined profile" in html and "Services to focus on" in html


def test_a_simulation_from_a_closed_cycle_is_kept_with_it(client):
    path, _ = _cycle(client)
    early = client.post(path + "/simulations", json={"strategy": "minimal"})
    assert early.status_code == 409 and early.get_json()["errors"][0]["field"] == "status"
    client.post(path + "/answers", json={"rater": "ann", "answers": CRISIS_LIKE})
    client.post(path + "/close")
    run = client.post(path + "/simulations", json={"strategy": "crisis_turnaround", "runs": 10,
                                                   "months": 12, "seed": 3})
    assert run.status_code == 201
    assert run.get_json()["summary"]["runs"] == 10
    again = client.post(path + "/simulations", json={"strategy": "crisis_turnaround", "runs": 10,
                                                     "months": 12, "seed": 3})
    assert again.get_json()["summary"] == run.get_json()["summary"]  # same seed, same result
    assert client.get(path + "/simulations").get_json()["count"] == 2


def test_reading_a_cycle_again_with_its_etag_is_304_not_modified(client):
    path, tag = _cycle(client)
    assert client.get(path, headers={"If-None-Match": tag}).status_code == 304
    client.post(path + "/answers", json={"rater": "ann", "answers": CRISIS_LIKE})
    changed = client.get(path, headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag


def test_pmos_of_an_organization_answer_201_and_the_default_comes_first(client):
    org = client.post("/api/v1/organizations", json={"name": "Acme", "pmo_name": "EPMO"})
    base = org.headers["Location"]
    created = client.post(base + "/pmos", json={"name": "IT PMO", "scope": "departmental"})
    assert created.status_code == 201
    assert client.get(created.headers["Location"]).get_json()["name"] == "IT PMO"
    listed = client.get(base + "/pmos").get_json()
    assert [(p["name"], p["default"]) for p in listed["items"]] == [("EPMO", True),
                                                                      ("IT PMO", False)]
    twice = client.post(base + "/pmos", json={"name": "IT PMO"})
    assert twice.status_code == 409 and twice.get_json()["errors"][0]["field"] == "name"
    bad = client.post(base + "/pmos", json={"name": "Ops", "scope": "galactic"})
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert bad.get_json()["errors"][0]["field"] == "scope"


def test_cycles_under_a_pmo_while_organization_routes_mean_the_default_pmo(client):
    org = client.post("/api/v1/organizations", json={"name": "Acme"})
    base = org.headers["Location"]
    it = client.post(base + "/pmos", json={"name": "IT PMO"}).get_json()
    first = client.post(base + "/assessments", json={})  # the default PMO's
    second = client.post(f"{base}/pmos/{it['id']}/assessments", json={"label": "IT Q1"})
    assert second.status_code == 201 and second.get_json()["number"] == 2
    assert second.get_json()["pmo"] == it["id"] != first.get_json()["pmo"]
    assert client.get(second.headers["Location"]).get_json()["label"] == "IT Q1"
    # answering and closing go through the organization-level cycle URL (numbers are unique)
    client.post(f"{base}/assessments/2/answers", json={"rater": "ann", "answers": CRISIS_LIKE})
    assert client.post(f"{base}/assessments/2/close").status_code == 200
    assert [c["number"] for c in client.get(base + "/assessments").get_json()["items"]] == [1]
    history = client.get(f"{base}/pmos/{it['id']}/history").get_json()
    assert history["pmo"]["name"] == "IT PMO" and len(history["cycles"]) == 1
    assert client.get(base + "/history").get_json()["cycles"] == []
    assert client.get(f"{base}/pmos/{it['id']}/assessments/1").status_code == 404
    # under the PMO too: answering and closing; another PMO's cycle is not found there
    third = client.post(f"{base}/pmos/{it['id']}/assessments", json={}).get_json()["number"]
    under = f"{base}/pmos/{it['id']}/assessments/{third}"
    assert client.post(under + "/answers", json={"rater": "bo", "answers": CRISIS_LIKE}) \
        .status_code == 200
    assert client.post(f"{base}/pmos/{it['id']}/assessments/1/answers",
                       json={"rater": "bo", "answers": CRISIS_LIKE}).status_code == 404
    closed = client.post(under + "/close")
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    assert len(client.get(f"{base}/pmos/{it['id']}/history").get_json()["cycles"]) == 2
    assert client.get(f"{base}/pmos/999/assessments").status_code == 404


def test_every_organizations_cycles_come_in_one_list_with_their_pmos_names(client):
    """GET /assessments: one request for the saved assessments of every organization and PMO,
    by organization, PMO and number; ``status`` filters, ``offset``/``limit`` page."""
    for name in ("Acme", "Brio"):
        base = client.post("/api/v1/organizations", json={"name": name}).headers["Location"]
        it = client.post(base + "/pmos", json={"name": f"{name} IT"}).get_json()["id"]
        for path in (f"{base}/pmos/{it}/assessments", f"{base}/assessments"):
            number = client.post(path, json={}).get_json()["number"]
            client.post(f"{path}/{number}/answers", json={"rater": "ann", "answers": CRISIS_LIKE})
            client.post(f"{path}/{number}/close")
        client.post(base + "/assessments", json={})  # open: not among the closed
    closed = client.get("/api/v1/assessments?status=closed&limit=100").get_json()
    assert closed["count"] == 4
    assert [(c["organization_name"], c["pmo_name"], c["pmo_default"], c["number"], c["status"])
            for c in closed["items"]] == [
        ("Acme", "PMO", True, 2, "closed"), ("Acme", "Acme IT", False, 1, "closed"),
        ("Brio", "PMO", True, 2, "closed"), ("Brio", "Brio IT", False, 1, "closed")]
    assert all(c["scenario"] and c["rater_count"] == 1 for c in closed["items"])
    every = client.get("/api/v1/assessments").get_json()
    assert every["count"] == 6 and every["limit"] == 20
    page = client.get("/api/v1/assessments?offset=1&limit=2").get_json()
    assert [c["number"] for c in page["items"]] == [3, 1]  # Acme's open cycle, then Acme IT's
    assert client.get("/api/v1/assessments?status=open").get_json()["count"] == 2


@pytest.mark.parametrize(("query", "field"), [
    ("status=pending", "status"),  # only open or closed
    ("limit=101", "limit"),        # a page is at most 100
    ("colour=red", "colour"),      # no such parameter
])
def test_a_bad_query_of_the_cycle_list_is_422_naming_it(client, query, field):
    answer = client.get(f"/api/v1/assessments?{query}")
    assert answer.status_code == 422 and answer.mimetype == "application/problem+json"
    assert answer.get_json()["errors"][0]["field"] == field


def test_the_documented_cycle_list_example_is_what_the_service_answers(client, database_url):
    from api.schemas.examples import cycle_page_example
    from api.store import open_store
    from api.store.sheets import load_example

    load_example(open_store(database_url))
    answer = client.get("/api/v1/assessments?status=closed&limit=2").get_json()
    example = cycle_page_example()

    def untimed(page: dict) -> list[dict]:
        return [{k: v for k, v in c.items() if not k.endswith("_at")} for c in page["items"]]
    assert untimed(answer) == untimed(example)
    assert {k: v for k, v in answer.items() if k != "items"} == \
        {k: v for k, v in example.items() if k != "items"}


def test_the_cycle_list_example_is_in_the_document_though_no_route_reads_data_on_import(client):
    """The example reads the questionnaire's version, so the route gives it as a function that
    the document calls when it is built (tests/test_imports.py forbids reading data on import)."""
    from api.schemas.examples import cycle_page_example

    document = client.get("/openapi.json").get_json()
    answer = document["paths"]["/api/v1/assessments"]["get"]["responses"]["200"]
    assert answer["content"]["application/json"]["example"] == cycle_page_example()
