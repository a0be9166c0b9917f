"""GET /profiles and GET /profiles/{id}: the shipped example profiles of scenarios/profiles."""

from __future__ import annotations

from typing import Any

from werkzeug.exceptions import NotFound

from advisor.presets import ShippedProfile, shipped_profiles
from api.http.openapi import ApiBlueprint, error_response
from api.schemas.profiles import ProfileListSchema, ShippedProfileSchema

blp = ApiBlueprint("profiles", __name__, description="The shipped example profiles, at least "
                   "two per scenario.")


def _summary(entry: ShippedProfile) -> dict[str, Any]:
    return {"id": entry.id, "name": entry.name, "description": entry.description}


@blp.route("/profiles")
@blp.response(200, ProfileListSchema)
def list_profiles() -> dict[str, Any]:
    """Every shipped profile: id, name and description"""
    entries = shipped_profiles().values()
    return {"count": len(entries), "items": [_summary(e) for e in entries]}


@blp.route("/profiles/<string:profile_id>")
@blp.response(200, ShippedProfileSchema)
@blp.alt_response(404, error_response(404))
def get_profile(profile_id: str) -> dict[str, Any]:
    """One shipped profile, ready to POST to /diagnoses"""
    entry = shipped_profiles().get(profile_id)
    if entry is None:
        raise NotFound(f"no shipped profile {profile_id!r}; GET /api/v1/profiles lists them")
    return {**_summary(entry), "profile": entry.profile.to_dict()}
