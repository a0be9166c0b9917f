"""The first schema: organizations, cycles, raters, answers, simulation runs.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organizations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("pmo_name", sa.String(200), nullable=True),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "cycles",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("organization_id", sa.Integer,
                  sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("label", sa.String(200), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("questionnaire_version", sa.String(32), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("closed_at", sa.String(32), nullable=True),
        sa.Column("scenario", sa.String(32), nullable=True),
        sa.Column("combined", sa.JSON, nullable=True),
        sa.Column("profile", sa.JSON, nullable=True),
        sa.Column("diagnosis", sa.JSON, nullable=True),
        sa.Column("plan", sa.JSON, nullable=True),
        sa.UniqueConstraint("organization_id", "number"),
    )
    op.create_index("ix_cycles_organization_id", "cycles", ["organization_id"])
    op.create_table(
        "raters",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("cycle_id", sa.Integer, sa.ForeignKey("cycles.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.UniqueConstraint("cycle_id", "name"),
    )
    op.create_index("ix_raters_cycle_id", "raters", ["cycle_id"])
    op.create_table(
        "answers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("rater_id", sa.Integer, sa.ForeignKey("raters.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("item_id", sa.String(100), nullable=False),
        sa.Column("value", sa.JSON, nullable=False),
        sa.UniqueConstraint("rater_id", "item_id"),
    )
    op.create_index("ix_answers_rater_id", "answers", ["rater_id"])
    op.create_table(
        "simulation_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("cycle_id", sa.Integer, sa.ForeignKey("cycles.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("strategy", sa.String(64), nullable=False),
        sa.Column("seed", sa.Integer, nullable=True),
        sa.Column("summary", sa.JSON, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_simulation_runs_cycle_id", "simulation_runs", ["cycle_id"])


def downgrade() -> None:
    for table in ("simulation_runs", "answers", "raters", "cycles", "organizations"):
        op.drop_table(table)
