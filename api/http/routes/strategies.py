"""GET /strategies: the shipped strategies of scenarios/strategies, for simulations."""

from __future__ import annotations

from typing import Any

from api import service
from api.http.openapi import ApiBlueprint
from api.schemas.library import StrategyListSchema

blp = ApiBlueprint("strategies", __name__, description="The shipped PMO strategies a "
                   "simulation can follow.")


@blp.route("/strategies")
@blp.response(200, StrategyListSchema)
def list_strategies() -> dict[str, Any]:
    """Every shipped strategy

    Its effort per flywheel step, its service mix, its approach and the triggers that make it
    switch to another strategy after an executive review.
    """
    items = service.strategies()
    return {"count": len(items), "items": items}
