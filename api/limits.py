"""Bounds on what one request may ask of the HTTP service, besides the simulation's.

Each bound is enforced where the request is read and documented in the OpenAPI document and the
README, so a client learns the limit before hitting it: a body over the cap is refused with 413,
anything else beyond a bound with 422 naming the field. The simulation's bounds (months, runs,
cost, shocks, strategies) live in ``simulation/limits.py`` (``SERVICE`` for this service).
"""

from __future__ import annotations

__all__ = ["MAX_BODY_BYTES", "MAX_FIELD_ERRORS", "STORY_RUNS_CACHED"]

MAX_BODY_BYTES = 64 * 1024   # bytes per request body: a profile with 50 customers is under 16 KiB
MAX_FIELD_ERRORS = 50        # field errors listed in one problem; the rest are only counted

STORY_RUNS_CACHED = 32              # story runs (story, seed) kept per process: each is ~17 kB
