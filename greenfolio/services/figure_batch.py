"""Every indicator figure of a report from one read of its window.

A report's figures are slices of the same results: one indicator, verified, its period
ending in the report's window, filtered by project, programme, sex, status or country.
Rather than two queries per figure (the value, then the records behind it), the
verified results of every indicator the report names, in the union of its windows, are
read once from the figure index, with the classification of their projects; each
figure then takes its slice and combines it by its indicator's rule, as
``figures.indicator_figure`` does in SQL (the same checks, errors and provenance).
Sums are exact to the last digit (``math.fsum``); ``indicator_figure`` leaves them to the
database, whose order of addition may change the last binary digit.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from greenfolio.domain.errors import ValidationError
from greenfolio.domain.indicators import Aggregation, Indicator
from greenfolio.domain.results import Qualifier, combine_qualifiers
from greenfolio.domain.units import UnitGroup, compatible, convert, sum_groups
from greenfolio.services import figure_read, reference
from greenfolio.services import figures as figure_queries
from greenfolio.services.collector import relaxed_gc
from greenfolio.store.tables import (
    MethodRunRow,
    WorkRow,
)


class Row(NamedTuple):
    """One result of the window as read (``figure_read.COLUMNS``, then the project's term).

    The database's rows become these at once: reading a field of a named tuple costs a
    tenth of reading it from a SQLAlchemy row by name, and the figures read each field of
    thousands of rows several times."""

    id: int
    indicator_code: str
    kind: str
    period_end: date | None
    sex: str | None
    milestone: str | None
    unit: str
    qualifier: str
    value: float
    country: str | None
    entity: str | None
    method_run_id: int | None
    work_id: int
    term: str | None


KNOWN = {"indicator", "kind", "sex", "country", "status", "work", "unit"} | set(
    figure_queries.TERM_FILTERS
)
MISMATCH_IDS = 11
"""Records named when a unit cannot be converted (as ``figures._unit_groups`` reads)."""


def _bounds(specs: Sequence[figure_queries.FigureSpec]) -> tuple[date | None, date | None]:
    """The union of the figures' windows (None: a figure has no bound on that side)."""
    starts = [s.window.start if s.window else None for s in specs]
    ends = [s.window.end if s.window else None for s in specs]
    lo = None if None in starts else min(d for d in starts if d is not None)
    hi = None if None in ends else max(d for d in ends if d is not None)
    return lo, hi


class _Window:
    """The verified results of the figures' indicators in their windows, by indicator,
    and the projects each filter names; with provenance, the current evidence files of
    those results too."""

    def __init__(
        self, session: Session, specs: Sequence[figure_queries.FigureSpec], evidence: bool
    ) -> None:
        codes = sorted({str(s.params["indicator"]) for s in specs})
        lo, hi = _bounds(specs)
        kinds = tuple(sorted({str(s.params.get("kind", "actual")) for s in specs}))
        self.codes = codes
        needs, self.by_key = self._needed(session, specs)
        self.bounds = (lo, hi)
        # Rows by indicator, kind and sex. Rows without a period end count only for a
        # figure without one.
        self.dated: dict[tuple[str, str, str | None], list[Row]] = defaultdict(list)
        self.undated: dict[tuple[str, str, str | None], list[Row]] = defaultdict(list)
        self.sexes: dict[tuple[str, str], set[str | None]] = defaultdict(set)
        # One seek of the figure index per indicator (read alone), all in one statement:
        # one round trip, Core rows fetched at once (no ORM work, no row-by-row fetching);
        # indicators whose figures ask the same of their rows share one part (their
        # projects are then looked up once). Rows of an indicator that some figure
        # filters by classification come with the named terms of their project (one row
        # per term), so the classification is read only for the projects of the window.
        alike: dict[figure_read.Need, list[str]] = defaultdict(list)
        for code in codes:
            alike[needs[code]].append(code)
        scope = figure_read.Scope(kinds, lo, hi)
        found = figure_read.read(session.connection(), list(alike.items()), scope, evidence)
        self.by_term: dict[str, set[int]] = defaultdict(set)
        self.evidence: dict[int, dict[int, str]] = defaultdict(dict)
        # One pass: a result comes once per named term and evidence file of it.
        seen: set[int] = set()
        dated, undated = self.dated, self.undated
        by_term, evidence_of, new = self.by_term, self.evidence, tuple.__new__
        iso = date.fromisoformat
        for one in found:
            rid = one[0]
            if rid not in seen:
                seen.add(rid)
                values = one[:14]
                if values[3].__class__ is str:  # SQLite's ISO text (figure_read.read)
                    values = (*values[:3], iso(values[3]), *values[4:])
                row: Row = new(Row, values)
                key = (row.indicator_code, row.kind, row.sex)
                (undated if row.period_end is None else dated)[key].append(row)
            if one[13] is not None:
                by_term[one[13]].add(one[12])
            if one[14] is not None:
                evidence_of[rid][one[14]] = one[15]
        for code, kind, sex in [*dated, *undated]:
            self.sexes[(code, kind)].add(sex)

    @staticmethod
    def _needed(
        session: Session, specs: Sequence[figure_queries.FigureSpec]
    ) -> tuple[dict[str, figure_read.Need], dict[str, int]]:
        """Per indicator, the rows some figure may use: every row of an indicator a figure
        takes whole; of the others, only rows of the projects that the figures of that
        indicator name or classify (most figures take one programme's projects: a few per
        cent of them). And of those only the ones some figure's own filters (status, sex,
        country) let through: an indicator whose figures each take one milestone is not
        read whole. Also the ids of the projects the figures name by key."""
        keys = {
            k
            for s in specs
            if s.params.get("work")
            for k in figure_queries.listed(s.params["work"])
        }
        ids: dict[str, int] = {}
        if keys:
            found = session.execute(
                select(WorkRow.key, WorkRow.id).where(WorkRow.key.in_(sorted(keys)))
            )
            ids = {str(key): int(wid) for key, wid in found}
        whole: set[str] = set()
        works: dict[str, set[int]] = {}
        restrict: dict[str, set[str]] = defaultdict(set)
        named: dict[str, set[str]] = defaultdict(set)
        own: dict[str, set[figure_read.Own] | None] = {}
        for spec in specs:
            code = str(spec.params["indicator"])
            mine = _own_of(spec.params)
            current = own.get(code, set())
            own[code] = None if mine is None or current is None else current | {mine}
            terms = {
                f"{scheme}:{c}"
                for scheme in figure_queries.TERM_FILTERS
                if spec.params.get(scheme)
                for c in figure_queries.listed(spec.params[scheme])
            }
            named[code] |= terms
            if spec.params.get("work"):
                works.setdefault(code, set()).update(
                    ids[k] for k in figure_queries.listed(spec.params["work"]) if k in ids
                )
            elif terms:
                restrict[code] |= terms
            else:
                whole.add(code)
        needs = {}
        for code, filters in own.items():
            needs[code] = figure_read.Need(
                whole=code in whole,
                works=None if code not in works else tuple(sorted(works[code])),
                restrict=tuple(sorted(restrict[code])),
                named=tuple(sorted(named[code])),
                own=None if filters is None else tuple(sorted(filters, key=repr)),
            )
        return needs, ids

    def slice(self, ind: Indicator, spec: figure_queries.FigureSpec) -> list[Row]:
        """The rows ``figures.result_conditions`` would select for ``spec``."""
        params: Mapping[str, Any] = spec.params
        start = spec.window.start if spec.window else None
        end = spec.window.end if spec.window else None
        kind = params.get("kind", "actual")
        sex = params.get("sex")
        works: set[int] | None = None
        if params.get("work"):
            works = {
                self.by_key[k] for k in figure_queries.listed(params["work"]) if k in self.by_key
            }
        for scheme in figure_queries.TERM_FILTERS:
            if params.get(scheme):
                found: set[int] = set()
                for code in figure_queries.listed(params[scheme]):
                    found |= self.by_term.get(f"{scheme}:{code}", set())
                works = found if works is None else works & found
        wanted = sorted(self.sexes[(ind.code, kind)], key=str) if sex == "any" else [sex or None]
        rows: list[Row] = []
        for one in wanted:
            key = (ind.code, kind, one)
            rows += self.dated.get(key, ())
            if start is None and end is None:
                rows += self.undated.get(key, ())
        if start is not None and start != self.bounds[0]:  # the read's bounds hold
            rows = [r for r in rows if r.period_end is None or r.period_end >= start]
        if end is not None and end != self.bounds[1]:
            rows = [r for r in rows if r.period_end is None or r.period_end <= end]
        if params.get("country"):
            rows = [r for r in rows if r.country == params["country"]]
        if params.get("status"):
            rows = [r for r in rows if r.milestone == params["status"]]
        if works is not None:
            rows = [r for r in rows if r.work_id in works]
        rows.sort(key=_by_id)  # provenance lists records by id, as figures.trace_records
        return rows


def _own_of(params: Mapping[str, Any]) -> figure_read.Own | None:
    """The filters of a figure on a result's own columns; None when it takes every row."""
    sex, country, status = params.get("sex"), params.get("country"), params.get("status")
    if sex == "any" and not country and not status:
        return None
    return (sex or None, country or None, status or None)


_by_id = attrgetter("id")


def _groups(ind: Indicator, rows: list[Row], best: Any) -> tuple[list[UnitGroup], set[Qualifier]]:
    """Per (unit, qualifier): the combined value (``best`` of the values), as the SQL
    ``GROUP BY unit, qualifier`` of ``figures._unit_groups`` gives it."""
    values: dict[tuple[str, str], list[float]] = defaultdict(list)
    for r in rows:
        values[(r.unit, r.qualifier)].append(r.value)
    groups = [
        UnitGroup(
            unit=unit,
            total=float(best(vals)),
            # The first records of a unit that cannot be converted (the error names them).
            record_ids=[]
            if compatible(unit, ind.unit)
            else [r.id for r in rows if r.unit == unit][:MISMATCH_IDS],
        )
        for (unit, _), vals in values.items()
    ]
    return groups, {Qualifier(q) for _, q in values}


@dataclass(frozen=True)
class _Provenance:
    """What the provenance of the window's figures names: its method runs (by id) and
    the current evidence files of its results (by result id, in id order)."""

    runs: dict[int, dict[str, Any]]
    evidence: dict[int, list[dict[str, Any]]]


def _provenance(session: Session, window: _Window) -> _Provenance:
    wanted = {r.method_run_id for rows in window.dated.values() for r in rows}
    wanted |= {r.method_run_id for rows in window.undated.values() for r in rows}
    wanted.discard(None)
    runs: dict[int, dict[str, Any]] = {}
    if wanted:
        read = select(
            MethodRunRow.id,
            MethodRunRow.method,
            MethodRunRow.method_version,
            MethodRunRow.refdata_version,
            MethodRunRow.inputs,
            MethodRunRow.outputs,
        ).where(MethodRunRow.id.in_(sorted(wanted)))
        runs = {
            run.id: {
                "run_id": run.id,
                "method": run.method,
                "method_version": run.method_version,
                "refdata_version": run.refdata_version,
                "basis": figure_queries.run_basis(run),  # the GWP basis the run states
            }
            for run in session.execute(read)
        }
    # The current evidence files of every result of the window, read with its rows (as
    # figures.trace_records lists them per figure: by result, then file id).
    evidence = {
        rid: [
            {"result_id": rid, "evidence_id": fid, "sha256": sha}
            for fid, sha in sorted(files.items())
        ]
        for rid, files in window.evidence.items()
    }
    return _Provenance(runs, evidence)


def _figure(
    ind: Indicator,
    spec: figure_queries.FigureSpec,
    rows: list[Row],
    known: _Provenance | None,
) -> figure_queries.Figure:
    """The figure of ``spec`` from its rows; with provenance when ``known`` is given."""
    unit = str(spec.params.get("unit", ind.unit))
    items: list[str] = []
    rule = ind.aggregation
    if rule in (Aggregation.SUM, Aggregation.COUNT_BY_STATUS):
        groups, quals = _groups(ind, rows, math.fsum)
        value = convert(sum_groups(ind.code, ind.unit, groups), ind.unit, unit)
        qualifier = combine_qualifiers(quals)
    elif rule is Aggregation.MAX:
        groups, quals = _groups(ind, rows, max)
        sum_groups(ind.code, ind.unit, groups)  # refuses incompatible units
        value = max((convert(g.total, g.unit, unit) for g in groups), default=0.0)
        qualifier = combine_qualifiers(quals)
    elif rule is Aggregation.LATEST:
        last = max(rows, key=lambda r: (r.period_end, r.id), default=None)
        value = convert(last.value, last.unit, unit) if last else 0.0
        qualifier = Qualifier(last.qualifier) if last else Qualifier.EXACT
    else:
        column = "country" if rule is Aggregation.DISTINCT_COUNTRIES else "entity"
        items = sorted({getattr(r, column) for r in rows} - {None})
        value = float(len(items))
        qualifier = Qualifier.EXACT
    ids: list[int] = []
    ends: list[date] = []
    used: list[dict[str, Any]] = []
    files: list[dict[str, Any]] = []
    if known is not None:
        ids = [r.id for r in rows]
        ends = [r.period_end for r in rows if r.period_end is not None]
        by_run: dict[int, list[int]] = defaultdict(list)
        for r in rows:
            if r.method_run_id is not None:
                by_run[r.method_run_id].append(r.id)
        runs = known.runs
        used = [{**runs[rid], "result_ids": by_run[rid]} for rid in sorted(by_run) if rid in runs]
        if known.evidence:
            files = [dict(f) for rid in ids for f in known.evidence.get(rid, ())]
    return figure_queries.Figure(
        spec.id,
        spec.query,
        spec.params,
        value,
        unit,
        qualifier,
        ids,
        items,
        spec.window,
        max(ends, default=None),
        used,
        files,
    )


def _batchable(spec: figure_queries.FigureSpec) -> bool:
    return spec.query == "indicator" and "indicator" in spec.params and set(spec.params) <= KNOWN


def compute_all(
    session: Session, specs: Sequence[figure_queries.FigureSpec], with_ids: bool = True
) -> dict[str, figure_queries.Figure]:
    """Every figure of ``specs`` (in their order); indicator figures from one read."""
    with relaxed_gc():
        return _compute_all(session, specs, with_ids)


def _compute_all(
    session: Session, specs: Sequence[figure_queries.FigureSpec], with_ids: bool
) -> dict[str, figure_queries.Figure]:
    batch = [s for s in specs if _batchable(s)]
    # The indicators read in one query of plain columns (an ORM entity costs its first
    # compilation in a process more than the whole query).
    by_code = reference.indicators(session, [str(s.params["indicator"]) for s in batch])
    inds: dict[str, Indicator] = {}
    for spec in batch:  # the checks of indicator_figure, with its messages, first
        code = str(spec.params["indicator"])
        ind = by_code.get(code) or reference.indicator(session, code)  # unknown: its error
        figure_queries.check_params(ind, spec.params)
        unit = str(spec.params.get("unit", ind.unit))
        if not compatible(unit, ind.unit):
            raise ValidationError(
                f"figure {spec.id!r} asks for {unit}, which is not a unit of {ind.code} "
                f"({ind.unit})"
            )
        inds[spec.id] = ind
    window = _Window(session, batch, with_ids) if batch else None
    known = _provenance(session, window) if with_ids and window is not None else None
    out: dict[str, figure_queries.Figure] = {}
    for spec in specs:
        if window is not None and spec.id in inds:
            ind = inds[spec.id]
            out[spec.id] = _figure(ind, spec, window.slice(ind, spec), known)
        else:
            out[spec.id] = figure_queries.compute(session, spec, with_ids)
    return out
