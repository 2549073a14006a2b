"""What the command line says when something is wrong, and the exit code it says it with.

Each test runs the real command (Typer's CliRunner) against a real SQLite database holding
the demo portfolio, and asserts the message a person reads: which option, what was given,
what is allowed; never a library's dump.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select, update
from typer.testing import CliRunner

from greenfolio.interfaces.cli.app import app
from greenfolio.interfaces.cli.common import EXIT_CODES, ExitCode, number
from greenfolio.services import demo, reference
from greenfolio.services.database import Database
from greenfolio.services.exchange.iati_import import import_files
from greenfolio.store.tables import ResultRow, WorkRow
from tests.conftest import DATA
from tests.test_api_support import add_user, client

runner = CliRunner()
LEAKS = ("pydantic", "errors.pydantic.dev", "validation error for", "Traceback", "No such option")


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo portfolio in SQLite, built once; each test works on its own copy."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    db = Database.open(str(path))
    db.upgrade()
    reference.sync(db)
    demo.load(db)
    db.close()
    return path


@pytest.fixture
def url(demo_file: Path, tmp_path: Path) -> Iterator[str]:
    copy = tmp_path / "copy.sqlite"
    shutil.copy(demo_file, copy)
    yield str(copy)


def run(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=env, input=stdin)
    text = result.output
    for leak in LEAKS:
        assert leak not in text, text
    return result.exit_code, text


def run_json(*args: str) -> tuple[int, object, str]:
    """Exit code, the JSON on standard output, and everything printed (warnings too)."""
    result = runner.invoke(app, list(args))
    return result.exit_code, json.loads(result.stdout), result.output


def count_results(url: str) -> int:
    db = Database.open(url)
    try:
        with db.transaction() as session:
            return len(session.scalars(select(ResultRow.id)).all())
    finally:
        db.close()


# --- errors name the option, the value given and what is allowed -------------------------


def test_an_impossible_date_names_the_option_and_writes_nothing(url: str) -> None:
    before = count_results(url)
    code, text = run(
        "results",
        "add",
        "--work",
        "idb49-pops-programme",
        "--indicator",
        "pops_destroyed",
        "--value",
        "12",
        "--period-start",
        "2021-02-30",
        "--db",
        url,
    )
    assert code == ExitCode.INVALID
    assert "--period-start: '2021-02-30' was given; write a real date as YYYY-MM-DD" in text
    assert "day value is outside expected range" in text
    assert count_results(url) == before


def test_a_bad_date_for_a_result_from_a_method_run_names_the_option(url: str) -> None:
    code, data, _ = run_json(
        "methods",
        "montreal",
        "convert",
        "100",
        "t",
        "HCFC-22",
        "--to",
        "odp",
        "--store",
        "--json",
        "--db",
        url,
    )
    assert code == ExitCode.OK and isinstance(data, dict)
    code, text = run(
        "methods",
        "result",
        str(data["run_id"]),
        "--output",
        "value",
        "--work",
        "idb49-montreal-protocol",
        "--indicator",
        "ods_phased_out_odp",
        "--period-end",
        "2021-13-01",
        "--db",
        url,
    )
    assert code == ExitCode.INVALID
    assert "--period-end: '2021-13-01' was given; write a real date as YYYY-MM-DD" in text


def test_a_negative_baseline_says_what_is_allowed() -> None:
    code, text = run(
        "methods",
        "montreal",
        "limits",
        "NGA",
        "--group",
        "C/I",
        "--year",
        "2025",
        "--baseline",
        "-5",
    )
    assert code == ExitCode.INVALID
    assert "--baseline: -5 was given; it must be 0 or more" in text


def test_a_negative_positional_value_is_a_value_not_an_option() -> None:
    code, text = run("methods", "montreal", "convert", "-1", "t", "HCFC-22", "--to", "odp")
    assert code == ExitCode.INVALID
    assert "QUANTITY: -1 was given; it must be 0 or more" in text
    code, text = run("methods", "montreal", "convert", "-0.5", "t", "HCFC-22", "--to", "odp")
    assert "QUANTITY: -0.5 was given" in text
    # An option that does not exist is still named as such (Click's message, exit 2).
    result = runner.invoke(app, ["methods", "montreal", "convert", "1", "t", "HCFC-22", "-x"])
    assert result.exit_code == ExitCode.INVALID and "No such option: -x" in result.output


def test_a_method_input_given_under_another_name_names_the_option() -> None:
    code, text = run(
        "methods",
        "upops",
        "avoided",
        "--category",
        "1c",
        "--from",
        "1",
        "--to",
        "4",
        "--activity",
        "-100",
    )
    assert code == ExitCode.INVALID
    assert "--activity: -100 was given; it must be 0 or more" in text


# --- counts are whole numbers ----------------------------------------------------------------


def test_a_count_of_people_must_be_whole(url: str) -> None:
    before = count_results(url)
    code, text = run(
        "results",
        "add",
        "--work",
        "idb49-pops-programme",
        "--indicator",
        "participants",
        "--value",
        "12.5",
        "--db",
        url,
    )
    assert code == ExitCode.INVALID
    assert (
        "12.5 people, but participants is a count (of people): give a whole number, "
        "such as 12 or 13" in text
    )
    assert count_results(url) == before
    code, text = run(
        "results",
        "add",
        "--work",
        "idb49-pops-programme",
        "--indicator",
        "participants",
        "--value",
        "12",
        "--period-start",
        "2021-01-01",
        "--period-end",
        "2021-06-30",
        "--db",
        url,
    )
    assert code == ExitCode.OK, text
    # A measure is not a count: 12.5 tonnes are fine.
    code, text = run(
        "results",
        "add",
        "--work",
        "idb49-pops-programme",
        "--indicator",
        "pops_destroyed",
        "--value",
        "12.5",
        "--period-start",
        "2021-01-01",
        "--period-end",
        "2021-06-30",
        "--db",
        url,
    )
    assert code == ExitCode.OK, text


# --- figures for a year nothing covers ---------------------------------------------------


def test_figures_for_a_year_no_session_covers_say_so(url: str) -> None:
    code, text = run("figures", "--year", "2020", "--db", url)
    assert code == ExitCode.INVALID
    assert "report 'board' has no session for 2020 (it has: 2021)" in text
    # a newcomer's review: it sent them to edit the installed package's definition.yaml
    assert "copy the report's folder" in text and "--definition" in text
    code, text = run("figures", "--year", "2020", "--json", "--db", url)
    assert code == ExitCode.INVALID and "no session for 2020" in text


def test_figures_of_a_period_without_results_warn(url: str) -> None:
    code, text = run("figures", "--year", "1990", "--definition", "montreal", "--db", url)
    assert code == ExitCode.OK
    assert "no verified result falls in the periods of report 'montreal' for 1990" in text


# --- numbers and tables as people read them ---------------------------------------------------


def test_numbers_print_as_people_write_them(url: str) -> None:
    assert [number(v) for v in (72_000_000.0, 3.9999, 0.0000012, 5, -2.5, 1e21)] == [
        "72,000,000",
        "3.9999",
        "0.0000012",
        "5",
        "-2.5",
        "1,000,000,000,000,000,000,000",
    ]
    code, text = run("figures", "--year", "2021", "--db", url)
    assert code == ExitCode.OK
    assert "72,000,000" in text and "e+07" not in text
    code, text = run("explain", "co2_avoided", "--db", url)
    assert "co2_avoided = 72,000,000 t CO₂e (about)" in text


def test_tables_do_not_cut_names(url: str) -> None:
    for columns in ("60", "200"):
        code, text = run("indicators", "list", "--db", url, env={"COLUMNS": columns})
        assert code == ExitCode.OK
        assert "…" not in text
        assert "accreditations_obtained" in text and "asgm_nap_countries" in text
    code, text = run("figures", "--year", "2021", "--db", url, env={"COLUMNS": "80"})
    assert "…" not in text and "refrigeration_elearning_countries" in text


# --- work items: nearest keys, and a list to find them ----------------------------------------


def test_an_unknown_work_item_offers_the_nearest_keys(url: str) -> None:
    code, text = run(
        "results",
        "add",
        "--work",
        "idb49-pops-programm",
        "--indicator",
        "pops_destroyed",
        "--value",
        "1",
        "--db",
        url,
    )
    assert code == ExitCode.INVALID
    assert "unknown work item 'idb49-pops-programm'; did you mean idb49-pops-programme" in text


def test_what_a_person_typed_is_printed_as_typed(url: str) -> None:
    code, text = run(
        "results",
        "add",
        "--work",
        "[red]nope[/]",
        "--indicator",
        "pops_destroyed",
        "--value",
        "1",
        "--db",
        url,
    )
    assert code == ExitCode.INVALID and "unknown work item '[red]nope[/]'" in text


def test_work_list_filters_and_json(url: str) -> None:
    code, data, text = run_json("work", "list", "--programme", "pops", "--json", "--db", url)
    assert code == ExitCode.OK, text
    assert isinstance(data, dict)
    keys = [item["key"] for item in data["items"]]
    assert "idb49-pops-programme" in keys and data["total"] == len(keys)
    assert all(k.startswith("idb49-") for k in keys)
    code, found, _ = run_json("work", "list", "--country", "PHL", "--json", "--db", url)
    assert isinstance(found, dict)
    assert "idb49-philippines-ewaste" in [i["key"] for i in found["items"]]
    code, text = run("work", "list", "--q", "biochar", "--db", url)
    assert code == ExitCode.OK and "idb49-biochar" in text and "1 work item(s)" in text
    code, text = run("work", "list", "--status", "implementation", "--limit", "2", "--db", url)
    assert "(showing 2; --limit for more)" in text
    code, text = run("work", "list", "--programme", "popz", "--db", url)
    assert code == ExitCode.INVALID and "unknown programme 'popz' (did you mean pops?)" in text
    code, text = run("work", "list", "--country", "XXX", "--db", url)
    assert code == ExitCode.INVALID and "unknown country code 'XXX'" in text


# --- results no report counts -----------------------------------------------------------------


def test_a_result_without_a_period_is_warned_about_on_add_and_verify(url: str) -> None:
    code, data, text = run_json(
        "results",
        "add",
        "--work",
        "idb49-pops-programme",
        "--indicator",
        "pops_destroyed",
        "--value",
        "12",
        "--unit",
        "t",
        "--json",
        "--db",
        url,
    )
    assert code == ExitCode.OK
    assert isinstance(data, dict)
    rid = str(data["id"])
    assert "has no period, so no report counts it" in text
    run("results", "submit", rid, "--db", url)
    code, text = run("results", "verify", rid, "--db", url)
    assert code == ExitCode.INVALID  # whoever entered a result does not verify it
    assert "someone else must verify it" in text
    secret = "a reviewer's passphrase"
    made = ("users", "create", "rev", "--role", "reviewer", "--db", url)
    assert run(*made, env={"GREENFOLIO_PASSWORD": secret})[0] == ExitCode.OK
    verify = ("results", "verify", rid, "--as", "rev", "--db", url)
    code, text = run(*verify, env={"GREENFOLIO_PASSWORD": secret})
    assert code == ExitCode.OK, text
    assert f"result {rid}: verified" in text
    assert f"warning: result {rid} has no period, so no report counts it" in text


def test_a_result_outside_every_report_period_is_warned_about(url: str) -> None:
    code, text = run(
        "results",
        "add",
        "--work",
        "idb49-pops-policies",
        "--indicator",
        "policies_adopted",
        "--value",
        "1",
        "--period-start",
        "2023-01-01",
        "--period-end",
        "2023-06-30",
        "--db",
        url,
    )
    assert code == ExitCode.OK
    rid = text.split()[1]
    assert f"warning: result {rid} ends on 2023-06-30, outside every report period" in text
    assert "board 2021 counts periods ending 2020-01-01 to 2021-06-30" in text


def test_the_readme_example_counts_in_the_board_report(url: str, tmp_path: Path) -> None:
    """The README's lines, run as written: add and submit as the demo's data-entry
    account, verify as its reviewer (two people, as four eyes require)."""
    files = {}
    for name, role in (("data-entry", "editor"), ("reviewer", "reviewer")):
        files[name] = tmp_path / f"greenfolio.sqlite.{name}-password"
        files[name].write_text(f"user: {name}\npassword: demo {name} passphrase\n", "utf-8")
        made = ("users", "create", name, "--role", role, "--password-file", str(files[name]))
        assert run(*made, "--db", url)[0] == ExitCode.OK
    code, text = run("figures", "--year", "2021", "--json", "--db", url)
    before = {f["id"]: f["value"] for f in json.loads(text)["figures"]}["pops_destroyed"]
    readme = (Path(__file__).parents[1] / "README.md").read_text("utf-8")
    lines = readme.replace("\\\n", " ").splitlines()  # join continued lines
    line = next(x for x in lines if "greenfolio results add" in x)

    def here(words: list[str]) -> list[str]:
        """The password files the README names, as written in this test's folder."""
        prefix, suffix = "greenfolio.sqlite.", "-password"
        return [str(files[w[len(prefix) : -len(suffix)]]) if w.startswith(prefix)
                and w.endswith(suffix) else w for w in words]  # fmt: skip

    args = here(line.split("#")[0].split()[1:])
    code, text = run(*args, "--db", url)
    assert code == ExitCode.OK, text
    assert "warning" not in text
    rid = text.split()[1]
    assert rid == "64"  # as the README says, on a fresh demo

    def as_written(line: str) -> list[str]:
        words = line.split("#")[0].split()[1:]
        return here([rid if w == "N" else w for w in words])

    submit = next(x for x in lines if x.startswith("greenfolio results submit"))
    code, text = run(*as_written(submit), "--db", url)
    assert code == ExitCode.OK, text
    verify = next(x for x in lines if x.startswith("greenfolio results verify"))
    code, text = run(*as_written(verify), "--db", url)
    assert code == ExitCode.OK and "warning" not in text, text
    code, text = run("figures", "--year", "2021", "--json", "--db", url)
    after = {f["id"]: f["value"] for f in json.loads(text)["figures"]}["pops_destroyed"]
    assert after == before + 12


# --- IATI export: one grouped summary, exit 4, one bad record does not sink the file ----------


def test_export_groups_reasons_and_exits_partial(url: str, tmp_path: Path) -> None:
    db = Database.open(url)
    files = [DATA / "iati" / "files" / n for n in ("iati-example-v203.xml",)]
    assert import_files(db, files).created > 0
    with db.transaction() as session:
        key = session.scalars(select(WorkRow.key).where(WorkRow.key.not_like("idb49-%"))).first()
        title = session.scalar(select(WorkRow.title).where(WorkRow.key == key))
        assert key and title
        lang = next(iter(title))
        session.execute(
            update(WorkRow)
            .where(WorkRow.key == key)
            .values(title={**title, lang: "bell\u0007 and nul\u0000"})
        )
    db.close()
    out = tmp_path / "out.xml"
    code, text = run("export", "iati", "--out", str(out), "--db", url)
    assert code == ExitCode.PARTIAL
    assert "left out:" in text
    assert text.count("error:") == 0
    # Each reason once, with a count and example keys.
    line = next(x for x in text.splitlines() if "no activity dates" in x)
    assert "× no activity dates; IATI requires at least one: give a planned or actual" in line
    assert "(e.g. idb49-" in line
    assert sum("no activity dates" in x for x in text.splitlines()) == 1
    bad = next(x for x in text.splitlines() if "control character" in x)
    assert "the title holds the control character U+0007" in bad and "1 ×" not in bad and key in bad
    tree = etree.parse(str(out))
    ids = tree.xpath("//iati-identifier/text()")
    assert ids and key not in ids
    code, data, _ = run_json("export", "iati", "--out", str(out), "--json", "--db", url)
    assert code == ExitCode.PARTIAL
    assert isinstance(data, dict) and data["skipped"] > 0


# --- exit codes and passwords -----------------------------------------------------------------


def test_help_prints_the_exit_code_table() -> None:
    result = runner.invoke(app, ["--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0
    for code, meaning in EXIT_CODES:
        assert f"{code}  {meaning}" in result.output
    assert [c for c, _ in EXIT_CODES] == [0, 1, 2, 3, 4, 5, 141]
    readme = (Path(__file__).parents[1] / "README.md").read_text("utf-8")
    for code, meaning in EXIT_CODES:
        assert f"| {code} | {meaning} |" in readme


# --- the same rules reach the API ---------------------------------------------------------


def test_the_api_refuses_fractional_counts_and_uncovered_years(url: str) -> None:
    db = Database.open(url)
    try:
        admin = add_user(db, "root", "admin@all")
        web = client(db)
        made = web.post(
            "/api/v1/results",
            json={
                "work": "idb49-pops-programme",
                "indicator": "participants",
                "value": 12.5,
                "period_end": "2021-06-30",
            },
            headers=admin.auth,
        )
        assert made.status_code == 422, made.text
        assert "give a whole number, such as 12 or 13" in made.json()["error"]["message"]
        figures = web.get("/api/v1/figures?year=2020", headers=admin.auth)
        assert figures.status_code == 404, figures.text
        assert "no session for 2020" in figures.json()["error"]["message"]
    finally:
        db.close()


def test_imports_group_reasons_and_exit_partial_when_some_are_refused(
    url: str, tmp_path: Path
) -> None:
    example = (DATA / "iati" / "files" / "iati-example-v203.xml").read_text("utf-8")
    broken = tmp_path / "broken.xml"
    broken.write_text(example.replace('iso-date="2013-04-01"', 'iso-date="2021-02-30"', 1))
    code, text = run("import", "iati", str(broken), "--db", url)
    assert code == ExitCode.PARTIAL
    assert "created 12, updated 0" in text and "refused:" in text
    assert "iso-date '2021-02-30' is not a date (write YYYY-MM-DD) (broken.xml:28" in text
    code, text = run(
        "import", "iati", str(DATA / "iati" / "files" / "worldbank-v1.xml"), "--db", url
    )
    assert code == ExitCode.OK
    lines = text.splitlines()
    reason = "organisation role 'beneficiary' is not in the OrganisationRole codelist"
    assert [x.strip()[:5] for x in lines if reason in x] == ["16 × "]
    assert len(lines) < 20 and "--json lists every problem with its place" in text


def test_acting_as_an_account_checks_its_password_and_role(url: str) -> None:
    secret = "a viewer's passphrase"
    made = ("users", "create", "ann", "--role", "viewer", "--db", url)
    assert run(*made, env={"GREENFOLIO_PASSWORD": secret})[0] == ExitCode.OK
    verify = ("results", "verify", "1", "--as", "ann", "--db", url)
    code, text = run(*verify, env={"GREENFOLIO_PASSWORD": "not it"})
    assert code == ExitCode.INVALID and "unknown user name or wrong password" in text
    code, text = run(*verify, env={"GREENFOLIO_PASSWORD": ""})
    assert code == ExitCode.INVALID and "--password-file FILE or $GREENFOLIO_PASSWORD" in text
    code, text = run(*verify, env={"GREENFOLIO_PASSWORD": secret})
    assert code == ExitCode.INVALID and "signed in as ann" in text, text
    assert "Your roles: Viewer (all projects)" in text and "viewer@all" not in text
