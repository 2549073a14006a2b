"""Imports that never clobber and never run away (issue 12, items 3, 4, 5 and 9), on
SQLite and PostgreSQL: a hand-entered project is not overwritten by an IATI activity of
the same key unless asked, and then every row changed is audited; partial imports have
their own exit code and summary; wrong encodings, hostile workbooks and control
characters are refused with a message and change nothing."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from greenfolio.interfaces.cli.app import app
from greenfolio.services import portfolio
from greenfolio.services.database import Database
from greenfolio.services.exchange.iati_import import import_file
from greenfolio.store.tables import AuditEventRow, ResultRow, WorkRow
from tests.conftest import DATA

EXAMPLE = DATA / "iati" / "files" / "iati-example-v203.xml"
HAND_KEY = "NL-1-PPR-24706"  # an activity of the example file


def _url(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)


def _work(db: Database, key: str) -> dict[str, object]:
    with db.transaction() as session:
        row = session.scalar(select(WorkRow).where(WorkRow.key == key))
        assert row is not None
        return {
            "title": dict(row.title),
            "origin": row.origin,
            "countries": sorted(c.country for c in row.countries),
            "version": row.version,
        }


def _events_since(db: Database, first: int) -> list[AuditEventRow]:
    with db.transaction() as session:
        rows = list(
            session.scalars(
                select(AuditEventRow).where(AuditEventRow.id > first).order_by(AuditEventRow.id)
            )
        )
        session.expunge_all()
        return rows


def _last_event(db: Database) -> int:
    with db.transaction() as session:
        return int(session.scalar(select(func.max(AuditEventRow.id))) or 0)


def _hand_project(db: Database) -> None:
    portfolio.register_work(
        db,
        portfolio.WorkSpec(
            key=HAND_KEY,
            kind="project",
            title={"en": "Transitional justice", "fr": "Justice transitionnelle"},
            countries=["KHM", "IDN"],
        ),
    )


def test_iati_import_does_not_overwrite_a_hand_entered_project(db: Database) -> None:
    _hand_project(db)
    before = _work(db, HAND_KEY)
    summary = import_file(db, EXAMPLE)
    assert (summary.created, summary.updated, summary.refused) == (12, 0, 1)
    (error,) = summary.errors
    assert error.activity == HAND_KEY and error.line
    assert f"key '{HAND_KEY}' is already stored" in error.message
    assert "entered by hand" in error.message and "--update-existing" in error.message
    assert _work(db, HAND_KEY) == before

    # The command line: a partial import exits 4 with one summary line.
    runner = CliRunner()
    result = runner.invoke(app, ["import", "iati", str(EXAMPLE), "--db", _url(db)])
    assert result.exit_code == 4, result.output
    assert "refused 1 activities" in result.stdout and "imported 12" in result.stdout
    assert _work(db, HAND_KEY) == before
    data = json.loads(
        runner.invoke(app, ["import", "iati", str(EXAMPLE), "--json", "--db", _url(db)]).stdout
    )
    assert data["refused"] == 1 and len(data["errors"]) == 1 and data["reasons"]

    # Asked explicitly: the project is replaced and the change is in the audit trail.
    mark = _last_event(db)
    result = runner.invoke(
        app, ["import", "iati", str(EXAMPLE), "--update-existing", "--db", _url(db)]
    )
    assert result.exit_code == 0, result.output
    after = _work(db, HAND_KEY)
    assert after["origin"] == "iati" and after["title"] == {"nl": "ICTJ 2013-2014"}
    events = _events_since(db, mark)
    (change,) = [e for e in events if e.entity == "work_item" and e.action == "update"]
    assert change.before["title"] == before["title"]
    assert sorted(c["country"] for c in change.before["work_country"]) == ["IDN", "KHM"]
    assert change.after["origin"] == "iati"
    assert not [e for e in events if e.entity.startswith("work_") and e.entity_id == "*"]

    # Re-importing the same file (the project now came from it) keeps working.
    again = import_file(db, EXAMPLE)
    assert (again.errors, again.skipped, again.refused) == ([], 13, 0)


def _activity_with_periods(periods: int, title: str, updated: str) -> str:
    rows = "".join(
        f'<period><period-start iso-date="{2000 + i // 12}-{i % 12 + 1:02d}-01"/>'
        f'<period-end iso-date="{2000 + i // 12}-{i % 12 + 1:02d}-28"/>'
        f'<actual value="{i}"/></period>'
        for i in range(periods)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">'
        f'<iati-activity last-updated-datetime="{updated}" xml:lang="en">'
        "<iati-identifier>XM-TEST-AUDIT</iati-identifier>"
        '<reporting-org ref="XM-TEST" type="40"><narrative>Test</narrative></reporting-org>'
        f"<title><narrative>{title}</narrative></title>"
        '<activity-status code="2"/>'
        '<result type="1"><title><narrative>Output</narrative></title>'
        '<indicator measure="1"><title><narrative>Trained</narrative></title>'
        f"{rows}</indicator></result>"
        "</iati-activity></iati-activities>\n"
    )


def test_updates_of_imported_projects_are_audited_row_by_row(db: Database, tmp_path: Path) -> None:
    """More results than the audit trail records one by one in a single statement."""
    path = tmp_path / "audit.xml"
    path.write_text(_activity_with_periods(1100, "First", "2020-01-01T00:00:00"), "utf-8")
    assert import_file(db, path).created == 1
    mark = _last_event(db)
    path.write_text(_activity_with_periods(1100, "Second", "2021-01-01T00:00:00"), "utf-8")
    summary = import_file(db, path)
    assert (summary.updated, summary.errors) == (1, [])
    events = _events_since(db, mark)
    actions = {(e.action, e.entity) for e in events}
    assert ("update", "work_item") in actions
    assert not [e for e in events if e.entity_id == "*"], "an update recorded only as a count"
    # Each result removed and each added has its own event (on SQLite a new row may take
    # the id of a removed one, and the two show as one update).
    results = [e for e in events if e.entity == "result"]
    assert len({e.entity_id for e in results if e.before is not None}) == 1100
    assert len({e.entity_id for e in results if e.after is not None}) == 1100
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ResultRow)) == 1100
