"""Reading a request body: JSON or YAML, size-capped, every failure a clear 4xx.

Profiles are YAML files in this project, so every route with a body takes ``application/yaml``
as well as ``application/json`` (``curl --data-binary @profile.yaml``). The body is decoded here
and then validated by the route's marshmallow schema; nothing a client sends reaches a 500: a
body over the cap is a 413 (Werkzeug, from ``MAX_CONTENT_LENGTH``), a wrong media type a 415, a
body that does not decode (broken syntax, bad UTF-8, nesting too deep, a number too long) a 400.

YAML aliases (``*name``) are refused: a few hundred bytes of nested aliases expand to billions
of values once anything walks or prints them (the "billion laughs"), and no profile needs them.
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from flask import request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

__all__ = ["JSON_MEDIA_TYPE", "YAML_MEDIA_TYPES", "BODY_MEDIA_TYPES", "read_body"]

JSON_MEDIA_TYPE = "application/json"
YAML_MEDIA_TYPES = ("application/yaml", "application/x-yaml", "text/yaml")
BODY_MEDIA_TYPES = (JSON_MEDIA_TYPE, *YAML_MEDIA_TYPES)

_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: faster


def _is_json(mimetype: str) -> bool:
    return mimetype == JSON_MEDIA_TYPE or mimetype.endswith("+json")


def _decode(raw: bytes, mimetype: str) -> Any:
    text = raw.decode("utf-8")
    if _is_json(mimetype):
        return json.loads(text)
    if any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(text, Loader=_YamlLoader)):
        raise BadRequest("YAML aliases (*name) are not accepted in a request body")
    return yaml.load(text, Loader=_YamlLoader)  # noqa: S506 - a safe loader


def read_body() -> Any:
    """The decoded body of the current request (a 4xx HTTP error when there is none usable)."""
    mimetype = request.mimetype
    if not (_is_json(mimetype) or mimetype in YAML_MEDIA_TYPES):
        raise UnsupportedMediaType(
            f"send the body as {JSON_MEDIA_TYPE} (or YAML: {', '.join(YAML_MEDIA_TYPES)}), "
            f"not {mimetype or 'without a Content-Type'}")
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise BadRequest("the request body is empty")
    try:
        return _decode(raw, mimetype)
    except UnicodeDecodeError:
        raise BadRequest("the request body is not valid UTF-8") from None
    except RecursionError:
        raise BadRequest("the request body is nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise BadRequest(f"the request body is not valid JSON: {exc}") from None
    except yaml.YAMLError as exc:
        detail = " ".join(str(exc).split())
        raise BadRequest(f"the request body is not valid YAML: {detail}") from None
    except ValueError as exc:  # e.g. an integer longer than Python converts
        raise BadRequest(f"the request body cannot be read: {exc}") from None
