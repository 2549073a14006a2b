"""Each problem of an imported template row at its own column: a fraction of a count at
the value's column (not the unit's), a unit of another kind reported even when the value
is refused too; nothing is written while any problem stands. A folder given as the file
is said to be a folder."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from greenfolio.domain.exchange import Problem
from greenfolio.domain.work import WorkKind
from greenfolio.interfaces.cli.app import app
from greenfolio.services.database import Database
from greenfolio.services.exchange.xlsx_import import import_results
from greenfolio.services.exchange.xlsx_template import write_template
from greenfolio.services.portfolio import WorkSpec, register_work
from greenfolio.store.tables import ResultRow

WORK = "field-office-pops-2021"
INDICATORS = ["pops_destroyed", "participants"]


def _filled(db: Database, folder: Path, rows: list[list[object]]) -> Path:
    """A template written by Greenfolio, its Results sheet filled with ``rows``."""
    register_work(db, WorkSpec(key=WORK, kind=WorkKind.PROJECT, title={"en": "POPs disposal"}))
    book = openpyxl.load_workbook(write_template(db, INDICATORS, folder / "template.xlsx"))
    sheet = book["Results"]
    for n, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            sheet.cell(row=n, column=col, value=value)
    book.save(folder / "filled.xlsx")
    return folder / "filled.xlsx"


def _placed(problems: list[Problem]) -> list[tuple[str | None, int | None, str]]:
    return sorted((p.sheet, p.row, (p.column or "")[:1]) for p in problems)


def _stored(db: Database) -> int:
    with db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(ResultRow)) or 0)


def test_a_fraction_of_a_count_is_placed_at_the_value(db: Database, tmp_path: Path) -> None:
    path = _filled(db, tmp_path, [[WORK, "participants", 3.5]])
    summary = import_results(db, path)
    assert _placed(summary.errors) == [("Results", 2, "C")]
    [problem] = summary.errors
    assert problem.column == "C (Value)" and problem.message_id == "result_whole"
    assert "whole number, such as 3 or 4" in str(problem)
    assert _stored(db) == 0


@pytest.mark.parametrize("value", [-5, "lots", 3.5])
def test_a_bad_unit_and_a_bad_value_are_both_reported(
    db: Database, tmp_path: Path, value: object
) -> None:
    rows: list[list[object]] = [
        [WORK, "pops_destroyed", value, "furlongs"],
        [WORK, "participants", value, "furlongs"],
        [WORK, "pops_destroyed", 2, "t"],
    ]
    summary = import_results(db, _filled(db, tmp_path, rows))
    if value == 3.5:  # a fraction is fine for tonnes; furlongs cannot say how many people
        assert _placed(summary.errors) == [("Results", 2, "D"), ("Results", 3, "D")]
    else:
        assert _placed(summary.errors) == [
            ("Results", 2, "C"),
            ("Results", 2, "D"),
            ("Results", 3, "C"),
            ("Results", 3, "D"),
        ]
    units = [p for p in summary.errors if (p.column or "").startswith("D")]
    # A unit that does not fit is refused naming the units that do (xlsx-words).
    assert {p.message_id for p in units} == {"cell_unit_fit"}
    assert all(dict(p.params)["units"] for p in units)
    assert all(p.file == "filled.xlsx" for p in summary.errors)
    assert _stored(db) == 0


def test_a_folder_given_as_the_file_is_said_to_be_a_folder(db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "nc-bad"
    folder.mkdir()
    url = db.engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    for kind, what in (("xlsx", "the XLSX workbook itself"), ("iati", "the XML files")):
        done = runner.invoke(app, ["import", kind, str(folder), "--db", url])
        assert done.exit_code == 2, done.output
        said = " ".join(done.output.split())
        assert "is a folder, not a file" in said and what in said, said
        assert "no such file" not in said
        as_json = runner.invoke(app, ["import", kind, str(folder), "--json", "--db", url])
        [reason] = json.loads(as_json.stdout)["reasons"]
        assert reason.startswith("this is a folder, not a file")
    missing = runner.invoke(app, ["import", "xlsx", str(tmp_path / "none.xlsx"), "--db", url])
    assert missing.exit_code == 2 and "no such file" in missing.output


def test_the_command_line_says_a_refused_file_in_one_honest_line(
    db: Database, tmp_path: Path
) -> None:
    """A newcomer's review: three bad rows read "refused 0 rows and 1 whole file; 4
    errors", the rows listed out of order, and a missing file the same counters."""
    period = ["actual", None, "2021-01-01", "2021-12-31"]
    rows: list[list[object]] = [
        [WORK, "pops_destroyed", "lots", "t", *period],
        [WORK, "pops_destroyed", -4, "t", *period],
        [WORK, "pops_destroyed", 5, "t", *period, "ZZZ"],
    ]
    path = _filled(db, tmp_path, rows)
    url = db.engine.url.render_as_string(hide_password=False)
    done = CliRunner().invoke(app, ["import", "xlsx", str(path), "--db", url])
    assert done.exit_code == 2, done.output
    said = done.output.splitlines()
    assert said[0] == "nothing imported: 1 file refused as a whole; 3 errors in 3 rows, 0 warnings"
    rows_named = [line.split("row ")[1][:1] for line in said if "row " in line]
    assert rows_named == ["2", "3", "4"], said  # in the file's order
    assert not any("--json lists" in line for line in said)  # every problem was shown
    missing = CliRunner().invoke(app, ["import", "xlsx", str(tmp_path / "none.xlsx"), "--db", url])
    assert missing.output.splitlines()[0].startswith("nothing imported: 1 file refused")
    assert _stored(db) == 0


def test_a_day_typed_with_dots_day_first_is_read_as_that_day(db: Database, tmp_path: Path) -> None:
    """30.09.2024 typed as text (a Russian, French or Spanish hand) is 30 September."""
    from datetime import date

    rows = [[WORK, "participants", 12, None, None, None, "1.7.2024", "30.09.2024"]]
    summary = import_results(db, _filled(db, tmp_path, rows))
    assert summary.errors == []
    with db.transaction() as session:
        stored = session.execute(select(ResultRow.period_start, ResultRow.period_end)).one()
    assert tuple(stored) == (date(2024, 7, 1), date(2024, 9, 30))


@pytest.mark.parametrize(
    "typed",
    [
        "09/30/2024",
        "31.09.2024",
        "2024-09-30x",
        "30.09.24",
        "2024-06-30 to 2024-12-31",
        "2024-06-30 (revised: 2024-12-31)",
        "2024-09-30T25:00",
    ],
)
def test_a_day_that_cannot_be_read_one_way_only_is_refused(
    db: Database, tmp_path: Path, typed: str
) -> None:
    """Slashes could be either order, 31 September does not exist, a two-digit year
    names no century, and trailing text is not a date: each is refused at its cell."""
    rows = [[WORK, "participants", 12, None, None, None, "2024-07-01", typed]]
    summary = import_results(db, _filled(db, tmp_path, rows))
    assert _placed(summary.errors) == [("Results", 2, "H")]
    assert summary.errors[0].message_id == "cell_date"
    assert _stored(db) == 0


def test_a_day_outside_the_years_results_may_have_is_refused_at_its_cell(
    db: Database, tmp_path: Path
) -> None:
    rows = [[WORK, "participants", 12, None, None, None, "2024-07-01", "31.12.9999"]]
    summary = import_results(db, _filled(db, tmp_path, rows))
    assert _placed(summary.errors) == [("Results", 2, "H")]
    assert summary.errors[0].message_id == "cell_period_years"
    assert "9999-12-31" in str(summary.errors[0])
    assert _stored(db) == 0


@pytest.mark.parametrize(
    ("lang", "typed", "read"),
    [
        ("es", "30/09/2024", "2024-09-30"),
        ("fr", "1/7/2024", "2024-07-01"),
        ("zh", "2024年9月30日", "2024-09-30"),
        ("zh", "2024/9/30", "2024-09-30"),
        ("en", "30/09/2024", None),  # in English either way round: refused
    ],
)
def test_a_day_is_read_as_the_templates_language_writes_it(
    db: Database, tmp_path: Path, lang: str, typed: str, read: str | None
) -> None:
    from datetime import date

    from greenfolio.services.exchange import xlsx_sheets

    register_work(db, WorkSpec(key=WORK, kind=WorkKind.PROJECT, title={"en": "POPs disposal"}))
    book = openpyxl.load_workbook(write_template(db, INDICATORS, tmp_path / "t.xlsx", lang))
    sheet = book[xlsx_sheets.sheet_name(xlsx_sheets.RESULTS, lang)]
    for col, value in enumerate([WORK, "participants", 12, None, None, None, "2024-07-01", typed]):
        sheet.cell(row=2, column=col + 1, value=value)
    book.save(tmp_path / "filled.xlsx")
    summary = import_results(db, tmp_path / "filled.xlsx")
    if read is None:
        assert [p.message_id for p in summary.errors] == ["cell_date"]
        return
    assert summary.errors == []
    with db.transaction() as session:
        assert session.scalar(select(ResultRow.period_end)) == date.fromisoformat(read)
