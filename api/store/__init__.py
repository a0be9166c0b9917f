"""The assessments' memory: organizations, assessment cycles, raters' answers and history, kept
with SQLAlchemy 2 and Alembic in a SQLite file (default) or PostgreSQL (by URL).

It sits below the CLI and the HTTP API and above the front door (``api.service``), whose
diagnosis and advice a closed cycle keeps. ``open_store()`` gives the process's store for the
configured database (``api/store/engine.py`` says where that is).
"""

from api.store.engine import database_url, default_path
from api.store.store import (
    CLOSED,
    OPEN,
    ConflictError,
    NotFoundError,
    PreconditionFailedError,
    Store,
    close_store,
    open_store,
    run_record,
)

__all__ = ["Store", "open_store", "close_store", "database_url", "default_path", "NotFoundError",
           "ConflictError", "PreconditionFailedError", "OPEN", "CLOSED", "run_record"]
