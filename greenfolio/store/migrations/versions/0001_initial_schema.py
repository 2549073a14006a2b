"""Initial schema: terms, organisations, work items, indicators, results, review events.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "indicator",
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("aggregation", sa.String(length=30), nullable=False),
        sa.Column("disaggregations", sa.JSON(), nullable=False),
        sa.Column("gef_core_indicator", sa.String(length=10), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_indicator")),
    )
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.Column("iati_ref", sa.String(length=120), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("key", name=op.f("uq_organisation_key")),
    )
    op.create_table(
        "term",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("scheme", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=20), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_term")),
    )
    with op.batch_alter_table("term", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_term_scheme"), ["scheme"], unique=False)

    op.create_table(
        "work_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("description", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("citation", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_item")),
        sa.UniqueConstraint("key", name=op.f("uq_work_item_key")),
    )
    with op.batch_alter_table("work_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_work_item_kind"), ["kind"], unique=False)

    op.create_table(
        "result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_id", sa.Integer(), nullable=False),
        sa.Column("indicator_code", sa.String(length=80), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("qualifier", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("milestone", sa.String(length=12), nullable=True),
        sa.Column("country", sa.String(length=3), nullable=True),
        sa.Column("sex", sa.String(length=8), nullable=True),
        sa.Column("entity", sa.String(length=160), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("citation", sa.Text(), nullable=True),
        sa.Column("review_state", sa.String(length=10), nullable=False),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_code"], ["indicator.code"], name=op.f("fk_result_indicator_code_indicator")
        ),
        sa.ForeignKeyConstraint(
            ["work_id"],
            ["work_item.id"],
            name=op.f("fk_result_work_id_work_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_result")),
    )
    with op.batch_alter_table("result", schema=None) as batch_op:
        batch_op.create_index(
            "ix_result_figure",
            ["indicator_code", "review_state", "kind", "period_end"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_result_work_id"), ["work_id"], unique=False)

    op.create_table(
        "work_country",
        sa.Column("work_id", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=3), nullable=False),
        sa.Column("share", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["work_id"],
            ["work_item.id"],
            name=op.f("fk_work_country_work_id_work_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("work_id", "country", name=op.f("pk_work_country")),
    )
    op.create_table(
        "work_org",
        sa.Column("work_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisation.id"], name=op.f("fk_work_org_org_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["work_id"],
            ["work_item.id"],
            name=op.f("fk_work_org_work_id_work_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("work_id", "org_id", "role", name=op.f("pk_work_org")),
    )
    op.create_table(
        "work_term",
        sa.Column("work_id", sa.Integer(), nullable=False),
        sa.Column("term_key", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["term_key"], ["term.key"], name=op.f("fk_work_term_term_key_term")
        ),
        sa.ForeignKeyConstraint(
            ["work_id"],
            ["work_item.id"],
            name=op.f("fk_work_term_work_id_work_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("work_id", "term_key", name=op.f("pk_work_term")),
    )
    with op.batch_alter_table("work_term", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_work_term_term_key"), ["term_key"], unique=False)

    op.create_table(
        "review_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("from_state", sa.String(length=10), nullable=False),
        sa.Column("to_state", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=120), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["result.id"],
            name=op.f("fk_review_event_result_id_result"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_event")),
    )
    with op.batch_alter_table("review_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_event_result_id"), ["result_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("review_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_event_result_id"))

    op.drop_table("review_event")
    with op.batch_alter_table("work_term", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_term_term_key"))

    op.drop_table("work_term")
    op.drop_table("work_org")
    op.drop_table("work_country")
    with op.batch_alter_table("result", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_result_work_id"))
        batch_op.drop_index("ix_result_figure")

    op.drop_table("result")
    with op.batch_alter_table("work_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_item_kind"))

    op.drop_table("work_item")
    with op.batch_alter_table("term", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_term_scheme"))

    op.drop_table("term")
    op.drop_table("organisation")
    op.drop_table("indicator")
