"""The reports built and kept (the history the reports page lists), with their documents
and provenance files, for API clients."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import FileResponse

from greenfolio.api.deps import api_principal, get_db
from greenfolio.api.errors import RESPONSES
from greenfolio.domain.permissions import SYSTEM, Action, Principal, require
from greenfolio.http.reports import MEDIA
from greenfolio.interfaces import report_archive
from greenfolio.services.database import Database

router = APIRouter(tags=["reports"], responses=RESPONSES)
Who = Annotated[Principal, Depends(api_principal)]
Db = Annotated[Database, Depends(get_db)]


@router.get("/report-builds", summary="Reports built and kept, newest first")
def history(who: Who, db: Db, request: Request) -> dict[str, Any]:
    """Each kept build: who built which definition for which year, language and format,
    when, and its document and provenance files (size, SHA-256, where to fetch them)."""
    require(who, Action.REPORT, SYSTEM)
    items = []
    for entry in report_archive.history(report_archive.folder(db)):
        links = {
            kind: str(request.url_for("report_build_file", build_id=entry["id"], kind=kind))
            for kind in report_archive.KINDS
        }
        items.append({**entry, "links": links})
    return {"items": items}


@router.get(
    "/report-builds/{build_id}/{kind}",
    summary="A kept report's document or provenance file",
    name="report_build_file",
)
def build_file(
    who: Who,
    db: Db,
    build_id: Annotated[str, Path(max_length=40)],
    kind: Annotated[str, Path(pattern="^(document|provenance)$")],
) -> FileResponse:
    require(who, Action.REPORT, SYSTEM)
    path, entry = report_archive.kept_file(report_archive.folder(db), build_id, kind)
    media = MEDIA["json"] if kind == "provenance" else MEDIA.get(str(entry["format"]))
    return FileResponse(path, media_type=media, filename=path.name)
