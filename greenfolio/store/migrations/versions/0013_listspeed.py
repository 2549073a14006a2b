"""Indexes for project lists at scale: a term's projects and the projects in key order,
each read from an index alone.

``ix_work_term_term_key`` gains ``work_id``, so a classification filter (focus area,
programme, convention, core function) and the Board figures read a term's projects from
the index without visiting the table (PostgreSQL otherwise fetched every matching row
from the heap). ``ix_work_item_key_id`` holds the list order with the id, so a page in
key order walks it alone and stops at the page's end instead of sorting the matches
(PostgreSQL scanned the whole work table and sorted a third of it for a deep page of a
focus area; SQLite has this order in the key's own index already).

Revision ID: 0013_listspeed
Revises: 0012_jobs
Create Date: 2026-11-30
"""

from alembic import op

revision = "0013_listspeed"
down_revision = "0012_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_work_term_term_key", table_name="work_term")
    op.create_index("ix_work_term_term_key", "work_term", ["term_key", "work_id"])
    op.create_index("ix_work_item_key_id", "work_item", ["key", "id"])
    # Fresh planner statistics, so the new indexes are chosen at once on a large database.
    op.execute("ANALYZE work_term")
    op.execute("ANALYZE work_item")


def downgrade() -> None:
    op.drop_index("ix_work_item_key_id", table_name="work_item")
    op.drop_index("ix_work_term_term_key", table_name="work_term")
    op.create_index("ix_work_term_term_key", "work_term", ["term_key"])
