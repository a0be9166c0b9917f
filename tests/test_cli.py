"""The command line, run as a user runs it: a real process, its output and exit status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import scenarios

PROFILES = scenarios.documents("profiles")



def test_diagnose_prints_a_readable_report(run_cli) -> None:
    result = run_cli("diagnose", str(PROFILES["crisis-retailer"]))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Brightmart PMO: Crisis (confidence ")
    for section in ("Ranking", "Why Crisis", "Counted against", "Ruled out", "Transition signs",
                    "What would change it"):
        assert section in result.stdout
    assert "crisis_when_support_wanes" in result.stdout
    assert "coverage 0." in result.stdout.splitlines()[0]


def test_a_thin_profile_says_it_rests_on_little(run_cli, tmp_path) -> None:
    path = tmp_path / "thin.yaml"
    path.write_text("pmo: {exists: true, age_months: 30}\nindicators: {executive_support: 1.5}\n")
    result = run_cli("diagnose", str(path))
    assert result.returncode == 0, result.stderr
    assert "This answer rests on little" in result.stdout


def test_diagnose_json_is_the_contract(run_cli) -> None:
    result = run_cli("diagnose", str(PROFILES["thriving-energy"]), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["scenario"] == "thriving"
    assert data["transition_signs"][0]["towards"] == "crisis"
    assert len(data["ranking"]) == 8
    assert 0 < data["coverage"] <= 1
    assert {c["scenario"] for c in data["counterfactuals"]} <= {"crisis", "decline", "growing"}
    assert all(c["changes"] and c["profile_patch"] for c in data["counterfactuals"])


@pytest.mark.parametrize(("content", "match"), [
    # a value outside 1-5
    ("pmo: {exists: true}\nindicators: {influence: 6}\n",
     r"indicators\.influence: must be between 1\.0 and 5\.0"),
    # an unknown field
    ("pmo: {exists: true}\nmood: good\n", r"mood: unknown field; allowed: name, pmo"),
    # an unknown sign
    ("pmo: {exists: true}\nsigns: [all_good]\n", r"signs\[0\]: unknown sign 'all_good'"),
    # broken YAML
    ("pmo: {exists: true\n", r"file: .* is not valid YAML"),
])
def test_bad_input_exits_2_with_one_line_naming_the_field(tmp_path: Path, content: str,
                                                          match: str, run_cli) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content)
    result = run_cli("diagnose", str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert lines[0].startswith("pmo-advisor diagnose: error: ")
    assert __import__("re").search(match, lines[0]), lines[0]


def test_missing_file_exits_2(run_cli) -> None:
    result = run_cli("diagnose", "/no/such/profile.yaml")
    assert result.returncode == 2
    assert result.stderr.strip() == \
        "pmo-advisor diagnose: error: file: no such file: /no/such/profile.yaml"


def test_usage_errors_are_one_line_too(run_cli) -> None:
    result = run_cli("diagnose")
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1


def test_catalog_lists_a_kind_and_summarises_all(run_cli) -> None:
    summary = run_cli("catalog", "--json")
    assert json.loads(summary.stdout)["services"] == 26
    services = run_cli("catalog", "services", "--json")
    assert [s["number"] for s in json.loads(services.stdout)] == list(range(1, 27))
    text = run_cli("catalog", "approaches")
    assert "facilitative" in text.stdout and text.returncode == 0


def test_catalog_unknown_kind_lists_the_kinds(run_cli) -> None:
    result = run_cli("catalog", "widgets")
    assert result.returncode == 2
    assert "kind: unknown kind 'widgets'; allowed: scenarios, services" in result.stderr


def test_rules_lists_every_rule_with_reason_and_source(run_cli) -> None:
    result = run_cli("rules", "--json")
    rules = json.loads(result.stdout)["rules"]
    assert all(r["reason"] and r["source"] for r in rules)
    assert {"collapse_needs_an_operating_pmo", "collapse_against_resources_hold",
            "transition_when_restructuring"} <= {r["id"] for r in rules}
