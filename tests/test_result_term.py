"""``result_term`` (the results under each programme and convention, kept by triggers of
migration 0014) stays equal to what it copies through the writes that change it: a
result recorded, reviewed or deleted, a project moved to another programme, a project
deleted, the bulk loader."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, select, update

from greenfolio.services import portfolio, results, synthetic
from greenfolio.services.database import Database
from greenfolio.services.portfolio import WorkSpec
from greenfolio.store.tables import ResultRow, ResultTermRow, WorkRow, WorkTermRow


def _kept(db: Database) -> set[tuple[Any, ...]]:
    with db.transaction() as session:
        return set(
            session.execute(
                select(
                    ResultTermRow.result_id,
                    ResultTermRow.term_key,
                    ResultTermRow.indicator_code,
                    ResultTermRow.review_state,
                    ResultTermRow.kind,
                    ResultTermRow.period_end,
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
                ResultRow.indicator_code,
                ResultRow.review_state,
                ResultRow.kind,
                ResultRow.period_end,
            ).join(WorkTermRow, WorkTermRow.work_id == ResultRow.work_id)
        ).all()
    return {r for r in found if r[1].split(":")[0] in ("programme", "convention")}


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
