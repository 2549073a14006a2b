"""Service: write a results template (XLSX) for a set of indicators, in one of the six
UN languages.

Field offices fill in the Results sheet; its tab, headings, dropdowns and prompts are in
the template's language (the dropdowns offer indicators, units, kinds, qualifiers,
countries and sexes by name), so a programme officer needs no code and most mistakes
are never typed. The unit dropdown of a
row offers only the units of that row's indicator (a list formula on the hidden sheet;
before an indicator is chosen it offers every unit of the template). Review state is not
a column: imported results always enter review as submitted.

How a name becomes a code again. The cells hold words only (no "Nepal (NPL)", no hidden
code column beside them): a hidden code column on the Results sheet would need a lookup
formula, and a formula written here has no saved value until a spreadsheet program
recalculates it (a script or converter that fills the sheet leaves it empty, and the
import refuses such cells); a code in brackets puts the internal codes back in front of
the reader. Instead the hidden "Lists" sheet holds each word the dropdowns offer beside
its code (columns ``<key>`` and ``<key>_code``), and the import reads a cell as, in this
order: the code itself (files filled in by codes keep importing), a name in any of the
six languages as the registry and the catalogues give it now (``words``), a trailing
bracketed code ("Népal (NPL)"), and last the word as this very file's Lists sheet pairs
it with a code, so a name renamed in a catalogue after the template was written still
reads as it was offered. Every value so found is then checked as a typed code is: a
word on the Lists sheet never lets through a code the import would refuse. The sheet's
first row names the template, its version, its indicator set (which the import checks),
its language and the project a template for one project has in its first rows.

The Project column has a dropdown when the caller offers projects (``xlsx_offer``: those
its reader may enter results for, by title with the key); without, it takes a typed key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from greenfolio.domain.countries import all_countries, name_order, written_names
from greenfolio.domain.indicators import Indicator
from greenfolio.domain.languages import UN_LANGUAGES, check_language
from greenfolio.domain.results import Qualifier, Sex, ValueKind
from greenfolio.domain.text import folded, unambiguous
from greenfolio.refdata.catalogue import catalogue
from greenfolio.refdata.catalogue import word as code_word
from greenfolio.services import reference
from greenfolio.services.database import Database
from greenfolio.services.exchange import xlsx_projects, xlsx_sheets

MARKER = "greenfolio-results-template"
VERSION = "2"
LISTS_SHEET = "Lists"
ROWS_WITH_DROPDOWNS = 2000
PREFILLED_ROWS = 100
"""Rows a template for one project has that project in (a field office's return is far
shorter; more would be printed and scrolled through as pages of one title)."""
PROJECT_WIDTH = 60
"""The Project column's width when it offers projects by title (a longer title is cut in
its cell, whole in the dropdown)."""
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# (key, header, width, help): the header is the legacy English one, still accepted on
# import; a template is written with the catalogue's word (``heading``).
COLUMNS: list[tuple[str, str, int, str]] = [
    ("work", "work", 28, "key of a registered work item, e.g. idb49-pops-programme"),
    ("indicator", "indicator", 40, "indicator code (dropdown)"),
    ("value", "value", 12, "a number, zero or more"),
    ("unit", "unit", 16, "unit of the value (dropdown); empty = the indicator's unit"),
    ("kind", "kind", 16, "actual, target, planned or baseline (default actual)"),
    ("qualifier", "qualifier", 14, "exact, more_than or about (default exact)"),
    ("period_start", "period start", 16, "first day of the period (date)"),
    ("period_end", "period end", 16, "last day of the period (date)"),
    ("country", "country", 24, "ISO 3166-1 alpha-3 code (dropdown)"),
    ("sex", "sex", 10, "female, male or other, for indicators broken down by sex"),
    ("entity", "entity", 20, "a named park, firm or site, where the indicator counts them"),
    ("evidence", "evidence", 30, "where the evidence is (document, link)"),
    ("citation", "citation", 30, "the source of the figure"),
]
HEADERS = {key: header for key, header, _, _ in COLUMNS}

HEADING_WORDS = {
    "work": "project",
    "indicator": "indicator",
    "value": "value",
    "unit": "unit",
    "kind": "value_kind",
    "qualifier": "qualifier",
    "period_start": "period_start",
    "period_end": "period_end",
    "country": "country",
    "sex": "sex",
    "entity": "entity",
    "evidence": "evidence",
    "citation": "citation",
}
"""The catalogue key of each column's heading: the words the pages label these fields
with."""

LIST_KEYS = ("indicator", "unit", "kind", "qualifier", "country", "sex", "work")
"""The columns with a dropdown, in the order of their columns on the Lists sheet (the
projects' last: a template offers them only when its caller gives them)."""
GROUPS = {"unit": "unit", "kind": "value_kind", "qualifier": "qualifier", "sex": "sex"}
"""The catalogue group (``labels.GROUPS``) whose words name the codes of a column."""
SEX_TOTAL = "total"
"""The Sex list's "Everyone (total)", as the result form offers it: a row for everyone
(the cell read as empty), so a sheet of women, men and their total reads as the form
enters it."""
CODES: dict[str, tuple[str, ...]] = {
    "kind": tuple(k.value for k in ValueKind),
    "qualifier": tuple(q.value for q in Qualifier),
    "sex": (*(s.value for s in Sex), SEX_TOTAL),
}


def choice_word(group: str, code: str, lang: str) -> str:
    """The word a dropdown shows for ``code``: the catalogue's, and the form's words for
    the total of a breakdown by sex."""
    if group == "sex" and code == SEX_TOTAL:
        return catalogue(lang)["sex_total_option"]
    return code_word(group, code, lang)


# Units a value may be entered in, beyond the indicator's own, by indicator unit.
ALTERNATIVE_UNITS = {
    "t": ["t", "kg"],
    "ODP_tonne": ["ODP_tonne"],
    "tCO2e": ["tCO2e", "ktCO2e", "MtCO2e"],
    "g_TEQ": ["g_TEQ", "mg_TEQ", "ng_TEQ"],
    "mg_TEQ": ["mg_TEQ", "g_TEQ", "ng_TEQ"],
}


def units_of(indicator_unit: str) -> list[str]:
    """The units the template offers for an indicator measured in ``indicator_unit``."""
    return list(ALTERNATIVE_UNITS.get(indicator_unit, [indicator_unit]))


def heading(key: str, lang: str) -> str:
    """The heading of column ``key`` in ``lang``, the word the pages label the field
    with ("Project", "Period start"); the headings earlier English templates had ("work",
    "period start") still read (:func:`headings`)."""
    return catalogue(lang).get(HEADING_WORDS[key]) or HEADERS[key]


FORMER_HEADINGS: dict[str, tuple[str, ...]] = {
    "kind": ("数值类别",),
    "qualifier": ("限定", "الوصف"),
}
"""Headings earlier templates wrote before the catalogues settled on one word per field
(Chinese 数值类型 and 限定词, Arabic وصف القيمة): files filled in from them still read."""


def headings(key: str) -> set[str]:
    """Every heading the import accepts for column ``key``: the six languages', the legacy
    English one and those earlier templates wrote (``FORMER_HEADINGS``)."""
    return {
        HEADERS[key],
        *(heading(key, lang) for lang in UN_LANGUAGES),
        *FORMER_HEADINGS.get(key, ()),
    }


normal = folded
"""A typed word as the lists compare it (``domain.text.folded``)."""


_unambiguous = unambiguous


def unit_codes() -> tuple[str, ...]:
    """Every unit the catalogues have a word for."""
    return tuple(k[len("unit_") :] for k in catalogue("en") if k.startswith("unit_"))


@cache
def words(key: str) -> dict[str, str]:
    """The words of a dropdown column that name a code, in all six languages (countries by
    the names the pages give them, units and choices by the catalogues' words); indicators
    are the caller's (``indicator_words``), as the registry may change."""
    if key == "country":
        return written_names()
    codes = unit_codes() if key == "unit" else CODES[key]
    pairs = [(choice_word(GROUPS[key], c, lang), c) for lang in UN_LANGUAGES for c in codes]
    if key == "sex":  # the pages' own word for the total ("Всего", "合计") reads too
        pairs += [(catalogue(lang)["sex_everyone_short"], SEX_TOTAL) for lang in UN_LANGUAGES]
    return _unambiguous(pairs)


def unit_words(units: Iterable[str]) -> dict[str, str]:
    """The words of ``units`` only, in all six languages: how a unit cell is read against
    the units of its row's indicator before any other unit."""
    return _unambiguous(
        (code_word("unit", code, lang), code) for lang in UN_LANGUAGES for code in units
    )


def indicator_words(indicators: Iterable[Indicator]) -> dict[str, str]:
    """Indicator names in all six languages, to their codes."""
    return _unambiguous(
        (name, ind.code) for ind in indicators for name in ind.names.values() if name
    )


_BRACKETED = re.compile(r"\(\s*([A-Za-z0-9_.]+)\s*\)\s*$")


def bracketed(text: str) -> str | None:
    """The code in brackets at the end of ``text`` ("Népal (NPL)" gives NPL), if any."""
    found = _BRACKETED.search(text)
    return found.group(1) if found else None


def _shown(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Words of one list, a word two codes share followed by its code, so every entry of
    a dropdown reads back to one code."""
    seen: dict[str, int] = {}
    for text, _code in pairs:
        seen[normal(text)] = seen.get(normal(text), 0) + 1
    return [(f"{t} ({c})" if seen[normal(t)] > 1 else t, c) for t, c in pairs]


def indicator_name(ind: Indicator, lang: str) -> str:
    """An indicator's name in ``lang``. One an IATI file brought may be named in its
    publisher's language only ("nl"): that name, not its code (iati.<hash>.1.1), which
    says nothing."""
    return (
        ind.names.get(lang)
        or ind.names.get("en")
        or next((n for n in ind.names.values() if n), None)
        or ind.code
    )


def by_name(indicators: Iterable[Indicator], lang: str) -> list[Indicator]:
    """Indicators by name in ``lang``, as the entry form lists them: the order of the
    indicator dropdown, of each indicator's units beside it and of the read-me's table,
    which must be one order (the unit dropdown finds its row by the indicator's place)."""
    return sorted(indicators, key=lambda ind: name_order(indicator_name(ind, lang)))


def choices(indicators: list[Indicator], lang: str) -> dict[str, list[tuple[str, str]]]:
    """Each dropdown's entries as (word in ``lang``, code); indicators in the order given."""
    units: list[str] = []
    for ind in indicators:
        for unit in units_of(ind.unit):
            if unit not in units:
                units.append(unit)
    lists = {
        "indicator": [(indicator_name(ind, lang), ind.code) for ind in indicators],
        "unit": [(code_word("unit", u, lang), u) for u in units],
        **{
            key: [(code_word(GROUPS[key], c, lang), c) for c in CODES[key]]
            for key in ("kind", "qualifier")
        },
        "country": [(n, c) for c, n in all_countries(lang)],
        "sex": [(choice_word("sex", c, lang), c) for c in CODES["sex"]],
    }
    return {key: _shown(pairs) for key, pairs in lists.items()}


def _column(key: str) -> str:
    return str(get_column_letter(next(i for i, c in enumerate(COLUMNS, start=1) if c[0] == key)))


def _clip(text: str, limit: int) -> str:
    """Excel refuses a validation title over 32 characters and a message over 255."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _prompt_rule(title: str, text: str) -> DataValidation:
    rule = DataValidation(allow_blank=True)
    rule.showInputMessage = True
    rule.promptTitle, rule.prompt = _clip(title, 32), _clip(text, 255)
    return rule


def write_template(
    db: Database,
    codes: Sequence[str],
    out: Path,
    lang: str = "en",
    projects: Sequence[tuple[str, str]] = (),
    prefill: str | None = None,
) -> Path:
    """Service call: write the template for indicators ``codes`` to ``out``, its words
    (headings, dropdowns, prompts, read-me) in ``lang``; ``projects``: the Project
    column's dropdown as (words, key), none for a typed key; ``prefill``: the key of one
    of them, written in the first ``PREFILLED_ROWS`` rows of the Project column."""
    check_language(lang)
    words_of = catalogue(lang)
    with db.transaction() as session:
        asked = [reference.indicator(session, code) for code in dict.fromkeys(codes)]
    indicators = by_name(asked, lang)
    lists = {**choices(indicators, lang), "work": _shown(list(projects))}
    offered = bool(lists["work"])
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = xlsx_sheets.sheet_name(xlsx_sheets.RESULTS, lang)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for col, (key, _header, width, _help) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=col, value=heading(key, lang))
        cell.font, cell.fill = bold, fill
        wide = max(width, len(heading(key, lang)) + 3)
        if key == "work" and offered:
            longest = max(len(text) for text, _code in lists["work"])
            wide = max(wide, min(PROJECT_WIDTH, longest + 2))
        sheet.column_dimensions[get_column_letter(col)].width = wide
    sheet.freeze_panes = "A2"
    rows = f"2:{{}}{ROWS_WITH_DROPDOWNS}"

    hidden = book.create_sheet(LISTS_SHEET)
    hidden["A1"] = MARKER
    hidden["B1"] = VERSION
    hidden["C1"] = ",".join(ind.code for ind in asked)  # the set, in the order asked
    hidden["D1"] = lang
    prefilled = next((text for text, key in lists["work"] if key == prefill), None)
    if prefilled is not None:
        hidden["E1"] = prefill
        for row in range(2, PREFILLED_ROWS + 2):
            sheet.cell(row=row, column=1, value=prefilled)
    span: dict[str, str] = {}
    for index, key in enumerate(LIST_KEYS):
        shown_col, code_col = 2 * index + 1, 2 * index + 2
        hidden.cell(row=2, column=shown_col, value=key).font = bold
        hidden.cell(row=2, column=code_col, value=f"{key}_code").font = bold
        for row, (text, code) in enumerate(lists[key], start=3):
            hidden.cell(row=row, column=shown_col, value=text)
            hidden.cell(row=row, column=code_col, value=code)
        letter = get_column_letter(shown_col)
        span[key] = f"{LISTS_SHEET}!${letter}$3:${letter}${len(lists[key]) + 2}"
    # Each indicator's units on its own row (a count, then the words), for the unit
    # dropdown of a row to offer only the units of the indicator chosen on it.
    count_col = 2 * len(LIST_KEYS) + 1
    hidden.cell(row=2, column=count_col, value="unit_count").font = bold
    hidden.cell(row=2, column=count_col + 1, value="units").font = bold
    unit_text = {code: text for text, code in lists["unit"]}
    for row, ind in enumerate(indicators, start=3):
        fitting = units_of(ind.unit)
        hidden.cell(row=row, column=count_col, value=len(fitting))
        for offset, unit in enumerate(fitting, start=1):
            hidden.cell(row=row, column=count_col + offset, value=unit_text[unit])
    hidden.sheet_state = "hidden"

    list_title = words_of["xlsx_list_error_title"]
    for key in LIST_KEYS:
        if key == "work" and not offered:
            continue  # a typed key, prompted for below
        target = _column(key)
        formula = span[key]
        error = words_of["xlsx_list_error"].format(column=heading(key, lang))
        if key == "unit":
            last = len(indicators) + 2
            match = f"MATCH(${_column('indicator')}2,{LISTS_SHEET}!$A$3:$A${last},0)"
            counts = f"{LISTS_SHEET}!${get_column_letter(count_col)}$3:"
            counts += f"${get_column_letter(count_col)}${last}"
            first = f"{LISTS_SHEET}!${get_column_letter(count_col + 1)}$1"
            formula = (
                f"IF(ISNA({match}),{span['unit']},"
                f"OFFSET({first},{match}+1,0,1,INDEX({counts},{match})))"
            )
            error = words_of["xlsx_unit_error"]
        rule = DataValidation(
            type="list",
            formula1=formula,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=_clip(list_title, 32),
            error=_clip(error, 255),
        )
        rule.showInputMessage = True
        rule.promptTitle = _clip(heading(key, lang), 32)
        rule.prompt = _clip(words_of[_help_key(key, offered)], 255)
        rule.add(f"{target}{rows.format(target)}")
        sheet.add_data_validation(rule)

    for key, kind in (("value", "decimal"), ("period_start", "date"), ("period_end", "date")):
        letter = _column(key)
        if kind == "decimal":
            rule = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
            title, message = words_of["xlsx_value_error_title"], words_of["xlsx_value_error"]
        else:
            rule = DataValidation(type="date", operator="greaterThan", formula1="1")
            title, message = words_of["xlsx_date_error_title"], words_of["xlsx_date_error"]
        rule.showErrorMessage, rule.errorTitle = True, _clip(title, 32)
        rule.error = _clip(message, 255)
        rule.showInputMessage = True
        rule.promptTitle = _clip(heading(key, lang), 32)
        rule.prompt = _clip(words_of[f"xlsx_help_{key}"], 255)
        rule.add(f"{letter}{rows.format(letter)}")
        sheet.add_data_validation(rule)
    prompted = ("entity", "evidence", "citation")
    for key in prompted if offered else ("work", *prompted):
        letter = _column(key)
        rule = _prompt_rule(heading(key, lang), words_of[f"xlsx_help_{key}"])
        rule.add(f"{letter}{rows.format(letter)}")
        sheet.add_data_validation(rule)

    xlsx_projects.write_sheet(book, lang)
    _read_me(book, indicators, lang, lists, offered)
    if lang == "ar":
        for ws in book.worksheets:
            ws.sheet_view.rightToLeft = True
    _as_text(book)
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out


def _as_text(book: Workbook) -> None:
    """Every cell the template writes is text or a number, never a formula: a project
    title typed as '=HYPERLINK("https://…","click here")' went into every template of
    its countries as a live link (a hostile review). openpyxl takes any text starting
    with "=" for a formula; the dropdowns' list formulas are data validations, not cells."""
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def _help_key(key: str, offered: bool) -> str:
    """The catalogue key of a column's help; the Project column's says whether it offers
    a list (``offered``) or takes a typed key."""
    return "xlsx_help_work_list" if key == "work" and offered else f"xlsx_help_{key}"


def _read_me(
    book: Workbook,
    indicators: list[Indicator],
    lang: str,
    lists: Mapping[str, list[tuple[str, str]]],
    offered: bool,
) -> None:
    """The "Read me" sheet, in ``lang``: what each column takes, each indicator's units,
    what the Projects sheet is for."""
    words_of = catalogue(lang)
    bold, title = Font(bold=True), Font(bold=True, size=13)
    wrap = Alignment(wrap_text=True, vertical="top")
    guide = book.create_sheet(words_of["xlsx_sheet_readme"])
    guide["A1"] = words_of["xlsx_readme_title"]
    guide["A1"].font = title
    guide["A2"] = words_of["xlsx_readme_intro"]
    guide["A2"].alignment = wrap
    guide.merge_cells("A2:B2")
    guide.row_dimensions[2].height = 75
    for row, (key, _header, _width, _text) in enumerate(COLUMNS, start=4):
        guide.cell(row=row, column=1, value=heading(key, lang)).font = bold
        help_text = words_of[_help_key(key, offered)]
        guide.cell(row=row, column=2, value=help_text).alignment = wrap
    start = len(COLUMNS) + 6
    guide.cell(row=start, column=1, value=words_of["xlsx_readme_indicators"]).font = bold
    guide.cell(row=start, column=2, value=words_of["xlsx_readme_units"]).font = bold
    unit_text = {code: text for text, code in lists["unit"]}
    for row, ((name, _code), ind) in enumerate(
        zip(lists["indicator"], indicators, strict=True), start=start + 1
    ):
        guide.cell(row=row, column=1, value=name).alignment = wrap
        units = words_of["list_sep"].join(unit_text[u] for u in units_of(ind.unit))
        guide.cell(row=row, column=2, value=units).alignment = wrap
    at = start + len(indicators) + 2
    guide.cell(row=at, column=1, value=words_of["xlsx_readme_projects_title"]).font = title
    guide.cell(row=at + 1, column=1, value=words_of["xlsx_readme_projects"]).alignment = wrap
    guide.merge_cells(start_row=at + 1, start_column=1, end_row=at + 1, end_column=2)
    guide.row_dimensions[at + 1].height = 48
    for row, (key, _header, _width, _text) in enumerate(xlsx_projects.COLUMNS, start=at + 2):
        help_key = "work" if key == "work" else key.split("_")[0]
        help_key = {"date": "date", "org": "orgs"}.get(help_key, help_key)
        guide.cell(row=row, column=1, value=xlsx_projects.heading(key, lang)).font = bold
        text = words_of[f"xlsx_help_projects_{help_key}"]
        guide.cell(row=row, column=2, value=text).alignment = wrap
    guide.column_dimensions["A"].width = 40
    guide.column_dimensions["B"].width = 90
