"""Read queries for the explorer, the API and the dashboard: lists with filters, sorting
and pages; a project or a result with everything that explains it; headline figures.

Every call filters by what the principal may read (``access.visible_works``) and, for
the public, by verified results only. Dashboard figures are the report's own figure
queries (``services.figures``) for each indicator and year, so the dashboard and the
report never disagree; they are cached until the audit trail shows a change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    func,
    literal,
    select,
    true,
    union,
    union_all,
)
from sqlalchemy.orm import Session, lazyload
from sqlalchemy.sql import Select, visitors
from sqlalchemy.sql.elements import Grouping

from greenfolio.domain.errors import NotFoundError
from greenfolio.domain.permissions import (
    SYSTEM,
    Action,
    NotAuthenticated,
    Principal,
    require,
)
from greenfolio.domain.results import ReviewState
from greenfolio.domain.text import check_text
from greenfolio.services import access, audit, evidence, portfolio, reference, search, view_cache
from greenfolio.services import dashboard as dashboard_figures
from greenfolio.services import results as result_service
from greenfolio.services.database import Database
from greenfolio.store.tables import (
    IndicatorRow,
    MethodRunRow,
    OrganisationRow,
    ResultRevisionRow,
    ResultRow,
    ReviewEventRow,
    TermRow,
    WorkCountryRow,
    WorkOrgRow,
    WorkRow,
    WorkSectorRow,
    WorkTermRow,
)

FILTER_SCHEMES = ("focus_area", "core_function", "programme", "convention")
MAX_PER_PAGE = 200
COUNT_CAP = 10_000
"""A project list counts its matches up to this many and then says "more than": an exact
count over a search matching every project reads the whole match set (0.7–1.3 s at
100,000 projects on PostgreSQL, issue 11), only to print one number."""
DASHBOARD_YEARS = 8
CACHE_ENTRIES = 512

T = TypeVar("T")


def text_in(names: dict[str, Any] | None, lang: str) -> str:
    """A multilingual text in ``lang``, else English, else any language given."""
    if not names:
        return ""
    return str(names.get(lang) or names.get("en") or next(iter(names.values()), ""))


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    page: int
    per_page: int
    more: bool = False
    """True when ``total`` is the cap of a capped count: there are more than that."""

    def as_dict(self) -> dict[str, Any]:
        pages = max(1, -(-self.total // self.per_page))
        return {
            "items": self.items,
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "pages": pages,
            "more": self.more,
        }


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
RESULT_SORTS: dict[str, Any] = {
    "id": ResultRow.id.asc(),
    "-id": ResultRow.id.desc(),
    "value": ResultRow.value.asc(),
    "-value": ResultRow.value.desc(),
    "period_end": ResultRow.period_end.asc(),
    "-period_end": ResultRow.period_end.desc(),
    "updated": ResultRow.updated_at.asc(),
    "-updated": ResultRow.updated_at.desc(),
}


def _need_reader(principal: Principal) -> None:
    if principal.user_id is None and not principal.public:
        raise NotAuthenticated("sign in to read the portfolio (this server is not public)")


def _page_bounds(page: int, per_page: int) -> tuple[int, int]:
    return max(1, page), max(1, min(per_page, MAX_PER_PAGE))


def _year_range(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _project_conditions(flt: ProjectFilter) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    for scheme in FILTER_SCHEMES:
        code = getattr(flt, scheme)
        if code:
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
        start, end = _year_range(flt.year)
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
    if isinstance(cond, search.Matching) or not any(
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
    _need_reader(principal)
    page, per_page = _page_bounds(page, per_page)
    order = PROJECT_SORTS.get(sort, PROJECT_SORTS["key"])
    vis = principal.visibility()
    conds = [access.visible_works(vis), *_project_conditions(flt)]

    def count(session: Session) -> int:
        # Counting stops one past the cap: enough to know there are more.
        found = select(WorkRow.id).where(*conds).limit(count_cap + 1).subquery()
        return session.scalar(select(func.count()).select_from(found)) or 0

    gen = _generation(db)
    counted = _cached(db, f"projects:{flt!r}:{vis!r}:{count_cap}", count, gen)

    def rows_of_page(session: Session) -> list[dict[str, Any]]:
        # The page's ids first (from an index alone when one has the order), then its rows:
        # a deep page then skips index entries, not whole rows.
        ids = select(WorkRow.id).where(*map(checked_per_row, conds)).order_by(order, WorkRow.id)
        found = list(session.scalars(ids.offset((page - 1) * per_page).limit(per_page)))
        rows = session.execute(project_rows([WorkRow.id.in_(found)], order, WorkRow.id)).all()
        return project_dicts(session, rows)

    # Pages are read far more often than the portfolio changes: like the dashboard, a page
    # is kept until the next change to the database (the audit trail's newest event).
    name = f"projects-page:{flt!r}:{vis!r}:{sort}:{page}:{per_page}"
    items = [dict(item) for item in _cached(db, name, rows_of_page, gen)]
    return Page(items, min(counted, count_cap), page, per_page, more=counted > count_cap)


def _work(session: Session, key: str) -> WorkRow:
    row = session.scalar(select(WorkRow).where(WorkRow.key == key).options(lazyload("*")))
    if row is None:
        raise NotFoundError(f"no project or work item {key!r}")
    return row


def result_dict(row: ResultRow, work_key: str | None = None) -> dict[str, Any]:
    """A result as the API shows it: the work item is called its project."""
    data = result_service.as_dict(row, work_key)
    data["project"] = data.pop("work")
    return data


def _run_brief(run: MethodRunRow) -> dict[str, Any]:
    return {
        "id": run.id,
        "method": run.method,
        "method_version": run.method_version,
        "refdata_version": run.refdata_version,
    }


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
    _need_reader(principal)
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
        require(principal, Action.READ, target)
        orgs = session.execute(
            select(OrganisationRow, WorkOrgRow.role)
            .join(WorkOrgRow, WorkOrgRow.org_id == OrganisationRow.id)
            .where(WorkOrgRow.work_id == work.id)
            .order_by(WorkOrgRow.role, OrganisationRow.key)
        ).all()
        run_ids = {r.method_run_id for r in result_rows if r.method_run_id}
        runs = {
            r.id: _run_brief(r)
            for r in (
                session.scalars(select(MethodRunRow).where(MethodRunRow.id.in_(run_ids)))
                if run_ids
                else []
            )
        }
        results = []
        for r in result_rows:
            item = result_dict(r, work.key)
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
            "actions": sorted(stored.project_actions(principal)),
        }


def result(db: Database, principal: Principal, result_id: int) -> dict[str, Any]:
    """Service call: a result with its provenance: citation, evidence, the method run
    that produced it, its review events, earlier versions and audit history."""
    _need_reader(principal)
    vis = principal.visibility()
    with db.transaction() as session:
        row = session.get(ResultRow, result_id)
        if row is None or (vis.verified_only and row.review_state != ReviewState.VERIFIED.value):
            raise NotFoundError(f"no result {result_id}")
        stored = access.stored_project(session, row.work_id)
        require(principal, Action.READ, access.with_country(stored.read_target(), row.country))
        work = session.get(WorkRow, row.work_id)
        assert work is not None
        item = result_dict(row, work.key)
        item["project_title"] = work.title
        ind = session.get(IndicatorRow, row.indicator_code)
        item["indicator_names"] = ind.names if ind else {}
        item["indicator_unit"] = ind.unit if ind else row.unit
        run = session.get(MethodRunRow, row.method_run_id) if row.method_run_id else None
        item["method_run"] = (
            {**_run_brief(run), "inputs": run.inputs, "outputs": run.outputs, "actor": run.actor}
            if run
            else None
        )
        item["review_events"] = [
            {
                "action": e.action,
                "from": e.from_state,
                "to": e.to_state,
                "note": e.note,
                "actor": e.actor,
                "at": audit._stamp(e.at) + "Z",
            }
            for e in session.scalars(
                select(ReviewEventRow)
                .where(ReviewEventRow.result_id == row.id)
                .order_by(ReviewEventRow.id)
            )
        ]
        item["revisions"] = [
            {"version": v.version, "data": v.data, "actor": v.actor, "at": audit._stamp(v.at) + "Z"}
            for v in session.scalars(
                select(ResultRevisionRow)
                .where(ResultRevisionRow.result_id == row.id)
                .order_by(ResultRevisionRow.version)
            )
        ]
        signed_in = principal.user_id is not None
        item["evidence_files"] = evidence.files_of(session, row.id) if signed_in else []
        item["history"] = (
            []
            if vis.verified_only
            else sorted(
                audit.history(session, "result", str(row.id))
                + evidence.events(session, item["evidence_files"]),
                key=lambda e: int(e["id"]),
            )
        )
        item["actions"] = sorted(stored.result_actions(principal, row.country))
        item["may_verify"] = _may_verify(principal, row, item["actions"])
        return item


def _may_verify(principal: Principal, row: ResultRow, actions: list[str]) -> bool:
    """Whether the verify button works: a reviewer who is not one of the result's authors."""
    if Action.REVIEW.value not in actions:
        return False
    try:
        result_service.check_separation(row, "verify", principal.actor)
    except result_service.SeparationOfDuties:
        return False
    return True


def results(
    db: Database,
    principal: Principal,
    indicator: str | None = None,
    state: str | None = None,
    project_key: str | None = None,
    country: str | None = None,
    year: int | None = None,
    sort: str = "id",
    page: int = 1,
    per_page: int = 50,
) -> Page:
    """Service call: one page of the results the principal may read."""
    _need_reader(principal)
    page, per_page = _page_bounds(page, per_page)
    conds = result_conditions(principal, indicator, state, project_key, country, year)
    order = RESULT_SORTS.get(sort, RESULT_SORTS["id"])
    with db.transaction() as session:
        total = session.scalar(select(func.count()).select_from(ResultRow).where(*conds)) or 0
        # The page's ids first (from an index alone where one has the filter and the order),
        # then its rows: a deep page skips index entries, not whole rows.
        ids = select(ResultRow.id).where(*conds).order_by(order, ResultRow.id)
        found = list(session.scalars(ids.offset((page - 1) * per_page).limit(per_page)))
        rows = session.execute(
            select(ResultRow, WorkRow.key)
            .join(WorkRow, WorkRow.id == ResultRow.work_id)
            .where(ResultRow.id.in_(found))
            .order_by(order, ResultRow.id)
        ).all()
        return Page([result_dict(r, k) for r, k in rows], total, page, per_page)


def result_conditions(
    principal: Principal,
    indicator: str | None = None,
    state: str | None = None,
    project_key: str | None = None,
    country: str | None = None,
    year: int | None = None,
) -> list[ColumnElement[bool]]:
    """The results list's conditions (visibility and filters), shared with its exports."""
    for name, value in (("indicator", indicator), ("project", project_key), ("country", country)):
        if value:
            check_text(value, f"the filter {name!r}")
    conds = access.visible_results(principal.visibility())
    if indicator:
        conds.append(ResultRow.indicator_code == indicator)
    if state:
        conds.append(ResultRow.review_state == state)
    if project_key:
        conds.append(ResultRow.work_id.in_(select(WorkRow.id).where(WorkRow.key == project_key)))
    if country:
        conds.append(ResultRow.country == country.upper())
    if year:
        start, end = _year_range(year)
        conds.append(ResultRow.period_end >= start)
        conds.append(ResultRow.period_end <= end)
    return conds


def review_queue(db: Database, principal: Principal, limit: int = 100) -> dict[str, Any]:
    """Service call: results waiting for this principal: submitted ones they may review,
    drafts and returned ones they may submit."""
    _need_reader(principal)
    vis = principal.visibility()
    out: dict[str, Any] = {}
    with db.transaction() as session:
        projects = access.StoredProjects()
        for state, action in (
            ("submitted", Action.REVIEW),
            ("returned", Action.SUBMIT),
            ("draft", Action.SUBMIT),
        ):
            conds = [*access.visible_results(vis), ResultRow.review_state == state]
            total = session.scalar(select(func.count()).select_from(ResultRow).where(*conds)) or 0
            items = []
            found = session.execute(
                select(ResultRow, WorkRow.key, WorkRow.title)
                .join(WorkRow, WorkRow.id == ResultRow.work_id)
                .where(*conds)
                .order_by(ResultRow.updated_at.desc(), ResultRow.id.desc())
                .limit(limit)
            ).all()
            # Each project's facets read once for the whole list, not per row.
            projects.load(session, (row.work_id for row, _, _ in found))
            for row, key, title in found:
                actions = projects.get(session, row.work_id).result_actions(principal, row.country)
                if action not in actions:
                    continue
                item = result_dict(row, key)
                item["project_title"] = title
                item["actions"] = sorted(actions)
                item["may_verify"] = _may_verify(principal, row, item["actions"])
                items.append(item)
            out[state] = {"items": items, "total": total}
    return out


def organisations(db: Database, principal: Principal) -> list[dict[str, Any]]:
    _need_reader(principal)
    with db.transaction() as session:
        counts = dict(
            session.execute(
                select(WorkOrgRow.org_id, func.count(func.distinct(WorkOrgRow.work_id))).group_by(
                    WorkOrgRow.org_id
                )
            ).all()
        )
        return [
            {
                "key": o.key,
                "names": o.names,
                "iati_ref": o.iati_ref,
                "kind": o.kind,
                "projects": counts.get(o.id, 0),
            }
            for o in session.scalars(select(OrganisationRow).order_by(OrganisationRow.key))
        ]


def organisation(db: Database, principal: Principal, key: str) -> dict[str, Any]:
    _need_reader(principal)
    with db.transaction() as session:
        org = session.scalar(select(OrganisationRow).where(OrganisationRow.key == key))
        if org is None:
            raise NotFoundError(f"no organisation {key!r}")
        vis = access.visible_works(principal.visibility())
        works = session.execute(
            select(WorkRow.key, WorkOrgRow.role)
            .join(WorkOrgRow, WorkOrgRow.work_id == WorkRow.id)
            .where(WorkOrgRow.org_id == org.id, vis)
            .order_by(WorkRow.key)
        ).all()
        return {
            "key": org.key,
            "names": org.names,
            "iati_ref": org.iati_ref,
            "kind": org.kind,
            "projects": [{"key": k, "role": r} for k, r in works],
        }


def method_runs(
    db: Database, principal: Principal, method: str | None, page: int = 1, per_page: int = 50
) -> Page:
    _need_reader(principal)
    if principal.visibility().verified_only:
        return Page([], 0, 1, per_page)
    page, per_page = _page_bounds(page, per_page)
    conds = [MethodRunRow.method == method] if method else []
    with db.transaction() as session:
        total = session.scalar(select(func.count()).select_from(MethodRunRow).where(*conds)) or 0
        rows = session.scalars(
            select(MethodRunRow)
            .where(*conds)
            .order_by(MethodRunRow.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
        return Page([_run_brief(r) for r in rows], total, page, per_page)


def method_run(db: Database, principal: Principal, run_id: int) -> dict[str, Any]:
    _need_reader(principal)
    with db.transaction() as session:
        run = session.get(MethodRunRow, run_id)
        if run is None or principal.visibility().verified_only:
            raise NotFoundError(f"no method run {run_id}")
        made = session.execute(
            select(ResultRow.id, ResultRow.work_id, ResultRow.country, WorkRow.key)
            .join(WorkRow, WorkRow.id == ResultRow.work_id)
            .where(ResultRow.method_run_id == run.id)
            .order_by(ResultRow.id)
        ).all()
        projects = access.StoredProjects()
        readable = [
            {"id": rid, "project": key}
            for rid, wid, country, key in made
            if Action.READ in projects.get(session, wid).result_actions(principal, country)
        ]
        if made and not readable:
            require(principal, Action.READ, SYSTEM)
        return {
            **_run_brief(run),
            "inputs": run.inputs,
            "outputs": run.outputs,
            "actor": run.actor,
            "created_at": audit._stamp(run.created_at) + "Z",
            "results": readable,
        }


def indicators(db: Database, principal: Principal) -> list[dict[str, Any]]:
    """Service call: the indicator registry (cached until something changes)."""
    _need_reader(principal)
    return _cached(db, "indicators", reference.indicator_rows)


def indicator(db: Database, principal: Principal, code: str) -> dict[str, Any]:
    _need_reader(principal)
    for row in indicators(db, principal):
        if row["code"] == code:
            return row
    raise NotFoundError(f"no indicator {code!r}")


# --- cached views -----------------------------------------------------------------------


_generation = view_cache.generation
_cached = view_cache.local


def dashboard(db: Database, principal: Principal) -> dict[str, Any]:
    """Service call: headline figures per indicator and year from verified results, and
    the number of projects per country reached (for the map). These are the published
    figures, the same for every reader; computed once per change to the database and
    shared by every server process (``services.view_cache``)."""
    _need_reader(principal)
    return view_cache.shared(db, "dashboard", dashboard_figures.compute)


def facets(db: Database, principal: Principal) -> dict[str, Any]:
    """Service call: the choices of the portfolio filters (terms, statuses, countries)."""
    _need_reader(principal)

    def compute(session: Session) -> dict[str, Any]:
        terms: dict[str, list[dict[str, Any]]] = {s: [] for s in FILTER_SCHEMES}
        for t in session.scalars(
            select(TermRow).where(TermRow.scheme.in_(FILTER_SCHEMES)).order_by(TermRow.ordinal)
        ):
            terms[t.scheme].append({"code": t.code, "label": t.label, "names": t.names})
        statuses = sorted(
            s for s in session.scalars(select(WorkRow.status).distinct()) if s is not None
        )
        kinds = sorted(session.scalars(select(WorkRow.kind).distinct()))
        return {"terms": terms, "statuses": statuses, "kinds": kinds}

    def with_countries(session: Session) -> dict[str, Any]:
        return {**compute(session), "countries": sorted(dashboard_figures.countries(session))}

    return view_cache.shared(db, "facets", with_countries)
