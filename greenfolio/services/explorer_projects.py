"""Project reads: the filtered, sorted, paged portfolio list and one project with
everything that explains it (terms, countries, organisations, results, history)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, exists, func, literal, select, true, union, union_all
from sqlalchemy.orm import Session, lazyload
from sqlalchemy.sql import Select, visitors
from sqlalchemy.sql.elements import Grouping
from sqlalchemy.sql.selectable import Exists

from greenfolio.domain.errors import NotFoundError
from greenfolio.domain.permissions import Action, Principal, require
from greenfolio.domain.results import ReviewState
from greenfolio.domain.text import check_text
from greenfolio.services import access, audit, portfolio, search, view_cache
from greenfolio.services.database import Database
from greenfolio.services.explorer_common import Page, need_reader, page_bounds, year_range
from greenfolio.services.explorer_method_runs import run_brief
from greenfolio.services.explorer_results import result_dict
from greenfolio.store.tables import (
    IatiIndicatorRow,
    MethodRunRow,
    OrganisationRow,
    ResultRow,
    TermRow,
    WorkCountryRow,
    WorkFinanceRow,
    WorkOrgRow,
    WorkRow,
    WorkSectorRow,
    WorkTermRow,
)

FILTER_SCHEMES = ("focus_area", "core_function", "programme", "convention")
COUNT_CAP = 10_000
"""A project list counts its matches up to this many and then says "more than": an exact
count over a search matching every project reads the whole match set (0.7–1.3 s at
100,000 projects on PostgreSQL, issue 11), only to print one number."""


@dataclass(frozen=True)
class ProjectFilter:
    q: str | None = None
    focus_area: str | None = None
    core_function: str | None = None
    programme: str | None = None
    convention: str | None = None
    country: str | None = None
    status: str | None = None
    year: int | None = None
    kind: str | None = None

    def __post_init__(self) -> None:
        # A NUL in a search would match everything on SQLite and fail on PostgreSQL:
        # refused the same way on both.
        for name, value in self.__dict__.items():
            if isinstance(value, str):
                check_text(value, "the search" if name == "q" else f"the filter {name!r}")

    def active(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, "")}


PROJECT_SORTS: dict[str, Any] = {
    "key": WorkRow.key.asc(),
    "-key": WorkRow.key.desc(),
    "start": WorkRow.start_date.asc(),
    "-start": WorkRow.start_date.desc(),
    "updated": WorkRow.updated_at.asc(),
    "-updated": WorkRow.updated_at.desc(),
    "status": WorkRow.status.asc(),
}


PROBE_OFFSET = 500
"""A page starting before this many rows is found on PostgreSQL with its term filters as
``EXISTS``: see ``project_conditions``."""


def project_conditions(flt: ProjectFilter, *, probe: bool = False) -> list[ColumnElement[bool]]:
    """The filter as conditions on ``WorkRow``. With ``probe``, a term is asked of each
    project as a correlated ``EXISTS`` (for the first pages on PostgreSQL): its planner
    weighs it with the term's statistics, walking the key index and probing ``work_term``'s
    primary key for a common term (page 1 of a focus area at 100,000 projects: 1 ms
    instead of 80 ms hashing its 33,000 projects, issue 11) and reading a rare term's few
    projects first. Deep pages keep the hashed ``IN`` (``checked_per_row``): there the
    planner would join and sort a third of the projects."""
    conds: list[ColumnElement[bool]] = []
    for scheme in FILTER_SCHEMES:
        code = getattr(flt, scheme)
        if code and probe:
            conds.append(
                exists().where(
                    WorkTermRow.work_id == WorkRow.id,
                    WorkTermRow.term_key == f"{scheme}:{code}",
                )
            )
        elif code:
            conds.append(
                WorkRow.id.in_(
                    select(WorkTermRow.work_id).where(WorkTermRow.term_key == f"{scheme}:{code}")
                )
            )
    if flt.country:
        code = flt.country.upper()
        # One IN over both sources (an OR of two would make PostgreSQL scan every project).
        conds.append(
            WorkRow.id.in_(
                union(
                    select(WorkCountryRow.work_id).where(WorkCountryRow.country == code),
                    select(ResultRow.work_id).where(ResultRow.country == code),
                )
            )
        )
    if flt.status:
        conds.append(WorkRow.status == flt.status)
    if flt.kind:
        conds.append(WorkRow.kind == flt.kind)
    if flt.year:
        start, end = year_range(flt.year)
        conds.append(
            WorkRow.id.in_(
                select(ResultRow.work_id).where(
                    ResultRow.period_end >= start, ResultRow.period_end <= end
                )
            )
        )
    found = search.condition(flt.q)
    if found is not None:
        conds.append(found)
    return conds


def matched_ids(flt: ProjectFilter, dialect: str) -> Any:
    """The ids of the projects a filter of one facet alone matches (one term, a country or
    a search), each once, read from that facet's index without the work table; ``None``
    for any other filter. Every id there is a project's (foreign keys), so counting them is
    counting the matching projects: at 100,000 projects PostgreSQL otherwise hashed the
    whole work table (a sequential scan) to count a country's or a search's matches."""
    active = flt.active()
    if len(active) != 1:
        return None
    ((name, value),) = active.items()
    if name in FILTER_SCHEMES:
        return select(WorkTermRow.work_id).where(WorkTermRow.term_key == f"{name}:{value}")
    if name == "country":
        code = str(value).upper()
        return union(
            select(WorkCountryRow.work_id).where(WorkCountryRow.country == code),
            select(ResultRow.work_id).where(ResultRow.country == code),
        )
    if name == "q":
        return search.matched_ids(value, dialect)
    return None


def project_rows(conds: list[Any], *order: Any) -> Select[Any]:
    """The columns every project list shows (page, download, command line), filtered and
    ordered: one query shape, so the lists cannot drift apart."""
    columns = (
        WorkRow.id,
        WorkRow.key,
        WorkRow.kind,
        WorkRow.title,
        WorkRow.status,
        WorkRow.start_date,
        WorkRow.end_date,
        WorkRow.version,
        WorkRow.updated_at,  # for a download sorted by it to seek its next batch
    )
    return select(*columns).where(*conds).order_by(*order)


def project_dicts(session: Session, rows: Sequence[Any]) -> list[dict[str, Any]]:
    """Rows of ``project_rows`` as plain data, with their terms and countries."""
    terms, countries = _labels_by_work(session, [r.id for r in rows])
    return [
        {
            "key": r.key,
            "kind": r.kind,
            "title": r.title,
            "status": r.status,
            "start": r.start_date.isoformat() if r.start_date else None,
            "end": r.end_date.isoformat() if r.end_date else None,
            "terms": terms[r.id],
            "countries": countries[r.id],
            "version": r.version,
        }
        for r in rows
    ]


def _labels_by_work(
    session: Session, ids: Sequence[int]
) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """Classification terms and countries of a page of work items, in one round trip."""
    terms: dict[int, list[str]] = {i: [] for i in ids}
    countries: dict[int, list[str]] = {i: [] for i in ids}
    # No ORDER BY: SQLite would then walk the term_key index over the whole table.
    both = union_all(
        select(
            WorkTermRow.work_id, WorkTermRow.term_key.label("label"), literal(0).label("k")
        ).where(WorkTermRow.work_id.in_(ids)),
        select(
            WorkCountryRow.work_id, WorkCountryRow.country.label("label"), literal(1).label("k")
        ).where(WorkCountryRow.work_id.in_(ids)),
    )
    for wid, label, k in session.execute(both):
        (countries if k else terms)[wid].append(label)
    return (
        {wid: sorted(keys) for wid, keys in terms.items()},
        {wid: sorted(codes) for wid, codes in countries.items()},
    )


def checked_per_row(cond: ColumnElement[bool]) -> ColumnElement[bool]:
    """``cond`` written so that the database checks it on each row it walks, against the
    matching set hashed once, instead of joining that set: ``(id IN (…)) IS TRUE`` is not
    turned into a join. A page in key order then walks the key index alone, in order, and
    stops at the page's end (at 100,000 projects: no scan of the work table and no sort of
    a third of it for a deep page of a focus area, as PostgreSQL chose for the plain
    ``IN``). Conditions without a subquery (status, kind, a list of project keys) stay as
    they are, for their indexes, and so does a search: its match set is read from the
    full-text index, which the database probes row by row better than it hashes a set of
    every project at once."""
    if isinstance(cond, search.Matching | Exists) or not any(
        isinstance(part, Select) for part in visitors.iterate(cond)
    ):
        return cond
    return Grouping(cond).is_(true())


def projects(
    db: Database,
    principal: Principal,
    flt: ProjectFilter,
    sort: str = "key",
    page: int = 1,
    per_page: int = 50,
    *,
    count_cap: int = COUNT_CAP,
) -> Page:
    """Service call: one page of the projects the principal may read. The matches are
    counted up to ``count_cap``; beyond it the page says there are more (``Page.more``)."""
    need_reader(principal)
    page, per_page = page_bounds(page, per_page)
    order = PROJECT_SORTS.get(sort, PROJECT_SORTS["key"])
    vis = principal.visibility()
    conds = [access.visible_works(vis), *project_conditions(flt)]

    def count(session: Session) -> int:
        # Counting stops one past the cap: enough to know there are more.
        dialect = session.get_bind().dialect.name
        ids = matched_ids(flt, dialect) if vis.everything else None
        if ids is None:
            ids = select(WorkRow.id).where(*conds)
        found = ids.limit(count_cap + 1).subquery()
        return session.scalar(select(func.count()).select_from(found)) or 0

    gen = view_cache.generation(db)
    counted = view_cache.local(db, f"projects:{flt!r}:{vis!r}:{count_cap}", count, gen)

    def rows_of_page(session: Session) -> list[dict[str, Any]]:
        # The page's ids first (from an index alone when one has the order), then its rows:
        # a deep page then skips index entries, not whole rows.
        offset = (page - 1) * per_page
        probe = session.get_bind().dialect.name == "postgresql" and offset < PROBE_OFFSET
        walked = [access.visible_works(vis), *project_conditions(flt, probe=probe)]
        ids = select(WorkRow.id).where(*map(checked_per_row, walked)).order_by(order, WorkRow.id)
        found = list(session.scalars(ids.offset(offset).limit(per_page)))
        rows = session.execute(project_rows([WorkRow.id.in_(found)], order, WorkRow.id)).all()
        return project_dicts(session, rows)

    # Pages are read far more often than the portfolio changes: like the dashboard, a page
    # is kept until the next change to the database (the audit trail's newest event).
    name = f"projects-page:{flt!r}:{vis!r}:{sort}:{page}:{per_page}"
    items = [dict(item) for item in view_cache.local(db, name, rows_of_page, gen)]
    return Page(items, min(counted, count_cap), page, per_page, more=counted > count_cap)


def _missing(key: str) -> NotFoundError:
    """The refusal of a project key nobody stored (or the asker may not read)."""
    return NotFoundError(
        f"no project or work item {key!r}", message_id="project_missing", params={"project": key}
    )


def _work(session: Session, key: str) -> WorkRow:
    row = session.scalar(select(WorkRow).where(WorkRow.key == key).options(lazyload("*")))
    if row is None:
        raise _missing(key)
    return row


def _typed_dates(work: WorkRow) -> list[dict[str, Any]]:
    """The IATI activity dates: type, as stated, the day exported, and where stated."""
    cited = (work.details or {}).get("date_citations") or {}
    return [
        {
            "type": d.type.value,
            "when": d.stated,
            "day": d.day.isoformat(),
            "citation": cited.get(d.type.code),
        }
        for d in portfolio.stated_dates(work)
    ]


def project(db: Database, principal: Principal, key: str) -> dict[str, Any]:
    """Service call: a project with classification, countries, partners, results (with
    their method runs) and its audit history."""
    need_reader(principal)
    vis = principal.visibility()
    with db.transaction() as session:
        work = _work(session, key)
        terms = (
            session.execute(
                select(TermRow)
                .join(WorkTermRow, WorkTermRow.term_key == TermRow.key)
                .where(WorkTermRow.work_id == work.id)
                .order_by(TermRow.scheme, TermRow.ordinal)
            )
            .scalars()
            .all()
        )
        listed = sorted(
            session.scalars(select(WorkCountryRow.country).where(WorkCountryRow.work_id == work.id))
        )
        conds = [ResultRow.work_id == work.id]
        if vis.verified_only:
            conds.append(ResultRow.review_state == ReviewState.VERIFIED.value)
        result_rows = list(session.scalars(select(ResultRow).where(*conds).order_by(ResultRow.id)))
        # The same facets as access.stored_project, from the rows already read (the
        # results are all of them unless the public reads, and then the project is open).
        stored = access.StoredProject(
            work.key,
            frozenset(t.code for t in terms if t.scheme == "programme"),
            frozenset(listed),
            frozenset(r.country for r in result_rows if r.country),
        )
        target = stored.read_target()
        access.require_readable(principal, target, _missing(key))
        require(principal, Action.READ, target)
        orgs = session.execute(
            select(OrganisationRow, WorkOrgRow.role)
            .join(WorkOrgRow, WorkOrgRow.org_id == OrganisationRow.id)
            .where(WorkOrgRow.work_id == work.id)
            .order_by(WorkOrgRow.role, OrganisationRow.key)
        ).all()
        run_ids = {r.method_run_id for r in result_rows if r.method_run_id}
        runs = {
            r.id: run_brief(r)
            for r in (
                session.scalars(select(MethodRunRow).where(MethodRunRow.id.in_(run_ids)))
                if run_ids
                else []
            )
        }
        results = []
        for r in result_rows:
            item = result_dict(r, work.key, principal)
            item["method_run"] = runs.get(r.method_run_id) if r.method_run_id else None
            item["actions"] = sorted(stored.result_actions(principal, r.country))
            results.append(item)
        history = [] if vis.verified_only else audit.history(session, "work_item", str(work.id))
        return {
            "key": work.key,
            "id": work.id,
            "kind": work.kind,
            "title": work.title,
            "description": work.description,
            "status": work.status,
            "start": work.start_date.isoformat() if work.start_date else None,
            "end": work.end_date.isoformat() if work.end_date else None,
            "dates": _typed_dates(work),
            "sectors": sorted(
                session.scalars(
                    select(WorkSectorRow.code).where(
                        WorkSectorRow.work_id == work.id,
                        WorkSectorRow.vocabulary == portfolio.DAC_SECTORS,
                    )
                )
            ),
            "citation": work.citation,
            "finances": _finances(session, work.id, work.currency),
            "descending": sorted(
                session.scalars(
                    select(IatiIndicatorRow.indicator_code).where(
                        IatiIndicatorRow.work_id == work.id,
                        IatiIndicatorRow.ascending.is_(False),
                    )
                )
            ),
            "version": work.version,
            "terms": [
                {
                    "key": t.key,
                    "scheme": t.scheme,
                    "code": t.code,
                    "label": t.label,
                    "names": t.names,
                }
                for t in terms
            ],
            "countries": listed,
            "reported_countries": sorted(target.countries),
            "organisations": [
                {"key": o.key, "names": o.names, "iati_ref": o.iati_ref, "role": role}
                for o, role in orgs
            ],
            "results": results,
            "history": history,
            "history_organisations": audit.organisations_named(session, history),
            "actions": sorted(stored.project_actions(principal)),
        }


def _finances(session: Session, work_id: int, currency: str | None) -> list[dict[str, Any]]:
    """The project's budgets and transactions as the IATI file gave them (an import keeps
    them for the export; shown so that what is kept is seen), each in its own currency or
    the activity's default one."""
    rows = session.scalars(
        select(WorkFinanceRow)
        .where(WorkFinanceRow.work_id == work_id)
        .order_by(WorkFinanceRow.kind, WorkFinanceRow.ordinal)
    )
    out = []
    for r in rows:
        day = r.transaction_date or r.value_date
        out.append(
            {
                "kind": r.kind,
                "type": r.type,
                "value": r.value,
                "currency": r.currency or currency,
                "start": r.period_start.isoformat() if r.period_start else None,
                "end": r.period_end.isoformat() if r.period_end else None,
                "date": day.isoformat() if day else None,
            }
        )
    return out
