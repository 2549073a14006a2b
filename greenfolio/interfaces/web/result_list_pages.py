"""The results page: every result one may read, across projects, filtered, sorted, paged
and downloadable with the same filters (the list a programme officer keeps in a
spreadsheet). It calls the results service the API's ``GET /results`` calls, so what it
shows and what it hides are the same."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from greenfolio.domain.countries import check_country, name_order
from greenfolio.domain.errors import GreenfolioError
from greenfolio.domain.permissions import Principal
from greenfolio.domain.results import ReviewState
from greenfolio.interfaces.http.context import resolve_principal
from greenfolio.interfaces.web.i18n import Translator
from greenfolio.interfaces.web.project_filter import page_year
from greenfolio.interfaces.web.project_pages import indicators_by_code
from greenfolio.interfaces.web.rendering import Db, lang_of, render
from greenfolio.services import explorer
from greenfolio.services.database import Database

router = APIRouter(include_in_schema=False)

SORTS = ("-id", "id", "-period_end", "period_end", "-value", "value")
"""The orders offered, each read from an index (the id, the period, the value within an
indicator's filter); the first is the default: the newest entered first."""

Short = Annotated[str | None, Query(max_length=80)]


def project_filter(db: Database, who: Principal, text: str | None) -> tuple[str | None, str | None]:
    """The project field as (key, words): a readable project's key as typed, else words
    sought in projects' keys, titles, descriptions and terms (shared with the download)."""
    typed = (text or "").strip() or None
    if typed is None or explorer.project_key_readable(db, who, typed):
        return typed, None
    return None, typed


@router.get("/results", response_class=HTMLResponse)
def results_page(
    request: Request,
    db: Db,
    project: Annotated[str | None, Query(max_length=160)] = None,
    indicator: Short = None,
    state: Annotated[str | None, Query(pattern="^(draft|submitted|returned|verified)?$")] = None,
    country: Annotated[str | None, Query(max_length=3)] = None,
    year: Annotated[str | None, Query(max_length=4)] = None,
    sort: Annotated[str, Query(max_length=12)] = SORTS[0],
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    who = resolve_principal(request)
    tr = Translator(lang_of(request))
    # by value only within one indicator: across them it would rank tonnes with people
    sort = sort if sort in SORTS and (indicator or "value" not in sort) else SORTS[0]
    chosen_project, words = project_filter(db, who, project)
    chosen_country = (country or "").upper() or None
    chosen_year = page_year(year)
    chosen: dict[str, str | int | None] = {
        "project": chosen_project,
        "indicator": indicator or None,
        "state": state or None,
        "country": chosen_country,
        "year": chosen_year,
    }
    found = explorer.results(
        db,
        who,
        indicator or None,
        state or None,
        chosen_project,
        chosen_country,
        chosen_year,
        sort,
        page,
        50,
        project_words=words,
    ).as_dict()
    indicators = indicators_by_code(db, who)
    chosen["project"] = chosen_project or words
    query: dict[str, Any] = {k: v for k, v in chosen.items() if v} | {"sort": sort}
    facets = explorer.facets(db, who)
    return render(
        request,
        "results.html",
        page=found,
        chosen=chosen,
        sort=sort,
        sorts=SORTS,
        indicators=indicators,
        indicator_choices=sorted(
            ((code, tr.text(row["names"])) for code, row in indicators.items()),
            key=lambda item: name_order(item[1]),
        ),
        state_choices=[s.value for s in ReviewState],
        country_choices=sorted(
            ((c, tr.country(c)) for c in _with_chosen(facets["countries"], chosen_country)),
            key=lambda item: name_order(item[1]),
        ),
        link=lambda **extra: "/results?" + urlencode({**query, **extra}),
        export=lambda fmt: "/export/results?" + urlencode({**query, "format": fmt}),
    )


def _with_chosen(countries: list[str], chosen: str | None) -> list[str]:
    """The country filter's choices, the one asked for among them: the choices are the
    countries of projects and of verified results, and a country only on results under
    review (an import's new rows) would be filtered while the menu read "All"."""
    if chosen is None or chosen in countries:
        return list(countries)
    try:
        return [*countries, check_country(chosen)]
    except GreenfolioError:
        return list(countries)
