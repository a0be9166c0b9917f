"""Alembic migrations of the assessments' memory (run by ``api.store.engine.migrate``)."""
