"""Evidence files on results: each file's SHA-256 (its address in the evidence store),
size, kind told from its content, original name, who uploaded it, and whether it is
current, replaced or withdrawn (rows are never deleted).

Revision ID: 0008_evidence
Revises: 0007_search
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_evidence"
down_revision = "0007_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evidence_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_by", sa.String(length=160), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_by", sa.String(length=160), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["replaces_id"],
            ["evidence_file.id"],
            name=op.f("fk_evidence_file_replaces_id_evidence_file"),
        ),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["result.id"],
            name=op.f("fk_evidence_file_result_id_result"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_file")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_evidence_file_result_id"), "evidence_file", ["result_id"])
    op.create_index(op.f("ix_evidence_file_sha256"), "evidence_file", ["sha256"])


def downgrade() -> None:
    op.drop_index(op.f("ix_evidence_file_sha256"), table_name="evidence_file")
    op.drop_index(op.f("ix_evidence_file_result_id"), table_name="evidence_file")
    op.drop_table("evidence_file")
