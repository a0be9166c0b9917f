"""Several PMOs per organization: the ``pmos`` table, and every cycle belongs to one.

Data migration: each existing organization gets one default PMO (named after its ``pmo_name``,
else "PMO"), and its cycles move to it. Cycle numbers keep counting per organization.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

DEFAULT_NAME = "PMO"  # a default PMO's name when the organization gave none


def upgrade() -> None:
    op.create_table(
        "pmos",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("organization_id", sa.Integer,
                  sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("scope", sa.String(32), nullable=True),
        sa.Column("is_default", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.UniqueConstraint("organization_id", "name"),
    )
    op.create_index("ix_pmos_organization_id", "pmos", ["organization_id"])
    op.execute(sa.text(
        "INSERT INTO pmos (organization_id, name, scope, is_default, created_at) "
        "SELECT id, COALESCE(pmo_name, :name), NULL, :yes, created_at FROM organizations "
        "ORDER BY id").bindparams(name=DEFAULT_NAME, yes=True))
    with op.batch_alter_table("cycles") as batch:
        batch.add_column(sa.Column("pmo_id", sa.Integer, nullable=True))
    op.execute(sa.text(
        "UPDATE cycles SET pmo_id = (SELECT pmos.id FROM pmos WHERE "
        "pmos.organization_id = cycles.organization_id AND pmos.is_default = :yes)")
        .bindparams(yes=True))
    with op.batch_alter_table("cycles") as batch:
        batch.alter_column("pmo_id", existing_type=sa.Integer, nullable=False)
        batch.create_foreign_key("fk_cycles_pmo_id_pmos", "pmos", ["pmo_id"], ["id"],
                                 ondelete="CASCADE")
        batch.create_index("ix_cycles_pmo_id", ["pmo_id"])


def downgrade() -> None:
    with op.batch_alter_table("cycles") as batch:
        batch.drop_index("ix_cycles_pmo_id")
        batch.drop_constraint("fk_cycles_pmo_id_pmos", type_="foreignkey")
        batch.drop_column("pmo_id")
    op.drop_index("ix_pmos_organization_id", table_name="pmos")
    op.drop_table("pmos")
