"""The questionnaire's items and the rule that combines several raters into one profile."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from advisor.combination import RaterAnswers, combine, trends_from_history
from advisor.errors import InputError
from advisor.questionnaire import DONT_KNOW, load_questionnaire
from api.schemas.answers import to_json


def rater(name: str, role: str = "pmo_staff", **answers: object) -> RaterAnswers:
    """Answers keyed with '__' for '.' (item ids hold dots)."""
    return RaterAnswers(name, role, {k.replace("__", "."): v for k, v in answers.items()})


def test_every_indicator_and_flywheel_step_has_three_items_of_its_own(catalog):
    q = load_questionnaire()
    for part, kind in (("indicator", "indicators"), ("flywheel", "flywheel")):
        targets = [item.target for item in q.of_part(part)]
        assert {t: targets.count(t) >= 3 for t in catalog.ids(kind)} == \
            dict.fromkeys(catalog.ids(kind), True)


def test_every_sign_is_a_yes_no_observation(catalog):
    q = load_questionnaire()
    assert [i.target for i in q.of_part("sign")] == list(catalog.ids("signs"))
    assert {i.kind for i in q.of_part("sign")} == {"yes_no"}


def test_scale_items_have_a_descriptor_per_point_and_accept_dont_know():
    q = load_questionnaire()
    for item in q.of_part("indicator") + q.of_part("flywheel"):
        assert len(item.anchors) == 5 and all(item.anchors), item.id
        assert item.accepts_dont_know is True
    assert q.check("autonomy.mandate_clear", DONT_KNOW) == DONT_KNOW


@pytest.mark.parametrize("item, value, message", [
    ("nope.item", 3, "unknown questionnaire item 'nope.item'"),        # unknown id
    ("autonomy.mandate_clear", 6, "whole number from 1 to 5"),         # out of range
    ("autonomy.mandate_clear", 2.5, "whole number from 1 to 5"),       # anchored: whole points
    ("autonomy.mandate_clear", True, "whole number from 1 to 5"),      # a boolean is no score
    ("fact.pmo_exists", "yes", "true or false"),                       # strict yes/no
    ("fact.age_months", 5000, "from 0 to 1200"),                       # a century at most
    ("customer.group", "aliens", "must be one of"),                    # catalog groups only
    ("customer.outcomes", [1, 1], "ranked twice"),                     # a ranking ranks once
    ("customer.outcomes", [99], "unknown outcome 99"),                 # guide's 30 outcomes
    ("trend.autonomy", "up", "rising, steady, falling"),               # the three trends
])
def test_bad_answer_names_the_item_and_what_is_allowed(item, value, message):
    with pytest.raises(InputError, match=message) as caught:
        load_questionnaire().check(item, value)
    assert caught.value.field == f"answers.{item}"


def test_rankings_accept_outcome_ids_and_store_numbers():
    q = load_questionnaire()
    assert q.check("customer.outcomes", ["better_project_prioritization", "3"]) == [5, 3]


def test_indicator_is_the_mean_of_rater_means_with_spread_count_and_coverage():
    combined = combine([
        rater("ann", executive_support__funding=2, executive_support__public_backing=2),
        rater("bob", executive_support__funding=4, executive_support__sponsor_engagement=DONT_KNOW),
        rater("cy", executive_support__funding=5, executive_support__public_backing=3),
    ])
    summary = asdict(combined.indicators["executive_support"])
    # rater scores 2, 4, 4: every rater weighs the same however many items they answered
    assert summary == {"mean": 3.33, "spread": 2.0, "raters": 3, "answers": 5, "dont_know": 1,
                       "coverage": 0.83, "disagreement": True}


def test_raters_within_two_points_do_not_disagree():
    combined = combine([rater("a", autonomy__mandate_clear=2),
                        rater("b", autonomy__mandate_clear=3, autonomy__no_overrides=4)])
    assert combined.indicators["autonomy"].disagreement is False


def test_dont_know_lowers_coverage_and_invents_no_value():
    combined = combine([rater("a", influence__consulted=DONT_KNOW, fact__pmo_exists=True)])
    assert combined.indicators["influence"].mean is None
    assert combined.indicators["influence"].coverage == 0.0
    assert "influence" not in combined.profile().indicators


def test_facts_follow_the_majority_and_a_tie_says_yes():
    combined = combine([rater("a", fact__pmo_exists=True, fact__previous_pmo_closed=False,
                              fact__age_months=12),
                        rater("b", fact__pmo_exists=True, fact__previous_pmo_closed=True,
                              fact__age_months=30),
                        rater("c", fact__pmo_exists=False, fact__age_months=DONT_KNOW)])
    assert combined.facts == {"pmo_exists": True, "age_months": 21.0,
                              "previous_pmo_closed": True}


def test_a_sign_is_seen_when_half_the_raters_who_answered_saw_it():
    combined = combine([rater("a", sign__artifacts_unused=True, sign__autonomy_reduced=True),
                        rater("b", sign__artifacts_unused=False, sign__autonomy_reduced=True),
                        rater("c", sign__autonomy_reduced=False)])
    assert combined.signs == ("artifacts_unused", "autonomy_reduced")


def test_customer_raters_of_one_group_rank_outcomes_by_borda_count():
    combined = combine([
        rater("x", "customer", customer__group="executives", customer__maturity=2,
              customer__outcomes=[5, 14]),
        rater("y", "customer", customer__group="executives", customer__maturity=4,
              customer__outcomes=[14, 12, 5]),
    ])
    # 14: 1 + 3 = 4 points, 5: 2 + 1 = 3, 12: 2
    assert combined.customers == ({"id": "executives", "group": "executives", "maturity": 3.0,
                                   "outcomes": [14, 5, 12]},)


@pytest.mark.parametrize("answers, band", [
    ((5, 5, 5), "excellent"),   # 100 % of the maximum
    ((4, 4, 4), "good"),        # 80 %
    ((3, 4, 3), "average"),     # 67 %
    ((2, 2, 3), "poor"),        # 47 %
    ((1, 2, 1), "critical"),    # 27 %
])
def test_flywheel_step_scores_fall_into_the_guides_bands(answers, band):
    items = [i.id for i in load_questionnaire().of_part("flywheel")
             if i.target == "value_recognition"]
    combined = combine([RaterAnswers("a", "pmo_staff", dict(zip(items, answers)))])
    assert combined.flywheel["value_recognition"].band == band


@pytest.mark.parametrize("before, now, trend", [
    (2.0, 2.5, "rising"),    # half a point up is a trend
    (2.0, 2.4, "steady"),    # less is noise
    (3.0, 2.5, "falling"),
])
def test_trend_compares_with_the_previous_closed_cycle(before, now, trend):
    assert trends_from_history({"autonomy": now}, {"autonomy": before}) == {"autonomy": trend}


def test_first_cycle_has_no_computed_trend_but_a_rater_override_wins():
    assert trends_from_history({"autonomy": 3.0}, None) == {}
    assert trends_from_history({"autonomy": 3.0}, {"autonomy": 1.0},
                               {"autonomy": "steady"}) == {"autonomy": "steady"}


def test_trend_override_is_the_majority_of_raters():
    combined = combine([rater("a", trend__autonomy="falling"),
                        rater("b", trend__autonomy="falling"),
                        rater("c", trend__autonomy="rising")])
    assert combined.trend_overrides == {"autonomy": "falling"}


def test_a_profile_needs_someone_to_say_whether_a_pmo_exists():
    with pytest.raises(InputError, match="PMO exists") as caught:
        combine([rater("a", autonomy__mandate_clear=3)]).profile()
    assert caught.value.field == "answers.fact.pmo_exists"


def test_same_answers_give_the_same_combination():
    raters = [rater("a", autonomy__mandate_clear=3, fact__pmo_exists=True),
              rater("b", autonomy__mandate_clear=4, autonomy__no_overrides=1)]
    assert to_json(combine(raters)) == to_json(combine(list(reversed(raters))))


def test_a_section_is_written_only_when_the_profile_has_it_and_a_mapping_says_how(monkeypatch):
    from advisor import combination

    combined = combine([rater("a", fact__pmo_exists=True)])
    monkeypatch.setattr(combination, "SECTION_MAPS", {
        "not_a_profile_section": lambda c: {"x": 1},
        "customers": lambda c: [{"id": "pmo_office", "group": "executives", "maturity": 3}]})
    document = combined.profile_document()
    assert "not_a_profile_section" not in document
    assert document["customers"][0]["id"] == "pmo_office"


def test_changes_are_months_ago_and_fill_the_diagnosis_changes_section(monkeypatch):
    from advisor import sections

    combined = combine([rater("a", fact__pmo_exists=True, change__restructuring=4,
                              change__merger=30),
                        rater("b", change__restructuring=8, change__leadership_change="dont_know")])
    assert combined.changes == {"restructuring": 6.0, "merger": 30.0}
    monkeypatch.setattr(sections, "SECTIONS", (*sections.SECTIONS, "changes"), raising=False)
    monkeypatch.setattr(sections, "CHANGES", ("restructuring", "leadership_change",
                                              "strategy_shift"), raising=False)
    # only the kinds the diagnosis knows, in its shape
    assert combined.profile_document()["changes"] == {"restructuring": {"months_ago": 6.0}}


def test_the_organization_is_what_most_raters_said(monkeypatch):
    from advisor import sections

    combined = combine([rater("a", fact__pmo_exists=True, org__scope="enterprise",
                              org__regulated=True, org__industry="rail"),
                        rater("b", org__scope="departmental", org__regulated=False,
                              org__industry="rail"),
                        rater("c", org__scope="departmental", org__industry="  logistics ")])
    assert combined.organization == {"industry": "rail", "regulated": True,
                                     "scope": "departmental"}
    monkeypatch.setattr(sections, "SECTIONS", (*sections.SECTIONS, "organization"))
    assert combined.profile_document()["organization"] == combined.organization
