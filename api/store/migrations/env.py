"""Alembic's environment: migrations run on the connection ``api.store.engine.migrate`` hands in
(online only: there is no offline SQL generation for this schema)."""

from __future__ import annotations

from alembic import context

from api.store.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
