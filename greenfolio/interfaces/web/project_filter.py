"""The portfolio's filters as the query string gives them, read one way for the
portfolio page and its download, so a downloaded list is the list on the page."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from greenfolio.services import explorer

Short = Annotated[str | None, Query(max_length=80)]


def page_year(year: str | None) -> int | None:
    """A year filter: one outside 1900–2200 or not a number is no filter."""
    if not (year and year.isascii() and year.isdigit()):  # "²" is a digit int() refuses
        return None
    return int(year) if 1900 <= int(year) <= 2200 else None


def project_filter(
    q: Annotated[str | None, Query(max_length=200)] = None,
    focus_area: Short = None,
    core_function: Short = None,
    programme: Short = None,
    convention: Short = None,
    country: Annotated[str | None, Query(max_length=3)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    year: Annotated[str | None, Query(max_length=4)] = None,
    kind: Annotated[str | None, Query(max_length=20)] = None,
) -> explorer.ProjectFilter:
    """The filter of the query string; an empty field is no filter."""
    return explorer.ProjectFilter(
        q or None,
        focus_area or None,
        core_function or None,
        programme or None,
        convention or None,
        country or None,
        status or None,
        page_year(year),
        kind or None,
    )


ProjectQuery = Annotated[explorer.ProjectFilter, Depends(project_filter)]
