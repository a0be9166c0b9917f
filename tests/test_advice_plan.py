"""The advice is a plan a PMO can carry out (issue 10, items 8-14): waves bounded by capacity,
maturity staged one level per wave, the right customers and approaches, structural
recommendations from Table 4-1, baseline elements, and a Thriving PMO that keeps growing.

Vignettes are written from the guide's text; each names the page it follows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scenarios
from advisor.assessment import Profile, parse_profile
from advisor.catalog import load_catalog
from advisor.sections import customers_of
from api.schemas.answers import to_json
from rules.advice import Advice, recommend
from rules.advice.approaches import customer_fit
from rules.advice.model import PlanChange

PROFILES = scenarios.documents("profiles")
SHIPPED = list(PROFILES.values())
WAVES = ("now", "next", "later")
CUTS = ("reduce", "retire")


def doc(stem: str, **changes: Any) -> dict[str, Any]:
    """A shipped profile's document with some top-level parts replaced."""
    data = yaml.safe_load(PROFILES[stem].read_text())
    data.update(changes)
    return data


def advise(data: dict[str, Any]) -> tuple[Profile, Advice]:
    profile = parse_profile(data)
    return profile, recommend(profile)


def scheduled(advice: Advice) -> list[tuple[str, PlanChange]]:
    return [(wave.wave, change) for wave in advice.plan.waves for change in wave.changes]


# --- Item 8: focused, bounded by capacity ---------------------------------------------------------

@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_no_wave_exceeds_its_capacity_and_each_change_moves_one_level(path: Path) -> None:
    advice = recommend(parse_profile(yaml.safe_load(path.read_text())))
    assert [w.wave for w in advice.plan.waves] == list(WAVES)
    for wave in advice.plan.waves:
        assert 1 <= len(wave.changes) <= wave.capacity or not wave.changes
        assert wave.capacity_rule.startswith(f"At most {wave.capacity} service changes")
        assert len({c.service for c in wave.changes}) == len(wave.changes)  # one step each
        for change in wave.changes:
            if change.action == "retire":
                assert change.to_maturity is None
            elif change.from_maturity is None:  # new services start low
                assert change.action == "introduce" and change.to_maturity == 1
            else:
                assert abs((change.to_maturity or 0) - change.from_maturity) == 1


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_change_is_scheduled_in_order_or_deferred_with_a_reason(path: Path) -> None:
    """A service's steps follow each other wave after wave; what is left is deferred, once."""
    advice = recommend(parse_profile(yaml.safe_load(path.read_text())))
    by_service: dict[str, list[tuple[int, PlanChange]]] = {}
    for wave, change in scheduled(advice):
        by_service.setdefault(change.service, []).append((WAVES.index(wave), change))
    for steps in by_service.values():
        for (w1, c1), (w2, c2) in zip(steps, steps[1:], strict=False):
            assert w2 > w1 and c2.from_maturity == c1.to_maturity
    deferred = [c.service for c in advice.plan.deferred]
    assert len(deferred) == len(set(deferred))
    assert all(c.reason.startswith("Deferred: ") for c in advice.plan.deferred)
    changing = {s.id: s for s in advice.services if s.action in ("introduce", "strengthen",
                                                                  "reduce", "retire")}
    for sid, service in changing.items():
        last = by_service.get(sid, [])[-1:]
        reached = last[0][1].to_maturity if last else service.current_maturity
        target = None if service.action == "retire" else service.recommended_maturity
        assert reached == target or sid in deferred, (sid, reached, target)


@pytest.mark.parametrize(("indicators", "pmo", "capacity", "rule"), [
    # scarce resources: two changes at a time
    ({"resources": 1.5}, {"exists": True, "age_months": 30}, 2,
     "capacity_of_a_pmo_with_scarce_resources"),
    # moderate resources
    ({"resources": 3.0}, {"exists": True, "age_months": 30}, 3,
     "capacity_of_a_pmo_with_moderate_resources"),
    # ample resources
    ({"resources": 4.5}, {"exists": True, "age_months": 30}, 4,
     "capacity_of_a_pmo_with_ample_resources"),
    # resources not rated: a moderate assumption, said so
    ({}, {"exists": True, "age_months": 30}, 3, "capacity_when_resources_are_not_rated"),
    # ample resources, but the team is leaving: the lowest capacity wins
    ({"resources": 4.5, "team_morale": 1.5}, {"exists": True, "age_months": 30}, 2,
     "capacity_of_a_strained_team"),
    # no PMO yet: a sponsor and a few champions
    ({}, {"exists": False}, 2, "capacity_before_a_pmo_exists"),
])
def test_capacity_follows_the_pmo_resources_and_team(indicators: dict[str, float],
                                                     pmo: dict[str, Any], capacity: int,
                                                     rule: str) -> None:
    # one sign gives the diagnosis evidence (age alone does not); capacity never reads it
    _, advice = advise({"pmo": pmo, "indicators": indicators,
                        "signs": ["bureaucracy_complaints"] if pmo["exists"] else []})
    assert {w.capacity for w in advice.plan.waves} == {capacity}
    assert rule in advice.plan.waves[0].capacity_rule


def test_crisis_reassesses_with_customers_before_it_cuts() -> None:
    """Guide p.35-36, Table 4-1: reengage customers and reassess the offering; the cuts come in a
    later wave than the customer check, never in the same one."""
    _, advice = advise(doc("crisis-retailer"))
    assert advice.scenario == "crisis"
    check = next(s for s in advice.plan.structure if s.id == "reassess_offering_with_customers")
    assert check.wave == "now"
    now = advice.plan.waves[0].changes
    assert not [c for c in now if c.action in CUTS]
    assert [c for wave, c in scheduled(advice) if c.action in CUTS and wave == "next"]
    cut = next(c for wave, c in scheduled(advice) if c.action in CUTS)
    assert "crisis_cuts_after_the_customer_check" in cut.reason
    for service in advice.services:  # the service list promises nothing earlier
        if service.action in CUTS:
            assert service.timing == "next", service.id
            assert service.because[-1].id == "crisis_cuts_after_the_customer_check"


def test_outside_a_crisis_unneeded_services_are_freed_at_once() -> None:
    """Decline stops what nobody needs in the first wave (Guide p.36-37, 84)."""
    _, advice = advise(doc("decline-software"))
    assert any(c.action == "retire" for c in advice.plan.waves[0].changes)


# --- Item 9: staged maturity ----------------------------------------------------------------------

def test_a_new_service_aimed_at_level_three_takes_three_waves() -> None:
    """Guide p.111: begin with simpler processes; p.275-276: levels build on each other."""
    _, advice = advise(doc("resurgence-government"))
    steps = [(w, c) for w, c in scheduled(advice)
             if c.service == "methodologies_and_frameworks_management"]
    assert [(w, c.action, c.from_maturity, c.to_maturity) for w, c in steps] == [
        ("now", "introduce", None, 1), ("next", "strengthen", 1, 2), ("later", "strengthen", 2, 3)]


# --- Item 10: operational services serve projects, strategic ones executives (Table 7-1) ---------

def test_executives_are_served_by_strategic_services_only() -> None:
    """Executives ranking 'enhanced decision-making' (outcome 9) are served by its strategic
    producers; data analytics and reporting, also a producer, stays the project managers'
    service (Table 7-1 p.73)."""
    customers = [{"id": "board", "group": "executives", "maturity": 3, "outcomes": [9]},
                 {"id": "pms", "group": "project_managers", "maturity": 3, "outcomes": [9]}]
    _, advice = advise(doc("growing-telecom", customers=customers, services={}))
    catalog = load_catalog()
    for service in advice.services:
        board = [s for s in service.serves if s.customer == "board"]
        if catalog.service(service.id).level != "strategic":
            assert not board, service.id
    serving_board = {x.id for x in advice.services if any(s.customer == "board"
                                                          for s in x.serves)}
    assert serving_board and all(catalog.service(s).level == "strategic" for s in serving_board)
    assert not [a for a in advice.approaches if a.customer == "board"
                and catalog.service(a.service).level != "strategic"]
    analytics = advice.service("data_analytics_and_reporting")
    assert {s.customer for s in analytics.serves} == {"pms"}


def test_an_executive_outcome_no_strategic_service_produces_is_flagged_not_missed() -> None:
    """'Improved performance management' (outcome 20) has only operational producers (Appendix
    X2): no service serves the board for it directly, which is said once, as such."""
    customers = [{"id": "board", "group": "executives", "maturity": 3, "outcomes": [20, 12]}]
    _, advice = advise(doc("growing-telecom", customers=customers))
    about = {w.id: dict(w.about) for w in advice.warnings}
    assert about["executive_outcome_no_strategic_service_produces"] == {
        "outcome": 20, "customers": ["board"]}
    assert "top_outcome_produced_by_no_current_service" not in about


# --- Item 11: approaches within one step of the customer's fit; no control without a mandate -----

@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_approaches_stay_within_one_step_of_the_customer_fit(path: Path) -> None:
    """Fig. 7-1 p.77: the customer's maturity gives the approach; a scenario shifts it one step."""
    profile = parse_profile(yaml.safe_load(path.read_text()))
    advice = recommend(profile)
    customers = {c.id: c for c in customers_of(profile)}
    catalog = load_catalog()
    for chosen in advice.approaches:
        allowed = sorted(catalog.service(chosen.service).approaches,
                         key=lambda a: catalog.approach(a).order)
        fit = customer_fit(tuple(allowed), customers[chosen.customer].maturity)
        assert abs(allowed.index(chosen.approach) - allowed.index(fit)) <= 1, (
            chosen.service, chosen.customer, chosen.approach, fit)


@pytest.mark.parametrize(("stem", "autonomy", "controlling_allowed"), [
    ("potential-manufacturer", None, False),  # no PMO: nobody may control (p.31-32)
    ("kickoff-fintech", 2.5, False),          # launched, mandate still being defined (p.32-33)
    ("kickoff-fintech", 4.5, True),           # a mandate with clear authority
    ("growing-university", 3.0, True),        # an operating PMO with room to act
    ("growing-university", 1.5, False),       # autonomy all but gone (p.35-36, 121-122)
])
def test_no_controlling_without_a_mandate(stem: str, autonomy: float | None,
                                          controlling_allowed: bool) -> None:
    data = doc(stem)
    data["customers"] = [{"id": "plants", "group": "functional_managers", "maturity": 1.0,
                          "outcomes": [29, 3], "risk": "high"}]
    if autonomy is not None:
        data["indicators"] = {**data.get("indicators", {}), "autonomy": autonomy}
    _, advice = advise(data)
    assert advice.scenario == stem.split("-")[0]
    controlling = [a for a in advice.approaches if a.approach == "controlling"]
    assert bool(controlling) == controlling_allowed, [(a.service, a.approach)
                                                      for a in advice.approaches]


# --- Item 12: structural recommendations from Table 4-1 -------------------------------------------

@pytest.mark.parametrize(("stem", "expected"), [
    ("potential-manufacturer", {"assess_readiness_and_pm_maturity"}),
    ("kickoff-hospital", {"define_mandate_governance_strategy", "form_team_and_roles"}),
    ("crisis-retailer", {"reassess_offering_with_customers", "health_assessment_and_crisis_plan"}),
    ("decline-logistics", {"audit_and_turnaround_roadmap", "redesign_structure_and_leadership"}),
    ("collapse-conglomerate", {"decide_revive_or_disband", "decentralize_or_outsource",
                               "orderly_shutdown_and_staff_transition"}),
    ("resurgence-airline", {"rebuild_the_mandate"}),
    ("thriving-energy", {"expand_the_customer_base"}),
    ("growing-telecom", set()),
])
def test_each_scenario_gets_the_structural_strategies_of_table_4_1(stem: str,
                                                                   expected: set[str]) -> None:
    _, advice = advise(doc(stem))
    got = {s.id for s in advice.plan.structure}
    assert expected <= got and (expected or not got), got
    for item in advice.plan.structure:
        assert item.recommendation and item.reason and item.source.startswith("Guide p.")


def test_a_reshaped_pmo_without_a_reporting_line_is_told_to_state_one() -> None:
    """Reporting lines belong to PMO governance (Guide p.121-122)."""
    _, unstated = advise(doc("resurgence-airline"))
    assert "state_the_reporting_line" in {s.id for s in unstated.plan.structure}
    _, stated = advise(doc("resurgence-airline",
                           organization={"reporting_line": "Chief Operating Officer"}))
    assert "state_the_reporting_line" not in {s.id for s in stated.plan.structure}


# --- Item 13: baseline elements -------------------------------------------------------------------

def test_a_regulated_organization_keeps_its_audits_without_a_ranked_outcome() -> None:
    """Decline retires what nobody ranked (Guide p.36-37), but a regulator still needs the audits
    (industry-specific profile, p.111-113)."""
    _, plain = advise(doc("decline-software"))
    assert plain.service("audit_assessments").action == "retire"
    _, regulated = advise(doc("decline-software",
                              organization={"industry": "banking software", "regulated": True}))
    audits = regulated.service("audit_assessments")
    assert audits.action == "keep" and audits.recommended_maturity == 3
    assert audits.because[0].id == "regulated_organization_keeps_its_audit_and_compliance_services"
    assert "audit_assessments" not in {c.service for _, c in scheduled(regulated)}


def test_an_organizational_maturity_assessment_is_not_a_project_audit() -> None:
    """Potential evaluates the organization's PM maturity (Table 4-1, p.111, 212); that is not
    the audit assessments service, which checks projects."""
    _, advice = advise(doc("potential-manufacturer"))
    assert "assess_readiness_and_pm_maturity" in {s.id for s in advice.plan.structure}
    audits = [s for s in advice.services if s.id == "audit_assessments"]
    assert not audits or all(b.id != "potential_measures_pm_maturity" for b in audits[0].because)
    assert not audits or audits[0].priority < 1


def test_a_project_pmo_is_warned_before_it_introduces_strategic_services() -> None:
    """A project-specific PMO covers one project or program (Guide p.119)."""
    _, advice = advise(doc("kickoff-fintech", organization={"scope": "project"}))
    warned = {w.about.get("service") for w in advice.warnings
              if w.id == "strategic_service_beyond_a_project_pmo"}
    catalog = load_catalog()
    assert warned and all(catalog.service(s).level == "strategic" for s in warned)
    _, enterprise = advise(doc("kickoff-fintech", organization={"scope": "enterprise"}))
    assert "strategic_service_beyond_a_project_pmo" not in {w.id for w in enterprise.warnings}


def test_the_organization_section_round_trips_and_leaves_the_diagnosis_alone() -> None:
    organization = {"industry": "insurance", "regulated": True, "scope": "enterprise",
                    "reporting_line": "CFO"}
    profile, advice = advise(doc("thriving-insurer", organization=organization))
    assert parse_profile(profile.to_dict()) == profile
    assert profile.to_dict()["organization"] == organization
    _, bare = advise(doc("thriving-insurer"))
    assert to_json(advice.diagnosis) == to_json(bare.diagnosis)


# --- Item 14: Thriving grows ---------------------------------------------------------------------

def test_thriving_with_falling_executive_support_rebuilds_it() -> None:
    """Falling executive support is a transition sign (Guide p.39-41) even at the peak: stronger
    advice to executives and awareness building; and a thriving PMO expands its customer base."""
    data = doc("thriving-insurer")
    data["trends"] = {**data["trends"], "executive_support": "falling"}
    _, advice = advise(data)
    assert advice.scenario == "thriving"
    executive = advice.service("advice_to_executive_level")
    assert "thriving_strengthens_executive_advice_when_support_falls" in {
        b.id for b in executive.because}
    assert "awareness_building" in [f.step for f in advice.flywheel_focus]
    assert "expand_the_customer_base" in {s.id for s in advice.plan.structure}
    _, steady = advise(doc("thriving-insurer"))
    assert "awareness_building" not in [f.step for f in steady.flywheel_focus]


def test_the_api_refuses_a_bad_organization_naming_the_field(client: Any) -> None:
    """Bad input: HTTP 4xx problem+json naming the field and what is allowed."""
    data = doc("kickoff-fintech", organization={"scope": "galactic"})
    response = client.post("/api/v1/recommendations", json=data)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    error = response.get_json()["errors"][0]
    assert error["field"] == "organization.scope"
    assert "enterprise, departmental, project" in error["message"]
    ok = client.post("/api/v1/recommendations", json=doc("kickoff-fintech",
                                                         organization={"scope": "project"}))
    assert ok.status_code == 200 and ok.get_json()["plan"]["waves"][0]["wave"] == "now"


# --- Properties: any valid profile gets a plan that keeps its own rules ------------------------

_CATALOG = load_catalog()
_LEVEL = st.integers(min_value=1, max_value=5)
_CUSTOMER = st.fixed_dictionaries({
    "group": st.sampled_from(_CATALOG.ids("customer_groups")),
    "maturity": st.sampled_from([1.0, 1.5, 2.0, 3.0, 4.0, 5.0]),
    "outcomes": st.lists(st.integers(min_value=1, max_value=30), max_size=5, unique=True),
})


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(stem=st.sampled_from(sorted(PROFILES)),
       resources=st.one_of(st.none(), st.sampled_from([1.0, 2.0, 2.5, 3.5, 4.0, 5.0])),
       services=st.dictionaries(st.sampled_from(_CATALOG.ids("services")), _LEVEL, max_size=8),
       customers=st.lists(_CUSTOMER, max_size=4),
       regulated=st.booleans())
def test_any_profile_gets_waves_within_capacity_one_level_per_step(
        stem: str, resources: float | None, services: dict[str, int],
        customers: list[dict[str, Any]], regulated: bool) -> None:
    data = doc(stem, services={s: {"maturity": m} for s, m in services.items()},
               customers=[{"id": f"c{i}", **c} for i, c in enumerate(customers)],
               organization={"regulated": regulated})
    indicators = dict(data.get("indicators", {}))
    indicators.pop("resources", None)
    if resources is not None:
        indicators["resources"] = resources
    data["indicators"] = indicators
    _, advice = advise(data)
    last: dict[str, tuple[int, int | None]] = {}
    for index, wave in enumerate(advice.plan.waves):
        assert len(wave.changes) <= wave.capacity
        for change in wave.changes:
            if change.service in last:  # successive waves, each from where the last one left
                assert last[change.service][0] < index
                assert last[change.service][1] == change.from_maturity
            if change.action != "retire":
                assert (change.to_maturity or 0) - (change.from_maturity or 0) in (-1, 1)
            last[change.service] = (index, change.to_maturity)
    if advice.scenario == "crisis":
        assert not [c for c in advice.plan.waves[0].changes if c.action in CUTS]
    if regulated:
        for sid in ("audit_assessments", "governance_oversight"):
            if sid in services:
                kept = advice.service(sid)  # cut only when needed, but far above the need
                assert kept.action not in CUTS or \
                    kept.because[0].id == "reduce_far_above_the_needed_maturity", kept.because[0]
