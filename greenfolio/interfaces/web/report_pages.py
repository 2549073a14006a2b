"""The reports page: choose an installed definition (shipped, or in a folder the
administrator configured; never a path typed in the page), a year, languages and
formats; queue the build as a job, which any server process (or ``greenfolio worker``)
runs; follow it on its own page; download its documents and provenance files from any
process. Reports kept in the archive folder by earlier versions stay listed."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from greenfolio.domain.errors import GreenfolioError
from greenfolio.domain.permissions import SYSTEM, Action, allowed, require
from greenfolio.interfaces import report_archive, report_files
from greenfolio.interfaces.http import report_jobs as jobs_http
from greenfolio.interfaces.http.context import resolve_principal
from greenfolio.interfaces.http.people import people_names
from greenfolio.interfaces.http.refusals import classify
from greenfolio.interfaces.http.reports import MEDIA, build_file
from greenfolio.interfaces.web.i18n import Translator
from greenfolio.interfaces.web.refusal_text import message
from greenfolio.interfaces.web.rendering import (
    Csrf,
    Db,
    check_csrf,
    lang_of,
    redirect,
    render,
    said,
)
from greenfolio.services import accounts, report_jobs
from greenfolio.services.database import Database
from greenfolio.services.report_catalogue import installed

router = APIRouter(include_in_schema=False)
Langs = Annotated[list[str], Form(alias="lang")]
Formats = Annotated[list[str], Form(alias="format")]
JobId = Annotated[int, Path(ge=1, le=2**31 - 1)]  # the id columns are 32-bit integers
REFRESH_SECONDS = 3
"""How often the page of a job not yet finished reloads itself."""


def _names(db: Database, request: Request) -> dict[str, str]:
    who = resolve_principal(request)
    if not allowed(who, Action.ADMIN, SYSTEM):
        return {}
    return people_names(accounts.users(db, who))


def _why(request: Request, job: report_jobs.Job) -> str | None:
    """A failed job's reason in the visitor's language (its English text if uncatalogued)."""
    if job.state != "failed":
        return None
    return message(Translator(lang_of(request)), job.message_id, job.params) or job.error


def _page(request: Request, db: Database, status: int = 200, **context: object) -> Response:
    who = resolve_principal(request)
    require(who, Action.REPORT, SYSTEM)
    definitions = installed()
    years = sorted({y for d in definitions.values() for y in d.years}) or [date.today().year]
    context.setdefault("errors", [])
    context.setdefault("chosen", {})
    jobs = report_jobs.jobs(db)
    return render(
        request,
        "reports.html",
        status=status,
        definitions=list(definitions.values()),
        formats=report_files.FORMATS,
        default_year=max(years),
        jobs=jobs,
        why={j.id: _why(request, j) for j in jobs},
        history=report_archive.history(report_archive.folder(db)),
        names=_names(db, request),
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
    lang: Langs = [],  # noqa: B006 (FastAPI copies defaults)
    fmt: Formats = [],  # noqa: B006
) -> Response:
    check_csrf(request, csrf)
    who = await run_in_threadpool(resolve_principal, request)
    require(who, Action.REPORT, SYSTEM)
    chosen = {"definition": definition, "year": year, "langs": lang, "formats": fmt}
    try:
        job_id = await run_in_threadpool(
            jobs_http.queue, db, who.actor, definition, year, lang, fmt
        )
    except GreenfolioError as exc:
        status = classify(exc)[0]
        if status not in (400, 404, 422, 429):
            raise
        errors = [said(request, exc)]
        shown = 429 if status == 429 else 422  # a refusal of the form, said above it
        return await run_in_threadpool(_page, request, db, shown, errors=errors, chosen=chosen)
    return redirect(f"/reports/jobs/{job_id}", saved=False)


@router.get("/reports/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, db: Db, job_id: JobId) -> Response:
    require(resolve_principal(request), Action.REPORT, SYSTEM)
    job = report_jobs.job(db, job_id)
    return render(
        request,
        "report_job.html",
        job=job,
        why=_why(request, job),
        names=_names(db, request),
        refresh=REFRESH_SECONDS if job.state in ("queued", "running") else None,
    )


@router.get("/reports/jobs/{job_id}/files/{file_id}")
def job_file(
    request: Request,
    db: Db,
    job_id: JobId,
    file_id: JobId,
) -> Response:
    require(resolve_principal(request), Action.REPORT, SYSTEM)
    return jobs_http.download(db, job_id, file_id)


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
