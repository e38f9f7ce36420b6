"""reports.active_slot: a requested report's place among its owner's reports in progress

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Reports in progress at the upgrade hold no place; they finish as before.
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("active_slot", sa.Integer(), nullable=True))
        batch.create_unique_constraint(op.f("uq_reports_owner_subject_active_slot"),
                                       ["owner_subject", "active_slot"])


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.drop_constraint(op.f("uq_reports_owner_subject_active_slot"), type_="unique")
        batch.drop_column("active_slot")
