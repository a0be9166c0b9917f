"""`pmo-advisor recommend` and `rules --table advice`, run as a user runs them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import scenarios

PROFILES = scenarios.documents("profiles")


def test_recommend_prints_a_report_for_a_sponsor(run_cli) -> None:
    result = run_cli("recommend", str(PROFILES["crisis-retailer"]))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Brightmart PMO: advice\n")
    for section in ("What the guide advises in Crisis", "Plan: what to change, wave by wave",
                    "Services, most needed first",
                    "Approach per customer and service", "Service maturity",
                    "Team competencies", "Flywheel", "Warnings", "Why: the rules named above"):
        assert section in result.stdout, section
    assert "crisis_backs_off_controlling" in result.stdout or \
        "bureaucracy_complaints_ease_oversight" in result.stdout


def test_recommend_json_is_the_contract(run_cli) -> None:
    result = run_cli("recommend", str(PROFILES["thriving-insurer"]), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["scenario"] == "thriving" and data["services"][0]["rank"] == 1
    assert data["flywheel_focus"] and data["approaches"]
    waves = data["plan"]["waves"]
    assert [w["wave"] for w in waves] == ["now", "next", "later"]
    assert all(len(w["changes"]) <= w["capacity"] for w in waves)
    assert {s["id"] for s in data["plan"]["structure"]} == {"expand_the_customer_base"}


@pytest.mark.parametrize(("content", "match"), [
    # an outcome that does not exist
    ("pmo: {exists: true}\ncustomers: [{id: a, group: executives, maturity: 3, outcomes: [31]}]\n",
     r"customers\[0\]\.outcomes\[0\]: unknown outcome 31"),
    # a customer group that does not exist
    ("pmo: {exists: true}\ncustomers: [{id: a, group: cfo, maturity: 3}]\n",
     r"customers\[0\]\.group: unknown customer group 'cfo'"),
    # two customers with one id
    ("pmo: {exists: true}\ncustomers: [{id: a, group: executives, maturity: 3},"
     " {id: a, group: executives, maturity: 2}]\n", r"customers\[1\]\.id: duplicate customer id"),
    # a service maturity outside 1-5
    ("pmo: {exists: true}\nservices: {risk_management: {maturity: 9}}\n",
     r"services\.risk_management\.maturity: must be between 1 and 5"),
    # an unknown competency
    ("pmo: {exists: true}\nteam: {charisma: 3}\n", r"team\.charisma: unknown field"),
    # a coverage scope the guide does not name
    ("pmo: {exists: true}\norganization: {scope: galactic}\n",
     r"organization\.scope: .*allowed: enterprise, departmental, project"),
])
def test_bad_sections_exit_2_with_one_line_naming_the_field(tmp_path: Path, content: str,
                                                           match: str, run_cli) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content)
    result = run_cli("recommend", str(path))
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pmo-advisor recommend: error: ")
    assert re.search(match, lines[0]), lines[0]


def test_advice_rules_lists_every_rule_for_review(run_cli) -> None:
    result = run_cli("rules", "--table", "advice", "--json")
    assert result.returncode == 0, result.stderr
    rules = json.loads(result.stdout)["rules"]
    assert {"crisis_backs_off_controlling", "reduce_a_mature_service_nobody_needs",
            "value_recognition_when_value_is_delivered_but_not_perceived",
            "capacity_of_a_pmo_with_scarce_resources", "one_maturity_level_per_wave",
            "crisis_cuts_after_the_customer_check",
            "kickoff_defines_mandate_governance_and_strategy",
            "approach_at_most_one_step_from_the_customer_fit"} <= \
        {r["id"] for r in rules}
    text = run_cli("rules", "--table", "advice").stdout
    assert "when scenario = crisis; approach = controlling" in text
