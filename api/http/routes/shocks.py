"""GET /shocks: the organizational shocks a simulation can schedule or draw at random."""

from __future__ import annotations

from typing import Any

from api import service
from api.http.openapi import ApiBlueprint
from api.schemas.library import ShockListSchema

blp = ApiBlueprint("shocks", __name__, description="The organizational events that can hit a "
                   "PMO in a simulation: scheduled (`shocks: [\"sponsor_change@6\"]`) or random.")


@blp.route("/shocks")
@blp.response(200, ShockListSchema)
def list_shocks() -> dict[str, Any]:
    """Every shock a simulation knows

    Its id (to schedule it as ``id@month``), what it does in words, its source, how often it
    strikes per PMO-year when shocks are random, and whether it restructures the PMO itself.
    """
    items = service.shocks()
    return {"count": len(items), "items": items}
