"""GET /stories and GET /stories/{id}: scripted scenario stories, told by the model."""

from __future__ import annotations

import functools
from typing import Any

from flask import Response, jsonify
from marshmallow import RAISE
from werkzeug.exceptions import NotFound

from api import service
from api.http.openapi import ApiBlueprint, error_response
from api.limits import STORY_RUNS_CACHED
from api.schemas.answers import to_json
from api.schemas.library import StoryListSchema, StoryQuerySchema, StoryResultSchema

blp = ApiBlueprint("stories", __name__, description="Stories for trainers: a shipped PMO, "
                   "scripted shocks and strategy changes, and what the model makes of them.")


@functools.lru_cache(maxsize=STORY_RUNS_CACHED)
def _told(story_id: str, seed: int | None) -> dict[str, Any]:
    """A story run is fixed by its seed: told once per process, then served from memory."""
    return to_json(service.tell_story(story_id, seed=seed))


@blp.route("/stories")
@blp.response(200, StoryListSchema)
def list_stories() -> dict[str, Any]:
    """Every shipped story: its PMO, strategy, scripted events and expected path"""
    items = service.stories()
    return {"count": len(items), "items": items}


@blp.route("/stories/<string:story_id>")
@blp.arguments(StoryQuerySchema, location="query", as_kwargs=True, unknown=RAISE)
@blp.response(200, StoryResultSchema)
@blp.alt_response(404, error_response(404))
@blp.alt_response(429, error_response(429))  # a story runs the model: costly (admission.py)
@blp.alt_response(503, error_response(503))
def tell_story(story_id: str, seed: int | None = None) -> Response:
    """Tell one story

    Runs the story (once, traced): the timeline of events and executive reviews, each change of
    scenario with the rules behind it, the path through the scenarios and the monthly series.
    ``seed`` tells a variant of the story.
    """
    if story_id not in {s.id for s in service.stories()}:
        raise NotFound(f"no story {story_id!r}; GET /api/v1/stories lists them")
    return jsonify(_told(story_id, seed))
