"""Reads that are the same for every reader and kept until the database changes
(``services.view_cache``): the indicator registry, the dashboard figures and the
portfolio filters' choices."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from greenfolio.domain.errors import NotFoundError
from greenfolio.domain.permissions import SYSTEM, Action, Principal, allowed
from greenfolio.services import dashboard as dashboard_figures
from greenfolio.services import reference, reporting, view_cache
from greenfolio.services.database import Database
from greenfolio.services.explorer_common import need_reader
from greenfolio.services.explorer_projects import FILTER_SCHEMES
from greenfolio.services.query_helpers import stored_values
from greenfolio.services.report_definition import ReportDefinition
from greenfolio.store.tables import TermRow


def indicators(db: Database, principal: Principal) -> list[dict[str, Any]]:
    """Service call: the indicator registry (cached until something changes)."""
    need_reader(principal)
    return view_cache.local(db, "indicators", reference.indicator_rows)


def indicator(db: Database, principal: Principal, code: str) -> dict[str, Any]:
    need_reader(principal)
    for row in indicators(db, principal):
        if row["code"] == code:
            return row
    raise NotFoundError(f"no indicator {code!r}")


def dashboard(db: Database, principal: Principal) -> dict[str, Any]:
    """Service call: headline figures per indicator and year from verified results, and
    the number of projects per country reached (for the map). These are the published
    figures, the same for every reader; computed once per change to the database and
    shared by every server process (``services.view_cache``)."""
    need_reader(principal)
    return view_cache.shared(db, "dashboard", dashboard_figures.compute)


def report_figures(
    db: Database, principal: Principal, definition: ReportDefinition, year: int
) -> list[dict[str, Any]]:
    """Service call: every figure of a report with its provenance. The figures are the
    report's, for any reader; the records behind them (result ids, runs, evidence) are
    for those who may build the report, as a result page is for its readers (they were
    listed to any signed-in user), and are only collected for them."""
    need_reader(principal)
    behind = allowed(principal, Action.REPORT, SYSTEM)
    figures = reporting.compute_figures(db, definition, year, with_ids=behind)
    listed = [f.provenance() for f in figures.values()]
    if behind:
        return listed
    return [{k: v for k, v in f.items() if k not in BEHIND} for f in listed]


BEHIND = ("result_ids", "method_runs", "evidence")
"""What a figure's provenance names of the records behind it."""


def facets(db: Database, principal: Principal) -> dict[str, Any]:
    """Service call: the choices of the portfolio filters (terms, statuses, countries)."""
    need_reader(principal)

    def compute(session: Session) -> dict[str, Any]:
        terms: dict[str, list[dict[str, Any]]] = {s: [] for s in FILTER_SCHEMES}
        for t in session.scalars(
            select(TermRow).where(TermRow.scheme.in_(FILTER_SCHEMES)).order_by(TermRow.ordinal)
        ):
            terms[t.scheme].append({"code": t.code, "label": t.label, "names": t.names})
        # Each read from its index a value at a time (ix_work_item_status, _kind).
        statuses = sorted(stored_values(session, "work_item", "status"))
        kinds = sorted(stored_values(session, "work_item", "kind"))
        return {"terms": terms, "statuses": statuses, "kinds": kinds}

    def with_countries(session: Session) -> dict[str, Any]:
        return {**compute(session), "countries": dashboard_figures.country_codes(session)}

    return view_cache.shared(db, "facets", with_countries)
