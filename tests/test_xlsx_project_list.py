"""The XLSX template's Project column offers, as a dropdown, the projects its downloader
may enter results for, by title in their language with the key (the words beside their
keys on the hidden Lists sheet, as the indicators' names are); a row naming a project
by those words imports as by its key, and a project the uploader cannot see is refused
as an unknown one, whatever a Lists sheet says. From a project's page, /import offers the
template for that project: in its first rows, its indicators first. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import lxml.html
import openpyxl
import pytest
from fastapi.testclient import TestClient

from greenfolio.interfaces.web import import_pages
from greenfolio.services import portfolio
from greenfolio.services.database import Database
from greenfolio.services.exchange.xlsx_template import LISTS_SHEET, PREFILLED_ROWS
from greenfolio.services.portfolio import WorkSpec
from tests.test_api_support import add_project, add_user, browser, client
from tests.test_web_import import XLSX

WORK_COLUMN = 13
"""The Lists sheet's column of the projects' words (their keys in the next one)."""


@pytest.fixture(autouse=True)
def _own_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(import_pages.ENV_FOLDER, str(tmp_path / "uploads"))


def _projects(db: Database) -> None:
    portfolio.register_work(
        db,
        WorkSpec(
            key="pl-bra",
            kind="project",
            title={"en": "Clean cooling in Brazil", "fr": "Froid propre au Brésil"},
            countries=["BRA"],
            terms=["programme:pops"],
        ),
    )
    add_project(db, "pl-tha", "pops", "THA", title="Mercury in Thailand")
    add_project(db, "pl-khm", "pops", "KHM", title="Cambodian landfills")


def _offered(content: bytes) -> list[tuple[str, str]]:
    lists = openpyxl.load_workbook(io.BytesIO(content))[LISTS_SHEET]
    assert lists.cell(row=2, column=WORK_COLUMN).value == "work"
    pairs = []
    for row in range(3, lists.max_row + 1):
        text = lists.cell(row=row, column=WORK_COLUMN).value
        if text is not None:
            pairs.append((str(text), str(lists.cell(row=row, column=WORK_COLUMN + 1).value)))
    return pairs


def _fill(content: bytes, rows: list[list[Any]]) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(content))
    for n, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            book.worksheets[0].cell(row=n, column=col, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _row(project: str, value: float) -> list[Any]:
    return [project, "pops_destroyed", value, "t", "actual", "exact", date(2021, 1, 1),
            date(2021, 12, 31), "BRA"]  # fmt: skip


def _preview(web: TestClient, csrf: str, content: bytes) -> Any:
    sent = web.post("/import", data={"csrf": csrf}, files={"file": ("f.xlsx", content, XLSX)})
    return lxml.html.fromstring(sent.text), sent.status_code


def _rows(doc: Any) -> list[tuple[str, str]]:
    return [
        (tr.xpath("string(td[3])"), tr.get("class"))
        for tr in doc.xpath("//table[contains(@class,'preview')]//tbody/tr")
    ]


def _problems(doc: Any) -> list[str]:
    return [li.text_content() for li in doc.xpath('//*[@data-testid="import-problems"]//li')]


def test_a_template_lists_only_the_projects_its_user_may_write(db: Database) -> None:
    _projects(db)
    editor = add_user(db, "pl-ed", "editor@country:BRA", "viewer@country:THA")
    admin = add_user(db, "pl-admin", "admin@all")
    web, _ = browser(db, editor)
    got = web.get("/import/template.xlsx", params={"lang": "fr"})
    assert got.status_code == 200, got.text
    # Brazil's project by its French title, not Thailand's (read only) nor Cambodia's
    assert _offered(got.content) == [("Froid propre au Brésil (pl-bra)", "pl-bra")]
    book = openpyxl.load_workbook(io.BytesIO(got.content))
    rules = book.worksheets[0].data_validations.dataValidation
    project_rule = [r for r in rules if str(r.sqref).startswith("A2")]
    assert len(project_rule) == 1 and project_rule[0].type == "list"
    assert project_rule[0].formula1 == f"{LISTS_SHEET}!$M$3:$M$3"
    assert book.worksheets[0]["A2"].value is None  # a general template: nothing prefilled
    everything = browser(db, admin)[0].get("/import/template.xlsx", params={"lang": "en"})
    assert [key for _, key in _offered(everything.content)] == ["pl-khm", "pl-bra", "pl-tha"]


def test_a_row_naming_a_project_by_its_listed_words_imports_as_by_key(db: Database) -> None:
    _projects(db)
    editor = add_user(db, "pl-ed", "editor@country:BRA")
    web, csrf = browser(db, editor)
    template = web.get("/import/template.xlsx", params={"lang": "fr"}).content
    [(words, _key)] = _offered(template)
    # compared as the other lists compare words (case and runs of spaces aside); a title
    # alone is neither the words offered nor a key
    loose = " froid  propre au brésil (pl-bra)"
    by_words = _fill(template, [_row(words, 4), _row(loose, 5), _row("Froid propre au Brésil", 6)])
    doc, status = _preview(web, csrf, by_words)
    assert status == 422 and len(_problems(doc)) == 1, _problems(doc)
    assert "row 4" in _problems(doc)[0]
    doc, status = _preview(web, csrf, _fill(template, [_row(words, 4)]))
    assert status == 200 and _rows(doc) == [("Clean cooling in Brazil", "new")]
    confirm = {
        i.get("name"): i.get("value")
        for i in doc.xpath('//form[@data-testid="import-confirm"]//input')
    }
    assert web.post("/import/apply", data=confirm).status_code == 200
    # the same row by key is the one stored (unchanged), as is "title (key)" in a file
    # whose Lists sheet never offered it (another user's template)
    by_key = _fill(template, [_row("pl-bra", 4)])
    assert _rows(_preview(web, csrf, by_key)[0]) == [("Clean cooling in Brazil", "unchanged")]
    admin = add_user(db, "pl-admin", "admin@all")
    theirs = browser(db, admin)[0].get("/import/template.xlsx", params={"lang": "zh"}).content
    typed = _fill(theirs, [_row("Clean cooling in Brazil (pl-bra)", 4)])
    assert _rows(_preview(web, csrf, typed)[0]) == [("Clean cooling in Brazil", "unchanged")]


def test_a_row_naming_a_project_the_user_cannot_see_is_refused_as_unknown(
    db: Database,
) -> None:
    _projects(db)
    editor = add_user(db, "pl-ed", "editor@country:BRA")
    admin = add_user(db, "pl-admin", "admin@all")
    web, csrf = browser(db, editor)
    theirs = browser(db, admin)[0].get("/import/template.xlsx", params={"lang": "en"}).content
    words = dict((key, text) for text, key in _offered(theirs))
    unseen = _fill(theirs, [_row(words["pl-khm"], 1)])
    doc, status = _preview(web, csrf, unseen)
    nowhere = _fill(theirs, [_row("Cambodian landfills (pl-zzz)", 1)])
    doc_nowhere, _ = _preview(web, csrf, nowhere)
    said, said_nowhere = _problems(doc), _problems(doc_nowhere)
    assert status == 422 and len(said) == 1
    # said as of a project that does not exist: nothing tells the editor it does
    assert said[0].replace("(pl-khm)", "(KEY)") == said_nowhere[0].replace("(pl-zzz)", "(KEY)")
    assert "registered" in said[0] or "no project" in said[0].lower(), said
    # a Lists sheet edited by hand to pair words with an unseen key changes nothing
    book = openpyxl.load_workbook(io.BytesIO(_fill(theirs, [_row("Mine", 1)])))
    book[LISTS_SHEET].cell(row=3, column=WORK_COLUMN, value="Mine")
    book[LISTS_SHEET].cell(row=3, column=WORK_COLUMN + 1, value="pl-khm")
    out = io.BytesIO()
    book.save(out)
    forged, status = _preview(web, csrf, out.getvalue())
    assert status == 422 and "pl-khm" not in forged.text_content()
    assert "Mine" in _problems(forged)[0]
    # a project they may read but not write is refused for their roles, as before
    viewer = add_user(db, "pl-both", "editor@country:BRA", "viewer@country:THA")
    both, both_csrf = browser(db, viewer)
    doc, status = _preview(both, both_csrf, _fill(theirs, [_row(words["pl-tha"], 1)]))
    assert status == 422 and len(_problems(doc)) == 1


def test_a_project_page_offers_its_own_template(db: Database) -> None:
    _projects(db)
    editor = add_user(db, "pl-ed", "editor@country:BRA", "viewer@country:THA")
    api = client(db)
    body = {"work": "pl-bra", "indicator": "participants", "value": 30}
    assert api.post("/api/v1/results", json=body, headers=editor.auth).status_code == 201
    web, csrf = browser(db, editor)
    page = lxml.html.fromstring(web.get("/projects/pl-bra", params={"lang": "fr"}).text)
    link = page.xpath('//a[@data-testid="project-import"]')
    assert link and link[0].get("href") == "/import?project=pl-bra"
    shown = lxml.html.fromstring(web.get("/import?project=pl-bra&lang=fr").text)
    offer = shown.xpath('//*[@data-testid="import-template-project"]/a')
    assert offer and offer[0].get("href") == "/import/template.xlsx?project=pl-bra"
    assert "Froid propre au Brésil" in offer[0].text_content()
    said = shown.xpath('string(//*[@data-testid="import-template-project"])')
    assert f"Ses {PREFILLED_ROWS} premières lignes" in said
    got = web.get("/import/template.xlsx", params={"project": "pl-bra", "lang": "fr"})
    assert got.status_code == 200
    assert "pl-bra" in got.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(got.content))
    results = book.worksheets[0]
    word = "Froid propre au Brésil (pl-bra)"
    assert results["A2"].value == word and results[f"A{PREFILLED_ROWS + 1}"].value == word
    assert results[f"A{PREFILLED_ROWS + 2}"].value is None
    marker = next(book[LISTS_SHEET].iter_rows(values_only=True))
    assert str(marker[2]).split(",")[0] == "participants"  # its indicators first
    # one row filled in: the others, holding only the project, are empty rows
    filled = _fill(got.content, [_row(word, 9)])
    doc, status = _preview(web, csrf, filled)
    assert status == 200 and _rows(doc) == [("Froid propre au Brésil", "new")]
    # a project the editor may read but not write: refused; one they cannot read: missing
    assert web.get("/import?project=pl-tha").status_code == 403
    assert web.get("/import/template.xlsx", params={"project": "pl-tha"}).status_code == 403
    assert web.get("/import?project=pl-khm").status_code == 404
    assert web.get("/import/template.xlsx", params={"project": "pl-khm"}).status_code == 404
    reader = add_user(db, "pl-reader", "viewer@country:THA")
    tha = browser(db, reader)[0].get("/projects/pl-tha")
    assert not lxml.html.fromstring(tha.text).xpath('//a[@data-testid="project-import"]')
