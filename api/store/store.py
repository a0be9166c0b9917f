"""The assessments' memory: organizations, their assessment cycles, raters' answers and what each
closed cycle concluded (combined profile, diagnosis, plan), in a SQL database.

Every public method is one transaction: it either stores everything it was asked to or nothing
(a bad answer, a closed cycle, a stale ``if_match`` or a crash leaves the previous state). Writes
to a cycle lock its row first (``SELECT ... FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on
SQLite), so raters answering the same cycle at once are serialized and no answer is lost; the
cycle's ``version`` counts the writes and is the HTTP ETag.

Methods return records (``api/store/records.py``: organizations, PMOs, cycles, kept runs,
history); their JSON is their schema's dump (``api/schemas/assessments.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer, selectinload, sessionmaker

from advisor.combination import RaterAnswers, combine, trends_from_history
from advisor.errors import InputError, PmoAdvisorError
from advisor.questionnaire import load_questionnaire
from advisor.sections import SCOPES as PMO_SCOPES
from api.schemas.answers import to_json
from api.service import diagnose, recommend
from api.store.engine import database_url, make_engine, migrate
from api.store.models import Answer, Cycle, Organization, Pmo, Rater, SimulationRun
from api.store.records import (
    CycleRecord,
    CycleSummaryRecord,
    HistoryCycleRecord,
    HistoryRecord,
    KeptRunRecord,
    ListedCycleRecord,
    OrganizationRecord,
    PmoRecord,
    RunRecord,
)

__all__ = ["Store", "open_store", "close_store", "NotFoundError", "ConflictError",
           "PreconditionFailedError", "OPEN", "CLOSED", "MAX_PAGE", "DEFAULT_PMO", "run_record"]

OPEN, CLOSED = "open", "closed"
MAX_PAGE = 100
MAX_ID = 2**31 - 1  # ids and cycle numbers are 32-bit integers on every backend
MAX_OFFSET = 1_000_000_000
MAX_NAME = 200
MAX_ANSWERS_PER_WRITE = 500  # the whole questionnaire is ~120 items
DEFAULT_PMO = "PMO"  # the default PMO's name when the organization gives no ``pmo_name``
FORMAT, FORMAT_V1 = "pmo-advisor-memory/2", "pmo-advisor-memory/1"


class NotFoundError(PmoAdvisorError):
    """No such organization or cycle (HTTP 404)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class ConflictError(PmoAdvisorError):
    """The request contradicts the stored state: a closed cycle, a taken name (HTTP 409)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field


class PreconditionFailedError(PmoAdvisorError):
    """``If-Match`` names an older version of the cycle: someone else wrote first (HTTP 412)."""


def run_record(result: Any) -> tuple[int | None, dict[str, Any]]:
    """What the memory keeps of one experiment (``simulation.results.ExperimentResult``): its
    seed, and its summary measures with months and runs. One definition, so a run kept through
    the API and one kept by ``pmo-advisor simulate --org`` read the same."""
    return result.seed, {"months": result.months, "runs": result.runs, **result.summary}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _name(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_NAME:
        raise InputError(f"must be a non-empty text of at most {MAX_NAME} characters, "
                         f"got {value!r}", field)
    return value.strip()


class Store:
    """One database. Safe to share between threads: each call opens its own session."""

    def __init__(self, url: str | None = None) -> None:
        self.url = database_url(url)
        self.engine: Engine = make_engine(self.url)
        migrate(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session

    # -- organizations -----------------------------------------------------------------------
    def create_organization(self, name: str,
                            pmo_name: str | None = None) -> OrganizationRecord:
        name = _name(name, "name")
        if pmo_name is not None:
            pmo_name = _name(pmo_name, "pmo_name")
        try:
            with self._transaction() as s:
                if s.scalar(select(Organization.id).where(Organization.name == name)):
                    raise ConflictError(f"an organization named {name!r} exists already",
                                        "name")
                org = Organization(name=name, pmo_name=pmo_name, created_at=_now())
                org.pmos.append(Pmo(name=pmo_name or DEFAULT_PMO, is_default=True,
                                    created_at=org.created_at))
                s.add(org)
                s.flush()
                return _org_record(org)
        except IntegrityError:  # a concurrent creation of the same name
            raise ConflictError(f"an organization named {name!r} exists already",
                                "name") from None

    def list_organizations(self, offset: int = 0,
                           limit: int = 20) -> tuple[int, list[OrganizationRecord]]:
        with self._transaction() as s:
            total = s.scalar(select(func.count(Organization.id))) or 0
            rows = s.scalars(select(Organization).order_by(Organization.id)
                             .offset(min(max(offset, 0), MAX_OFFSET))
                             .limit(min(max(limit, 1), MAX_PAGE)))
            return total, [_org_record(o) for o in rows]

    def organization(self, key: int | str) -> OrganizationRecord:
        with self._transaction() as s:
            return _org_record(self._org(s, key))

    def _org(self, s: Session, key: int | str) -> Organization:
        if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
            org = s.get(Organization, int(key)) if int(key) <= MAX_ID else None
        else:
            org = s.scalar(select(Organization).where(Organization.name == key))
        if org is None:
            raise NotFoundError(f"no organization {key!r}", "organization")
        return org

    # -- PMOs --------------------------------------------------------------------------------
    def create_pmo(self, org: int | str, name: str, scope: str | None = None) -> PmoRecord:
        """Another PMO of the organization (the default one exists from the start)."""
        name = _name(name, "name")
        if scope is not None and scope not in PMO_SCOPES:
            raise InputError(f"unknown scope {scope!r}; allowed: {', '.join(PMO_SCOPES)}",
                             "scope")
        try:
            with self._transaction() as s:
                organization = self._org(s, org)
                if any(p.name == name for p in organization.pmos):
                    raise ConflictError(f"{organization.name!r} has a PMO named {name!r} "
                                        "already", "name")
                pmo = Pmo(name=name, scope=scope, is_default=False, created_at=_now())
                organization.pmos.append(pmo)
                s.flush()
                return _pmo_record(pmo)
        except IntegrityError:  # a concurrent creation of the same name
            raise ConflictError(f"a PMO named {name!r} exists already", "name") from None

    def pmos(self, org: int | str) -> list[PmoRecord]:
        with self._transaction() as s:
            return [_pmo_record(p) for p in self._org(s, org).pmos]

    def pmo(self, org: int | str, pmo: int | str | None = None) -> PmoRecord:
        """One PMO by id or name; ``None``: the organization's default PMO."""
        with self._transaction() as s:
            return _pmo_record(self._pmo(s, self._org(s, org), pmo))

    def _pmo(self, s: Session, organization: Organization, key: int | str | None) -> Pmo:
        for pmo in organization.pmos:
            if (pmo.is_default if key is None
                    else pmo.id == key if isinstance(key, int) else pmo.name == key):
                return pmo
        raise NotFoundError(f"organization {organization.name!r} has no PMO {key!r}", "pmo")

    # -- cycles ------------------------------------------------------------------------------
    def create_cycle(self, org: int | str, label: str | None = None,
                     pmo: int | str | None = None) -> CycleRecord:
        """A new open cycle of a PMO (default: the organization's default PMO); a PMO has at
        most one open cycle at a time. Numbers count per organization."""
        if label is not None:
            label = _name(label, "label")
        with self._transaction() as s:
            organization = self._org(s, org)
            s.execute(select(Organization.id).where(Organization.id == organization.id)
                      .with_for_update())
            assessed = self._pmo(s, organization, pmo)
            if s.scalar(select(Cycle.number).where(Cycle.pmo_id == assessed.id,
                                                   Cycle.status == OPEN)):
                raise ConflictError("this PMO has an open cycle; close it first", "status")
            last = s.scalar(select(func.max(Cycle.number))
                            .where(Cycle.organization_id == organization.id)) or 0
            cycle = Cycle(organization_id=organization.id, pmo=assessed, number=last + 1,
                          label=label, status=OPEN, version=1, created_at=_now(),
                          questionnaire_version=load_questionnaire().version)
            s.add(cycle)
            s.flush()
            return _cycle_record(cycle, organization, [])

    def cycles(self, org: int | str, pmo: int | str | None = None) -> list[CycleSummaryRecord]:
        """A PMO's cycles (default: the default PMO's), oldest first."""
        with self._transaction() as s:
            organization = self._org(s, org)
            assessed = self._pmo(s, organization, pmo)
            rows = s.scalars(select(Cycle).where(Cycle.pmo_id == assessed.id)
                             .order_by(Cycle.number))
            return [_cycle_summary(c, organization) for c in rows]

    def all_cycles(self, status: str | None = None, offset: int = 0,
                   limit: int = 20) -> tuple[int, list[ListedCycleRecord]]:
        """Every organization's cycles (``status``: only the open or the closed ones), a page
        at a time, by organization, PMO and number, each with its organization's and PMO's
        names: one query for the page (raters counted in SQL, what each cycle concluded left
        unread), however many organizations."""
        where = [] if status is None else [Cycle.status == status]
        raters = (select(func.count(Rater.id)).where(Rater.cycle_id == Cycle.id)
                  .correlate(Cycle).scalar_subquery())
        with self._transaction() as s:
            total = s.scalar(select(func.count(Cycle.id)).where(*where)) or 0
            rows = s.execute(select(Cycle, Organization, Pmo, raters)
                             .join(Organization, Cycle.organization_id == Organization.id)
                             .join(Pmo, Cycle.pmo_id == Pmo.id).where(*where)
                             .order_by(Organization.id, Pmo.id, Cycle.number)
                             .options(defer(Cycle.combined), defer(Cycle.profile),
                                      defer(Cycle.diagnosis), defer(Cycle.plan))
                             .offset(min(max(offset, 0), MAX_OFFSET))
                             .limit(min(max(limit, 1), MAX_PAGE)))
            return total, [ListedCycleRecord(**_summary_fields(cycle, org, count),
                                             organization_name=org.name, pmo_name=pmo.name,
                                             pmo_default=pmo.is_default)
                           for cycle, org, pmo, count in rows]

    def latest_closed(self, org: int | str, pmo: int | str | None = None) -> int:
        """The number of a PMO's latest closed cycle (what a simulation starts from)."""
        with self._transaction() as s:
            organization = self._org(s, org)
            assessed = self._pmo(s, organization, pmo)
            number = s.scalar(select(func.max(Cycle.number)).where(
                Cycle.pmo_id == assessed.id, Cycle.status == CLOSED))
            if number is None:
                raise NotFoundError(f"PMO {assessed.name!r} of {organization.name!r} has no "
                                    "closed cycle yet", "cycle")
            return int(number)

    def cycle(self, org: int | str, number: int,
              pmo: int | str | None = None) -> CycleRecord:
        """A cycle with its raters' answers and, while open, the combination so far. With
        ``pmo``, the cycle must be that PMO's (else not found)."""
        with self._transaction() as s:
            organization = self._org(s, org)
            cycle = self._cycle(s, organization, number, pmo=pmo)
            raters = _rater_answers(cycle)
            return _cycle_record(cycle, organization, raters)

    def _cycle(self, s: Session, organization: Organization, number: int,
               lock: bool = False, pmo: int | str | None = None) -> Cycle:
        """Cycle ``number`` of the organization; with ``pmo``, only if it is that PMO's."""
        if not 0 < number <= MAX_ID:
            raise NotFoundError(f"organization {organization.name!r} has no cycle {number}",
                                "cycle")
        query = (select(Cycle).where(Cycle.organization_id == organization.id,
                                     Cycle.number == number)
                 .options(selectinload(Cycle.raters).selectinload(Rater.answers)))
        if lock:
            query = query.with_for_update()
        cycle = s.scalar(query)
        if cycle is None:
            raise NotFoundError(f"organization {organization.name!r} has no cycle {number}",
                                "cycle")
        if pmo is not None and cycle.pmo_id != self._pmo(s, organization, pmo).id:
            raise NotFoundError(f"PMO {pmo!r} has no cycle {number}", "cycle")
        return cycle

    def _writable(self, s: Session, org: int | str, number: int, if_match: int | None,
                  pmo: int | str | None = None) -> tuple[Organization, Cycle]:
        organization = self._org(s, org)
        cycle = self._cycle(s, organization, number, lock=True, pmo=pmo)
        if if_match is not None and if_match != cycle.version:
            raise PreconditionFailedError(
                f"cycle {number} is at version {cycle.version}, not {if_match}: someone else "
                "changed it; read it again and retry")
        if cycle.status != OPEN:
            raise ConflictError(f"cycle {number} is closed; start a new cycle to answer again",
                                "status")
        return organization, cycle

    def answer(self, org: int | str, number: int, rater: str, answers: Mapping[str, Any],
               role: str = "other", if_match: int | None = None,
               pmo: int | str | None = None) -> CycleSummaryRecord:
        """Store (or replace) one rater's answers to some items; returns the cycle summary.

        Every answer is checked before anything is written: one bad item refuses them all."""
        rater = _name(rater, "rater")
        q = load_questionnaire()
        if role not in q.roles:
            raise InputError(f"unknown role {role!r}; allowed: {', '.join(q.roles)}", "role")
        if not isinstance(answers, Mapping) or not answers:
            raise InputError("give at least one answer, as {item id: value}", "answers")
        if len(answers) > MAX_ANSWERS_PER_WRITE:
            raise InputError(f"at most {MAX_ANSWERS_PER_WRITE} answers per write", "answers")
        checked = {str(item): q.check(str(item), value) for item, value in answers.items()}
        with self._transaction() as s:
            organization, cycle = self._writable(s, org, number, if_match, pmo)
            person = next((r for r in cycle.raters if r.name == rater), None)
            if person is None:
                person = Rater(name=rater, role=role)
                cycle.raters.append(person)
            else:
                person.role = role
            existing = {a.item_id: a for a in person.answers}
            for item_id, value in checked.items():
                if item_id in existing:
                    existing[item_id].value = value
                else:
                    person.answers.append(Answer(item_id=item_id, value=value))
            cycle.version += 1
            s.flush()
            return _cycle_summary(cycle, organization)

    def close_cycle(self, org: int | str, number: int, if_match: int | None = None,
                    pmo: int | str | None = None) -> CycleRecord:
        """Combine the answers, give the profile its trends from the previous closed cycle,
        diagnose it, plan the advice, and keep it all with the cycle (closed for good)."""
        with self._transaction() as s:
            organization, cycle = self._writable(s, org, number, if_match, pmo)
            if not cycle.raters:
                raise InputError("nobody has answered this cycle yet", "answers")
            combined = combine(_rater_answers(cycle))
            previous = s.scalar(select(Cycle).where(
                Cycle.pmo_id == cycle.pmo_id, Cycle.status == CLOSED,
                Cycle.number < cycle.number).order_by(Cycle.number.desc()).limit(1))
            before = previous.combined if previous is not None else None
            before_means = {i: v["mean"] for i, v in (before or {}).get("indicators", {}).items()
                            if v["mean"] is not None}
            combined = combined.with_trends(trends_from_history(
                combined.means(), before_means or None, combined.trend_overrides))
            title = (organization.pmo_name or organization.name) if cycle.pmo.is_default \
                else f"{organization.name}, {cycle.pmo.name}"
            profile = combined.profile(f"{title}, cycle {cycle.number}")
            diagnosis = diagnose(profile)
            plan = recommend(profile)
            cycle.combined = to_json(combined)
            cycle.profile = profile.to_dict()
            cycle.diagnosis = to_json(diagnosis)
            cycle.plan = to_json(plan)
            cycle.scenario = diagnosis.scenario
            cycle.status = CLOSED
            cycle.closed_at = _now()
            cycle.version += 1
            s.flush()
            return _cycle_record(cycle, organization, _rater_answers(cycle))

    def add_simulation_run(self, org: int | str, number: int, strategy: str,
                           seed: int | None, summary: Mapping[str, Any]) -> RunRecord:
        """Keep a simulation run made from a closed cycle's profile."""
        with self._transaction() as s:
            cycle = self._cycle(s, self._org(s, org), number, lock=True)
            run = SimulationRun(strategy=strategy, seed=seed, summary=dict(summary),
                                created_at=_now())
            cycle.simulation_runs.append(run)
            s.flush()
            return _run_record(run)

    def simulation_runs(self, org: int | str, number: int) -> list[RunRecord]:
        with self._transaction() as s:
            cycle = self._cycle(s, self._org(s, org), number)
            return [_run_record(run) for run in cycle.simulation_runs]

    def closed_profile(self, org: int | str, number: int) -> dict[str, Any]:
        """The profile a closed cycle concluded (what simulations start from)."""
        with self._transaction() as s:
            cycle = self._cycle(s, self._org(s, org), number)
            if cycle.status != CLOSED or cycle.profile is None:
                raise ConflictError(f"cycle {number} is still open; close it to simulate from "
                                    "its profile", "status")
            return dict(cycle.profile)

    # -- history -----------------------------------------------------------------------------
    def history(self, org: int | str, pmo: int | str | None = None) -> HistoryRecord:
        """A PMO's closed cycles in order (default: the default PMO's): scenario path, each
        indicator's values and trends, and the simulation runs kept with them."""
        with self._transaction() as s:
            organization = self._org(s, org)
            assessed = self._pmo(s, organization, pmo)
            rows = list(s.scalars(select(Cycle).where(Cycle.pmo_id == assessed.id,
                                                      Cycle.status == CLOSED)
                                  .order_by(Cycle.number)
                                  .options(selectinload(Cycle.simulation_runs))))
            cycles: list[HistoryCycleRecord] = []
            indicators: dict[str, list[float | None]] = {}
            for index, cycle in enumerate(rows):
                combined = cycle.combined or {}
                cycles.append(HistoryCycleRecord(
                    number=cycle.number, label=cycle.label, closed_at=cycle.closed_at,
                    scenario=cycle.scenario, raters=combined.get("raters", 0),
                    trends=combined.get("trends", {})))
                for indicator, summary in combined.get("indicators", {}).items():
                    series = indicators.setdefault(indicator, [None] * len(rows))
                    series[index] = summary["mean"]
            return HistoryRecord(
                organization=_org_record(organization), pmo=_pmo_record(assessed),
                cycles=cycles, scenario_path=[c.scenario for c in cycles], indicators=indicators,
                simulation_runs=[KeptRunRecord(cycle=c.number, **asdict(_run_record(run)))
                                 for c in rows for run in c.simulation_runs])

    # -- the whole database ------------------------------------------------------------------
    def dump(self) -> dict[str, Any]:
        """Everything, as one JSON document (ids included), for export and backup."""
        with self._transaction() as s:
            orgs = s.scalars(select(Organization).order_by(Organization.id)
                             .options(selectinload(Organization.pmos),
                                      selectinload(Organization.cycles)
                                      .selectinload(Cycle.raters).selectinload(Rater.answers),
                                      selectinload(Organization.cycles)
                                      .selectinload(Cycle.simulation_runs)))
            return {"format": FORMAT, "organizations": [
                {**asdict(_org_record(o)), "pmos": [_pmo_export(p) for p in o.pmos],
                 "cycles": [_cycle_export(c) for c in o.cycles]} for o in orgs]}

    def wipe(self) -> None:
        """Delete everything (in one transaction); the schema stays."""
        with self._transaction() as s:
            for model in (Answer, Rater, SimulationRun, Cycle, Pmo, Organization):
                s.query(model).delete()

    def load(self, document: Mapping[str, Any]) -> None:
        """Load a :meth:`dump` into an empty database, all or nothing. An export of format 1
        (before PMOs) gets a default PMO per organization, as migration 0002 does."""
        if document.get("format") not in (FORMAT, FORMAT_V1):
            raise InputError(f"not a pmo-advisor memory export (format {FORMAT} or "
                             f"{FORMAT_V1})", "format")
        with self._transaction() as s:
            if s.scalar(select(func.count(Organization.id))):
                raise ConflictError("the database is not empty; wipe it first", "database")
            for o in document["organizations"]:
                org = Organization(id=o["id"], name=o["name"], pmo_name=o.get("pmo_name"),
                                   created_at=o["created_at"])
                s.add(org)
                for p in o.get("pmos") or [{"name": o.get("pmo_name") or DEFAULT_PMO,
                                            "is_default": True,
                                            "created_at": o["created_at"]}]:
                    org.pmos.append(Pmo(**{k: p[k] for k in _PMO_FIELDS if k in p}))
                s.flush()
                pmo_ids = {p.id for p in org.pmos}
                default = next(p.id for p in org.pmos if p.is_default)
                for c in o["cycles"]:
                    cycle = Cycle(**{k: c[k] for k in _CYCLE_FIELDS})
                    cycle.pmo_id = c.get("pmo_id", default)
                    if cycle.pmo_id not in pmo_ids:
                        raise InputError(f"cycle {c['number']} of {o['name']!r} names PMO "
                                         f"{cycle.pmo_id}, not one of its PMOs", "pmo_id")
                    org.cycles.append(cycle)
                    for r in c["raters"]:
                        cycle.raters.append(Rater(id=r["id"], name=r["name"], role=r["role"],
                                                  answers=[Answer(id=a["id"], item_id=a["item"],
                                                                  value=a["value"])
                                                           for a in r["answers"]]))
                    for run in c["simulation_runs"]:
                        cycle.simulation_runs.append(SimulationRun(**run))
            s.flush()
            _reset_sequences(s)


_PMO_FIELDS = ("id", "name", "scope", "is_default", "created_at")
_CYCLE_FIELDS = ("id", "number", "label", "status", "version", "questionnaire_version",
                 "created_at", "closed_at", "scenario", "combined", "profile", "diagnosis",
                 "plan")


def _reset_sequences(s: Session) -> None:
    """After rows were loaded with their ids, PostgreSQL's sequences must move past them."""
    if s.get_bind().dialect.name != "postgresql":
        return
    for table in ("organizations", "pmos", "cycles", "raters", "answers", "simulation_runs"):
        s.execute(func.setval(func.pg_get_serial_sequence(table, "id"),
                              select(func.coalesce(func.max(_ID[table]), 0) + 1)
                              .scalar_subquery(), False).select())


_ID = {"organizations": Organization.id, "pmos": Pmo.id, "cycles": Cycle.id, "raters": Rater.id,
       "answers": Answer.id, "simulation_runs": SimulationRun.id}


def _run_record(run: SimulationRun) -> RunRecord:
    return RunRecord(id=run.id, strategy=run.strategy, seed=run.seed, summary=run.summary,
                     created_at=run.created_at)


def _pmo_record(pmo: Pmo) -> PmoRecord:
    return PmoRecord(id=pmo.id, organization=pmo.organization_id, name=pmo.name,
                     scope=pmo.scope, default=pmo.is_default, created_at=pmo.created_at)


def _pmo_export(pmo: Pmo) -> dict[str, Any]:
    return {k: getattr(pmo, k) for k in _PMO_FIELDS}


def _org_record(org: Organization) -> OrganizationRecord:
    return OrganizationRecord(id=org.id, name=org.name, pmo_name=org.pmo_name,
                              created_at=org.created_at)


def _rater_answers(cycle: Cycle) -> list[RaterAnswers]:
    return [RaterAnswers(rater=r.name, role=r.role, answers={a.item_id: a.value
                                                            for a in r.answers})
            for r in cycle.raters]


def _summary_fields(cycle: Cycle, org: Organization,
                    rater_count: int | None = None) -> dict[str, Any]:
    """A cycle's summary; ``rater_count`` when counted in SQL (else its raters are loaded)."""
    return {"organization": org.id, "pmo": cycle.pmo_id, "number": cycle.number,
            "label": cycle.label, "status": cycle.status, "version": cycle.version,
            "questionnaire_version": cycle.questionnaire_version,
            "created_at": cycle.created_at, "closed_at": cycle.closed_at,
            "scenario": cycle.scenario,
            "rater_count": len(cycle.raters) if rater_count is None else rater_count}


def _cycle_summary(cycle: Cycle, org: Organization) -> CycleSummaryRecord:
    return CycleSummaryRecord(**_summary_fields(cycle, org))


def _cycle_record(cycle: Cycle, org: Organization, raters: list[RaterAnswers]) -> CycleRecord:
    answers = [{"name": r.rater, "role": r.role, "answers": dict(sorted(r.answers.items()))}
               for r in raters]
    if cycle.status == CLOSED:
        return CycleRecord(**_summary_fields(cycle, org), raters=answers,
                           combined=cycle.combined, profile=cycle.profile,
                           diagnosis=cycle.diagnosis, plan=cycle.plan)
    return CycleRecord(**_summary_fields(cycle, org), raters=answers,
                       combined=to_json(combine(raters)) if raters else None)


def _cycle_export(cycle: Cycle) -> dict[str, Any]:
    return {**{k: getattr(cycle, k) for k in _CYCLE_FIELDS}, "pmo_id": cycle.pmo_id,
            "raters": [{"id": r.id, "name": r.name, "role": r.role,
                        "answers": [{"id": a.id, "item": a.item_id, "value": a.value}
                                    for a in r.answers]} for r in cycle.raters],
            "simulation_runs": [{"id": run.id, "strategy": run.strategy, "seed": run.seed,
                                 "summary": run.summary, "created_at": run.created_at}
                                for run in cycle.simulation_runs]}


_stores: dict[str, Store] = {}
_stores_lock = threading.Lock()


def open_store(url: str | None = None) -> Store:
    """The process's store for a URL (engines pool connections: one per database, reused)."""
    resolved = database_url(url)
    with _stores_lock:
        if resolved not in _stores:
            _stores[resolved] = Store(resolved)
        return _stores[resolved]


def close_store(url: str | None = None) -> None:
    """Forget (and disconnect) the process's store for a URL: for tests and scripts that drop
    the database afterwards."""
    resolved = database_url(url)
    with _stores_lock:
        store = _stores.pop(resolved, None)
    if store is not None:
        store.close()
