"""Bring a database to the current schema with the packaged Alembic migrations."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

SEARCH_INDEX_PARTS = ("work_search_fts", "tsv", "ix_work_search_tsv")
"""Database objects of the full-text index that the tables module does not map (FTS5
tables and their shadow tables on SQLite, a tsvector column and its GIN index on
PostgreSQL): made by migration 0007_search, left out when comparing with the tables."""


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic's filter for autogenerate and ``compare_metadata``."""
    if not reflected or compare_to is not None or name is None:
        return True
    if type_ == "table":
        return not name.startswith(SEARCH_INDEX_PARTS[0])
    if type_ in ("column", "index"):
        table = getattr(getattr(obj, "table", None), "name", None)
        return not (table == "work_search" and name in SEARCH_INDEX_PARTS[1:])
    return True


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", "greenfolio.store:migrations")
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """One transaction for the migrations. On SQLite, foreign keys are off while they run
    (rebuilding a table drops it, which would otherwise cascade to the rows that refer to
    it) and checked before the transaction commits."""
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:  # outside any transaction, where SQLite honours the pragma
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with conn.begin():
                yield conn
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
                    if broken is not None:
                        raise RuntimeError(f"migration left a broken reference: {tuple(broken)}")
        finally:
            if sqlite:
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


VACUUM_AFTER = "VACUUM_AFTER"
"""A migration module's tuple of the tables it rebuilds or fills in bulk, which the upgrade
vacuums on PostgreSQL once the migrations are committed."""


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Apply every migration up to ``revision``; returns the revision now in force.

    On PostgreSQL the tables the applied migrations name in ``VACUUM_AFTER`` are then
    vacuumed and analysed: a table a migration rebuilt (``result_term`` in 0015) has no
    page marked all-visible until a vacuum, so the index-only reads the figures rely on
    would visit the table for every row (the first figures call at 100k projects: 2.4x the
    baseline, 1.9x after). The schema is in force either way: a vacuum that fails (a
    statement timeout, a role that does not own the table) is logged, not raised."""
    before = current_revision(engine)
    cfg = alembic_config()
    with _migrating(engine) as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    after = current_revision(engine)
    if after != before and after is not None and engine.dialect.name == "postgresql":
        _vacuum(engine, _marked(cfg, after, before))
    return after


def _marked(cfg: Config, upper: str, lower: str | None) -> list[str]:
    """The tables the migrations after ``lower`` up to ``upper`` ask to have vacuumed."""
    scripts = ScriptDirectory.from_config(cfg).iterate_revisions(upper, lower or "base")
    found = {t for s in scripts if s is not None for t in getattr(s.module, VACUUM_AFTER, ())}
    return sorted(found)


def vacuum_analyze(engine: Engine, tables: Sequence[str]) -> None:
    """PostgreSQL's VACUUM (ANALYZE) of ``tables``, outside a transaction: fresh planner
    statistics, and pages marked all-visible so index-only scans stay index-only."""
    if not tables:
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f"VACUUM (ANALYZE) {', '.join(tables)}")


def _vacuum(engine: Engine, tables: list[str]) -> None:
    try:
        vacuum_analyze(engine, tables)
    except DBAPIError as exc:
        log.warning("vacuum of %s after the upgrade failed: %s", ", ".join(tables), exc)


def downgrade(engine: Engine, revision: str) -> str | None:
    cfg = alembic_config()
    with _migrating(engine) as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
    return current_revision(engine)


def revision(engine: Engine, message: str) -> None:
    """Autogenerate a new migration from the tables (for developers)."""
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.revision(cfg, message=message, autogenerate=True, rev_id=None)
