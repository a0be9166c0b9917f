"""The memory's answers (organizations, PMOs, cycles, history, kept runs) are their schemas'
dumps (``api/schemas/assessments.py``), and the contract as it stood: the shipped example
organization, loaded into a fresh SQLite store, read through the API and ``history --json``, is
the same text as the goldens captured from the hand-built dicts
(``tests/golden/memory.answer.json``; times masked)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from marshmallow import Schema
from werkzeug.test import TestResponse

from advisor.documents import read_document
from api.http import create_app
from api.schemas.answers import to_json
from api.schemas.assessments import (
    AssessedPmoSchema,
    CycleSchema,
    CycleSummarySchema,
    HistorySchema,
    OrganizationSchema,
    SimulationRunSchema,
)
from api.store import close_store, open_store
from api.store.sheets import EXAMPLE_ORGANIZATION, examples, load_example

GOLDEN = Path(__file__).parent / "golden" / "memory.answer.json"
_TIME = re.compile(r'"(created_at|closed_at)": "[^"]+"')

#: every JSON answer of the memory, by the route that gives it
ROUTES = ("/api/v1/organizations", "/api/v1/organizations/1", "/api/v1/organizations/1/history",
          "/api/v1/organizations/1/pmos", "/api/v1/organizations/1/pmos/1",
          "/api/v1/organizations/1/pmos/1/history", "/api/v1/organizations/1/assessments",
          "/api/v1/organizations/1/assessments/1", "/api/v1/organizations/1/assessments/2",
          "/api/v1/organizations/1/assessments/4",
          "/api/v1/organizations/1/assessments/2/simulations")

#: the writes' answers, in order (a second organization, its second PMO, a cycle answered, closed)
WRITES = (("/api/v1/organizations", {"name": "Second", "pmo_name": "EPMO"}),
          ("/api/v1/organizations/2/pmos", {"name": "IT PMO", "scope": "departmental"}),
          ("/api/v1/organizations/2/assessments", {"label": "first"}),
          ("/api/v1/organizations/2/assessments/1/answers",
           {"rater": "Bo", "role": "executive", "answers": "the example's first sheet"}),
          ("/api/v1/organizations/2/assessments/1/close", None),
          ("/api/v1/organizations/2/pmos/3/assessments", {"label": "IT"}))


def _masked(value: Any) -> str:
    return _TIME.sub(r'"\1": "TIME"', json.dumps(value, indent=2))


def _fill(url: str) -> None:
    """The example organization, an open cycle with one answer, and a kept run."""
    store = open_store(url)
    load_example(store)
    number = store.create_cycle(1, "open one").number
    store.answer(1, number, "Ana", {"executive_support.funding": 4}, role="executive")
    store.add_simulation_run(1, 2, "hold", 7, {"months": 12, "runs": 3, "value": 1.5})


@pytest.fixture(scope="module")
def memory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('memory') / 'memory.sqlite3'}"
    _fill(url)
    yield url
    close_store(url)


@pytest.fixture(scope="module")
def app(memory: str) -> Flask:
    return create_app({"TESTING": True, "DATABASE_URL": memory})


def _answer(response: TestResponse) -> dict[str, Any]:
    """The ETag and the body in the order the server wrote it (``get_json`` keeps it too, but
    the text is what the contract is)."""
    return {"etag": response.headers.get("ETag"),
            "body": json.loads(response.get_data(as_text=True))}


def answers(client: FlaskClient) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for route in ROUTES:
        response = client.get(route)
        assert response.status_code == 200, (route, response.get_json())
        out[route] = _answer(response)
    for route, body in WRITES:
        if body and body.get("answers"):
            first = read_document(examples()[EXAMPLE_ORGANIZATION], "example")
            body = {**body, "answers": first["cycles"][0]["sheets"][0]["answers"]}
        response = client.post(route, json=body)
        assert response.status_code in (200, 201), (route, response.get_json())
        out[f"POST {route}"] = _answer(response)
    return out


def test_each_memory_answer_is_the_contract_to_the_byte(database_url: str) -> None:
    """Every route's answer and ETag, from a fresh database."""
    _fill(database_url)
    try:
        with create_app({"TESTING": True, "DATABASE_URL": database_url}).test_client() as client:
            text = _masked(answers(client)) + "\n"
    finally:
        close_store(database_url)
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_history_json_of_the_cli_is_the_apis_history(client: FlaskClient, memory: str,
                                                     run_cli) -> None:
    cli = run_cli("history", "1", "--json", "--database", memory)
    assert cli.returncode == 0, cli.stderr
    api = client.get("/api/v1/organizations/1/history").get_json()
    assert json.loads(cli.stdout) == api
    assert cli.stdout == json.dumps(api, indent=2) + "\n"


def test_the_compiled_dumper_writes_what_marshmallow_writes_for_each_memory_record(
        memory: str) -> None:
    """Each record the store gives is dumped the same by marshmallow and by ``to_json`` (so
    the document and the answer state one shape), an open and a closed cycle alike."""
    store = open_store(memory)
    records: list[tuple[Any, type[Schema]]] = [
        (store.organization(1), OrganizationSchema), (store.pmo(1), AssessedPmoSchema),
        (store.cycle(1, 1), CycleSchema), (store.cycle(1, 4), CycleSchema),
        (store.cycles(1)[0], CycleSummarySchema), (store.history(1), HistorySchema),
        (store.simulation_runs(1, 2)[0], SimulationRunSchema)]
    for record, schema in records:
        assert json.dumps(schema().dump(record)) == json.dumps(to_json(record, schema))
    assert "plan" in to_json(store.cycle(1, 1), CycleSchema)
    assert "plan" not in to_json(store.cycle(1, 4), CycleSchema)
