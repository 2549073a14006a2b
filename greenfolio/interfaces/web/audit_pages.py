"""The audit trail page (administrators): every change, newest first, filtered by period,
who made it, the kind of record and of change, and one project or result; its download
links carry the same filters, so the file holds the events the page lists."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from greenfolio.domain.errors import ValidationError
from greenfolio.domain.permissions import SYSTEM, Action, require
from greenfolio.interfaces.http.audit_query import audit_filter
from greenfolio.interfaces.http.context import resolve_principal
from greenfolio.interfaces.http.people import people_names
from greenfolio.interfaces.web.rendering import Db, render, said
from greenfolio.services import accounts, audit, explorer
from greenfolio.services.audit_filter import CHANGES, ENTITIES, AuditFilter

router = APIRouter(include_in_schema=False)
PER_PAGE = 100
Text = Annotated[str | None, Query(max_length=200)]


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    db: Db,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    since: Annotated[str | None, Query(max_length=10)] = None,
    until: Annotated[str | None, Query(max_length=10)] = None,
    actor: Annotated[str | None, Query(max_length=160)] = None,
    entity: Annotated[str | None, Query(max_length=40)] = None,
    change: Annotated[str | None, Query(max_length=10)] = None,
    record: Text = None,
) -> Response:
    who = resolve_principal(request)
    require(who, Action.ADMIN, SYSTEM)
    asked = {
        "since": since or "",
        "until": until or "",
        "actor": actor or "",
        "entity": entity if entity in ENTITIES else "",
        "change": change if change in CHANGES else "",
        "record": record or "",
    }
    errors: list[str] = []
    try:
        flt = audit_filter(**asked)
    except ValidationError as exc:
        errors.append(said(request, exc))
        flt = AuditFilter()
    events, total = audit.listing(db, offset=(page - 1) * PER_PAGE, limit=PER_PAGE, flt=flt)
    query = flt.active()
    users = accounts.users(db, who)
    return render(
        request,
        "audit.html",
        status=422 if errors else 200,
        events=events,
        total=total,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        report=audit.verify(db),
        names=people_names(users),
        usernames=sorted(u.username for u in users),
        indicators={row["code"]: row for row in explorer.indicators(db, who)},
        organisations=audit.organisation_names(db, events),
        asked=asked,
        filtered=bool(query),
        entities=ENTITIES,
        changes=CHANGES,
        errors=errors,
        link=lambda **extra: "/audit?" + urlencode({**query, **extra}),
        export=lambda fmt: "/export/audit?" + urlencode({**query, "format": fmt}),
    )
