"""The audit trail: every change with who, when, before and after; nothing for a rolled
back transaction; a hash chain that shows any edit or removal of an event."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from greenfolio.interfaces.cli.app import app
from greenfolio.services import audit, portfolio, results, synthetic
from greenfolio.services.database import Database
from greenfolio.services.portfolio import WorkSpec
from tests.test_api_support import add_project


def _events(db: Database, entity: str, entity_id: str) -> list[dict[str, object]]:
    with db.transaction() as session:
        return audit.history(session, entity, entity_id)


def _work_id(db: Database, key: str) -> str:
    with db.transaction() as session:
        return str(portfolio.work_by_key(session, key).id)


def test_changes_are_recorded_with_actor_before_and_after(db: Database) -> None:
    with audit.acting_as("user:alice"):
        add_project(db, "au-1", "pops", "BRA")
    wid = _work_id(db, "au-1")
    with audit.acting_as("user:bob"):
        portfolio.register_work(
            db,
            WorkSpec(key="au-1", kind="project", title={"en": "Renamed"}, countries=["BRA", "CHN"]),
        )
    created, changed = _events(db, "work_item", wid)
    assert (created["action"], created["actor"], created["before"]) == (
        "create",
        "user:alice",
        None,
    )
    assert created["after"]["work_country"] == [{"country": "BRA", "share": None}]  # type: ignore[index]
    assert (changed["action"], changed["actor"]) == ("update", "user:bob")
    assert {"title", "version", "work_country", "work_term"} <= set(changed["changes"])  # type: ignore[arg-type]
    assert changed["before"]["title"]["en"] == "Test project"  # type: ignore[index]
    assert [c["country"] for c in changed["after"]["work_country"]] == ["BRA", "CHN"]  # type: ignore[index]


def test_a_rolled_back_change_leaves_no_event(db: Database) -> None:
    with db.transaction() as session:
        before = audit.generation(session)
    with pytest.raises(RuntimeError), db.transaction() as session:
        portfolio.upsert_work(session, WorkSpec(key="au-gone", kind="project", title={"en": "x"}))
        raise RuntimeError("abandon")
    with db.transaction() as session:
        assert audit.generation(session) == before


def test_review_and_bulk_changes_are_recorded(db: Database) -> None:
    add_project(db, "au-2", "pops", "BRA")
    rid = results.record(db, results.ResultSpec(work="au-2", indicator="pops_destroyed", value=4))
    with audit.acting_as("user:rev"):
        results.apply_review(db, [rid], "submit")
    events = _events(db, "result", str(rid))
    assert [e["action"] for e in events] == ["create", "update"]
    assert events[1]["before"]["review_state"] == "draft"  # type: ignore[index]
    assert events[1]["after"]["review_state"] == "submitted"  # type: ignore[index]
    synthetic.generate(db, 20)
    bulk, _ = audit.listing(db, entity="result", entity_id="*")
    assert bulk[0]["action"] == "bulk_insert" and bulk[0]["after"] == {"rows": 200}


def test_tampering_is_detected(db: Database) -> None:
    add_project(db, "au-3", "pops", "BRA")
    report = audit.verify(db)
    assert report.intact and report.events > 0
    with db.engine.begin() as conn:
        last = conn.execute(text("SELECT max(id) FROM audit_event")).scalar()
        conn.execute(text("UPDATE audit_event SET actor = 'mallory' WHERE id = :i"), {"i": last})
    broken = audit.verify(db)
    assert not broken.intact and broken.broken_at == last and "altered" in broken.problem


def test_removing_an_event_is_detected(db: Database) -> None:
    add_project(db, "au-4", "pops", "BRA")
    add_project(db, "au-5", "pops", "CHN")
    with db.engine.begin() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id FROM audit_event ORDER BY id"))]
        conn.execute(text("DELETE FROM audit_event WHERE id = :i"), {"i": ids[-2]})
    broken = audit.verify(db)
    assert not broken.intact and broken.broken_at == ids[-1] and "removed" in broken.problem


def test_concurrent_writers_keep_one_chain(db: Database) -> None:
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(5):
                add_project(db, f"au-c{n}-{i}", "pops", "BRA")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert audit.verify(db).intact


def test_cli_audit_verify_exit_codes(db: Database) -> None:
    url = db.engine.url.render_as_string(hide_password=False)
    add_project(db, "au-6", "pops", "BRA")
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify", "--db", url])
    assert ok.exit_code == 0 and "intact" in ok.output
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET entity_id = 'x' WHERE id = 1"))
    bad = runner.invoke(app, ["audit", "verify", "--db", url])
    assert bad.exit_code == 5 and "event 1" in bad.output


def test_writes_made_without_the_orm_are_summarised(db: Database) -> None:
    add_project(db, "au-7", "pops", "BRA")
    wid = int(_work_id(db, "au-7"))
    with audit.acting_as("user:loader"), db.transaction() as session:
        conn = session.connection()
        conn.execute(
            text("INSERT INTO work_country (work_id, country) VALUES (:w, 'CHN')"), {"w": wid}
        )
        conn.execute(text("UPDATE work_item SET status = 'closed' WHERE id = :w"), {"w": wid})
    events, _ = audit.listing(db, entity_id="*", actor="user:loader")
    assert {(e["action"], e["entity"], e["after"]["rows"]) for e in events} == {  # type: ignore[index]
        ("bulk_insert", "work_country", 1),
        ("bulk_update", "work_item", 1),
    }
    assert audit.verify(db).intact


def test_large_bulk_updates_are_summarised(db: Database) -> None:
    from sqlalchemy import update

    from greenfolio.store.tables import WorkRow

    synthetic.generate(db, audit.DETAIL_LIMIT + 5)
    with audit.acting_as("user:bulk"), db.transaction() as session:
        session.execute(
            update(WorkRow).where(WorkRow.key.like("synthetic-%")).values(status="closed")
        )
        session.execute(
            update(WorkRow).where(WorkRow.key == "synthetic-0000001").values(status="pipeline")
        )
    events, _ = audit.listing(db, actor="user:bulk")
    actions = sorted((e["action"], e["entity_id"]) for e in events)
    assert actions[0][0] == "bulk_update" and actions[1][0] == "update"
