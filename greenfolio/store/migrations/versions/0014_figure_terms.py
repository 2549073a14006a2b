"""Results by programme and convention, kept by the database, for the report's figures.

Most of a report's figures take one programme's (or convention's) results of one
indicator: a few per cent of that indicator's results. Read from the figure index, each
such figure walked every result of its indicator in the window and looked its project
up. ``result_term`` holds one row per result and carried term of its project (the
programme and convention schemes, ``tables.CARRIED_SCHEMES``) with the columns a figure
seeks by, so ``ix_result_term_figure`` gives a programme's results of an indicator
directly.

Triggers keep it, so that no write path (services, imports, the bulk loader, SQL) can
forget it: a result added, or updated in its project, indicator, review state, kind or
period end; a project's term added, removed or changed. A deleted result takes its rows
with it (foreign key, ``ON DELETE CASCADE``). The rows of existing results are built
here.

Revision ID: 0014_figure_terms
Revises: 0013_listspeed
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_figure_terms"
down_revision = "0013_listspeed"
branch_labels = None
depends_on = None
VACUUM_AFTER = ("result_term",)
"""Filled in bulk here: vacuumed after the upgrade (store.migrate.upgrade)."""

COLUMNS = "result_id, term_key, indicator_code, review_state, kind, period_end"
WATCHED = "work_id, indicator_code, review_state, kind, period_end"
"""The result's columns a row copies or depends on (an update of others changes none)."""


def carried(column: str) -> str:
    """SQL: ``column`` is a term of a carried scheme (tables.CARRIED_SCHEMES)."""
    return f"({column} LIKE 'programme:%' OR {column} LIKE 'convention:%')"


def rows_of_result(new: str) -> str:
    return (
        f"INSERT INTO result_term ({COLUMNS}) SELECT {new}.id, t.term_key, "
        f"{new}.indicator_code, {new}.review_state, {new}.kind, {new}.period_end "
        f"FROM work_term t WHERE t.work_id = {new}.work_id AND {carried('t.term_key')};"
    )


def rows_of_term(new: str) -> str:
    return (
        f"INSERT INTO result_term ({COLUMNS}) SELECT r.id, {new}.term_key, r.indicator_code, "
        f"r.review_state, r.kind, r.period_end FROM result r WHERE r.work_id = {new}.work_id;"
    )


def drop_term(old: str) -> str:
    return (
        f"DELETE FROM result_term WHERE term_key = {old}.term_key "
        f"AND result_id IN (SELECT id FROM result WHERE work_id = {old}.work_id);"
    )


SQLITE_TRIGGERS = (
    f"CREATE TRIGGER result_term_ai AFTER INSERT ON result BEGIN {rows_of_result('new')} END",
    f"CREATE TRIGGER result_term_au AFTER UPDATE OF {WATCHED} ON result BEGIN "
    f"DELETE FROM result_term WHERE result_id = old.id; {rows_of_result('new')} END",
    f"CREATE TRIGGER result_term_wt_ai AFTER INSERT ON work_term "
    f"WHEN {carried('new.term_key')} BEGIN {rows_of_term('new')} END",
    f"CREATE TRIGGER result_term_wt_ad AFTER DELETE ON work_term "
    f"WHEN {carried('old.term_key')} BEGIN {drop_term('old')} END",
    f"CREATE TRIGGER result_term_wt_au AFTER UPDATE ON work_term BEGIN "
    f"{drop_term('old')} INSERT INTO result_term ({COLUMNS}) SELECT r.id, new.term_key, "
    "r.indicator_code, r.review_state, r.kind, r.period_end FROM result r "
    f"WHERE r.work_id = new.work_id AND {carried('new.term_key')}; END",
)
SQLITE_NAMES = (
    "result_term_ai",
    "result_term_au",
    "result_term_wt_ai",
    "result_term_wt_ad",
    "result_term_wt_au",
)
POSTGRES_TRIGGERS = (
    "CREATE FUNCTION result_term_of_result() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP = 'UPDATE' THEN DELETE FROM result_term WHERE result_id = OLD.id; END IF; "
    f"{rows_of_result('NEW')} RETURN NULL; END $$",
    "CREATE TRIGGER result_term_ai AFTER INSERT ON result FOR EACH ROW "
    "EXECUTE FUNCTION result_term_of_result()",
    f"CREATE TRIGGER result_term_au AFTER UPDATE OF {WATCHED} ON result FOR EACH ROW "
    "EXECUTE FUNCTION result_term_of_result()",
    "CREATE FUNCTION result_term_of_work_term() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF TG_OP IN ('DELETE', 'UPDATE') AND {carried('OLD.term_key')} THEN "
    f"{drop_term('OLD')} END IF; "
    f"IF TG_OP IN ('INSERT', 'UPDATE') AND {carried('NEW.term_key')} THEN "
    f"{rows_of_term('NEW')} END IF; RETURN NULL; END $$",
    "CREATE TRIGGER result_term_wt AFTER INSERT OR UPDATE OR DELETE ON work_term "
    "FOR EACH ROW EXECUTE FUNCTION result_term_of_work_term()",
)
BACKFILL = (
    f"INSERT INTO result_term ({COLUMNS}) SELECT r.id, t.term_key, r.indicator_code, "
    "r.review_state, r.kind, r.period_end FROM result r "
    f"JOIN work_term t ON t.work_id = r.work_id WHERE {carried('t.term_key')}"
)


def upgrade() -> None:
    op.create_table(
        "result_term",
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.Column("term_key", sa.String(length=80), nullable=False),
        sa.Column("indicator_code", sa.String(length=80), nullable=False),
        sa.Column("review_state", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["result.id"],
            name=op.f("fk_result_term_result_id_result"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("result_id", "term_key", name=op.f("pk_result_term")),
    )
    bind = op.get_bind()
    # As text (not the driver's own SQL): psycopg would read LIKE's % as a placeholder.
    bind.execute(sa.text(BACKFILL))
    op.create_index(
        "ix_result_term_figure",
        "result_term",
        ["term_key", "indicator_code", "review_state", "kind", "period_end", "result_id"],
    )
    for statement in SQLITE_TRIGGERS if bind.dialect.name == "sqlite" else POSTGRES_TRIGGERS:
        bind.execute(sa.text(statement))
    op.execute("ANALYZE result_term")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in SQLITE_NAMES:
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
    else:
        bind.exec_driver_sql("DROP TRIGGER IF EXISTS result_term_ai ON result")
        bind.exec_driver_sql("DROP TRIGGER IF EXISTS result_term_au ON result")
        bind.exec_driver_sql("DROP TRIGGER IF EXISTS result_term_wt ON work_term")
        bind.exec_driver_sql("DROP FUNCTION IF EXISTS result_term_of_result()")
        bind.exec_driver_sql("DROP FUNCTION IF EXISTS result_term_of_work_term()")
    op.drop_index("ix_result_term_figure", table_name="result_term")
    op.drop_table("result_term")
