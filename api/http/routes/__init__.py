"""The API's resources, one blueprint module each, all under ``/api/v1``."""

from __future__ import annotations

from api.http.auth import API_PREFIX
from api.http.openapi import Api
from api.http.routes import (
    assessments,
    catalog,
    diagnoses,
    health,
    jobs,
    profiles,
    recommendations,
    shocks,
    simulations,
    stories,
    strategies,
)
from simulation.limits import Limits

__all__ = ["register_routes"]

BLUEPRINTS = (health.blp, catalog.blp, diagnoses.blp, recommendations.blp, profiles.blp,
              strategies.blp, shocks.blp, stories.blp, assessments.blp)


def register_routes(api: Api, limits: Limits, with_jobs: bool = True) -> None:
    """Every resource under ``/api/v1``; the simulation routes are built for this app's limits;
    the jobs routes unless the service turns jobs off (``JOBS``)."""
    extra = (jobs.blueprint(),) if with_jobs else ()
    for blueprint in (*BLUEPRINTS, simulations.blueprint(limits), *extra):
        api.register_blueprint(blueprint, url_prefix=API_PREFIX)
