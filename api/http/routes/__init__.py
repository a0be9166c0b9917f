"""The API's resources, one blueprint module each, all under ``/api/v1``."""

from __future__ import annotations

from api.http.auth import API_PREFIX
from api.http.openapi import Api
from api.http.routes import (
    assessments,
    catalog,
    diagnoses,
    health,
    profiles,
    recommendations,
    simulations,
    stories,
    strategies,
)

__all__ = ["register_routes"]

BLUEPRINTS = (health.blp, catalog.blp, diagnoses.blp, recommendations.blp, simulations.blp,
              profiles.blp, strategies.blp, stories.blp, assessments.blp)


def register_routes(api: Api) -> None:
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint, url_prefix=API_PREFIX)
