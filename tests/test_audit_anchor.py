"""The audit trail is anchored and checked against the data (issue 12, item 11): removing
its newest events is noticed (by the head stored apart, and by a head kept elsewhere),
and so is a record changed, added or removed by SQL typed at the database."""

from __future__ import annotations

from sqlalchemy import text
from typer.testing import CliRunner

from greenfolio.interfaces.cli.app import app
from greenfolio.services import audit, results
from greenfolio.services.database import Database
from tests.test_api_support import add_project

runner = CliRunner()


def _url(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)


def _sql(db: Database, statement: str, **params: object) -> None:
    """A statement typed at the database, outside Greenfolio."""
    with db.engine.begin() as conn:
        conn.execute(text(statement), params)


def _result(db: Database, work: str, value: float = 4) -> int:
    spec = results.ResultSpec(work=work, indicator="pops_destroyed", value=value)
    return results.record(db, spec)


def test_audit_head_prints_the_newest_hash_and_verify_accepts_it(db: Database) -> None:
    add_project(db, "an-1", "pops", "BRA")
    printed = runner.invoke(app, ["audit", "head", "--db", _url(db)])
    assert printed.exit_code == 0, printed.output
    kept = printed.stdout.strip()
    with db.engine.connect() as conn:
        newest = conn.execute(text("SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1"))
        assert kept == newest.scalar()
    add_project(db, "an-2", "pops", "CHN")  # the trail grows past the kept head
    ok = runner.invoke(app, ["audit", "verify", "--head", kept, "--db", _url(db)])
    assert ok.exit_code == 0, ok.output
    assert "audit trail intact" in ok.output
    wrong = runner.invoke(app, ["audit", "verify", "--head", "abc", "--db", _url(db)])
    assert wrong.exit_code == 2 and "64 hexadecimal" in wrong.output


def test_removing_the_newest_events_is_noticed(db: Database) -> None:
    add_project(db, "an-3", "pops", "BRA")
    rid = _result(db, "an-3")
    assert audit.verify(db).intact
    _sql(db, "DELETE FROM audit_event WHERE entity = 'result' AND entity_id = :r", r=str(rid))
    report = audit.verify(db)
    assert not report.intact
    assert "the newest events were removed" in report.problem
    assert any(f == f"result {rid}: no audit event records it" for f in report.findings)
    cli = runner.invoke(app, ["audit", "verify", "--db", _url(db)])
    assert cli.exit_code == 5, cli.output
    assert "found wanting" in cli.output and "newest events were removed" in cli.output


def test_a_kept_head_notices_removal_even_when_the_stored_head_is_rewritten(
    db: Database,
) -> None:
    add_project(db, "an-4", "pops", "BRA")
    before_result = audit.current_head(db)
    assert before_result is not None
    rid = _result(db, "an-4")
    kept = audit.current_head(db)
    assert kept is not None and kept.event_id > before_result.event_id
    # A careful intruder removes the newest events, the result, and rewinds the head.
    _sql(db, "DELETE FROM audit_event WHERE id > :i", i=before_result.event_id)
    _sql(db, "DELETE FROM review_event WHERE result_id = :r", r=rid)
    _sql(db, "DELETE FROM result WHERE id = :r", r=rid)
    _sql(
        db,
        "UPDATE audit_head SET event_id = :i, hash = :h",
        i=before_result.event_id,
        h=before_result.hash,
    )
    assert audit.verify(db).intact  # nothing inside the database tells
    report = audit.verify(db, kept.hash)
    assert not report.intact and "is not in the trail" in report.problem
    cli = runner.invoke(app, ["audit", "verify", "--head", kept.hash, "--db", _url(db)])
    assert cli.exit_code == 5 and "is not in the trail" in cli.output


def test_a_value_changed_by_sql_is_reported_with_table_and_record(db: Database) -> None:
    add_project(db, "an-5", "pops", "BRA")
    rid = _result(db, "an-5", 4)
    other = _result(db, "an-5", 7)
    assert audit.verify(db).intact
    _sql(db, "UPDATE result SET value = 4000 WHERE id = :r", r=rid)
    report = audit.verify(db)
    assert not report.intact
    assert report.findings == (
        f"result {rid}: value changed outside Greenfolio since event "
        f"{_last_event(db, 'result', rid)}",
    )
    assert str(other) not in " ".join(report.findings)
    cli = runner.invoke(app, ["audit", "verify", "--db", _url(db)])
    assert cli.exit_code == 5, cli.output
    assert f"result {rid}: value changed outside Greenfolio" in cli.output
    assert "1 problem" in cli.output


def test_records_added_or_removed_by_sql_are_reported(db: Database) -> None:
    add_project(db, "an-6", "pops", "BRA")
    add_project(db, "an-7", "pops", "CHN")
    rid = _result(db, "an-6")
    with db.engine.connect() as conn:
        wid = conn.execute(text("SELECT id FROM work_item WHERE key = 'an-7'")).scalar()
    _sql(db, "DELETE FROM work_item WHERE id = :w", w=wid)
    _sql(db, "UPDATE work_country SET country = 'KHM' WHERE country = 'BRA'")
    _sql(
        db,
        "INSERT INTO result (work_id, indicator_code, value, unit, qualifier, kind, "
        "review_state, version, created_at, updated_at) SELECT work_id, indicator_code, 99, unit, "
        "qualifier, kind, review_state, version, created_at, updated_at FROM result WHERE id = :r",
        r=rid,
    )
    findings = audit.verify(db).findings
    assert any(f.startswith(f"work_item {wid}: was removed outside Greenfolio") for f in findings)
    assert any("work_country changed outside Greenfolio" in f for f in findings)
    assert any(f.startswith("result ") and "no audit event records it" in f for f in findings)


def _last_event(db: Database, entity: str, record: int) -> int:
    with db.engine.connect() as conn:
        found = conn.execute(
            text("SELECT max(id) FROM audit_event WHERE entity = :e AND entity_id = :r"),
            {"e": entity, "r": str(record)},
        )
        return int(found.scalar() or 0)


def test_signing_in_and_failing_to_leaves_the_trail_intact(db: Database) -> None:
    """Sign-in bookkeeping (attempt counters, sessions) is not a record: a real sign-in
    through the form, right and wrong, must not make `audit verify` report anything."""
    from tests.test_api_support import PASSWORD, add_user, browser

    add_user(db, "ann", "viewer@all")
    web, csrf = browser(db, None)
    for password in ("wrong password 1", PASSWORD):
        form = {"csrf": csrf, "username": "ann", "password": password}
        web.post("/login", data=form)
    result = audit.verify(db)
    assert result.intact, [str(f) for f in result.findings]
