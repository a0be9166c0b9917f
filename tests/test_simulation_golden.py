"""Golden results for the shipped profiles and stories, seeded and exact (as SimPy's examples
are diffed against their .out files).

A change to the model, its data or the diagnosis rules changes these numbers on purpose: rerun
the snippet in each test's docstring, check that the change is the one intended, then update.
numpy streams are stable per numpy build, which ``constraints.txt`` pins.
"""

from __future__ import annotations

from typing import Any

import pytest

from api.schemas.answers import to_json
from simulation import run_experiment, run_story
from simulation.stories import get_story, is_subsequence

RUNS, MONTHS, SEED = 16, 24, 2025

GOLDEN_SUMMARIES = {
    ('collapse-conglomerate', 'crisis_turnaround'): {
        'p_collapse_by_horizon': 1.0, 'p_thriving_at_horizon': 0.0,
        'median_months_to_first_thriving': None, 'mean_months_in_crisis': 2.1875,
        'p_thriving_ever': 0.0, 'p_crisis_ever': 0.25, 'p_recovered': 0.0,
        'p_shutdown_by_horizon': 0.875, 'mean_major_changes': 1.375,
        'median_months_to_first_major_change': 3.0,
    },
    ('crisis-retailer', 'crisis_turnaround'): {
        'p_collapse_by_horizon': 0.0625, 'p_thriving_at_horizon': 0.0,
        'median_months_to_first_thriving': None, 'mean_months_in_crisis': 19.375,
        'p_thriving_ever': 0.0, 'p_crisis_ever': 1.0, 'p_recovered': 0.5,
        'p_shutdown_by_horizon': 0.0625, 'mean_major_changes': 0.6875,
        'median_months_to_first_major_change': None,
    },
    ('decline-logistics', 'resilient'): {
        'p_collapse_by_horizon': 0.4375, 'p_thriving_at_horizon': 0.0,
        'median_months_to_first_thriving': None, 'mean_months_in_crisis': 9.0,
        'p_thriving_ever': 0.0, 'p_crisis_ever': 0.8125, 'p_recovered': 0.1875,
        'p_shutdown_by_horizon': 0.4375, 'mean_major_changes': 1.5,
        'median_months_to_first_major_change': 4.5,
    },
    ('growing-telecom', 'customer_centric'): {
        'p_collapse_by_horizon': 0.0625, 'p_thriving_at_horizon': 0.5625,
        'median_months_to_first_thriving': 22.5, 'mean_months_in_crisis': 1.125,
        'p_thriving_ever': 0.625, 'p_crisis_ever': 0.375, 'p_recovered': 1.0,
        'p_shutdown_by_horizon': 0.0625, 'mean_major_changes': 0.5625,
        'median_months_to_first_major_change': None,
    },
    ('kickoff-fintech', 'quick_wins'): {
        'p_collapse_by_horizon': 0.0625, 'p_thriving_at_horizon': 0.125,
        'median_months_to_first_thriving': None, 'mean_months_in_crisis': 0.75,
        'p_thriving_ever': 0.125, 'p_crisis_ever': 0.25, 'p_recovered': 1.0,
        'p_shutdown_by_horizon': 0.0625, 'mean_major_changes': 0.5625,
        'median_months_to_first_major_change': None,
    },
    ('potential-manufacturer', 'customer_centric'): {
        'p_collapse_by_horizon': 0.0625, 'p_thriving_at_horizon': 0.0,
        'median_months_to_first_thriving': None, 'mean_months_in_crisis': 1.9375,
        'p_thriving_ever': 0.0, 'p_crisis_ever': 0.375, 'p_recovered': 0.75,
        'p_shutdown_by_horizon': 0.0625, 'mean_major_changes': 0.3125,
        'median_months_to_first_major_change': None,
    },
    ('resurgence-airline', 'process_centric'): {
        'p_collapse_by_horizon': 0.0625, 'p_thriving_at_horizon': 0.0,
        'median_months_to_first_thriving': None, 'mean_months_in_crisis': 5.1875,
        'p_thriving_ever': 0.0, 'p_crisis_ever': 0.6875, 'p_recovered': 0.5,
        'p_shutdown_by_horizon': 0.0625, 'mean_major_changes': 0.5625,
        'median_months_to_first_major_change': None,
    },
    ('thriving-insurer', 'minimal'): {
        'p_collapse_by_horizon': 0.0625, 'p_thriving_at_horizon': 0.75,
        'median_months_to_first_thriving': 0.0, 'mean_months_in_crisis': 0.5625,
        'p_thriving_ever': 1.0, 'p_crisis_ever': 0.1875, 'p_recovered': 1.0,
        'p_shutdown_by_horizon': 0.0625, 'mean_major_changes': 0.5625,
        'median_months_to_first_major_change': None,
    },
    ('kickoff-fintech', 'plan'): {
        'p_collapse_by_horizon': 0.0625, 'p_thriving_at_horizon': 0.125,
        'median_months_to_first_thriving': None, 'mean_months_in_crisis': 0.75,
        'p_thriving_ever': 0.125, 'p_crisis_ever': 0.25, 'p_recovered': 1.0,
        'p_shutdown_by_horizon': 0.0625, 'mean_major_changes': 0.5625,
        'median_months_to_first_major_change': None,
    },
}

GOLDEN_STORIES = {
    'crisis-averted': [
        (0, 'start', 'thriving'), (2, 'shock', 'sponsor_change'), (3, 'review',
        'crisis'), (3, 'strategy', 'crisis_turnaround'), (3, 'portfolio',
        'services_retired'), (3, 'portfolio', 'service_added'), (6, 'review',
        'thriving'), (6, 'strategy', 'resilient'), (6, 'portfolio', 'services_retired'),
        (6, 'portfolio', 'service_added'), (7, 'shock', 'reorganization'),
    ],
    'crisis-to-resurgence': [
        (0, 'start', 'thriving'), (3, 'portfolio', 'services_retired'), (3, 'portfolio',
        'service_added'), (4, 'shock', 'sponsor_change'), (9, 'review', 'crisis'), (10,
        'shock', 'budget_cut'), (24, 'review', 'decline'), (30, 'strategy',
        'crisis_turnaround'), (45, 'review', 'collapse'), (45, 'shutdown', 'shutdown'),
        (48, 'review', 'potential'), (53, 'launch', 'launch'), (54, 'review',
        'resurgence'), (60, 'portfolio', 'services_retired'), (72, 'review', 'growing'),
    ],
    'kickoff-to-thriving': [
        (0, 'start', 'kickoff'), (3, 'portfolio', 'services_retired'), (9, 'review',
        'growing'), (9, 'portfolio', 'service_added'), (12, 'portfolio',
        'service_added'), (14, 'shock', 'strategy_shift'), (20, 'shock',
        'executive_champion'), (24, 'review', 'thriving'),
    ],
}


@pytest.mark.parametrize(("preset", "strategy"), list(GOLDEN_SUMMARIES))
def test_seeded_summary_of_a_shipped_profile(preset: str, strategy: str) -> None:
    """``run_experiment(preset, strategy, runs=16, months=24, seed=2025).summary``"""
    result = run_experiment(preset, strategy, runs=RUNS, months=MONTHS, seed=SEED, workers=1)
    assert result.summary == GOLDEN_SUMMARIES[(preset, strategy)]


@pytest.mark.parametrize("story", list(GOLDEN_STORIES))
def test_seeded_story_timeline(story: str) -> None:
    """``[(e.month, e.kind, e.name) for e in run_story(story).timeline]``"""
    result = run_story(story)
    assert [(e.month, e.kind, e.name) for e in result.timeline] == GOLDEN_STORIES[story]
    assert is_subsequence(get_story(story).expect_path, result.path)


def test_crisis_to_resurgence_passes_through_the_five_scenarios_then_grows() -> None:
    path = run_story("crisis-to-resurgence").path
    assert path == ["thriving", "crisis", "decline", "collapse", "potential", "resurgence",
                    "growing"]
    assert is_subsequence(["thriving", "crisis", "decline", "collapse", "resurgence"], path)
    assert is_subsequence(["resurgence", "growing"], path)


def test_story_json_carries_the_rules_behind_each_transition() -> None:
    data: dict[str, Any] = to_json(run_story("crisis-to-resurgence"))
    assert data["follows_expected_path"] is True
    decline = next(e for e in data["timeline"] if e["scenario_to"] == "decline")
    assert decline["scenario_from"] == "crisis"
    assert decline["rules"][0]["id"] == "decline_when_support_lost"
    said = [e["say"] for e in data["timeline"] if e["say"]]
    assert len(said) == 3 and said[0].startswith("The COO who founded the EPMO retires.")
    assert data["series"]["scenario"][-1] == "growing"
    assert data["series"]["strategy"][-1] == "customer_centric"
