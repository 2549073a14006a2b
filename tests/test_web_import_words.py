"""Issue 10, the web import speaks the visitor's language throughout: the page links to the
XLSX template (written by the same service as ``greenfolio template xlsx``, with every
indicator of the registry), and every problem the importer finds in the Results and
Projects sheets carries a message id that all six catalogues say, so no English sentence
of the importer reaches a page. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path
from typing import Any

import lxml.html
import openpyxl
import pytest

from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.interfaces.web import import_pages
from greenfolio.interfaces.web.i18n import catalogue
from greenfolio.services import api_tokens, explorer
from greenfolio.services.database import Database
from greenfolio.services.exchange import xlsx_plan
from greenfolio.services.exchange.xlsx_template import LISTS_SHEET, MARKER
from tests.test_api_support import add_project, add_user, browser
from tests.test_web_import import XLSX

ENGLISH = re.compile(
    r"is not|register|characters|broken down|codelist|keep one|no organisation|"
    r"not a date|after this row|alpha-3 code such"
)


@pytest.fixture(autouse=True)
def _own_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(import_pages.ENV_FOLDER, str(tmp_path / "uploads"))


def _fill(template: bytes, results: list[list[Any]], projects: list[list[Any]]) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(template))
    for sheet, data in zip(book.worksheets[:2], (results, projects), strict=True):
        for n, row in enumerate(data, start=2):
            for col, value in enumerate(row, start=1):
                sheet.cell(row=n, column=col, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _marker_codes(content: bytes) -> list[str]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    marker = next(book[LISTS_SHEET].iter_rows(values_only=True))
    assert marker[0] == MARKER
    return str(marker[2]).split(",")


def test_the_page_links_to_the_template_with_every_indicator(db: Database) -> None:
    add_project(db, "wi-bra", "pops", "BRA")
    ed = add_user(db, "ed", "editor@country:BRA")
    web, csrf = browser(db, ed)
    for lang in UN_LANGUAGES:
        doc = lxml.html.fromstring(web.get("/import", params={"lang": lang}).text)
        link = doc.xpath('//*[@data-testid="import-template"]/a')
        assert link and link[0].get("href") == "/import/template.xlsx"
        assert link[0].text_content() == catalogue(lang)["import_template"]
    got = web.get("/import/template.xlsx")
    assert got.status_code == 200 and got.headers["content-type"] == XLSX
    assert "attachment" in got.headers["content-disposition"]
    who = api_tokens.token_principal(db, ed.token)
    assert who is not None
    registry = [row["code"] for row in explorer.indicators(db, who)]
    assert sorted(_marker_codes(got.content)) == sorted(registry) and len(registry) > 10
    # filled in, it is accepted as it is
    row = ["wi-bra", "pops_destroyed", 7, "t", "actual", "exact", date(2021, 1, 1),
           date(2021, 12, 31), "BRA"]  # fmt: skip
    sent = web.post(
        "/import",
        data={"csrf": csrf},
        files={"file": ("mine.xlsx", _fill(got.content, [row], []), XLSX)},
    )
    assert sent.status_code == 200, sent.text
    shown = lxml.html.fromstring(sent.text)
    assert [r.get("class") for r in shown.xpath("//tbody/tr")] == ["new"]
    viewer = add_user(db, "vi", "viewer@all")
    assert browser(db, viewer)[0].get("/import/template.xlsx").status_code == 403


def test_every_importer_problem_is_said_in_each_language(db: Database, tmp_path: Path) -> None:
    add_project(db, "wi-bra", "pops", "BRA")
    add_project(db, "wi-two", "pops", "BRA")
    ed = add_user(db, "ed", "editor@all")
    web, csrf = browser(db, ed)
    template = web.get("/import/template.xlsx").content
    results = [
        ["wi-bra", "pops_destroyed", 5, "t", "actual", "exact", date(2021, 1, 1),
         date(2021, 12, 31), "BRAZIL", "female", "x" * 200],
        ["wi-bra", "pops_destroyed", 5, "kg", "someday", "exact", "30/06/2021", None, None,
         None, "site\u200b\u202e"],
    ]  # fmt: skip
    projects = [
        ["wi-bra", None, None, None, None, "41020"],
        ["wi-bra", None, None, None, None, "41020"],
        ["wi-nope"],
        ["wi-two", "2021-13-45", None, None, None, "99999", "nobody"],
    ]
    content = _fill(template, results, projects)
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    who = api_tokens.token_principal(db, ed.token)
    assert who is not None
    problems = xlsx_plan.preview(db, who, path).problems
    assert len(problems) >= 9
    for problem in problems:  # each one has words in every language
        assert problem.message_id, problem.message
        for lang in UN_LANGUAGES:
            assert f"err_{problem.message_id}" in catalogue(lang), (lang, problem.message_id)
    for lang in UN_LANGUAGES:
        sent = web.post(
            "/import",
            params={"lang": lang},
            data={"csrf": csrf},
            files={"file": ("bad.xlsx", content, XLSX)},
        )
        assert sent.status_code == 422
        said = [
            li.text_content()
            for li in lxml.html.fromstring(sent.text).xpath(
                '//*[@data-testid="import-problems"]//li'
            )
        ]
        assert len(said) >= 9, said
        if lang != "en":
            for text in said:
                assert not ENGLISH.search(text), (lang, text)
        if lang in ("zh", "ar"):
            for text in said:
                assert "{" not in text


def test_a_file_that_is_no_workbook_is_said_in_each_language(db: Database) -> None:
    ed = add_user(db, "ed", "editor@all")
    web, csrf = browser(db, ed)
    for lang in UN_LANGUAGES:
        sent = web.post(
            "/import",
            params={"lang": lang},
            data={"csrf": csrf},
            files={"file": ("notes.xlsx", b"these are notes, not a workbook", XLSX)},
        )
        assert sent.status_code == 422
        said = lxml.html.fromstring(sent.text).xpath('//*[@data-testid="import-problems"]//li')
        assert [li.text_content() for li in said] == [catalogue(lang)["err_file_is_text"]]
        # a newcomer's IATI file: named, with the command that imports it
        iati = b'<?xml version="1.0"?><iati-activities version="2.03"></iati-activities>'
        sent = web.post(
            "/import",
            params={"lang": lang},
            data={"csrf": csrf},
            files={"file": ("activities.xml", iati, "text/xml")},
        )
        said = lxml.html.fromstring(sent.text).xpath('//*[@data-testid="import-problems"]//li')
        assert [li.text_content() for li in said] == [catalogue(lang)["err_file_is_xml"]]
