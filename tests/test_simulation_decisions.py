"""Issue 11: any strategy (documents, the plan), the PMO's own services and customers, every step
with its own role, and decisions (paired differences, verdicts, shock baselines)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from flask.testing import FlaskClient

import scenarios
from advisor.errors import InputError
from advisor.presets import load_preset
from api.cli import main
from api.schemas.answers import to_json
from simulation import compare, run_experiment, run_with_baseline
from simulation.model import simulate
from simulation.parameters import DEFAULT_PARAMETERS
from simulation.plan import WAVE_MONTHS, strategy_document_from_plan, strategy_from_plan
from simulation.results import Z95, per_run
from simulation.state import PmoState, Start
from simulation.strategies import load_strategies, strategy_from_document

PROFILES = scenarios.documents("profiles")

#: A plan as the advice (rules/advice) emits it: waves of changes to services.
WAVES = {"waves": [
    {"wave": "now", "capacity": 1.0, "capacity_rule": "hand-built", "changes": [
        {"service": "data_analytics_and_reporting", "action": "strengthen", "from_maturity": 1,
         "to_maturity": 3, "reason": "executives rank reporting first"},
        {"service": "stakeholder_engagement", "action": "introduce", "from_maturity": 0,
         "to_maturity": 2, "reason": "customers are disengaged"},
        {"service": "methodologies_and_frameworks_management", "action": "keep",
         "from_maturity": 1, "to_maturity": 1, "reason": "in use"}]},
    {"wave": "next", "capacity": 1.2, "capacity_rule": "hand-built", "changes": [
        {"service": "portfolio_management", "action": "introduce", "from_maturity": 0,
         "to_maturity": 2, "reason": "after the reporting works"}]},
    {"wave": "later", "capacity": 1.2, "capacity_rule": "hand-built", "changes": [
        {"service": "methodologies_and_frameworks_management", "action": "retire",
         "from_maturity": 1, "to_maturity": 0, "reason": "nobody ranks it"}]},
]}


def custom_document(**changes: Any) -> dict[str, Any]:
    base = load_strategies()["customer_centric"].document()
    base.update(id="mine", **changes)
    return base


# --- strategy documents --------------------------------------------------------------------------

def test_a_shipped_strategy_reads_back_from_its_own_document() -> None:
    for strategy in load_strategies().values():
        again = strategy_from_document(strategy.document())
        assert again.effort == pytest.approx(strategy.effort)
        assert again.triggers == strategy.triggers and again.approach == strategy.approach


@pytest.mark.parametrize(("changes", "field"), [
    ({"effort": {"awareness_building": 1.0}}, "strategy.effort"),
    ({"services": {"portfolio_management": 1e3}}, "strategy.services.portfolio_management"),
    ({"services": {"portfolio_management": "lots"}}, "strategy.services.portfolio_management"),
    ({"services": {"portfolio_management": float("nan")}},
     "strategy.services.portfolio_management"),
    ({"services": {"astrology": 1.0}}, "strategy.services"),
    ({"approach": "telepathic"}, "strategy.approach"),
    ({"colour": "blue"}, "strategy.colour"),
    ({"targets": {"portfolio_management": 7}}, "strategy.targets.portfolio_management"),
    ({"schedule": [{"month": 6, "services": {"portfolio_management": 1.0}},
                   {"month": 3}]}, "strategy.schedule[1].month"),
    ({"triggers": [{"when": ["crisis"], "switch_to": "mine", "reason": "x"}]},
     "strategy.triggers[0].switch_to"),
])
def test_a_bad_strategy_document_names_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as caught:
        strategy_from_document(custom_document(**changes))
    assert field in [f for f, _ in caught.value.problems]


def test_a_strategy_document_needs_only_effort_and_services() -> None:
    shipped = load_strategies()["minimal"]
    strategy = strategy_from_document({"effort": shipped.to_dict()["effort"],
                                       "services": {"portfolio_management": 1}})
    assert strategy.id == "custom" and strategy.approach == "tailored"


# --- the plan as a strategy ----------------------------------------------------------------------

def test_the_plans_waves_become_a_schedule() -> None:
    doc = strategy_document_from_plan(WAVES, name="Hand-built PMO")
    assert set(doc["services"]) == {"data_analytics_and_reporting", "stakeholder_engagement",
                                    "methodologies_and_frameworks_management"}
    assert doc["targets"]["data_analytics_and_reporting"] == 3
    later = {phase["month"]: phase for phase in doc["schedule"]}
    assert sorted(later) == [WAVE_MONTHS["next"], WAVE_MONTHS["later"]]
    assert "portfolio_management" in later[6]["services"]
    assert "methodologies_and_frameworks_management" not in later[12]["services"]
    for shares in (doc["effort"], doc["services"], *(p["effort"] for p in later.values())):
        assert sum(shares.values()) == pytest.approx(1.0, abs=1e-9)
    # growth waves lean on development: more than its plain share of need
    assert doc["effort"]["service_development"] > doc["effort"]["needs_assessment"]
    strategy = strategy_from_document(json.loads(json.dumps(doc)))   # a file reads it back
    assert [month for month, _ in strategy.phases] == [6, 12]


def test_the_advices_own_plan_wins_over_its_per_service_timing() -> None:
    from simulation.plan import waves_from_advice
    advice = {"plan": WAVES, "services": [{"id": "portfolio_management", "action": "introduce",
                                           "timing": "now", "current_maturity": None,
                                           "recommended_maturity": 3}]}
    assert waves_from_advice(advice) == WAVES["waves"]
    fallback = waves_from_advice({"services": advice["services"]})
    assert fallback == [{"wave": "now", "changes": [{
        "service": "portfolio_management", "action": "introduce", "from_maturity": 0,
        "to_maturity": 3, "reason": "advice: introduce"}]}]


def test_a_plan_whose_first_services_come_next_starts_with_them() -> None:
    later_only = {"waves": [WAVES["waves"][1]]}            # a new PMO: nothing runs now
    doc = strategy_document_from_plan(later_only)
    assert doc["services"] == {"portfolio_management": 1.0} and "schedule" not in doc
    with pytest.raises(InputError, match="no service"):
        strategy_document_from_plan({"waves": []})


def test_a_bad_plan_names_the_wave() -> None:
    with pytest.raises(InputError, match="now, next or later") as caught:
        strategy_document_from_plan({"waves": [{"wave": "soon", "changes": []}]})
    assert caught.value.field == "plan.waves[0].wave"


def test_a_plan_phase_starts_on_its_month_in_the_run() -> None:
    strategy = strategy_from_plan(WAVES)
    start = Start.from_profile(load_preset("kickoff-fintech"))
    rep = simulate(start, strategy, DEFAULT_PARAMETERS, 14, np.random.SeedSequence(1),
                   random_shocks=False, trace=True)
    phases = [(e.month, e.name) for e in rep.events if e.kind == "strategy"]
    assert phases == [(6, "plan"), (12, "plan")]


def test_same_seed_same_plan_result_bit_for_bit() -> None:
    def once(workers: int) -> Any:
        return to_json(compare("kickoff-fintech", ["plan", "minimal"], runs=6, months=9,
                               seed=4, workers=workers))
    assert once(1) == once(1) == once(2)


@pytest.mark.slow
@pytest.mark.parametrize("preset", sorted(PROFILES))
def test_each_shipped_profiles_plan_is_compared_with_two_shipped_strategies(
        preset: str) -> None:
    result = compare(preset, ["plan", "customer_centric", "minimal"], runs=6, months=12,
                     seed=9, workers=1)
    data = to_json(result)
    assert data["strategies"][0] == "plan"
    assert {(d["strategy"], d["baseline"]) for d in data["differences"]} == {
        ("plan", "customer_centric"), ("plan", "minimal")}
    assert len(data["verdict"]) == 2 and all(v.startswith(("plan", "no clear"))
                                             for v in data["verdict"])


# --- decisions: paired differences, verdict, baseline --------------------------------------------

def test_paired_differences_are_the_direct_computation() -> None:
    result = compare("kickoff-fintech", ["customer_centric", "minimal"], runs=30, months=18,
                     seed=5, workers=1)
    a, b = (per_run(r.replications) for r in result.results)
    rows = {row["measure"]: row for row in result.differences}
    for measure in ("p_thriving", "p_collapse", "months_in_crisis"):
        d = a[measure] - b[measure]
        half = Z95 * d.std(ddof=1) / np.sqrt(len(d))
        assert rows[measure]["estimate"] == pytest.approx(d.mean(), abs=1e-4)
        assert rows[measure]["low"] == pytest.approx(d.mean() - half, abs=1e-4)
        assert rows[measure]["high"] == pytest.approx(d.mean() + half, abs=1e-4)
    table = {row["strategy"]: row for row in result.table}
    assert rows["months_in_crisis"]["estimate"] == pytest.approx(
        table["customer_centric"]["mean_months_in_crisis"]
        - table["minimal"]["mean_months_in_crisis"], abs=1e-3)
    momentum = rows["final_momentum"]
    assert momentum["estimate"] == pytest.approx(
        np.median(a["final_momentum"]) - np.median(b["final_momentum"]), abs=1e-4)
    assert momentum["low"] <= momentum["estimate"] <= momentum["high"]


def test_the_verdict_names_only_clear_differences() -> None:
    result = compare("kickoff-fintech", ["customer_centric", "minimal"], runs=40, months=24,
                     seed=5, workers=1)
    [sentence] = result.verdict
    crisis = next(r for r in result.differences if r["measure"] == "months_in_crisis")
    assert crisis["high"] < 0                      # customer-centric: clearly fewer months
    assert sentence.startswith("customer_centric beats minimal on ")
    assert "months in Crisis by" in sentence


def test_a_baseline_measures_the_shocks_effect_on_the_same_numbers() -> None:
    both = run_with_baseline("growing-telecom", "customer_centric", runs=20, months=18, seed=3,
                             shocks=["sponsor_change@3", "budget_cut@4"], workers=1)
    assert both.baseline.spec.shocks == () and both.shocked.spec.seed == both.baseline.spec.seed
    crisis = next(r for r in both.differences if r["measure"] == "months_in_crisis")
    assert crisis["estimate"] > 0 and crisis["strategy"] == "with shocks"
    data = to_json(both)
    assert data["kind"] == "baseline" and data["verdict"][0].startswith("sponsor_change@3")


def test_a_baseline_by_default_fits_the_cost_cap_for_both_runs() -> None:
    from simulation.limits import LOCAL
    small = LOCAL.with_changes(max_run_months=240, default_runs=100)
    both = run_with_baseline("growing-telecom", "minimal", months=12, limits=small,
                             shocks=["budget_cut@2"], workers=1)
    assert both.shocked.spec.runs == both.baseline.spec.runs == 10      # 240 // (12 x 2)
    with pytest.raises(InputError, match="above the limit"):
        run_with_baseline("growing-telecom", "minimal", months=12, runs=11, limits=small,
                          shocks=["budget_cut@2"], workers=1)


def test_a_baseline_without_shocks_is_refused() -> None:
    with pytest.raises(InputError, match="give at least one shock"):
        run_with_baseline("growing-telecom", "minimal", runs=2, months=3)


# --- the PMO's own services and customers; every step's role -------------------------------------

def fresh(preset: str = "kickoff-fintech", strategy: Any = "customer_centric") -> PmoState:
    months = 12
    zeros = [[0.0] * 12 for _ in range(months + 1)]
    chosen = load_strategies()[strategy] if isinstance(strategy, str) else strategy
    return PmoState(Start.from_profile(load_preset(preset)), chosen, DEFAULT_PARAMETERS, months,
                    zeros, zeros, zeros, trace=False)


def test_service_levels_start_from_the_profile_and_new_services_start_at_one() -> None:
    state = fresh()
    assert state.levels["data_analytics_and_reporting"] == 1.0       # the profile says 1
    assert state.levels["portfolio_management"] == DEFAULT_PARAMETERS.new_service_level


def test_services_mature_with_operation_and_improvement_and_decay_without() -> None:
    from simulation import portfolio
    busy, idle = fresh(), fresh()
    busy.health[5] = busy.health[7] = 1.0
    idle.health[5] = idle.health[7] = 0.0
    for state in (busy, idle):
        state.levels["stakeholder_engagement"] = 2.0
        state.levels["governance_oversight"] = 4.0     # not in customer-centric's mix
        portfolio.grow(state)
    p = DEFAULT_PARAMETERS
    assert busy.levels["stakeholder_engagement"] == pytest.approx(
        2.0 + p.service_growth * (p.default_service_target - 2.0))
    assert idle.levels["stakeholder_engagement"] < 2.0
    assert busy.levels["governance_oversight"] == pytest.approx(4.0 - p.service_decay * 3.0)


def test_value_follows_the_services_that_serve_customers_ranked_outcomes(catalog: Any) -> None:
    from simulation import portfolio
    state = fresh()
    top = state.customers[0][1][0]                   # the first customer's first outcome
    serving = catalog.outcome(top).services[0]
    idle = next(s for s in catalog.ids("services")
                if not {o.number for o in catalog.outcomes_of_service(s)}
                & {o for _, ranked in state.customers for o in ranked})
    served, unserved = (custom_document(services={s: 1.0}) for s in (serving, idle))
    state.strategy = strategy_from_document(served)
    with_top = portfolio.relevance(state)
    state.strategy = strategy_from_document(unserved)
    assert portfolio.relevance(state) == DEFAULT_PARAMETERS.coverage_floor < with_top


def test_approach_fit_uses_each_customers_maturity() -> None:
    state = fresh(strategy="process_centric")        # controlling: suits immature customers
    fits = [state.strategy.approach_for(m)[1] for m, _ in state.customers]
    assert state.approach_fit() == pytest.approx(sum(fits) / len(fits))


def test_a_healthy_improvement_step_retires_services_no_customer_ranks(catalog: Any) -> None:
    from simulation import portfolio
    state = fresh()
    ranked = {o for _, outcomes in state.customers for o in outcomes}
    unranked = next(s for s in catalog.ids("services")
                    if not {o.number for o in catalog.outcomes_of_service(s)} & ranked)
    serving = catalog.outcome(state.customers[0][1][0]).services[0]
    state.strategy = strategy_from_document(custom_document(
        services={serving: 0.5, unranked: 0.5}))
    state.levels[unranked] = 1.0
    state.health[7] = portfolio.PRUNE_HEALTH - 0.01
    portfolio.prune(state)
    assert len(state.strategy.services) == 2          # Improvement too weak: nothing changes
    state.health[7] = portfolio.PRUNE_HEALTH
    portfolio.prune(state)
    assert state.strategy.services == ((serving, 1.0),)


def test_a_healthy_improvement_step_adds_the_service_customers_ranked_when_capacity_allows(
        catalog: Any) -> None:
    from simulation import portfolio
    state = fresh()
    top = state.customers[0][1][0]                   # the first customer's first outcome
    unranked = next(s for s in catalog.ids("services")
                    if not {o.number for o in catalog.outcomes_of_service(s)}
                    & {o for _, ranked in state.customers for o in ranked})
    state.strategy = strategy_from_document(custom_document(services={unranked: 1.0}))
    state.health[7] = portfolio.PRUNE_HEALTH
    state.x["resources"] = 1.0                        # too little capacity for two services
    portfolio.extend(state)
    assert len(state.strategy.services) == 1
    state.x["resources"] = 5.0
    portfolio.extend(state)
    (kept, share), (added, new_share) = state.strategy.services
    assert kept == unranked and share == new_share == 0.5
    produced = {o.number for o in catalog.outcomes_of_service(added)}
    assert top in produced or produced & {o for _, ranked in state.customers for o in ranked}
    best = max(sum(1.0 / r for _, ranked in state.customers
                   for r, o in enumerate(ranked, 1) if o in {x.number for x in
                                                              catalog.outcomes_of_service(c)})
               for c in catalog.ids("services") if c != unranked)
    assert sum(1.0 / r for _, ranked in state.customers for r, o in enumerate(ranked, 1)
               if o in produced) == pytest.approx(best)


def test_a_crisis_strategy_costs_goodwill_and_morale_at_a_review_without_trouble() -> None:
    from simulation.reviews import executive_review
    turnaround = load_strategies()["crisis_turnaround"]
    assert set(turnaround.made_for) == {"crisis", "decline", "collapse"}

    def after_review(strategy: str) -> dict[str, float]:
        state = fresh(strategy=strategy)             # a healthy Kickoff: no trouble
        state.env = __import__("simpy").Environment()
        state.env.run(until=3.5)
        executive_review(state)
        return state.x
    cost = dict(turnaround.elsewhere)
    cut, plain = after_review("crisis_turnaround"), after_review("customer_centric")
    for indicator in ("stakeholder_support", "team_morale"):
        assert cut[indicator] == pytest.approx(plain[indicator] + cost[indicator])


@pytest.mark.parametrize(("made_for", "field"), [
    ({"scenarios": ["boom"], "elsewhere": {}}, "strategy.made_for.scenarios"),
    ({"scenarios": ["crisis"], "elsewhere": {"mood": -0.1}}, "strategy.made_for.elsewhere.mood"),
    ({"scenarios": ["crisis"], "elsewhere": {"team_morale": -3}},
     "strategy.made_for.elsewhere.team_morale"),
    ({"scenarios": ["crisis"]}, "strategy.made_for"),
])
def test_made_for_is_checked_field_by_field(made_for: Any, field: str) -> None:
    with pytest.raises(InputError) as caught:
        strategy_from_document(custom_document(made_for=made_for))
    assert field in [f for f, _ in caught.value.problems]


def test_value_delivery_measures_value_distinct_from_recognition() -> None:
    rep_state = fresh()
    assert rep_state.measured_index() == pytest.approx(rep_state.value_index())
    rep_state.measured = 0.0
    assert rep_state.measured_index() == 0.0 < rep_state.value_index()


def test_cycle_completions_are_desynchronised_across_runs() -> None:
    result = run_experiment("thriving-insurer", "customer_centric", runs=12, months=12, seed=2,
                            random_shocks=False, workers=1)
    firsts = {int(np.argmax(np.diff(r.series[:, 0]) > 0.02)) for r in result.replications}
    assert len(firsts) > 2


# --- command line and API ------------------------------------------------------------------------

def test_recommend_writes_the_plan_and_compare_plays_it(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    plan = tmp_path / "plan.yaml"
    assert main(["recommend", str(PROFILES["kickoff-fintech"]), "--strategy-out",
                 str(plan)]) == 0
    document = yaml.safe_load(plan.read_text())
    assert document["id"] == "plan" and document["name"] == "Plan for Lumen Pay PMO"
    capsys.readouterr()
    assert main(["compare", "--profile", "kickoff-fintech", "--strategies",
                 f"{plan},customer_centric,minimal", "--runs", "4", "--months", "6"]) == 0
    out = capsys.readouterr().out
    assert "Paired differences" in out and "Verdict" in out
    assert main(["simulate", "--profile", "kickoff-fintech", "--strategy", str(plan),
                 "--runs", "3", "--months", "6", "--shock", "budget_cut@2", "--baseline"]) == 0
    assert "Without the scheduled shocks" in capsys.readouterr().out


def test_a_bad_strategy_file_exits_2_naming_the_field(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(custom_document(approach="telepathic")))
    code = main(["simulate", "--profile", "kickoff-fintech", "--strategy", str(bad),
                 "--runs", "2", "--months", "3"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("pmo-advisor simulate: error: strategy.approach:")
    assert err.count("\n") == 1


@pytest.fixture(scope="module")
def app_config() -> dict[str, Any]:
    return {"TESTING": True, "SIMULATION_MAX_RUN_MONTHS": 600}


def test_the_api_plays_an_inline_strategy_and_compares_with_a_verdict(client: FlaskClient
                                                                       ) -> None:
    body = {"preset": "kickoff-fintech", "months": 6, "runs": 4, "seed": 1,
            "strategies": [custom_document(), "plan", "minimal"]}
    response = client.post("/api/v1/simulations/compare", json=body)
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert data["strategies"] == ["mine", "plan", "minimal"]
    assert len(data["differences"]) == 8 and len(data["verdict"]) == 2


def test_the_api_names_the_field_of_a_bad_inline_strategy(client: FlaskClient) -> None:
    body = {"preset": "kickoff-fintech", "months": 6, "runs": 4,
            "strategy": custom_document(effort={"awareness_building": 1.0})}
    response = client.post("/api/v1/simulations", json=body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert [e["field"] for e in response.get_json()["errors"]] == ["strategy.effort"]


def test_the_api_gives_the_plan_as_a_strategy_to_simulate(client: FlaskClient) -> None:
    profile = yaml.safe_load(PROFILES["kickoff-fintech"].read_text())
    response = client.post("/api/v1/recommendations/strategy", json=profile)
    assert response.status_code == 200, response.get_json()
    plan = response.get_json()
    assert plan["id"] == "plan" and plan["name"] == "Plan for Lumen Pay PMO"
    body = {"preset": "kickoff-fintech", "months": 6, "runs": 4, "seed": 1,
            "strategies": [plan, "minimal"]}
    data = client.post("/api/v1/simulations/compare", json=body).get_json()
    assert data["strategies"] == ["plan", "minimal"] and data["verdict"]
