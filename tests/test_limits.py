"""The simulation's limits live in one place (simulation/limits.py) and both front ends use it."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from simulation.limits import LOCAL, SERVICE, Limits


def _problem_line(response_json: dict) -> str:
    error = response_json["errors"][0]
    return f"{error['field']}: {error['message']}"


@pytest.mark.parametrize(("cli_args", "body", "line"), [
    # months beyond both front ends' bound
    (["--months", "121"], {"months": 121}, "months: must be between 1 and 120, got 121"),
    # runs beyond the per-strategy bound of both (the command line's is the larger)
    (["--runs", "10001"], {"runs": 10001}, "runs: must be between 1 and {}, got 10001"),
    # a seed below zero
    (["--seed", "-1"], {"seed": -1}, f"seed: must be between 0 and {2**63 - 1}, got -1"),
])
def test_the_cli_and_the_api_refuse_an_over_limit_request_with_the_same_message(
        run_cli, client: FlaskClient, cli_args: list[str], body: dict, line: str) -> None:
    result = run_cli("simulate", "--profile", "kickoff-fintech", "--strategy", "minimal",
                     *cli_args)
    assert result.returncode == 2
    assert result.stderr.strip() == \
        f"pmo-advisor simulate: error: {line.format(LOCAL.max_runs_allowed)}"
    response = client.post("/api/v1/simulations",
                           json={"preset": "kickoff-fintech", "strategy": "minimal", **body})
    assert response.status_code == 422
    assert _problem_line(response.get_json()) == line.format(SERVICE.max_runs_allowed)


def test_the_command_line_and_jobs_take_issue_13s_10000_by_36_month_run() -> None:
    """Issue 13 sizes a run at 10,000 x 36 months (under 60 s on 2 cores); the command line
    refused anything over 5,000 runs and 72,000 replication-months."""
    from simulation.spec import make_spec

    spec = make_spec("kickoff-fintech", "minimal", runs=10_000, months=36, limits=LOCAL)
    assert (spec.runs, spec.months) == (10_000, 36)


def test_the_service_documents_the_limits_it_enforces(client: FlaskClient) -> None:
    spec = client.get("/openapi.json").get_json()
    schema = spec["components"]["schemas"]["SimulationRequest"]["properties"]
    assert schema["months"]["maximum"] == SERVICE.max_months
    assert schema["runs"]["maximum"] == SERVICE.max_runs_allowed
    assert schema["runs"]["default"] == SERVICE.default_runs
    assert schema["shocks"]["maxItems"] == SERVICE.max_shocks
    comparison = spec["components"]["schemas"]["ComparisonRequest"]["properties"]
    assert comparison["strategies"]["maxItems"] == SERVICE.max_strategies


def test_a_comparison_without_runs_fits_the_cost_cap(client: FlaskClient) -> None:
    """The default number of runs shrinks to fit the cap: a default is never refused."""
    response = client.post("/api/v1/simulations/compare", json={
        "preset": "kickoff-fintech", "strategies": ["minimal", "quick_wins"], "months": 12,
        "random_shocks": False})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["runs"] == SERVICE.default_runs_for(12, 2)


@pytest.mark.parametrize(("months", "strategies", "expected"), [
    (36, 1, 200),   # the default fits: 7,200 run-months
    (36, 2, 166),   # 12,000 // 72
    (120, 4, 25),   # 12,000 // 480
])
def test_default_runs_shrink_to_fit_the_cost_cap(months: int, strategies: int,
                                                 expected: int) -> None:
    assert SERVICE.default_runs_for(months, strategies) == expected
    assert SERVICE.default_runs_for(months, strategies) * months * strategies \
        <= SERVICE.max_run_months


def test_limits_refuse_settings_that_would_refuse_every_default() -> None:
    with pytest.raises(ValueError, match="max_run_months"):
        Limits(max_run_months=10)
    assert LOCAL.max_run_months > SERVICE.max_run_months
