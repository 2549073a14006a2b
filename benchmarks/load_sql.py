"""The database baseline of benchmarks/api_load.py: for each path, the SQL its page needs,
written tight and run directly through the same driver (SQLAlchemy Core on the same URL,
so sqlite3 or psycopg), with nothing cached.

- dashboard: one grouped scan of the result table (verified actual results by indicator
  and period end, in the figure index's order), the measure issue 11 sets the dashboard
  against;
- a project list (filtered, searched or a deep page): its count, its 50 rows in order and
  the terms and countries of those 50, three queries;
- a result page: the result with its project, and its evidence files, by primary key.

What it leaves out, and the page needs too, is said in ``describe``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, or_, select, union_all

from greenfolio.services import search
from greenfolio.store.tables import (
    EvidenceFileRow,
    ResultRow,
    WorkCountryRow,
    WorkRow,
    WorkTermRow,
)

PER_PAGE = 50


@dataclass(frozen=True)
class Query:
    describe: str
    run: Callable[[Connection], Any]


def dashboard() -> Query:
    def run(conn: Connection) -> Any:
        # Grouped in the figure index's own order (indicator, state, kind, period end), so
        # the database adds up the index as it walks it and sorts nothing: the tightest
        # single pass over the verified actual results (by year, it sorted every row).
        keys = (ResultRow.indicator_code, ResultRow.review_state, ResultRow.kind)
        return conn.execute(
            select(ResultRow.indicator_code, ResultRow.period_end)
            .add_columns(func.sum(ResultRow.value), func.count())
            .where(
                ResultRow.review_state == "verified",
                ResultRow.kind == "actual",
                ResultRow.period_end.is_not(None),
            )
            .group_by(*keys, ResultRow.period_end)
        ).all()

    return Query("1 grouped scan of result", run)


def project_list(
    *,
    country: str | None = None,
    status: str | None = None,
    term: str | None = None,
    q: str | None = None,
    page: int = 1,
) -> Query:
    """Count, page rows (by key) and the page's labels, for the filter given."""
    conds: list[Any] = []
    if country:
        conds.append(
            or_(
                WorkRow.id.in_(
                    select(WorkCountryRow.work_id).where(WorkCountryRow.country == country)
                ),
                WorkRow.id.in_(select(ResultRow.work_id).where(ResultRow.country == country)),
            )
        )
    if status:
        conds.append(WorkRow.status == status)
    if term:
        conds.append(
            WorkRow.id.in_(select(WorkTermRow.work_id).where(WorkTermRow.term_key == term))
        )
    if q:
        found = search.condition(q)
        if found is not None:
            conds.append(found)

    def run(conn: Connection) -> Any:
        total = conn.scalar(select(func.count()).select_from(WorkRow).where(*conds))
        rows = conn.execute(
            select(WorkRow.id, WorkRow.key, WorkRow.title, WorkRow.status, WorkRow.start_date)
            .where(*conds)
            .order_by(WorkRow.key)
            .offset((page - 1) * PER_PAGE)
            .limit(PER_PAGE)
        ).all()
        ids = [r.id for r in rows]
        labels = conn.execute(
            union_all(
                select(WorkTermRow.work_id, WorkTermRow.term_key).where(
                    WorkTermRow.work_id.in_(ids)
                ),
                select(WorkCountryRow.work_id, WorkCountryRow.country).where(
                    WorkCountryRow.work_id.in_(ids)
                ),
            )
        ).all()
        return total, rows, labels

    return Query("count + page + labels", run)


def result_page(result_id: int) -> Query:
    def run(conn: Connection) -> Any:
        row = conn.execute(
            select(ResultRow, WorkRow.key, WorkRow.title)
            .join(WorkRow, WorkRow.id == ResultRow.work_id)
            .where(ResultRow.id == result_id)
        ).one()
        files = conn.execute(
            select(EvidenceFileRow).where(EvidenceFileRow.result_id == result_id)
        ).all()
        return row, files

    return Query("result + project + evidence by key", run)
