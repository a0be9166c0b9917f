"""POST /simulations and POST /simulations/compare: Monte Carlo what-ifs of PMO strategies.

A request runs in the server worker's own process, on one core (``workers=1``: no process pool
inside a server worker). Its bounds -- months, runs, shocks, strategies and the cost, runs x
months x strategies -- are the service's :class:`simulation.limits.Limits` (built from its
settings by ``api/http/config.py``), checked once by the domain and documented from the same
object, so no request can hold a worker for long and the document says exactly what is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, jsonify

from api import service
from api.http import admission
from api.http.openapi import ApiBlueprint, error_response
from api.schemas.answers import to_json
from api.schemas.examples import comparison_example, simulation_example
from api.schemas.simulation import ComparisonResultSchema, ExperimentResultSchema, request_schemas
from simulation.limits import Limits

__all__ = ["blueprint"]

_RUN_OPTIONS = ("months", "runs", "seed", "shocks", "random_shocks", "relaunch_strategy")


def _options(request: Mapping[str, Any], limits: Limits) -> dict[str, Any]:
    """The run options a validated request gives (absent ones take the limits' defaults)."""
    return {"limits": limits, "workers": 1, "progress": admission.stop_when_client_gone(),
            **{key: request[key] for key in _RUN_OPTIONS if key in request}}


def _start(request: Mapping[str, Any]) -> Any:
    return request["profile"] if "profile" in request else request["preset"]


def blueprint(limits: Limits) -> ApiBlueprint:
    """The simulation routes of one app, whose requests are bounded by ``limits``."""
    blp = ApiBlueprint("simulations", __name__, description="What-ifs: how a PMO may fare over "
                       "the coming months under one strategy or several, with random shocks.")
    simulation_request, comparison_request = request_schemas(limits)

    @blp.route("/simulations", methods=["POST"])
    @blp.response(200, ExperimentResultSchema)
    @blp.alt_response(429, error_response(429))  # over the key's costly budget
    @blp.alt_response(503, error_response(503))  # over the service's (api/http/admission.py)
    @blp.body(simulation_request, description="where the PMO starts (preset or profile), the "
              "strategy, and how long, how often and with which shocks to run it",
              example=simulation_example)
    def create_simulation(request: Mapping[str, Any]) -> Response:
        """Simulate one strategy

        Runs the flywheel model ``runs`` times over ``months`` from the given PMO: percentile
        bands of momentum and every indicator per month, the share of runs in each scenario,
        and summary measures (chance of Thriving, of a shutdown, months in Crisis, ...). Same
        seed, same result.
        """
        result = service.simulate(_start(request), request["strategy"],
                                  **_options(request, limits))
        return jsonify(to_json(result))

    @blp.route("/simulations/compare", methods=["POST"])
    @blp.response(200, ComparisonResultSchema)
    @blp.alt_response(429, error_response(429))
    @blp.alt_response(503, error_response(503))
    @blp.body(comparison_request, description="as POST /simulations, with 2 or more "
              "strategies instead of one", example=comparison_example)
    def compare_simulations(request: Mapping[str, Any]) -> Response:
        """Compare strategies side by side

        Every strategy runs from the same PMO with the same random numbers (one seed: the same
        shocks hit every strategy in run k), so the differences come from the strategies.
        """
        result = service.compare(_start(request), request["strategies"],
                                 **_options(request, limits))
        return jsonify(to_json(result))

    return blp
