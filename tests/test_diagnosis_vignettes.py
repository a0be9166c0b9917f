"""Scenario diagnosis against short PMO vignettes written from the guide, not from the rule table.

Each row is a situation a PMO consultant could meet, described with the guide's own
characteristics and signs of the eight organizational contextual scenarios (Guide Ch. 4
p.29-44; domain reference sections 1.1-1.3), and the scenario the guide's definitions point to:

- Potential: no PMO yet, only talk; low culture and maturity.
- Kickoff: baseline readiness, initial executive buy-in, a young PMO being set up.
- Growing: expansion, first benefits, widening support; momentum to keep.
- Thriving: the peak; widely recognized, strong governance followed, efficient delivery.
- Crisis: executive support *begins to wane* (is not lost); stakeholders struggle to see value.
- Decline: a crisis not managed; executive support *lost*, disengagement, turnover, cost cuts.
- Collapse: executive backing, autonomy, resources *and* influence all lacking; or every sign of
  Collapse the guide lists, disbanding included, even if one of the four still holds.
- Resurgence: a rebirth after an earlier failure, burdened by past trauma; the earlier PMO need
  not have been formally closed when every sign of a revival shows.

Issue 10 added cases for each change: evidence over gates (signs weighed together), Growing
earned by momentum, organizational changes as evidence, transitions with concurring evidence
(Collapse -> Potential), and confidence that knows its coverage.

Numbers are the kind an assessor writes down (1 very weak .. 5 very strong), deliberately not
tuned to any threshold of the rules. The invariant tests at the end check properties that hold
for every diagnosis whatever the vignette.
"""

from __future__ import annotations

from typing import Any

import pytest

from advisor.assessment import parse_profile
from advisor.errors import InputError
from rules.diagnosis import diagnose

SCENARIOS = ("potential", "kickoff", "growing", "thriving", "crisis", "decline", "collapse",
             "resurgence")
PILLARS = ("executive_support", "autonomy", "resources", "influence")


def vignette(exists: bool = True, age: float | None = None, closed: bool = False,
             signs: tuple[str, ...] = (), trends: dict[str, str] | None = None,
             changes: dict[str, float] | None = None, services: dict[str, int] | None = None,
             **indicators: float) -> dict[str, Any]:
    """A profile document (as a user would write it) from keyword indicators."""
    pmo: dict[str, Any] = {"exists": exists, "previous_pmo_closed": closed}
    if age is not None:
        pmo["age_months"] = age
    doc: dict[str, Any] = {"pmo": pmo, "indicators": dict(indicators)}
    if changes:
        doc["changes"] = {kind: {"months_ago": months} for kind, months in changes.items()}
    if services:
        doc["services"] = {sid: {"maturity": level} for sid, level in services.items()}
    if trends:
        doc["trends"] = dict(trends)
    if signs:
        doc["signs"] = list(signs)
    return doc


def explain(d: Any) -> str:
    """What the engine said, for assertion messages."""
    top = ", ".join(f"{s}={score:.3f}" for s, score in d.ranking[:3])
    fired = ", ".join(f"{r.id}({r.effect})" for r in d.fired_rules)
    return f"engine said {d.scenario!r}; top: {top}; fired: {fired}"


ALL_THRIVING = dict(executive_support=4.6, stakeholder_support=4.5, cultural_readiness=4.2,
                    pm_maturity=4.4, delivery_performance=4.5, strategic_alignment=4.6,
                    output_quality=4.3, team_morale=4.2, autonomy=4.3, resources=4.2,
                    influence=4.5, adaptability=4.0)

# (id, profile, expected scenario, expected transition (towards, indicator) or None)
VIGNETTES = [
    # ---------------------------------------------------------------- Potential (p.31-32)
    # Management keeps talking about a PMO; no formal PM practice, weak culture and maturity.
    pytest.param(vignette(exists=False, executive_support=2.0, cultural_readiness=1.8,
                          pm_maturity=1.5, delivery_performance=2.2, strategic_alignment=2.0,
                          signs=("pmo_under_discussion", "no_formal_pm_practices")),
                 "potential", None, id="potential-talk-only"),
    # Only the signs are known: a PMO is being discussed, nothing formal exists.
    pytest.param(vignette(exists=False, signs=("pmo_under_discussion",)),
                 "potential", None, id="potential-signs-only"),
    # Partial assessment: two indicators, both low, and no PMO.
    pytest.param(vignette(exists=False, cultural_readiness=2.0, pm_maturity=1.7),
                 "potential", None, id="potential-two-indicators"),
    # One curious executive, but the culture is not there yet; the idea is only being aired.
    pytest.param(vignette(exists=False, executive_support=3.0, cultural_readiness=1.9,
                          pm_maturity=2.1, trends={"cultural_readiness": "rising"},
                          signs=("pmo_under_discussion",)),
                 "potential", None, id="potential-curious-sponsor-weak-culture"),
    # Full picture of an organization with no PMO and little project discipline.
    pytest.param(vignette(exists=False, executive_support=1.8, stakeholder_support=2.0,
                          cultural_readiness=1.6, pm_maturity=1.4, delivery_performance=2.0,
                          strategic_alignment=2.2, adaptability=2.5,
                          signs=("no_formal_pm_practices",)),
                 "potential", None, id="potential-no-pmo-low-discipline"),

    # ---------------------------------------------------------------- Kickoff (p.32-33)
    # Four-month-old PMO: executives bought in, first frameworks and team being set up.
    pytest.param(vignette(age=4, executive_support=3.8, cultural_readiness=3.0, pm_maturity=2.5,
                          stakeholder_support=3.0, resources=3.0,
                          signs=("initial_executive_buy_in", "basic_frameworks_introduced",
                                 "pmo_team_forming")),
                 "kickoff", None, id="kickoff-fresh-launch"),
    # Only signs, two months in: buy-in obtained, the team is forming.
    pytest.param(vignette(age=2, signs=("initial_executive_buy_in", "pmo_team_forming")),
                 "kickoff", None, id="kickoff-signs-only"),
    # Partial: six months old, sponsor on board, baseline culture, minimal maturity.
    pytest.param(vignette(age=6, executive_support=3.5, pm_maturity=2.4, cultural_readiness=2.8),
                 "kickoff", None, id="kickoff-three-indicators"),
    # Age not recorded, but the PMO is clearly introducing its first frameworks and team.
    pytest.param(vignette(executive_support=3.6, pm_maturity=2.2, delivery_performance=2.8,
                          signs=("basic_frameworks_introduced", "pmo_team_forming")),
                 "kickoff", None, id="kickoff-no-age-recorded"),
    # Charter approved last month; sponsor enthusiastic, everything else at baseline.
    pytest.param(vignette(age=1, executive_support=4.0, cultural_readiness=3.2, pm_maturity=2.3,
                          stakeholder_support=3.0, resources=2.8, autonomy=3.0, influence=2.5,
                          trends={"executive_support": "rising"}),
                 "kickoff", None, id="kickoff-charter-just-approved"),

    # ---------------------------------------------------------------- Growing (p.33-34)
    # 18 months: first benefits measured, scope and support widening.
    pytest.param(vignette(age=18, executive_support=3.8, stakeholder_support=3.6,
                          cultural_readiness=3.3, pm_maturity=3.2, delivery_performance=3.4,
                          output_quality=3.5, resources=3.4, influence=3.3,
                          trends={"stakeholder_support": "rising", "influence": "rising"},
                          signs=("benefits_materializing", "pmo_scope_expanding")),
                 "growing", None, id="growing-first-benefits"),
    # Only signs: benefits appear, the team grows, more projects come under the PMO.
    pytest.param(vignette(age=14, signs=("benefits_materializing", "pmo_team_growing",
                                         "pmo_scope_expanding")),
                 "growing", None, id="growing-signs-only"),
    # Partial: moderate support and delivery, resources growing.
    pytest.param(vignette(age=20, stakeholder_support=3.5, delivery_performance=3.3,
                          resources=3.6, trends={"resources": "rising"}),
                 "growing", None, id="growing-three-indicators"),
    # Three years in and still expanding, not yet at the peak.
    pytest.param(vignette(age=36, executive_support=3.9, stakeholder_support=3.7, pm_maturity=3.4,
                          delivery_performance=3.5, influence=3.4, resources=3.5,
                          trends={"resources": "rising", "influence": "rising"},
                          signs=("pmo_scope_expanding", "pmo_team_growing")),
                 "growing", None, id="growing-three-years-still-expanding"),
    # Ten months, but already past launch: benefits show, team is growing fast.
    pytest.param(vignette(age=10, executive_support=4.0, stakeholder_support=3.6,
                          trends={"stakeholder_support": "rising", "resources": "rising"},
                          signs=("benefits_materializing", "pmo_team_growing")),
                 "growing", None, id="growing-fast-young-pmo"),
    # Mixed: a growing PMO hears one "bureaucratic" complaint; support and delivery are fine.
    pytest.param(vignette(age=22, executive_support=3.9, stakeholder_support=3.5,
                          pm_maturity=3.3, delivery_performance=3.4, autonomy=3.5,
                          resources=3.5, influence=3.3,
                          signs=("benefits_materializing", "bureaucracy_complaints")),
                 "growing", None, id="growing-one-crisis-sign-support-solid"),

    # ---------------------------------------------------------------- Thriving (p.34-35)
    # Five-year-old PMO at the peak on every indicator, with all thriving signs.
    pytest.param(vignette(age=60, **ALL_THRIVING,
                          signs=("widespread_recognition", "consistent_delivery_success",
                                 "strong_governance_followed")),
                 "thriving", None, id="thriving-peak"),
    # Only signs, four years in.
    pytest.param(vignette(age=48, signs=("widespread_recognition", "consistent_delivery_success",
                                         "strong_governance_followed")),
                 "thriving", None, id="thriving-signs-only"),
    # Partial: recognition, delivery and maturity all strong.
    pytest.param(vignette(age=42, stakeholder_support=4.4, delivery_performance=4.5,
                          pm_maturity=4.3),
                 "thriving", None, id="thriving-three-indicators"),
    # Still thriving, but the sponsor's attention is drifting: transition sign towards Crisis.
    pytest.param(vignette(age=54, **{**ALL_THRIVING, "executive_support": 4.3},
                          trends={"executive_support": "falling"},
                          signs=("widespread_recognition", "consistent_delivery_success")),
                 "thriving", ("crisis", "executive_support"), id="thriving-exec-support-falling"),
    # An earlier PMO closed long ago; this one is five years old and at its peak.
    pytest.param(vignette(age=60, closed=True, **ALL_THRIVING,
                          signs=("widespread_recognition", "strong_governance_followed")),
                 "thriving", None, id="thriving-old-closure-long-past"),
    # Mixed: one crisis sign (bureaucracy complaints) but executives solid and nothing else wrong.
    pytest.param(vignette(age=66, **ALL_THRIVING,
                          signs=("widespread_recognition", "consistent_delivery_success",
                                 "bureaucracy_complaints")),
                 "thriving", None, id="thriving-one-crisis-sign-support-solid"),

    # ---------------------------------------------------------------- Crisis (p.35-36)
    # Support waning, complaints, artifacts unused, PMO left out of key meetings.
    pytest.param(vignette(age=48, executive_support=2.9, stakeholder_support=2.5,
                          cultural_readiness=3.0, pm_maturity=3.4, delivery_performance=2.7,
                          output_quality=2.8, team_morale=3.0, autonomy=2.6, resources=3.0,
                          influence=2.5,
                          trends={"executive_support": "falling",
                                  "stakeholder_support": "falling",
                                  "delivery_performance": "falling"},
                          signs=("artifacts_unused", "constant_complaints",
                                 "excluded_from_key_meetings")),
                 "crisis", None, id="crisis-classic"),
    # High maturity, but customers see bureaucracy not value and the sponsor is cooling off.
    pytest.param(vignette(age=72, pm_maturity=4.3, delivery_performance=3.8, output_quality=4.0,
                          cultural_readiness=3.8, executive_support=3.2,
                          stakeholder_support=2.6, autonomy=2.8, influence=2.7,
                          trends={"executive_support": "falling",
                                  "stakeholder_support": "falling", "autonomy": "falling"},
                          signs=("bureaucracy_complaints", "autonomy_reduced",
                                 "artifacts_unused")),
                 "crisis", None, id="crisis-high-maturity-waning-support"),
    # Only signs: complaints, bureaucracy, resistance that won't fade, delivery worsening.
    pytest.param(vignette(age=40, signs=("constant_complaints", "bureaucracy_complaints",
                                         "persistent_resistance", "delivery_worsening")),
                 "crisis", None, id="crisis-signs-only"),
    # A nine-month-old PMO already in trouble: resistance and waning support.
    pytest.param(vignette(age=9, executive_support=3.0, stakeholder_support=2.4,
                          cultural_readiness=2.3, pm_maturity=2.2, delivery_performance=2.5,
                          trends={"executive_support": "falling",
                                  "delivery_performance": "falling"},
                          signs=("persistent_resistance", "bureaucracy_complaints",
                                 "artifacts_unused")),
                 "crisis", None, id="crisis-young-pmo-in-trouble"),
    # Partial: three indicators, all sliding.
    pytest.param(vignette(age=30, executive_support=3.0, stakeholder_support=2.3, influence=2.4,
                          trends={"executive_support": "falling",
                                  "stakeholder_support": "falling"}),
                 "crisis", None, id="crisis-three-indicators"),
    # A restructuring and a new leadership team push the PMO aside; practices still decent.
    pytest.param(vignette(age=44, executive_support=3.1, strategic_alignment=2.4,
                          stakeholder_support=2.8, pm_maturity=3.5, delivery_performance=3.3,
                          autonomy=2.7, influence=2.6, resources=3.2,
                          trends={"executive_support": "falling",
                                  "strategic_alignment": "falling",
                                  "stakeholder_support": "falling"},
                          signs=("excluded_from_key_meetings", "autonomy_reduced")),
                 "crisis", None, id="crisis-after-restructuring"),
    # Mixed: customers disengaging and staff leaving, but executives still (weakly) back it.
    pytest.param(vignette(age=50, executive_support=3.1, stakeholder_support=2.2,
                          team_morale=2.5, delivery_performance=2.8, autonomy=3.0,
                          resources=3.2, influence=2.7,
                          trends={"executive_support": "falling"},
                          signs=("constant_complaints", "customers_disengaged",
                                 "high_pmo_team_turnover")),
                 "crisis", None, id="crisis-exec-waning-not-lost"),

    # ---------------------------------------------------------------- Decline (p.36-37)
    # Executive support lost, customers disengaged, turnover and cost cutting; PMO still running.
    pytest.param(vignette(age=60, executive_support=1.8, stakeholder_support=1.9,
                          cultural_readiness=2.2, pm_maturity=2.8, delivery_performance=2.3,
                          output_quality=2.2, team_morale=1.8, autonomy=2.7, resources=2.8,
                          influence=2.0,
                          trends={"resources": "falling", "team_morale": "falling"},
                          signs=("executive_support_lost", "customers_disengaged",
                                 "high_pmo_team_turnover", "pmo_cost_cutting")),
                 "decline", None, id="decline-classic"),
    # Only signs: sponsor gone, customers disengaged, leaders keep changing, info hidden.
    pytest.param(vignette(age=50, signs=("executive_support_lost", "customers_disengaged",
                                         "frequent_pmo_leader_changes",
                                         "information_hidden_from_pmo")),
                 "decline", None, id="decline-signs-only"),
    # Partial: support and morale gone; nothing known about autonomy, resources, influence.
    pytest.param(vignette(age=40, executive_support=1.9, stakeholder_support=2.0,
                          team_morale=1.9),
                 "decline", None, id="decline-three-indicators"),
    # The crisis was never handled: complaints persist, sabotage, budget cut, people leaving.
    pytest.param(vignette(age=66, executive_support=2.0, stakeholder_support=1.8,
                          delivery_performance=2.4, team_morale=2.0, autonomy=2.7,
                          resources=2.8, influence=2.0,
                          trends={"executive_support": "falling", "resources": "falling"},
                          signs=("constant_complaints", "customers_sabotage_pmo",
                                 "pmo_cost_cutting", "high_pmo_team_turnover")),
                 "decline", None, id="decline-after-unmanaged-crisis"),
    # A young PMO whose sponsor left: leaders rotate and the budget is being cut.
    pytest.param(vignette(age=14, executive_support=1.7, stakeholder_support=2.2,
                          team_morale=2.0, delivery_performance=2.6, autonomy=2.8,
                          resources=2.6, influence=2.2,
                          trends={"resources": "falling"},
                          signs=("frequent_pmo_leader_changes", "pmo_cost_cutting",
                                 "executive_support_lost")),
                 "decline", None, id="decline-young-pmo-sponsor-left"),
    # Mixed: collapse-like signs, but the budget and team are still solid -> not Collapse.
    pytest.param(vignette(age=58, executive_support=1.5, stakeholder_support=1.6,
                          autonomy=1.8, influence=1.6, resources=3.8, team_morale=2.4,
                          delivery_performance=2.2,
                          signs=("governance_breakdown", "stakeholder_confidence_lost",
                                 "disbanding_considered")),
                 "decline", None, id="decline-collapse-signs-but-resources-solid"),

    # ---------------------------------------------------------------- Collapse (p.37-38)
    # Everything gone: no backing, autonomy, resources or influence; disbanding considered.
    pytest.param(vignette(age=70, executive_support=1.2, stakeholder_support=1.3,
                          cultural_readiness=1.8, pm_maturity=1.6, delivery_performance=1.5,
                          strategic_alignment=1.5, output_quality=1.4, team_morale=1.3,
                          autonomy=1.2, resources=1.3, influence=1.1, adaptability=1.5,
                          signs=("governance_breakdown", "stakeholder_confidence_lost",
                                 "projects_unmanageable", "disbanding_considered")),
                 "collapse", None, id="collapse-complete"),
    # Partial: only the four pillars are known, and all four are lacking.
    pytest.param(vignette(age=55, executive_support=1.3, autonomy=1.4, resources=1.5,
                          influence=1.2),
                 "collapse", None, id="collapse-four-pillars-only"),
    # Four pillars lacking plus disbanding talk and unmanageable projects.
    pytest.param(vignette(age=36, executive_support=1.5, autonomy=1.3, resources=1.6,
                          influence=1.4,
                          signs=("disbanding_considered", "projects_unmanageable")),
                 "collapse", None, id="collapse-pillars-and-signs"),
    # A PMO that never took root: 15 months, no backing left, closure on the table.
    pytest.param(vignette(age=15, executive_support=1.4, stakeholder_support=1.5,
                          autonomy=1.5, resources=1.2, influence=1.3, delivery_performance=1.6,
                          signs=("disbanding_considered", "stakeholder_confidence_lost")),
                 "collapse", None, id="collapse-young-pmo-never-took-root"),
    # A second attempt after an earlier closure fails too: closure history does not mean Resurgence.
    pytest.param(vignette(age=20, closed=True, executive_support=1.3, stakeholder_support=1.4,
                          autonomy=1.5, resources=1.4, influence=1.2, pm_maturity=1.7,
                          signs=("disbanding_considered", "governance_breakdown")),
                 "collapse", None, id="collapse-second-attempt-failing"),

    # ---------------------------------------------------------------- Resurgence (p.38-39)
    # Rebirth five months after the old PMO was closed: rebuilding, lessons applied.
    pytest.param(vignette(age=5, closed=True, executive_support=3.6, stakeholder_support=2.6,
                          cultural_readiness=2.4, pm_maturity=2.5, delivery_performance=2.7,
                          adaptability=3.5,
                          trends={"executive_support": "rising",
                                  "stakeholder_support": "rising",
                                  "delivery_performance": "rising"},
                          signs=("rebuilding_focus", "governance_reestablished",
                                 "lessons_applied")),
                 "resurgence", None, id="resurgence-rebirth"),
    # Trauma: people remember the old PMO and resist, yet a sponsor is rebuilding it.
    pytest.param(vignette(age=8, closed=True, executive_support=3.2, stakeholder_support=2.2,
                          cultural_readiness=2.0, pm_maturity=2.3,
                          signs=("rebuilding_focus", "lessons_applied",
                                 "persistent_resistance")),
                 "resurgence", None, id="resurgence-trauma-resistance"),
    # Only signs after an earlier closure: rebuilding, stakeholders re-engaged, early recovery.
    pytest.param(vignette(age=6, closed=True, signs=("rebuilding_focus", "stakeholders_reengaged",
                                                     "early_recovery_signs")),
                 "resurgence", None, id="resurgence-signs-only"),
    # Partial: a year into the second PMO, sponsor strong, customers slowly coming back.
    pytest.param(vignette(age=12, closed=True, executive_support=3.8, stakeholder_support=2.9,
                          delivery_performance=2.8,
                          trends={"stakeholder_support": "rising",
                                  "delivery_performance": "rising"}),
                 "resurgence", None, id="resurgence-three-indicators"),
    # Looks like a kickoff (buy-in, team forming), but an earlier PMO was closed: a rebirth.
    pytest.param(vignette(age=3, closed=True, executive_support=4.0, cultural_readiness=2.2,
                          pm_maturity=2.0, stakeholder_support=2.4,
                          signs=("rebuilding_focus", "initial_executive_buy_in",
                                 "pmo_team_forming")),
                 "resurgence", None, id="resurgence-kickoff-like-after-closure"),
    # ---------------------------------------------------------------- Issue 10: signs weighed
    # Most of the guide's Decline signs at once, though the sponsor still says nice things (3.5):
    # executives no longer really back it, customers disengaged, leaders rotate, staff leave,
    # budget cut. Read together, the signs say Decline (p.36-37, 41).
    pytest.param(vignette(age=44, executive_support=3.5, stakeholder_support=2.0,
                          team_morale=2.0, resources=2.5,
                          signs=("executive_support_lost", "customers_disengaged",
                                 "frequent_pmo_leader_changes", "high_pmo_team_turnover",
                                 "pmo_cost_cutting")),
                 "decline", None, id="decline-most-signs-sponsor-still-polite"),
    # Every Collapse sign, disbanding included, while the PMO still keeps a budget (3.0).
    pytest.param(vignette(age=50, executive_support=1.5, stakeholder_support=1.4,
                          autonomy=1.6, influence=1.5, resources=3.0,
                          signs=("governance_breakdown", "stakeholder_confidence_lost",
                                 "projects_unmanageable", "disbanding_considered")),
                 "collapse", ("potential", "disbanding_considered"),
                 id="collapse-every-sign-budget-left"),
    # A PMO left dormant, never formally closed, now revived: every sign of a Resurgence.
    pytest.param(vignette(age=5, executive_support=3.6, stakeholder_support=2.6,
                          cultural_readiness=2.3,
                          signs=("rebuilding_focus", "governance_reestablished",
                                 "stakeholders_reengaged", "early_recovery_signs",
                                 "lessons_applied")),
                 "resurgence", None, id="resurgence-revival-without-formal-closure"),
    # ---------------------------------------------------------------- Issue 10: Growing earned
    # Five years old, delivery fair, sponsor polite; but its focus is disconnected from what the
    # organization cares about and its processes stagnate, both getting worse (p.39-41).
    pytest.param(vignette(age=60, executive_support=3.2, stakeholder_support=3.0,
                          pm_maturity=3.4, delivery_performance=3.1, output_quality=3.0,
                          team_morale=3.0, resources=3.2, strategic_alignment=2.2,
                          adaptability=1.9,
                          trends={"strategic_alignment": "falling",
                                  "adaptability": "falling"}),
                 "crisis", None, id="crisis-mature-misaligned-stagnant"),
    # ---------------------------------------------------------------- Issue 10: transitions
    # Sponsor gone, customers away, budget cut; but a new COO has started a deliberate effort to
    # rebuild the PMO: a Decline with a sign of revival (p.36-39, 43).
    pytest.param(vignette(age=48, executive_support=1.8, stakeholder_support=1.9,
                          team_morale=2.0, resources=2.2,
                          signs=("executive_support_lost", "customers_disengaged",
                                 "pmo_cost_cutting", "rebuilding_focus")),
                 "decline", ("resurgence", "rebuilding_considered"),
                 id="decline-with-a-rebuilding-effort"),
    # Nothing left and still sinking: the board will disband it and start afresh (p.37-38, 43).
    pytest.param(vignette(age=40, executive_support=1.2, autonomy=1.3, resources=1.4,
                          influence=1.2, stakeholder_support=1.3,
                          trends={"resources": "falling", "stakeholder_support": "falling"},
                          signs=("disbanding_considered", "stakeholder_confidence_lost")),
                 "collapse", ("potential", "resources"), id="collapse-sinking-towards-disband"),
    # ---------------------------------------------------------------- Issue 10: two maturities
    # The PMO's own services are polished (governance, methods, audits at level 4-5), the
    # organization's PM maturity is only middling, and customers do not see the value: service
    # maturity without alignment to needs (p.83-84) in a PMO whose value is questioned (p.35).
    pytest.param(vignette(age=54, executive_support=3.2, stakeholder_support=2.3,
                          pm_maturity=3.0, delivery_performance=3.0,
                          services={"governance_oversight": 5,
                                    "methodologies_and_frameworks_management": 5,
                                    "audit_assessments": 4, "quality_assurance": 4}),
                 "crisis", None, id="crisis-mature-services-customers-see-no-value"),
    # ---------------------------------------------------------------- Issue 10: changes
    # A reorganization three months ago moved the PMO under a new division; it lost its seat in
    # the portfolio board and its sponsor's support is slipping (p.39-41: organizational change).
    pytest.param(vignette(age=30, executive_support=3.3, stakeholder_support=3.0,
                          delivery_performance=3.2, influence=2.4, autonomy=2.8,
                          trends={"influence": "falling", "executive_support": "falling"},
                          changes={"restructuring": 3}),
                 "crisis", ("decline", "restructuring"), id="crisis-after-recent-restructuring"),
    # A new CEO arrived four months ago and the strategy shifted; the PMO still runs last
    # year's priorities and its sponsor is lukewarm.
    pytest.param(vignette(age=40, executive_support=2.9, stakeholder_support=3.0,
                          delivery_performance=3.3, strategic_alignment=2.6,
                          changes={"leadership_change": 4, "strategy_shift": 2}),
                 "crisis", None, id="crisis-new-ceo-new-strategy"),
    # A growing PMO whose organization restructured around it: more projects come under it,
    # indicators rise; the change is pushing it forward, not back.
    pytest.param(vignette(age=20, executive_support=3.8, stakeholder_support=3.4,
                          delivery_performance=3.3, resources=3.3, influence=3.4,
                          trends={"influence": "rising", "resources": "rising"},
                          signs=("pmo_scope_expanding",), changes={"restructuring": 2}),
                 "growing", ("thriving", "restructuring"), id="growing-restructuring-helps"),
]

@pytest.mark.parametrize(("doc", "expected", "transition"), VIGNETTES)
def test_vignette_diagnosis(doc: dict[str, Any], expected: str,
                            transition: tuple[str, str] | None) -> None:
    d = diagnose(parse_profile(doc))
    assert d.scenario == expected, explain(d)
    if transition is not None:
        towards, indicator = transition
        seen = [(t.towards, t.indicator) for t in d.transition_signs]
        assert (towards, indicator) in seen, f"transition signs: {seen}; {explain(d)}"


def test_every_scenario_has_at_least_four_vignettes() -> None:
    counts = {s: sum(1 for p in VIGNETTES if p.values[1] == s) for s in SCENARIOS}
    assert all(n >= 4 for n in counts.values()), counts
    assert len(VIGNETTES) >= 44


# ---------------------------------------------------------------- invariants

def _vignette_docs(keep: Any = lambda doc: True) -> list[Any]:
    """The vignette profiles (optionally only those ``keep`` accepts), for invariant tests."""
    return [pytest.param(p.values[0], id=p.id) for p in VIGNETTES if keep(p.values[0])]


def _a_pillar_holds(doc: dict[str, Any]) -> bool:
    indicators = doc.get("indicators", {})
    return any(indicators.get(p, 0.0) >= 3.5 for p in PILLARS)


def _never_closed(doc: dict[str, Any]) -> bool:
    return not doc["pmo"].get("previous_pmo_closed", False)


def _pillar_held_docs() -> list[Any]:
    """Collapse-looking PMOs in which exactly one of the four pillars still holds."""
    docs = []
    for pillar in PILLARS:
        for level in (3.5, 4.2):
            indicators = {i: 1.2 for i in ("stakeholder_support", "cultural_readiness",
                                           "pm_maturity", "delivery_performance",
                                           "output_quality", "team_morale", *PILLARS)}
            indicators[pillar] = level
            docs.append(pytest.param(
                vignette(age=48, **indicators,
                         signs=("governance_breakdown", "stakeholder_confidence_lost",
                                "projects_unmanageable", "disbanding_considered")),
                id=f"{pillar}-{level}"))
    return docs


@pytest.mark.parametrize("doc", _vignette_docs())
def test_ranking_covers_all_scenarios_and_sums_to_one(doc: dict[str, Any]) -> None:
    d = diagnose(parse_profile(doc))
    names = [s for s, _ in d.ranking]
    assert sorted(names) == sorted(SCENARIOS)
    scores = [score for _, score in d.ranking]
    assert all(score >= 0 for score in scores)
    assert sum(scores) == pytest.approx(1.0, abs=0.01)
    assert scores == sorted(scores, reverse=True)
    assert d.ranking[0][0] == d.scenario


def _collapse_signs(doc: dict[str, Any]) -> int:
    collapse = {"governance_breakdown", "stakeholder_confidence_lost", "projects_unmanageable",
                "disbanding_considered"}
    return len(collapse & set(doc.get("signs", ())))


def _resurgence_signs(doc: dict[str, Any]) -> int:
    revival = {"rebuilding_focus", "governance_reestablished", "stakeholders_reengaged",
               "early_recovery_signs", "lessons_applied"}
    return len(revival & set(doc.get("signs", ())))


@pytest.mark.parametrize("doc", _vignette_docs(
    lambda doc: _a_pillar_holds(doc) and _collapse_signs(doc) < 4))
def test_collapse_never_wins_while_a_pillar_holds_unless_every_sign_shows(
        doc: dict[str, Any]) -> None:
    d = diagnose(parse_profile(doc))
    assert d.scenario != "collapse", explain(d)


@pytest.mark.parametrize("doc", _pillar_held_docs())
def test_every_collapse_sign_is_weighed_against_the_pillar_that_holds(
        doc: dict[str, Any]) -> None:
    """Issue 10.1: one pillar above a threshold no longer zeroes a PMO showing every sign of
    Collapse; it counts against it, and the signs, read together, weigh more."""
    d = diagnose(parse_profile(doc))
    assert d.scenario == "collapse", explain(d)
    assert any(r.effect == "against" and r.scenario == "collapse" for r in d.fired_rules)


@pytest.mark.parametrize("doc", _vignette_docs(
    lambda doc: _never_closed(doc) and _resurgence_signs(doc) < 4))
def test_without_an_earlier_closure_resurgence_needs_most_of_its_signs(
        doc: dict[str, Any]) -> None:
    d = diagnose(parse_profile(doc))
    assert d.scenario != "resurgence", explain(d)


@pytest.mark.parametrize("doc", _vignette_docs())
def test_only_the_existence_of_a_pmo_zeroes_a_scenario(doc: dict[str, Any]) -> None:
    d = diagnose(parse_profile(doc))
    zero = {s for s, score in d.ranking if score == 0}
    definitional = ({"potential"} if doc["pmo"]["exists"] else
                    {"growing", "thriving", "crisis", "decline", "collapse"})
    assert zero == definitional, explain(d)


@pytest.mark.parametrize("doc", _vignette_docs(
    lambda doc: len(doc.get("indicators", {})) >= 10))
def test_one_indicator_is_never_more_confident_than_the_whole_profile(
        doc: dict[str, Any]) -> None:
    """Issue 10.6: keeping any single indicator of a complete profile (and its PMO facts, no
    trends or signs) gives less coverage and less confidence than the complete profile."""
    whole = diagnose(parse_profile(doc))
    for indicator, value in doc["indicators"].items():
        thin_doc = {"pmo": doc["pmo"], "indicators": {indicator: value}}
        try:
            thin = diagnose(parse_profile(thin_doc))
        except InputError:  # no rule reads this indicator alone: nothing to be confident about
            continue
        assert thin.coverage < whole.coverage, indicator
        assert thin.confidence < whole.confidence, (indicator, explain(thin), explain(whole))


@pytest.mark.parametrize("doc", _vignette_docs())
def test_every_fired_rule_is_explained(doc: dict[str, Any]) -> None:
    d = diagnose(parse_profile(doc))
    assert d.fired_rules, "a diagnosis should say which rules fired"
    for rule in d.fired_rules:
        assert rule.id and rule.reason and rule.source, rule
        assert rule.scenario in SCENARIOS, rule
