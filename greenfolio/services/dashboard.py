"""The dashboard's figures in a few grouped queries: per indicator and year, the same
figure the report's query gives (``services.figures.indicator_figure`` with the
dashboard's parameters), and the number of projects reached per country.

One pass over the verified results gives, per indicator, kind, period end, sex,
milestone, unit and qualifier (the figure index's own order, so nothing is sorted), the
sums and maxima the SUM, COUNT_BY_STATUS and MAX rules need, folded here into years,
the years themselves, and the number of verified results. Indicators taken as their
latest value or as a count of distinct countries or entities get one small query each,
through the figure index. Where a figure would fail (results in a unit of another
kind), the figure query itself is run, so the message is the report's.

A figure's sum is added from the database's subtotals (``math.fsum``), the report's in
one SQL SUM: the two may differ in the last binary digit (about 1e-16 of the value),
which changes a printed figure only if it sits exactly on a rounding boundary.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Integer, case, exists, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session

from greenfolio.domain.errors import GreenfolioError
from greenfolio.domain.indicators import Aggregation, Indicator
from greenfolio.domain.results import (
    FIRST_YEAR,
    LAST_YEAR,
    Qualifier,
    ReviewState,
    combine_qualifiers,
)
from greenfolio.domain.units import UnitGroup, compatible, convert, sum_groups
from greenfolio.domain.work import WorkKind
from greenfolio.services import figures as figure_queries
from greenfolio.services import reference
from greenfolio.services.query_helpers import stored_values
from greenfolio.store.tables import IndicatorRow, ResultRow, WorkCountryRow, WorkRow

YEARS = 8
STATUS = "completed"
"""What a COUNT_BY_STATUS indicator counts on the dashboard (projects completed)."""
VERIFIED = ReviewState.VERIFIED.value
SUMMED = (Aggregation.SUM, Aggregation.COUNT_BY_STATUS, Aggregation.MAX)


@dataclass
class _Groups:
    """Subtotals of one indicator and year, per (unit, qualifier)."""

    sums: dict[tuple[str, str], float] = field(default_factory=dict)
    done: dict[tuple[str, str], float] = field(default_factory=dict)
    tops: dict[tuple[str, str], float] = field(default_factory=dict)


class _Year(ColumnElement[int]):
    """The year a result's period ends in: SQLite keeps dates as ISO text, whose first
    four characters are the year (cheaper than parsing each date); PostgreSQL extracts it."""

    inherit_cache = True
    type = Integer()


@compiles(_Year)
def _year_from_text(element: _Year, compiler: Any, **kw: Any) -> str:
    return f"CAST(substr({compiler.process(ResultRow.period_end, **kw)}, 1, 4) AS INTEGER)"


@compiles(_Year, "postgresql")
def _year_extracted(element: _Year, compiler: Any, **kw: Any) -> str:
    # date_part gives a float; EXTRACT a numeric, much slower to make for a million rows.
    return f"CAST(date_part('year', {compiler.process(ResultRow.period_end, **kw)}) AS integer)"


def _year() -> Any:
    return _Year()


def _scan(session: Session) -> tuple[dict[tuple[str, int], _Groups], set[int], int]:
    """The one pass over verified results: subtotals, years with actual results, and the
    number of verified results.

    Grouped by the leading columns of ``ix_result_figure`` in its own order (period end,
    sex and milestone included), so the database adds up the index as it walks it,
    without sorting its rows (SQLite at a million results: 0.27 s, against 0.88 s grouped
    by year with filtered aggregates). The groups, one per distinct period end of each
    indicator (about a thousand for the synthetic portfolio, whose periods end on 31
    December; tens of thousands where every day is used), are folded into years, units
    and qualifiers here, each subtotal added with ``math.fsum``."""
    cols = (
        ResultRow.indicator_code,
        ResultRow.review_state,
        ResultRow.kind,
        ResultRow.period_end,
        ResultRow.sex,
        ResultRow.milestone,
        ResultRow.unit,
        ResultRow.qualifier,
    )
    query = (
        select(*cols, func.count(), func.sum(ResultRow.value), func.max(ResultRow.value))
        .where(ResultRow.review_state == VERIFIED)
        .group_by(*cols)
    )
    parts: dict[tuple[str, int], dict[str, dict[tuple[str, str], list[float]]]] = {}
    years: set[int] = set()
    verified = 0
    for code, _state, kind, end, sex, milestone, unit, qual, n, total, top in session.execute(
        query
    ):
        verified += int(n)
        if kind != "actual" or end is None:
            continue
        year = end.year if isinstance(end, date) else int(str(end)[:4])
        if not FIRST_YEAR <= year <= LAST_YEAR:  # a slip stored before the rule: no year
            continue
        years.add(year)
        if sex is not None:  # by sex: counted in the years, not in the figures
            continue
        slot = parts.setdefault((code, year), {"sums": {}, "done": {}, "tops": {}})
        slot["sums"].setdefault((unit, qual), []).append(float(total))
        slot["tops"].setdefault((unit, qual), []).append(float(top))
        if milestone == STATUS:
            slot["done"].setdefault((unit, qual), []).append(float(total))
    groups: dict[tuple[str, int], _Groups] = defaultdict(_Groups)
    for key, slot in parts.items():
        groups[key] = _Groups(
            sums={k: math.fsum(v) for k, v in slot["sums"].items()},
            done={k: math.fsum(v) for k, v in slot["done"].items()},
            tops={k: max(v) for k, v in slot["tops"].items()},
        )
    return groups, years, verified


def _actual_plain(codes: Iterable[str], years: list[int]) -> list[Any]:
    return [
        ResultRow.indicator_code.in_(sorted(codes)),
        ResultRow.review_state == VERIFIED,
        ResultRow.kind == "actual",
        ResultRow.sex.is_(None),
        ResultRow.period_end >= date(years[0], 1, 1),
        ResultRow.period_end <= date(years[-1], 12, 31),
    ]


def _latest(session: Session, codes: set[str], years: list[int]) -> dict[tuple[str, int], Any]:
    """Per indicator and year, the value, unit and qualifier of the result ending last."""
    if not codes or not years:
        return {}
    year = _year()
    ranked = (
        select(
            ResultRow.indicator_code,
            year.label("y"),
            ResultRow.value,
            ResultRow.unit,
            ResultRow.qualifier,
            func.row_number()
            .over(
                partition_by=(ResultRow.indicator_code, year),
                order_by=(ResultRow.period_end.desc(), ResultRow.id.desc()),
            )
            .label("rank"),
        )
        .where(*_actual_plain(codes, years))
        .subquery()
    )
    rows = session.execute(select(ranked).where(ranked.c.rank == 1))
    return {(r.indicator_code, int(r.y)): r for r in rows}


def _distinct(
    session: Session, inds: dict[str, Indicator], years: list[int]
) -> dict[tuple[str, int], int]:
    """Per indicator and year, how many distinct countries (or entities) its results name."""
    codes = {c for c, i in inds.items() if i.aggregation not in (*SUMMED, Aggregation.LATEST)}
    if not codes or not years:
        return {}
    by_country = [c for c in codes if inds[c].aggregation is Aggregation.DISTINCT_COUNTRIES]
    named = case(
        (ResultRow.indicator_code.in_(by_country), ResultRow.country), else_=ResultRow.entity
    )
    year = _year()
    query = (
        select(ResultRow.indicator_code, year, func.count(func.distinct(named)))
        .where(*_actual_plain(codes, years))
        .group_by(ResultRow.indicator_code, year)
    )
    return {(code, int(y)): int(n) for code, y, n in session.execute(query)}


def _summed(ind: Indicator, groups: _Groups) -> tuple[float, Qualifier]:
    """The figure of a SUM, COUNT_BY_STATUS or MAX indicator from its subtotals, as
    ``figures.indicator_figure`` combines them."""
    rule = ind.aggregation
    parts = groups.done if rule is Aggregation.COUNT_BY_STATUS else groups.sums
    if rule is Aggregation.MAX:
        parts = groups.tops
    units = [UnitGroup(unit=u, total=t, record_ids=[]) for (u, _), t in parts.items()]
    quals = {Qualifier(q) for _, q in parts}
    if rule is Aggregation.MAX:
        sum_groups(ind.code, ind.unit, units)
        value = max((convert(g.total, g.unit, ind.unit) for g in units), default=0.0)
    else:
        value = convert(sum_groups(ind.code, ind.unit, units), ind.unit, ind.unit)
    return value, combine_qualifiers(quals)


def _params(ind: Indicator) -> dict[str, Any]:
    params: dict[str, Any] = {"indicator": ind.code}
    if ind.aggregation is Aggregation.COUNT_BY_STATUS:
        params["status"] = STATUS
    return params


def _figure_query(session: Session, ind: Indicator, year: int) -> dict[str, Any]:
    """The report's own figure query, for a figure the grouped pass cannot give."""
    window = figure_queries.Window(date(year, 1, 1), date(year, 12, 31))
    spec = figure_queries.FigureSpec(f"{ind.code}-{year}", "indicator", _params(ind), window)
    try:
        fig = figure_queries.indicator_figure(session, spec, with_ids=False)
    except GreenfolioError as exc:
        return {"value": None, "error": str(exc)}
    return {"value": fig.value, "qualifier": fig.qualifier.value}


def _value(
    session: Session,
    ind: Indicator,
    year: int,
    groups: _Groups,
    latest: dict[tuple[str, int], Any],
    distinct: dict[tuple[str, int], int],
) -> dict[str, Any]:
    rule = ind.aggregation
    if rule in SUMMED:
        parts = (*groups.sums, *groups.done, *groups.tops)
        if not parts:  # no verified result that year: none, not a measured zero
            return {"value": None, "qualifier": Qualifier.EXACT.value}
        if any(not compatible(unit, ind.unit) for unit, _ in parts):
            return _figure_query(session, ind, year)
        value, qualifier = _summed(ind, groups)
        return {"value": value, "qualifier": qualifier.value}
    if rule is Aggregation.LATEST:
        row = latest.get((ind.code, year))
        if row is None:
            return {"value": None, "qualifier": Qualifier.EXACT.value}
        if not compatible(row.unit, ind.unit):
            return _figure_query(session, ind, year)
        return {"value": convert(row.value, row.unit, ind.unit), "qualifier": row.qualifier}
    count = distinct.get((ind.code, year))
    return {
        "value": None if count is None else float(count),
        "qualifier": Qualifier.EXACT.value,
    }


def countries(session: Session) -> dict[str, int]:
    """Projects reached per country: named by a verified result or listed on the project
    (each project once per country). Read from the country indexes: the projects of a
    country's verified results, plus those listed there without one."""
    verified = ResultRow.review_state == VERIFIED
    reported = (
        select(ResultRow.country, func.count(func.distinct(ResultRow.work_id)))
        .where(ResultRow.country.is_not(None), verified)
        .group_by(ResultRow.country)
    )
    found = {str(c): int(n) for c, n in session.execute(reported)}
    also = exists().where(
        ResultRow.country == WorkCountryRow.country,
        verified,
        ResultRow.work_id == WorkCountryRow.work_id,
    )
    listed = (
        select(WorkCountryRow.country, func.count()).where(~also).group_by(WorkCountryRow.country)
    )
    for c, n in session.execute(listed):
        found[str(c)] = found.get(str(c), 0) + int(n)
    return dict(sorted(found.items()))


def country_codes(session: Session) -> list[str]:
    """The countries ``countries`` names, without counting their projects: the portfolio's
    country filter needs only which, and makes them again after every write. Counting read
    the whole country index of ``result`` (0.26 s CPU at a million results); this seeks
    once or twice per country."""
    found = set(stored_values(session, "result", "country", "v.review_state = :s", s=VERIFIED))
    found.update(stored_values(session, "work_country", "country"))
    return sorted(found)


def compute(session: Session) -> dict[str, Any]:
    """The dashboard: figures per indicator for the last ``YEARS`` years with verified
    actual results, projects per country, and totals."""
    groups, all_years, verified = _scan(session)
    years = sorted(all_years)[-YEARS:]
    inds = {
        row.code: reference.indicator(session, row.code)
        for row in session.scalars(select(IndicatorRow).order_by(IndicatorRow.code))
    }
    latest_codes = {c for c, i in inds.items() if i.aggregation is Aggregation.LATEST}
    latest = _latest(session, latest_codes, years)
    distinct = _distinct(session, inds, years)
    rows = []
    for code, ind in inds.items():
        values = {
            str(year): _value(session, ind, year, groups[(code, year)], latest, distinct)
            for year in years
        }
        for cell in values.values():  # computed in its unit, shown in the one it reads in
            cell["value"] = ind.shown(cell.get("value"))
        if any(v.get("value") for v in values.values()):
            rows.append(
                {
                    "code": ind.code,
                    "names": dict(ind.names),
                    "unit": ind.display_unit,
                    "aggregation": ind.aggregation.value,
                    "params": _params(ind),
                    "values": values,
                }
            )
    return {
        "years": years,
        "indicators": rows,
        "countries": countries(session),
        # projects only: publications, events and the like are work items, not projects
        "projects": session.scalar(
            select(func.count()).select_from(WorkRow).where(WorkRow.kind == WorkKind.PROJECT)
        )
        or 0,
        "verified_results": verified,
    }
