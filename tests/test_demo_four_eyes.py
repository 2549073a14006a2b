"""Issue 10, four eyes in the demo: its results are entered and submitted under a
data-entry account and verified under a separate reviewer account, both with generated
passwords in 0600 files like the admin's, so author and reviewer differ in the audit
trail; the README's CLI example works as those two accounts (``--as``)."""

from __future__ import annotations

import re
import stat
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from greenfolio.interfaces.cli.app import app
from greenfolio.services import accounts, audit
from greenfolio.services.database import Database
from greenfolio.store.tables import AuditEventRow, ResultRow, ReviewEventRow

runner = CliRunner()
QUICK = ["--lang", "en", "--format", "html"]


def _password(path: Path) -> str:
    found = re.search(r"password: (\S+)", path.read_text("utf-8"))
    assert found is not None
    return found.group(1)


def test_the_demo_results_are_entered_and_verified_by_two_accounts(tmp_path: Path) -> None:
    db_file = tmp_path / "demo.sqlite"
    done = runner.invoke(
        app, ["demo", "--db", str(db_file), "--out", str(tmp_path / "out"), *QUICK]
    )
    assert done.exit_code == 0, done.output
    files = {n: tmp_path / f"demo.sqlite.{n}-password" for n in ("data-entry", "reviewer")}
    for name, path in files.items():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert f"'{name}': password in {path}" in done.stdout
        assert _password(path) not in done.output
    db = Database.open(str(db_file))
    try:
        grants = {
            n: [str(g) for g in accounts.authenticate(db, n, _password(p), "t").grants]
            for n, p in files.items()
        }
        assert grants == {"data-entry": ["editor@all"], "reviewer": ["reviewer@all"]}
        with db.transaction() as session:
            authors = set(session.execute(select(ResultRow.entered_by, ResultRow.submitted_by)))
            assert authors == {("user:data-entry", "user:data-entry")}
            verifiers = set(
                session.scalars(
                    select(ReviewEventRow.actor).where(ReviewEventRow.action == "verify")
                )
            )
            assert verifiers == {"user:reviewer"}
            trail = dict(
                session.execute(
                    select(AuditEventRow.actor, func.count())
                    .where(AuditEventRow.entity == "result")
                    .group_by(AuditEventRow.actor)
                ).all()
            )
            assert trail["user:data-entry"] == trail["user:reviewer"] == 63
        assert audit.verify(db).intact
    finally:
        db.close()
    again = runner.invoke(
        app, ["demo", "--db", str(db_file), "--out", str(tmp_path / "out"), *QUICK]
    )
    assert again.exit_code == 0, again.output  # its own accounts' records are the demo's
    assert _password(files["reviewer"]) and str(files["reviewer"]) in again.stdout

    url = str(db_file)
    entry = ["--as", "data-entry", "--password-file", str(files["data-entry"]), "--db", url]
    check = ["--as", "reviewer", "--password-file", str(files["reviewer"]), "--db", url]
    added = runner.invoke(
        app,
        ["results", "add", "--work", "idb49-pops-programme", "--indicator", "pops_destroyed",
         "--value", "12", "--unit", "t", "--period-start", "2021-01-01",
         "--period-end", "2021-06-30", *entry],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    rid = int(re.search(r"result (\d+) recorded as draft", added.stdout).group(1))  # type: ignore[union-attr]
    assert runner.invoke(app, ["results", "submit", str(rid), *entry]).exit_code == 0
    refused = runner.invoke(app, ["results", "verify", str(rid), *entry])
    assert refused.exit_code != 0 and "do not allow reviewing" in refused.output
    assert "Your roles: Editor (all projects)" in refused.output
    verified = runner.invoke(app, ["results", "verify", str(rid), *check])
    assert verified.exit_code == 0 and f"result {rid}: verified" in verified.stdout
    db = Database.open(url)
    try:
        with db.transaction() as session:
            row = session.get(ResultRow, rid)
            assert row is not None and row.entered_by == "user:data-entry"
            assert row.review_state == "verified"
    finally:
        db.close()


def test_author_and_reviewer_differ_on_both_backends(db: Database, demo_db: Database) -> None:
    with db.transaction() as session:
        rows = session.execute(
            select(ResultRow.entered_by, ReviewEventRow.action, ReviewEventRow.actor).join(
                ReviewEventRow, ReviewEventRow.result_id == ResultRow.id
            )
        ).all()
    assert len(rows) == 2 * 63
    assert {(r.entered_by, r.action, r.actor) for r in rows} == {
        ("user:data-entry", "submit", "user:data-entry"),
        ("user:data-entry", "verify", "user:reviewer"),
    }
