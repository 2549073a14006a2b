"""The command line as a user meets it: output, JSON, exit codes and error messages."""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from greenfolio.interfaces.cli.app import app
from greenfolio.services import results
from greenfolio.services.database import Database
from greenfolio.store import migrate
from greenfolio.store.tables import WorkRow
from tests.outline import EXPECTED

runner = CliRunner()


def _url(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_db_upgrade_then_indicators(empty_db: Database) -> None:
    code, output = _run("db", "upgrade", "--db", _url(empty_db))
    assert code == 0, output
    assert f"revision {migrate.head_revision()}" in output
    code, output = _run("indicators", "list", "--json", "--db", _url(empty_db))
    rows = json.loads(output)
    assert code == 0
    by_code = {r["code"]: r for r in rows}
    assert by_code["ods_phased_out_odp"]["unit"] == "ODP_tonne"
    assert by_code["countries_supported"]["aggregation"] == "distinct_countries"


def test_figures_json_lists_every_outline_figure(demo_db: Database) -> None:
    code, output = _run("figures", "--year", "2021", "--json", "--db", _url(demo_db))
    assert code == 0, output
    figures = {f["id"]: f for f in json.loads(output)["figures"]}
    assert set(EXPECTED) <= set(figures)
    co2 = figures["co2_avoided"]
    assert (co2["value"], co2["unit"], co2["qualifier"]) == (72_000_000, "tCO2e", "about")
    assert co2["period"] == {"start": "2020-01-01", "end": "2020-12-31"}
    assert co2["result_ids"] and co2["parameters"]["indicator"] == "ghg_avoided"


def test_a_database_without_schema_is_refused(tmp_path: Path) -> None:
    code, output = _run("figures", "--year", "2021", "--db", str(tmp_path / "new.sqlite"))
    assert code == 3
    assert "greenfolio db upgrade" in output


IATI_EXAMPLE = Path(__file__).parent / "data" / "iati" / "files" / "iati-example-v203.xml"


@pytest.mark.parametrize("empty", [False, True], ids=["absent", "zero-bytes"])
def test_an_import_makes_a_database_not_made_yet(tmp_path: Path, empty: bool) -> None:
    """The demo's next step, ``import iati FILE.xml --db mine.sqlite``, on a new file: the
    database is made at the current schema (said in one line), not refused and left empty."""
    mine = tmp_path / "mine.sqlite"
    if empty:
        mine.touch()
    code, output = _run("import", "iati", str(IATI_EXAMPLE), "--db", str(mine))
    assert code == 0, output
    assert [line for line in output.splitlines() if line.startswith("created ")] == [
        f"created sqlite:///{mine} at the current schema (revision {migrate.head_revision()})"
    ]
    db = Database.open(str(mine))
    try:
        assert db.is_current()
        with db.transaction() as session:
            assert session.scalar(select(func.count()).select_from(WorkRow)) == 13
    finally:
        db.close()
    code, output = _run("import", "iati", str(IATI_EXAMPLE), "--db", str(mine))
    assert code == 0 and "created" not in output.replace("created 0", "")


def test_an_import_refuses_a_database_at_an_older_schema(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite"
    db = Database.open(str(old))
    migrate.upgrade(db.engine, "0015_figure_terms_wide")
    db.close()
    code, output = _run("import", "iati", str(IATI_EXAMPLE), "--db", str(old))
    assert code == 3 and "not at the current schema" in output
    assert "greenfolio db upgrade" in output and "created" not in output
    db = Database.open(str(old))
    assert migrate.current_revision(db.engine) == "0015_figure_terms_wide"
    db.close()


@pytest.mark.parametrize(
    "command", [["figures", "--year", "2021"], ["work", "list"], ["results", "list"]]
)
def test_a_database_that_is_not_there_is_named_and_not_made(
    tmp_path: Path, command: list[str]
) -> None:
    # it was made empty, and the next command called it "not at the current schema"
    missing = tmp_path / "typo.sqlite"
    code, output = _run(*command, "--db", str(missing))
    assert code == 3, output
    assert f"there is no database at {missing}" in " ".join(output.split())
    assert "greenfolio db upgrade --db" in output and "./scripts/demo" in output
    assert list(tmp_path.iterdir()) == []


def test_an_import_that_writes_nothing_leaves_no_new_database(tmp_path: Path) -> None:
    # exit 2 says nothing was written; the new database file was left behind all the same
    mine = tmp_path / "mine.sqlite"
    readme = tmp_path / "notes.md"
    readme.write_text("# not XML\n")
    for given in (tmp_path / "nonexist.xml", readme):
        code, output = _run("import", "iati", str(given), "--db", str(mine))
        assert code == 2, output
        assert "removed again: nothing was imported into it" in " ".join(output.split())
        assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.md"]
    code, output = _run("import", "iati", str(IATI_EXAMPLE), "--db", str(mine))
    assert code == 0 and mine.exists(), output


def test_serve_on_a_port_in_use_says_so_before_serving(demo_db: Database) -> None:
    # it printed "serving … at http://127.0.0.1:PORT/", then uvicorn's errno 98, and
    # exited 3 ("database unreachable")
    import socket

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        code, output = _run("serve", "--db", _url(demo_db), "--port", str(port))
    text = " ".join(output.split())
    assert code == 2, text
    assert f"port {port} on 127.0.0.1 is in use by another program" in text
    assert f"--port {port + 1}" in text and "serving" not in text


@pytest.mark.parametrize("command", [["db", "upgrade"], ["work", "list"]])
def test_a_database_in_a_folder_that_is_not_there_names_the_folder(
    tmp_path: Path, command: list[str]
) -> None:
    # the driver said "unable to open database file", and the advice was `db upgrade`
    code, output = _run(*command, "--db", str(tmp_path / "nope" / "none.sqlite"))
    text = " ".join(output.split())
    assert code == 3, text
    assert f"the folder {tmp_path / 'nope'} does not exist" in text
    assert not (tmp_path / "nope").exists()


def test_import_iati_names_its_files_argument() -> None:
    result = runner.invoke(app, ["import", "iati", "--help"], env={"COLUMNS": "200"})
    assert "FILE.xml..." in result.output and "{files}" not in result.output
    assert "<list[path]>" not in result.output
    code, output = _run("import", "iati")
    assert code == 2 and "Missing argument 'FILE.xml'" in output


def test_bad_input_exits_2_with_a_fix(demo_db: Database) -> None:
    url = _url(demo_db)
    code, output = _run(
        "results",
        "add",
        "--work",
        "idb49-pops-programme",
        "--indicator",
        "pops_destroyd",
        "--value",
        "5",
        "--db",
        url,
    )
    assert code == 2 and "did you mean pops_destroyed" in output
    code, output = _run(
        "results",
        "add",
        "--work",
        "idb49-pops-programme",
        "--indicator",
        "pops_destroyed",
        "--value",
        "5",
        "--unit",
        "ODP_tonne",
        "--db",
        url,
    )
    assert code == 2 and "cannot be converted" in output
    code, output = _run("report", "build", "--year", "2019", "--db", url)
    assert code == 2 and "no session for 2019" in output
    code, output = _run("report", "build", "--year", "2021", "--lang", "xx", "--db", url)
    assert code == 2 and "unknown language 'xx'" in output


def test_review_cycle_from_the_command_line(demo_db: Database, tmp_path: Path) -> None:
    url = _url(demo_db)

    def pops() -> float:
        code, output = _run("figures", "--year", "2021", "--json", "--db", url)
        assert code == 0, output
        return next(
            f["value"] for f in json.loads(output)["figures"] if f["id"] == "pops_destroyed"
        )

    code, output = _run(
        "results",
        "add",
        "--work",
        "idb49-pops-programme",
        "--indicator",
        "pops_destroyed",
        "--value",
        "806",
        "--unit",
        "t",
        "--period-end",
        "2021-05-31",
        "--json",
        "--db",
        url,
    )
    assert code == 0, output
    rid = str(json.loads(output)["id"])
    assert _run("results", "submit", rid, "--db", url)[0] == 0
    code, output = _run("results", "return", rid, "--reason", "no evidence attached", "--db", url)
    assert code == 0 and "returned" in output
    assert pops() == 13194
    assert _run("results", "verify", rid, "--db", url)[0] == 2  # must be resubmitted first
    assert _run("results", "submit", rid, "--db", url)[0] == 0
    code, output = _run("results", "verify", rid, "--db", url)
    assert code == 2 and "who entered and submitted it" in output  # separation of duties
    assert pops() == 13194
    results.apply_review(demo_db, [int(rid)], "verify", actor="user:checker")  # someone else
    assert pops() == 14000
    code, output = _run(
        "results",
        "list",
        "--state",
        "verified",
        "--indicator",
        "pops_destroyed",
        "--json",
        "--db",
        url,
    )
    assert [r["value"] for r in json.loads(output)] == [13194, 806]
    code, output = _run(
        "report",
        "build",
        "--year",
        "2021",
        "--lang",
        "en",
        "--format",
        "html",
        "--out",
        str(tmp_path),
        "--db",
        url,
    )
    assert code == 0, output
    page = lxml.html.parse(str(tmp_path / "board-2021-en.html")).getroot().text_content()
    assert "14,000\u00a0metric tonnes" in page
