"""Output of GET /health."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

__all__ = ["HealthSchema"]


class HealthSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(["ok"]))
    version = fields.String(required=True, metadata={"description": "pmo-advisor's version"})
    ruleset_version = fields.String(required=True, metadata={
        "description": "the diagnosis rules in force (changes whenever a rule changes)"})
