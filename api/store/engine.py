"""Where the memory lives and how we connect: a SQLite file by default, PostgreSQL by URL.

The URL comes from the caller (``--database``, the app's ``DATABASE_URL``), else from
``PMO_ADVISOR_DATABASE_URL``, else a SQLite file at ``PMO_ADVISOR_DATABASE_PATH`` or
:func:`default_path`, created with its folder on first use. ``postgresql://`` URLs use the
psycopg 3 driver. The schema is brought to the newest Alembic revision on first connection.

SQLite needs two settings to keep every write a transaction under concurrent raters: Python's
sqlite3 module would otherwise open transactions lazily (so two writers both read, then one fails
to upgrade its lock), hence ``BEGIN IMMEDIATE`` on every transaction, and a busy timeout so a
writer waits for the other instead of failing. WAL journaling lets readers run during a write.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

__all__ = ["ENV_URL", "ENV_PATH", "default_path", "database_url", "make_engine", "migrate",
           "alembic_config"]

ENV_URL = "PMO_ADVISOR_DATABASE_URL"
ENV_PATH = "PMO_ADVISOR_DATABASE_PATH"
SQLITE_BUSY_SECONDS = 30.0  # how long a SQLite writer waits for another before failing
#: one lock id for "migrating the schema" (PostgreSQL advisory lock), any constant will do
MIGRATION_LOCK = 2026_11_30


def default_path() -> Path:
    """The SQLite file when nothing else is configured: the user's data folder."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "pmo-advisor" / "pmo-advisor.sqlite3"


def database_url(url: str | None = None, path: str | Path | None = None) -> str:
    """The database URL in force (see the module docstring for the order)."""
    if url:
        return _normalized(url)
    if os.environ.get(ENV_URL):
        return _normalized(os.environ[ENV_URL])
    file = Path(path or os.environ.get(ENV_PATH) or default_path())
    return f"sqlite:///{file.expanduser().resolve()}"


def _normalized(url: str) -> str:
    """``postgresql://`` means psycopg 3 here (the driver we install)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_SECONDS,
                                              "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we send BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def alembic_config() -> Config:
    """Alembic's configuration for our migrations (also for a test or an operator that
    downgrades by hand)."""
    config = Config()
    config.set_main_option("script_location",
                           str(resources.files("api.store").joinpath("migrations")))
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision``, once even when several processes start together."""
    config = alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
