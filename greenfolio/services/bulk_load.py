"""Loading many rows fast: each engine's bulk path, inside the caller's transaction.

Why: row-by-row ORM inserts into tables with half a dozen secondary indexes cost a random
index page per row and index, far more than the cache holds once a table reaches a million
rows (a 100,000-project synthetic portfolio took over half an hour to load). Here rows go
in through PostgreSQL's COPY or one SQLite ``executemany`` per batch, and for a large load
the tables' secondary indexes are dropped first and built again at the end, from their own
stored definitions (so an index a later migration adds is rebuilt as it was made).

Rows are dicts keyed by column name; the columns a table takes are those of its first
row, so adding a column is one key in the function that builds the rows. Values are
converted by the column types (JSON, dates), Python-side defaults filled in once per
batch. The audit trail counts the rows per table as it does for any bulk insert.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import JSON, Connection, Dialect, Table, func, select
from sqlalchemy.orm import Session

from greenfolio.services import audit
from greenfolio.services.database import Database
from greenfolio.store.engine import WRITE_OPTION

Note = Callable[[str], None]

SQLITE_CACHE_KIB = 262_144
"""Page cache while loading (256 MiB): index builds sort in it, not in temporary files."""
SQLITE_OUTSIDE = {"synchronous": 0, "temp_store": 2}
"""Set before the load's transaction begins (OFF, MEMORY), and restored after it."""
PG_MAINTENANCE_MEM = "256MB"
"""Memory for each index PostgreSQL builds at the end of a load."""


def _quiet(_: str) -> None:
    return None


class Loader:
    """Inserts batches of rows on ``conn`` (whose transaction the caller owns)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.dialect = conn.dialect
        self.postgresql = conn.dialect.name == "postgresql"

    def insert(self, table: Table, rows: Sequence[dict[str, Any]]) -> int:
        """Insert ``rows`` into ``table`` (one statement or COPY per set of keys the rows
        give; a key a row leaves out takes its column's default); returns how many."""
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for row in rows:
            groups.setdefault(tuple(row), []).append(row)
        return sum(self._insert(table, group) for group in groups.values())

    def _insert(self, table: Table, rows: Sequence[dict[str, Any]]) -> int:
        """Rows that all give the same keys."""
        if not rows:
            return 0
        names = list(rows[0])
        extra = {
            c.name: c.default.arg(None) if c.default.is_callable else c.default.arg  # type: ignore[attr-defined]
            for c in table.c
            if c.name not in rows[0] and c.default is not None and not c.default.is_sequence
        }
        columns = [*names, *extra]
        # Column by column: one comprehension per column costs far less than a loop
        # over each row's values. None is SQL NULL on every column (JSON too).
        values: list[list[Any]] = []
        for name in names:
            given = [row[name] for row in rows]
            impl = table.c[name].type.dialect_impl(self.dialect)
            proc = impl.bind_processor(self.dialect)
            if proc is not None:
                # a JSON document is not hashable: remembering would only cost a miss
                convert = proc if isinstance(impl, JSON) else _memo(proc)
                given = [None if v is None else convert(v) for v in given]
            values.append(given)
        for value in _bound(table, self.dialect, extra).values():
            values.append([value] * len(rows))
        tuples = list(zip(*values, strict=True))
        if self.postgresql:
            self._copy(table.name, columns, tuples)
        else:
            marks = ", ".join("?" for _ in columns)
            cols = ", ".join(f'"{c}"' for c in columns)
            # Through the connection, so the audit trail's statement listener counts them.
            self.conn.exec_driver_sql(
                f'INSERT INTO "{table.name}" ({cols}) VALUES ({marks})', tuples
            )
        return len(tuples)

    def _copy(self, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        raw = self.conn.connection.driver_connection
        cols = ", ".join(f'"{c}"' for c in columns)
        with raw.cursor() as cur, cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(row)
        # COPY runs on the driver's cursor, unseen by statement listeners: count it here.
        audit.count_bulk(self.conn, "insert", table, len(rows))


def next_free_id(conn: Connection, table: Table) -> int:
    """The first id above every one ``table`` has held, for rows given their ids here. On
    SQLite a table that never reuses ids (AUTOINCREMENT) remembers the highest id it gave
    in ``sqlite_sequence``, higher than ``max(id)`` once the last rows were deleted: a new
    row there must not take a deleted one's id (and with it its audit history)."""
    highest = int(conn.execute(select(func.max(table.c.id))).scalar() or 0)
    if conn.dialect.name == "sqlite" and table.dialect_options["sqlite"].get("autoincrement"):
        seq = conn.exec_driver_sql(
            "SELECT seq FROM sqlite_sequence WHERE name = ?", (table.name,)
        ).scalar()
        highest = max(highest, int(seq or 0))
    return highest + 1


def _bound(table: Table, dialect: Dialect, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` as the driver takes them (a batch's defaults, converted once)."""
    out = {}
    for name, value in values.items():
        proc = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        out[name] = proc(value) if proc and value is not None else value
    return out


MEMO_SIZE = 4096


def _memo(proc: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``proc`` remembering its answers for hashable values (a million results share a
    few dozen dates): converting each date again was a fifth of a load's Python time."""
    seen: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            out = proc(value)
            if len(seen) < MEMO_SIZE:
                seen[value] = out
            return out
        except TypeError:  # unhashable (a JSON document)
            return proc(value)

    return convert


@contextmanager
def transaction(db: Database) -> Iterator[Session]:
    """One write transaction for a whole load. On SQLite its connection skips the sync at
    commit (``synchronous=OFF``) and sorts in memory (``temp_store``), settings that can
    only change outside a transaction and are given back afterwards; the journal stays
    WAL (the file is kept, not thrown away)."""
    if db.engine.dialect.name != "sqlite":
        with db.transaction() as session:
            yield session
        return
    with db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        saved = {p: int(raw.execute(f"PRAGMA {p}").fetchone()[0]) for p in SQLITE_OUTSIDE}  # type: ignore[union-attr]
        for pragma, value in SQLITE_OUTSIDE.items():
            raw.execute(f"PRAGMA {pragma}={value}")  # type: ignore[union-attr]
        try:
            writing = conn.execution_options(**{WRITE_OPTION: True})
            with Session(bind=writing) as session, session.begin():
                yield session
        finally:
            for pragma, value in saved.items():
                raw.execute(f"PRAGMA {pragma}={value}")  # type: ignore[union-attr]


@contextmanager
def fast_writes(conn: Connection) -> Iterator[None]:
    """Settings for a large load inside the current transaction, restored after it: a big
    page cache on SQLite; on PostgreSQL, no wait for the WAL flush at commit and more
    memory for index builds (both ``SET LOCAL``, so they end with the transaction)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
        conn.exec_driver_sql(f"SET LOCAL maintenance_work_mem = '{PG_MAINTENANCE_MEM}'")
        yield
        return
    cache = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
    conn.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(cache)}")


def secondary_indexes(conn: Connection, tables: Sequence[str]) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the indexes on ``tables`` that can be dropped and made
    again: not those behind a primary key or unique constraint."""
    if conn.dialect.name == "postgresql":
        rows = conn.exec_driver_sql(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "WHERE i.schemaname = current_schema() AND i.tablename = ANY(%(t)s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
            "JOIN pg_class x ON x.oid = c.conindid WHERE x.relname = i.indexname) "
            "ORDER BY i.tablename, i.indexname",
            {"t": list(tables)},
        )
    else:
        marks = ", ".join("?" for _ in tables)
        rows = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({marks}) ORDER BY tbl_name, name",
            tuple(tables),
        )
    return [(str(name), str(sql)) for name, sql in rows]


@contextmanager
def indexes_deferred(
    conn: Connection, tables: Sequence[str], note: Note = _quiet
) -> Iterator[list[tuple[str, str]]]:
    """Drop the secondary indexes of ``tables`` for the block, then create them again
    (sorting each table once costs far less than keeping every index in step row by row).
    Inside the caller's transaction: if the load fails, the indexes come back with the
    rollback."""
    found = secondary_indexes(conn, tables)
    for name, _ in found:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    yield found
    started = time.perf_counter()
    for _, sql in found:
        conn.exec_driver_sql(sql)
    note(f"{len(found)} indexes built in {time.perf_counter() - started:.1f}s")


@contextmanager
def triggers_deferred(conn: Connection, tables: Sequence[str], prefix: str) -> Iterator[list[str]]:
    """Turn off, for the block, the triggers of ``tables`` whose names start with
    ``prefix``, and on again after it; the caller does their work in bulk
    (``store.derived``, ``search.bulk_insert``). Any other trigger stays on. PostgreSQL
    disables them; SQLite, which cannot, drops them and makes them again from their stored
    definitions. Yields the names of the triggers turned off (none: nothing to make up
    for). Inside the caller's transaction, as for the indexes: a failed load rolls it back
    with them."""
    if conn.dialect.name == "postgresql":
        found = [
            (str(table), str(name))
            for table, name in conn.exec_driver_sql(
                "SELECT c.relname, t.tgname FROM pg_trigger t "
                "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal "
                "AND c.relname = ANY(%(t)s) AND starts_with(t.tgname, %(p)s) ORDER BY 1, 2",
                {"t": list(tables), "p": prefix},
            )
        ]
        for table, name in found:
            conn.exec_driver_sql(f'ALTER TABLE "{table}" DISABLE TRIGGER "{name}"')
        yield [name for _, name in found]
        for table, name in found:
            conn.exec_driver_sql(f'ALTER TABLE "{table}" ENABLE TRIGGER "{name}"')
        return
    marks = ", ".join("?" for _ in tables)
    stored = [
        (str(name), str(sql))
        for name, sql in conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            f"AND tbl_name IN ({marks}) ORDER BY name",
            tuple(tables),
        )
        if str(name).startswith(prefix)
    ]
    for name, _ in stored:
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield [name for name, _ in stored]
    for _, sql in stored:
        conn.exec_driver_sql(sql)
