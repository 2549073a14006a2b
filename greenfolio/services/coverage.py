"""Whether a result will count anywhere: the report periods that take it in.

A figure counts a verified result when the result's period ends inside the figure's window
for a report year. A result without a period, or whose period ends outside every window of
the reports that use its indicator, is counted by no figure; people recording it should
hear so while they can still fix the period.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from greenfolio.services.database import Database
from greenfolio.services.report_definition import (
    SHIPPED,
    ReportDefinition,
    load_definition,
    window,
)
from greenfolio.store.tables import ResultRow

YEARS_AHEAD = 31
"""Windows reach at most 30 years back from a report year; a later year cannot take it in."""


def _covering(definition: ReportDefinition, indicator: str, end: date) -> list[str]:
    """The report years of ``definition`` that count a result of ``indicator`` ending ``end``."""
    years = sorted(definition.sessions) or range(end.year, end.year + YEARS_AHEAD)
    found = []
    for year in years:
        for spec in definition.figure_specs(year):
            if spec.params.get("indicator") != indicator or spec.window is None:
                continue
            start, stop = spec.window.start, spec.window.end
            if (start is None or start <= end) and (stop is None or end <= stop):
                found.append(f"{definition.name} {year}")
                break
    return found


def uses(definition: ReportDefinition, indicator: str) -> bool:
    return any(raw.get("indicator") == indicator for raw in definition.figures.values())


def warning(
    indicator: str,
    period_end: date | None,
    result_id: int | None = None,
    definitions: Sequence[ReportDefinition] | None = None,
) -> str | None:
    """Why no shipped report would count such a result, or None if one would (or none uses
    the indicator at all, as with indicators kept for reports of one's own)."""
    if definitions is None:
        definitions = shipped()
    using = [d for d in definitions if uses(d, indicator)]
    if not using:
        return None
    who = f"result {result_id}" if result_id is not None else "this result"
    if period_end is None:
        return (
            f"{who} has no period, so no report counts it: record results with "
            "--period-start and --period-end (YYYY-MM-DD)"
        )
    if any(_covering(d, indicator, period_end) for d in using):
        return None
    spans = []
    for d in using:
        for year in sorted(d.sessions)[-1:]:
            w = window(d.period, year)
            spans.append(f"{d.name} {year} counts periods ending {w.start} to {w.end}")
    listed = "; ".join(spans)
    return f"{who} ends on {period_end}, outside every report period ({listed})"


def shipped() -> list[ReportDefinition]:
    return [load_definition(name) for name in SHIPPED]


def warnings(db: Database, ids: Sequence[int]) -> dict[int, str]:
    """Service call: for each result among ``ids`` that no report would count, why not."""
    with db.transaction() as session:
        rows = session.execute(
            select(ResultRow.id, ResultRow.indicator_code, ResultRow.period_end).where(
                ResultRow.id.in_(list(ids))
            )
        ).all()
    definitions = shipped()
    found = {}
    for rid, indicator, end in rows:
        text = warning(indicator, end, rid, definitions)
        if text:
            found[rid] = text
    return found
