"""The shapes of a job: what is submitted, and what its status says."""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from api.schemas.plain import OptionalKeys

__all__ = ["KINDS", "STATUSES", "JobRequestSchema", "JobSchema"]

#: What a job can run, and the states it goes through (``api/jobs.py``).
KINDS = ("simulation", "comparison", "sweep")
STATUSES = ("queued", "running", "done", "failed", "cancelled")


class JobRequestSchema(Schema):
    """``kind``, then the fields of the synchronous request: ``POST /simulations`` for a
    simulation, ``POST /simulations/compare`` for a comparison, a sweep file's keys for a sweep
    (``docs/scale.md``). Checked as those are, before the job is queued."""

    class Meta:
        unknown = INCLUDE

    kind = fields.String(required=True, validate=validate.OneOf(KINDS))


class JobProgressSchema(Schema):
    done = fields.Integer(required=True, metadata={"description": "replications finished"})
    total = fields.Integer(required=True, metadata={"description": "replications in all"})


class JobSchema(OptionalKeys):
    """A job's status: ``progress`` is always a number from 0 to 1 (1 once done); dumps
    ``api.store.jobs.Job`` (``to_json(job, JobSchema)``), ``result`` and ``error`` only when
    they are set."""

    OPTIONAL = frozenset({"result", "error"})

    id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    progress = fields.Float(required=True, validate=validate.Range(0, 1), metadata={
        "description": "the fraction of the job's replications done, 0 to 1 (updated about "
                       "every half second while it runs)"})
    replications = fields.Nested(JobProgressSchema, required=True)
    created = fields.Float(required=True, metadata={"description": "Unix time"})
    updated = fields.Float(required=True, metadata={"description": "Unix time"})
    result = fields.Raw(metadata={"description": "once done: the synchronous answer (a sweep: "
                                                 "name, outcome, columns and rows)"})
    error = fields.String(metadata={"description": "why the job failed"})
