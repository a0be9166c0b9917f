"""The flywheel self-check reaches the advice: the profile's ``flywheel`` section (a band per
step, filled by the questionnaire's combination or stated in a YAML profile) decides the health
of the steps it rates; the indicators decide the rest."""

from __future__ import annotations

from typing import Any

import pytest

from advisor.assessment import parse_profile
from advisor.combination import RaterAnswers, combine
from advisor.errors import InputError
from advisor.questionnaire import load_questionnaire
from advisor.sections import FLYWHEEL_BANDS, flywheel_of
from rules.advice import recommend

# A growing PMO with weak results and doubting executives: the indicators point the focus at
# value delivery and awareness building.
BASE: dict[str, Any] = {
    "pmo": {"exists": True, "age_months": 30},
    "indicators": {"executive_support": 2, "stakeholder_support": 3, "delivery_performance": 2,
                   "output_quality": 3.5, "autonomy": 3, "resources": 3, "team_morale": 3.5,
                   "pm_maturity": 3},
    "customers": [{"id": "it", "group": "project_managers", "maturity": 3, "outcomes": [26]}],
}


def focus_of(document: dict[str, Any]) -> list[str]:
    return [f.step for f in recommend(parse_profile(document)).flywheel_focus]


def rules_of(document: dict[str, Any]) -> set[str]:
    return {b.id for f in recommend(parse_profile(document)).flywheel_focus for b in f.because}


def test_profile_bands_are_the_questionnaires_bands():
    assert tuple(b.band for b in load_questionnaire().bands) == FLYWHEEL_BANDS


def test_flywheel_section_is_optional_and_round_trips():
    assert flywheel_of(parse_profile(BASE)) == {}
    profile = parse_profile({**BASE, "flywheel": {"value_delivery": "good"}})
    assert flywheel_of(profile) == {"value_delivery": "good"}
    assert parse_profile(profile.to_dict()) == profile


@pytest.mark.parametrize("section, field, allowed", [
    ({"value_delivery": "great"}, "flywheel.value_delivery", "excellent, good, average, poor, "
                                                             "critical"),
    ({"no_such_step": "poor"}, "flywheel.no_such_step", "awareness_building"),
    ({"value_delivery": 3}, "flywheel.value_delivery", "not a valid string"),
])
def test_bad_flywheel_section_names_the_field_and_the_bands(section, field, allowed):
    with pytest.raises(InputError) as caught:
        parse_profile({**BASE, "flywheel": section})
    assert caught.value.field == field and allowed in str(caught.value)


def test_without_self_check_the_indicators_choose_the_focus():
    chosen = rules_of(BASE)
    assert {"value_delivery_when_results_are_weak",
            "awareness_building_when_executives_doubt"} <= chosen
    assert not any("self_checked" in r for r in chosen)


def test_same_indicators_with_different_self_check_answers_change_the_focus():
    healthy = {"value_delivery": "excellent", "awareness_building": "good",
               "service_monitoring": "critical", "needs_assessment": "poor"}
    without = focus_of(BASE)
    with_answers = focus_of({**BASE, "flywheel": healthy})
    assert "value_delivery" in without and "awareness_building" in without
    # critical (4) before poor (3); the steps rated healthy lose their indicator weight
    assert with_answers[:2] == ["service_monitoring", "needs_assessment"]
    assert "awareness_building" not in with_answers
    assert "value_delivery_when_results_are_weak" not in rules_of({**BASE, "flywheel": healthy})


def test_a_self_checked_step_is_no_longer_read_from_the_indicators():
    chosen = rules_of({**BASE, "flywheel": {"value_delivery": "poor"}})
    assert "value_delivery_self_checked_poor" in chosen
    assert "value_delivery_when_results_are_weak" not in chosen
    # an unrated step still rests on the indicators
    assert "awareness_building_when_executives_doubt" in chosen


def test_self_check_reasons_say_they_rest_on_the_answers():
    advice = recommend(parse_profile({**BASE, "flywheel": {"service_monitoring": "critical"}}))
    because = [b for f in advice.flywheel_focus for b in f.because
               if b.id == "service_monitoring_self_checked_critical"]
    assert because and because[0].reason.startswith("The self-check answers rate")
    assert because[0].evidence == {"self_check.service_monitoring": "critical"}


def test_combined_answers_fill_the_profiles_flywheel_section():
    items = {i.target: [] for i in load_questionnaire().of_part("flywheel")}
    for item in load_questionnaire().of_part("flywheel"):
        items[item.target].append(item.id)
    answers: dict[str, Any] = {"fact.pmo_exists": True}
    answers.update(dict.fromkeys(items["value_delivery"], 1))
    answers.update(dict.fromkeys(items["needs_assessment"], "dont_know"))
    document = combine([RaterAnswers("a", "pmo_staff", answers)]).profile_document()
    # a step nobody could judge gets no band, so the indicators speak for it
    assert document["flywheel"] == {"value_delivery": "critical"}


def test_the_advice_report_says_which_steps_rest_on_the_self_check():
    from api.reports.advice import render_advice

    profile = parse_profile({**BASE, "flywheel": {"value_delivery": "poor"}})
    report = render_advice(recommend(profile), profile)
    assert "Rests on the self-check answers for Value Delivery (poor); on the indicators for " \
           "the other steps." in " ".join(report.split())
    plain = parse_profile(BASE)
    assert "self-check" not in render_advice(recommend(plain), plain)


def test_the_api_takes_the_section_and_refuses_a_bad_band_naming_the_field(client):
    good = client.post("/api/v1/recommendations",
                       json={**BASE, "flywheel": {"service_monitoring": "critical"}})
    assert good.status_code == 200
    assert "service_monitoring" in [f["step"] for f in good.get_json()["flywheel_focus"]]
    assert "service_monitoring" not in focus_of(BASE)
    bad = client.post("/api/v1/recommendations", json={**BASE, "flywheel": {"value_delivery": 9}})
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert bad.get_json()["errors"][0]["field"] == "flywheel.value_delivery"


def test_a_closed_cycles_plan_rests_on_its_raters_self_check(tmp_path):
    from api.store import Store
    from api.store.sheets import load_example

    store = Store(f"sqlite:///{tmp_path / 'memory.sqlite3'}")
    try:
        load_example(store)
        cycle = store.cycle("Northwind Freight", 1)
    finally:
        store.close()
    assert cycle.profile["flywheel"] == {
        step: summary["band"] for step, summary in cycle.combined["flywheel"].items()
        if summary["band"]}
    rules = [b["id"] for f in cycle.plan["flywheel_focus"] for b in f["because"]]
    assert any(r.endswith("_self_checked_critical") or r.endswith("_self_checked_poor")
               for r in rules)
    # every step was rated, so no indicator rule (ids "<step>_when_...") speaks
    assert not any("_when_" in r for r in rules)
