"""Dashboard charts: each focus area and each convention, its indicators year by year over
the period of the Board report now in preparation.

The period is the Board report's own window (``reports/board/definition.yaml``, ``period``)
for the report year whose window holds the newest verified result; it is cut into calendar
years, the last usually a part-year (January to June). A value is the figure the report's
query (``services.figures``) gives for that indicator, restricted to the group's term
(the ``focus_area`` / ``convention`` parameter a figure takes) and to that year of the
window: the WHERE clauses are ``figures.window_conditions`` themselves, units combine by
``domain.units`` as in ``figures.indicator_figure``, countries and entities count once.
All sums come from one grouped query (by term, indicator, status and period end, folded
into years and the whole period here), distinct counts from two (by term, indicator and
year, then for the whole period); indicators combined by
their latest or largest value, which no shipped indicator is, fall back to the figure
query itself for each cell. Computed once per state of the data (``view_cache.local``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import extract, func, or_, select
from sqlalchemy.orm import Session

from greenfolio.domain.indicators import Aggregation, Indicator
from greenfolio.domain.permissions import Principal
from greenfolio.domain.results import (
    FIRST_YEAR,
    LAST_YEAR,
    Milestone,
    Qualifier,
    ReviewState,
    combine_qualifiers,
)
from greenfolio.domain.units import UnitGroup, sum_groups
from greenfolio.refdata import loader
from greenfolio.services import figures, reference, view_cache
from greenfolio.services.database import Database
from greenfolio.services.explorer_common import need_reader
from greenfolio.services.report_definition import ReportDefinition, load_definition, window
from greenfolio.store.tables import IndicatorRow, ResultRow, TermRow, WorkTermRow

SCHEMES = ("focus_area", "convention")
"""The classifications the dashboard draws one chart per term of, in this order."""
REPORT = "board"
SUMMED = (Aggregation.SUM, Aggregation.COUNT_BY_STATUS)
DISTINCT = (Aggregation.DISTINCT_COUNTRIES, Aggregation.DISTINCT_ENTITIES)
STATUSES = frozenset(m.value for m in Milestone)
"""The statuses an indicator counted by status has a figure for (``figure_params``)."""
WHOLE = "period"
"""The key of the whole-period value, beside the years."""


@dataclass(frozen=True)
class Slice:
    """One calendar year of the report window, cut to the window."""

    year: int
    start: date
    end: date

    @property
    def part(self) -> bool:
        return (self.start, self.end) != (date(self.year, 1, 1), date(self.year, 12, 31))


def report_year(definition: ReportDefinition, newest: date | None, today: date) -> int:
    """The report year whose window holds ``newest`` (the latest period end of a verified
    actual result): the first year whose window ends on or after it. Without results,
    the report of ``today``."""
    if newest is None:
        return today.year
    end_at = definition.period.get("end")
    offset = end_at[0] if end_at else 0
    for year in range(newest.year - offset - 1, newest.year - offset + 2):
        end = window(definition.period, year).end
        if end is None or end >= newest:
            return year
    return newest.year - offset + 1


def slices(win: figures.Window) -> list[Slice]:
    """The calendar years of a window, each cut to the window."""
    if win.start is None or win.end is None:
        return []
    return [
        Slice(y, max(win.start, date(y, 1, 1)), min(win.end, date(y, 12, 31)))
        for y in range(win.start.year, win.end.year + 1)
    ]


def figure_params(ind: Indicator) -> Iterator[dict[str, Any]]:
    """The parameters of the report's figure query for ``ind``: one figure per status for
    an indicator counted by status (planned, under way, completed), else one."""
    if ind.aggregation is Aggregation.COUNT_BY_STATUS:
        for milestone in Milestone:
            yield {"indicator": ind.code, "status": milestone.value}
    else:
        yield {"indicator": ind.code}


def _indicators(session: Session) -> list[Indicator]:
    """Stored indicators, in the order of the packaged registry, others after by code."""
    order = {code: i for i, code in enumerate(loader.indicators())}
    rows = session.scalars(select(IndicatorRow)).all()  # one query; each get below is a lookup
    codes = sorted((r.code for r in rows), key=lambda c: (order.get(c, 1e9), c))
    return [reference.indicator(session, code) for code in codes]


def _shared(inds: Sequence[Indicator], win: figures.Window) -> list[Any]:
    """The report's WHERE clauses (``figures.window_conditions``) that every figure of the
    dashboard shares: one IN on the indicator codes instead of one OR branch per figure
    (which the databases scan far more slowly), and no status, which the caller takes from
    the milestone it groups by."""
    codes = ResultRow.indicator_code.in_([i.code for i in inds])
    return [codes, *figures.window_conditions({}, win)]


def _base(query: Any, inds: Sequence[Indicator], win: figures.Window) -> Any:
    """``query`` over the shared conditions, joined to the works' focus areas and
    conventions. The terms are sought by scheme prefix, as the baseline scan does: with an
    IN on the term keys SQLite probes the term index once per key and result (3x slower)."""
    schemes = or_(*(WorkTermRow.term_key.startswith(f"{s}:", autoescape=True) for s in SCHEMES))
    return query.join(WorkTermRow, WorkTermRow.work_id == ResultRow.work_id).where(
        schemes, *_shared(inds, win)
    )


def _status(ind: Indicator, milestone: str | None) -> tuple[bool, str | None]:
    """Whether a result of this milestone counts for ``ind``, and the status its figure
    has: an indicator counted by status takes only results of a status (``figure_params``)."""
    if ind.aggregation is not Aggregation.COUNT_BY_STATUS:
        return True, None
    return milestone in STATUSES, milestone


def _cells(
    session: Session, inds: list[Indicator], win: figures.Window, keys: list[str]
) -> dict[tuple[str, str, str | None], dict[str, dict[str, Any]]]:
    """{(term, indicator, status): {year or WHOLE: {"value", "qualifier"}}}, from one
    grouped query of sums and two of distinct counts (by year and for the whole window).

    The sums are grouped by period end (a few hundred dates, not a year computed per row)
    and folded into years here; the years partition the window, so the whole window's
    cell takes the parts of all its years. A distinct count cannot be added up that way and
    keeps its own query per year and for the whole window."""
    by_code = {ind.code: ind for ind in inds}
    wanted = set(keys)
    summed = [i for i in inds if i.aggregation not in DISTINCT]
    counted = [i for i in inds if i.aggregation in DISTINCT]
    groups: dict[tuple[str, str, str | None, str], list[tuple[UnitGroup, Qualifier]]] = {}
    out: dict[tuple[str, str, str | None], dict[str, dict[str, Any]]] = {}
    if summed and keys:
        cols = [
            WorkTermRow.term_key,
            ResultRow.indicator_code,
            ResultRow.milestone,
            ResultRow.period_end,
            ResultRow.unit,
            ResultRow.qualifier,
        ]
        query = _base(select(*cols, func.sum(ResultRow.value)), summed, win).group_by(*cols)
        for term, code, milestone, end, unit, qual, total in session.execute(query):
            counts, status = _status(by_code[code], milestone)
            if not counts or term not in wanted:
                continue
            part = (UnitGroup(unit=unit, total=float(total), record_ids=[]), Qualifier(qual))
            groups.setdefault((term, code, status, str(_day(end).year)), []).append(part)
            groups.setdefault((term, code, status, WHOLE), []).append(part)
    for by_year in (True, False):
        if counted and keys:
            keyed: list[Any] = [WorkTermRow.term_key, ResultRow.indicator_code]
            if by_year:
                keyed.append(extract("year", ResultRow.period_end))
            countries = func.count(ResultRow.country.distinct())
            query = select(*keyed, countries, func.count(ResultRow.entity.distinct()))
            for row in session.execute(_base(query, counted, win).group_by(*keyed)):
                if row[0] not in wanted:
                    continue
                rule = by_code[row[1]].aggregation
                count = row[-2] if rule is Aggregation.DISTINCT_COUNTRIES else row[-1]
                if count:
                    cell = {"value": float(count), "qualifier": Qualifier.EXACT.value}
                    slot = str(int(row[2])) if by_year else WHOLE
                    out.setdefault((row[0], row[1], None), {})[slot] = cell
    for (term, code, status, slot), parts in groups.items():
        ind = by_code[code]
        if ind.aggregation in SUMMED:
            # in the indicator's unit, as the report gives it (figures.indicator_figure)
            cell = {
                "value": sum_groups(ind.code, ind.unit, [g for g, _ in parts]),
                "qualifier": combine_qualifiers({q for _, q in parts}).value,
            }
        else:  # latest or largest value: the report's own query, for this one cell
            scheme, _, value = term.partition(":")
            start, end = (win.start, win.end) if slot == WHOLE else _year_bounds(win, int(slot))
            spec = figures.FigureSpec(
                f"dashboard-{term}-{code}-{slot}",
                "indicator",
                {"indicator": code, scheme: value},
                figures.Window(start, end),
            )
            fig = figures.indicator_figure(session, spec, with_ids=False)
            cell = {"value": fig.value, "qualifier": fig.qualifier.value}
        out.setdefault((term, code, status), {})[slot] = cell
    return out


def shown_in_display_units(
    cells: dict[tuple[str, str, str | None], dict[str, dict[str, Any]]],
    by_code: dict[str, Indicator],
) -> None:
    """Each cell's value in its indicator's display unit (``Indicator.shown_in``)."""
    for (_, code, _), slots in cells.items():
        for cell in slots.values():
            cell["value"] = by_code[code].shown(cell.get("value"))


def _day(value: date | str) -> date:
    """A period end as read back (a date; a string where the driver gives one)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _year_bounds(win: figures.Window, year: int) -> tuple[date, date]:
    found = next(s for s in slices(win) if s.year == year)
    return found.start, found.end


def _compute(session: Session, today: date, asked: int | None = None) -> dict[str, Any]:
    definition = load_definition(REPORT)
    verified = (ResultRow.review_state == ReviewState.VERIFIED.value, ResultRow.kind == "actual")
    # A date outside the years results may have (one stored before that rule, or by SQL)
    # names no report year: it is left out here rather than stopping the page.
    span = ResultRow.period_end.between(date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31))
    newest, oldest = session.execute(
        select(func.max(ResultRow.period_end), func.min(ResultRow.period_end)).where(
            *verified, span
        )
    ).one()
    latest = report_year(definition, _day(newest) if newest else None, today)

    def _holds(year: int) -> bool:  # a verified result in the window (by ix_result_period)
        win = window(definition.period, year)
        found = select(ResultRow.id).where(
            ResultRow.period_end.between(win.start, win.end), *verified
        )
        return bool(session.scalar(select(found.exists())))

    earliest = report_year(definition, _day(oldest), today) if oldest else latest
    years = [y for y in range(earliest, latest + 1) if y in (earliest, latest) or _holds(y)]
    year = asked if asked in years else latest
    win = window(definition.period, year)
    terms = list(
        session.scalars(
            select(TermRow)
            .where(TermRow.scheme.in_(SCHEMES))
            .order_by(TermRow.scheme, TermRow.ordinal, TermRow.key)
        )
    )
    inds = _indicators(session)
    cells = _cells(session, inds, win, [t.key for t in terms])
    shown_in_display_units(cells, {ind.code: ind for ind in inds})
    charts = []
    for scheme in SCHEMES:
        for term in (t for t in terms if t.scheme == scheme):
            rows = [
                {
                    "indicator": ind.code,
                    "names": dict(ind.names),
                    "unit": ind.display_unit,
                    "aggregation": ind.aggregation.value,
                    "status": params.get("status"),
                    "params": {**params, scheme: term.code},
                    "values": found,
                }
                for ind in inds
                for params in figure_params(ind)
                if (found := cells.get((term.key, ind.code, params.get("status"))))
            ]
            if rows:
                charts.append(
                    {
                        "scheme": scheme,
                        "code": term.code,
                        "key": term.key,
                        "label": term.label,
                        "names": dict(term.names),
                        "rows": rows,
                    }
                )
    return {
        "report": definition.name,
        "year": year,
        "years": years,
        "window": win.as_dict(),
        "slices": [
            {
                "key": str(s.year),
                "start": s.start.isoformat(),
                "end": s.end.isoformat(),
                "part": s.part,
            }
            for s in slices(win)
        ],
        "charts": charts,
    }


def dashboard_charts(
    db: Database, principal: Principal, today: date | None = None, year: int | None = None
) -> dict[str, Any]:
    """Service call: one chart per focus area and per convention that has verified results
    in the window of the Board report of ``year`` (by default the newest verified result's),
    each row an indicator (per status where it is counted by status) with its value per
    year of the window and for the whole window; ``years`` lists the report years whose
    windows hold a verified result, which ``year`` is chosen among."""
    need_reader(principal)
    day = today or date.today()
    return view_cache.local(
        db, f"dashboard_charts:{day.year}:{year}", lambda s: _compute(s, day, year)
    )
