"""Result reads: the filtered, sorted, paged results list (its conditions shared with
the exports) and one result with its provenance."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from greenfolio.domain.permissions import Action, Principal, require
from greenfolio.domain.results import ReviewState
from greenfolio.domain.text import check_text
from greenfolio.services import access, audit, breakdowns, evidence, search
from greenfolio.services import results as result_service
from greenfolio.services.database import Database
from greenfolio.services.explorer_common import Page, need_reader, page_bounds, year_range
from greenfolio.services.explorer_method_runs import run_brief
from greenfolio.store.tables import (
    IndicatorRow,
    MethodRunRow,
    ResultRevisionRow,
    ResultRow,
    ReviewEventRow,
    WorkCountryRow,
    WorkRow,
)

RESULT_SORTS: dict[str, Any] = {
    "id": ResultRow.id.asc(),
    "-id": ResultRow.id.desc(),
    "value": ResultRow.value.asc(),
    "-value": ResultRow.value.desc(),
    "period_end": ResultRow.period_end.asc(),
    "-period_end": ResultRow.period_end.desc(),
    "updated": ResultRow.updated_at.asc(),
    "-updated": ResultRow.updated_at.desc(),
}


def result_dict(
    row: ResultRow, work_key: str | None = None, principal: Principal | None = None
) -> dict[str, Any]:
    """A result as the API shows it: the work item is called its project. Read by the
    public (``principal`` in public mode), without its review note: the verified figure,
    not how it came to be (a reviewer's reason for returning it stays on the row)."""
    data = result_service.as_dict(row, work_key)
    data["project"] = data.pop("work")
    if principal is not None and principal.visibility().verified_only:
        data["review_note"] = None
    return data


def result(db: Database, principal: Principal, result_id: int) -> dict[str, Any]:
    """Service call: a result with its provenance: citation, evidence, the method run
    that produced it, its review events, earlier versions and audit history."""
    need_reader(principal)
    vis = principal.visibility()
    with db.transaction() as session:
        row = session.get(ResultRow, result_id)
        missing = access.missing_result(result_id)
        if row is None or (vis.verified_only and row.review_state != ReviewState.VERIFIED.value):
            raise missing
        stored = access.readable_result(session, principal, row, missing)
        require(principal, Action.READ, access.with_country(stored.read_target(), row.country))
        work = session.get(WorkRow, row.work_id)
        assert work is not None
        item = result_dict(row, work.key, principal)
        item["project_title"] = work.title
        item["project_countries"] = sorted(
            session.scalars(select(WorkCountryRow.country).where(WorkCountryRow.work_id == work.id))
        )
        ind = session.get(IndicatorRow, row.indicator_code)
        item["indicator_names"] = ind.names if ind else {}
        item["indicator_unit"] = ind.unit if ind else row.unit
        run = session.get(MethodRunRow, row.method_run_id) if row.method_run_id else None
        # The public reads the verified figure, not how it came to be: no earlier draft
        # values, review notes, run inputs or names (as it gets no audit history).
        inside = not vis.verified_only
        item["method_run"] = None
        if run is not None:
            item["method_run"] = run_brief(run)
            if inside:
                item["method_run"] |= {"inputs": run.inputs, "outputs": run.outputs}
                item["method_run"]["actor"] = run.actor
        item["review_events"] = _review_events(session, row.id) if inside else []
        # Women and men adding up to more than their total: a warning for those who enter
        # and review it (the public reads verified figures only)
        item["breakdown"] = (
            breakdowns.around(session, principal, [row]).get(row.id, []) if inside else []
        )
        item["parts"] = breakdowns.parts_of(session, principal, row) if inside else []
        # parts go through review with their total unless a duplicate total shares them
        item["parts_follow"] = bool(item["parts"]) and not breakdowns.shared_total(session, row)
        item["same_figure"] = breakdowns.same_figure(session, principal, row) if inside else []
        # a period after the project ended: said to those who enter and review it, since
        # a result filed under the wrong project or year looks like this (and one measured
        # after the end, as an impact can be, is kept as it is)
        ended = work.end_date
        start = row.period_start
        item["after_project_end"] = (
            ended.isoformat() if inside and ended and start and start > ended else None
        )
        item["revisions"] = _revisions(session, row.id) if inside else []
        signed_in = principal.user_id is not None
        item["evidence_files"] = evidence.files_of(session, row.id) if signed_in else []
        item["history"] = (
            []
            if vis.verified_only
            else sorted(
                audit.history(session, "result", str(row.id))
                + evidence.events(session, item["evidence_files"]),
                key=lambda e: int(e["id"]),
            )
        )
        item["actions"] = sorted(stored.result_actions(principal, row.country))
        changed = result_service.changed_by(session, [row.id])[row.id]
        item["may_verify"] = may_verify(principal, row, item["actions"], changed)
        # the withdraw box, for whoever may take back this returned result
        item["may_withdraw"] = (
            row.review_state == ReviewState.RETURNED.value
            and Action.EDIT.value in item["actions"]
            and access.may_take_back(principal, row.entered_by, changed)
        )
        return item


def _review_events(session: Session, result_id: int) -> list[dict[str, Any]]:
    return [
        {
            "action": e.action,
            "from": e.from_state,
            "to": e.to_state,
            "note": e.note,
            "actor": e.actor,
            "at": audit._stamp(e.at) + "Z",
        }
        for e in session.scalars(
            select(ReviewEventRow)
            .where(ReviewEventRow.result_id == result_id)
            .order_by(ReviewEventRow.id)
        )
    ]


def _revisions(session: Session, result_id: int) -> list[dict[str, Any]]:
    return [
        {"version": v.version, "data": v.data, "actor": v.actor, "at": audit._stamp(v.at) + "Z"}
        for v in session.scalars(
            select(ResultRevisionRow)
            .where(ResultRevisionRow.result_id == result_id)
            .order_by(ResultRevisionRow.version)
        )
    ]


def may_verify(principal: Principal, row: ResultRow, actions: list[str], changed: set[str]) -> bool:
    """Whether the verify button works: a reviewer who is not one of the result's authors
    (``changed``: who else changed it, ``results.changed_by``)."""
    if Action.REVIEW.value not in actions:
        return False
    try:
        result_service.check_separation(row, "verify", principal.actor, changed)
    except result_service.SeparationOfDuties:
        return False
    return True


def project_key_readable(db: Database, principal: Principal, key: str) -> bool:
    """Service call: whether ``key`` is the key of a project the principal may read."""
    with db.transaction() as session:
        found = session.scalar(
            select(WorkRow.id).where(
                WorkRow.key == key, access.visible_works(principal.visibility())
            )
        )
        return found is not None


def results(
    db: Database,
    principal: Principal,
    indicator: str | None = None,
    state: str | None = None,
    project_key: str | None = None,
    country: str | None = None,
    year: int | None = None,
    sort: str = "id",
    page: int = 1,
    per_page: int = 50,
    project_words: str | None = None,
) -> Page:
    """Service call: one page of the results the principal may read."""
    need_reader(principal)
    page, per_page = page_bounds(page, per_page)
    conds = result_conditions(
        principal, indicator, state, project_key, country, year, project_words
    )
    order = RESULT_SORTS.get(sort, RESULT_SORTS["id"])
    with db.transaction() as session:
        total = session.scalar(select(func.count()).select_from(ResultRow).where(*conds)) or 0
        # The page's ids first (from an index alone where one has the filter and the order),
        # then its rows: a deep page skips index entries, not whole rows.
        ids = select(ResultRow.id).where(*conds).order_by(order, ResultRow.id)
        found = list(session.scalars(ids.offset((page - 1) * per_page).limit(per_page)))
        rows = session.execute(
            select(ResultRow, WorkRow.key, WorkRow.title)
            .join(WorkRow, WorkRow.id == ResultRow.work_id)
            .where(ResultRow.id.in_(found))
            .order_by(order, ResultRow.id)
        ).all()
        items = [result_dict(r, k, principal) | {"project_title": t} for r, k, t in rows]
        return Page(items, total, page, per_page)


def result_conditions(
    principal: Principal,
    indicator: str | None = None,
    state: str | None = None,
    project_key: str | None = None,
    country: str | None = None,
    year: int | None = None,
    project_words: str | None = None,
) -> list[ColumnElement[bool]]:
    """The results list's conditions (visibility and filters), shared with its exports;
    ``project_words`` keeps the results of projects whose key, title, description or
    classification hold those words (the portfolio's full-text search)."""
    for name, value in (("indicator", indicator), ("project", project_key), ("country", country)):
        if value:
            check_text(value, f"the filter {name!r}")
    conds = access.visible_results(principal.visibility())
    if indicator:
        conds.append(ResultRow.indicator_code == indicator)
    if state:
        conds.append(ResultRow.review_state == state)
    if project_key:
        conds.append(ResultRow.work_id.in_(select(WorkRow.id).where(WorkRow.key == project_key)))
    if country:
        conds.append(ResultRow.country == country.upper())
    if year:
        start, end = year_range(year)
        conds.append(ResultRow.period_end >= start)
        conds.append(ResultRow.period_end <= end)
    matching = search.condition(project_words) if project_words else None
    if matching is not None:
        conds.append(ResultRow.work_id.in_(select(WorkRow.id).where(matching)))
    return conds
