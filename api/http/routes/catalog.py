"""GET /catalog and GET /catalog/{kind}: the guide's catalog, one route per kind.

One route per kind (not one route with a ``{kind}`` parameter) gives each kind its own response
schema in the OpenAPI document.
"""

from __future__ import annotations

from typing import Any

from advisor.catalog import KINDS
from api.http.openapi import ApiBlueprint
from api.schemas.catalog import CatalogSummarySchema, item_schema
from api.schemas.lists import list_of
from api.service import catalog_counts, catalog_items

blp = ApiBlueprint("catalog", __name__, description="The guide's catalog: scenarios, services, "
                   "approaches, outcomes, competencies, flywheel steps, signs and more.")


@blp.route("/catalog")
@blp.response(200, CatalogSummarySchema)
def catalog_summary() -> dict[str, int]:
    """How many items of each kind the catalog holds"""
    return catalog_counts()


def _add_kind(kind: str) -> None:
    """GET /catalog/{kind}, answered with a list of that kind's own schema."""

    def view() -> dict[str, Any]:
        items = catalog_items(kind)
        return {"count": len(items), "items": items}

    view.__name__ = f"list_{kind}"
    view.__doc__ = f"Every item of the catalog's {kind.replace('_', ' ')}, in the guide's order"
    item = item_schema(kind)
    answer = list_of(item, item.__name__.replace("Schema", "ListSchema"))
    blp.route(f"/catalog/{kind}")(blp.response(200, answer)(view))


for _kind in KINDS:
    _add_kind(_kind)
