"""Named figure queries: every number a report prints, computed in SQL from verified results.

A figure is defined as data (an id, a query name and parameters). The query filters
verified results of one indicator, aggregates them in the database by the indicator's
rule, converts units with pint and returns the value with the ids of the results used,
so that a printed number can be traced back to its records.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, select
from sqlalchemy.orm import Session

from greenfolio.domain.errors import NotFoundError, ValidationError
from greenfolio.domain.indicators import Aggregation, Indicator
from greenfolio.domain.results import Qualifier, ReviewState, combine_qualifiers
from greenfolio.domain.units import UnitGroup, compatible, convert, sum_groups
from greenfolio.domain.work import OrgRole
from greenfolio.services import reference
from greenfolio.store.tables import (
    EvidenceFileRow,
    MethodRunRow,
    OrganisationRow,
    ResultRow,
    TermRow,
    WorkOrgRow,
    WorkRow,
    WorkTermRow,
)

TERM_FILTERS = ("programme", "focus_area", "core_function", "convention", "sdg_target")
"""Parameters that filter by the classification of the work a result belongs to."""
FUNDER = "funder"
"""Parameter that keeps the results of work funded by the organisations it names (each by
its key or its IATI organisation identifier): a donor's report counts the projects it
funds, not the whole portfolio."""


def listed(value: Any) -> list[Any]:
    """A figure parameter that names one thing or several, as a list."""
    return value if isinstance(value, list) else [value]


@dataclass(frozen=True)
class Window:
    """The reporting period: results whose period ends inside it count."""

    start: date | None
    end: date | None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
        }


@dataclass(frozen=True)
class FigureSpec:
    id: str
    query: str
    params: Mapping[str, Any] = field(default_factory=dict)
    window: Window | None = None


@dataclass(frozen=True)
class Figure:
    """A computed figure with everything needed to explain it."""

    id: str
    query: str
    params: Mapping[str, Any]
    value: float
    unit: str
    qualifier: Qualifier
    result_ids: Sequence[int]
    items: Sequence[str] = ()
    window: Window | None = None
    last_period_end: date | None = None
    method_runs: Sequence[Mapping[str, Any]] = ()
    evidence: Sequence[Mapping[str, Any]] = ()

    def provenance(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "query": self.query,
            "parameters": dict(self.params),
            "period": self.window.as_dict() if self.window else None,
            "value": self.value,
            "unit": self.unit,
            "qualifier": self.qualifier.value,
            "items": list(self.items),
            "last_period_end": self.last_period_end.isoformat() if self.last_period_end else None,
            "result_ids": list(self.result_ids),
            "method_runs": [dict(run) for run in self.method_runs],
            "evidence": [dict(item) for item in self.evidence],
        }


def check_params(ind: Indicator, params: Mapping[str, Any]) -> None:
    """Refuse parameters that ``result_conditions`` cannot turn into a figure's filters."""
    if (
        not params.get("status")
        and ind.aggregation is Aggregation.COUNT_BY_STATUS
        and "status" not in params
    ):
        raise ValidationError(
            f"indicator {ind.code!r} counts by status: give the figure a 'status' parameter "
            "(planned, under_way or completed)"
        )


def result_conditions(
    ind: Indicator, params: Mapping[str, Any], window: Window | None
) -> list[ColumnElement[bool]]:
    """WHERE clauses shared by every indicator query: the indicator's code, then its
    ``window_conditions`` (verified, actual, in period, filtered)."""
    check_params(ind, params)
    return [ResultRow.indicator_code == ind.code, *window_conditions(params, window)]


def window_conditions(
    params: Mapping[str, Any], window: Window | None
) -> list[ColumnElement[bool]]:
    """The WHERE clauses of ``result_conditions`` but the indicator's code: verified, of
    the kind asked (actual by default), in period, filtered by ``params``; apart so that a
    query over several indicators (the dashboard's) can filter by code its own way."""
    conds: list[ColumnElement[bool]] = [
        ResultRow.review_state == ReviewState.VERIFIED.value,
        ResultRow.kind == params.get("kind", "actual"),
    ]
    if window and window.start:
        conds.append(ResultRow.period_end >= window.start)
    if window and window.end:
        conds.append(ResultRow.period_end <= window.end)
    sex = params.get("sex")
    if sex == "any":
        pass
    elif sex:
        conds.append(ResultRow.sex == sex)
    else:
        conds.append(ResultRow.sex.is_(None))
    if params.get("country"):
        conds.append(ResultRow.country == params["country"])
    if params.get("status"):
        conds.append(ResultRow.milestone == params["status"])
    if params.get("work"):
        keys = listed(params["work"])
        conds.append(ResultRow.work_id.in_(select(WorkRow.id).where(WorkRow.key.in_(keys))))
    for scheme in TERM_FILTERS:
        if params.get(scheme):
            codes = listed(params[scheme])
            keys = [f"{scheme}:{c}" for c in codes]
            conds.append(
                exists().where(
                    and_(WorkTermRow.work_id == ResultRow.work_id, WorkTermRow.term_key.in_(keys))
                )
            )
    if params.get(FUNDER):
        conds.append(
            exists().where(
                WorkOrgRow.work_id == ResultRow.work_id,
                WorkOrgRow.role == OrgRole.FUNDING.value,
                WorkOrgRow.org_id.in_(_funder_ids(listed(params[FUNDER]))),
            )
        )
    return conds


def _funder_ids(funders: Sequence[Any]) -> Select[Any]:
    names = [str(f) for f in funders]
    return select(OrganisationRow.id).where(
        OrganisationRow.key.in_(names) | OrganisationRow.iati_ref.in_(names)
    )


def run_basis(run: MethodRunRow | Any) -> str | None:
    """The GWP basis a method run states (its input, else its output), if any; ``run``
    is the stored run or a row with its ``inputs`` and ``outputs``."""
    details = run.outputs.get("details") if isinstance(run.outputs, dict) else None
    for source, key in ((run.inputs, "gwp"), (details, "gwp_basis")):
        if isinstance(source, dict) and source.get(key):
            return str(source[key])
    return None


@dataclass(frozen=True)
class Trace:
    ids: list[int]
    last: date | None
    runs: list[dict[str, Any]]
    evidence: list[dict[str, Any]] = field(default_factory=list)


def trace_records(session: Session, conds: list[ColumnElement[bool]]) -> Trace:
    """The records behind a figure: result ids, latest period end, the method runs used
    and the current evidence files of those results (id and SHA-256)."""
    rows = session.execute(
        select(ResultRow.id, ResultRow.period_end, ResultRow.method_run_id)
        .where(*conds)
        .order_by(ResultRow.id)
    ).all()
    ends = [r.period_end for r in rows if r.period_end is not None]
    by_run = {r.method_run_id: r.id for r in rows if r.method_run_id is not None}
    runs: list[dict[str, Any]] = []
    if by_run:
        for run in session.scalars(select(MethodRunRow).where(MethodRunRow.id.in_(by_run))):
            runs.append(
                {
                    "run_id": run.id,
                    "method": run.method,
                    "method_version": run.method_version,
                    "refdata_version": run.refdata_version,
                    "result_ids": [r.id for r in rows if r.method_run_id == run.id],
                    "basis": run_basis(run),
                }
            )
    files = session.execute(
        select(EvidenceFileRow.result_id, EvidenceFileRow.id, EvidenceFileRow.sha256)
        .join(ResultRow, ResultRow.id == EvidenceFileRow.result_id)
        .where(*conds, EvidenceFileRow.state == "current")
        .order_by(EvidenceFileRow.result_id, EvidenceFileRow.id)
    )
    evidence = [{"result_id": r, "evidence_id": i, "sha256": h} for r, i, h in files]
    return Trace([r.id for r in rows], max(ends, default=None), runs, evidence)


def _unit_groups(
    session: Session, ind: Indicator, conds: list[ColumnElement[bool]], agg: Callable[..., Any]
) -> tuple[list[UnitGroup], set[Qualifier]]:
    query: Select[Any] = (
        select(ResultRow.unit, ResultRow.qualifier, agg(ResultRow.value))
        .where(*conds)
        .group_by(ResultRow.unit, ResultRow.qualifier)
    )
    groups: list[UnitGroup] = []
    qualifiers: set[Qualifier] = set()
    for unit, qualifier, total in session.execute(query):
        ids: list[int] = []
        if not compatible(unit, ind.unit):
            ids = list(
                session.scalars(
                    select(ResultRow.id).where(*conds, ResultRow.unit == unit).limit(11)
                )
            )
        groups.append(UnitGroup(unit=unit, total=float(total), record_ids=ids))
        qualifiers.add(Qualifier(qualifier))
    return groups, qualifiers


def indicator_figure(session: Session, spec: FigureSpec, with_ids: bool = True) -> Figure:
    """A figure of one indicator, combined by the indicator's aggregation rule."""
    if "indicator" not in spec.params:
        raise ValidationError(f"figure {spec.id!r}: the query needs an 'indicator' parameter")
    ind = reference.indicator(session, str(spec.params["indicator"]))
    conds = result_conditions(ind, spec.params, spec.window)
    unit = str(spec.params.get("unit", ind.unit))
    if not compatible(unit, ind.unit):
        raise ValidationError(
            f"figure {spec.id!r} asks for {unit}, which is not a unit of {ind.code} ({ind.unit})"
        )
    items: list[str] = []
    rule = ind.aggregation
    if rule in (Aggregation.SUM, Aggregation.COUNT_BY_STATUS):
        groups, quals = _unit_groups(session, ind, conds, func.sum)
        value = convert(sum_groups(ind.code, ind.unit, groups), ind.unit, unit)
        qualifier = combine_qualifiers(quals)
    elif rule is Aggregation.MAX:
        groups, quals = _unit_groups(session, ind, conds, func.max)
        sum_groups(ind.code, ind.unit, groups)  # refuses incompatible units
        value = max((convert(g.total, g.unit, unit) for g in groups), default=0.0)
        qualifier = combine_qualifiers(quals)
    elif rule is Aggregation.LATEST:
        row = session.execute(
            select(ResultRow.value, ResultRow.unit, ResultRow.qualifier, ResultRow.id)
            .where(*conds)
            .order_by(ResultRow.period_end.desc(), ResultRow.id.desc())
            .limit(1)
        ).first()
        value = convert(row[0], row[1], unit) if row else 0.0
        qualifier = Qualifier(row[2]) if row else Qualifier.EXACT
    else:
        column = ResultRow.country if rule is Aggregation.DISTINCT_COUNTRIES else ResultRow.entity
        items = sorted(
            v for v in session.scalars(select(column).where(*conds).distinct()) if v is not None
        )
        value = float(len(items))
        qualifier = Qualifier.EXACT
    trace = trace_records(session, conds) if with_ids else Trace([], None, [])
    return Figure(
        spec.id,
        spec.query,
        spec.params,
        value,
        unit,
        qualifier,
        trace.ids,
        items,
        spec.window,
        trace.last,
        trace.runs,
        trace.evidence,
    )


def scheme_terms_figure(session: Session, spec: FigureSpec, with_ids: bool = True) -> Figure:
    """How many terms a classification scheme has (e.g. the four core functions)."""
    scheme = spec.params.get("scheme")
    keys = list(  # plain columns, read on the connection: no ORM work for them
        session.connection().scalars(
            select(TermRow.key).where(TermRow.scheme == scheme).order_by(TermRow.ordinal)
        )
    )
    if not keys:
        raise NotFoundError(f"figure {spec.id!r}: no classification scheme {scheme!r}")
    return Figure(
        spec.id, spec.query, spec.params, float(len(keys)), "term", Qualifier.EXACT, [], keys, None
    )


QUERIES: dict[str, Callable[[Session, FigureSpec, bool], Figure]] = {
    "indicator": indicator_figure,
    "scheme_terms": scheme_terms_figure,
}


def compute(session: Session, spec: FigureSpec, with_ids: bool = True) -> Figure:
    """Run the named query of ``spec``."""
    query = QUERIES.get(spec.query)
    if query is None:
        raise ValidationError(
            f"figure {spec.id!r}: unknown query {spec.query!r}; known: {', '.join(QUERIES)}"
        )
    return query(session, spec, with_ids)


def compute_all(
    session: Session, specs: Sequence[FigureSpec], with_ids: bool = True
) -> dict[str, Figure]:
    return {spec.id: compute(session, spec, with_ids) for spec in specs}
