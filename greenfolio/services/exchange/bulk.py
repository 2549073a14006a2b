"""Bulk inserts for large imports, at the speed of the database's own bulk path.

SQLAlchemy's per-row parameter processing costs more than the database itself when a
file brings hundreds of thousands of rows. The rows are handed to ``bulk_load.Loader``
(values converted column by column, one SQLite ``executemany`` or one PostgreSQL
``COPY`` per table and batch), grouped by the columns they give.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Connection, Table, text
from sqlalchemy.orm import DeclarativeBase

from greenfolio.services.bulk_load import Loader, next_free_id

_DRAW_IDS = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)")
"""``n`` new ids from a table's own id sequence (PostgreSQL)."""


def _table(model: type[DeclarativeBase]) -> Table:
    return cast(Table, model.__table__)


def insert_rows(conn: Connection, model: type[DeclarativeBase], rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` into ``model``'s table; rows leaving out a column get its default."""
    if not rows:
        return
    Loader(conn).insert(_table(model), rows)


def insert_returning_ids(
    conn: Connection, model: type[DeclarativeBase], rows: list[dict[str, Any]]
) -> list[int]:
    """Insert ``rows`` and return their new integer ids, in order.

    On SQLite, whose write lock the transaction holds, ids are handed out above every
    id the table has held (``next_free_id``); on PostgreSQL they are drawn from the id
    column's own sequence (so the rows can go in through ``COPY``, which returns nothing).
    """
    if not rows:
        return []
    table = _table(model)
    if conn.dialect.name == "postgresql":
        drawn = conn.execute(
            _DRAW_IDS,
            {"table": table.name, "n": len(rows)},
        )
        ids = [int(i) for i in drawn.scalars()]
    else:
        start = next_free_id(conn, table)
        ids = list(range(start, start + len(rows)))
    insert_rows(conn, model, [{"id": i, **row} for i, row in zip(ids, rows, strict=True)])
    return ids
