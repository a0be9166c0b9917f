"""The OpenAPI document and flask-smorest glue: problem+json errors, request bodies, API keys.

flask-smorest turns the marshmallow schemas on every view into the OpenAPI 3 document served at
``/openapi.json``. What is ours: errors are documented (and answered) as problem+json;
request bodies are read by :meth:`ApiBlueprint.body` (JSON or YAML, validated by a marshmallow
schema, errors named per field as the CLI names them) and carry a working example; the API-key
requirement is documented on every operation it applies to; every operation has an
``operationId``; and the document states the rules the server enforces where JSON Schema can
(a schema's ``JSON_SCHEMA``, enumerated mapping keys), which schemathesis then holds it to.
"""

from __future__ import annotations

import functools
import http
from collections.abc import Callable, Mapping
from typing import Any

import flask_smorest
from apispec import BasePlugin
from flask import Flask
from marshmallow import Schema, fields

from advisor.validation import DOCUMENTED_LATER, load_with
from api.http import problems
from api.http.auth import keys_required
from api.http.bodies import BODY_MEDIA_TYPES, read_body
from api.http.queryargs import RememberingParser
from api.schemas.examples import example_for

__all__ = ["Api", "ApiBlueprint", "error_response", "BEARER_SCHEME"]

BEARER_SCHEME = "bearerAuth"


def error_response(status: int) -> str:
    """The name of the documented problem response for one status (a components/responses key)."""
    return http.HTTPStatus(status).name


class _ProtectedOperations(BasePlugin):
    """Documents the 401 on every operation that does not declare itself open (``security: []``)."""

    def operation_helper(self, path: str | None = None, operations: dict | None = None,
                         **kwargs: Any) -> None:
        for operation in (operations or {}).values():
            if operation.get("security") != []:
                operation.setdefault("responses", {}).setdefault("401", error_response(401))


class _OperationIds(BasePlugin):
    """Names every operation after its view function (``create_diagnosis``, ``list_shocks``):
    client generators name their methods by ``operationId``, and the view's name is already
    unique, stable and what a reader of the code sees."""

    def operation_helper(self, path: str | None = None, operations: dict | None = None,
                         **kwargs: Any) -> None:
        rule = kwargs.get("rule")
        if rule is None:
            return
        for operation in (operations or {}).values():
            operation.setdefault("operationId", rule.endpoint.rsplit(".", 1)[-1])


class _StatedRules(BasePlugin):
    """Merges a schema's ``JSON_SCHEMA`` (rules across its fields, e.g. "preset or profile,
    exactly one") into its definition: the document says what the server enforces."""

    def schema_helper(self, name: str, definition: dict, **kwargs: Any) -> dict | None:
        schema = kwargs.get("schema")
        stated = getattr(schema, "JSON_SCHEMA", None)
        return dict(stated) if stated else None


def _enumerated_keys(converter: Any, field: fields.Field, ret: dict, **kwargs: Any) -> dict:
    """A mapping whose keys are enumerated (``services``: the catalog's ids and numbers) is
    documented as an object with exactly those properties, each of the value's schema (OpenAPI
    3.0 has no ``propertyNames``)."""
    if isinstance(field, fields.Dict) and "additionalProperties" in field.metadata:
        # a mapping that states its own keys (``answers``: the questionnaire's items) keeps
        # its word over apispec's default (any key, the value field's schema)
        return {"additionalProperties": field.metadata["additionalProperties"]}
    keys = getattr(field, "key_field", None)
    names = keys.metadata.get("enum") if isinstance(field, fields.Dict) and keys else None
    if not names:
        return {}
    value = ret.get("additionalProperties", {})
    return {"properties": {str(name): value for name in names}, "additionalProperties": False}


def _deferred_request_body(doc: dict[str, Any], doc_info: dict[str, Any],
                           **kwargs: Any) -> dict[str, Any]:
    """Builds a body's documentation (:meth:`ApiBlueprint.body` leaves a function in its place)
    when flask-smorest builds the document: in place, so the document reads as before."""
    manual = doc_info.get("manual_doc", {})
    if callable(manual.get("requestBody")):
        manual["requestBody"] = manual["requestBody"]()
    return doc


def _deferred_response_examples(doc: dict[str, Any], doc_info: dict[str, Any],
                                **kwargs: Any) -> dict[str, Any]:
    """Calls a response's ``example`` given as a function (it reads shipped data, which the
    routes must not do on import) when flask-smorest builds the document, before its own
    callback turns the responses into the document's."""
    for responses in doc_info.get("response", {}).get("responses", {}).values():
        for response in responses:
            if isinstance(response, dict) and callable(response.get("example")):
                response["example"] = response["example"]()
    return doc


def _documented_later(converter: Any, field: fields.Field, ret: dict, **kwargs: Any) -> dict:
    """A field's properties that its schema states as a function (``DOCUMENTED_LATER``: values
    read from shipped data), resolved now that the document is built."""
    later = field.metadata.get(DOCUMENTED_LATER)
    stated = dict(later()) if later else {}
    for key in stated:      # in the order stated, as metadata given at import would have been
        ret.pop(key, None)
    return stated


class Api(flask_smorest.Api):
    """flask-smorest's Api, with RFC 9457 problems instead of its own error format."""

    ERROR_SCHEMA = problems.ProblemSchema

    def init_app(self, app: Flask, *, spec_kwargs: dict | None = None) -> None:
        spec_kwargs = {**(spec_kwargs or {}),
                       "extra_plugins": [_ProtectedOperations(), _OperationIds(),
                                         _StatedRules()]}
        super().init_app(app, spec_kwargs=spec_kwargs)
        self.ma_plugin.converter.add_attribute_function(_enumerated_keys)
        self.ma_plugin.converter.add_attribute_function(_documented_later)
        self.spec.components.security_scheme(BEARER_SCHEME, {
            "type": "http", "scheme": "bearer",
            "description": "only when the service is configured with PMO_ADVISOR_API_KEYS"})
        if keys_required(app):
            self.spec.options["security"] = [{BEARER_SCHEME: []}]

    def handle_http_exception(self, error: Any) -> Any:
        return problems.handle_http_exception(error)

    def _register_responses(self) -> None:
        """Every error status, and the default, documented as problem+json."""
        for status in http.HTTPStatus:
            if status < 400:
                continue
            response: dict[str, Any] = {"description": status.phrase, "content": {
                problems.PROBLEM_MEDIA_TYPE: {"schema": self.ERROR_SCHEMA}}}
            if status == 401:
                response["headers"] = {"WWW-Authenticate": {
                    "description": "Bearer, with the realm", "required": True,
                    "schema": {"type": "string"}}}
            if status in (429, 503):
                response["headers"] = {"Retry-After": {
                    "description": "seconds to wait before trying again", "required": True,
                    "schema": {"type": "integer"}}}
                response["description"] = (
                    f"{status.phrase}: a costly request (simulation, comparison, story) over "
                    + ("this API key's" if status == 429 else "the service's")
                    + " budget of requests at once; answered at once, never queued")
            if status == 413:
                cap = self._app.config["MAX_CONTENT_LENGTH"]
                response["description"] = f"the request body is over {cap} bytes"
            self.spec.components.response(status.name, response, lazy=True)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, {
            "description": "an error, as RFC 9457 problem details",
            "content": {problems.PROBLEM_MEDIA_TYPE: {"schema": self.ERROR_SCHEMA}}}, lazy=True)


class ApiBlueprint(flask_smorest.Blueprint):
    """A flask-smorest blueprint whose views take their body through :meth:`body`."""

    ARGUMENTS_PARSER = RememberingParser()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._prepare_doc_cbks.insert(0, _deferred_response_examples)
        self._prepare_doc_cbks.append(_deferred_request_body)

    def query(self, schema: Schema, **kwargs: Any) -> Callable[[Callable[..., Any]],
                                                                Callable[..., Any]]:
        """``arguments(schema, location="query", as_kwargs=True, **kwargs)``, documented as it
        documents, with the parsed query handed to the view by one wrapper instead of webargs'
        and flask-smorest's two (each asked Flask whether the view is a coroutine: a few
        microseconds of every diagnosis, issue 13). The same parser parses with the same
        arguments, so a bad query string gets webargs' own error, as before."""
        parse = functools.partial(self.ARGUMENTS_PARSER.parse, schema, location="query",
                                  **kwargs)

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            documented = self.arguments(schema, location="query", as_kwargs=True,
                                        **kwargs)(view)

            @functools.wraps(view)
            def with_query(*args: Any, **view_kwargs: Any) -> Any:
                view_kwargs.update(parse())
                return view(*args, **view_kwargs)

            with_query._apidoc = documented._apidoc  # type: ignore[attr-defined]
            return with_query

        return decorator

    def answers(self, status: int, schema: type[Schema]) -> Callable[[Callable[..., Any]],
                                                                      Callable[..., Any]]:
        """``response(status, schema)`` for a view that makes its own response (an answer
        encoded by ``json_response``): documented as it documents, but not wrapped, since its
        wrapper only passes a ready response through."""
        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            view._apidoc = self.response(status, schema)(view)._apidoc  # type: ignore[attr-defined]
            return view

        return decorator

    def body(self, schema: type[Schema] | Callable[[], type[Schema]],
             build: Callable[[Any], Any] | None = None, description: str = "",
             example: Callable[[], Mapping[str, Any]] | None = None,
             ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Read the body (JSON or YAML), validate it with ``schema`` and pass the result to the
        view as its first argument; ``build`` replaces the plain load where the domain already
        has one (``parse_profile``). A bad field raises :class:`InputError`: a 422 naming it.
        ``example``: makes a body that works as shipped (Swagger's "Try it out" sends it).

        ``schema`` may be a function giving the class, and ``example`` is one: both are called
        when the document is built (or the first body read), not when the routes are imported,
        because they read shipped data (the catalog, the shipped profiles)."""
        schema_class = (lambda: schema) if isinstance(schema, type) else schema

        @functools.cache
        def load() -> Callable[[Any], Any]:
            return build or functools.partial(load_with, schema_class()())

        def request_body() -> dict[str, Any]:
            cls = schema_class()
            content: dict[str, Any] = {t: {"schema": cls} for t in BODY_MEDIA_TYPES}
            shown = example() if example is not None else example_for(cls)
            if shown is not None:
                content[BODY_MEDIA_TYPES[0]]["example"] = dict(shown)
            request: dict[str, Any] = {"required": True, "description": description or None,
                                       "content": content}
            return {k: v for k, v in request.items() if v is not None}

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(view)
            def with_body(*args: Any, **kwargs: Any) -> Any:
                return view(load()(read_body()), *args, **kwargs)

            documented = self.doc(requestBody=request_body)(with_body)
            for status in (400, 413, 415, 422):
                documented = self.alt_response(status, error_response(status))(documented)
            # the view runs without those decorators' wrappers: they only document (each call
            # through one cost a context lookup and an async check on every request)
            with_body._apidoc = documented._apidoc  # type: ignore[attr-defined]
            return with_body

        return decorator
