"""Migrations build the schema from empty, match the tables, and go down again."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from greenfolio.services.database import Database
from greenfolio.store import migrate
from greenfolio.store.tables import Base


def test_upgrade_from_empty_matches_the_tables(empty_db: Database) -> None:
    assert migrate.current_revision(empty_db.engine) is None
    assert empty_db.upgrade() == migrate.head_revision()
    tables = set(inspect(empty_db.engine).get_table_names())
    assert {"work_item", "result", "indicator", "term", "review_event"} <= tables
    with empty_db.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"include_object": migrate.include_object}),
            Base.metadata,
        )
    assert diff == []


def test_downgrade_to_empty_and_back(empty_db: Database) -> None:
    empty_db.upgrade()
    migrate.downgrade(empty_db.engine, "base")
    assert "result" not in inspect(empty_db.engine).get_table_names()
    assert empty_db.upgrade() == migrate.head_revision()
    assert empty_db.is_current()
