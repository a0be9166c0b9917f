"""Reading a request body: JSON or YAML, size-capped, every failure a clear 4xx.

Profiles are YAML files in this project, so every route with a body takes ``application/yaml``
as well as ``application/json`` (``curl --data-binary @profile.yaml``). The body is decoded by
the same bounded reader as the command line's files (``advisor/documents.py``: no YAML aliases,
bounded nesting and integer digits) and then validated by the route's marshmallow schema; nothing
a client sends reaches a 500: a body over the cap is a 413, whether it came with a
``Content-Length`` (Werkzeug refuses it from ``MAX_CONTENT_LENGTH``) or chunked (read here up to
cap + 1 bytes: never cut at the cap and answered as if whole), a wrong media type a 415, a body
that does not decode a 400.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from werkzeug.exceptions import (
    BadRequest,
    ClientDisconnected,
    RequestEntityTooLarge,
    UnsupportedMediaType,
)

from advisor.documents import DocumentError, DocumentTooLarge, decode_document

__all__ = ["JSON_MEDIA_TYPE", "YAML_MEDIA_TYPES", "BODY_MEDIA_TYPES", "read_body", "raw_body"]

JSON_MEDIA_TYPE = "application/json"
YAML_MEDIA_TYPES = ("application/yaml", "application/x-yaml", "text/yaml")
BODY_MEDIA_TYPES = (JSON_MEDIA_TYPE, *YAML_MEDIA_TYPES)
_CHUNK = 16 * 1024


def _is_json(mimetype: str) -> bool:
    return mimetype == JSON_MEDIA_TYPE or mimetype.endswith("+json")


def _too_large(cap: int) -> RequestEntityTooLarge:
    return RequestEntityTooLarge(f"the request body is over {cap} bytes")


def raw_body() -> bytes:
    """The body's bytes, at most the cap; a body over it is a 413 however it was sent."""
    cap = int(current_app.config["MAX_CONTENT_LENGTH"])
    if request.content_length is not None or not request.environ.get("wsgi.input_terminated"):
        if request.content_length is not None and request.content_length > cap:
            raise _too_large(cap)
        return request.get_data(cache=True)
    # chunked: Werkzeug would hand over the first `cap` bytes as if they were the whole body
    stream = request.environ["wsgi.input"]
    chunks: list[bytes] = []
    size = 0
    while size <= cap:
        try:
            chunk = stream.read(min(_CHUNK, cap + 1 - size))
        except Exception:  # noqa: BLE001 - the server's de-chunking of what the client sent
            # (gunicorn raises its own InvalidChunkSize, ...): the client's fault, not ours
            raise BadRequest("the request body's chunked encoding is malformed") from None
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > cap:
        raise _too_large(cap)
    return b"".join(chunks)


def _plain_json_body(environ: dict[str, Any], cap: int) -> bytes | None:
    """The body of the commonest request, read straight from the server's input: a JSON body
    (``Content-Type: application/json`` exactly) with a plain ``Content-Length`` within the cap
    and no ``Transfer-Encoding``. Werkzeug's header parsing and guarded stream cost about a
    tenth of a diagnosis' own application time (issue 13); for this request they decide
    nothing :func:`raw_body` would not. ``None``: anything else, which goes the long way.

    The server has read the whole body before calling us (waitress, gunicorn: the input ends
    where the body does), so one read of ``Content-Length`` bytes is the body; fewer bytes
    mean the client left mid-body, answered 400 as Werkzeug's guarded stream answers it."""
    length = environ.get("CONTENT_LENGTH")
    if environ.get("CONTENT_TYPE") != JSON_MEDIA_TYPE or "HTTP_TRANSFER_ENCODING" in environ \
            or not length or not length.isascii() or not length.isdigit():
        return None
    size = int(length)
    if size > cap:
        raise _too_large(cap)
    raw: bytes = environ["wsgi.input"].read(size)
    if len(raw) < size:
        raise ClientDisconnected()
    return raw


def read_body() -> Any:
    """The decoded body of the current request (a 4xx HTTP error when there is none usable)."""
    cap = int(current_app.config["MAX_CONTENT_LENGTH"])
    plain = _plain_json_body(request.environ, cap)
    if plain is not None:
        return _decoded(plain, "json", cap)
    mimetype = request.mimetype
    if not (_is_json(mimetype) or mimetype in YAML_MEDIA_TYPES):
        raise UnsupportedMediaType(
            f"send the body as {JSON_MEDIA_TYPE} (or YAML: {', '.join(YAML_MEDIA_TYPES)}), "
            f"not {mimetype or 'without a Content-Type'}")
    return _decoded(raw_body(), "json" if _is_json(mimetype) else "yaml", cap)


def _decoded(raw: bytes, kind: str, cap: int) -> Any:
    try:
        return decode_document(raw, kind, what="body", source="the request body",
                               max_bytes=cap)
    except DocumentTooLarge:
        raise _too_large(cap) from None
    except DocumentError as exc:
        raise BadRequest(exc.problems[0][1]) from None
