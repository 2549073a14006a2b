"""Service: write a results template (XLSX) for a set of indicators.

Field offices fill in the "Results" sheet; dropdowns offer the valid indicator codes,
units, kinds, qualifiers, countries (ISO 3166-1 alpha-3) and sexes, so most mistakes
are never typed. Review state is not a column: imported results always enter review
as submitted. The hidden "Lists" sheet holds the dropdown values and a marker naming
the template and its indicator set, which the import checks.
"""

from __future__ import annotations

from pathlib import Path

import pycountry
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from greenfolio.domain.results import Qualifier, Sex, ValueKind
from greenfolio.services import reference
from greenfolio.services.database import Database
from greenfolio.services.exchange import xlsx_projects

MARKER = "greenfolio-results-template"
VERSION = "1"
RESULTS_SHEET = "Results"
LISTS_SHEET = "Lists"
ROWS_WITH_DROPDOWNS = 2000
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# (key, header, width, help)
COLUMNS: list[tuple[str, str, int, str]] = [
    ("work", "work", 28, "key of a registered work item, e.g. idb49-pops-programme"),
    ("indicator", "indicator", 26, "indicator code (dropdown)"),
    ("value", "value", 12, "a number, zero or more"),
    ("unit", "unit", 12, "unit of the value (dropdown); empty = the indicator's unit"),
    ("kind", "kind", 10, "actual, target, planned or baseline (default actual)"),
    ("qualifier", "qualifier", 11, "exact, more_than or about (default exact)"),
    ("period_start", "period start", 13, "first day of the period (date)"),
    ("period_end", "period end", 13, "last day of the period (date)"),
    ("country", "country", 9, "ISO 3166-1 alpha-3 code (dropdown)"),
    ("sex", "sex", 8, "female, male or other, for indicators broken down by sex"),
    ("entity", "entity", 20, "a named park, firm or site, where the indicator counts them"),
    ("evidence", "evidence", 30, "where the evidence is (document, link)"),
    ("citation", "citation", 30, "the source of the figure"),
]
HEADERS = {key: header for key, header, _, _ in COLUMNS}

# Units a value may be entered in, beyond the indicator's own, by indicator unit.
ALTERNATIVE_UNITS = {
    "t": ["t", "kg"],
    "ODP_tonne": ["ODP_tonne"],
    "tCO2e": ["tCO2e", "ktCO2e", "MtCO2e"],
    "g_TEQ": ["g_TEQ", "mg_TEQ", "ng_TEQ"],
    "mg_TEQ": ["mg_TEQ", "g_TEQ", "ng_TEQ"],
}


def write_template(db: Database, codes: list[str], out: Path) -> Path:
    """Service call: write the template for indicators ``codes`` to ``out``."""
    with db.transaction() as session:
        indicators = [reference.indicator(session, code) for code in dict.fromkeys(codes)]
    units: list[str] = []
    for ind in indicators:
        for unit in ALTERNATIVE_UNITS.get(ind.unit, [ind.unit]):
            if unit not in units:
                units.append(unit)
    lists: dict[str, list[str]] = {
        "indicator": [ind.code for ind in indicators],
        "unit": units,
        "kind": [k.value for k in ValueKind],
        "qualifier": [q.value for q in Qualifier],
        "country": sorted(c.alpha_3 for c in pycountry.countries),
        "sex": [s.value for s in Sex],
    }
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = RESULTS_SHEET
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for col, (_key, header, width, _help) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=col, value=header)
        cell.font, cell.fill = bold, fill
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.freeze_panes = "A2"

    hidden = book.create_sheet(LISTS_SHEET)
    hidden["A1"] = MARKER
    hidden["B1"] = VERSION
    hidden["C1"] = ",".join(lists["indicator"])
    for col, (key, values) in enumerate(lists.items(), start=1):
        hidden.cell(row=2, column=col, value=key).font = bold
        for row, value in enumerate(values, start=3):
            hidden.cell(row=row, column=col, value=value)
        letter = get_column_letter(col)
        target = next(i for i, c in enumerate(COLUMNS, start=1) if c[0] == key)
        target_letter = get_column_letter(target)
        rule = DataValidation(
            type="list",
            formula1=f"={LISTS_SHEET}!${letter}$3:${letter}${len(values) + 2}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=f"{key} not in the list",
            error=f"Choose a {key} from the list.",
        )
        rule.add(f"{target_letter}2:{target_letter}{ROWS_WITH_DROPDOWNS}")
        sheet.add_data_validation(rule)
    hidden.sheet_state = "hidden"

    for key, kind, message in (
        ("value", "decimal", "Enter a number, zero or more."),
        ("period_start", "date", "Enter a date."),
        ("period_end", "date", "Enter a date."),
    ):
        col = get_column_letter(next(i for i, c in enumerate(COLUMNS, start=1) if c[0] == key))
        if kind == "decimal":
            rule = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
        else:
            rule = DataValidation(type="date", operator="greaterThan", formula1="1")
        rule.showErrorMessage, rule.error = True, message
        rule.add(f"{col}2:{col}{ROWS_WITH_DROPDOWNS}")
        sheet.add_data_validation(rule)

    xlsx_projects.write_sheet(book)
    guide = book.create_sheet("Read me")
    guide["A1"] = "How to fill in this template"
    guide["A1"].font = Font(bold=True, size=13)
    guide["A2"] = (
        "One result per row on the Results sheet. Every cell is checked on import; the "
        "import names sheet, row and column of each problem, and writes nothing unless "
        "the whole file is valid. Results enter review as submitted."
    )
    for row, (_key, header, _width, text) in enumerate(COLUMNS, start=4):
        guide.cell(row=row, column=1, value=header).font = bold
        guide.cell(row=row, column=2, value=text)
    start = len(COLUMNS) + 6
    guide.cell(row=start, column=1, value="indicator").font = bold
    guide.cell(row=start, column=2, value="name").font = bold
    guide.cell(row=start, column=3, value="unit").font = bold
    for row, ind in enumerate(indicators, start=start + 1):
        guide.cell(row=row, column=1, value=ind.code)
        guide.cell(row=row, column=2, value=ind.names.get("en", ""))
        guide.cell(row=row, column=3, value=ind.unit)
    at = start + len(indicators) + 2
    guide.cell(row=at, column=1, value="Projects sheet").font = Font(bold=True, size=13)
    guide.cell(
        row=at + 1,
        column=1,
        value=(
            "Optional: one row per registered work item, for what an IATI export needs "
            "beyond results. A filled cell replaces that part of the record; an empty cell "
            "leaves it as it is. A work item is exported to IATI once it has an activity date."
        ),
    )
    for row, (_key, header, _width, text) in enumerate(xlsx_projects.COLUMNS, start=at + 2):
        guide.cell(row=row, column=1, value=header).font = bold
        guide.cell(row=row, column=2, value=text)
    guide.column_dimensions["A"].width = 26
    guide.column_dimensions["B"].width = 90
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out
