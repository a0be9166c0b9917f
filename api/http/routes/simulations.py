"""POST /simulations and POST /simulations/compare: Monte Carlo what-ifs of PMO strategies.

A request runs in the server worker's own process, on one core (``workers=1``: no process pool
inside a server worker), and its cost -- runs x months x strategies -- is capped by the
``SIMULATION_MAX_RUN_MONTHS`` setting, so no request can hold a worker for long.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, current_app, jsonify

from advisor.errors import InputError
from api import service
from api.http.openapi import ApiBlueprint
from api.schemas.examples import comparison_example, simulation_example
from api.schemas.simulation import (
    ComparisonRequestSchema,
    ComparisonResultSchema,
    ExperimentResultSchema,
    SimulationRequestSchema,
)

blp = ApiBlueprint("simulations", __name__, description="What-ifs: how a PMO may fare over "
                   "the coming months under one strategy or several, with random shocks.")


def _options(request: Mapping[str, Any], strategies: int) -> dict[str, Any]:
    """The run options of a validated request, once its cost is within the service's limit."""
    limit = current_app.config["SIMULATION_MAX_RUN_MONTHS"]
    cost = request["runs"] * request["months"] * strategies
    if cost > limit:
        what = "runs x months" if strategies == 1 else "runs x months x strategies"
        raise InputError(f"{what} = {cost} is above this service's limit of {limit}; ask for "
                         "fewer runs or months", "runs")
    return {"months": request["months"], "runs": request["runs"], "seed": request["seed"],
            "shocks": request["shocks"], "random_shocks": request["random_shocks"],
            "relaunch_strategy": request["relaunch_strategy"], "workers": 1}


def _start(request: Mapping[str, Any]) -> Any:
    return request["profile"] if "profile" in request else request["preset"]


@blp.route("/simulations", methods=["POST"])
@blp.response(200, ExperimentResultSchema)
@blp.body(SimulationRequestSchema, description="where the PMO starts (preset or profile), the "
          "strategy, and how long, how often and with which shocks to run it",
          example=simulation_example())
def create_simulation(request: Mapping[str, Any]) -> Response:
    """Simulate one strategy

    Runs the flywheel model ``runs`` times over ``months`` from the given PMO: percentile bands
    of momentum and every indicator per month, the share of runs in each scenario, and summary
    measures (chance of Thriving, of a shutdown, months in Crisis, ...). Same seed, same result.
    """
    result = service.simulate(_start(request), request["strategy"],
                                       **_options(request, 1))
    return jsonify(result.to_dict())


@blp.route("/simulations/compare", methods=["POST"])
@blp.response(200, ComparisonResultSchema)
@blp.body(ComparisonRequestSchema, description="as POST /simulations, with 2 or more "
          "strategies instead of one", example=comparison_example())
def compare_simulations(request: Mapping[str, Any]) -> Response:
    """Compare strategies side by side

    Every strategy runs from the same PMO with the same random numbers (one seed: the same
    shocks hit every strategy in run k), so the differences come from the strategies.
    """
    result = service.compare(_start(request), request["strategies"],
                                **_options(request, len(request["strategies"])))
    return jsonify(result.to_dict())
