"""Query plans of the cold paths, for benchmarks/api_load.py: each page is requested once
in-process right after a write through the API, every SELECT it runs is recorded and
EXPLAINed with its own parameters, and the scans of the two big tables (``result`` and
``work_item``) are counted.

A scan here is what the planner chose on this database: on SQLite a ``SCAN`` of the table
or of one of its indexes whole (EXPLAIN QUERY PLAN), on PostgreSQL a ``Seq Scan`` node
(EXPLAIN, JSON). A scan that a LIMIT stops early is not a full scan and is counted apart,
as a capped walk. On PostgreSQL: a Seq Scan reached from a Limit only through nodes that
stream (no Sort, Hash or Aggregate between) that read, as it ran (EXPLAIN ANALYZE), half
the table's rows or fewer. On SQLite: an index walked by a query level that has its own LIMIT, no
aggregate and no GROUP BY, in a plan with no temporary B-tree (no sort or grouping that
would read every row before the limit) — a page in key order stopping at its 50th row, a
count stopping at 10,001. EXPLAIN QUERY PLAN does not say where a LIMIT sits, so the
statement's own text is read for it, level by level (parentheses); a table named at any
level without its own cap keeps the scan a scan. Issue 11 asks for none on the filter,
search and deep-page paths at 100,000 projects, where the planner's choice is real; on a
small database PostgreSQL may rightly prefer a sequential scan.
"""

from __future__ import annotations

import json
import re
import warnings
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, event

with warnings.catch_warnings():  # Starlette's advice to move to httpx2: not this script's
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from greenfolio.interfaces.api.app import create_app
from greenfolio.services.database import Database

BIG = ("result", "work_item")
_SQLITE_SCAN = re.compile(r"^SCAN (result|work_item)\b(.*)$")


_SQLITE_INDEX = re.compile(r" USING (COVERING )?INDEX ")
_AGGREGATE = re.compile(r"\b(count|sum|min|max|avg|total|group_concat)\s*\(|\bGROUP\s+BY\b", re.I)
_LIMIT = re.compile(r"\bLIMIT\b", re.I)


@dataclass(frozen=True)
class Plan:
    statements: int
    scans: Counter[str]
    capped: Counter[str] = field(default_factory=Counter)

    def describe(self) -> str:
        found = ", ".join(f"{k} ×{n}" for k, n in sorted(self.scans.items())) or "none"
        walks = ", ".join(f"{k} ×{n}" for k, n in sorted(self.capped.items())) or "none"
        return (
            f"statements={self.statements} scans of result/work_item: {found}"
            f"; capped walks: {walks}"
        )


def levels(statement: str) -> list[str]:
    """Each query level of ``statement`` (the whole, then every parenthesised group) as its
    own text, the groups inside it cut out: where each LIMIT and FROM belongs."""
    out: list[str] = []
    stack: list[list[str]] = [[]]
    for ch in statement:
        if ch == "(":
            stack.append([])
        elif ch == ")" and len(stack) > 1:
            out.append("".join(stack.pop()))
            stack[-1].append("(…)")
        else:
            stack[-1].append(ch)
    out.extend("".join(part) for part in reversed(stack))
    return out


def _capped(statement: str, table: str) -> bool:
    """Whether every level of ``statement`` naming ``table`` has its own LIMIT and neither
    an aggregate nor a GROUP BY (which would read every row before the limit)."""
    named = re.compile(rf'\b(FROM|JOIN)\s+"?{table}"?(\s|$|,)', re.I)
    mine = [text for text in levels(statement) if named.search(text)]
    return bool(mine) and all(_LIMIT.search(t) and not _AGGREGATE.search(t) for t in mine)


def sqlite_scans(statement: str, details: list[str]) -> tuple[list[str], list[str]]:
    """(full scans, capped index walks) of ``result``/``work_item`` in an SQLite plan given
    as its EXPLAIN QUERY PLAN detail lines."""
    sorts = any(d.startswith("USE TEMP B-TREE") for d in details)
    scans: list[str] = []
    walks: list[str] = []
    for detail in details:
        match = _SQLITE_SCAN.match(detail)
        if not match:
            continue
        name = f"SCAN {match[1]}{match[2]}"
        walk = not sorts and _SQLITE_INDEX.search(detail) and _capped(statement, match[1])
        (walks if walk else scans).append(name)
    return scans, walks


STREAMING = {"Subquery Scan", "Result", "Limit", "Gather"}
"""PostgreSQL nodes that hand rows up as they come: a Limit above them stops the scan
below. A Nested Loop streams its outer input only."""
CAPPED_SHARE = 0.5
"""A Seq Scan under a Limit counts as capped when it read, as the statement ran (EXPLAIN
ANALYZE), at most this share of the table's rows (a count stopping at 10,001 of 100,000
rows reads a tenth; a filter matching fewer rows than the limit reads them all)."""


def _rows_read(node: dict[str, Any]) -> float:
    """The rows a scan node read as it ran: those it returned and those its filter
    removed, over all its loops."""
    loops = float(node.get("Actual Loops") or 1)
    returned = float(node.get("Actual Rows") or 0)
    removed = float(node.get("Rows Removed by Filter") or 0)
    return (returned + removed) * loops


def _pg_scans(
    node: dict[str, Any], sizes: dict[str, float], limit: bool = False
) -> Iterator[tuple[str, bool]]:
    """(Seq Scan on a big table, whether a Limit stopped it early), for each in the plan;
    ``sizes``: the big tables' rows."""
    kind = node.get("Node Type")
    limit = limit or kind == "Limit"
    table = node.get("Relation Name")
    if kind == "Seq Scan" and table in BIG:
        whole = sizes.get(str(table), 0.0)
        capped = limit and whole > 0 and _rows_read(node) <= CAPPED_SHARE * whole
        yield f"Seq Scan on {table}", capped
    for child in node.get("Plans", []):
        outer = child.get("Parent Relationship") == "Outer"
        streams = kind in STREAMING or (kind == "Nested Loop" and outer)
        yield from _pg_scans(child, sizes, limit and streams)


def scans_of(conn: Connection, statement: str, parameters: Any) -> tuple[list[str], list[str]]:
    """The full scans and the capped walks of ``result`` or ``work_item`` in one statement's
    plan (PostgreSQL walks an index as an Index Scan, never flagged here; a Seq Scan is
    capped when a Limit above it, through nodes that stream, stopped it early as the
    statement ran)."""
    if conn.dialect.name == "sqlite":
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        return sqlite_scans(statement, [str(row[-1]) for row in rows])
    explain = "EXPLAIN (ANALYZE, FORMAT JSON) " + statement
    raw = conn.exec_driver_sql(explain, parameters).scalar()
    plan = raw if isinstance(raw, list) else json.loads(str(raw))
    sizes = {
        str(name): float(rows)
        for name, rows in conn.exec_driver_sql(
            "SELECT relname, reltuples FROM pg_class WHERE relname = ANY(%(t)s)", {"t": list(BIG)}
        )
    }
    found = list(_pg_scans(plan[0]["Plan"], sizes))
    return [name for name, capped in found if not capped], [n for n, capped in found if capped]


def plans(url: str, paths: list[str], cookie: str, token: str, work_key: str) -> list[Plan]:
    """For each path: a write (a draft result of ``work_key`` revised), then the page,
    its statements recorded and explained."""
    db = Database.open(url)
    seen: list[tuple[str, Any]] = []

    def record(_c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
        head = statement.lstrip()[:6].upper()
        if head.startswith(("SELECT", "WITH")) and any(t in statement for t in BIG):
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    out = []
    try:
        with TestClient(create_app(db)) as client, db.engine.connect() as conn:
            auth = {"Authorization": f"Bearer {token}"}
            draft = {"work": work_key, "indicator": "ods_phased_out", "value": 1.0, "unit": "t"}
            made = client.post("/api/v1/results", json=draft, headers=auth)
            if made.status_code != 201:
                raise SystemExit(f"could not enter a draft result: {made.text}")
            result_id = made.json()["id"]
            for n, path in enumerate(paths):
                current = client.get(f"/api/v1/results/{result_id}", headers=auth).json()
                body = {"value": 500.0 + n, "version": current["version"]}
                client.patch(f"/api/v1/results/{result_id}", json=body, headers=auth)
                seen.clear()
                answer = client.get(path, headers={"Cookie": cookie, "Accept-Language": "en"})
                if answer.status_code != 200:
                    raise SystemExit(f"GET {path} answered {answer.status_code}")
                statements = list(seen)
                scans: Counter[str] = Counter()
                walks: Counter[str] = Counter()
                for statement, parameters in statements:
                    full, capped = scans_of(conn, statement, parameters)
                    scans.update(full)
                    walks.update(capped)
                    conn.rollback()
                out.append(Plan(len(statements), scans, walks))
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
        db.close()
    return out
