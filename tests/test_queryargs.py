"""A remembered query string loads as webargs loads it; anything else still goes through webargs
(issue 13: query parsing was 5-6% of a diagnosis' application CPU)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from marshmallow import RAISE

from advisor.presets import preset_path, read_document
from api.http.openapi import ApiBlueprint
from api.http.queryargs import RememberingParser
from api.schemas.diagnosis import DiagnosisQuerySchema


def _document() -> dict[str, Any]:
    return read_document(preset_path("kickoff-fintech"))


def test_the_same_query_string_gets_the_same_answer_each_time(client) -> None:
    first = client.post("/api/v1/diagnoses?explain=false", json=_document())
    again = client.post("/api/v1/diagnoses?explain=false", json=_document())
    assert first.status_code == again.status_code == 200
    assert first.get_json() == again.get_json()
    assert "counterfactuals" not in first.get_json()
    explained = client.post("/api/v1/diagnoses?explain=true", json=_document()).get_json()
    assert explained["counterfactuals"]   # another string, another remembered answer


def test_a_bad_query_is_refused_naming_its_field_every_time(client) -> None:
    for _ in range(3):
        bad = client.post("/api/v1/diagnoses?explain=maybe", json=_document())
        assert bad.status_code == 422
        assert bad.mimetype == "application/problem+json"
        assert "explain" in bad.get_data(as_text=True)
        unknown = client.post("/api/v1/diagnoses?explain=false&color=red", json=_document())
        assert unknown.status_code == 422
        assert "color" in unknown.get_data(as_text=True)


def test_remembered_arguments_are_a_fresh_dict_each_time() -> None:
    parser = RememberingParser()
    schema = DiagnosisQuerySchema()
    app = Flask(__name__)
    with app.test_request_context("/?explain=1"):
        first = parser.parse(schema, location="query", unknown=RAISE)
        first["explain"] = "spoiled"
    with app.test_request_context("/?explain=1"):
        assert parser.parse(schema, location="query", unknown=RAISE) == {"explain": True}
    with app.test_request_context("/"):
        assert parser.parse(schema, location="query", unknown=RAISE) == {"explain": False}
    assert len(parser._remembered) == 2


def test_every_api_blueprint_parses_through_the_remembering_parser() -> None:
    assert isinstance(ApiBlueprint.ARGUMENTS_PARSER, RememberingParser)
