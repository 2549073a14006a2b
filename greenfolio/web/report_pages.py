"""The reports page: choose an installed definition (shipped, or in a folder the
administrator configured; never a path typed in the page), a year, a language and a
format; build it; and the history of the reports built here, each with its provenance
file, downloadable."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from greenfolio.domain.errors import GreenfolioError
from greenfolio.domain.permissions import SYSTEM, Action, allowed, require
from greenfolio.http.context import resolve_principal
from greenfolio.http.refusals import classify
from greenfolio.http.reports import MEDIA, build_and_keep, build_file
from greenfolio.interfaces import report_archive, report_files
from greenfolio.services import accounts
from greenfolio.services.database import Database
from greenfolio.services.report_catalogue import installed
from greenfolio.web.rendering import Csrf, Db, check_csrf, redirect, render, said

router = APIRouter(include_in_schema=False)
Lang = Annotated[str, Form(pattern="^(ar|zh|en|fr|ru|es)$")]


def _page(request: Request, db: Database, status: int = 200, **context: object) -> Response:
    who = resolve_principal(request)
    require(who, Action.REPORT, SYSTEM)
    definitions = installed()
    years = sorted({y for d in definitions.values() for y in d.years}) or [date.today().year]
    context.setdefault("errors", [])
    context.setdefault("chosen", {})
    archive = report_archive.folder(db)
    names = (
        {u.username: u.display_name or u.username for u in accounts.users(db, who)}
        if allowed(who, Action.ADMIN, SYSTEM)
        else {}
    )
    return render(
        request,
        "reports.html",
        status=status,
        definitions=list(definitions.values()),
        formats=report_files.FORMATS,
        default_year=max(years),
        archive=archive is not None,
        history=report_archive.history(archive),
        names=names,
        built=request.query_params.get("built"),
        **context,
    )


@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request, db: Db) -> Response:
    return _page(request, db)


@router.post("/reports/build", response_class=HTMLResponse)
async def build(
    request: Request,
    db: Db,
    csrf: Csrf,
    definition: Annotated[str, Form(max_length=40)],
    year: Annotated[int, Form(ge=1990, le=2100)],
    lang: Lang,
    fmt: Annotated[str, Form(alias="format", max_length=5)],
) -> Response:
    check_csrf(request, csrf)
    who = await run_in_threadpool(resolve_principal, request)
    require(who, Action.REPORT, SYSTEM)
    chosen = {"definition": definition, "year": year, "lang": lang, "format": fmt}
    try:
        kept = await run_in_threadpool(build_and_keep, db, who.actor, definition, year, lang, fmt)
    except GreenfolioError as exc:
        if classify(exc)[0] not in (400, 404, 422):
            raise
        errors = [said(request, exc)]
        return await run_in_threadpool(_page, request, db, 422, errors=errors, chosen=chosen)
    return redirect(f"/reports?built={quote(kept['id'])}", saved=False)


@router.get("/reports/kept/{build_id}/{kind}")
def kept(build_id: str, kind: str, request: Request, db: Db) -> Response:
    require(resolve_principal(request), Action.REPORT, SYSTEM)
    path, entry = report_archive.kept_file(report_archive.folder(db), build_id, kind)
    media = MEDIA["json"] if kind == "provenance" else MEDIA.get(str(entry["format"]))
    return FileResponse(path, media_type=media, filename=path.name)


@router.get("/reports/download")
def report_download(
    request: Request,
    db: Db,
    year: Annotated[int, Query(ge=1990, le=2100)],
    lang: Annotated[str, Query(pattern="^(ar|zh|en|fr|ru|es)$")] = "en",
    fmt: Annotated[str, Query(alias="format", max_length=5)] = "html",
    definition: Annotated[str, Query(max_length=40)] = "board",
) -> Response:
    """Build and download at once, keeping nothing (links from earlier versions)."""
    require(resolve_principal(request), Action.REPORT, SYSTEM)
    content, name = build_file(db, definition, year, lang, fmt)
    return Response(
        content,
        media_type=MEDIA.get(fmt, "application/octet-stream"),
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
