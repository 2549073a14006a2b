"""A data manager's review: an activity imported again with a newer last-updated-datetime
(its title changed) lost every result a reviewer had verified: all were deleted and made
again as submitted, and their review events went with them. Now a result the file gives
again unchanged is kept with its reviews; one whose value changed is revised in place,
goes back for review and says so in the audit trail; one the file no longer gives is
removed, as the file asks."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from greenfolio.services import results
from greenfolio.services.database import Database
from greenfolio.services.exchange.iati_import import import_file
from greenfolio.store.tables import AuditEventRow, ResultRow, ReviewEventRow, WorkRow

FILE = Path(__file__).parent / "data" / "iati" / "files" / "iati-example-v203.xml"
KEY = "NL-1-PPR-24706"
STAMP = 'last-updated-datetime="2018-06-22T10:22:07"'


def _results(db: Database) -> dict[int, tuple[float, str, int]]:
    with db.transaction() as session:
        wid = session.scalar(select(WorkRow.id).where(WorkRow.key == KEY))
        rows = session.scalars(select(ResultRow).where(ResultRow.work_id == wid))
        return {r.id: (r.value, r.review_state, r.version) for r in rows}


def _edited(tmp_path: Path, name: str, *swaps: tuple[str, str]) -> Path:
    text = FILE.read_text("utf-8")
    for old, new in swaps:
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def test_a_newer_file_keeps_verified_results_it_gives_again(db: Database, tmp_path: Path) -> None:
    assert import_file(db, FILE).created
    before = _results(db)
    assert len(before) >= 3
    results.apply_review(db, sorted(before), "verify", actor="user:checker")
    before = _results(db)
    assert {state for _, state, _ in before.values()} == {"verified"}
    with db.transaction() as session:
        reviews = session.scalar(
            select(ReviewEventRow.id).where(ReviewEventRow.result_id.in_(before)).limit(1)
        )
    assert reviews is not None
    newer = _edited(
        tmp_path,
        "newer.xml",
        (STAMP, 'last-updated-datetime="2019-01-01T00:00:00"'),
        ("ICTJ 2013-2014", "ICTJ 2013-2015"),
    )
    summary = import_file(db, newer)
    assert summary.updated == 1
    after = _results(db)
    assert after == before
    with db.transaction() as session:
        kept = session.scalars(
            select(ReviewEventRow.result_id).where(ReviewEventRow.result_id.in_(before))
        )
        assert set(kept) == set(before)

    # the actual of 11 becomes 12: that result is revised in place and goes back for review
    changed = _edited(
        tmp_path,
        "changed.xml",
        (STAMP, 'last-updated-datetime="2020-01-01T00:00:00"'),
        ('<actual value="11">', '<actual value="12">'),
    )
    assert import_file(db, changed).updated == 1
    now = _results(db)
    assert set(now) == set(before)
    (revised,) = [rid for rid, (value, _, _) in now.items() if value == 12]
    assert before[revised][0] == 11
    assert now[revised][1:] == ("submitted", before[revised][2] + 1)
    assert all(now[r] == before[r] for r in before if r != revised)
    with db.transaction() as session:
        events = session.scalars(
            select(AuditEventRow).where(
                AuditEventRow.entity == "result", AuditEventRow.entity_id == str(revised)
            )
        ).all()
    assert any(e.action == "update" for e in events), [e.action for e in events]


def test_an_edited_file_with_the_same_stamp_updates_and_says_so(
    db: Database, tmp_path: Path
) -> None:
    """A title changed without moving last-updated-datetime on was skipped silently."""
    assert import_file(db, FILE).created
    edited = _edited(tmp_path, "edited.xml", ("ICTJ 2013-2014", "ICTJ 2013-2016"))
    summary = import_file(db, edited)
    assert (summary.updated, summary.skipped) == (1, 12)
    (warning,) = [w for w in summary.warnings if "last-updated-datetime is the same" in w.message]
    assert warning.activity == KEY
    with db.transaction() as session:
        title = session.scalar(select(WorkRow.title).where(WorkRow.key == KEY))
    assert title == {"nl": "ICTJ 2013-2016"}
    again = import_file(db, edited)
    assert (again.updated, again.skipped) == (0, 13)
    assert not [w for w in again.warnings if "last-updated" in w.message]
