"""Exchange: sectors, regions, budgets and transactions of work items; IATI indicators;
origin and details of imported work and results.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "iati_indicator",
        sa.Column("indicator_code", sa.String(length=80), nullable=False),
        sa.Column("work_id", sa.Integer(), nullable=False),
        sa.Column("result_no", sa.Integer(), nullable=False),
        sa.Column("indicator_no", sa.Integer(), nullable=False),
        sa.Column("result_type", sa.String(length=8), nullable=False),
        sa.Column("result_aggregation", sa.Boolean(), nullable=True),
        sa.Column("result_title", sa.JSON(), nullable=False),
        sa.Column("result_description", sa.JSON(), nullable=True),
        sa.Column("measure", sa.String(length=8), nullable=False),
        sa.Column("ascending", sa.Boolean(), nullable=True),
        sa.Column("aggregation_status", sa.Boolean(), nullable=True),
        sa.Column("description", sa.JSON(), nullable=True),
        sa.Column("indicator_refs", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["indicator_code"],
            ["indicator.code"],
            name=op.f("fk_iati_indicator_indicator_code_indicator"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["work_id"],
            ["work_item.id"],
            name=op.f("fk_iati_indicator_work_id_work_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("indicator_code", name=op.f("pk_iati_indicator")),
    )
    with op.batch_alter_table("iati_indicator", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_iati_indicator_work_id"), ["work_id"], unique=False)

    op.create_table(
        "work_finance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("type", sa.String(length=8), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=True),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("value_date", sa.Date(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("transaction_date", sa.Date(), nullable=True),
        sa.Column("ref", sa.Text(), nullable=True),
        sa.Column("description", sa.JSON(), nullable=True),
        sa.Column("provider", sa.JSON(), nullable=True),
        sa.Column("receiver", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["work_id"],
            ["work_item.id"],
            name=op.f("fk_work_finance_work_id_work_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_finance")),
    )
    with op.batch_alter_table("work_finance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_work_finance_work_id"), ["work_id"], unique=False)

    op.create_table(
        "work_region",
        sa.Column("work_id", sa.Integer(), nullable=False),
        sa.Column("vocabulary", sa.String(length=10), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("percentage", sa.Float(), nullable=True),
        sa.Column("names", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["work_id"],
            ["work_item.id"],
            name=op.f("fk_work_region_work_id_work_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("work_id", "vocabulary", "code", name=op.f("pk_work_region")),
    )
    op.create_table(
        "work_sector",
        sa.Column("work_id", sa.Integer(), nullable=False),
        sa.Column("vocabulary", sa.String(length=10), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("percentage", sa.Float(), nullable=True),
        sa.Column("names", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["work_id"],
            ["work_item.id"],
            name=op.f("fk_work_sector_work_id_work_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("work_id", "vocabulary", "code", name=op.f("pk_work_sector")),
    )
    with op.batch_alter_table("result", schema=None) as batch_op:
        batch_op.add_column(sa.Column("origin", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("dimensions", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("details", sa.JSON(), nullable=True))

    with op.batch_alter_table("work_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("origin", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("iati_updated", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("import_digest", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("currency", sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column("language", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("details", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("work_item", schema=None) as batch_op:
        batch_op.drop_column("details")
        batch_op.drop_column("language")
        batch_op.drop_column("currency")
        batch_op.drop_column("import_digest")
        batch_op.drop_column("iati_updated")
        batch_op.drop_column("origin")

    with op.batch_alter_table("result", schema=None) as batch_op:
        batch_op.drop_column("details")
        batch_op.drop_column("dimensions")
        batch_op.drop_column("origin")

    op.drop_table("work_sector")
    op.drop_table("work_region")
    with op.batch_alter_table("work_finance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_finance_work_id"))

    op.drop_table("work_finance")
    with op.batch_alter_table("iati_indicator", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_iati_indicator_work_id"))

    op.drop_table("iati_indicator")
