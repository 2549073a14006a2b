"""Every row of a list, in batches, for exports: the same visibility and filters as the
explorer's pages (``explorer``, ``access``) and the audit listing, without a page limit.

Each call checks the caller's right to read the list at once, before any row is read, and
returns an iterator of batches: each batch is read in its own short transaction (ordered
by the list's sort and then by id, so batches neither overlap nor skip rows while the data
stands still), so memory stays that of one batch however long the list is. A batch starts
after the last row of the one before (keyset), so the last batch of a long list costs what
the first does; only orders on a column that may be null (a start date, a status, a
period end) page by offset.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import Session

from greenfolio.domain.permissions import SYSTEM, Action, Principal, require
from greenfolio.services import access, audit, explorer
from greenfolio.services.audit_filter import AuditFilter
from greenfolio.services.database import Database
from greenfolio.services.explorer_review_queue import evidence_counts
from greenfolio.store.tables import AuditEventRow, ResultRow, WorkRow

BATCH = 500
Batches = Iterator[list[dict[str, Any]]]


Seek = tuple[tuple[Any, bool], ...]
"""A list's order as (column, descending) pairs, the id last: every column never null."""

PROJECT_SEEK: dict[str, Seek] = {
    "key": ((WorkRow.key, False), (WorkRow.id, False)),
    "-key": ((WorkRow.key, True), (WorkRow.id, False)),
    "updated": ((WorkRow.updated_at, False), (WorkRow.id, False)),
    "-updated": ((WorkRow.updated_at, True), (WorkRow.id, False)),
}
RESULT_SEEK: dict[str, Seek] = {
    "id": ((ResultRow.id, False),),
    "-id": ((ResultRow.id, True),),
    "value": ((ResultRow.value, False), (ResultRow.id, False)),
    "-value": ((ResultRow.value, True), (ResultRow.id, False)),
    "updated": ((ResultRow.updated_at, False), (ResultRow.id, False)),
    "-updated": ((ResultRow.updated_at, True), (ResultRow.id, False)),
}
QUEUE_SEEK: Seek = ((ResultRow.updated_at, True), (ResultRow.id, True))
AUDIT_SEEK: Seek = ((AuditEventRow.id, True),)


def after(seek: Seek, values: tuple[Any, ...]) -> ColumnElement[bool]:
    """Rows that come after ``values`` in the order ``seek``: the next batch starts
    there, read from the order's index, however deep (``OFFSET`` would read and drop
    every row before it)."""
    cond: ColumnElement[bool] | None = None
    for (column, descending), value in reversed(list(zip(seek, values, strict=True))):
        step = column < value if descending else column > value
        cond = step if cond is None else or_(step, and_(column == value, cond))
    assert cond is not None
    return cond


def _batches(
    db: Database,
    query: Select[Any],
    convert: Callable[[Session, list[Any]], list[dict[str, Any]]],
    size: int = BATCH,
    seek: tuple[Seek, Callable[[Any], tuple[Any, ...]]] | None = None,
) -> Batches:
    """``query`` in batches: each after the last row of the one before when the order
    can seek (``seek``: the order and the values of a row in it), else by offset (an
    order on a column that may be null)."""
    offset = 0
    last: Any = None
    while True:
        with db.transaction() as session:
            if seek is None:
                page = query.offset(offset)
            else:
                page = query if last is None else query.where(after(seek[0], seek[1](last)))
            rows = list(session.execute(page.limit(size)).all())
            if not rows:
                return
            batch = convert(session, rows)
        yield batch
        if len(rows) < size:
            return
        offset += size
        last = rows[-1]


def _of_columns(seek: Seek) -> Callable[[Any], tuple[Any, ...]]:
    return lambda row: tuple(row._mapping[column] for column, _ in seek)


def _of_entity(seek: Seek) -> Callable[[Any], tuple[Any, ...]]:
    return lambda row: tuple(getattr(row[0], column.key) for column, _ in seek)


def projects(
    db: Database,
    principal: Principal,
    flt: explorer.ProjectFilter,
    sort: str = "key",
    *,
    size: int = BATCH,
) -> Batches:
    """Service call: every project the principal may read that matches ``flt``."""
    explorer.need_reader(principal)
    order = explorer.PROJECT_SORTS.get(sort, explorer.PROJECT_SORTS["key"])
    conds = [access.visible_works(principal.visibility()), *explorer.project_conditions(flt)]
    # Batches in key order walk the key index, each filter checked per row (as the pages).
    query = explorer.project_rows(list(map(explorer.checked_per_row, conds)), order, WorkRow.id)

    def convert(session: Session, rows: list[Any]) -> list[dict[str, Any]]:
        return explorer.project_dicts(session, rows)

    seek = PROJECT_SEEK.get(sort if sort in explorer.PROJECT_SORTS else "key")
    return _batches(db, query, convert, size, (seek, _of_columns(seek)) if seek else None)


def results(
    db: Database,
    principal: Principal,
    indicator: str | None = None,
    state: str | None = None,
    project_key: str | None = None,
    country: str | None = None,
    year: int | None = None,
    sort: str = "id",
    *,
    size: int = BATCH,
    project_words: str | None = None,
) -> Batches:
    """Service call: every result the principal may read that matches the filters."""
    explorer.need_reader(principal)
    conds = explorer.result_conditions(
        principal, indicator, state, project_key, country, year, project_words
    )
    order = explorer.RESULT_SORTS.get(sort, explorer.RESULT_SORTS["id"])
    query = (
        select(ResultRow, WorkRow.key, WorkRow.title)
        .join(WorkRow, WorkRow.id == ResultRow.work_id)
        .where(*conds)
        .order_by(order, ResultRow.id)
    )

    def convert(session: Session, rows: list[Any]) -> list[dict[str, Any]]:
        return [dict(explorer.result_dict(r, k, principal), project_title=t) for r, k, t in rows]

    seek = RESULT_SEEK.get(sort if sort in explorer.RESULT_SORTS else "id")
    return _batches(db, query, convert, size, (seek, _of_entity(seek)) if seek else None)


QUEUE = (("submitted", Action.REVIEW), ("returned", Action.SUBMIT), ("draft", Action.SUBMIT))


def review_queue(db: Database, principal: Principal) -> Batches:
    """Service call: every result waiting for the principal, as on the review page
    (submitted ones they may review, then returned ones and drafts they may submit)."""
    explorer.need_reader(principal)
    vis = principal.visibility()

    def rows() -> Batches:
        projects = access.StoredProjects()
        for state, action in QUEUE:
            conds: list[ColumnElement[bool]] = [
                *access.visible_results(vis),
                ResultRow.review_state == state,
            ]
            query = (
                select(ResultRow, WorkRow.key, WorkRow.title)
                .join(WorkRow, WorkRow.id == ResultRow.work_id)
                .where(*conds)
                .order_by(ResultRow.updated_at.desc(), ResultRow.id.desc())
            )

            def convert(
                session: Session, found: list[Any], action: Action = action
            ) -> list[dict[str, Any]]:
                out = []
                projects.load(session, (row.work_id for row, _, _ in found))
                files = evidence_counts(session, [row.id for row, _, _ in found])
                for row, key, title in found:
                    stored = projects.get(session, row.work_id)
                    if action in stored.result_actions(principal, row.country):
                        item = dict(explorer.result_dict(row, key), project_title=title)
                        out.append(item | {"evidence_files": files.get(row.id, 0)})
                return out

            yield from _batches(db, query, convert, seek=(QUEUE_SEEK, _of_entity(QUEUE_SEEK)))

    return rows()


def audit_events(
    db: Database,
    principal: Principal,
    entity: str | None = None,
    entity_id: str | None = None,
    actor: str | None = None,
    flt: AuditFilter | None = None,
) -> Batches:
    """Service call: every audit event matching the filters, newest first (admins)."""
    require(principal, Action.ADMIN, SYSTEM)
    conds = flt.conditions() if flt else []
    if entity:
        conds.append(AuditEventRow.entity == entity)
    if entity_id:
        conds.append(AuditEventRow.entity_id == entity_id)
    if actor:
        conds.append(AuditEventRow.actor == actor)
    query = select(AuditEventRow).where(*conds).order_by(AuditEventRow.id.desc())

    def convert(session: Session, rows: list[Any]) -> list[dict[str, Any]]:
        return [audit.as_dict(r[0]) for r in rows]

    return _batches(db, query, convert, seek=(AUDIT_SEEK, _of_entity(AUDIT_SEEK)))
