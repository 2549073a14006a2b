"""List downloads from the pages: the portfolio (with its filters), results, the review
queue and the audit trail as CSV or XLSX, headed in the visitor's language.

Each list page links here with its current filters. The same services as the pages
check who may read what (``services.list_rows``); ``http.exports`` writes the file.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from greenfolio.domain.permissions import SYSTEM, Action, require
from greenfolio.interfaces.http import audit_query, exports
from greenfolio.interfaces.http.audit_query import audit_filter
from greenfolio.interfaces.http.context import resolve_principal
from greenfolio.interfaces.web.project_filter import ProjectQuery, Short, page_year
from greenfolio.interfaces.web.rendering import Db, lang_of
from greenfolio.interfaces.web.result_list_pages import project_filter
from greenfolio.services import list_rows

router = APIRouter(include_in_schema=False)
Format = Annotated[str, Query(alias="format", pattern="^(csv|xlsx)$")]


@router.get("/export/projects")
def export_projects(
    request: Request,
    db: Db,
    flt: ProjectQuery,
    fmt: Format = "csv",
    sort: Annotated[str, Query(max_length=10)] = "key",
) -> Response:
    rows = list_rows.projects(db, resolve_principal(request), flt, sort)
    return exports.download("projects", rows, lang_of(request), fmt)


@router.get("/export/results")
def export_results(
    request: Request,
    db: Db,
    fmt: Format = "csv",
    indicator: Short = None,
    state: Annotated[str | None, Query(pattern="^(draft|submitted|returned|verified)?$")] = None,
    project: Annotated[str | None, Query(max_length=160)] = None,
    country: Annotated[str | None, Query(max_length=3)] = None,
    year: Annotated[str | None, Query(max_length=4)] = None,
    sort: Annotated[str, Query(max_length=12)] = "id",
) -> Response:
    who = resolve_principal(request)
    key, words = project_filter(db, who, project)
    rows = list_rows.results(
        db,
        who,
        indicator or None,
        state or None,
        key,
        country or None,
        page_year(year),
        sort,
        project_words=words,
    )
    return exports.download("results", rows, lang_of(request), fmt)


@router.get("/export/review")
def export_review(request: Request, db: Db, fmt: Format = "csv") -> Response:
    who = resolve_principal(request)
    if who.user_id is None:
        require(who, Action.REVIEW, SYSTEM)
    return exports.download("review", list_rows.review_queue(db, who), lang_of(request), fmt)


@router.get("/export/audit")
def export_audit(
    request: Request,
    db: Db,
    fmt: Format = "csv",
    entity: Annotated[str | None, Query(max_length=40)] = None,
    entity_id: Annotated[str | None, Query(max_length=200)] = None,
    actor: Annotated[str | None, Query(max_length=160)] = None,
    since: Annotated[str | None, Query(max_length=10)] = None,
    until: Annotated[str | None, Query(max_length=10)] = None,
    change: Annotated[str | None, Query(max_length=10)] = None,
    record: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """The audit events the page lists with the same filters and sentences, times in
    ISO 8601 UTC."""
    flt = audit_filter(since, until, actor, entity, change, record, entity_id)
    return audit_query.download(db, resolve_principal(request), flt, lang_of(request), fmt)
