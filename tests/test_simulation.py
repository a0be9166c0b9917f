"""The flywheel model's mechanics, data and contract: small, seeded, exact."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import numpy as np
import pytest
import simpy

from advisor.catalog import HORIZONS
from advisor.errors import InputError
from advisor.presets import load_preset
from api.schemas.answers import to_json
from rules.diagnosis import diagnose
from simulation import (
    LOCAL,
    compare,
    compare_from_request,
    experiment_from_request,
    list_presets,
    list_shocks,
    list_stories,
    list_strategies,
    run_experiment,
    run_story,
)
from simulation.flywheel import (
    PHASE_PERCEPTION,
    PHASE_STEPS,
    PHASE_WHEEL,
    every_month,
    wheel_action,
)
from simulation.lifecycle import PHASE_RELAUNCH, launch, restructure, shutdown
from simulation.model import scenario_ids, series_columns, simulate
from simulation.organization import PHASE_ORGANIZATION
from simulation.parameters import DEFAULT_PARAMETERS, PERCEPTION_DELAY, Parameters
from simulation.reviews import PHASE_REVIEW
from simulation.shocks import PHASE_SHOCKS, ScheduledShock, load_shocks, parse_shock
from simulation.state import PmoState, Start
from simulation.strategies import load_strategies

PRESET = "kickoff-fintech"


def start_of(preset: str = PRESET) -> Start:
    return Start.from_profile(load_preset(preset))


def one_run(strategy: str = "customer_centric", months: int = 12, seed: int = 1,
            preset: str = PRESET, **options: Any) -> Any:
    return simulate(start_of(preset), load_strategies()[strategy], DEFAULT_PARAMETERS, months,
                    np.random.SeedSequence(seed), **options)


def fresh_state(strategy: str = "customer_centric", preset: str = PRESET) -> PmoState:
    months = 24
    zeros = [[0.0] * 12 for _ in range(months + 1)]
    state = PmoState(start_of(preset), load_strategies()[strategy], DEFAULT_PARAMETERS, months,
                     [[1.0] * len(load_shocks())] * (months + 1), zeros,
                     [[1.0] * 3] * (months + 1), trace=True)
    state.env = simpy.Environment()
    return state


# --- data: strategies, shocks, stories ---------------------------------------------------------

def test_shipped_strategies_cover_the_issue_and_are_well_formed() -> None:
    strategies = load_strategies()
    assert {"customer_centric", "process_centric", "quick_wins", "crisis_turnaround",
            "minimal"} <= set(strategies)
    for s in strategies.values():
        assert len(s.effort) == 10 and sum(s.effort) == pytest.approx(1.0)
        assert sum(share for _, share in s.services) == pytest.approx(1.0)
        assert sum(s.horizon_mix) == pytest.approx(1.0)
        assert s.summary and s.source
    assert strategies["resilient"].trigger_for("crisis").switch_to == "crisis_turnaround"
    assert strategies["customer_centric"].trigger_for("crisis") is None


def test_quick_wins_are_perceived_sooner_than_long_term_work() -> None:
    # share of value perceived within the short horizons (S, S-M), from the service mix
    def short(strategy: str) -> float:
        return sum(load_strategies()[strategy].horizon_mix[:2])
    assert short("quick_wins") > short("customer_centric") + 0.15
    assert short("crisis_turnaround") > short("customer_centric") + 0.15


def test_tailored_approach_follows_customer_maturity() -> None:
    tailored = load_strategies()["customer_centric"]
    assert tailored.approach_for(1.5) == ("controlling", 1.0)
    assert tailored.approach_for(4.0) == ("supportive", 1.0)
    fixed = load_strategies()["process_centric"]   # controlling, suits maturity 1.5
    assert fixed.approach_for(4.5) == ("controlling", 0.25)


def test_listings_for_the_api_are_json() -> None:
    listings = {"strategies": list_strategies(), "shocks": [to_json(s) for s in list_shocks()],
                "stories": [to_json(s) for s in list_stories()], "presets": list_presets()}
    assert json.loads(json.dumps(listings)) == listings
    assert {s["id"] for s in listings["shocks"]} >= {"sponsor_change", "budget_cut",
                                                     "reorganization", "leadership_change",
                                                     "merger"}
    assert len(listings["stories"]) >= 3 and "kickoff-fintech" in listings["presets"]
    assert LOCAL.to_dict()["runs_x_months_x_strategies"] == 360_000


# --- SimPy clock ---------------------------------------------------------------------------------

def test_work_within_a_month_runs_in_phase_order() -> None:
    env = simpy.Environment()
    log: list[tuple[int, str]] = []
    phases = {"record": 0.9, "review": PHASE_REVIEW, "relaunch": PHASE_RELAUNCH,
              "organization": PHASE_ORGANIZATION, "perception": PHASE_PERCEPTION,
              "wheel": PHASE_WHEEL, "steps": PHASE_STEPS, "shocks": PHASE_SHOCKS}
    for name, phase in phases.items():   # started in reverse order on purpose
        env.process(every_month(env, phase, lambda month, n=name: log.append((month, n))))
    env.run(until=3)
    order = ["shocks", "steps", "wheel", "perception", "organization", "relaunch", "review",
             "record"]
    assert log == [(1, n) for n in order] + [(2, n) for n in order]


def test_a_seeded_story_timeline_is_exact() -> None:
    rep = one_run("minimal", months=30, seed=3, random_shocks=False,
                  schedule=[ScheduledShock("sponsor_change", 4)], trace=True)
    timeline = [(e.month, e.kind, e.name) for e in rep.events if e.kind != "cycle"]
    assert timeline == [(0, "review", "kickoff"), (4, "shock", "sponsor_change"),
                        (9, "review", "crisis"), (30, "review", "decline")]


# --- flywheel mechanics --------------------------------------------------------------------------

def test_the_wheel_stalls_at_its_weakest_step() -> None:
    balanced = load_strategies()["customer_centric"]
    effort = list(balanced.effort)
    effort[-2] += effort[-1]          # nothing left for Value Recognition
    effort[-1] = 0.0
    starved = dataclasses.replace(balanced, effort=tuple(effort))
    start = start_of()

    typical = DEFAULT_PARAMETERS.with_changes({"spread": {}, "execution_spread": 0.0})

    def run(strategy: Any) -> Any:    # a typical organization: no spread drawn
        return simulate(start, strategy, typical, 24, np.random.SeedSequence(5),
                        random_shocks=False)

    healthy, stalled = run(balanced), run(starved)
    assert healthy.completed_cycles >= 3
    assert stalled.completed_cycles == 0
    assert stalled.series[-1, 0] < healthy.series[-1, 0] / 2     # momentum


def test_value_waits_for_its_perception_horizon() -> None:
    state = fresh_state()
    state.pipeline[:] = [0.0] * len(state.pipeline)
    wheel_action(state)(1)
    p = DEFAULT_PARAMETERS
    delivered = state.wheel() * (1 + p.momentum_speedup * state.momentum) / p.cycle_months \
        * state.fit()
    for horizon, share in zip(HORIZONS, state.strategy.horizon_mix):
        assert state.pipeline[1 + PERCEPTION_DELAY[horizon]] == pytest.approx(delivered * share)
    assert state.pipeline[1] == 0.0


def test_completed_cycles_make_the_next_easier_and_faster() -> None:
    rep = one_run(months=36, random_shocks=False)
    momentum = rep.series[:, 0]
    assert rep.completed_cycles >= 5
    assert momentum[-1] > momentum[12] > momentum[6]


# --- shocks and the life cycle -------------------------------------------------------------------

def test_sponsor_change_pulls_support_halfway_to_two() -> None:
    state = fresh_state(preset="thriving-insurer")
    state.health[6] = 0.0          # Monitoring idle: the shock lands in full
    load_shocks()["sponsor_change"].apply(state)
    assert state.x["executive_support"] == pytest.approx(4.5 - 0.5 * 2.5)
    assert state.x["influence"] == pytest.approx(4.2)
    assert [e.name for e in state.events] == ["sponsor_change"]


def test_budget_cut_shows_cost_cutting_to_the_assessor() -> None:
    state = fresh_state()
    state.health[6] = 0.0
    load_shocks()["budget_cut"].apply(state)
    assert state.x["resources"] == pytest.approx(1.5)
    assert "pmo_cost_cutting" in state.observed_profile().signs


def test_healthy_monitoring_softens_a_shock_by_its_share() -> None:
    idle, watched = fresh_state(preset="thriving-insurer"), fresh_state(preset="thriving-insurer")
    idle.health[6], watched.health[6] = 0.0, 1.0
    before = idle.x["executive_support"]
    for state in (idle, watched):
        load_shocks()["sponsor_change"].apply(state)
    avoided = DEFAULT_PARAMETERS.monitoring_softening
    assert before - watched.x["executive_support"] == pytest.approx(
        (1 - avoided) * (before - idle.x["executive_support"]))


def test_shutdown_then_launch_is_a_resurgence() -> None:
    state = fresh_state()
    shutdown(state)
    profile = state.observed_profile()
    assert not profile.pmo.exists and profile.pmo.previous_pmo_closed
    assert state.momentum == 0.0 and max(state.health) == 0.0
    launch(state)
    profile = state.observed_profile()
    assert profile.pmo.exists and profile.pmo.age_months == 0.0
    assert {"rebuilding_focus", "lessons_applied"} <= set(profile.signs)
    assert diagnose(profile).scenario == "resurgence"
    assert [e.kind for e in state.events] == ["shutdown", "launch"]


def test_restructure_is_a_major_change_with_new_leadership() -> None:
    state = fresh_state()
    restructure(state)
    restructure(state)
    assert state.restructures == 2 and len(state.major_changes) == 2
    assert "frequent_pmo_leader_changes" in state.observed_profile().signs


# --- experiments: shape, determinism, errors -----------------------------------------------------

def test_experiment_json_is_the_contract() -> None:
    result = run_experiment(PRESET, "quick_wins", months=12, runs=6, seed=7,
                            shocks=["budget_cut@2"], workers=1)
    data = to_json(result)
    assert json.loads(json.dumps(data)) == data
    assert list(data) == ["kind", "model_version", "ruleset_version", "profile", "strategy",
                          "relaunch_strategy", "months", "runs", "seed", "shocks",
                          "random_shocks", "initial_scenario", "parameters", "series",
                          "summary"]
    series = data["series"]
    assert series["month"] == list(range(13))
    assert set(series["momentum"]) == {"p10", "p50", "p90"}
    assert set(series["indicators"]) == set(series_columns()[1:])
    assert set(series["scenario_shares"]) == set(scenario_ids())
    assert data["shocks"] == ["budget_cut@2"] and data["initial_scenario"] == "kickoff"
    assert data["parameters"]["review_interval"] == 3
    assert "quick_wins" in data["parameters"]["strategies"]


def test_same_seed_same_result_with_or_without_workers() -> None:
    options = dict(months=24, runs=24, seed=11, shocks=["sponsor_change@5"])
    alone = to_json(run_experiment(PRESET, "customer_centric", workers=1, **options))
    again = to_json(run_experiment(PRESET, "customer_centric", workers=1, **options))
    pooled = to_json(run_experiment(PRESET, "customer_centric", workers=2, **options))
    assert alone == again == pooled


def test_compared_strategies_share_their_random_numbers() -> None:
    result = compare(PRESET, ["customer_centric", "minimal"], months=12, runs=5, seed=3,
                     workers=1)
    # the same shocks land in both: compare each replication's major-change months
    first, second = (r.replications for r in result.results)
    assert [r.major_changes for r in first] == [r.major_changes for r in second]
    data = to_json(result)
    assert data["strategies"] == ["customer_centric", "minimal"]
    assert [row["strategy"] for row in data["table"]] == data["strategies"]


def test_requests_are_validated_and_run() -> None:
    body = {"profile": PRESET, "strategy": "minimal", "months": 6, "runs": 3, "seed": 1,
            "shocks": [{"shock": "merger", "month": 2}], "random_shocks": False}
    assert to_json(experiment_from_request(body, workers=1))["shocks"] == ["merger@2"]
    both = compare_from_request({"profile": load_preset(PRESET).to_dict(), "months": 3,
                                 "runs": 2, "strategies": ["minimal", "quick_wins"]}, workers=1)
    assert len(both.results) == 2


@pytest.mark.parametrize(("call", "match"), [
    # an unknown strategy lists the shipped ones
    (lambda: run_experiment(PRESET, "growth_hacking", runs=1),
     r"^strategy: unknown strategy 'growth_hacking'; allowed: .*customer_centric"),
    # an unknown shock
    (lambda: run_experiment(PRESET, "minimal", runs=1, shocks=["alien_invasion@3"]),
     r"^shocks\[0\]: unknown shock 'alien_invasion'; allowed: sponsor_change"),
    # a shock without its month
    (lambda: run_experiment(PRESET, "minimal", runs=1, shocks=["sponsor_change"]),
     r"^shocks\[0\]: expected NAME@MONTH"),
    # a shock after the horizon
    (lambda: run_experiment(PRESET, "minimal", runs=1, months=12, shocks=["merger@13"]),
     r"^shocks\[0\]: month must be a whole number from 1 to 12, got 13"),
    # negative months
    (lambda: run_experiment(PRESET, "minimal", months=-5), r"^months: must be between 1 and 120"),
    # runs beyond the cap
    (lambda: run_experiment(PRESET, "minimal", runs=10_001),
     r"^runs: must be between 1 and 10000"),
    # the cost cap: runs x months
    (lambda: run_experiment(PRESET, "minimal", runs=10_000, months=37),
     r"^runs x months = 370000 is above the limit of 360000"),
    # the cost cap counts every compared strategy
    (lambda: compare(PRESET, ["minimal", "quick_wins"], runs=5001, months=36),
     r"^runs x months x strategies = 360072"),
    # a seed must be a whole number >= 0
    (lambda: run_experiment(PRESET, "minimal", seed=1.5), r"^seed: must be a whole number"),
    (lambda: run_experiment(PRESET, "minimal", seed=-1), r"^seed: must be between 0 and"),
    # an unknown preset (the API cannot name files)
    (lambda: run_experiment("../../etc/passwd", "minimal"), r"^profile: unknown preset"),
    # a profile document is validated like a profile file
    (lambda: run_experiment({"pmo": {"exists": True}, "indicators": {"influence": 6}}, "minimal"),
     r"^profile\.indicators\.influence: must be between 1\.0 and 5\.0"),
    # a comparison needs two to six distinct strategies
    (lambda: compare(PRESET, ["minimal"]), r"^strategies: compare 2 to 6 strategies, got 1"),
    (lambda: compare(PRESET, ["minimal", "minimal"]), r"^strategies: listed more than once"),
    (lambda: compare(PRESET, ["minimal", "nope"]), r"^strategies\[1\]: unknown strategy 'nope'"),
    # requests: unknown and missing fields
    (lambda: experiment_from_request({"profile": PRESET, "strategy": "minimal", "colour": 1}),
     r"^colour: unknown field; allowed: profile, strategy"),
    (lambda: experiment_from_request({"profile": PRESET}), r"^strategy: missing required field"),
    (lambda: experiment_from_request({"profile": PRESET, "strategy": "minimal",
                                      "random_shocks": "yes"}),
     r"^random_shocks: must be true or false"),
    # a story's seed is bounded too, and its name must be a shipped story
    (lambda: run_story("crisis-averted", seed=-1), r"^seed: must be a whole number between 0"),
    (lambda: run_story("the-end"), r"^story: unknown story 'the-end'; allowed: crisis-averted"),
    # model parameters are checked by name
    (lambda: run_experiment(PRESET, "minimal", parameters={"warp": 1}),
     r"^parameters: unknown parameter 'warp'"),
])
def test_bad_parameters_get_a_clear_error(call: Any, match: str) -> None:
    with pytest.raises(InputError, match=match):
        call()


def test_parse_shock_accepts_both_spellings() -> None:
    assert parse_shock("budget_cut @ 4", 12) == ScheduledShock("budget_cut", 4)
    assert parse_shock({"shock": "merger", "month": 12}, 12) == ScheduledShock("merger", 12)


def test_parameters_refuse_nonsense() -> None:
    with pytest.raises(InputError, match=r"parameters\.noise_sd: must be a number >= 0"):
        Parameters(noise_sd=-1.0)
    assert DEFAULT_PARAMETERS.with_changes({"hazard_scale": 2.0}).hazard_scale == 2.0


def test_every_summary_measure_has_a_label_in_the_reports() -> None:
    from api.reports.simulation import SUMMARY_LABELS
    from simulation.results import SUMMARY_KEYS
    assert set(SUMMARY_KEYS) <= set(SUMMARY_LABELS)
    summary = run_experiment(PRESET, "minimal", months=3, runs=2, workers=1).summary
    assert tuple(summary) == SUMMARY_KEYS
