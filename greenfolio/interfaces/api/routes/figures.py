"""Indicators, figures (the report's named queries), the dashboard and report files."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from greenfolio.domain.permissions import SYSTEM, Action, Principal, require
from greenfolio.interfaces.api.deps import api_principal, get_db
from greenfolio.interfaces.api.errors import RESPONSES
from greenfolio.interfaces.http.reports import MEDIA, build_file
from greenfolio.services import explorer
from greenfolio.services.database import Database
from greenfolio.services.report_definition import load_definition

router = APIRouter(tags=["figures"], responses=RESPONSES)
Who = Annotated[Principal, Depends(api_principal)]
Db = Annotated[Database, Depends(get_db)]
Year = Annotated[int, Query(ge=1990, le=2100, description="report year")]
Definition = Annotated[str, Query(pattern="^[a-z][a-z0-9_]{0,39}$")]


@router.get("/indicators", summary="The indicator registry")
def list_indicators(who: Who, db: Db) -> list[dict[str, Any]]:
    return explorer.indicators(db, who)


@router.get("/indicators/{code}", summary="One indicator")
def get_indicator(code: str, who: Who, db: Db) -> dict[str, Any]:
    return explorer.indicator(db, who, code)


@router.get("/figures", summary="Every figure of a report with its provenance")
def list_figures(who: Who, db: Db, year: Year, definition: Definition = "board") -> dict[str, Any]:
    figures = explorer.report_figures(db, who, load_definition(definition), year)
    return {"report": definition, "year": year, "figures": figures}


@router.get("/dashboard", summary="Headline figures per indicator and year, countries reached")
def dashboard(who: Who, db: Db) -> dict[str, Any]:
    return explorer.dashboard(db, who)


@router.get(
    "/reports/{definition}",
    summary="Build a report from verified results and download it",
    response_class=Response,
    responses={200: {"content": {m: {} for m in MEDIA.values()}}},
)
def build_report(
    definition: str,
    who: Who,
    db: Db,
    year: Year,
    lang: Annotated[str, Query(pattern="^(ar|zh|en|fr|ru|es)$")] = "en",
    fmt: Annotated[str, Query(alias="format", pattern="^[a-z]{2,5}$")] = "html",
) -> Response:
    require(who, Action.REPORT, SYSTEM)
    content, name = build_file(db, definition, year, lang, fmt)
    return Response(
        content,
        media_type=MEDIA.get(fmt, "application/octet-stream"),
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
