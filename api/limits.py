"""Bounds on what one request may ask of the service, in one place.

Each bound is enforced where the request is read and documented in the OpenAPI document and the
README, so a client learns the limit before hitting it: a body over the cap is refused with 413,
anything else beyond a bound with 422 naming the field.
"""

from __future__ import annotations

__all__ = ["MAX_BODY_BYTES", "MAX_FIELD_ERRORS", "MAX_SIMULATION_RUN_MONTHS",
           "DEFAULT_SIMULATION_RUNS", "MAX_COMPARED_STRATEGIES", "STORY_RUNS_CACHED"]

MAX_BODY_BYTES = 64 * 1024   # bytes per request body: a profile with 50 customers is under 16 KiB
MAX_FIELD_ERRORS = 50        # field errors listed in one problem; the rest are only counted

# Simulation: one replicated month costs about 0.8 ms on one core, and a request runs on one core
# (no process pool inside a server worker), so 12,000 replicated months take well under 10 s.
MAX_SIMULATION_RUN_MONTHS = 12_000  # runs x months (x strategies compared) per request
DEFAULT_SIMULATION_RUNS = 200       # runs when a request names none: 7,200 at 36 months
MAX_COMPARED_STRATEGIES = 4         # strategies side by side in one comparison
STORY_RUNS_CACHED = 32              # story runs (story, seed) kept per process: each is ~17 kB
