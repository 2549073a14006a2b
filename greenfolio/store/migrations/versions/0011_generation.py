"""Derived views shared by every server process, and the indexes behind filters.

``view_cache`` keeps a derived view (the dashboard, the filter choices) computed at one
change generation, the newest audit event's id, which every write advances in its own
transaction: a process reads the view another one computed, and recomputes it when the
generation has moved on. The indexes let the country, year, status and review-state
filters, and the map's count of projects per country, read an index range instead of the
whole result or work table, and a figure (and the dashboard) read the widened figure
index alone.

Revision ID: 0011_generation
Revises: 0009_accounts
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_generation"
down_revision = "0009_accounts"
branch_labels = None
depends_on = None

# Frozen copies of the figure index's columns (``tables.FIGURE_SOUGHT``, then
# ``tables.FIGURE_INDEX``), kept here on purpose: a migration must not change when the
# tables do later.
FIGURE_BEFORE = ("indicator_code", "review_state", "kind", "period_end")
FIGURE_AFTER = (
    *FIGURE_BEFORE,
    "sex",
    "milestone",
    "unit",
    "qualifier",
    "value",
    "country",
    "entity",
    "method_run_id",
    "work_id",
    "id",
)
INDEXES = (
    ("ix_result_country", "result", ["country", "review_state", "work_id"]),
    ("ix_result_period", "result", ["period_end", "work_id"]),
    ("ix_result_review", "result", ["review_state", "updated_at"]),
    ("ix_result_state", "result", ["review_state", "id"]),
    ("ix_result_indicator", "result", ["indicator_code", "period_end"]),
    ("ix_work_item_status", "work_item", ["status", "key"]),
    ("ix_work_country_country", "work_country", ["country", "work_id"]),
)


def upgrade() -> None:
    op.create_table(
        "view_cache",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_view_cache")),
    )
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    # The figure index, widened so that figures and the dashboard read it alone.
    op.drop_index("ix_result_figure", table_name="result")
    op.create_index("ix_result_figure", "result", list(FIGURE_AFTER))
    # Fresh planner statistics, so the new indexes are chosen at once on a large database.
    op.execute("ANALYZE")


def downgrade() -> None:
    op.drop_index("ix_result_figure", table_name="result")
    op.create_index("ix_result_figure", "result", list(FIGURE_BEFORE))
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_table("view_cache")
