"""What would change the diagnosis (issue 10.7): counterfactuals found over the rules, each one a
merge patch that really moves the diagnosis where it says, confirmed by the engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import scenarios
from advisor.assessment import parse_profile, read_document
from advisor.patch import merge_patch
from api.schemas.answers import to_json
from api.schemas.plain import plain
from rules.counterfactuals import fired_rules, targets_of
from rules.diagnosis import diagnose
from rules.diagnosis_table import load_diagnosis_table
from rules.gateway import get_gateway

SHIPPED = list(scenarios.documents("profiles").values())


# RFC 7386 Appendix A, every example: (target, patch, result).
@pytest.mark.parametrize(("target", "patch", "result"), [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
])
def test_merge_patch_follows_rfc_7386(target: Any, patch: Any, result: Any) -> None:
    assert merge_patch(target, patch) == result


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_counterfactual_applied_as_a_merge_patch_gives_its_scenario(path: Path) -> None:
    document = read_document(path)
    diagnosis = diagnose(parse_profile(document), explain=True)
    assert diagnosis.scenario == path.name.split("-")[0]
    targets = targets_of(diagnosis.scenario)
    for counterfactual in diagnosis.counterfactuals:
        assert counterfactual.scenario in targets
        assert counterfactual.changes and counterfactual.profile_patch
        patched = parse_profile(merge_patch(document, plain(counterfactual.profile_patch)))
        assert diagnose(patched).scenario == counterfactual.scenario, counterfactual


def test_most_shipped_profiles_get_a_counterfactual_for_most_neighbours() -> None:
    found = total = 0
    for path in SHIPPED:
        diagnosis = diagnose(parse_profile(read_document(path)), explain=True)
        found += len(diagnosis.counterfactuals)
        total += len(targets_of(diagnosis.scenario))
    assert found >= 0.6 * total, (found, total)


def test_counterfactuals_are_opt_in_so_the_simulation_never_pays_for_them(make_profile) -> None:
    profile = make_profile(age=40, executive_support=2.5, stakeholder_support=2.0,
                           trends={"executive_support": "falling"})
    assert diagnose(profile).counterfactuals is None   # not searched: the answer leaves it out
    assert "counterfactuals" not in to_json(diagnose(profile))
    explained = diagnose(profile, explain=True)
    assert explained.counterfactuals and explained.scenario == diagnose(profile).scenario


def test_counterfactuals_are_the_same_every_time() -> None:
    profile = parse_profile(read_document(SHIPPED[3]))
    assert to_json(diagnose(profile, explain=True)) == to_json(diagnose(profile, explain=True))


def test_a_crisis_a_step_from_decline_names_the_support_it_would_lose(make_profile) -> None:
    profile = make_profile(age=36, executive_support=2.5, stakeholder_support=2.0,
                           resources=3.0, autonomy=2.5, team_morale=2.5,
                           trends={"executive_support": "falling"},
                           signs=("constant_complaints", "artifacts_unused"))
    diagnosis = diagnose(profile, explain=True)
    assert diagnosis.scenario == "crisis"
    decline = next(c for c in diagnosis.counterfactuals if c.scenario == "decline")
    assert decline.profile_patch["indicators"]["executive_support"] <= 2.0
    assert any("executive_support" in line for line in decline.changes)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_the_search_reads_the_rules_as_the_engine_does(path: Path) -> None:
    """The search evaluates conditions in Python for speed; on every shipped profile it must
    fire exactly the scoring rules the engine fires."""
    table = load_diagnosis_table()
    table.ensure_registered()
    profile = parse_profile(read_document(path))
    diagnosis = diagnose(profile)
    engine = {r.id for r in diagnosis.fired_rules}
    assert {r.id for r in fired_rules(profile, table)} == engine
    assert get_gateway().evaluations > 0
