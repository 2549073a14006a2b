"""The XLSX template in the reader's language (task xlsx-words): headings, dropdowns,
prompts and read-me in the six languages; dropdowns offer names, not codes; a template
filled in with names in French or Arabic imports exactly what codes would; a unit that
does not fit the row's indicator is refused naming the cell and the units that fit."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import lxml.html
import openpyxl
import pytest
from sqlalchemy import select

from greenfolio.domain.countries import country_name, name_order
from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.domain.work import WorkKind
from greenfolio.refdata.catalogue import catalogue
from greenfolio.refdata.loader import indicators
from greenfolio.services.database import Database
from greenfolio.services.exchange import xlsx_template
from greenfolio.services.exchange.xlsx_import import import_results
from greenfolio.services.exchange.xlsx_template import write_template
from greenfolio.services.portfolio import WorkSpec, register_work
from greenfolio.store.tables import ResultRow
from tests.test_api_support import add_project, add_user, browser
from tests.test_web_import import XLSX

WORK = "field-office-pops-2021"
INDICATORS = ["pops_destroyed", "participants"]


def _fill(template: Path, out: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.load_workbook(template)
    for n, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            book.worksheets[0].cell(row=n, column=col, value=value)
    book.save(out)
    return out


def _rows(names: dict[str, str], country: str, kg: str) -> list[list[object]]:
    """The same three results, each cell given as ``names`` says it."""
    year = (date(2021, 1, 1), date(2021, 12, 31))
    return [
        [WORK, names["pops_destroyed"], 12.5, kg, names["actual"], names["exact"], *year, country],
        [WORK, names["participants"], 40, None, names["actual"], names["more_than"], *year,
         country, names["female"]],
        [WORK, names["participants"], 60, None, names["target"], None, *year, country,
         names["male"]],
    ]  # fmt: skip


def _words(lang: str) -> dict[str, str]:
    """The names a programme officer reads in ``lang``, taken from the registry and the
    catalogues (not from the template under test)."""
    words = catalogue(lang)
    found = {code: indicators()[code].names[lang] for code in INDICATORS}
    for key in ("actual", "target"):
        found[key] = words[f"value_kind_{key}"]
    for key in ("exact", "more_than"):
        found[key] = words[f"qualifier_{key}"]
    for key in ("female", "male"):
        found[key] = words[f"sex_{key}"]
    return found


CODES = {c: c for c in [*INDICATORS, "actual", "target", "exact", "more_than", "female", "male"]}


def _stored(db: Database) -> list[tuple[object, ...]]:
    with db.transaction() as session:
        rows = session.scalars(select(ResultRow).order_by(ResultRow.id)).all()
        return [
            (r.indicator_code, r.value, r.unit, r.kind, r.qualifier, r.country, r.sex) for r in rows
        ]


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_template_filled_in_with_names_imports_what_codes_would(
    db: Database, tmp_path: Path, lang: str
) -> None:
    register_work(db, WorkSpec(key=WORK, kind=WorkKind.PROJECT, title={"en": "POPs disposal"}))
    template = write_template(db, INDICATORS, tmp_path / f"{lang}.xlsx", lang)
    book = openpyxl.load_workbook(template)
    words = catalogue(lang)
    assert book.sheetnames[:2] == [words["xlsx_sheet_results"], words["xlsx_sheet_projects"]]
    headings = [c.value for c in book[words["xlsx_sheet_results"]][1]]
    assert headings[1] == words["indicator"] and headings[8] == words["country"]
    projects = [c.value for c in book[words["xlsx_sheet_projects"]][1]]
    assert projects[:2] == [words["project"], words["planned_start"]]
    assert projects[-1] == words["xlsx_orgs_implementing"]
    lists = book["Lists"]
    offered = [lists.cell(row=r, column=1).value for r in (3, 4)]
    # by name in the template's language, as the entry form lists them
    names = [indicators()[c].names[lang] for c in INDICATORS]
    assert offered == sorted(names, key=name_order)
    assert words["xlsx_sheet_readme"] in book.sheetnames

    by_codes = _fill(template, tmp_path / "codes.xlsx", _rows(CODES, "KHM", "kg"))
    done = import_results(db, by_codes)
    assert done.errors == [] and done.created == 3
    stored = _stored(db)
    assert [r[:4] for r in stored] == [
        ("pops_destroyed", 12.5, "kg", "actual"),
        ("participants", 40.0, "person", "actual"),
        ("participants", 60.0, "person", "target"),
    ]
    # The same rows by names: nothing new, every row the one codes stored (re-import skips
    # only a row identical in every field).
    kg = words["unit_kg"]
    by_names = _fill(
        template, tmp_path / "names.xlsx", _rows(_words(lang), country_name("KHM", lang), kg)
    )
    again = import_results(db, by_names)
    assert again.errors == [] and (again.created, again.skipped) == (0, 3)
    assert _stored(db) == stored
    # Names of another language read as well, as does the country named in English.
    other = "ru" if lang == "ar" else "zh"
    mixed = _fill(template, tmp_path / "mixed.xlsx", _rows(_words(other), "Nepal", "kg"))
    third = import_results(db, mixed)
    assert third.errors == [] and third.created == 3
    assert {r[5] for r in _stored(db)[3:]} == {"NPL"}


def test_a_unit_that_does_not_fit_the_indicator_is_refused_naming_the_cell(
    db: Database, tmp_path: Path
) -> None:
    register_work(db, WorkSpec(key=WORK, kind=WorkKind.PROJECT, title={"en": "POPs disposal"}))
    template = write_template(db, INDICATORS, tmp_path / "fr.xlsx", "fr")
    people = catalogue("fr")["unit_person"]
    year = [date(2021, 1, 1), date(2021, 12, 31)]
    rows: list[list[object]] = [
        [WORK, indicators()["pops_destroyed"].names["fr"], 5, people, None, None, *year],
        [WORK, "pops_destroyed", 5, "person", None, None, *year],
        [WORK, "participants", 5, catalogue("fr")["unit_t"], None, None, *year],
    ]
    summary = import_results(db, _fill(template, tmp_path / "bad.xlsx", rows))
    placed = [(p.row, p.column, p.message_id, dict(p.params)["units"]) for p in summary.errors]
    unit = f"D ({catalogue('fr')['unit']})"
    assert placed == [
        (2, unit, "cell_unit_fit", ("t", "kg")),
        (3, unit, "cell_unit_fit", ("t", "kg")),
        (4, unit, "cell_unit_fit", ("person",)),
    ]
    assert "use one of t, kg" in summary.errors[0].message
    assert _stored(db) == []


def test_the_web_template_and_its_refusals_are_in_the_readers_language(db: Database) -> None:
    add_project(db, "wi-bra", "pops", "BRA")
    ed = add_user(db, "ed", "editor@country:BRA")
    web, csrf = browser(db, ed)
    got = web.get("/import/template.xlsx", params={"lang": "ar"})
    assert got.status_code == 200 and got.headers["content-type"] == XLSX
    book = openpyxl.load_workbook(io.BytesIO(got.content))
    words = catalogue("ar")
    sheet = book[words["xlsx_sheet_results"]]
    assert sheet.sheet_view.rightToLeft
    assert [c.value for c in sheet[1]][:4] == [
        words[k] for k in ("project", "indicator", "value", "unit")
    ]
    rules = sheet.data_validations.dataValidation
    texts = " ".join(f"{r.errorTitle} {r.error} {r.promptTitle} {r.prompt}" for r in rules)
    assert words["xlsx_list_error_title"] in texts and "Choose" not in texts
    assert all(len(r.prompt or "") <= 255 and len(r.promptTitle or "") <= 32 for r in rules)
    readme = book[words["xlsx_sheet_readme"]]
    assert readme["A1"].value == words["xlsx_readme_title"]
    # Filled in with Arabic words, a person count on a POPs tonnage is refused, in French
    # for a French reader, naming the column as the file heads it and the units that fit.
    pops = indicators()["pops_destroyed"].names["ar"]
    row = ["wi-bra", pops, 7, words["unit_person"], None, None, date(2021, 1, 1),
           date(2021, 12, 31), country_name("BRA", "ar")]  # fmt: skip
    for col, value in enumerate(row, start=1):
        sheet.cell(row=2, column=col, value=value)
    out = io.BytesIO()
    book.save(out)
    sent = web.post(
        "/import",
        params={"lang": "fr"},
        data={"csrf": csrf},
        files={"file": ("mine.xlsx", out.getvalue(), XLSX)},
    )
    said = " ".join(lxml.html.fromstring(sent.text).text_content().split())
    assert "n’est pas une unité de" in said and "POP détruits ou éliminés" in said, said
    assert "t et kg" in said and words["unit"] in said


def test_headings_and_list_words_read_back_to_one_code() -> None:
    seen: dict[str, str] = {}
    for key in xlsx_template.HEADERS:
        for text in xlsx_template.headings(key):
            assert seen.setdefault(text.casefold(), key) == key, (text, key)
    for lang in UN_LANGUAGES:
        lists = xlsx_template.choices([indicators()[c] for c in indicators()], lang)
        for key, pairs in lists.items():
            shown = [text for text, _ in pairs]
            assert len(set(shown)) == len(shown), (lang, key)
            if key == "unit":  # read against the units of the row's indicator first
                for text, code in pairs:
                    assert xlsx_template.unit_words([code])[xlsx_template.normal(text)] == code
            elif key != "indicator":
                for text, code in pairs:
                    assert xlsx_template.words(key)[xlsx_template.normal(text)] == code


def test_the_projects_sheet_is_in_the_readers_language_and_read_back_in_any(
    db: Database, tmp_path: Path
) -> None:
    """Sheet tabs and the Projects headings are in the template's language; a file is read
    back whatever language its tabs and headings are in, and a problem names the sheet
    and the column as the file writes them."""
    from greenfolio.services.exchange import xlsx_projects
    from greenfolio.services.portfolio import stored_spec, work_by_key

    register_work(db, WorkSpec(key=WORK, kind=WorkKind.PROJECT, title={"en": "POPs disposal"}))
    template = write_template(db, INDICATORS, tmp_path / "es.xlsx", "es")
    words = catalogue("es")
    book = openpyxl.load_workbook(template)
    assert book.sheetnames == ["Resultados", "Proyectos", "Lists", words["xlsx_sheet_readme"]]
    projects = book["Proyectos"]
    assert [c.value for c in projects[1]] == [
        xlsx_projects.heading(key, "es") for key, *_ in xlsx_projects.COLUMNS
    ]
    assert projects["F1"].value == "Sectores (códigos CAD de la OCDE)"
    readme = [c.value for c in book[words["xlsx_sheet_readme"]]["A"]]
    assert "Hoja Proyectos" in readme and "Organizaciones de ejecución" in readme

    # Wrong sectors: named on the sheet and column as this Spanish file heads them.
    projects.append([WORK, 2021, None, 2023, None, "99999"])
    book.save(tmp_path / "bad.xlsx")
    refused = import_results(db, tmp_path / "bad.xlsx")
    assert [(p.sheet, p.row, p.column) for p in refused.errors] == [
        ("Proyectos", 2, "F (Sectores (códigos CAD de la OCDE))")
    ]
    # Tabs renamed to another language's names (a Russian colleague's copy): read the same.
    projects["F2"] = "41020"
    book["Resultados"].title = "Результаты"
    projects.title = "Проекты"
    book.save(tmp_path / "ru-tabs.xlsx")
    done = import_results(db, tmp_path / "ru-tabs.xlsx")
    assert done.errors == [] and done.updated == 1
    with db.transaction() as session:
        stored = stored_spec(session, work_by_key(session, WORK))
    assert stored["sectors"] == ["41020"]
    assert {d["type"]: d["when"] for d in stored["dates"]} == {
        "planned_start": "2021",
        "planned_end": "2023",
    }


def test_a_misspelt_country_is_answered_with_the_nearest_name_of_the_list(
    db: Database, tmp_path: Path
) -> None:
    """A newcomer's "Nigeira", picked from a list of names, was told to type an ISO code."""
    register_work(db, WorkSpec(key=WORK, kind=WorkKind.PROJECT, title={"en": "POPs disposal"}))
    template = write_template(db, INDICATORS, tmp_path / "fr.xlsx", "fr")
    year = [date(2021, 1, 1), date(2021, 12, 31)]
    rows: list[list[object]] = [
        [WORK, "pops_destroyed", 5, "t", None, None, *year, "Nigéria"],  # French name: fine
        [WORK, "pops_destroyed", 5, "t", None, None, *year, "Nigeira"],
        [WORK, "pops_destroyed", 5, "t", None, None, *year, "Xyzzy"],
    ]
    summary = import_results(db, _fill(template, tmp_path / "bad.xlsx", rows))
    found = [(p.row, p.message_id, dict(p.params)["suggestion"]) for p in summary.errors]
    assert found == [(3, "cell_country_near", "Nigéria"), (4, "cell_country_name", "")]
    assert _stored(db) == []


def test_a_title_that_looks_like_a_formula_stays_text(db: Database, tmp_path: Path) -> None:
    """A hostile review: a project titled '=HYPERLINK(…)' went into every template of its
    countries as a live link. Every cell is text or a number; the name reads back."""
    title = '=HYPERLINK("https://evil.example/phish","Instructions: click here first")&0'
    register_work(db, WorkSpec(key="zz-formula", kind=WorkKind.PROJECT, title={"en": title}))
    from greenfolio.domain.permissions import Grant, Principal, Role, Scope
    from greenfolio.services.exchange.xlsx_offer import write_for

    editor = Principal("ed", (Grant(Role.EDITOR, Scope.parse("all")),), 1)
    template = write_for(db, editor, INDICATORS, tmp_path / "en.xlsx", "en", "zz-formula")
    book = openpyxl.load_workbook(template)
    formulas = [
        f"{ws.title}!{c.coordinate}" for ws in book for row in ws.iter_rows() for c in row
        if c.data_type == "f"
    ]  # fmt: skip
    assert formulas == []
    shown = [
        c.value for row in book["Lists"].iter_rows() for c in row
        if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")
    ]  # fmt: skip
    assert shown and all("zz-formula" in s for s in shown), shown
    year = (date(2021, 1, 1), date(2021, 12, 31))
    filled = _fill(
        template, tmp_path / "filled.xlsx", [[shown[0], "pops_destroyed", 2, "t", "actual", None,
                                              *year]],
    )  # fmt: skip
    book = openpyxl.load_workbook(filled)
    book.worksheets[0]["A2"].data_type = "s"  # as a spreadsheet program keeps a picked name
    book.save(filled)
    done = import_results(db, filled)
    assert done.errors == [] and done.created == 1, done.errors


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_sex_list_offers_the_total_as_the_form_does(
    db: Database, tmp_path: Path, lang: str
) -> None:
    """A newcomer's review: the form offers "Everyone (total)", which the template
    refused ("not one of the choices: Women, Men, Other"). A total row reads as one
    for everyone (no sex), beside the women's row."""
    register_work(db, WorkSpec(key=WORK, kind=WorkKind.PROJECT, title={"en": "POPs disposal"}))
    template = write_template(db, INDICATORS, tmp_path / f"{lang}.xlsx", lang)
    words = catalogue(lang)
    lists = openpyxl.load_workbook(template)["Lists"]
    offered = [c.value for row in lists.iter_rows() for c in row if c.value]
    assert words["sex_total_option"] in offered
    year = (date(2021, 1, 1), date(2021, 12, 31))
    names = _words(lang)
    rows = [
        [WORK, names["participants"], 100, None, names["actual"], None, *year, "KHM",
         words["sex_total_option"]],
        [WORK, names["participants"], 40, None, names["actual"], None, *year, "KHM",
         names["female"]],
    ]  # fmt: skip
    done = import_results(db, _fill(template, tmp_path / "filled.xlsx", rows))
    assert done.errors == [] and done.created == 2, done.errors
    assert [(r[1], r[6]) for r in _stored(db)] == [(100.0, None), (40.0, "female")]


def test_the_pages_word_for_the_total_reads_as_the_total() -> None:
    """A programme officer typed "Всего" and "合计", the words the pages show for the
    total of a breakdown by sex, which the template refused."""
    known = xlsx_template.words("sex")
    for lang in ("ru", "zh", "es", "ar"):
        word = catalogue(lang)["sex_everyone_short"]
        assert known[xlsx_template.normal(word)] == xlsx_template.SEX_TOTAL, lang


@pytest.mark.parametrize(("lang", "typed", "stored"), [("es", "1.200", 1200.0),
                                                       ("zh", "1,200", 1200.0),
                                                       ("es", "2,5", 2.5)])  # fmt: skip
def test_a_number_typed_as_the_templates_language_writes_it_reads(
    db: Database, tmp_path: Path, lang: str, typed: str, stored: float
) -> None:
    """A programme officer typed "1.200" in a Spanish template (as the pages write 1200
    in Spanish) and was told it could be 1200 or 1,2: the template names its language,
    whose signs decide. A file that names none still refuses it (tests/test_number_text)."""
    register_work(db, WorkSpec(key=WORK, kind=WorkKind.PROJECT, title={"en": "POPs disposal"}))
    template = write_template(db, INDICATORS, tmp_path / f"{lang}.xlsx", lang)
    names = _words(lang)
    year = (date(2021, 1, 1), date(2021, 12, 31))
    row = [WORK, names["pops_destroyed"], typed, "t", names["actual"], None, *year, "KHM"]
    done = import_results(db, _fill(template, tmp_path / "typed.xlsx", [row]))
    assert done.errors == [] and done.created == 1, done.errors
    assert _stored(db)[0][1] == stored


def test_a_country_typed_as_people_write_it_reads_as_that_country(
    db: Database, tmp_path: Path
) -> None:
    """An officer's review: "Россия" and "老挝" were refused as not countries of the list
    (only UNTERM's "Российская Федерация", "老挝人民民主共和国" read). Names people write by
    hand (CLDR's, through babel) read too; a UN name keeps its own country."""
    register_work(db, WorkSpec(key=WORK, kind=WorkKind.PROJECT, title={"en": "POPs disposal"}))
    template = write_template(db, INDICATORS, tmp_path / "ru.xlsx", "ru")
    year = [date(2021, 1, 1), date(2021, 12, 31)]
    typed = ["Россия", "老挝", "Vietnam", "Corea del Sur", "Iran", "Côte d’Ivoire"]
    rows: list[list[object]] = [
        [WORK, "pops_destroyed", n + 1, "t", None, None, *year, name]
        for n, name in enumerate(typed)
    ]
    summary = import_results(db, _fill(template, tmp_path / "typed.xlsx", rows))
    assert summary.errors == []
    with db.transaction() as session:
        stored = dict(session.execute(select(ResultRow.value, ResultRow.country)).all())
    assert [stored[n + 1] for n in range(len(typed))] == ["RUS", "LAO", "VNM", "KOR", "IRN", "CIV"]
    # the dropdown still offers the UN names only
    lists = openpyxl.load_workbook(template)["Lists"]
    offered = {c.value for row in lists.iter_rows() for c in row}
    assert "Российская Федерация" in offered and "Россия" not in offered


@pytest.mark.parametrize("lang", UN_LANGUAGES)
def test_each_indicator_offers_its_own_units_beside_it(
    db: Database, tmp_path: Path, lang: str
) -> None:
    """An officer's review: with the indicators listed by name, each row of units stayed in
    registry order, so "events held" offered "people" and "participants" offered "t, kg"
    (the unit dropdown and the read-me's table). Each indicator's row holds its units."""
    codes = list(indicators())
    template = write_template(db, codes, tmp_path / f"{lang}.xlsx", lang)
    book = openpyxl.load_workbook(template)
    lists = book["Lists"]
    head = [c.value for c in lists[2]]
    count_col = head.index("unit_count") + 1
    by_name = {
        lists.cell(row=r, column=1).value: lists.cell(row=r, column=2).value
        for r in range(3, 3 + len(codes))
    }
    assert sorted(by_name.values()) == sorted(codes)
    for r in range(3, 3 + len(codes)):
        ind = indicators()[lists.cell(row=r, column=2).value]
        count = lists.cell(row=r, column=count_col).value
        offered = [lists.cell(row=r, column=count_col + 1 + n).value for n in range(count)]
        expected = [catalogue(lang)[f"unit_{u}"] for u in xlsx_template.units_of(ind.unit)]
        assert offered == expected, (ind.code, offered)
    readme = book[catalogue(lang)["xlsx_sheet_readme"]]
    table = {
        row[0].value: row[1].value
        for row in readme.iter_rows()
        if row[0].value in by_name and row[1].value
    }
    sep = catalogue(lang)["list_sep"]
    for name, code in by_name.items():
        units = xlsx_template.units_of(indicators()[code].unit)
        assert table[name] == sep.join(catalogue(lang)[f"unit_{u}"] for u in units), name
