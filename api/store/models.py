"""The tables of the assessments' memory (SQLAlchemy 2 declarative models).

The schema itself is created and changed only by the Alembic migrations beside this module
(``migrations/versions``); these classes must say the same thing, and a test checks that the
migrated database and these models agree. JSON columns hold documents that other layers define
(answers' values, the combined profile, the diagnosis, the plan), so their shapes evolve with
those layers without a migration. Timestamps are ISO 8601 strings in UTC: the same text on
SQLite and PostgreSQL, so an export reads back byte for byte.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Double,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = ["Base", "Organization", "Pmo", "Cycle", "Rater", "Answer", "SimulationRun", "Job"]

NAME_LENGTH = 200


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, Any: JSON}


class Organization(Base):
    """An organization; its PMOs (one is the default) are what is assessed."""

    __tablename__ = "organizations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH), unique=True)
    pmo_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    created_at: Mapped[str] = mapped_column(String(32))
    cycles: Mapped[list[Cycle]] = relationship(back_populates="organization",
                                               order_by="Cycle.number")
    pmos: Mapped[list[Pmo]] = relationship(back_populates="organization", order_by="Pmo.id",
                                           cascade="all, delete-orphan")


class Pmo(Base):
    """One PMO of an organization (an enterprise PMO, a departmental one, ...). Every
    organization has exactly one default PMO: the one the organization-level routes and
    commands mean when they name no PMO (migration 0002 made it for older databases)."""

    __tablename__ = "pmos"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id",
                                                            ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    scope: Mapped[str | None] = mapped_column(String(32))
    is_default: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[str] = mapped_column(String(32))
    organization: Mapped[Organization] = relationship(back_populates="pmos")


class Cycle(Base):
    """One assessment cycle: open while raters answer, then closed with what it concluded."""

    __tablename__ = "cycles"
    __table_args__ = (UniqueConstraint("organization_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id",
                                                            ondelete="CASCADE"), index=True)
    #: the PMO assessed; cycle numbers still count per organization, so an organization-level
    #: cycle URL names one cycle whatever its PMO
    pmo_id: Mapped[int] = mapped_column(ForeignKey("pmos.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    label: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    status: Mapped[str] = mapped_column(String(16))
    #: bumped by every write: the ETag, so two editors cannot overwrite each other silently
    version: Mapped[int] = mapped_column(Integer)
    questionnaire_version: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[str] = mapped_column(String(32))
    closed_at: Mapped[str | None] = mapped_column(String(32))
    scenario: Mapped[str | None] = mapped_column(String(32))
    combined: Mapped[Any | None] = mapped_column(JSON)
    profile: Mapped[Any | None] = mapped_column(JSON)
    diagnosis: Mapped[Any | None] = mapped_column(JSON)
    plan: Mapped[Any | None] = mapped_column(JSON)
    organization: Mapped[Organization] = relationship(back_populates="cycles")
    pmo: Mapped[Pmo] = relationship()
    raters: Mapped[list[Rater]] = relationship(back_populates="cycle", order_by="Rater.name",
                                               cascade="all, delete-orphan")
    simulation_runs: Mapped[list[SimulationRun]] = relationship(
        back_populates="cycle", order_by="SimulationRun.id", cascade="all, delete-orphan")


class Rater(Base):
    """One person answering in one cycle (name and role)."""

    __tablename__ = "raters"
    __table_args__ = (UniqueConstraint("cycle_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"),
                                          index=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    role: Mapped[str] = mapped_column(String(32))
    cycle: Mapped[Cycle] = relationship(back_populates="raters")
    answers: Mapped[list[Answer]] = relationship(back_populates="rater", order_by="Answer.item_id",
                                                 cascade="all, delete-orphan")


class Answer(Base):
    """One rater's answer to one questionnaire item (the value as JSON: 1-5, true/false,
    a number, a choice, a ranking, or "dont_know")."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("rater_id", "item_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rater_id: Mapped[int] = mapped_column(ForeignKey("raters.id", ondelete="CASCADE"),
                                          index=True)
    item_id: Mapped[str] = mapped_column(String(100))
    value: Mapped[Any] = mapped_column(JSON)
    rater: Mapped[Rater] = relationship(back_populates="answers")


class SimulationRun(Base):
    """A simulation run from a cycle's profile: strategy, seed and its summary."""

    __tablename__ = "simulation_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"),
                                          index=True)
    strategy: Mapped[str] = mapped_column(String(64))
    seed: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[str] = mapped_column(String(32))
    cycle: Mapped[Cycle] = relationship(back_populates="simulation_runs")


class Job(Base):
    """A long run (simulation, comparison, sweep) queued for the jobs runner (``api/jobs.py``).

    ``result`` is the answer as JSON *text*, written in the same transaction that sets ``done``:
    text keeps it byte for byte on both backends (PostgreSQL's JSON types would refuse a NaN).
    ``runner`` names the process that claimed it (``host:pid:start``) and ``heartbeat`` is when
    that runner last said it was alive, so a job left ``running`` by a dead runner is found.
    Times are Unix seconds: the API reports them as numbers.
    """

    __tablename__ = "jobs"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    request: Mapped[Any] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), index=True)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    runner: Mapped[str | None] = mapped_column(String(100))
    heartbeat: Mapped[float | None] = mapped_column(Double)
    created: Mapped[float] = mapped_column(Double)
    updated: Mapped[float] = mapped_column(Double)
