"""``result_term`` carries every column a figure reads of its result, and its index holds
them, so that a programme's or convention's figure is read from ``ix_result_term_figure``
alone.

A figure part read by term (migration 0014_figure_terms) found its rows in
``result_term`` and then fetched each result from the ``result`` table by id for what it
adds up and traces (sex, milestone, unit, qualifier, value, country, entity, method run,
project). On PostgreSQL at 100,000 projects (1M results) the Board report's statement read
9,146 rows through 19,915 buffers, warm (``EXPLAIN (ANALYZE, BUFFERS)``, 23.6 ms), more
than a 128 MB buffer cache holds: ``benchmarks/figures.py`` timed the first call at 117 ms
and warm calls at 51 ms, against 23.9 ms for its grouped baseline (index-only on
``ix_result_figure``). Read from this index alone: 423 buffers, 5.6 ms; first call 47 ms,
warm 37 ms, baseline 24.6 ms (same data, same benchmark).

The columns are copied, and the index key widened with them after ``result_id`` (which
already makes each key unique, so the order, and where a figure seeks, are as before): one
definition for both backends, as ``ix_result_figure`` is (migration 0011_generation).
SQLite has no ``INCLUDE``; on PostgreSQL, B-tree suffix truncation keeps the inner pages'
keys as short as ``INCLUDE`` would, since ``result_id`` already tells every pair of
neighbours apart.

The triggers now also follow an update of any copied column of a result. The table is
made again (the 0014 table dropped with its triggers, this one filled in one join): one
insert of every row costs less than an update of each (PostgreSQL would keep a dead copy
of every row).

Revision ID: 0015_figure_terms_wide
Revises: 0014_figure_terms
Create Date: 2026-11-30
"""

import importlib

import sqlalchemy as sa
from alembic import op

revision = "0015_figure_terms_wide"
down_revision = "0014_figure_terms"
branch_labels = None
depends_on = None
VACUUM_AFTER = ("result_term",)
"""Filled in bulk here: vacuumed after the upgrade (store.migrate.upgrade)."""

_BEFORE = importlib.import_module("greenfolio.store.migrations.versions.0014_figure_terms")
"""Migration 0014 (its table, index and triggers): dropped on the way up, made again on the
way down."""

SOUGHT = ("indicator_code", "review_state", "kind", "period_end")
"""The result's columns a figure seeks by (after the term), as in 0014. This and ``COPIED``
are frozen copies of ``tables.FIGURE_SOUGHT`` and ``tables.RESULT_TERM_COPIED``, kept here
on purpose: a migration must not change when the tables do later."""
COPIED = (
    "sex",
    "milestone",
    "unit",
    "qualifier",
    "value",
    "country",
    "entity",
    "method_run_id",
    "work_id",
)
"""The result's columns a figure reads and filters by (``figure_read.COLUMNS``)."""
COLUMNS = ", ".join(("result_id", "term_key", *SOUGHT, *COPIED))
WATCHED = ", ".join(("work_id", *SOUGHT, *(c for c in COPIED if c != "work_id")))
"""The result's columns a row copies or depends on (an update of others changes none)."""
INDEX = ("term_key", *SOUGHT, "result_id", *COPIED)

carried = _BEFORE.carried


def _of(result: str, term: str) -> str:
    """The values of a row: result ``result`` under term ``term`` (SQL expressions)."""
    return ", ".join(
        (
            f"{result}.id",
            term,
            *(f"{result}.{c}" for c in SOUGHT),
            *(f"{result}.{c}" for c in COPIED),
        )
    )


def rows_of_result(new: str) -> str:
    return (
        f"INSERT INTO result_term ({COLUMNS}) SELECT {_of(new, 't.term_key')} "
        f"FROM work_term t WHERE t.work_id = {new}.work_id AND {carried('t.term_key')};"
    )


def rows_of_term(new: str, where: str = "") -> str:
    return (
        f"INSERT INTO result_term ({COLUMNS}) SELECT {_of('r', f'{new}.term_key')} "
        f"FROM result r WHERE r.work_id = {new}.work_id{where};"
    )


drop_term = _BEFORE.drop_term

SQLITE_TRIGGERS = (
    f"CREATE TRIGGER result_term_ai AFTER INSERT ON result BEGIN {rows_of_result('new')} END",
    f"CREATE TRIGGER result_term_au AFTER UPDATE OF {WATCHED} ON result BEGIN "
    f"DELETE FROM result_term WHERE result_id = old.id; {rows_of_result('new')} END",
    f"CREATE TRIGGER result_term_wt_ai AFTER INSERT ON work_term "
    f"WHEN {carried('new.term_key')} BEGIN {rows_of_term('new')} END",
    f"CREATE TRIGGER result_term_wt_ad AFTER DELETE ON work_term "
    f"WHEN {carried('old.term_key')} BEGIN {drop_term('old')} END",
    f"CREATE TRIGGER result_term_wt_au AFTER UPDATE ON work_term BEGIN "
    f"{drop_term('old')} {rows_of_term('new', ' AND ' + carried('new.term_key'))} END",
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
    f"INSERT INTO result_term ({COLUMNS}) SELECT {_of('r', 't.term_key')} FROM result r "
    f"JOIN work_term t ON t.work_id = r.work_id WHERE {carried('t.term_key')}"
)


def upgrade() -> None:
    _BEFORE.downgrade()
    op.create_table(
        "result_term",
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.Column("term_key", sa.String(length=80), nullable=False),
        sa.Column("indicator_code", sa.String(length=80), nullable=False),
        sa.Column("review_state", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(length=8), nullable=True),
        sa.Column("milestone", sa.String(length=12), nullable=True),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("qualifier", sa.String(length=12), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("country", sa.String(length=3), nullable=True),
        sa.Column("entity", sa.String(length=160), nullable=True),
        sa.Column("method_run_id", sa.Integer(), nullable=True),
        sa.Column("work_id", sa.Integer(), nullable=False),
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
    op.create_index("ix_result_term_figure", "result_term", list(INDEX))
    for statement in SQLITE_TRIGGERS if bind.dialect.name == "sqlite" else POSTGRES_TRIGGERS:
        bind.execute(sa.text(statement))
    op.execute("ANALYZE result_term")


def downgrade() -> None:
    # The same triggers, functions, index and table as 0014's, by name.
    _BEFORE.downgrade()
    _BEFORE.upgrade()
