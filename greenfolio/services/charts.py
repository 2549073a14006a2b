"""Chart data: a figure query broken down by year or by classification, computed in SQL.

A chart is defined as data in a report definition (kind, indicator or figure series,
grouping, filters); this module returns its points with the result ids behind them, so a
chart is as traceable as a printed figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import extract, func, select
from sqlalchemy.orm import Session

from greenfolio.domain.errors import ValidationError
from greenfolio.domain.indicators import Aggregation
from greenfolio.domain.results import Qualifier, combine_qualifiers
from greenfolio.domain.units import UnitGroup, convert, sum_groups
from greenfolio.services import reference
from greenfolio.services.figures import (
    TERM_FILTERS,
    Figure,
    FigureSpec,
    Window,
    result_conditions,
    trace_records,
)
from greenfolio.store.tables import ResultRow, TermRow, WorkTermRow

KINDS = ("bar", "map")
MAP_STEPS = (1, 2, 4)
"""Where the map's shades start: one project in a country, two or three, four or more."""
GROUPINGS = ("year", *TERM_FILTERS)


@dataclass(frozen=True)
class Point:
    key: str
    value: float
    qualifier: Qualifier = Qualifier.EXACT
    """What the source says of the value ("more than 700"), as the figure records it; the
    chart and its table print it as the text does."""


@dataclass(frozen=True)
class ChartSpec:
    id: str
    kind: str
    after: str
    params: Mapping[str, Any]
    window: Window | None = None


@dataclass(frozen=True)
class ChartData:
    id: str
    kind: str
    unit: str
    points: Sequence[Point]
    result_ids: Sequence[int] = field(default=())
    term_names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    keys: Sequence[str] = ()
    """Every category the chart shows, in order, with or without a point: for a chart by
    year, each year of its reporting window (a year without results shows no bar, not
    a zero). Empty: the points' keys."""
    unnamed: Mapping[str, float] = field(default_factory=dict)
    """Per category, the countries its figures count without naming them (a result "in
    22 countries" with no country of its own): a sum, which may include named countries,
    so it is drawn as a second segment beside the distinct named ones (the points)."""

    @property
    def counted(self) -> tuple[str, ...]:
        """The categories with countries counted without names."""
        return tuple(k for k, v in self.unnamed.items() if v)

    def provenance(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "unit": self.unit,
            "points": [
                {"key": p.key, "value": p.value}
                | ({"qualifier": p.qualifier.value} if p.qualifier is not Qualifier.EXACT else {})
                for p in self.points
            ],
            "result_ids": list(self.result_ids),
        }
        if self.keys:
            out["categories"] = list(self.keys)
        if self.counted:
            out["counted_without_names"] = {k: self.unnamed[k] for k in self.counted}
        return out


def _series(spec: ChartSpec, figures: Mapping[str, Figure]) -> ChartData:
    points: list[Point] = []
    ids: list[int] = []
    units: set[str] = set()
    for fid in spec.params["series"]:
        fig = figures.get(fid)
        if fig is None:
            raise ValidationError(f"chart {spec.id!r}: unknown figure {fid!r} in its series")
        points.append(Point(fid, fig.value, fig.qualifier))
        ids += fig.result_ids
        units.add(fig.unit)
    if len(units) > 1:
        raise ValidationError(f"chart {spec.id!r} mixes units {sorted(units)} in one series")
    return ChartData(spec.id, spec.kind, units.pop() if units else "", points, ids)


def _figure_rows(
    session: Session, spec: ChartSpec, figures: Mapping[str, Figure], ids: Sequence[str]
) -> list[tuple[str, Any]]:
    """The results behind the figures ``ids`` (those the text prints): (figure id, row)."""
    out: list[tuple[str, Any]] = []
    for fid in ids:
        fig = figures.get(fid)
        if fig is None:
            raise ValidationError(f"chart {spec.id!r}: unknown figure {fid!r}")
        if fig.result_ids:
            query = select(
                ResultRow.id, ResultRow.country, ResultRow.work_id, ResultRow.value, ResultRow.unit
            ).where(ResultRow.id.in_(list(fig.result_ids)))
            out += [(fid, row) for row in session.execute(query)]
    return out


def _countries_of_figures(
    session: Session, spec: ChartSpec, figures: Mapping[str, Figure]
) -> ChartData:
    """Countries per category from the figures the text prints for it (``figures:
    {category: [figure ids]}``): each point the distinct countries their results name
    (each country once, whichever figures name it); beside it, in ``unnamed``, how far the
    countries a figure counts without naming them (a result in countries with no country
    of its own, e.g. "22 countries have completed their assessment") carry the bar beyond
    them. Such counts may include one another and the countries named, so they are not
    added up (a delegate read "3 + 47" of five overlapping counts as 50 countries): the bar
    reaches the largest of them, the fewest countries the text implies. Counts the text
    says are apart ("22 have completed … and 5 more are carrying one out") are listed
    together, ``[mia_completed, mia_under_way]``, and count as their sum (27)."""
    groups: Mapping[str, Sequence[str | Sequence[str]]] = spec.params["figures"]
    points: list[Point] = []
    unnamed: dict[str, float] = {}
    ids: set[int] = set()
    for key, entries in groups.items():
        named: set[str] = set()
        largest = 0.0
        for entry in entries:
            apart = [entry] if isinstance(entry, str) else list(entry)
            counted = 0.0
            for _fid, row in _figure_rows(session, spec, figures, apart):
                ids.add(row.id)
                if row.country:
                    named.add(row.country)
                elif row.unit == "country":
                    counted += float(row.value)
            largest = max(largest, counted)
        points.append(Point(str(key), float(len(named))))
        unnamed[str(key)] = max(0.0, largest - len(named))
    names: dict[str, Mapping[str, str]] = {}
    for term in session.scalars(select(TermRow).where(TermRow.key.in_([p.key for p in points]))):
        names[term.key] = term.names
    return ChartData(spec.id, spec.kind, "country", points, sorted(ids), names, unnamed=unnamed)


def _map_of_figures(session: Session, spec: ChartSpec, figures: Mapping[str, Figure]) -> ChartData:
    """The map of the countries the text names (``figures: [figure ids]``): each country
    a result behind one of those figures names, with its number of projects."""
    works: dict[str, set[int]] = {}
    ids: set[int] = set()
    for _fid, row in _figure_rows(session, spec, figures, list(spec.params["figures"])):
        if row.country:
            ids.add(row.id)
            works.setdefault(row.country, set()).add(row.work_id)
    points = [Point(c, float(len(w))) for c, w in sorted(works.items())]
    return ChartData(spec.id, spec.kind, "country", points, sorted(ids))


def _grouped(session: Session, spec: ChartSpec) -> ChartData:
    ind = reference.indicator(session, str(spec.params["indicator"]))
    conds = result_conditions(ind, spec.params, spec.window)
    group_by = spec.params.get("group_by")
    trace = trace_records(session, conds)
    if spec.kind == "map" or group_by is None:  # projects (pieces of work) per country
        by_country = (
            select(ResultRow.country, func.count(ResultRow.work_id.distinct()))
            .where(*conds)
            .group_by(ResultRow.country)
        )
        per_country = [Point(c, float(n)) for c, n in session.execute(by_country) if c]
        per_country.sort(key=lambda p: p.key)
        return ChartData(spec.id, spec.kind, "country", per_country, trace.ids)
    if group_by not in GROUPINGS:
        raise ValidationError(f"chart {spec.id!r}: group_by must be one of {GROUPINGS}")
    if group_by == "year":
        label: Any = extract("year", ResultRow.period_end)
        base = select(label)
    else:
        label = WorkTermRow.term_key
        base = (
            select(label)
            .join(WorkTermRow, WorkTermRow.work_id == ResultRow.work_id)
            .where(WorkTermRow.term_key.like(f"{group_by}:%"))
        )
    points: list[Point] = []
    if ind.aggregation in (Aggregation.DISTINCT_COUNTRIES, Aggregation.DISTINCT_ENTITIES):
        column = (
            ResultRow.country
            if ind.aggregation is Aggregation.DISTINCT_COUNTRIES
            else (ResultRow.entity)
        )
        query = base.add_columns(func.count(column.distinct())).where(*conds).group_by(label)
        points = [Point(str(k), float(v)) for k, v in session.execute(query) if k is not None]
    else:
        query = (
            base.add_columns(ResultRow.unit, ResultRow.qualifier, func.sum(ResultRow.value))
            .where(*conds)
            .group_by(label, ResultRow.unit, ResultRow.qualifier)
        )
        per_key: dict[str, list[UnitGroup]] = {}
        qualifiers: dict[str, set[Qualifier]] = {}
        for k, unit, qualifier, total in session.execute(query):
            if k is not None:
                key = str(int(k)) if group_by == "year" else str(k)
                per_key.setdefault(key, []).append(UnitGroup(unit, float(total), []))
                qualifiers.setdefault(key, set()).add(Qualifier(qualifier))
        target = str(spec.params.get("unit", ind.unit))
        points = [
            Point(
                k,
                convert(sum_groups(ind.code, ind.unit, g), ind.unit, target),
                combine_qualifiers(qualifiers[k]),
            )
            for k, g in per_key.items()
        ]
    points.sort(key=lambda p: p.key)
    names: dict[str, Mapping[str, str]] = {}
    if group_by != "year":
        for row in session.scalars(select(TermRow).where(TermRow.key.in_([p.key for p in points]))):
            names[row.key] = row.names
    unit = (
        "country"
        if ind.aggregation is Aggregation.DISTINCT_COUNTRIES
        else str(spec.params.get("unit", ind.unit))
    )
    return ChartData(spec.id, spec.kind, unit, points, trace.ids, names, _years(spec, points))


def _years(spec: ChartSpec, points: Sequence[Point]) -> tuple[str, ...]:
    """The years a chart by year shows: from the first year with a value to the last (a
    year between them without results keeps its place, shown without a bar), not the
    query's whole window, whose empty years at either end would only show dashes."""
    if spec.params.get("group_by") != "year" or not points:
        return ()
    years = [int(p.key) for p in points]
    return tuple(str(y) for y in range(min(years), max(years) + 1))


def compute(session: Session, spec: ChartSpec, figures: Mapping[str, Figure]) -> ChartData:
    if spec.kind not in KINDS:
        raise ValidationError(f"chart {spec.id!r}: kind must be one of {KINDS}")
    if "series" in spec.params:
        return _series(spec, figures)
    if "figures" in spec.params:
        if spec.kind == "map":
            return _map_of_figures(session, spec, figures)
        return _countries_of_figures(session, spec, figures)
    if "indicator" not in spec.params:
        raise ValidationError(
            f"chart {spec.id!r} needs an 'indicator', a 'series' of figures or 'figures'"
        )
    return _grouped(session, spec)


def figure_spec(spec: ChartSpec) -> FigureSpec:
    """The chart's filters as a figure spec (used to describe it in provenance)."""
    return FigureSpec(spec.id, "chart", spec.params, spec.window)
