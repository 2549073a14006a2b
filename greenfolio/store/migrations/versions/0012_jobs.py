"""Report builds as jobs: the queue any server process claims from, and the files the
builds wrote, kept in the database so that every process can hand them out.

Revision ID: 0012_jobs
Revises: 0011_generation
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_jobs"
down_revision = "0011_generation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("definition", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("formats", sa.JSON(), nullable=False),
        sa.Column("requested_by", sa.String(length=160), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=120), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.String(length=60), nullable=True),
        sa.Column("message_params", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_job")),
    )
    op.create_index("ix_report_job_state", "report_job", ["state", "id"])
    op.create_table(
        "report_job_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["report_job.id"],
            name=op.f("fk_report_job_file_job_id_report_job"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_job_file")),
    )
    op.create_index(op.f("ix_report_job_file_job_id"), "report_job_file", ["job_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_report_job_file_job_id"), table_name="report_job_file")
    op.drop_table("report_job_file")
    op.drop_index("ix_report_job_state", table_name="report_job")
    op.drop_table("report_job")
