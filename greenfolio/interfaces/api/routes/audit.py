"""The audit trail: events of the whole system (admins) and its verification."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from greenfolio.domain.permissions import SYSTEM, Action, Principal, require
from greenfolio.interfaces.api.deps import api_principal, get_db
from greenfolio.interfaces.api.errors import RESPONSES
from greenfolio.interfaces.http import audit_query, exports
from greenfolio.interfaces.http.audit_query import audit_filter
from greenfolio.services import audit
from greenfolio.services.database import Database

router = APIRouter(tags=["audit"], responses=RESPONSES)
Who = Annotated[Principal, Depends(api_principal)]
Db = Annotated[Database, Depends(get_db)]


@router.get(
    "/audit", summary="Audit events, newest first (admins)", responses=exports.DOWNLOAD_RESPONSES
)
def list_events(
    who: Who,
    db: Db,
    request: Request,
    entity: Annotated[str | None, Query(max_length=40)] = None,
    entity_id: Annotated[str | None, Query(max_length=200)] = None,
    actor: Annotated[
        str | None, Query(max_length=160, description="a user name, or an actor as stored")
    ] = None,
    since: Annotated[str | None, Query(max_length=10, description="first day (UTC)")] = None,
    until: Annotated[str | None, Query(max_length=10, description="last day (UTC)")] = None,
    change: Annotated[str | None, Query(pattern="^(create|update|delete)$")] = None,
    record: Annotated[
        str | None,
        Query(max_length=200, description="a project key (with its results) or a result number"),
    ] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
    fmt: Annotated[
        str | None, Query(alias="format", pattern="^(csv|xlsx)$", description="csv or xlsx")
    ] = None,
    lang: Annotated[str, Query(pattern="^(ar|zh|en|fr|ru|es)$")] = "en",
) -> Any:
    require(who, Action.ADMIN, SYSTEM)
    flt = audit_filter(since, until, actor, entity, change, record, entity_id)
    download = exports.choose_format(fmt, request.headers.get("accept"))
    if download:
        return audit_query.download(db, who, flt, lang, download)
    items, total = audit.listing(db, offset=(page - 1) * per_page, limit=per_page, flt=flt)
    return {"items": items, "total": total, "page": page, "per_page": per_page}


@router.get("/audit/verify", summary="Recompute the hash chain (admins)")
def verify(who: Who, db: Db) -> dict[str, Any]:
    require(who, Action.ADMIN, SYSTEM)
    report = audit.verify(db)
    return {
        "events": report.events,
        "intact": report.intact,
        "head": report.head,
        "broken_at": report.broken_at,
        "problem": report.problem,
    }
