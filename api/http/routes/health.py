"""GET /health: is the service up, and which version and rules does it run."""

from __future__ import annotations

from typing import Any

from advisor import __version__
from api.http.openapi import ApiBlueprint
from api.schemas.health import HealthSchema
from rules.diagnosis_table import load_diagnosis_table

blp = ApiBlueprint("health", __name__, description="Liveness and versions (never needs a key).")


@blp.route("/health")
@blp.response(200, HealthSchema)
@blp.doc(security=[])
def health() -> dict[str, Any]:
    """Liveness, version and ruleset version

    Cheap on purpose (no rules engine call): load balancers poll it, and the benchmark uses it as
    the baseline cost of a request.
    """
    return {"status": "ok", "version": __version__,
            "ruleset_version": load_diagnosis_table().version}
