"""Greenfolio's own XLSX results template: written with dropdowns, read back cell by cell."""

from __future__ import annotations

import json
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
from sqlalchemy import func, select
from typer.testing import CliRunner

from greenfolio.domain.work import WorkKind
from greenfolio.interfaces.cli.app import app
from greenfolio.services.database import Database
from greenfolio.services.exchange.xlsx_import import import_results
from greenfolio.services.exchange.xlsx_template import write_template
from greenfolio.services.portfolio import WorkSpec, register_work
from greenfolio.store.tables import ResultRow, ReviewEventRow

WORK = "field-office-pops-2021"
INDICATORS = ["pops_destroyed", "participants"]


def _work(db: Database) -> None:
    register_work(db, WorkSpec(key=WORK, kind=WorkKind.PROJECT, title={"en": "POPs disposal"}))


def _fill(template: Path, out: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.load_workbook(template)
    sheet = book["Results"]
    for n, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            sheet.cell(row=n, column=col, value=value)
    book.save(out)
    return out


GOOD = [
    [
        WORK,
        "pops_destroyed",
        12.5,
        "kg",
        "actual",
        "exact",
        date(2021, 1, 1),
        date(2021, 12, 31),
        "CHN",
    ],
    [
        WORK,
        "participants",
        40,
        None,
        "actual",
        "more_than",
        date(2021, 1, 1),
        date(2021, 12, 31),
        "IND",
        "female",
    ],
    [
        WORK,
        "participants",
        60,
        None,
        "target",
        None,
        date(2021, 1, 1),
        date(2021, 12, 31),
        "IND",
        "male",
    ],
]


def test_template_has_dropdowns_for_codes(db: Database, tmp_path: Path) -> None:
    path = write_template(db, INDICATORS, tmp_path / "template.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["Results"]
    assert [c.value for c in sheet[1]][:4] == ["Project", "Indicator", "Value", "Unit"]
    lists = book["Lists"]
    assert lists.sheet_state == "hidden" and lists["C1"].value == ",".join(INDICATORS)
    rules = {str(v.sqref).split(":")[0]: v for v in sheet.data_validations.dataValidation}
    assert rules["B2"].type == "list" and rules["B2"].formula1.startswith("Lists!$A$3")
    # Each list: the words shown (column <key>) beside their codes (<key>_code).
    heads = [c.value for c in lists[2]]
    countries = [
        lists.cell(row=r, column=heads.index("country_code") + 1).value
        for r in range(3, lists.max_row + 1)
    ]
    assert "CHN" in countries and "ZWE" in countries
    units = [lists.cell(row=r, column=heads.index("unit_code") + 1).value for r in range(3, 8)]
    assert {"t", "kg", "person"} <= set(units)
    assert rules["C2"].type == "decimal"


def test_a_filled_template_imports_and_reimport_skips(db: Database, tmp_path: Path) -> None:
    _work(db)
    template = write_template(db, INDICATORS, tmp_path / "template.xlsx")
    filled = _fill(template, tmp_path / "filled.xlsx", GOOD)
    summary = import_results(db, filled)
    assert summary.errors == [] and summary.created == 3
    with db.transaction() as session:
        rows = session.scalars(select(ResultRow).order_by(ResultRow.id)).all()
        events = session.scalar(select(func.count()).select_from(ReviewEventRow))
    assert [(r.indicator_code, r.value, r.unit, r.kind) for r in rows] == [
        ("pops_destroyed", 12.5, "kg", "actual"),
        ("participants", 40.0, "person", "actual"),
        ("participants", 60.0, "person", "target"),
    ]
    assert {r.review_state for r in rows} == {"submitted"} and events == 3
    assert rows[1].sex == "female" and rows[1].qualifier == "more_than" and rows[0].country == "CHN"
    again = import_results(db, filled)
    assert (again.created, again.skipped) == (0, 3)


def test_every_bad_cell_is_named_and_nothing_is_written(db: Database, tmp_path: Path) -> None:
    _work(db)
    template = write_template(db, INDICATORS, tmp_path / "template.xlsx")
    bad = [
        *GOOD,
        ["no-such-work", "pops_destroyed", 1, None, None, None, None, None, None],
        [WORK, "ghg_avoided", 1, None, None, None, None, None, None],
        [WORK, "pops_destroyed", -3, None, None, None, None, None, None],
        [WORK, "pops_destroyed", 3, "ODP_tonne", None, None, None, None, None],
        [WORK, "pops_destroyed", 3, None, "guess", None, "last year", None, None],
        [WORK, "pops_destroyed", 3, None, None, None, date(2022, 1, 1), date(2021, 1, 1), "XXX"],
        [WORK, "pops_destroyed", 3, None, None, None, None, None, None, "female"],
    ]
    filled = _fill(template, tmp_path / "bad.xlsx", bad)
    summary = import_results(db, filled)
    places = sorted((e.row or 0, (e.column or "")[0]) for e in summary.errors)
    assert places == [
        (5, "A"),
        (6, "B"),
        (7, "C"),
        (8, "D"),
        (9, "E"),
        (9, "G"),
        (10, "H"),
        (10, "I"),
        (11, "J"),
    ]
    assert {e.sheet for e in summary.errors} == {"Results"}
    assert all(e.file == "bad.xlsx" for e in summary.errors)
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ResultRow)) == 0


def test_cli_template_and_import(db: Database, tmp_path: Path) -> None:
    _work(db)
    runner = CliRunner()
    url = db.engine.url.render_as_string(hide_password=False)
    template = tmp_path / "t.xlsx"
    result = runner.invoke(
        app,
        [
            "template",
            "xlsx",
            "--indicators",
            ",".join(INDICATORS),
            "--out",
            str(template),
            "--db",
            url,
        ],
    )
    assert result.exit_code == 0, result.output
    filled = _fill(template, tmp_path / "f.xlsx", GOOD[:1])
    result = runner.invoke(app, ["import", "xlsx", str(filled), "--json", "--db", url])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["created"] == 1
    result = runner.invoke(
        app, ["template", "xlsx", "--indicators", "nope", "--out", str(template), "--db", url]
    )
    assert result.exit_code == 2 and "unknown indicator" in result.output


def test_an_entity_bomb_inside_the_workbook_is_refused(db: Database, tmp_path: Path) -> None:
    _work(db)
    template = write_template(db, INDICATORS, tmp_path / "template.xlsx")
    filled = _fill(template, tmp_path / "filled.xlsx", GOOD[:1])
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(filled) as src, zipfile.ZipFile(bomb, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                start = text.index("<worksheet")
                doctype = (
                    '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
                    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                )
                data = (text[:start] + doctype + text[start:]).encode("utf-8")
            dst.writestr(item, data)
    summary = import_results(db, bomb)
    (error,) = summary.errors
    assert error.file == "bomb.xlsx"
    assert error.message_id == "file_unsafe_xml" and "declares XML entities" in error.message
    assert "Forbidden" not in error.message  # said in words, not as the library's repr
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ResultRow)) == 0


def test_progress_names_each_stage(db: Database, tmp_path: Path) -> None:
    """The bar went to 2,000 of 2,000 while reading, then stood still for seconds while
    the rows were checked and stored: each stage is told by name, through to the end."""
    _work(db)
    template = write_template(db, INDICATORS, tmp_path / "template.xlsx")
    rows = [[*GOOD[0][:2], float(i + 1), *GOOD[0][3:]] for i in range(250)]
    filled = _fill(template, tmp_path / "many.xlsx", rows)
    told: list[tuple[int, int | None, str]] = []
    summary = import_results(
        db, filled, progress=lambda done, total, stage: told.append((done, total, stage))
    )
    assert summary.errors == [] and summary.created == 250
    stages = list(dict.fromkeys(stage for _, _, stage in told))
    assert stages == ["reading", "checking", "storing"]
    assert told[-1] == (250, 250, "storing")
    assert (250, 250, "checking") in told
