"""The demo never deletes a user's data without being told to, ids are never reused, and
the demo ends by saying what to do next (issue 12, item 13; issue 13)."""

from __future__ import annotations

import re
import shutil
import stat
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from greenfolio.interfaces.cli import demo_guide
from greenfolio.interfaces.cli.app import app
from greenfolio.services import accounts, audit, demo, reference, results
from greenfolio.services.database import Database
from greenfolio.store import migrate
from greenfolio.store.tables import AuditEventRow, ResultRow, WorkRow
from tests.test_api_support import add_project

runner = CliRunner()
QUICK = ["--lang", "en", "--format", "html"]


def _url(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)


def _demo(db: Database, out: Path, *extra: str) -> object:
    return runner.invoke(app, ["demo", "--db", _url(db), "--out", str(out), *QUICK, *extra])


def _count(db: Database, table: type[WorkRow] | type[ResultRow]) -> int:
    with db.transaction() as session:
        return len(session.scalars(select(table.id)).all())


def test_the_demo_rebuilds_a_database_holding_only_its_own_records(
    db: Database, tmp_path: Path
) -> None:
    first = _demo(db, tmp_path)
    assert first.exit_code == 0, first.output
    works, rows = _count(db, WorkRow), _count(db, ResultRow)
    # the accounts are made before they enter and verify the results (an auditor read
    # results entered by accounts the trail made only afterwards)
    with db.transaction() as session:
        made = dict(
            session.execute(
                select(AuditEventRow.entity_id, AuditEventRow.id).where(
                    AuditEventRow.entity == "app_user", AuditEventRow.action == "create"
                )
            ).all()
        )
        first_result = session.scalar(
            select(func.min(AuditEventRow.id)).where(AuditEventRow.entity == "result")
        )
    assert len(made) == 3 and max(made.values()) < first_result
    again = _demo(db, tmp_path)
    assert again.exit_code == 0, again.output
    assert (_count(db, WorkRow), _count(db, ResultRow)) == (works, rows)
    assert audit.verify(db).intact


def test_the_demo_refuses_a_database_with_user_data_and_reset_says_what_it_removes(
    db: Database, tmp_path: Path
) -> None:
    add_project(db, "mine-1", "pops", "BRA")
    add_project(db, "mine-2", "pops", "CHN")
    results.record(db, results.ResultSpec(work="mine-1", indicator="pops_destroyed", value=3))
    refused = _demo(db, tmp_path)
    assert refused.exit_code == 2, refused.output
    assert "holds 2 work items (mine-1, mine-2)" in refused.output
    # its results are counted too, on whichever work item they are (it said none)
    assert "1 result entered or imported" in refused.output
    assert "--reset" in refused.output
    said = " ".join(refused.output.split())  # the demo's own next step, "demo --serve", too
    assert f"To open what the database holds now: greenfolio serve --db {_url(db)}" in said
    assert (_count(db, WorkRow), _count(db, ResultRow)) == (2, 1)  # nothing written
    assert accounts.users(db, None) == [] and not list(tmp_path.glob("*password"))  # no account
    reset = _demo(db, tmp_path, "--reset")
    assert reset.exit_code == 0, reset.output
    assert "removed: 2 work items, 1 result, 0 method runs" in reset.output
    with db.transaction() as session:
        keys = set(session.scalars(select(WorkRow.key)))
    assert not keys & {"mine-1", "mine-2"} and len(keys) > 20
    assert audit.verify(db).intact


def test_a_demo_record_changed_by_a_user_is_user_data(demo_db: Database) -> None:
    with demo_db.transaction() as session:
        rid = session.scalars(select(ResultRow.id).order_by(ResultRow.id)).first()
    with audit.acting_as("user:editor"), demo_db.transaction() as session:
        row = session.get(ResultRow, rid)
        assert row is not None
        row.value = row.value + 1
    with pytest.raises(demo.DemoRefused, match="1 demo record changed by users"):
        demo.load(demo_db)
    demo.load(demo_db, reset=True)


def test_ids_are_not_reused_after_a_deletion(db: Database) -> None:
    add_project(db, "ids-1", "pops", "BRA")
    spec = results.ResultSpec(work="ids-1", indicator="pops_destroyed", value=3)
    old = results.record(db, spec)
    with db.transaction() as session:
        session.delete(session.get(ResultRow, old))
    new = results.record(db, spec)
    assert new > old
    with db.transaction() as session:
        history = audit.history(session, "result", str(new))
    assert [e["action"] for e in history] == ["create"]


def test_upgrading_keeps_records_and_starts_the_head(empty_db: Database) -> None:
    """A database made at the revision before 0006_ops is upgraded in place: rows and
    references kept,
    the head taken from the trail, and ids no longer reused."""
    migrate.upgrade(empty_db.engine, "0005_auth")
    reference.sync(empty_db)
    add_project(empty_db, "up-1", "pops", "BRA")
    spec = results.ResultSpec(work="up-1", indicator="pops_destroyed", value=3)
    rid = results.record(empty_db, spec)
    results.apply_review(empty_db, [rid], "submit")
    with empty_db.engine.connect() as conn:
        newest = conn.execute(text("SELECT id, hash FROM audit_event ORDER BY id DESC")).first()
        reviews = conn.execute(text("SELECT count(*) FROM review_event")).scalar()
    assert empty_db.upgrade() == migrate.head_revision()
    head = audit.current_head(empty_db)
    assert head is not None and (head.event_id, head.hash) == tuple(newest or ())
    with empty_db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM review_event")).scalar() == reviews
    assert audit.verify(empty_db).intact
    with empty_db.transaction() as session:
        session.delete(session.get(ResultRow, rid))
    assert results.record(empty_db, spec) > rid


def test_the_demo_says_what_to_do_next(tmp_path: Path) -> None:
    db_file = tmp_path / "demo.sqlite"
    done = runner.invoke(
        app, ["demo", "--db", str(db_file), "--out", str(tmp_path / "out"), *QUICK]
    )
    assert done.exit_code == 0, done.output
    output = done.stdout
    assert f"greenfolio demo --serve --db {db_file}" in output
    assert "http://127.0.0.1:8000/" in output and "sign in as 'admin'" in output
    secret_file = tmp_path / "demo.sqlite.admin-password"
    assert f"the password is in {secret_file} (readable only by you)" in output
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    password = re.search(r"password: (\S+)", secret_file.read_text()).group(1)  # type: ignore[union-attr]
    assert password not in done.output
    db = Database.open(str(db_file))
    try:
        assert accounts.authenticate(db, "admin", password, "127.0.0.1").name == "admin"
    finally:
        db.close()
    useful = output[output.index("Three useful commands:") :]
    commands = [line.strip() for line in useful.splitlines() if "    greenfolio " in line]
    assert len(commands) == 3
    assert commands[0].startswith("greenfolio report build --year 2021 --lang all")
    again = runner.invoke(
        app, ["demo", "--db", str(db_file), "--out", str(tmp_path / "out"), *QUICK]
    )
    assert again.exit_code == 0 and str(secret_file) in again.stdout
    assert secret_file.read_text() == f"user: admin\npassword: {password}\n"


def test_the_readme_shows_the_next_steps_the_demo_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The quick start quotes the demo's closing text; run as the quick start does (the
    default database in the current folder), the demo prints those very lines."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GREENFOLIO_DB", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    # as ./scripts/demo runs it: the program in the checkout's .venv, not on the PATH
    program = tmp_path / ".venv" / "bin" / "greenfolio"
    program.parent.mkdir(parents=True)
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    monkeypatch.setattr(sys, "argv", [str(program)])
    # in a clone, which holds IATI's example file that the next steps name
    example = tmp_path / "tests" / "data" / "iati" / "files" / "iati-example-v203.xml"
    example.parent.mkdir(parents=True)
    shutil.copy(Path(__file__).parent / "data" / "iati" / "files" / example.name, example)
    done = runner.invoke(app, ["demo", *QUICK])
    assert done.exit_code == 0, done.output
    readme = (Path(__file__).parents[1] / "README.md").read_text("utf-8")
    quoted = readme.split("```text\nNext steps\n", 1)[1].split("```", 1)[0]
    printed = done.stdout.split("Next steps\n", 1)[1]
    for line in quoted.splitlines():
        if "…/" in line:  # the README cannot know the reader's folder
            prefix, rest = line.split("…/")
            assert f"{prefix}{tmp_path}/{rest}" in printed, line
        else:
            assert line in printed, line


def test_the_demo_writes_the_command_as_it_can_be_typed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``greenfolio`` when that name on the PATH is this program, else its path: a new
    shell has not activated the checkout's virtual environment."""
    folder = tmp_path / "bin"
    folder.mkdir()
    program = folder / "greenfolio"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    assert demo_guide.command_name(str(program)) == "bin/greenfolio"
    monkeypatch.setenv("PATH", f"{folder}:/usr/bin:/bin")
    assert demo_guide.command_name(str(program)) == "greenfolio"
    assert demo_guide.command_name("/usr/lib/python3/pytest") == "greenfolio"


def test_the_demos_partners_carry_their_cited_names(demo_db: Database) -> None:
    """A French officer read FAO, the GEF and others in English "(en anglais)": the demo's
    partners take the names ``refdata/orgnames`` cites in other languages."""
    from greenfolio.store.tables import OrganisationRow

    with demo_db.transaction() as session:
        names = dict(
            (k, n) for k, n in session.execute(select(OrganisationRow.key, OrganisationRow.names))
        )
    assert (
        names["fao"]["fr"] == "Organisation des Nations Unies pour l'alimentation et l'agriculture"
    )
    assert names["fao"]["en"] == "Food and Agriculture Organization of the United Nations"
    assert names["afd"]["fr"] == "Agence française de développement"
    assert set(names["austria"]) == {"en", "zh"}  # nothing cited: as the demo gives it
