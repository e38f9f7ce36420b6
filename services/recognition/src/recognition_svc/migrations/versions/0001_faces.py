"""faces (encrypted encodings) and face_changes (the change log replicas follow)

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "faces",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("face_id", sa.String(36), nullable=False),
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("encoding", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_faces"),
        sa.UniqueConstraint("face_id", name="uq_faces_face_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_faces_person_id", "faces", ["person_id"])
    op.create_table(
        "face_changes",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("op", sa.String(8), nullable=False),
        sa.Column("face_row_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_face_changes"),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("face_changes")
    op.drop_index("ix_faces_person_id", table_name="faces")
    op.drop_table("faces")
