"""What the memory gives back: plain, frozen records read from its rows (not the rows: those
belong to a closed session). Their JSON is their schema's dump, ``api/schemas/assessments.py``
(``to_json(record, OrganizationSchema)``), the one statement of the answer's shape; field names
are the schema's attributes, so the records need no ``to_dict``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["OrganizationRecord", "PmoRecord", "RunRecord", "KeptRunRecord", "HistoryCycleRecord",
           "HistoryRecord", "CycleSummaryRecord", "CycleRecord", "ListedCycleRecord"]


@dataclass(frozen=True, slots=True)
class OrganizationRecord:
    """An organization (``OrganizationSchema``)."""

    id: int
    name: str
    pmo_name: str | None
    created_at: str


@dataclass(frozen=True, slots=True)
class PmoRecord:
    """One PMO of an organization (``AssessedPmoSchema``); ``default``: the one the
    organization-level cycle routes use."""

    id: int
    organization: int
    name: str
    scope: str | None
    default: bool
    created_at: str


@dataclass(frozen=True, slots=True)
class RunRecord:
    """A simulation run kept with a closed cycle (``SimulationRunSchema``)."""

    id: int
    strategy: str
    seed: int | None
    summary: dict[str, Any]
    created_at: str


@dataclass(frozen=True, slots=True)
class KeptRunRecord(RunRecord):
    """A kept run as the history lists it: with its cycle's number (``KeptRunSchema``)."""

    cycle: int


@dataclass(frozen=True, slots=True)
class HistoryCycleRecord:
    """One closed cycle in a history (``HistoryCycleSchema``): what it concluded, in brief."""

    number: int
    label: str | None
    closed_at: str | None
    scenario: str | None
    raters: int
    trends: dict[str, str]


@dataclass(frozen=True, slots=True)
class HistoryRecord:
    """A PMO's closed cycles in order (``HistorySchema``): the scenario path, each indicator's
    mean per cycle (None where not assessed) and the runs kept with them."""

    organization: OrganizationRecord
    pmo: PmoRecord
    cycles: list[HistoryCycleRecord]
    scenario_path: list[str | None]
    indicators: dict[str, list[float | None]]
    simulation_runs: list[KeptRunRecord] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CycleSummaryRecord:
    """A cycle without its answers (``CycleSummarySchema``); ``version`` is its ETag's."""

    organization: int
    pmo: int
    number: int
    label: str | None
    status: str
    version: int
    questionnaire_version: str
    created_at: str
    closed_at: str | None
    scenario: str | None
    rater_count: int


@dataclass(frozen=True, slots=True)
class CycleRecord(CycleSummaryRecord):
    """A cycle with its raters' answers (``CycleSchema``): ``combined`` so far while open (None
    before any answer); once closed, also the ``profile``, ``diagnosis`` and ``plan`` it
    concluded, as they were stored (JSON)."""

    raters: list[dict[str, Any]] = field(default_factory=list)
    combined: dict[str, Any] | None = None
    profile: dict[str, Any] | None = None
    diagnosis: dict[str, Any] | None = None
    plan: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class ListedCycleRecord(CycleSummaryRecord):
    """A cycle in the list across organizations (``ListedCycleSchema``): its summary and whose
    it is, by name, so a list of saved assessments needs no request per organization or PMO."""

    organization_name: str
    pmo_name: str
    pmo_default: bool
