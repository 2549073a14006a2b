"""``result_term`` (the results under each programme and convention, kept by triggers of
migrations 0014 and 0015) stays equal to what it copies through the writes that change it:
a result recorded, revised, reviewed or deleted, any copied column updated in SQL, its
method run deleted, a project moved to another programme, a project deleted, the bulk
loader."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from greenfolio.domain.permissions import Grant, Principal, Role, Scope
from greenfolio.services import entry, methods, portfolio, results, synthetic
from greenfolio.services.database import Database
from greenfolio.services.portfolio import WorkSpec
from greenfolio.store import migrate
from greenfolio.store.tables import (
    RESULT_TERM_OF_RESULT,
    MethodRunRow,
    ResultRow,
    ResultTermRow,
    WorkRow,
    WorkTermRow,
)

OF_RESULT = RESULT_TERM_OF_RESULT
"""The result's columns a row copies, after its id and term (so r[3] is the review state
and r[5] the period end)."""
ADMIN = Principal("t", (Grant(Role.ADMIN, Scope.parse("all")),), 0)


def _kept(db: Database) -> set[tuple[Any, ...]]:
    with db.transaction() as session:
        return set(
            session.execute(
                select(
                    ResultTermRow.result_id,
                    ResultTermRow.term_key,
                    *(getattr(ResultTermRow, c) for c in OF_RESULT),
                )
            ).all()
        )


def _expected(db: Database) -> set[tuple[Any, ...]]:
    """The rows as the results and their projects' terms say they should be."""
    with db.transaction() as session:
        found = session.execute(
            select(
                ResultRow.id,
                WorkTermRow.term_key,
                *(getattr(ResultRow, c) for c in OF_RESULT),
            ).join(WorkTermRow, WorkTermRow.work_id == ResultRow.work_id)
        ).all()
    return {r for r in found if r[1].split(":")[0] in ("programme", "convention")}


def _copied(db: Database, rid: int) -> set[tuple[Any, ...]]:
    """The copies (``OF_RESULT``) in the rows of result ``rid``: its rows under several terms
    hold one copy."""
    return {r[2:] for r in _kept(db) if r[0] == rid}


def _project(db: Database, key: str, terms: list[str]) -> None:
    portfolio.register_work(
        db,
        WorkSpec(
            key=key,
            kind="project",
            title={"en": key},
            status="implementation",
            countries=["BRA", "KEN"],
            terms=terms,
        ),
    )


def test_result_term_copies_every_column_a_figure_reads_through_each_write(
    demo_db: Database,
) -> None:
    """Each column copied for the figures (migration 0015) follows a revision through the
    service, an update of that column alone in SQL, a move to another project, and the
    deletion of the method run behind the result (its foreign key sets it to NULL)."""
    _project(demo_db, "rt-copies", ["programme:gcip", "convention:stockholm"])
    _project(demo_db, "rt-copies-2", ["programme:e_mobility"])
    rid = results.record(
        demo_db,
        results.ResultSpec(
            work="rt-copies",
            indicator="participants",
            value=12,
            sex="female",
            country="BRA",
            entity="First entity",
            period_start=date(2020, 1, 1),
            period_end=date(2020, 12, 31),
        ),
    )
    assert len([r for r in _kept(demo_db) if r[0] == rid]) == 2
    assert len(_copied(demo_db, rid)) == 1 and _kept(demo_db) == _expected(demo_db)
    entry.revise_result(
        demo_db,
        ADMIN,
        rid,
        entry.ResultChanges(
            value=30,
            sex="male",
            qualifier="about",
            milestone="completed",
            country="KEN",
            entity="Second entity",
        ),
        1,  # the version recorded
    )
    # One row per carried term of the project, each with the same copy.
    assert len(_copied(demo_db, rid)) == 1
    assert {r[OF_RESULT.index("value")] for r in _copied(demo_db, rid)} == {30.0}
    assert {
        tuple(r[OF_RESULT.index(c)] for c in ("unit", "sex", "qualifier", "milestone", "country"))
        for r in _copied(demo_db, rid)
    } == {("person", "male", "about", "completed", "KEN")}
    assert {r[OF_RESULT.index("entity")] for r in _copied(demo_db, rid)} == {"Second entity"}
    assert _kept(demo_db) == _expected(demo_db)
    changes: dict[str, Any] = {
        "value": 7.5,
        "unit": "persons",
        "qualifier": "more_than",
        "sex": None,
        "milestone": "under_way",
        "country": None,
        "entity": None,
        "kind": "target",
        "indicator_code": "ghg_avoided",
    }
    for column, value in changes.items():
        with demo_db.transaction() as session:
            session.execute(update(ResultRow).where(ResultRow.id == rid).values({column: value}))
        assert {r[OF_RESULT.index(column)] for r in _copied(demo_db, rid)} == {value}, column
        assert _kept(demo_db) == _expected(demo_db), column
    with demo_db.transaction() as session:  # moved to another project: its terms, its id
        moved_to = session.scalar(select(WorkRow.id).where(WorkRow.key == "rt-copies-2"))
        session.execute(update(ResultRow).where(ResultRow.id == rid).values(work_id=moved_to))
    assert {(r[1], r[-1]) for r in _kept(demo_db) if r[0] == rid} == {
        ("programme:e_mobility", moved_to)
    }
    # A result made from a method run, then the run deleted: ON DELETE SET NULL updates
    # the result, and its rows follow.
    run = methods.run(
        demo_db, "montreal.convert", {"quantity": 100, "substance": "HCFC-22", "to": "co2e"}
    )
    from_run = methods.result_from_run(
        demo_db,
        methods.FromRun(
            run_id=run["run_id"],
            output="value",
            work="rt-copies",
            indicator="ghg_avoided",
            period_start="2020-01-01",
            period_end="2020-12-31",
        ),
    )
    at = OF_RESULT.index("method_run_id")
    assert {r[at] for r in _copied(demo_db, from_run)} == {run["run_id"]}
    with demo_db.transaction() as session:
        session.execute(delete(MethodRunRow).where(MethodRunRow.id == run["run_id"]))
    assert {r[at] for r in _copied(demo_db, from_run)} == {None}
    assert len([r for r in _kept(demo_db) if r[0] == from_run]) == 2  # programme, convention
    assert _kept(demo_db) == _expected(demo_db)


def test_result_term_follows_every_write(demo_db: Database) -> None:
    assert _kept(demo_db) == _expected(demo_db) != set()
    spec = WorkSpec(
        key="rt-project",
        kind="project",
        title={"en": "Result term project"},
        status="implementation",
        countries=["BRA"],
        terms=["programme:gcip", "focus_area:b", "convention:stockholm"],
    )
    portfolio.register_work(demo_db, spec)
    rid = results.record(
        demo_db,
        results.ResultSpec(
            work="rt-project",
            indicator="participants",
            value=12,
            period_start=date(2020, 1, 1),
            period_end=date(2020, 12, 31),
        ),
    )
    kept = _kept(demo_db)
    assert {(rid, "programme:gcip"), (rid, "convention:stockholm")} == {
        r[:2] for r in kept if r[0] == rid
    }
    results.apply_review(demo_db, [rid], "submit")
    results.apply_review(demo_db, [rid], "verify", actor="user:checker")
    assert {r[3] for r in _kept(demo_db) if r[0] == rid} == {"verified"}
    # Moved to another programme, the convention dropped: its rows follow.
    moved = spec.model_copy(update={"terms": ["programme:e_mobility", "focus_area:b"]})
    portfolio.register_work(demo_db, moved)
    assert {r[1] for r in _kept(demo_db) if r[0] == rid} == {"programme:e_mobility"}
    with demo_db.transaction() as session:
        session.execute(
            update(ResultRow).where(ResultRow.id == rid).values(period_end=date(2021, 3, 31))
        )
    assert {r[5] for r in _kept(demo_db) if r[0] == rid} == {date(2021, 3, 31)}
    assert _kept(demo_db) == _expected(demo_db)
    with demo_db.transaction() as session:
        session.execute(delete(ResultRow).where(ResultRow.id == rid))
    assert not {r for r in _kept(demo_db) if r[0] == rid}
    synthetic.generate(demo_db, 30, seed=3)
    assert _kept(demo_db) == _expected(demo_db)
    with demo_db.transaction() as session:  # a project deleted takes its results' rows
        gone = session.scalar(
            select(ResultRow.work_id)
            .join(ResultTermRow, ResultTermRow.result_id == ResultRow.id)
            .join(WorkRow, WorkRow.id == ResultRow.work_id)
            .where(WorkRow.key.like("synthetic-%"))
            .limit(1)
        )
        session.execute(delete(WorkRow).where(WorkRow.id == gone))
    before = len(_expected(demo_db))
    assert gone is not None and _kept(demo_db) == _expected(demo_db)
    assert before > 0


def test_bulk_load_with_indexes_rebuilt_fills_result_term_and_restores_triggers(
    demo_db: Database,
) -> None:
    """A large load drops the indexes and turns the triggers off (each would scan
    work_term per result): its rows are written in one join, and the triggers are back
    for the next write."""
    notes: list[str] = []
    synthetic.generate(demo_db, 40, seed=5, rebuild_indexes=True, note=notes.append)
    written = [n for n in notes if "result_term rows written" in n]
    kept = _kept(demo_db)
    assert kept == _expected(demo_db)
    with demo_db.transaction() as session:
        synthetic_ids = set(
            session.scalars(
                select(ResultRow.id)
                .join(WorkRow, WorkRow.id == ResultRow.work_id)
                .where(WorkRow.key.like("synthetic-%"))
            )
        )
    assert {r[0] for r in kept} & synthetic_ids
    assert written and int(written[0].split()[0].replace(",", "")) > 0
    portfolio.register_work(
        demo_db,
        WorkSpec(
            key="rt-after-load",
            kind="project",
            title={"en": "After the load"},
            status="implementation",
            countries=["BRA"],
            terms=["programme:gcip"],
        ),
    )
    rid = results.record(
        demo_db,
        results.ResultSpec(
            work="rt-after-load",
            indicator="participants",
            value=3,
            period_start=date(2020, 1, 1),
            period_end=date(2020, 12, 31),
        ),
    )
    assert {r[1] for r in _kept(demo_db) if r[0] == rid} == {"programme:gcip"}
    assert _kept(demo_db) == _expected(demo_db)


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_an_upgrade_that_rebuilt_result_term_leaves_it_vacuumed(demo_db: Database) -> None:
    """Migration 0015 rebuilds the table; until a vacuum no page of it is all-visible and
    PostgreSQL's index-only reads visit the table row by row. The upgrade vacuums.

    Read from the server's record of the vacuum and its statistics, not from the pages
    it marked all-visible: while another test's transaction holds an older snapshot
    (the suite runs in parallel on one server), a vacuum that ran cannot mark them."""
    migrate.downgrade(demo_db.engine, "0014_figure_terms")
    with demo_db.engine.connect() as conn:
        started = conn.exec_driver_sql("SELECT clock_timestamp()").scalar_one()
    assert migrate.upgrade(demo_db.engine) == migrate.head_revision()
    with demo_db.engine.connect() as conn:
        vacuumed, analysed, pages = conn.exec_driver_sql(
            "SELECT s.last_vacuum, s.last_analyze, c.relpages FROM pg_stat_user_tables s "
            "JOIN pg_class c ON c.oid = s.relid WHERE s.relname = 'result_term'"
        ).one()
    assert vacuumed is not None and vacuumed >= started, (vacuumed, started)
    assert analysed is not None and analysed >= started, (analysed, started)
    assert pages > 0
    assert _kept(demo_db) == _expected(demo_db)


def test_every_result_term_trigger_is_in_place_at_head(db: Database) -> None:
    """A later migration that rebuilt ``result`` or ``work_term`` (SQLite rebuilds a table
    to change it, dropping its triggers) would leave result_term silently stale: the
    triggers of migration 0015 must all be there at the head revision, enabled."""
    with db.engine.connect() as conn:
        if db.engine.dialect.name == "sqlite":
            found = {
                (str(table), str(name))
                for name, table in conn.exec_driver_sql(
                    "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' "
                    "AND name LIKE 'result_term%'"
                )
            }
            expected = {
                ("result", "result_term_ai"),
                ("result", "result_term_au"),
                ("work_term", "result_term_wt_ai"),
                ("work_term", "result_term_wt_ad"),
                ("work_term", "result_term_wt_au"),
            }
        else:
            found = {
                (str(table), str(name))
                for table, name in conn.exec_driver_sql(
                    "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c "
                    "ON c.oid = t.tgrelid WHERE NOT t.tgisinternal AND t.tgenabled = 'O' "
                    "AND t.tgname LIKE 'result_term%%'"
                )
            }
            expected = {
                ("result", "result_term_ai"),
                ("result", "result_term_au"),
                ("work_term", "result_term_wt"),
            }
    assert found == expected
