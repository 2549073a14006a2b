"""The facets of stored records that permission scopes match, the one check every write
goes through, and the read rule as an SQL filter, so lists show exactly the records a
principal may open.

Reading and writing see a project differently. A project's countries for *reading* are
those it lists and those its results name: a national focal point sees a regional project
as soon as it reports a result for their country. For *writing* only what the project
itself stores counts (its key, programmes and listed countries, plus the stored country
of the result being changed): a result someone else entered for Brazil does not make a
Brazil editor the owner of a project in Cambodia.

Every write is checked twice by ``require_change``: against the record as it is stored
before the change, and as it would be after it. What a request says about itself (a
country on a new result, the countries of a changed project) never widens a scope.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, func, or_, select, true
from sqlalchemy.orm import Session

from greenfolio.domain.errors import NotFoundError
from greenfolio.domain.permissions import (
    SYSTEM,
    Action,
    NotAuthenticated,
    PermissionDenied,
    Principal,
    Target,
    Visibility,
    actions_on,
    allowed,
    granted_countries,
    require,
)
from greenfolio.domain.results import ReviewState
from greenfolio.services.figures import TERM_FILTERS
from greenfolio.services.portfolio import WorkSpec
from greenfolio.store.tables import ResultRow, WorkCountryRow, WorkRow, WorkTermRow

PROGRAMME_PREFIX = "programme:"
LOAD_CHUNK = 500


@dataclass(frozen=True)
class StoredProject:
    """A project's facets as the database holds them."""

    key: str
    programmes: frozenset[str]
    listed: frozenset[str]
    reported: frozenset[str] = frozenset()

    def read_target(self) -> Target:
        return Target(self.key, self.programmes, self.listed | self.reported)

    def write_target(self) -> Target:
        return Target(self.key, self.programmes, self.listed)

    def result_target(self, country: str | None) -> Target:
        """A stored result's target for writing: its project's, but a result for one
        country is that country's alone. A country's editors and reviewers change their
        own country's results of a project shared with other countries, never another
        country's (a hostile review: Sierra Leone's editor entered results for the DR
        Congo in a regional project)."""
        if country is None:
            return self.write_target()
        return Target(self.key, self.programmes, frozenset({country}))

    def project_actions(self, principal: Principal) -> frozenset[Action]:
        """What ``principal`` may do to the project (so pages show only working buttons)."""
        return _combine(principal, self.read_target(), self.write_target())

    def result_actions(self, principal: Principal, country: str | None) -> frozenset[Action]:
        """What ``principal`` may do to a stored result of this project naming ``country``."""
        read = with_country(self.read_target(), country)
        return _combine(principal, read, self.result_target(country))


def _combine(principal: Principal, read: Target, write: Target) -> frozenset[Action]:
    writes = actions_on(principal, write) - {Action.READ}
    return writes | ({Action.READ} if allowed(principal, Action.READ, read) else frozenset())


def stored_project(session: Session, work_id: int, *, lock: bool = False) -> StoredProject:
    """Load a project's facets from the database (never from a request). With ``lock``
    (for a write) the project row is share-locked until the transaction ends, so its
    facets cannot change between the check and the write (PostgreSQL; SQLite has one
    writer at a time anyway)."""
    query = select(WorkRow.key).where(WorkRow.id == work_id)
    key = session.scalar(query.with_for_update(read=True) if lock else query)
    if key is None:
        raise NotFoundError(f"no project with id {work_id}")
    terms = session.scalars(
        select(WorkTermRow.term_key).where(
            WorkTermRow.work_id == work_id, WorkTermRow.term_key.like(PROGRAMME_PREFIX + "%")
        )
    )
    listed = session.scalars(
        select(WorkCountryRow.country).where(WorkCountryRow.work_id == work_id)
    )
    reported = session.scalars(
        select(ResultRow.country)
        .where(ResultRow.work_id == work_id, ResultRow.country.is_not(None))
        .distinct()
    )
    return StoredProject(
        key=key,
        programmes=frozenset(t[len(PROGRAMME_PREFIX) :] for t in terms),
        listed=frozenset(listed),
        reported=frozenset(c for c in reported if c),
    )


class StoredProjects:
    """Each project's stored facets loaded once for a list that touches many results of
    few projects (the facets are plain values, so they outlive the session they came
    from)."""

    def __init__(self) -> None:
        self._found: dict[int, StoredProject] = {}

    def get(self, session: Session, work_id: int) -> StoredProject:
        if work_id not in self._found:
            self._found[work_id] = stored_project(session, work_id)
        return self._found[work_id]

    def load(self, session: Session, work_ids: Iterable[int]) -> None:
        """Load the facets of many projects at once (three reads per chunk instead of
        three per project): a list then checks each row against facets in memory."""
        wanted = sorted({int(w) for w in work_ids} - self._found.keys())
        for start in range(0, len(wanted), LOAD_CHUNK):
            chunk = wanted[start : start + LOAD_CHUNK]
            keys = dict(
                session.execute(select(WorkRow.id, WorkRow.key).where(WorkRow.id.in_(chunk))).all()
            )
            programmes: dict[int, set[str]] = defaultdict(set)
            for wid, term in session.execute(
                select(WorkTermRow.work_id, WorkTermRow.term_key).where(
                    WorkTermRow.work_id.in_(chunk),
                    WorkTermRow.term_key.like(PROGRAMME_PREFIX + "%"),
                )
            ):
                programmes[wid].add(term[len(PROGRAMME_PREFIX) :])
            listed: dict[int, set[str]] = defaultdict(set)
            for wid, code in session.execute(
                select(WorkCountryRow.work_id, WorkCountryRow.country).where(
                    WorkCountryRow.work_id.in_(chunk)
                )
            ):
                listed[wid].add(code)
            reported: dict[int, set[str]] = defaultdict(set)
            for wid, country in session.execute(
                select(ResultRow.work_id, ResultRow.country)
                .where(ResultRow.work_id.in_(chunk), ResultRow.country.is_not(None))
                .distinct()
            ):
                if country:
                    reported[wid].add(country)
            for wid, key in keys.items():
                self._found[wid] = StoredProject(
                    key=key,
                    programmes=frozenset(programmes[wid]),
                    listed=frozenset(listed[wid]),
                    reported=frozenset(reported[wid]),
                )


def project_target(session: Session, work_id: int) -> Target:
    """The target for reading a project."""
    return stored_project(session, work_id).read_target()


def result_target(session: Session, work_id: int, country: str | None) -> Target:
    """The target for reading a result."""
    return with_country(project_target(session, work_id), country)


def with_country(base: Target, country: str | None) -> Target:
    """``base`` with one more country (a result's target: its project's plus its own)."""
    if country is None or country in base.countries:
        return base
    return Target(base.project, base.programmes, base.countries | {country})


def spec_target(spec: WorkSpec) -> Target:
    """The target a project would have once saved as ``spec``."""
    return Target(
        project=spec.key,
        programmes=frozenset(
            t[len(PROGRAMME_PREFIX) :] for t in spec.terms if t.startswith(PROGRAMME_PREFIX)
        ),
        countries=frozenset(spec.countries),
    )


# --- records one may not read are missing ---------------------------------------------


def require_readable(principal: Principal, target: Target, missing: NotFoundError) -> None:
    """Answer a record ``principal`` may not read exactly as one that does not exist:
    ``missing`` is the error its route gives for a record that is not there. A 403 would
    tell the asker that the project key or result id they tried exists. A record they may
    read but not change is still refused with a 403 (by ``require_change``), naming it.
    The anonymous are left to the checks that ask them to sign in."""
    if principal.user_id is not None and not allowed(principal, Action.READ, target):
        raise missing


def need_signed_in(principal: Principal) -> None:
    """Changes are for signed-in accounts: the public is asked to sign in before any
    record is looked up, so that the answer (401 for a record that is there, 404 for one
    that is not) never tells an anonymous caller what exists."""
    if principal.user_id is None:
        raise NotAuthenticated(
            "sign in to change records: the public can only read", message_id="sign_in_needed"
        )


def missing_result(result_id: int) -> NotFoundError:
    """The refusal of a result id nobody stored (or the asker may not read)."""
    return NotFoundError(
        f"no result {result_id}", message_id="result_missing", params={"result": result_id}
    )


def readable_result(
    session: Session, principal: Principal, row: ResultRow, missing: NotFoundError
) -> StoredProject:
    """The stored project of the result ``row`` if ``principal`` may read the result
    (its project's readers and its own country's), else ``missing``."""
    stored = stored_project(session, row.work_id)
    require_readable(principal, with_country(stored.read_target(), row.country), missing)
    return stored


# --- the one check for writes ---------------------------------------------------------


def require_change(
    principal: Principal, action: Action, before: Target | None, after: Target | None
) -> None:
    """Allow a write only if ``action`` is allowed on the record as stored (``before``,
    None for a new record) and as it would be after the change (``after``, None when the
    change leaves the record's facets as they are)."""
    for target in (before, after):
        if target is not None:
            require(principal, action, target)


def require_project_write(
    session: Session, principal: Principal, existing: WorkRow | None, spec: WorkSpec
) -> None:
    """Registering a project needs edit on it as specified; changing one needs edit on it
    as stored and as specified, so nobody changes a project outside their scope or moves
    one out of it."""
    stored = stored_project(session, existing.id, lock=True) if existing else None
    require_change(
        principal, Action.EDIT, stored.write_target() if stored else None, spec_target(spec)
    )
    if stored is not None:
        _require_countries_change(principal, stored, spec)
        _require_programmes_change(principal, stored, spec)


def _require_countries_change(principal: Principal, stored: StoredProject, spec: WorkSpec) -> None:
    """A project shared by several countries is not one country's to redraw: only a grant
    reaching the whole project (everything, its programme, the project itself) removes
    another country from it; a country's editor removes their own alone (a hostile
    review: the DR Congo's editor set a regional project's countries to the DR Congo
    alone, locking Sierra Leone's editors out of it). Adding a country, which takes
    nobody's work away, stays every editor's."""
    changed = stored.listed.difference(spec.countries)
    if not changed or allowed(principal, Action.EDIT, Target(stored.key, stored.programmes)):
        return
    others = sorted(changed - granted_countries(principal, Action.EDIT))
    if others:
        raise PermissionDenied(
            f"project {stored.key} is shared by several countries: only an editor of the "
            f"whole project or its programme removes {', '.join(others)}; a country's "
            "editor removes their own country alone",
            message_id="project_countries",
            params={"project": stored.key, "countries": others},
        )


def _require_programmes_change(principal: Principal, stored: StoredProject, spec: WorkSpec) -> None:
    """A programme's editors and reviewers reach a project through its programme: taking
    the programme off locks them out of it and of the results they entered (a hostile
    review: Brazil's editor emptied a bioenergy project's programmes, and the bioenergy
    reviewer could no longer verify a result submitted to them). Only a grant on the
    whole project, or on that programme, removes it."""
    removed = stored.programmes.difference(spec_target(spec).programmes)
    others = sorted(
        p
        for p in removed
        if not allowed(principal, Action.EDIT, Target(stored.key, frozenset({p})))
    )
    if others:
        raise PermissionDenied(
            f"project {stored.key} is in the programme(s) {', '.join(others)}: only an editor "
            "of the whole project or of that programme removes it, whose editors and "
            "reviewers would lose the project",
            message_id="project_programmes",
            params={"project": stored.key, "programmes": others},
        )


def require_figure_terms_change(
    session: Session, principal: Principal, existing: WorkRow, spec: WorkSpec
) -> None:
    """Report figures select results by their project's programmes, focus areas,
    conventions, core functions and SDG targets: changing those on a project with verified
    results changes published figures though no result is reviewed again. So that change
    needs review rights on the project (as stored and as specified), as verifying does;
    the rest of the project stays the editors'."""
    stored = set(
        session.scalars(select(WorkTermRow.term_key).where(WorkTermRow.work_id == existing.id))
    )
    changed = stored.symmetric_difference(spec.terms)
    if not any(t.partition(":")[0] in TERM_FILTERS for t in changed):
        return
    verified = session.scalar(
        select(func.count())
        .select_from(ResultRow)
        .where(
            ResultRow.work_id == existing.id,
            ResultRow.review_state == ReviewState.VERIFIED.value,
        )
    )
    if not verified:
        return
    before = stored_project(session, existing.id).write_target()
    if allowed(principal, Action.REVIEW, before) and allowed(
        principal, Action.REVIEW, spec_target(spec)
    ):
        return
    raise PermissionDenied(
        f"project {existing.key} has {verified} verified result(s), which count in reports "
        "under its programmes, focus areas, conventions, core functions and SDG targets: "
        "only someone who may both edit and review the project (an administrator, or an "
        "account with both roles on it) may change those (the rest of the project is yours "
        "to change)",
        message_id="figure_terms",
        params={"project": existing.key, "count": verified},
    )


def require_result_write(
    session: Session,
    principal: Principal,
    action: Action,
    work_id: int,
    stored_country: str | None,
    new_country: str | None,
    *,
    new: bool = False,
) -> None:
    """Entering, revising or reviewing a result: ``action`` on the stored project (plus
    the result's stored country unless it is ``new``) and on what the change leaves."""
    project = stored_project(session, work_id, lock=True)
    before = project.write_target() if new else project.result_target(stored_country)
    require_change(principal, action, before, project.result_target(new_country))


def require_new_result(
    session: Session, principal: Principal, work_id: int, country: str | None
) -> None:
    """Entering a result: edit on the stored project, and on it with the result's country
    (which, claimed by the request, can narrow what is allowed but never widen it)."""
    require_result_write(session, principal, Action.EDIT, work_id, None, country, new=True)


def may_take_back(principal: Principal, entered_by: str | None, changed: set[str]) -> bool:
    """Whether ``principal`` may take a result back (delete a draft, withdraw a returned
    one): an administrator, or whoever entered it (``entered_by`` as stored) if nobody
    else revised it or changed its evidence (``changed``, from ``results.changed_by``).
    Its state is the caller's to check."""
    if allowed(principal, Action.ADMIN, SYSTEM):
        return True
    others = changed - {principal.actor, f"evidence:{principal.actor}"}
    return entered_by == principal.actor and not others


# --- the read rule in SQL -------------------------------------------------------------


def visible_works(vis: Visibility) -> ColumnElement[bool]:
    """A condition on ``WorkRow`` true for the projects ``vis`` lets one read."""
    if vis.everything:
        return true()
    conds: list[ColumnElement[bool]] = []
    if vis.projects:
        conds.append(WorkRow.key.in_(sorted(vis.projects)))
    if vis.programmes:
        keys = sorted(PROGRAMME_PREFIX + p for p in vis.programmes)
        conds.append(
            WorkRow.id.in_(select(WorkTermRow.work_id).where(WorkTermRow.term_key.in_(keys)))
        )
    if vis.countries:
        codes = sorted(vis.countries)
        conds.append(
            WorkRow.id.in_(select(WorkCountryRow.work_id).where(WorkCountryRow.country.in_(codes)))
        )
        conds.append(WorkRow.id.in_(select(ResultRow.work_id).where(ResultRow.country.in_(codes))))
    return or_(*conds) if conds else false()


def visible_results(vis: Visibility) -> list[ColumnElement[bool]]:
    """Conditions on ``ResultRow``: its project is visible, and verified for the public."""
    conds: list[ColumnElement[bool]] = []
    if vis.verified_only:
        conds.append(ResultRow.review_state == "verified")
    if not vis.everything:
        conds.append(ResultRow.work_id.in_(select(WorkRow.id).where(visible_works(vis))))
    return conds
