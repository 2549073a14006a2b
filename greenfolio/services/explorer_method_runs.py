"""Method run reads: the runs list and one run with the results it produced."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from greenfolio.domain.errors import NotFoundError
from greenfolio.domain.permissions import SYSTEM, Action, Principal, allowed
from greenfolio.services import access, audit
from greenfolio.services.database import Database
from greenfolio.services.explorer_common import Page, need_reader, page_bounds
from greenfolio.store.tables import MethodRunRow, ResultRow, WorkRow


def run_brief(run: MethodRunRow) -> dict[str, Any]:
    return {
        "id": run.id,
        "method": run.method,
        "method_version": run.method_version,
        "refdata_version": run.refdata_version,
    }


def method_runs(
    db: Database, principal: Principal, method: str | None, page: int = 1, per_page: int = 50
) -> Page:
    need_reader(principal)
    if principal.visibility().verified_only:
        return Page([], 0, 1, per_page)
    page, per_page = page_bounds(page, per_page)
    conds = [MethodRunRow.method == method] if method else []
    vis = principal.visibility()
    if not vis.everything:
        # as ``readable_run``: a run that made results is listed only to someone who may
        # read one of them (a hostile review saw the ids the detail route hides)
        made = select(ResultRow.id).where(ResultRow.method_run_id == MethodRunRow.id)
        shown = or_(~made.exists(), made.where(*access.visible_results(vis)).exists())
        # and one's own runs, whoever made results from them since
        conds.append(or_(shown, MethodRunRow.actor == principal.actor))
    with db.transaction() as session:
        total = session.scalar(select(func.count()).select_from(MethodRunRow).where(*conds)) or 0
        rows = session.scalars(
            select(MethodRunRow)
            .where(*conds)
            .order_by(MethodRunRow.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
        return Page([run_brief(r) for r in rows], total, page, per_page)


def readable_run(
    session: Session, principal: Principal, run_id: int
) -> tuple[MethodRunRow, list[dict[str, Any]]]:
    """The run ``principal`` may read, with the results it made that they may read.

    A run that made results belongs with them: someone who may read none of them may not
    read the run (its inputs are the project's data), nor use its outputs. A run that made
    no result yet is any reader's, and one's own run stays one's own (a hostile review: a
    stranger made a result from someone's run and its maker lost it)."""
    missing = NotFoundError(
        f"no method run {run_id}", message_id="method_run_missing", params={"run": run_id}
    )
    run = session.get(MethodRunRow, run_id)
    if run is None or principal.visibility().verified_only:
        raise missing
    made = session.execute(
        select(ResultRow.id, ResultRow.work_id, ResultRow.country, WorkRow.key, WorkRow.title)
        .join(WorkRow, WorkRow.id == ResultRow.work_id)
        .where(ResultRow.method_run_id == run.id)
        .order_by(ResultRow.id)
    ).all()
    projects = access.StoredProjects()
    readable = [
        {"id": rid, "project": key, "project_title": title}
        for rid, wid, country, key, title in made
        if Action.READ in projects.get(session, wid).result_actions(principal, country)
    ]
    mine = principal.user_id is not None and run.actor == principal.actor
    if made and not readable and not mine and not allowed(principal, Action.READ, SYSTEM):
        raise missing  # as a missing one: its id is not theirs to learn either
    return run, readable


def method_run(db: Database, principal: Principal, run_id: int) -> dict[str, Any]:
    need_reader(principal)
    with db.transaction() as session:
        run, readable = readable_run(session, principal, run_id)
        return {
            **run_brief(run),
            "inputs": run.inputs,
            "outputs": run.outputs,
            "actor": run.actor,
            "created_at": audit._stamp(run.created_at) + "Z",
            "results": readable,
        }
