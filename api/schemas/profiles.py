"""Profiles: the input schema every profile route accepts, and the shipped library's entries.

The input schema is the profile schema of ``advisor/assessment.py`` itself (with every section
registered there), so the API accepts exactly what ``pmo-advisor diagnose`` accepts from a file.
"""

from __future__ import annotations

import functools

from marshmallow import Schema, fields

from advisor.assessment import profile_schema as _profile_schema
from api.schemas.lists import list_of

__all__ = ["profile_schema", "ProfileSummarySchema", "ProfileListSchema", "ShippedProfileSchema"]


@functools.cache
def profile_schema() -> type[Schema]:
    """The profile schema class (documented in OpenAPI as ``Profile``)."""
    return type(_profile_schema())


class ProfileSummarySchema(Schema):
    id = fields.String(required=True, metadata={"description": "the file stem, e.g. "
                                                "crisis-retailer"})
    name = fields.String(required=True)
    description = fields.String(required=True, metadata={
        "description": "what the PMO is like and which scenario to expect"})


ProfileListSchema = list_of(ProfileSummarySchema, "ProfileListSchema")


class ShippedProfileSchema(ProfileSummarySchema):
    # A shipped profile is sent back in the very form POST /diagnoses accepts, so the input
    # schema doubles as this field's output schema (built on first use: it reads the catalog).
    profile = fields.Nested(profile_schema, required=True)
