"""Full-text search over work items: one search document per work item, indexed.

SQLite: ``work_search`` plus an external-content FTS5 table ``work_search_fts`` kept in
step by triggers. PostgreSQL: a generated tsvector column ('simple' configuration) on
``work_search`` with a GIN index. The documents of existing work items are built here.

Revision ID: 0007_search
Revises: 0006_ops
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_search"
down_revision = "0006_ops"
branch_labels = None
depends_on = None

SQLITE_INDEX = (
    "CREATE VIRTUAL TABLE work_search_fts USING fts5(document, content='work_search', "
    "content_rowid='work_id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER work_search_ai AFTER INSERT ON work_search BEGIN "
    "INSERT INTO work_search_fts(rowid, document) VALUES (new.work_id, new.document); END",
    "CREATE TRIGGER work_search_ad AFTER DELETE ON work_search BEGIN "
    "INSERT INTO work_search_fts(work_search_fts, rowid, document) "
    "VALUES ('delete', old.work_id, old.document); END",
    "CREATE TRIGGER work_search_au AFTER UPDATE ON work_search BEGIN "
    "INSERT INTO work_search_fts(work_search_fts, rowid, document) "
    "VALUES ('delete', old.work_id, old.document); "
    "INSERT INTO work_search_fts(rowid, document) VALUES (new.work_id, new.document); END",
)
POSTGRES_INDEX = (
    "ALTER TABLE work_search ADD COLUMN tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, document)) STORED",
    "CREATE INDEX ix_work_search_tsv ON work_search USING gin (tsv)",
)


def upgrade() -> None:
    op.create_table(
        "work_search",
        sa.Column("work_id", sa.Integer(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["work_id"],
            ["work_item.id"],
            name=op.f("fk_work_search_work_id_work_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("work_id", name=op.f("pk_work_search")),
    )
    bind = op.get_bind()
    for statement in SQLITE_INDEX if bind.dialect.name == "sqlite" else POSTGRES_INDEX:
        bind.exec_driver_sql(statement)
    from greenfolio.services import search

    search.refresh_all(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in ("work_search_ai", "work_search_ad", "work_search_au"):
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        bind.exec_driver_sql("DROP TABLE IF EXISTS work_search_fts")
    op.drop_table("work_search")
