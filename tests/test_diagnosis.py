"""The diagnosis follows the guide's definitions and explains itself."""

from __future__ import annotations

from pathlib import Path

import pytest

import scenarios
from advisor.assessment import load_profile, parse_profile
from advisor.catalog import Catalog
from advisor.errors import InputError
from api.schemas.answers import to_json
from rules.diagnosis import diagnose
from rules.diagnosis_table import load_diagnosis_table

PROFILES = scenarios.documents("profiles")
SHIPPED = list(PROFILES.values())


SCENARIOS = {"potential", "kickoff", "growing", "thriving", "crisis", "decline", "collapse",
             "resurgence"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_each_shipped_profile_is_diagnosed_as_its_scenario(path: Path) -> None:
    assert diagnose(load_profile(path)).scenario == path.name.split("-")[0]


def test_shipped_profiles_cover_every_scenario_twice() -> None:
    found = [p.name.split("-")[0] for p in SHIPPED]
    assert len(found) >= 16 and all(found.count(s) >= 2 for s in SCENARIOS)


def test_answer_has_the_contract_shape(make_profile) -> None:
    result = to_json(diagnose(make_profile(executive_support=2.5, stakeholder_support=2.0,
                                           trends={"executive_support": "falling"},
                                           signs=("bureaucracy_complaints",))))
    assert set(result) == {"scenario", "confidence", "coverage", "ranking", "fired_rules",
                           "transition_signs", "missing_indicators", "ruleset_version"}
    assert 0 < result["coverage"] < 1   # counterfactuals left out: not asked for
    assert result["scenario"] == "crisis"
    assert [r["scenario"] for r in result["ranking"]][0] == "crisis"
    assert {r["scenario"] for r in result["ranking"]} == SCENARIOS
    assert result["confidence"] == result["ranking"][0]["score"]
    assert sum(r["score"] for r in result["ranking"]) == pytest.approx(1.0, abs=0.01)
    rule = next(r for r in result["fired_rules"] if r["id"] == "crisis_when_support_wanes")
    assert rule["evidence"] == {"pmo.exists": True, "executive_support": 2.5,
                                "trend.executive_support": "falling"}
    assert rule["source"].startswith("Guide p.") and rule["reason"]
    assert result["ruleset_version"].startswith("pmo_diagnosis-")
    assert "team_morale" in result["missing_indicators"]


# --- the guide's definitions ---------------------------------------------------------------------

def test_a_pillar_that_holds_counts_against_collapse_but_does_not_rule_it_out(
        make_profile) -> None:
    gone = dict(executive_support=1.0, autonomy=1.0, resources=1.0, influence=1.0,
                stakeholder_support=1.0)
    assert diagnose(make_profile(signs=("disbanding_considered",), **gone)).scenario == "collapse"
    two_signs = ("disbanding_considered", "governance_breakdown")
    for kept in ("executive_support", "autonomy", "resources", "influence"):
        without = diagnose(make_profile(signs=two_signs, **gone))
        result = diagnose(make_profile(signs=two_signs, **{**gone, kept: 3.5}))
        assert result.scenario != "collapse", kept
        assert 0.0 < result.score("collapse") < without.score("collapse"), kept
        assert any(r.id.startswith(f"collapse_against_{kept.split('_')[0]}")
                   for r in result.fired_rules), kept


def test_every_collapse_sign_outweighs_one_pillar_that_holds(make_profile) -> None:
    """Issue 10.1: one number must not zero a PMO that shows every sign of Collapse."""
    every = ("governance_breakdown", "stakeholder_confidence_lost", "projects_unmanageable",
             "disbanding_considered")
    profile = make_profile(age=40, executive_support=1.5, autonomy=1.5, influence=1.5,
                           resources=3.0, stakeholder_support=1.5, signs=every)
    result = diagnose(profile)
    assert result.scenario == "collapse"
    assert "collapse_when_signs_concur" in [r.id for r in result.fired_rules]


def test_resurgence_without_an_earlier_closure_needs_most_of_its_signs(make_profile) -> None:
    signs = ("rebuilding_focus", "lessons_applied", "early_recovery_signs")
    reborn = make_profile(age=6, closed=True, signs=signs, executive_support=4.0,
                          cultural_readiness=2.0)
    assert diagnose(reborn).scenario == "resurgence"
    first_time = make_profile(age=6, closed=False, signs=signs, executive_support=4.0,
                              cultural_readiness=2.0)
    result = diagnose(first_time)
    assert result.scenario != "resurgence"
    assert 0.0 < result.score("resurgence") < diagnose(reborn).score("resurgence")
    assert "resurgence_against_no_earlier_pmo" in [r.id for r in result.fired_rules]


def test_only_whether_a_pmo_exists_is_a_gate() -> None:
    """Issue 10.1: a hard exclusion encodes only what the guide makes definitional."""
    gates = [r for r in load_diagnosis_table().rules if r.effect == "exclude"]
    assert gates and all(r.keys == ("pmo.exists",) for r in gates), [r.id for r in gates]


def test_no_rule_cites_the_service_maturity_page_for_organizational_pm_maturity() -> None:
    """Issue 10.3: the organization's PM maturity (p.111) and the PMO's service maturity
    (p.83-84, 212) are different things."""
    for rule in load_diagnosis_table().rules:
        cites_service_maturity = any(p in rule.source for p in ("84", "212", "275"))
        if "pm_maturity" in rule.keys:
            assert not cites_service_maturity, rule.id
        if "service_maturity" in rule.keys:
            assert cites_service_maturity and "pm_maturity" not in rule.keys, rule.id


def test_age_alone_is_no_evidence_of_growing() -> None:
    """Issue 10.2: Growing is earned by signs of expansion, not by the PMO's age."""
    for rule in load_diagnosis_table().rules:
        if rule.subject == "growing" and rule.effect == "evidence":
            assert set(rule.keys) - {"pmo.exists", "pmo.age_months"}, rule.id


@pytest.mark.parametrize(("support", "trend", "expected"), [
    (3.0, "falling", "crisis"),    # support waning: crisis
    (2.5, "falling", "crisis"),    # weaker, still waning
    (2.0, "falling", "decline"),   # support lost: decline
    (1.5, "steady", "decline"),    # long lost
])
def test_crisis_or_decline_depends_on_whether_support_wanes_or_is_lost(
        support: float, trend: str, expected: str, make_profile) -> None:
    profile = make_profile(age=36, executive_support=support, stakeholder_support=2.0,
                           resources=3.0, autonomy=2.5, team_morale=2.5,
                           trends={"executive_support": trend},
                           signs=("constant_complaints", "artifacts_unused"))
    assert diagnose(profile).scenario == expected


def test_no_pmo_means_potential_or_kickoff_never_an_operating_scenario(make_profile) -> None:
    result = diagnose(make_profile(exists=False, age=None, executive_support=1.5,
                                   cultural_readiness=1.5, pm_maturity=1.0))
    assert result.scenario == "potential"
    for operating in ("growing", "thriving", "crisis", "decline", "collapse"):
        assert result.score(operating) == 0.0


def test_high_maturity_does_not_protect_a_pmo_whose_support_wanes(make_profile) -> None:
    profile = make_profile(age=60, pm_maturity=4.5, delivery_performance=4.0, output_quality=4.0,
                           executive_support=2.5, stakeholder_support=3.0,
                           trends={"executive_support": "falling"})
    assert diagnose(profile).scenario == "crisis"


def test_thriving_pmo_with_falling_support_shows_a_sign_towards_crisis(make_profile) -> None:
    profile = make_profile(age=48, executive_support=4.0, stakeholder_support=4.5,
                           delivery_performance=4.5, pm_maturity=4.0, influence=4.5,
                           strategic_alignment=4.5, trends={"executive_support": "falling"})
    result = diagnose(profile)
    assert result.scenario == "thriving"
    signs = [(t.towards, t.indicator, t.rule) for t in result.transition_signs]
    assert signs == [("crisis", "executive_support", "transition_when_executive_support_falls")]


def test_a_transition_sign_alone_says_it_rests_on_one_signal(make_profile) -> None:
    """Issue 10.5: the guide never reads one signal at a time."""
    profile = make_profile(age=48, executive_support=4.0, stakeholder_support=4.5,
                           delivery_performance=4.5, pm_maturity=4.0, influence=4.5,
                           strategic_alignment=4.5, trends={"executive_support": "falling"})
    (sign,) = diagnose(profile).transition_signs
    assert sign.rests_on_one and sign.concurring == ()
    assert "rests on this one signal" in sign.reason
    assert sign.rests_on_one is True


def test_concurring_signals_are_named_on_each_transition_sign(make_profile) -> None:
    profile = make_profile(age=48, executive_support=4.0, stakeholder_support=4.5,
                           delivery_performance=4.5, pm_maturity=4.0, influence=4.5,
                           strategic_alignment=4.5,
                           trends={"executive_support": "falling", "influence": "falling"},
                           signs=("excluded_from_key_meetings",))
    result = diagnose(profile)
    assert result.scenario == "thriving"
    towards_crisis = [t for t in result.transition_signs if t.towards == "crisis"]
    assert {t.indicator for t in towards_crisis} == {"executive_support", "influence"}
    signals = {"transition_when_executive_support_falls", "transition_when_influence_falls",
               "crisis_when_excluded_from_key_meetings"}
    for sign in towards_crisis:  # one sign per indicator; every other signal concurs
        assert signals - {sign.rule} <= set(sign.concurring) and not sign.rests_on_one


def test_a_collapse_where_disbanding_is_considered_points_to_potential(make_profile) -> None:
    """Issue 10.5: Collapse -> Potential, disband and start afresh (Guide p.37-38, 43)."""
    profile = make_profile(age=50, executive_support=1.0, autonomy=1.0, resources=1.0,
                           influence=1.0, stakeholder_support=1.0,
                           trends={"resources": "falling"},
                           signs=("disbanding_considered", "governance_breakdown"))
    result = diagnose(profile)
    assert result.scenario == "collapse"
    to_potential = [t for t in result.transition_signs if t.towards == "potential"]
    assert {t.rule for t in to_potential} == {"transition_when_disbanding_considered",
                                              "transition_when_resources_falls"}
    assert all("Potential" in t.reason and t.concurring for t in to_potential)


def test_a_recent_change_points_the_way_its_trends_go(make_profile) -> None:
    """Issue 10.4: a change can push either way (Guide p.39-41); the trends decide."""
    def towards(trends: dict[str, str]) -> list[str]:
        profile = parse_profile({"pmo": {"exists": True, "age_months": 30},
                                 "indicators": {"executive_support": 3.6,
                                                "stakeholder_support": 3.4,
                                                "delivery_performance": 3.3},
                                 "trends": trends,
                                 "changes": {"leadership_change": {"months_ago": 5}}})
        result = diagnose(profile)
        assert result.scenario == "growing", result.ranking
        return [t.towards for t in result.transition_signs if t.rule.endswith("change")]
    assert towards({"stakeholder_support": "rising", "delivery_performance": "rising"}) == \
        ["thriving"]
    assert towards({}) == ["crisis"]  # nothing says which way: the worse one, and it says so
    old = parse_profile({"pmo": {"exists": True, "age_months": 30},
                         "indicators": {"executive_support": 3.6, "stakeholder_support": 3.4},
                         "changes": {"leadership_change": {"months_ago": 30}}})
    assert not diagnose(old).transition_signs  # older than a year: not a recent change


def test_signs_of_a_neighbouring_scenario_show_as_transition_signs(make_profile) -> None:
    profile = make_profile(age=48, executive_support=4.5, stakeholder_support=4.5,
                           delivery_performance=4.5, pm_maturity=4.0,
                           signs=("widespread_recognition", "bureaucracy_complaints"))
    result = diagnose(profile)
    assert result.scenario == "thriving"
    assert [(t.towards, t.indicator) for t in result.transition_signs] == \
        [("crisis", "stakeholder_support")]


def test_partial_assessment_still_diagnoses_and_lists_what_is_missing(
        catalog: Catalog, make_profile) -> None:
    result = diagnose(make_profile(age=30, executive_support=1.5,
                                   signs=("customers_disengaged", "high_pmo_team_turnover")))
    assert result.scenario == "decline"
    assert len(result.missing_indicators) == len(catalog.indicators) - 1


def test_a_profile_without_any_evidence_is_refused(make_profile) -> None:
    with pytest.raises(InputError, match="not enough evidence"):
        diagnose(make_profile(age=None))


def test_same_profile_same_answer() -> None:
    profile = load_profile(SHIPPED[3])
    assert to_json(diagnose(profile)) == to_json(diagnose(profile))


# --- the rule table itself -----------------------------------------------------------------------

def test_every_rule_has_a_stable_id_a_reason_and_a_source() -> None:
    table = load_diagnosis_table()
    ids = [r.id for r in table.rules]
    assert len(ids) == len(set(ids)) and len(ids) >= 100
    for rule in table.rules:
        assert rule.reason and rule.source, rule.id
        assert rule.source.startswith("Guide p.") or rule.source == "model", rule.id
        prefix = "transition_when_" if rule.effect == "transition" else f"{rule.subject}_"
        assert rule.id.startswith(prefix), rule.id
    assert set(table.definition) == set(ids)  # the engine knows every rule by our id


def test_fired_rules_are_reported_under_their_table_ids() -> None:
    result = diagnose(load_profile(SHIPPED[0]))
    table = load_diagnosis_table()
    assert result.fired_rules and all(r.id in table.by_id for r in result.fired_rules)


def test_evidence_cancelled_by_counter_evidence_still_gets_an_answer(make_profile) -> None:
    """Excellent delivery says Thriving, middling executive support says not: nothing is left
    standing, so the answer is the scenario with the most evidence, at the lowest confidence."""
    result = diagnose(make_profile(age=30, delivery_performance=4.0, pm_maturity=3.5,
                                   executive_support=3.0))
    assert result.scenario == "thriving"
    assert result.confidence == result.ranking[-2][1]  # no better than any other open scenario


@pytest.mark.parametrize("path", [p for p in SHIPPED if len(load_profile(p).indicators) >= 10],
                         ids=lambda p: p.stem)
def test_a_shipped_profile_cut_to_one_indicator_is_less_sure(path: Path) -> None:
    """Issue 10.6: confidence knows what it does not know."""
    whole = diagnose(load_profile(path))
    document = load_profile(path).to_dict()
    for indicator, value in document["indicators"].items():
        try:
            thin = diagnose(parse_profile({"pmo": document["pmo"],
                                           "indicators": {indicator: value}}))
        except InputError:
            continue
        assert thin.coverage < whole.coverage and thin.confidence < whole.confidence, indicator
