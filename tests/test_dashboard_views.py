"""The dashboard's grouped queries against the report's figure queries, and derived views
shared between processes through the database's change generation.

On both backends: a demo portfolio plus a few hundred seeded synthetic projects (every
aggregation rule, units to convert, results by sex and by milestone); every figure the
dashboard shows equals ``figures.indicator_figure`` for that indicator and year, and
the map's counts equal a plain count of distinct projects per country.
"""

from __future__ import annotations

import math
import sqlite3
from datetime import date

import pytest
from sqlalchemy import func, select, union, update

from greenfolio.domain.permissions import Grant, Principal, Role, Scope
from greenfolio.domain.units import convert
from greenfolio.services import audit, explorer, figures, synthetic, view_cache
from greenfolio.services import dashboard as dashboard_figures
from greenfolio.services.database import Database, reading
from greenfolio.store.tables import ResultRow, ViewCacheRow, WorkCountryRow
from tests.test_api_support import add_project

ADMIN = Principal("t", (Grant(Role.ADMIN, Scope.parse("all")),), 0)


def test_dashboard_equals_each_report_figure(demo_db: Database) -> None:
    synthetic.generate(demo_db, 300, seed=7)
    with demo_db.transaction() as session:
        data = dashboard_figures.compute(session)
        rules = {row["aggregation"] for row in data["indicators"]}
        assert {"sum", "count_by_status", "distinct_countries"} <= rules
        checked = 0
        for row in data["indicators"]:
            for year in data["years"]:
                window = figures.Window(date(year, 1, 1), date(year, 12, 31))
                spec = figures.FigureSpec("x", "indicator", row["params"], window)
                fig = figures.indicator_figure(session, spec, with_ids=False)
                shown = row["values"][str(year)]
                # Added from subtotals, not in one SUM (module docstring): the last bit only.
                # shown in the unit it reads in (uPOPs: mg TEQ), computed in its own
                value = convert(fig.value, fig.unit, row["unit"])
                assert math.isclose(shown["value"], value, rel_tol=1e-12), (row["code"], year)
                assert shown["qualifier"] == fig.qualifier.value, (row["code"], year)
                checked += 1
        assert checked >= 100
        years = session.scalars(
            select(func.extract("year", ResultRow.period_end))
            .where(ResultRow.review_state == "verified", ResultRow.kind == "actual")
            .distinct()
        )
        assert data["years"] == sorted(int(y) for y in years if y)[-dashboard_figures.YEARS :]
        verified = select(func.count()).where(ResultRow.review_state == "verified")
        assert data["verified_results"] == session.scalar(verified)
        pairs = union(
            select(ResultRow.country, ResultRow.work_id).where(
                ResultRow.review_state == "verified", ResultRow.country.is_not(None)
            ),
            select(WorkCountryRow.country, WorkCountryRow.work_id),
        ).subquery()
        expected = dict(
            session.execute(select(pairs.c.country, func.count()).group_by(pairs.c.country)).all()
        )
        assert data["countries"] == expected


def test_a_view_is_computed_once_and_read_by_another_process(demo_db: Database) -> None:
    first = explorer.dashboard(demo_db, ADMIN)
    with demo_db.transaction() as session:
        gen = audit.generation(session)
        kept = session.execute(
            select(ViewCacheRow.generation, ViewCacheRow.data).where(
                ViewCacheRow.name == "dashboard"
            )
        ).one()
    assert kept.generation == gen and kept.data == first
    # Another process (its own engine, nothing in its memory for this generation) reads
    # the stored view rather than computing it: mark the stored copy to tell them apart.
    with demo_db.transaction() as session:
        session.execute(
            update(ViewCacheRow)
            .where(ViewCacheRow.name == "dashboard")
            .values(data={**first, "projects": -1})
        )
    other = Database.open(str(demo_db.engine.url.render_as_string(hide_password=False)))
    try:
        view_cache._memory.entries.clear()
        assert explorer.dashboard(other, ADMIN)["projects"] == -1
        # A write through the first handle moves the generation on: the other sees it.
        add_project(demo_db, "gen-moves", "pops", "BRA")
        after = explorer.dashboard(other, ADMIN)
        assert after["projects"] == first["projects"] + 1
        assert after["countries"]["BRA"] == first["countries"].get("BRA", 0) + 1
        with other.transaction() as session:
            assert session.scalar(
                select(ViewCacheRow.generation).where(ViewCacheRow.name == "dashboard")
            ) == audit.generation(session)
    finally:
        other.close()


def test_cached_lists_follow_a_write(demo_db: Database) -> None:
    flt = explorer.ProjectFilter(country="KEN")
    before = explorer.projects(demo_db, ADMIN, flt).total
    add_project(demo_db, "kenya-new", "pops", "KEN")
    assert explorer.projects(demo_db, ADMIN, flt).total == before + 1
    assert "KEN" in explorer.facets(demo_db, ADMIN)["countries"]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_view_is_served_when_it_cannot_be_kept(demo_db: Database) -> None:
    """A reader during someone else's long write (SQLite's one writer) still gets the
    dashboard; keeping the copy is skipped, and the next reader computes it again."""
    path = demo_db.engine.url.database
    assert path
    view_cache.generation(demo_db)  # the server's connection is open (the file in WAL mode)
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # holds the write lock, as a long import does
        view_cache._memory.entries.clear()
        with reading():
            shown = explorer.dashboard(demo_db, ADMIN)
        assert shown["projects"] > 0
        writer.execute("ROLLBACK")
    finally:
        writer.close()
    with demo_db.transaction() as session:
        kept = session.scalar(select(ViewCacheRow.name).where(ViewCacheRow.name == "dashboard"))
    assert kept is None
    view_cache._memory.entries.clear()
    assert explorer.dashboard(demo_db, ADMIN) == shown


def test_filter_countries_are_the_maps_countries(demo_db: Database) -> None:
    """The country filter's choices (found by seeking each country on the indexes) are
    exactly the countries the map counts, one listed on a project included."""
    synthetic.generate(demo_db, 40, seed=5)
    add_project(demo_db, "listed-only", "pops", "ATA")
    with demo_db.transaction() as session:
        listed = sorted(dashboard_figures.countries(session))
        assert "ATA" in listed and len(listed) > 30
        assert dashboard_figures.country_codes(session) == listed
    assert explorer.facets(demo_db, ADMIN)["countries"] == listed


def test_the_projects_card_counts_projects_only(demo_db: Database) -> None:
    """An officer's review: "Projects" counted every work item (publications, events,
    policies of the demo portfolio among them)."""
    from greenfolio.domain.work import WorkKind
    from greenfolio.services.portfolio import WorkSpec, register_work
    from greenfolio.store.tables import WorkRow

    with demo_db.transaction() as session:
        before = dashboard_figures.compute(session)["projects"]
        kinds = dict(
            session.execute(select(WorkRow.kind, func.count()).group_by(WorkRow.kind)).all()
        )
    assert before == kinds["project"] and sum(kinds.values()) > before
    register_work(demo_db, WorkSpec(key="a-booklet", kind=WorkKind.PUBLICATION, title={"en": "B"}))
    with demo_db.transaction() as session:
        assert dashboard_figures.compute(session)["projects"] == before
