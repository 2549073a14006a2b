"""The facets of stored records that permission scopes match, and the same rule as an
SQL filter, so lists show exactly the records a principal may open.

A project's countries are those it lists and those its results name: a national focal
point sees a regional project as soon as it reports a result for their country.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import Session

from greenfolio.domain.permissions import Action, Principal, Target, Visibility, require
from greenfolio.services.portfolio import WorkSpec
from greenfolio.store.tables import ResultRow, WorkCountryRow, WorkRow, WorkTermRow

PROGRAMME_PREFIX = "programme:"


def project_target(session: Session, work_id: int) -> Target:
    key = session.scalar(select(WorkRow.key).where(WorkRow.id == work_id))
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
    return Target(
        project=key,
        programmes=frozenset(t[len(PROGRAMME_PREFIX) :] for t in terms),
        countries=frozenset(listed) | frozenset(c for c in reported if c),
    )


def result_target(session: Session, work_id: int, country: str | None) -> Target:
    return with_country(project_target(session, work_id), country)


def with_country(base: Target, country: str | None) -> Target:
    """A result's target: its project's, plus the country the result names."""
    if country is None or country in base.countries:
        return base
    return Target(base.project, base.programmes, base.countries | {country})


def spec_target(spec: WorkSpec) -> Target:
    """The target a project would have once saved as ``spec`` (for creating it)."""
    return Target(
        project=spec.key,
        programmes=frozenset(
            t[len(PROGRAMME_PREFIX) :] for t in spec.terms if t.startswith(PROGRAMME_PREFIX)
        ),
        countries=frozenset(spec.countries),
    )


def require_on_work(session: Session, principal: Principal, action: Action, work_id: int) -> None:
    require(principal, action, project_target(session, work_id))


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
