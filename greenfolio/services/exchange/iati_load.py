"""Read stored work items back as IATI ``Activity`` records, a batch at a time.

This is what an export writes and what the round-trip tests compare: a record read
back equals the record that was stored (in its canonical order).
"""

from __future__ import annotations

from collections import defaultdict, namedtuple
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Date, DateTime, Result, Select, String, select, type_coerce
from sqlalchemy.orm import Session

from greenfolio.domain import activity_dates
from greenfolio.domain.iati import (
    Activity,
    CodeShare,
    CountryShare,
    IatiIndicator,
    IatiResult,
    Money,
    Observation,
    OrgRef,
    Participant,
    canonical_order,
)
from greenfolio.domain.results import ValueKind
from greenfolio.domain.work import OrgRole, WorkStatus
from greenfolio.services.exchange import codelists
from greenfolio.services.exchange.iati_json import (
    document_from_json,
    location_from_json,
    org_from_json,
)
from greenfolio.store.tables import (
    IatiIndicatorRow,
    IndicatorRow,
    OrganisationRow,
    ResultRow,
    WorkCountryRow,
    WorkFinanceRow,
    WorkOrgRow,
    WorkRegionRow,
    WorkRow,
    WorkSectorRow,
)

BATCH = 1000
# stored values to their enum members by a dict (calling the enum costs ten times more)
_STATUSES = {s.value: s for s in WorkStatus}
_ROLES = {r.value: r for r in OrgRole}
_KINDS = {k.value: k for k in ValueKind}


def aware(stamp: datetime | None) -> datetime | None:
    if stamp is None or stamp.tzinfo is not None:
        return stamp
    return stamp.replace(tzinfo=UTC)


def _dates(row: Any) -> dict[str, date]:
    stored = (row.details or {}).get("dates")
    if stored is not None:
        return {k: date.fromisoformat(v) for k, v in stored.items()}
    status = _STATUSES[row.status] if row.status else None
    typed = activity_dates.inferred(_day(row.start_date), _day(row.end_date), status)
    return {kind.code: day for kind, day in typed.items()}


def _day(value: Any) -> date | None:
    """A date column's value read by ``_select``: a date, or on SQLite its ISO text."""
    if value is None or type(value) is date:
        return value
    return date.fromisoformat(value)


def _stamp(value: Any) -> datetime | None:
    """A timestamp column's value read by ``_select``: a datetime, or on SQLite its text."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def _select(conn: Connection, table: Any, names: tuple[str, ...] = ()) -> Select[Any]:
    """The columns of ``table`` named in ``names`` (all if none: a record needs neither
    the bookkeeping nor the review columns); on SQLite, dates and timestamps as their
    stored ISO text (``_day`` and ``_stamp`` read them), which costs a tenth of
    SQLAlchemy's parsing of each one."""
    columns = [table.c[n] for n in names] if names else list(table.c)
    if conn.dialect.name != "sqlite":
        return select(*columns)
    return select(
        *(
            type_coerce(c, String).label(c.name) if isinstance(c.type, Date | DateTime) else c
            for c in columns
        )
    )


# The columns a record read back uses.
_WORK_COLUMNS = (
    "id",
    "key",
    "title",
    "description",
    "status",
    "start_date",
    "end_date",
    "iati_updated",
    "currency",
    "language",
    "details",
)
_RESULT_COLUMNS = (
    "id",
    "work_id",
    "indicator_code",
    "kind",
    "value",
    "period_start",
    "period_end",
    "dimensions",
    "details",
)


@lru_cache(maxsize=64)
def _record(names: tuple[str, ...]) -> Any:
    return namedtuple("Stored", names, rename=True)


def _plain(result: Result[Any]) -> list[Any]:
    """The rows of ``result``, fetched whole, as named tuples: a field of a named tuple is
    read in a tenth of the time of a SQLAlchemy row's, and a record reads dozens."""
    make = _record(tuple(result.keys()))._make
    return [make(row) for row in result.all()]


def _rows(conn: Connection, model: Any, ids: list[int], *order: Any) -> dict[int, list[Any]]:
    """The rows of ``model`` that belong to ``ids``, by work id (plain rows, not objects)."""
    found: dict[int, list[Any]] = defaultdict(list)
    table = model.__table__
    query = _select(conn, table).where(table.c.work_id.in_(ids))
    for row in _plain(conn.execute(query.order_by(*order) if order else query)):
        found[row.work_id].append(row)
    return found


def load_activities(
    session: Session,
    work_ids: Sequence[int],
    states: Sequence[str] | None = None,
    date_notes: dict[int, dict[str, str]] | None = None,
) -> list[Activity]:
    """The stored records of ``work_ids``, in that order, as ``Activity`` values.

    ``states`` limits the IATI results read back to those review states (all if None).
    ``date_notes``, if given, receives by work id the dates stated only to the month or
    year (``domain.activity_dates``), which an export writes beside the dates.
    Rows are read as plain rows, a handful of queries per batch: an export or an update
    reads thousands of records, and ORM objects would cost more than the queries.
    """
    if not work_ids:
        return []
    ids = list(work_ids)
    session.flush()  # the rows are read past the session, on its connection
    conn = session.connection()
    work = WorkRow.__table__
    works = {
        w.id: w
        for w in _plain(conn.execute(_select(conn, work, _WORK_COLUMNS).where(work.c.id.in_(ids))))
    }
    org_table = OrganisationRow.__table__
    orgs = {
        o.id: o
        for o in conn.execute(
            select(org_table.c.id, org_table.c.kind, org_table.c.iati_ref, org_table.c.names).where(
                org_table.c.id.in_(select(WorkOrgRow.org_id).where(WorkOrgRow.work_id.in_(ids)))
            )
        ).all()
    }
    org_types = codelists.codes("OrganisationType")
    refs: dict[int, OrgRef] = {}

    def ref_of(oid: int) -> OrgRef:
        o = orgs[oid]
        kind = o.kind if o.kind in org_types else None
        return OrgRef(ref=o.iati_ref, type=kind, names=dict(o.names or {}))

    links = _rows(conn, WorkOrgRow, ids)
    countries = _rows(conn, WorkCountryRow, ids, WorkCountryRow.country)
    sectors = _rows(conn, WorkSectorRow, ids, WorkSectorRow.vocabulary, WorkSectorRow.code)
    regions = _rows(conn, WorkRegionRow, ids, WorkRegionRow.vocabulary, WorkRegionRow.code)
    money = _rows(conn, WorkFinanceRow, ids, WorkFinanceRow.ordinal)
    frames = _rows(
        conn, IatiIndicatorRow, ids, IatiIndicatorRow.result_no, IatiIndicatorRow.indicator_no
    )
    names: dict[str, Any] = dict(
        conn.execute(
            select(IndicatorRow.code, IndicatorRow.names).where(
                IndicatorRow.code.in_(
                    select(IatiIndicatorRow.indicator_code).where(IatiIndicatorRow.work_id.in_(ids))
                )
            )
        ).all()
    )
    result = ResultRow.__table__
    query = _select(conn, result, _RESULT_COLUMNS).where(
        result.c.work_id.in_(ids), result.c.indicator_code.in_(list(names) or [""])
    )
    if states is not None:
        query = query.where(result.c.review_state.in_(list(states)))
    values: dict[int, list[Any]] = defaultdict(list)
    for row in _plain(conn.execute(query.order_by(result.c.id))):
        values[row.work_id].append(row)

    out: list[Activity] = []
    for wid in ids:
        w = works[wid]
        details = w.details or {}
        notes = details.get("date_notes")
        if date_notes is not None and isinstance(notes, dict):
            date_notes[wid] = {str(k): str(v) for k, v in notes.items()}
        act = Activity(
            identifier=w.key,
            title=dict(w.title or {}),
            description=dict(w.description or {}),
            other_descriptions=[(k, dict(t)) for k, t in details.get("descriptions", [])],
            last_updated=aware(_stamp(w.iati_updated)),
            language=w.language,
            currency=w.currency,
            status=_STATUSES[w.status] if w.status else None,
            dates=_dates(w),
            countries=[CountryShare(country=c.country, percentage=c.share) for c in countries[wid]],
            locations=[location_from_json(x) for x in details.get("locations", [])],
            documents=[document_from_json(x) for x in details.get("documents", [])],
            extras=dict(details.get("extras", {})),
        )
        for link in links[wid]:
            role = _ROLES[link.role]
            org = refs.get(link.org_id)
            if org is None:
                org = refs[link.org_id] = ref_of(link.org_id)
            if role is OrgRole.REPORTING:
                act.reporting_org = act.reporting_org or OrgRef(org.ref, org.type, dict(org.names))
            else:
                act.participants.append(
                    Participant(OrgRef(org.ref, org.type, dict(org.names)), role)
                )
        act.sectors = [_share(s) for s in sectors[wid]]
        act.regions = [_share(r) for r in regions[wid]]
        act.money = [_money(m) for m in money[wid]]
        act.results = _results(frames[wid], values[wid], names)
        out.append(canonical_order(act))
    return out


def _share(row: Any) -> CodeShare:
    return CodeShare(
        code=row.code,
        vocabulary=row.vocabulary,
        percentage=row.percentage,
        names=dict(row.names or {}),
    )


def _money(row: Any) -> Money:
    return Money(
        kind=row.kind,
        value=row.value,
        type=row.type,
        currency=row.currency,
        value_date=_day(row.value_date),
        status=row.status,
        period_start=_day(row.period_start),
        period_end=_day(row.period_end),
        date=_day(row.transaction_date),
        ref=row.ref,
        description=dict(row.description or {}),
        provider=org_from_json(row.provider),
        receiver=org_from_json(row.receiver),
    )


def _results(framework: list[Any], rows: list[Any], names: dict[str, Any]) -> list[IatiResult]:
    values: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        values[row.indicator_code].append(row)
    results: dict[int, IatiResult] = {}
    for f in framework:
        result = results.get(f.result_no)
        if result is None:
            result = IatiResult(
                type=f.result_type,
                title=dict(f.result_title or {}),
                description=dict(f.result_description or {}),
                aggregation_status=f.result_aggregation,
            )
            results[f.result_no] = result
        result.indicators.append(
            IatiIndicator(
                measure=f.measure,
                title=dict(names.get(f.indicator_code) or {}),
                description=dict(f.description or {}),
                ascending=f.ascending,
                aggregation_status=f.aggregation_status,
                references=[(v, c, u) for v, c, u in (f.indicator_refs or [])],
                observations=[_observation(r) for r in values.get(f.indicator_code, [])],
            )
        )
    return [results[k] for k in sorted(results)]


def _observation(row: Any) -> Observation:
    details = row.details or {}
    return Observation(
        kind=_KINDS[row.kind],
        value=row.value,
        period_start=_day(row.period_start),
        period_end=_day(row.period_end),
        year=details.get("year"),
        dimensions=[(str(n), str(v)) for n, v in (row.dimensions or [])],
        comment=dict(details.get("comment", {})),
    )


def iter_work_ids(session: Session, query: Any, batch: int = BATCH) -> Iterator[list[int]]:
    """The ids selected by ``query`` (a select of WorkRow.id), a batch at a time."""
    chunk: list[int] = []
    for wid in session.scalars(query):
        chunk.append(wid)
        if len(chunk) >= batch:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
