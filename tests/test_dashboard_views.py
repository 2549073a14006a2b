"""The dashboard's grouped queries against the report's figure queries, and derived views
shared between processes through the database's change generation.

On both backends: a demo portfolio plus a few hundred seeded synthetic projects (every
aggregation rule, units to convert, results by sex and by milestone); every figure the
dashboard shows equals ``figures.indicator_figure`` for that indicator and year, and
the map's counts equal a plain count of distinct projects per country.
"""

from __future__ import annotations

import math
from datetime import date

from sqlalchemy import func, select, union, update

from greenfolio.domain.permissions import Grant, Principal, Role, Scope
from greenfolio.services import audit, explorer, figures, synthetic, view_cache
from greenfolio.services import dashboard as dashboard_figures
from greenfolio.services.database import Database
from greenfolio.store.tables import ResultRow, ViewCacheRow, WorkCountryRow
from tests.test_api_support import add_project

ADMIN = Principal("t", (Grant(Role.ADMIN, Scope.parse("all")),), 0)


def test_dashboard_equals_each_report_figure(demo_db: Database) -> None:
    synthetic.generate(demo_db, 300, seed=7)
    postgres = demo_db.engine.dialect.name == "postgresql"
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
                # PostgreSQL adds floats in the order it reads them (module docstring).
                same = math.isclose(shown["value"], fig.value, rel_tol=1e-12)
                assert same if postgres else shown["value"] == fig.value, (row["code"], year)
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
