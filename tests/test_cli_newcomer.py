"""What a newcomer following the README meets at the command line: an ``--out`` in the
wrong place said in words (exit 2, nothing left behind), output piped into ``head``
ending quietly, files of the wrong kind named for what they are, whole reset links,
help that reads as prose, and the README's own examples working in order."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from greenfolio.interfaces.cli.app import GreenfolioGroup, app
from greenfolio.interfaces.cli.common import ExitCode
from greenfolio.interfaces.cli.help_text import flowed
from greenfolio.services import reference
from greenfolio.services.database import Database
from greenfolio.services.exchange.xlsx_template import LISTS_SHEET

ROOT = Path(__file__).resolve().parents[1]
IATI_FILE = ROOT / "tests" / "data" / "iati" / "files" / "iati-example-v203.xml"
runner = CliRunner()


def _url(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "300", **(env or {})})
    return result.exit_code, " ".join(result.output.split())


def _listing(folder: Path) -> list[str]:
    """Every name under ``folder``, hidden ones too (a left-over ``.x.part``)."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# --- --out in the wrong place ------------------------------------------------------------


def test_export_to_a_folder_says_give_a_file_name(demo_db_module: Database, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    code, text = _run("export", "iati", "--out", str(folder), "--db", _url(demo_db_module))
    assert code == ExitCode.INVALID, text
    assert (
        f"--out {folder} is a folder; give a file name such as --out {folder}/activities.xml"
        in text
    )
    assert "Traceback" not in text and _listing(tmp_path) == ["out"]


def test_template_to_a_folder_says_give_a_file_name(
    demo_db_module: Database, tmp_path: Path
) -> None:
    code, text = _run(
        "template", "xlsx", "--indicators", "pops_destroyed", "--out", str(tmp_path),
        "--db", _url(demo_db_module),
    )  # fmt: skip
    assert code == ExitCode.INVALID, text
    assert f"is a folder; give a file name such as --out {tmp_path}/results.xlsx" in text
    assert _listing(tmp_path) == []


def test_report_into_an_existing_file_says_give_a_folder(
    demo_db_module: Database, tmp_path: Path
) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("mine\n", "utf-8")
    code, text = _run(
        "report", "build", "--year", "2021", "--lang", "en", "--out", str(readme),
        "--db", _url(demo_db_module),
    )  # fmt: skip
    assert code == ExitCode.INVALID, text
    assert f"--out {readme} is a file; --out takes the folder to write into" in text
    assert readme.read_text("utf-8") == "mine\n" and _listing(tmp_path) == ["README.md"]


def test_export_through_a_file_says_so(demo_db_module: Database, tmp_path: Path) -> None:
    (tmp_path / "notes").write_text("x", "utf-8")
    target = tmp_path / "notes" / "a.xml"
    code, text = _run("export", "iati", "--out", str(target), "--db", _url(demo_db_module))
    assert code == ExitCode.INVALID, text
    assert f"goes through {tmp_path / 'notes'}, which is a file, not a folder" in text


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_export_where_no_file_can_be_made(demo_db_module: Database) -> None:
    code, text = _run("export", "iati", "--out", "/proc/p.xml", "--db", _url(demo_db_module))
    assert code == ExitCode.INVALID, text
    assert "cannot write --out /proc/p.xml: no file can be made in /proc" in text
    assert "such as --out activities.xml" in text and "Traceback" not in text


def test_demo_with_a_file_for_out_makes_no_database(tmp_path: Path) -> None:
    mine = tmp_path / "README.md"
    mine.write_text("mine\n", "utf-8")
    code, text = _run("demo", "--db", str(tmp_path / "d.sqlite"), "--out", str(mine))
    assert code == ExitCode.INVALID, text
    assert "is a file; --out takes the folder" in text
    assert _listing(tmp_path) == ["README.md"]


def test_demo_says_what_synthetic_projects_it_added(tmp_path: Path) -> None:
    """A newcomer's review: `demo --synthetic 50` printed only the 33 demo work items
    while the database held 83."""
    code, text = _run("demo", "--db", str(tmp_path / "s.sqlite"), "--out", str(tmp_path / "o"),
                      "--synthetic", "20", "--lang", "en", "--format", "html")  # fmt: skip
    assert code == 0, text
    assert "synthetic projects: 20 more, with 200 made-up results" in text


def test_a_missing_out_folder_is_still_made(demo_db_module: Database, tmp_path: Path) -> None:
    target = tmp_path / "new" / "deeper" / "t.xlsx"
    code, text = _run(
        "template", "xlsx", "--indicators", "pops_destroyed", "--out", str(target),
        "--db", _url(demo_db_module),
    )  # fmt: skip
    assert code == 0, text
    assert target.is_file() and not [n for n in _listing(tmp_path) if ".probe" in n]


# --- a closed pipe --------------------------------------------------------------------------


def _closed_pipe(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """Run ``greenfolio ARGS`` with its output going to a pipe nobody reads (``| head``
    after it has read what it wanted)."""
    read, write = os.pipe()
    os.close(read)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"}
    try:
        return subprocess.run(
            [sys.executable, "-m", "greenfolio", *args],
            stdout=write,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env=env,
            timeout=300,
            check=False,
        )
    finally:
        os.close(write)


@pytest.mark.parametrize(
    "args",
    [
        ("validate", "iati", str(IATI_FILE), "--lang", "fr"),
        ("export", "iati", "--out", "activities.xml", "--db", "DB"),
        ("figures", "--year", "2021", "--json", "--db", "DB"),
        ("results", "verify", "--help"),
        ("--version",),
    ],
)
def test_output_into_a_closed_pipe_ends_quietly(
    args: tuple[str, ...], demo_db_module: Database, tmp_path: Path
) -> None:
    given = [_url(demo_db_module) if a == "DB" else a for a in args]
    done = _closed_pipe(*given, cwd=tmp_path)
    assert done.returncode == ExitCode.PIPE_CLOSED == 141, done.stderr
    assert b"Traceback" not in done.stderr and b"BrokenPipe" not in done.stderr


def test_demo_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    done = _closed_pipe("demo", "--db", "d.sqlite", "--out", "out", cwd=tmp_path)
    assert done.returncode == 141, done.stderr
    assert b"Traceback" not in done.stderr and b"Exception ignored" not in done.stderr


# --- files of the wrong kind -----------------------------------------------------------------


def test_a_spreadsheet_given_to_import_iati_is_named(
    demo_db_module: Database, tmp_path: Path
) -> None:
    book = tmp_path / "some.xlsx"
    code, text = _run(
        "template", "xlsx", "--indicators", "pops_destroyed", "--out", str(book),
        "--db", _url(demo_db_module),
    )  # fmt: skip
    assert code == 0, text
    code, text = _run("import", "iati", str(book), "--db", str(tmp_path / "new.sqlite"))
    assert code == ExitCode.INVALID, text
    assert "this is a spreadsheet (XLSX), not XML: use `greenfolio import xlsx`" in text
    assert "greenfolio import mlf-apr" in text and "Start tag expected" not in text
    code, text = _run("validate", "iati", str(book))
    assert code == ExitCode.INVALID and "this is a spreadsheet (XLSX)" in text


def test_xml_given_to_import_xlsx_names_import_iati(tmp_path: Path) -> None:
    code, text = _run("import", "xlsx", str(IATI_FILE), "--db", str(tmp_path / "new.sqlite"))
    assert code == ExitCode.INVALID, text
    assert "this is an XML file, not an XLSX workbook" in text
    assert "`greenfolio import iati`" in text and "zip" not in text


def test_text_given_to_import_iati_shows_how_it_begins(tmp_path: Path) -> None:
    table = tmp_path / "results.csv"
    table.write_text("work,indicator,value\nx,y,1\n", "utf-8")
    code, text = _run("validate", "iati", str(table))
    assert code == ExitCode.INVALID, text
    assert "this is not XML: the file begins with «work,indicator,value»" in text


def test_a_csv_with_a_byte_order_mark_or_a_cut_workbook_is_named(tmp_path: Path) -> None:
    """A data manager's review: a CSV saved by Excel as "CSV UTF-8" (a byte-order mark) or
    as UTF-16, named .xlsx, and a workbook cut short, were all refused with "not a readable
    zip file: File is not a zip file"; `import mlf-apr` sent a CSV to the results template."""
    bom = tmp_path / "bom.xlsx"
    bom.write_bytes(b"\xef\xbb\xbfproject,indicator\na,b\n")
    wide = tmp_path / "wide.xlsx"
    wide.write_bytes("project,indicator\na,b\n".encode("utf-16"))
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes((ROOT / "tests" / "data" / "mlf" / "apr-sample-2024.xlsx").read_bytes()[:3000])
    for command in ("xlsx", "mlf-apr"):
        for path in (bom, wide):
            code, text = _run("import", command, str(path), "--db", str(tmp_path / "n.sqlite"))
            assert code == ExitCode.INVALID, text
            assert "this is a text file (CSV or other), not an XLSX workbook" in text
            assert "zip" not in text and "template" not in text, text
        code, text = _run("import", command, str(cut), "--db", str(tmp_path / "n.sqlite"))
        assert code == ExitCode.INVALID and "cut short or damaged" in text, text
    code, text = _run("validate", "iati", str(bom))
    assert "the file begins with «project,indicator»" in text, text


# --- reset links -----------------------------------------------------------------------------


def test_reset_link_says_how_to_make_it_whole(demo_db_module: Database, tmp_path: Path) -> None:
    url = _url(demo_db_module)
    secret = tmp_path / "pw.txt"
    secret.write_text("a long enough password 1\n", "utf-8")
    code, text = _run("users", "create", "reviewer", "--role", "reviewer", "--password-file",
                      str(secret), "--db", url)  # fmt: skip
    assert code == 0, text
    code, text = _run(
        "users", "reset-link", "reviewer", "--db", url, env={"GREENFOLIO_BASE_URL": ""}
    )
    assert code == 0, text
    assert re.search(r": /welcome/\S+", text)
    assert "That is the link's path only" in text and "--base-url" in text
    code, text = _run(
        "users", "reset-link", "reviewer", "--db", url,
        env={"GREENFOLIO_BASE_URL": "https://greenfolio.example.org/"},
    )  # fmt: skip
    assert code == 0 and re.search(r": https://greenfolio\.example\.org/welcome/\S+", text)
    assert "path only" not in text
    code, text = _run("users", "reset-link", "reviewer", "--base-url", "example.org", "--db", url)
    assert code == ExitCode.INVALID and "write it with http:// or https://" in text


# --- help ------------------------------------------------------------------------------------


def _every_command() -> list[tuple[str, ...]]:
    """Every command and group of ``greenfolio``, as the words that name it."""
    from typer._click import Context
    from typer.main import get_command

    found: list[tuple[str, ...]] = []

    def walk(command: object, path: tuple[str, ...]) -> None:
        found.append(path)
        names = getattr(command, "list_commands", None)
        if names is None:
            return
        ctx = Context(command)  # type: ignore[arg-type]
        for name in names(ctx):
            walk(command.get_command(ctx, name), (*path, name))  # type: ignore[attr-defined]

    root = get_command(app)
    assert isinstance(root, GreenfolioGroup)
    walk(root, ())
    return found


COMMANDS = _every_command()


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "greenfolio")
def test_help_shows_values_in_words_and_flags_bare(path: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert not re.search(r"<(str|bool|int|float|path|list\[[^\]]*\])[^>]*>", result.output)
    assert not re.search(r"--help +(BOOLEAN|TEXT)", result.output)
    assert "{" not in result.output.split("\n", 3)[1]  # the usage line: FILE, not {file}


@pytest.mark.parametrize(
    "group", ["results", "users", "audit", "evidence", "validate", "tokens", "template"]
)
def test_listed_commands_read_as_one_paragraph(group: str) -> None:
    from typer._click import Context
    from typer.main import get_command

    root = get_command(app)
    listed = root.get_command(Context(root), group)
    assert listed is not None
    result = runner.invoke(app, [group, "--help"], env={"COLUMNS": "300"})
    shown = [line.strip(" │") for line in result.output.splitlines()]
    for name, command in listed.commands.items():  # type: ignore[attr-defined]
        first = (flowed(command.help) or "").split("\n\n")[0]
        assert (
            f"{name}  {first}".split()
            == next(line for line in shown if line.startswith(f"{name} ")).split()
        ), name


def test_verify_help_does_not_break_mid_sentence() -> None:
    result = runner.invoke(app, ["results", "verify", "--help"], env={"COLUMNS": "300"})
    assert "Whoever entered, revised or submitted a result cannot verify it" in result.output
    assert re.search(r"--json +Print JSON", result.output)  # a flag: no type shown
    assert re.search(r"--db +TEXT ", result.output)
    assert re.search(r"--password-file +PATH ", result.output)
    assert re.search(r"ids\.\.\. +INTEGER", result.output)


def test_version_is_the_package_metadata() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"greenfolio {version('greenfolio')}\n"


# --- the README's examples ---------------------------------------------------------------------


def test_readme_method_run_then_result(demo_db_module: Database) -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    lines = readme.splitlines()
    at = next(i for i, line in enumerate(lines) if "methods ghg mitigation" in line)
    mitigation = lines[at]
    while mitigation.endswith("\\"):  # the command goes on on the next line
        at += 1
        mitigation = mitigation[:-1] + lines[at].strip()
    assert "--store" in mitigation
    assert "…" not in mitigation  # a real source, copied as it is
    assert "methods result R --output direct" in readme
    url = _url(demo_db_module)
    args = shlex.split(mitigation.removeprefix("greenfolio "))
    result = runner.invoke(app, [*args, "--db", url])
    assert result.exit_code == 0, result.output
    run = re.search(r"stored as method run (\d+)", result.output)
    assert run, result.output
    assert "direct (Direct), direct_post_project (Direct post-project)" in result.output
    assert f"greenfolio methods result {run[1]} --output NAME" in result.output
    code, text = _run(
        "methods", "result", run[1], "--output", "direct", "--work", "idb49-emobility",
        "--indicator", "ghg_avoided", "--period-start", "2021-01-01",
        "--period-end", "2021-06-30", "--db", url,
    )  # fmt: skip
    assert code == 0, text
    assert re.search(rf"result \d+ recorded as draft from method run {run[1]}$", text)


def test_readme_template_without_indicators_holds_every_indicator(
    demo_db_module: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "`greenfolio template xlsx --lang fr`" in (ROOT / "README.md").read_text("utf-8")
    monkeypatch.chdir(tmp_path)
    code, text = _run("template", "xlsx", "--lang", "fr", "--db", _url(demo_db_module))
    assert code == 0, text
    book = load_workbook(tmp_path / "greenfolio-results-template.xlsx", read_only=True)
    codes = str(book[LISTS_SHEET]["C1"].value).split(",")
    assert codes == [row["code"] for row in reference.listing(demo_db_module)]


def test_readme_evidence_example_names_a_draft() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "/results/64/evidence" not in readme
    assert "results/N/evidence      # N: a draft or returned result" in readme


@pytest.mark.parametrize(
    "command", [("figures", "--year", "2021"), ("work", "list"), ("db", "upgrade")]
)
def test_a_db_that_is_no_database_is_named_not_a_traceback(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    """A newcomer gave --db README.md: every command ended in SQLAlchemy's traceback
    ("file is not a database"), exit 1."""
    text_file = tmp_path / "README.md"
    text_file.write_text("# not a database\n")
    code, said = _run(*command, "--db", str(text_file))
    assert code == 3, said
    assert "is not a database (not an SQLite file)" in said and "Traceback" not in said
    assert text_file.read_text() == "# not a database\n"  # left as it was
    code, said = _run(*command, "--db", str(tmp_path))
    assert code == 3 and "is a folder" in said, said


def test_a_mistyped_command_is_answered_with_the_nearest_names() -> None:
    """A newcomer's review: `greenfolio result list` said "No such command" with no hint
    (the commands load when used, and Typer suggested among the loaded ones only)."""
    from greenfolio.interfaces.cli.app import app as cli

    done = CliRunner().invoke(cli, ["result", "list"])
    assert done.exit_code == 2
    said = " ".join(done.output.replace("│", " ").split())
    assert "No such command 'result'. Did you mean 'results'?" in said, said
    assert "Did you mean 'report'" in " ".join(
        CliRunner().invoke(cli, ["reports"]).output.replace("│", " ").split()
    )


def test_work_list_takes_the_words_it_prints(demo_db_module: Database) -> None:
    """A review: the list prints "Being implemented" and "Programme", which --status and
    --kind refused (they took codes only)."""
    url = _url(demo_db_module)
    by_code = _run("work", "list", "--status", "implementation", "--kind", "programme",
                   "--json", "--db", url)  # fmt: skip
    by_words = _run("work", "list", "--status", "Being implemented", "--kind", "Programme",
                    "--json", "--db", url)  # fmt: skip
    assert by_code == by_words and by_code[0] == 0
    code, text = _run("work", "list", "--status", "soon", "--db", url)
    assert code == 2 and "implementation (Being implemented)" in " ".join(text.split())


def test_export_takes_the_status_words_work_list_prints(
    demo_db_module: Database, tmp_path: Path
) -> None:
    """A newcomer's review: `export iati --status "Being implemented"` was refused with
    the internal codes only ('pipeline', 'implementation' …)."""
    url = _url(demo_db_module)
    by_words = tmp_path / "words.xml"
    by_code = tmp_path / "code.xml"
    # exit 4: written, with the demo's incomplete projects named and left out
    assert _run("export", "iati", "--out", str(by_words), "--status", "Being implemented",
                "--db", url)[0] == 4  # fmt: skip
    assert _run("export", "iati", "--out", str(by_code), "--status", "implementation",
                "--db", url)[0] == 4  # fmt: skip
    assert (
        by_words.read_bytes().count(b"<iati-activity>")
        == by_code.read_bytes().count(b"<iati-activity>")
        > 0
    )
    code, text = _run("export", "iati", "--out", str(tmp_path / "x.xml"), "--status", "soon",
                      "--db", url)  # fmt: skip
    assert code == 2 and "implementation (Being implemented)" in text


def test_a_web_page_given_to_import_iati_is_named(tmp_path: Path) -> None:
    """A newcomer gave the report's HTML to `import iati` and was told to remove its
    DOCTYPE: it is a web page, said so."""
    page = tmp_path / "board-2021-en.html"
    page.write_text("<!doctype html>\n<html lang='en'><body>report</body></html>\n", "utf-8")
    for command in (("import", "iati", str(page), "--db", str(tmp_path / "n.sqlite")),
                    ("validate", "iati", str(page))):  # fmt: skip
        code, text = _run(*command)
        assert code == ExitCode.INVALID, text
        assert "this is a web page (HTML), not an IATI XML file" in text and "DOCTYPE" not in text


def test_a_bare_command_group_shows_its_help_and_exits_zero() -> None:
    """A newcomer's `greenfolio` alone printed its help but exited 2, the code of invalid
    input in the README's table; a command given wrongly still exits 2."""
    import subprocess
    import sys

    def entry(*args: str) -> tuple[int, str]:  # the console script's own entry point
        done = subprocess.run(
            [sys.executable, "-m", "greenfolio", *args], capture_output=True, text=True
        )
        return done.returncode, done.stdout + done.stderr

    for args in ((), ("report",), ("methods", "montreal")):
        code, text = entry(*args)
        assert code == 0 and "Usage" in text, (args, text)
    assert entry("report", "build")[0] == ExitCode.INVALID
    assert entry("nosuch")[0] == ExitCode.INVALID


def test_codes_in_capitals_and_refrigerant_numbers_read() -> None:
    """`--lang EN` was refused for its capitals; `R-22` was unknown, though ASHRAE's
    number of HCFC-22 and read as such inside a composition."""
    from greenfolio.interfaces.cli.common import split_choices

    assert split_choices("EN, Fr", ("en", "fr"), "language") == ["en", "fr"]
    assert split_choices("ALL", ("en", "fr"), "language") == ["en", "fr"]
    code, text = _run("methods", "montreal", "convert", "1", "t", "R-22", "--to", "odp")
    assert code == 0 and "Substance: HCFC-22" in text and "0.055" in text, text
