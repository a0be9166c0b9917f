"""Each answer's JSON comes from its one schema (api/schemas), the same for CLI and API:
diagnosis and advice, the simulation's experiment, comparison, baseline and story, jobs, the
questionnaire, the combined raters, a rule table and a sweep."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from marshmallow import Schema, fields, pre_dump

from advisor.combination import Combined, RaterAnswers, combine
from advisor.documents import read_document
from advisor.presets import shipped_profiles
from advisor.questionnaire import load_questionnaire
from api import service
from api.schemas.answers import compiled, schema_for, to_json
from api.schemas.assessments import CombinedSchema, QuestionnaireSchema
from api.schemas.jobs import JobSchema
from api.schemas.library import ShockSchema, StorySchema
from api.schemas.plain import OptionalKeys
from api.schemas.simulation import SweepResultSchema
from api.service import diagnose, recommend
from api.store.jobs import Job
from api.store.sheets import EXAMPLE_ORGANIZATION, examples
from simulation.sweeps import parse_sweep, run_sweep

SHIPPED = list(shipped_profiles())


@pytest.mark.parametrize("preset", SHIPPED)
def test_the_compiled_dumper_writes_what_marshmallow_writes(preset: str) -> None:
    """to_json walks the schema's fields without marshmallow's per-field machinery; the text it
    gives must be marshmallow's own dump of the same object, to the byte."""
    profile = shipped_profiles()[preset].profile
    for result in (diagnose(profile, explain=True), diagnose(profile, explain=False),
                   recommend(profile)):
        assert json.dumps(to_json(result)) == json.dumps(schema_for(result)().dump(result))


def test_the_api_and_the_cli_print_the_same_diagnosis(client: FlaskClient, run_cli,
                                                       profile_paths) -> None:
    path = profile_paths["crisis-retailer"]
    cli = run_cli("diagnose", str(path), "--json")
    assert cli.returncode == 0, cli.stderr
    body = client.post("/api/v1/diagnoses?explain=true", data=path.read_bytes(),
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


# -- the simulation's answers ---------------------------------------------------------------------

GOLDEN = Path(__file__).parent / "golden"

#: each simulation answer, small and seeded; ``tests/golden/<name>.answer.json`` is its JSON as
#: ``pmo-advisor ... --json`` prints it (written by the hand-made ``to_dict`` these schemas
#: replaced). A change to the model or the rules changes the numbers on purpose: check that the
#: change is the one intended, then rewrite the file with ``json.dumps(to_json(result),
#: indent=2) + "\n"``.
SIMULATION_ANSWERS: dict[str, Callable[[], Any]] = {
    "experiment": lambda: service.simulate(
        "crisis-retailer", "crisis_turnaround", months=6, runs=8, seed=7, shocks=["merger@2"],
        relaunch_strategy="quick_wins", workers=1),
    "comparison": lambda: service.compare(
        "growing-telecom", ["customer_centric", "quick_wins"], months=4, runs=6, seed=3,
        workers=1),
    "baseline": lambda: service.simulate_with_baseline(
        "kickoff-fintech", "quick_wins", months=4, runs=6, seed=5, shocks=["sponsor_change@2"],
        workers=1),
    "story": lambda: service.tell_story("kickoff-to-thriving"),
}


def _golden(name: str) -> str:
    return (GOLDEN / f"{name}.answer.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", SIMULATION_ANSWERS)
def test_a_simulation_answer_is_its_schemas_dump_and_the_contract_to_the_byte(name: str) -> None:
    """The schema is the one statement of the answer: marshmallow's own dump, the compiled
    dumper and the contract as it stood (the golden file) are the same text."""
    result = SIMULATION_ANSWERS[name]()
    text = json.dumps(to_json(result), indent=2) + "\n"
    assert text == _golden(name)
    assert json.dumps(schema_for(result)().dump(result), indent=2) + "\n" == text


def test_the_story_and_shock_listings_are_their_schemas_dump() -> None:
    for item, schema in [*((s, StorySchema) for s in service.stories()),
                         *((s, ShockSchema) for s in service.shocks())]:
        assert json.dumps(to_json(item)) == json.dumps(schema().dump(item))


@pytest.mark.slow      # a child process: about 4 s
def test_the_cli_prints_the_baseline_answer_to_the_byte(run_cli) -> None:
    cli = run_cli("simulate", "--profile", "kickoff-fintech", "--strategy", "quick_wins",
                  "--months", "4", "--runs", "6", "--seed", "5", "--shock", "sponsor_change@2",
                  "--baseline", "--workers", "1", "--json")
    assert cli.returncode == 0, cli.stderr
    assert cli.stdout == _golden("baseline")


def test_the_api_returns_the_experiment_and_the_story_answers(client: FlaskClient) -> None:
    body = {"preset": "crisis-retailer", "strategy": "crisis_turnaround", "months": 6,
            "runs": 8, "seed": 7, "shocks": ["merger@2"], "relaunch_strategy": "quick_wins"}
    response = client.post("/api/v1/simulations", json=body)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == json.loads(_golden("experiment"))
    story = client.get("/api/v1/stories/kickoff-to-thriving")
    assert story.get_json() == json.loads(_golden("story"))


# -- answers that leave out what does not apply: jobs, the questionnaire ---------------------------

#: a job in each state, as the jobs table gives it (``tests/golden/jobs.answer.json``: their JSON
#: as the hand-made ``Job.to_dict`` wrote it, before ``JobSchema`` dumped them)
JOBS = [Job("a1", "simulation", "queued", 0, 0, 1.5, 1.5),
        Job("b2", "comparison", "running", 3, 12, 2.0, 2.25),
        Job("c3", "sweep", "done", 12, 12, 3.0, 4.5, {"name": "s", "rows": [[1, 2.5]]}),
        Job("d4", "simulation", "failed", 2, 8, 5.0, 6.0, None, "the runner stopped"),
        Job("e5", "simulation", "cancelled", 1, 8, 7.0, 8.0)]


def test_a_jobs_answer_has_result_only_when_done_and_error_only_when_failed() -> None:
    text = json.dumps([to_json(job, JobSchema) for job in JOBS], indent=2) + "\n"
    assert text == _golden("jobs")
    assert json.dumps(JobSchema(many=True).dump(JOBS), indent=2) + "\n" == text


def test_the_questionnaire_answer_is_its_schemas_dump_and_the_contract(
        client: FlaskClient) -> None:
    """Items leave out the keys that do not apply (an indicator item has ``indicator``, no
    ``target``; only scale items have ``anchors``); the API serves the same text."""
    questionnaire = load_questionnaire()
    text = json.dumps(to_json(questionnaire), indent=2) + "\n"
    assert text == _golden("questionnaire")
    assert json.dumps(QuestionnaireSchema().dump(questionnaire), indent=2) + "\n" == text
    body = client.get("/api/v1/questionnaire").get_json()
    assert json.dumps(body, indent=2) + "\n" == text


def test_optional_keys_are_left_out_only_when_none_by_both_dumps() -> None:
    class Sparse(OptionalKeys):
        OPTIONAL = frozenset({"b"})
        a = fields.Integer(allow_none=True)
        b = fields.Integer()
        c = fields.Integer()

    for obj in ({"a": None, "b": None, "c": 0}, {"a": 1, "b": 0, "c": 2}):
        assert to_json(obj, Sparse) == Sparse().dump(obj)
    assert list(to_json({"a": None, "b": None, "c": 0}, Sparse)) == ["a", "c"]



#: the shipped example organization's three cycles, combined (the last with a trend);
#: ``tests/golden/combined.answer.json``: their JSON as the hand-made ``Combined.to_dict`` wrote
#: it, before ``CombinedSchema`` dumped them
def combined_cycles() -> list[Combined]:
    q = load_questionnaire()
    document = read_document(examples()[EXAMPLE_ORGANIZATION], "example")
    out = []
    for cycle in document["cycles"]:
        raters = [RaterAnswers(s["rater"], s["role"],
                               {k: q.check(k, v) for k, v in s["answers"].items()})
                  for s in cycle["sheets"]]
        out.append(combine(raters))
    out[-1] = out[-1].with_trends({"autonomy": "rising"})
    return out


def test_the_combined_raters_answer_is_its_schemas_dump_and_the_contract() -> None:
    cycles = combined_cycles()
    text = json.dumps([to_json(c) for c in cycles], indent=2) + "\n"
    assert text == _golden("combined")
    assert json.dumps(CombinedSchema(many=True).dump(cycles), indent=2) + "\n" == text


@pytest.mark.parametrize("name", ["diagnosis", "advice"])
def test_a_rule_table_is_its_schemas_dump_and_what_rules_json_printed(name: str) -> None:
    """``pmo-advisor rules --json``: each rule's own data (a sign, a transition's ``from``, an
    advice rule's ``then``) only on the rules that have it, after ``source``
    (``tests/golden/rules-*.answer.json``: the output of the hand-made ``Rule.to_dict``)."""
    table = service.rule_table(name)
    text = json.dumps(to_json(table), indent=2) + "\n"
    assert text == _golden(f"rules-{name}")
    assert json.dumps(schema_for(table)().dump(table), indent=2) + "\n" == text


def test_a_sweep_jobs_result_is_its_schemas_dump_and_the_contract() -> None:
    """The job's result for a sweep (``tests/golden/sweep.answer.json``: the dict ``api/jobs.py``
    built by hand before ``SweepResultSchema`` dumped the result)."""
    sweep = parse_sweep({"profiles": ["crisis-retailer"], "strategies": ["minimal", "plan"],
                         "runs": 2, "months": 3, "seed": 1})
    result = run_sweep(sweep, workers=1)
    text = json.dumps(to_json(result), indent=2) + "\n"
    assert text == _golden("sweep")
    assert json.dumps(SweepResultSchema().dump(result), indent=2) + "\n" == text
