"""The review queue page and its bulk review: tick several submitted results, then verify
them or return them with one reason (``services.bulk_review``: each result checked as
stored and reviewed on its own; the page then says which were done and which were
refused, and why, in the visitor's language)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from greenfolio.domain.errors import GreenfolioError
from greenfolio.domain.permissions import SYSTEM, Action, require
from greenfolio.interfaces.http.context import resolve_principal, seal_ok
from greenfolio.interfaces.http.refusals import classify
from greenfolio.interfaces.web.rendering import Db, check_csrf, render, said
from greenfolio.services import bulk_review, explorer
from greenfolio.services.database import Database

router = APIRouter(include_in_schema=False)


def _queue_page(request: Request, db: Database, status: int = 200, **context: Any) -> Response:
    who = resolve_principal(request)
    if who.user_id is None:
        require(who, Action.REVIEW, SYSTEM)
    context.setdefault("errors", [])
    context.setdefault("outcome", None)
    context.setdefault("picked", set())
    return render(
        request,
        "review.html",
        status=status,
        queue=explorer.review_queue(db, who),
        indicators={row["code"]: row for row in explorer.indicators(db, who)},
        **context,
    )


@router.get("/review", response_class=HTMLResponse)
def review_page(request: Request, db: Db) -> Response:
    return _queue_page(request, db, saved_result=_done(request, db))


def _done(request: Request, db: Database) -> dict[str, Any] | None:
    """The result a review step from this page was taken on (``?done=<id>``, where the
    step's redirect leads), as stored, so the page confirms the step only if that result
    is in the state the step leaves it in (``rendering._saved_message``); None for no such
    result, one the visitor may not read, or no step just taken."""
    given = request.query_params.get("done", "")
    if "saved" not in request.query_params or not (given.isascii() and given.isdigit()):
        return None
    if not 0 < int(given) < 2**31:
        return None
    step = request.query_params.get("saved", "")
    if not seal_ok(request, request.query_params.get("seal"), "done", int(given), step):
        return None  # a step this browser did not just take
    try:
        return explorer.result(db, resolve_principal(request), int(given))
    except GreenfolioError:
        return None


def _picks(values: list[str]) -> tuple[list[int], dict[int, int]]:
    """The ticked results as ``id:version`` (the version listed); anything else is no pick."""
    ids: list[int] = []
    versions: dict[int, int] = {}
    for value in values:
        rid, _, version = value.partition(":")
        if rid.isascii() and rid.isdigit() and 0 < int(rid) < 2**31:
            ids.append(int(rid))
            if version.isascii() and version.isdigit():
                versions[int(rid)] = int(version)
    return ids, versions


@router.post("/review/bulk", response_class=HTMLResponse)
async def bulk(request: Request, db: Db) -> Response:
    data = await request.form()
    check_csrf(request, str(data.get("csrf", "")))
    ids, versions = _picks([str(v) for v in data.getlist("pick")][: bulk_review.MAX_SELECTED + 1])
    action = str(data.get("action", ""))[:10]
    note = str(data.get("note", ""))[:2000] or None
    from starlette.concurrency import run_in_threadpool

    result: Response = await run_in_threadpool(_apply, request, db, ids, versions, action, note)
    return result


def _apply(
    request: Request,
    db: Database,
    ids: list[int],
    versions: dict[int, int],
    action: str,
    note: str | None,
) -> Response:
    who = resolve_principal(request)
    try:
        outcome = bulk_review.review_each(db, who, ids, action, note, versions)
    except GreenfolioError as exc:
        if classify(exc)[0] not in (400, 422):
            raise
        return _queue_page(
            request, db, 422, errors=[said(request, exc)], note=note or "", picked=set(ids)
        )
    shown = {
        "action": action,
        "done": [r["id"] for r in outcome.done],
        "refused": [(r.result_id, said(request, r.error)) for r in outcome.refused],
    }
    return _queue_page(request, db, outcome=shown)
