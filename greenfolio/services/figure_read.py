"""The one statement that reads a report's figure rows, written as SQL text.

``figure_batch`` reads the verified results of a report's indicators in its window in
one ``UNION ALL`` (one part per group of indicators whose figures ask the same of their
rows). Built with SQLAlchemy's expression language, that statement cost more to
construct, key and (on a process's first call) compile than the database took to answer
it: a report is rebuilt after every write, so each call paid that again. Here the same
statement is written as text, with one named parameter per value, which SQLAlchemy
passes to the driver almost as it is (``tests/test_figure_batch.py`` checks that the
figures still equal each figure's own queries).

The current evidence files of each result come with it (``LEFT OUTER JOIN``, one row per
file) only when provenance is asked for: one index seek per result read, instead of a
second pass over the window.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, TextClause, bindparam, text
from sqlalchemy.engine import Connection

from greenfolio.domain.results import ReviewState
from greenfolio.store.tables import CARRIED_SCHEMES, FIGURE_SOUGHT, RESULT_TERM_COPIED

Own = tuple[str | None, str | None, str | None]
"""A figure's filters on a result's own columns: sex ("any", one, or None: not given),
country and milestone (None: any)."""

COLUMNS = ("id", *(c for c in FIGURE_SOUGHT if c != "review_state"), *RESULT_TERM_COPIED)
"""The result's columns each row carries (``figure_batch.Row``), then its project's term
and one current evidence file (id and SHA-256): those a figure seeks by
(``tables.FIGURE_SOUGHT``) but the review state, always verified here, and those it reads
(``tables.RESULT_TERM_COPIED``)."""
RESULT_TERM_SELECT = ", ".join("rt.result_id AS id" if c == "id" else f"rt.{c}" for c in COLUMNS)
"""``COLUMNS`` as ``result_term`` holds them (``tables.RESULT_TERM_COPIED``): the result's
id is its ``result_id``."""


@dataclass(frozen=True)
class Need:
    """What the figures of an indicator may use of its rows."""

    whole: bool
    """A figure takes the rows of every project."""
    works: tuple[int, ...] | None
    """The projects figures name by key (None: no figure names one)."""
    restrict: tuple[str, ...]
    """The terms whose projects figures take (figures naming no project)."""
    named: tuple[str, ...]
    """Every term a figure filters by (the rows come with those of their project)."""
    own: tuple[Own, ...] | None
    """The figures' filters on a result's own columns (None: some figure has none)."""


@dataclass(frozen=True)
class Scope:
    """The rows every part shares: verified, of these kinds, in these bounds."""

    kinds: tuple[str, ...]
    lo: date | None
    hi: date | None


class _Text:
    """SQL text and its values, one named parameter per value."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def one(self, value: Any) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f":{name}"

    def each(self, values: Sequence[Any]) -> str:
        return ", ".join(self.one(v) for v in values)

    def isin(self, column: str, values: Sequence[Any]) -> str:
        if len(values) == 1:
            return f"{column} = {self.one(values[0])}"
        return f"{column} IN ({self.each(values)})"


def _own_sql(sql: _Text, own: Own, alias: str) -> str:
    """``own`` as ``figures.result_conditions`` writes it, on the rows of ``alias``."""
    sex, country, status = own
    conds = []
    if sex != "any":
        conds.append(f"{alias}.sex = {sql.one(sex)}" if sex else f"{alias}.sex IS NULL")
    if country:
        conds.append(f"{alias}.country = {sql.one(country)}")
    if status:
        conds.append(f"{alias}.milestone = {sql.one(status)}")
    return " AND ".join(conds) or "1 = 1"


def _window(sql: _Text, alias: str, codes: Sequence[str], scope: Scope) -> list[str]:
    where = [
        sql.isin(f"{alias}.indicator_code", codes),
        f"{alias}.review_state = '{ReviewState.VERIFIED.value}'",
        sql.isin(f"{alias}.kind", scope.kinds),
    ]
    if scope.lo is not None:
        where.append(f"{alias}.period_end >= :lo")
    if scope.hi is not None:
        where.append(f"{alias}.period_end <= :hi")
    return where


def _carried(need: Need) -> bool:
    """The part's projects are those of its terms, all of schemes ``result_term`` holds."""
    return (
        not need.whole
        and bool(need.restrict)
        and all(term.split(":", 1)[0] in CARRIED_SCHEMES for term in need.named)
    )


def _own(sql: _Text, need: Need, alias: str) -> list[str]:
    if need.own is None:
        return []
    return ["(" + " OR ".join(f"({_own_sql(sql, o, alias)})" for o in need.own) + ")"]


def _part(sql: _Text, need: Need, codes: Sequence[str], scope: Scope) -> str:
    if _carried(need):
        # The results of the named terms' projects, sought by term in result_term (one
        # row per result and named term of its project): a programme's results of an
        # indicator, not every result of it. Rows of a term that no figure of the part
        # takes whole are only passed over by the figures (they filter by term). The
        # row carries every column read (migration 0015), so the part is read from
        # ix_result_term_figure alone, never from the result table; the evidence join
        # needs only the result's id. The projects named by key are read as before, alone.
        where = [
            sql.isin("rt.term_key", need.named),
            *_window(sql, "rt", codes, scope),
            *_own(sql, need, "rt"),
        ]
        by_term = (
            f"SELECT {RESULT_TERM_SELECT}, rt.term_key AS term FROM result_term rt "
            f"WHERE {' AND '.join(where)}"
        )
        if need.works is None:
            return by_term
        alone = Need(False, need.works, (), need.named, need.own)
        return f"{by_term} UNION ALL {_part(sql, alone, codes, scope)}"
    select = ", ".join(f"r.{c}" for c in COLUMNS)
    own = _own(sql, need, "r")
    term = "t.term_key" if need.named else "NULL"
    joins = ""
    if need.named:
        # By the project alone (its few terms), each then checked: seeking every named
        # term per result row costs SQLite more than it saves.
        joins += (
            " LEFT OUTER JOIN work_term t ON t.work_id = r.work_id"
            f" AND ({sql.isin('t.term_key', need.named)}) IS TRUE"
        )
    where = _window(sql, "r", codes, scope)
    if not need.whole:
        projects = []
        if need.works is not None:
            projects.append(sql.isin("r.work_id", need.works) if need.works else "1 = 0")
        if need.restrict:
            projects.append(
                "r.work_id IN (SELECT work_id FROM work_term WHERE "
                f"{sql.isin('term_key', need.restrict)})"
            )
        where.append("(" + " OR ".join(projects) + ")")
    return (
        f"SELECT {select}, {term} AS term FROM result r{joins} WHERE {' AND '.join([*where, *own])}"
    )


def statement(
    parts: Sequence[tuple[Need, Sequence[str]]], scope: Scope, evidence: bool
) -> tuple[TextClause, dict[str, Any]]:
    """The statement ``read`` runs for ``parts`` (not empty), and its values."""
    sql = _Text()
    body = " UNION ALL ".join(_part(sql, need, codes, scope) for need, codes in parts)
    if evidence:
        body = (
            "SELECT w.*, e.id AS evidence_id, e.sha256 AS evidence_sha"
            f" FROM ({body}) w LEFT OUTER JOIN evidence_file e"
            " ON e.result_id = w.id AND e.state = 'current'"
        )
    else:
        body = f"SELECT w.*, NULL AS evidence_id, NULL AS evidence_sha FROM ({body}) w"
    typed = text(body)
    if scope.lo is not None:
        typed = typed.bindparams(bindparam("lo", scope.lo, type_=Date()))
    if scope.hi is not None:
        typed = typed.bindparams(bindparam("hi", scope.hi, type_=Date()))
    return typed, sql.values


def read(
    conn: Connection,
    parts: Sequence[tuple[Need, Sequence[str]]],
    scope: Scope,
    evidence: bool,
) -> Sequence[Any]:
    """The rows of every part, in one statement (plain tuples, ``COLUMNS`` then the term,
    an evidence file's id and SHA-256; ``period_end`` a date or, on SQLite, its ISO
    text)."""
    if not parts:
        return []
    # period_end is left as the driver gives it (SQLite: ISO text), which figure_batch
    # reads with date.fromisoformat: SQLAlchemy's SQLite date parser (a regular
    # expression per row) cost a third of the statement.
    typed, values = statement(parts, scope, evidence)
    if conn.dialect.name == "postgresql":
        # Many small index scans: PostgreSQL would share them among parallel workers,
        # whose start costs more than the scans (three times the statement, measured).
        conn.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")
        try:
            return _fetch(conn, typed, values)
        finally:
            conn.exec_driver_sql("RESET max_parallel_workers_per_gather")
    return _fetch(conn, typed, values)


def _fetch(conn: Connection, statement: Any, values: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The driver's own tuples: no column of the statement needs SQLAlchemy's processing,
    and making its rows cost a fifth of the statement."""
    result = conn.execute(statement, values)
    try:
        rows = list(result.cursor.fetchall())
    finally:
        result.close()
    return rows
