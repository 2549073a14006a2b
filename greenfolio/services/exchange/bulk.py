"""Bulk inserts for large imports, at the speed of the database driver.

SQLAlchemy's per-row parameter processing costs more than SQLite itself when a file
brings hundreds of thousands of rows. On SQLite the rows are therefore converted here,
column by column, into the values SQLAlchemy would have stored (JSON text, ISO dates,
0/1 for booleans, column defaults filled in) and handed to the driver's
``executemany``. On other databases SQLAlchemy's own batched insert is used.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC
from typing import Any, cast

from sqlalchemy import JSON, Boolean, Connection, Date, DateTime, Table, func, insert, select
from sqlalchemy.orm import DeclarativeBase

_json = json.dumps


def _date(value: Any) -> Any:
    return value.isoformat()


def _datetime(value: Any) -> Any:
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def _boolean(value: Any) -> Any:
    return int(value)


def _converter(column_type: Any) -> Callable[[Any], Any] | None:
    if isinstance(column_type, JSON):
        return _json
    if isinstance(column_type, DateTime):
        return _datetime
    if isinstance(column_type, Date):
        return _date
    if isinstance(column_type, Boolean):
        return _boolean
    return None


def _is_sqlite(conn: Connection) -> bool:
    return conn.dialect.name == "sqlite"


def _defaults(table: Table, given: Sequence[str]) -> dict[str, Any]:
    """Values for columns the rows leave out that have a Python-side default."""
    out: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if column.name in given or default is None:
            continue
        if default.is_scalar:
            out[column.name] = default.arg  # type: ignore[attr-defined]
        elif default.is_callable:
            out[column.name] = default.arg(None)  # type: ignore[attr-defined]
    return out


def _table(model: type[DeclarativeBase]) -> Table:
    return cast(Table, model.__table__)


def insert_rows(conn: Connection, model: type[DeclarativeBase], rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` into ``model``'s table; rows leaving out a column get its default."""
    if not rows:
        return
    table = _table(model)
    if not _is_sqlite(conn):
        conn.execute(insert(table), rows)
        return
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    for keys, group in groups.items():
        _insert_sqlite(conn, table, list(keys), group)


def _insert_sqlite(
    conn: Connection, table: Table, keys: list[str], rows: list[dict[str, Any]]
) -> None:
    defaults = _defaults(table, keys)
    names = keys + list(defaults)
    # Column by column: one comprehension per column costs far less than a call per value.
    columns: list[Any] = []
    for key in keys:
        convert = _converter(table.c[key].type)
        if convert is None:
            columns.append([row[key] for row in rows])
        else:
            values = [row[key] for row in rows]
            columns.append([None if v is None else convert(v) for v in values])
    for name, value in defaults.items():
        convert = _converter(table.c[name].type)
        fixed = value if convert is None or value is None else convert(value)
        columns.append([fixed] * len(rows))
    quote = conn.dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
        f"VALUES ({', '.join('?' for _ in names)})"
    )
    conn.exec_driver_sql(sql, list(zip(*columns, strict=True)))


def insert_returning_ids(
    conn: Connection, model: type[DeclarativeBase], rows: list[dict[str, Any]]
) -> list[int]:
    """Insert ``rows`` and return their new integer ids, in order.

    On SQLite, whose write lock the transaction holds, ids are handed out from the
    current maximum; elsewhere the database's own sequence gives them.
    """
    if not rows:
        return []
    table = _table(model)
    id_column = table.c.id
    if not _is_sqlite(conn):
        result = conn.execute(
            insert(table).returning(id_column, sort_by_parameter_order=True), rows
        )
        return [int(i) for i in result.scalars()]
    start = int(conn.execute(select(func.max(id_column))).scalar() or 0) + 1
    ids = list(range(start, start + len(rows)))
    insert_rows(conn, model, [{"id": i, **row} for i, row in zip(ids, rows, strict=True)])
    return ids
