"""Organizations and their assessment cycles, the questionnaire, exports and history.

A cycle's ``ETag`` carries its version; a write with ``If-Match`` naming an older version is
refused with 412, so two people editing one cycle cannot overwrite each other silently (a write
without ``If-Match`` still cannot lose another rater's answers: each rater's answers are their
own rows). Answers to a closed cycle are a 409 naming ``status``; a bad answer a 422 naming
``answers.<item id>``, and nothing of its request is stored.

An organization has one or more PMOs. The organization-level routes (``/organizations/{id}/
assessments``, ``/history``) mean its default PMO; ``/organizations/{id}/pmos/{pmo}/...`` name
another (a cycle is created, read, answered and closed there too). Cycle numbers count per
organization, so ``/organizations/{id}/assessments/{number}`` (answer, close, export, simulate)
reaches any PMO's cycle.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from flask import Response, current_app, jsonify, make_response, render_template, request, url_for
from marshmallow import RAISE, Schema
from werkzeug.exceptions import PreconditionFailed

from advisor.questionnaire import load_questionnaire
from api import service
from api.http import admission, problems
from api.http.openapi import ApiBlueprint, error_response
from api.schemas.answers import to_json
from api.schemas.assessments import (
    AnswersInSchema,
    AssessedPmoSchema,
    CycleInSchema,
    CycleListSchema,
    CyclePageQuerySchema,
    CyclePageSchema,
    CycleSchema,
    CycleSummarySchema,
    HistorySchema,
    OrganizationInSchema,
    OrganizationPageSchema,
    OrganizationSchema,
    PageQuerySchema,
    PmoInSchema,
    PmoListSchema,
    QuestionnaireSchema,
    SimulationRunInSchema,
    SimulationRunListSchema,
    SimulationRunSchema,
)
from api.schemas.examples import (
    answers_example,
    cycle_example,
    cycle_page_example,
    cycle_simulation_example,
    organization_example,
)
from api.store import (
    ConflictError,
    NotFoundError,
    PreconditionFailedError,
    Store,
    open_store,
    run_record,
)
from api.store.export import cycle_csv, cycle_xlsx
from api.store.records import CycleRecord, CycleSummaryRecord

__all__ = ["blp", "store", "etag"]

blp = ApiBlueprint("assessments", __name__, description="Assessment cycles with several raters: "
                   "organizations, cycles, answers, history, exports.")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ETAG_HEADER = {"description": "the cycle's version, for If-Match", "schema": {"type": "string"}}


def store() -> Store:
    """The app's store: ``DATABASE_URL`` (or ``PMO_ADVISOR_DATABASE_URL``), else the SQLite file
    at ``DATABASE_PATH`` or the default path (``api/store/engine.py``)."""
    url = current_app.config.get("DATABASE_URL") or None
    if url is None and current_app.config.get("DATABASE_PATH"):
        url = f"sqlite:///{current_app.config['DATABASE_PATH']}"
    return open_store(url)


def etag(cycle: CycleSummaryRecord) -> str:
    """The cycle's version, as the ETag (If-Match and If-None-Match name it)."""
    return f'"cycle-{cycle.organization}-{cycle.number}-v{cycle.version}"'


def _if_match(organization: int, number: int) -> int | None:
    """The version ``If-Match`` names (None without the header or with ``*``)."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    wanted = re.fullmatch(rf'\s*(?:W/)?"cycle-{organization}-{number}-v(\d+)"\s*', header)
    if wanted is None:
        raise PreconditionFailed(f"If-Match {header!r} is not an ETag of this cycle")
    return int(wanted.group(1))


def _with_etag(cycle: CycleSummaryRecord, status: int = 200,
               schema: type[Schema] = CycleSchema, **headers: str) -> Response:
    """The cycle, dumped by its schema, with the ETag of its version."""
    body = to_json(cycle, schema)
    response = make_response(body, status)
    response.headers["ETag"] = etag(cycle)
    response.headers.update(headers)
    return response


def _listed(items: Sequence[Any], schema: type[Schema]) -> Response:
    """A list answer (``count``, ``items``), dumped by its schema."""
    return make_response(to_json({"count": len(items), "items": items}, schema))


def _conditional(cycle: CycleRecord) -> Response:
    """The cycle with its ETag, or 304 Not Modified when ``If-None-Match`` names it."""
    response = _with_etag(cycle)
    response.make_conditional(request)
    return response


View = Callable[..., Any]


def _contract(*decorators: Callable[[View], View]) -> Callable[[View], View]:
    """One route's documented contract (responses, body), shared by the organization-level
    route and the PMO-level one so the two cannot drift apart."""

    def apply(view: View) -> View:
        for decorate in reversed(decorators):
            view = decorate(view)
        return view

    return apply


_creates_cycle = _contract(
    blp.response(201, CycleSchema, headers={
        "Location": {"description": "the new cycle", "schema": {"type": "string"}},
        "ETag": ETAG_HEADER}),
    blp.alt_response(404, error_response(404)), blp.alt_response(409, error_response(409)),
    blp.body(CycleInSchema, example=cycle_example))
_lists_cycles = _contract(blp.response(200, CycleListSchema),
                          blp.alt_response(404, error_response(404)))
_reads_cycle = _contract(
    blp.response(200, CycleSchema, headers={"ETag": ETAG_HEADER}),
    blp.alt_response(304, description="not modified since the ETag of If-None-Match"),
    blp.alt_response(404, error_response(404)))
_writes_cycle = (blp.alt_response(404, error_response(404)),
                 blp.alt_response(409, error_response(409)),
                 blp.alt_response(412, error_response(412)))
_answers_cycle = _contract(blp.response(200, CycleSummarySchema), *_writes_cycle,
                           blp.body(AnswersInSchema, example=answers_example))
_closes_cycle = _contract(blp.response(200, CycleSchema), *_writes_cycle)


@blp.app_errorhandler(NotFoundError)
def _not_found(error: NotFoundError) -> Response:
    return problems.problem(404, str(error), errors=[(error.field, str(error))])


@blp.app_errorhandler(ConflictError)
def _conflict(error: ConflictError) -> Response:
    return problems.problem(409, str(error), errors=[(error.field, str(error))])


@blp.app_errorhandler(PreconditionFailedError)
def _stale(error: PreconditionFailedError) -> Response:
    return problems.problem(412, str(error), errors=[("If-Match", str(error))])


@blp.route("/questionnaire")
@blp.response(200, QuestionnaireSchema)
def get_questionnaire() -> Response:
    """The questionnaire: every item with its id, part, indicator, anchors and choices"""
    return jsonify(to_json(load_questionnaire()))


@blp.route("/organizations", methods=["POST"])
@blp.response(201, OrganizationSchema, headers={"Location": {
    "description": "the new organization", "schema": {"type": "string"}}})
@blp.alt_response(409, error_response(409))
@blp.body(OrganizationInSchema, example=organization_example)
def create_organization(body: dict[str, Any]) -> Response:
    """Create an organization (its PMO is what is assessed)"""
    created = store().create_organization(body["name"], body.get("pmo_name"))
    response = make_response(to_json(created, OrganizationSchema), 201)
    response.headers["Location"] = url_for(".get_organization", org=created.id)
    return response


@blp.route("/organizations")
@blp.arguments(PageQuerySchema, location="query", as_kwargs=True, unknown=RAISE)
@blp.response(200, OrganizationPageSchema)
def list_organizations(offset: int, limit: int) -> Response:
    """The organizations, a page at a time (``offset``, ``limit`` at most 100)"""
    total, items = store().list_organizations(offset, limit)
    return make_response(to_json({"count": total, "offset": offset, "limit": limit,
                                  "items": items}, OrganizationPageSchema))


@blp.route("/assessments")
@blp.arguments(CyclePageQuerySchema, location="query", as_kwargs=True, unknown=RAISE)
@blp.response(200, CyclePageSchema, example=cycle_page_example)
def list_all_cycles(offset: int, limit: int, status: str | None = None) -> Response:
    """Every organization's cycles, each with its organization and PMO by name

    One request for a list across organizations and their PMOs (the simulate page's saved
    assessments: ``status=closed``), where walking each organization's PMOs would cost a request
    per organization and per PMO. By organization, PMO and number, a page at a time (``offset``,
    ``limit`` at most 100)."""
    total, items = store().all_cycles(status, offset, limit)
    return make_response(to_json({"count": total, "offset": offset, "limit": limit,
                                  "items": items}, CyclePageSchema))


@blp.route("/organizations/<int:org>")
@blp.response(200, OrganizationSchema)
@blp.alt_response(404, error_response(404))
def get_organization(org: int) -> Response:
    """One organization"""
    return make_response(to_json(store().organization(org), OrganizationSchema))


@blp.route("/organizations/<int:org>/history")
@blp.response(200, HistorySchema)
@blp.alt_response(404, error_response(404))
def get_history(org: int) -> Response:
    """The default PMO's closed cycles: scenario path and each indicator's values over time"""
    return make_response(to_json(store().history(org), HistorySchema))


@blp.route("/organizations/<int:org>/pmos", methods=["POST"])
@blp.response(201, AssessedPmoSchema, headers={"Location": {
    "description": "the new PMO", "schema": {"type": "string"}}})
@blp.alt_response(404, error_response(404))
@blp.alt_response(409, error_response(409))
@blp.body(PmoInSchema, example=lambda: {"name": "IT PMO", "scope": "departmental"})
def create_pmo(body: dict[str, Any], org: int) -> Response:
    """Add a PMO to the organization (an enterprise PMO, a departmental one, ...)"""
    created = store().create_pmo(org, body["name"], body.get("scope"))
    response = make_response(to_json(created, AssessedPmoSchema), 201)
    response.headers["Location"] = url_for(".get_pmo", org=org, pmo=created.id)
    return response


@blp.route("/organizations/<int:org>/pmos")
@blp.response(200, PmoListSchema)
@blp.alt_response(404, error_response(404))
def list_pmos(org: int) -> Response:
    """The organization's PMOs, the default one first created"""
    return _listed(store().pmos(org), PmoListSchema)


@blp.route("/organizations/<int:org>/pmos/<int:pmo>")
@blp.response(200, AssessedPmoSchema)
@blp.alt_response(404, error_response(404))
def get_pmo(org: int, pmo: int) -> Response:
    """One PMO of the organization"""
    return make_response(to_json(store().pmo(org, pmo), AssessedPmoSchema))


@blp.route("/organizations/<int:org>/pmos/<int:pmo>/history")
@blp.response(200, HistorySchema)
@blp.alt_response(404, error_response(404))
def get_pmo_history(org: int, pmo: int) -> Response:
    """One PMO's closed cycles: scenario path and each indicator's values over time"""
    return make_response(to_json(store().history(org, pmo), HistorySchema))


@blp.route("/organizations/<int:org>/pmos/<int:pmo>/assessments", methods=["POST"])
@_creates_cycle
def create_pmo_cycle(body: dict[str, Any], org: int, pmo: int) -> Response:
    """Open a new assessment cycle of this PMO (one open cycle per PMO)"""
    created = store().create_cycle(org, body.get("label"), pmo=pmo)
    return _with_etag(created, 201, Location=url_for(".get_pmo_cycle", org=org, pmo=pmo,
                                                      number=created.number))


@blp.route("/organizations/<int:org>/pmos/<int:pmo>/assessments")
@_lists_cycles
def list_pmo_cycles(org: int, pmo: int) -> Response:
    """This PMO's cycles, oldest first"""
    return _listed(store().cycles(org, pmo), CycleListSchema)


@blp.route("/organizations/<int:org>/pmos/<int:pmo>/assessments/<int:number>")
@_reads_cycle
def get_pmo_cycle(org: int, pmo: int, number: int) -> Response:
    """One cycle of this PMO (export, report and simulations: at the organization level)"""
    return _conditional(store().cycle(org, number, pmo=pmo))


@blp.route("/organizations/<int:org>/assessments", methods=["POST"])
@_creates_cycle
def create_cycle(body: dict[str, Any], org: int) -> Response:
    """Open a new assessment cycle of the default PMO (one open cycle per PMO)"""
    created = store().create_cycle(org, body.get("label"))
    return _with_etag(created, 201, Location=url_for(".get_cycle", org=org,
                                                      number=created.number))


@blp.route("/organizations/<int:org>/assessments")
@_lists_cycles
def list_cycles(org: int) -> Response:
    """The default PMO's cycles, oldest first"""
    return _listed(store().cycles(org), CycleListSchema)


@blp.route("/organizations/<int:org>/assessments/<int:number>")
@_reads_cycle
def get_cycle(org: int, number: int) -> Response:
    """One cycle: raters' answers, the combination (and, once closed, diagnosis and plan)

    With ``If-None-Match`` naming the current ETag the answer is 304 Not Modified, no body."""
    return _conditional(store().cycle(org, number))


@blp.route("/organizations/<int:org>/assessments/<int:number>/answers", methods=["POST"])
@_answers_cycle
def answer(body: dict[str, Any], org: int, number: int) -> Response:
    """Answer (or re-answer) items as one rater; send ``If-Match`` to refuse a stale write"""
    return _answer(body, org, number)


def _answer(body: dict[str, Any], org: int, number: int, pmo: int | None = None) -> Response:
    summary = store().answer(org, number, body["rater"], body["answers"], role=body["role"],
                             if_match=_if_match(org, number), pmo=pmo)
    return _with_etag(summary, schema=CycleSummarySchema)


@blp.route("/organizations/<int:org>/pmos/<int:pmo>/assessments/<int:number>/answers",
           methods=["POST"])
@_answers_cycle
def answer_pmo_cycle(body: dict[str, Any], org: int, pmo: int, number: int) -> Response:
    """Answer items of this PMO's cycle as one rater (as the organization-level route)"""
    return _answer(body, org, number, pmo)


@blp.route("/organizations/<int:org>/assessments/<int:number>/close", methods=["POST"])
@_closes_cycle
def close_cycle(org: int, number: int) -> Response:
    """Close the cycle: combine the answers, take trends from history, diagnose and plan"""
    return _close(org, number)


def _close(org: int, number: int, pmo: int | None = None) -> Response:
    return _with_etag(store().close_cycle(org, number, if_match=_if_match(org, number),
                                          pmo=pmo))


@blp.route("/organizations/<int:org>/pmos/<int:pmo>/assessments/<int:number>/close",
           methods=["POST"])
@_closes_cycle
def close_pmo_cycle(org: int, pmo: int, number: int) -> Response:
    """Close this PMO's cycle (as the organization-level route)"""
    return _close(org, number, pmo)


@blp.route("/organizations/<int:org>/assessments/<int:number>/export.csv")
@blp.response(200, {"type": "string"}, content_type="text/csv")
@blp.alt_response(404, error_response(404))
def export_csv(org: int, number: int) -> Response:
    """Every answer of the cycle as CSV (rater, role, item, part, target, value)"""
    cycle = store().cycle(org, number)
    return Response(cycle_csv(cycle), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="cycle-{org}-{number}.csv"'})


@blp.route("/organizations/<int:org>/assessments/<int:number>/export.xlsx")
@blp.response(200, {"type": "string", "format": "binary"}, content_type=XLSX)
@blp.alt_response(404, error_response(404))
def export_xlsx(org: int, number: int) -> Response:
    """The cycle as an Excel workbook: profile, answers, flywheel self-check"""
    s = store()
    cycle = s.cycle(org, number)
    name = s.organization(org).name
    return Response(cycle_xlsx(cycle, name), mimetype=XLSX, headers={
        "Content-Disposition": f'attachment; filename="cycle-{org}-{number}.xlsx"'})


@blp.route("/organizations/<int:org>/assessments/<int:number>/report")
@blp.response(200, {"type": "string"}, content_type="text/html")
@blp.alt_response(404, error_response(404))
def report(org: int, number: int) -> Response:
    """A printable one-page report of the cycle (HTML with print styles)"""
    s = store()
    return Response(render_template("assessment_report.html", organization=s.organization(org),
                                    cycle=s.cycle(org, number)), mimetype="text/html")


@blp.route("/organizations/<int:org>/assessments/<int:number>/simulations", methods=["POST"])
@blp.response(201, SimulationRunSchema)
@blp.alt_response(404, error_response(404))
@blp.alt_response(409, error_response(409))
@blp.alt_response(429, error_response(429))  # costly: api/http/admission.py
@blp.alt_response(503, error_response(503))
@blp.body(SimulationRunInSchema, example=cycle_simulation_example)
def simulate_cycle(body: dict[str, Any], org: int, number: int) -> Response:
    """Simulate a strategy from a closed cycle's profile, and keep the run with the cycle"""
    s = store()
    profile = s.closed_profile(org, number)
    options = {k: body[k] for k in ("months", "runs", "seed") if k in body}
    result = service.simulate(profile, body["strategy"], workers=1,
                              limits=current_app.config["SIMULATION_LIMITS"],
                              progress=admission.stop_when_client_gone(), **options)
    seed, summary = run_record(result)
    return make_response(to_json(s.add_simulation_run(org, number, body["strategy"], seed,
                                                      summary), SimulationRunSchema), 201)


@blp.route("/organizations/<int:org>/assessments/<int:number>/simulations")
@blp.response(200, SimulationRunListSchema)
@blp.alt_response(404, error_response(404))
def list_cycle_simulations(org: int, number: int) -> Response:
    """The simulation runs kept with a cycle"""
    return _listed(store().simulation_runs(org, number), SimulationRunListSchema)
