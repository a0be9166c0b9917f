"""POST /jobs, GET /jobs/{id}, DELETE /jobs/{id}: long runs outside the server's workers.

Jobs live in the project's database (the assessments' one: ``DATABASE_URL``/``DATABASE_PATH``,
SQLite by default); a runner outside the workers runs them (``api/jobs.py``). Registered unless
the service turns jobs off (``JOBS``).
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, url_for
from werkzeug.exceptions import NotFound, TooManyRequests

from api.http.config import database_url_of
from api.http.openapi import ApiBlueprint, error_response
from api.jobs import JobStore, QueueFull, submit
from api.schemas.answers import to_json
from api.schemas.examples import job_example
from api.schemas.jobs import JobRequestSchema, JobSchema

__all__ = ["blueprint"]


def _store() -> JobStore:
    store = current_app.extensions.get("pmo_jobs")
    if store is None:
        store = current_app.extensions["pmo_jobs"] = JobStore(
            database_url_of(current_app.config))
    return store


def blueprint() -> ApiBlueprint:
    blp = ApiBlueprint("jobs", __name__, description="Long runs as jobs: simulations, "
                       "comparisons and sweeps run outside the server, with progress.")

    @blp.route("/jobs", methods=["POST"])
    @blp.response(202, JobSchema, headers={"Location": {
        "description": "the job's URL", "schema": {"type": "string"}}})
    @blp.alt_response(429, error_response(429))
    @blp.body(JobRequestSchema, build=lambda data: data, example=job_example,
              description="the job's kind and the synchronous request's fields")
    def create_job(body: Any) -> Response:
        """Submit a job

        Checks the request as the synchronous route does (422 naming the field) and queues it
        for the jobs runner; 202 with the job's URL in ``Location``. When as many jobs as the
        service allows are queued or running, 429 with ``Retry-After``.
        """
        try:
            job = submit(_store(), body, current_app.config["JOBS_MAX_ACTIVE"])
        except QueueFull:
            error = TooManyRequests("as many jobs as this service runs at once are queued or "
                                    "running; try again later")
            error.retry_after = current_app.config["JOBS_RETRY_AFTER"]
            raise error from None
        response = jsonify(to_json(job, JobSchema))
        response.status_code = 202
        response.headers["Location"] = url_for(".get_job", job_id=job.id)
        return response

    @blp.route("/jobs/<string:job_id>", methods=["GET"])
    @blp.response(200, JobSchema)
    @blp.alt_response(404, error_response(404))
    def get_job(job_id: str) -> Response:
        """A job's status

        ``queued``, ``running`` (``progress``: the fraction of replications done, 0 to 1),
        ``done`` (with the result), ``failed`` (with why; a job whose runner stopped, for
        example when the host restarted, is failed and can be submitted again) or
        ``cancelled``.
        """
        job = _store().get(job_id)
        if job is None:
            raise NotFound(f"no job {job_id}")
        return jsonify(to_json(job, JobSchema))

    @blp.route("/jobs/<string:job_id>", methods=["DELETE"])
    @blp.response(200, JobSchema)
    @blp.alt_response(404, error_response(404))
    def cancel_job(job_id: str) -> Response:
        """Cancel a job

        A queued or running job is cancelled (its runner stops at its next progress report and
        writes nothing); a finished one is left as it is. Answers the job's status.
        """
        store = _store()
        if store.get(job_id) is None:
            raise NotFound(f"no job {job_id}")
        job = store.cancel(job_id)
        assert job is not None
        return jsonify(to_json(job, JobSchema))

    return blp
