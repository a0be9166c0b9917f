"""Each answer's JSON comes from its one schema (api/schemas), the same for CLI and API."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient
from marshmallow import Schema, fields, pre_dump

from advisor.presets import shipped_profiles
from api.schemas.answers import compiled, schema_for, to_json
from api.service import diagnose, recommend

SHIPPED = list(shipped_profiles())


@pytest.mark.parametrize("preset", SHIPPED)
def test_the_compiled_dumper_writes_what_marshmallow_writes(preset: str) -> None:
    """to_json walks the schema's fields without marshmallow's per-field machinery; the text it
    gives must be marshmallow's own dump of the same object, to the byte."""
    profile = shipped_profiles()[preset].profile
    for result in (diagnose(profile, explain=True), recommend(profile)):
        assert json.dumps(to_json(result)) == json.dumps(schema_for(result)().dump(result))


def test_the_api_and_the_cli_print_the_same_diagnosis(client: FlaskClient, run_cli,
                                                       profile_paths) -> None:
    path = profile_paths["crisis-retailer"]
    cli = run_cli("diagnose", str(path), "--json")
    assert cli.returncode == 0, cli.stderr
    body = client.post("/api/v1/diagnoses", data=path.read_bytes(),
                       headers={"Content-Type": "application/yaml"}).get_json()
    assert json.loads(cli.stdout) == body


def test_a_schema_with_dump_hooks_is_refused_by_the_compiler() -> None:
    class Hooked(Schema):
        a = fields.Integer()

        @pre_dump
        def _adapt(self, data: object, **kwargs: object) -> object:
            return data

    with pytest.raises(TypeError, match="dump hooks"):
        compiled(Hooked)
