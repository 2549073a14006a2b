"""Every row of a list, in batches, for exports: the same visibility and filters as the
explorer's pages (``explorer``, ``access``) and the audit listing, without a page limit.

Each call checks the caller's right to read the list at once, before any row is read, and
returns an iterator of batches: each batch is read in its own short transaction (ordered
by the list's sort and then by id, so batches neither overlap nor skip rows while the data
stands still), so memory stays that of one batch however long the list is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from greenfolio.domain.permissions import SYSTEM, Action, Principal, require
from greenfolio.services import access, audit, explorer
from greenfolio.services.audit_filter import AuditFilter
from greenfolio.services.database import Database
from greenfolio.store.tables import AuditEventRow, ResultRow, WorkRow

BATCH = 500
Batches = Iterator[list[dict[str, Any]]]


def _batches(
    db: Database,
    query: Select[Any],
    convert: Callable[[Session, list[Any]], list[dict[str, Any]]],
    size: int = BATCH,
) -> Batches:
    offset = 0
    while True:
        with db.transaction() as session:
            rows = list(session.execute(query.offset(offset).limit(size)).all())
            if not rows:
                return
            batch = convert(session, rows)
        yield batch
        if len(rows) < size:
            return
        offset += size


def projects(
    db: Database, principal: Principal, flt: explorer.ProjectFilter, sort: str = "key"
) -> Batches:
    """Service call: every project the principal may read that matches ``flt``."""
    explorer._need_reader(principal)
    order = explorer.PROJECT_SORTS.get(sort, explorer.PROJECT_SORTS["key"])
    conds = [access.visible_works(principal.visibility()), *explorer._project_conditions(flt)]
    query = explorer.project_rows(conds, order, WorkRow.id)

    def convert(session: Session, rows: list[Any]) -> list[dict[str, Any]]:
        return explorer.project_dicts(session, rows)

    return _batches(db, query, convert)


def results(
    db: Database,
    principal: Principal,
    indicator: str | None = None,
    state: str | None = None,
    project_key: str | None = None,
    country: str | None = None,
    year: int | None = None,
    sort: str = "id",
) -> Batches:
    """Service call: every result the principal may read that matches the filters."""
    explorer._need_reader(principal)
    conds = explorer.result_conditions(principal, indicator, state, project_key, country, year)
    order = explorer.RESULT_SORTS.get(sort, explorer.RESULT_SORTS["id"])
    query = (
        select(ResultRow, WorkRow.key, WorkRow.title)
        .join(WorkRow, WorkRow.id == ResultRow.work_id)
        .where(*conds)
        .order_by(order, ResultRow.id)
    )

    def convert(session: Session, rows: list[Any]) -> list[dict[str, Any]]:
        return [dict(explorer.result_dict(r, k), project_title=t) for r, k, t in rows]

    return _batches(db, query, convert)


QUEUE = (("submitted", Action.REVIEW), ("returned", Action.SUBMIT), ("draft", Action.SUBMIT))


def review_queue(db: Database, principal: Principal) -> Batches:
    """Service call: every result waiting for the principal, as on the review page
    (submitted ones they may review, then returned ones and drafts they may submit)."""
    explorer._need_reader(principal)
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
                for row, key, title in found:
                    stored = projects.get(session, row.work_id)
                    if action in stored.result_actions(principal, row.country):
                        out.append(dict(explorer.result_dict(row, key), project_title=title))
                return out

            yield from _batches(db, query, convert)

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

    return _batches(db, query, convert)
