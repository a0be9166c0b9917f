"""The catalog pins every name and count of the guide (reference sections 1-5, 7)."""

from __future__ import annotations

import dataclasses

import pytest

from advisor.catalog import Catalog, load_catalog

SCENARIOS = ["potential", "kickoff", "growing", "thriving", "crisis", "decline", "collapse",
             "resurgence"]
SERVICES = [
    ("Advice to executive level", "strategic"), ("Benefits realization management", "strategic"),
    ("Foster project culture", "strategic"), ("Governance oversight", "strategic"),
    ("Organizational change management", "strategic"), ("Portfolio management", "strategic"),
    ("Strategic planning support", "strategic"), ("Knowledge management", "tactical"),
    ("Methodologies and frameworks management", "tactical"), ("Resource management", "tactical"),
    ("Systems and tools management", "tactical"), ("Training and development", "tactical"),
    ("Audit assessments", "operational"), ("Change control management", "operational"),
    ("Customer relationship management", "operational"),
    ("Data analytics and reporting", "operational"), ("Issue management", "operational"),
    ("Mentoring and coaching", "operational"), ("Performance management", "operational"),
    ("Program management", "operational"), ("Project management", "operational"),
    ("Project support services", "operational"), ("Quality assurance", "operational"),
    ("Risk management", "operational"), ("Specialized services", "operational"),
    ("Stakeholder engagement", "operational"),
]
APPROACHES = ["consultative", "supportive", "facilitative", "directive", "controlling", "managed"]
OUTCOMES = [
    ("Better availability of skilled resources", "M-L"),
    ("Better organizational change management", "M-L"),
    ("Better control over project teams", "S-M"),
    ("Better definition of roles and responsibilities", "S-M"),
    ("Better project prioritization", "M"), ("Better quality of project results", "M-L"),
    ("Better talent management", "M-L"), ("Effective knowledge transfer", "M"),
    ("Enhanced decision-making", "S-M"), ("Enhanced project customer experience", "M"),
    ("Enhanced resource management", "M"), ("Greater alignment with strategic objectives", "M-L"),
    ("Greater integration among organizational areas", "M-L"),
    ("Higher return on investment (ROI)", "L"), ("Improved availability of information", "S-M"),
    ("Improved collaboration and communication", "S-M"),
    ("Improved organizational commitment to results", "M-L"),
    ("Improved project budget management", "S-M"),
    ("Improved project customer relationships", "M"),
    ("Improved performance management", "S-M"), ("Improved success rates", "M-L"),
    ("Improved reliability of information provided", "S-M"),
    ("Improved stakeholder engagement", "S-M"), ("Increased organizational learning", "M-L"),
    ("Increased productivity on projects", "S-M"),
    ("Increased visibility of project progress", "S"),
    ("More accurate project forecasting", "M"), ("Reduction of risk exposure", "M"),
    ("Stronger governance and compliance", "M-L"), ("Reduction of project life cycle", "M"),
]
COMPETENCIES = [
    "Accuracy", "Adaptability", "Analytical skills", "Business acumen", "Collaboration",
    "Communication", "Conflict resolution", "Continuous improvement", "Cultural awareness",
    "Customer focus", "Decision-making", "Interpersonal intelligence", "Integrity and ethics",
    "Innovation", "Leadership", "Negotiation", "Objectivity", "Proactivity", "Problem-solving",
    "Process management", "Project management", "Relationship building", "Resilience",
    "Risk management", "Stakeholder engagement", "Strategic influence", "Strategic thinking",
    "Teamwork", "Time management", "Training skills",
]
FLYWHEEL = [
    ("Awareness Building", "exploration"), ("Needs Assessment", "exploration"),
    ("Value Proposition", "design"), ("Service Development", "design"),
    ("Service Onboarding", "deployment"), ("Service Operation", "deployment"),
    ("Service Monitoring", "enhancement"), ("Service Improvement", "enhancement"),
    ("Value Delivery", "realization"), ("Value Recognition", "realization"),
]
SIGNS = {
    "potential": ["pmo_under_discussion", "no_formal_pm_practices"],
    "kickoff": ["initial_executive_buy_in", "basic_frameworks_introduced", "pmo_team_forming"],
    "growing": ["benefits_materializing", "pmo_scope_expanding", "pmo_team_growing"],
    "thriving": ["widespread_recognition", "consistent_delivery_success",
                 "strong_governance_followed"],
    "crisis": ["artifacts_unused", "constant_complaints", "autonomy_reduced",
               "bureaucracy_complaints", "persistent_resistance", "excluded_from_key_meetings",
               "delivery_worsening"],
    "decline": ["executive_support_lost", "customers_disengaged", "frequent_pmo_leader_changes",
                "high_pmo_team_turnover", "pmo_cost_cutting", "customers_sabotage_pmo",
                "information_hidden_from_pmo"],
    "collapse": ["governance_breakdown", "stakeholder_confidence_lost", "projects_unmanageable",
                 "disbanding_considered"],
    "resurgence": ["rebuilding_focus", "governance_reestablished", "stakeholders_reengaged",
                   "early_recovery_signs", "lessons_applied"],
}
# Appendix X2: outcome -> recommended services (by service number), reference section 2.2.
OUTCOME_SERVICES = {
    1: [10, 12, 18], 2: [3, 5, 26], 3: [9, 10, 19, 21], 4: [4, 9], 5: [1, 2, 6, 7],
    6: [9, 13, 19, 23, 25], 7: [10, 12, 18], 8: [8, 9, 12, 18], 9: [1, 4, 7, 16],
    10: [15, 17, 23, 26], 11: [6, 10, 14, 19], 12: [1, 2, 4, 6, 7], 13: [3, 11, 26],
    14: [2, 6, 19, 20], 15: [11, 16, 22], 16: [3, 11, 26], 17: [1, 2, 3, 6, 19],
    18: [14, 16, 17, 19, 21, 22, 25], 19: [15, 17, 19, 26], 20: [13, 16, 17, 19, 20, 21, 22],
    21: [5, 8, 9, 14, 17, 20, 21, 24, 25], 22: [11, 16, 23], 23: [5, 15, 26],
    24: [8, 12, 13, 18], 25: [9, 10, 11, 22, 25], 26: [11, 16, 26], 27: [9, 16, 22, 24, 25],
    28: [4, 13, 17, 24], 29: [4, 9, 13, 14], 30: [9, 10, 14, 17, 21, 22, 25],
}
# Appendix X4: a few service -> critical competency profiles, and the notes of reference 4.1.
SERVICE_COMPETENCY_SAMPLES = {
    "data_analytics_and_reporting": ["communication", "continuous_improvement",
                                     "problem_solving", "time_management"],
    "training_and_development": ["collaboration", "communication", "continuous_improvement",
                                 "project_management", "training_skills"],
    "foster_project_culture": ["adaptability", "collaboration", "communication",
                               "cultural_awareness", "leadership", "project_management",
                               "stakeholder_engagement", "teamwork"],
}


def test_counts_match_the_guide(catalog: Catalog) -> None:
    assert [len(getattr(catalog, k)) for k in
            ("scenarios", "services", "approaches", "outcomes", "competencies", "flywheel",
             "signs", "customer_groups", "maturity_levels", "flywheel_stages")] == \
        [8, 26, 6, 30, 30, 10, 34, 7, 5, 5]


def test_scenarios_in_fig_4_1_order(catalog: Catalog) -> None:
    assert [s.id for s in catalog.scenarios] == SCENARIOS
    assert all(s.strategies and s.focus_areas and s.page for s in catalog.scenarios)


def test_services_names_levels_and_numbers(catalog: Catalog) -> None:
    assert [(s.name, s.level) for s in catalog.services] == SERVICES
    assert [s.number for s in catalog.services] == list(range(1, 27))
    levels = [s.level for s in catalog.services]
    assert (levels.count("strategic"), levels.count("tactical"), levels.count("operational")) \
        == (7, 5, 14)
    assert catalog.service(16).id == catalog.service("data_analytics_and_reporting").id


def test_approaches_in_maturity_order(catalog: Catalog) -> None:
    assert [a.id for a in catalog.approaches] == APPROACHES
    assert [a.name for a in catalog.approaches][2] == "Facilitative"  # not "facilitation"
    ideal = [a.ideal_customer_maturity for a in catalog.approaches]
    assert ideal == sorted(ideal, reverse=True)


def test_outcomes_names_and_horizons(catalog: Catalog) -> None:
    assert [(o.name, o.horizon) for o in catalog.outcomes] == OUTCOMES


def test_outcome_to_services_map_is_appendix_x2(catalog: Catalog) -> None:
    for number, services in OUTCOME_SERVICES.items():
        assert [s.number for s in catalog.services_for_outcome(number)] == services, number


def test_competencies_are_the_flat_list_of_thirty(catalog: Catalog) -> None:
    assert [c.name for c in catalog.competencies] == COMPETENCIES
    assert catalog.competency("integrity_and_ethics").number == 13


def test_service_competency_profiles(catalog: Catalog) -> None:
    for service, competencies in SERVICE_COMPETENCY_SAMPLES.items():
        assert list(catalog.service(service).critical_competencies) == competencies
    used = {c for s in catalog.services for c in s.critical_competencies}
    assert "resilience" not in used  # C23 is critical for no service (reference 4.1)
    negotiation = [s.id for s in catalog.services if "negotiation" in s.critical_competencies]
    assert negotiation == ["stakeholder_engagement"]


def test_flywheel_steps_and_stages(catalog: Catalog) -> None:
    assert [(s.name, s.stage) for s in catalog.flywheel] == FLYWHEEL


def test_signs_catalog_ids_per_scenario(catalog: Catalog) -> None:
    for scenario, ids in SIGNS.items():
        assert [s.id for s in catalog.signs_of(scenario)] == ids


def test_every_item_carries_its_guide_page(catalog: Catalog) -> None:
    for kind in ("scenarios", "services", "approaches", "outcomes", "competencies", "flywheel",
                 "signs", "indicators", "customer_groups", "maturity_levels"):
        for item in getattr(catalog, kind):
            assert item.page and item.page[0].isdigit(), (kind, item)


def test_catalog_is_loaded_once_and_frozen(catalog: Catalog) -> None:
    assert load_catalog() is catalog
    with pytest.raises(dataclasses.FrozenInstanceError):
        catalog.services[0].name = "x"  # type: ignore[misc]
    assert isinstance(catalog.services[0].approaches, tuple)
