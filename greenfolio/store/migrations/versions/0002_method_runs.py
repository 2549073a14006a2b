"""Method runs: stored calculations, and the link from a result to the run that produced it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "method_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=80), nullable=False),
        sa.Column("method_version", sa.String(length=20), nullable=False),
        sa.Column("refdata_version", sa.String(length=40), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("outputs", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_method_run")),
    )
    with op.batch_alter_table("method_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_method_run_method"), ["method"], unique=False)

    with op.batch_alter_table("result", schema=None) as batch_op:
        batch_op.add_column(sa.Column("method_run_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("output_key", sa.String(length=80), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_result_method_run_id"), ["method_run_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_result_method_run_id_method_run"),
            "method_run",
            ["method_run_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("result", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_result_method_run_id_method_run"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_result_method_run_id"))
        batch_op.drop_column("output_key")
        batch_op.drop_column("method_run_id")

    with op.batch_alter_table("method_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_method_run_method"))

    op.drop_table("method_run")
