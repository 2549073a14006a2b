"""Generic query helpers: SQL that names no table of its own but is handed a table and
a column by the service that calls it. Apart, so that services needing the same piece of
SQL (the dashboard's country list, the explorer's filter choices) import it from here
rather than from one another."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session


def stored_values(
    session: Session, table: str, column: str, condition: str = "", **params: Any
) -> list[str]:
    """The distinct values of ``column`` in ``table`` (those with a row meeting
    ``condition``, SQL on the row ``v``), found by a seek per value on an index that leads
    with the column (a loose index scan), not by reading every row: filter choices are
    made again after every write."""
    also = f" AND {condition}" if condition else ""
    query = text(
        f"WITH RECURSIVE seen(c) AS (SELECT min({column}) FROM {table} UNION ALL "
        f"SELECT (SELECT min(n.{column}) FROM {table} n WHERE n.{column} > seen.c) "
        "FROM seen WHERE seen.c IS NOT NULL) "
        f"SELECT c FROM seen WHERE c IS NOT NULL AND EXISTS "
        f"(SELECT 1 FROM {table} v WHERE v.{column} = seen.c{also})"
    )
    return [str(c) for c in session.scalars(query, params)]
