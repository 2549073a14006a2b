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

    def provenance(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "unit": self.unit,
            "points": [{"key": p.key, "value": p.value} for p in self.points],
            "result_ids": list(self.result_ids),
        }
        if self.keys:
            out["categories"] = list(self.keys)
        return out


def _series(spec: ChartSpec, figures: Mapping[str, Figure]) -> ChartData:
    points: list[Point] = []
    ids: list[int] = []
    units: set[str] = set()
    for fid in spec.params["series"]:
        fig = figures.get(fid)
        if fig is None:
            raise ValidationError(f"chart {spec.id!r}: unknown figure {fid!r} in its series")
        points.append(Point(fid, fig.value))
        ids += fig.result_ids
        units.add(fig.unit)
    if len(units) > 1:
        raise ValidationError(f"chart {spec.id!r} mixes units {sorted(units)} in one series")
    return ChartData(spec.id, spec.kind, units.pop() if units else "", points, ids)


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
            base.add_columns(ResultRow.unit, func.sum(ResultRow.value))
            .where(*conds)
            .group_by(label, ResultRow.unit)
        )
        per_key: dict[str, list[UnitGroup]] = {}
        for k, unit, total in session.execute(query):
            if k is not None:
                per_key.setdefault(str(int(k)) if group_by == "year" else str(k), []).append(
                    UnitGroup(unit, float(total), [])
                )
        target = str(spec.params.get("unit", ind.unit))
        points = [
            Point(k, convert(sum_groups(ind.code, ind.unit, g), ind.unit, target))
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
    """The years a chart by year shows: those of its window (and any of its points)."""
    if spec.params.get("group_by") != "year":
        return ()
    years = {int(p.key) for p in points}
    if spec.window is not None and spec.window.start and spec.window.end:
        years |= set(range(spec.window.start.year, spec.window.end.year + 1))
    return tuple(str(y) for y in sorted(years))


def compute(session: Session, spec: ChartSpec, figures: Mapping[str, Figure]) -> ChartData:
    if spec.kind not in KINDS:
        raise ValidationError(f"chart {spec.id!r}: kind must be one of {KINDS}")
    if "series" in spec.params:
        return _series(spec, figures)
    if "indicator" not in spec.params:
        raise ValidationError(f"chart {spec.id!r} needs an 'indicator' or a 'series' of figures")
    return _grouped(session, spec)


def figure_spec(spec: ChartSpec) -> FigureSpec:
    """The chart's filters as a figure spec (used to describe it in provenance)."""
    return FigureSpec(spec.id, "chart", spec.params, spec.window)
