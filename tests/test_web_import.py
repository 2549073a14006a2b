"""Issue 10, spreadsheet import from the web: upload the XLSX template, see what it would
change (new, changed, unchanged rows; problems by sheet, row and column in the visitor's
language), then apply all or nothing. The confirmation names the file by its SHA-256 and
the preview by its digest, so what is applied is what was previewed; the uploader's roles
are checked against each stored project. On SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Any

import lxml.html
import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from greenfolio.interfaces.web import import_pages
from greenfolio.services.database import Database
from greenfolio.services.exchange.xlsx_template import write_template
from greenfolio.store.tables import ResultRow, WorkRow
from tests.test_api_support import add_project, add_user, browser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _own_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(import_pages.ENV_FOLDER, str(tmp_path / "uploads"))


def _file(
    db: Database, tmp_path: Path, rows: list[list[Any]], projects: list[list[Any]] = ()
) -> bytes:  # type: ignore[assignment]
    template = write_template(db, ["pops_destroyed"], tmp_path / "template.xlsx")
    book = openpyxl.load_workbook(template)
    for sheet, data in (("Results", rows), ("Projects", projects or [])):
        for n, row in enumerate(data, start=2):
            for col, value in enumerate(row, start=1):
                book[sheet].cell(row=n, column=col, value=value)
    out = tmp_path / "filled.xlsx"
    book.save(out)
    return out.read_bytes()


def _row(project: str, value: Any, country: str | None = None) -> list[Any]:
    return [project, "pops_destroyed", value, "t", "actual", "exact", date(2021, 1, 1),
            date(2021, 12, 31), country]  # fmt: skip


def _upload(web: TestClient, csrf: str, content: bytes, name: str = "field.xlsx") -> Any:
    return web.post("/import", data={"csrf": csrf}, files={"file": (name, content, XLSX)})


def _doc(response: Any) -> Any:
    return lxml.html.fromstring(response.text)


def _confirm(doc: Any) -> dict[str, str]:
    """The confirmation form's fields, as the page filled them in."""
    fields = doc.xpath('//form[@data-testid="import-confirm"]//input')
    assert fields, "no confirmation form"
    return {i.get("name"): i.get("value") for i in fields}


def _results(db: Database) -> list[tuple[str, float, str, str | None]]:
    with db.transaction() as session:
        return [
            (key, row.value, row.review_state, row.entered_by)
            for row, key in session.execute(
                select(ResultRow, WorkRow.key).join(WorkRow).order_by(ResultRow.id)
            )
        ]


def test_preview_then_apply_exactly_the_previewed_file(db: Database, tmp_path: Path) -> None:
    add_project(db, "wi-bra", "pops", "BRA")
    ed = add_user(db, "ed", "editor@country:BRA")
    web, csrf = browser(db, ed)
    content = _file(db, tmp_path, [_row("wi-bra", 12.5), _row("wi-bra", 3)])
    shown = _upload(web, csrf, content)
    assert shown.status_code == 200, shown.text
    doc = _doc(shown)
    assert [r.get("class") for r in doc.xpath("//table[contains(@class,'preview')]//tbody/tr")] == [
        "new",
        "new",
    ]
    assert "New results, to be submitted for review: 2" in doc.xpath(
        'string(//*[@data-testid="import-counts"])'
    )
    # each row's project by its title, as the pages name it (was its key)
    projects = doc.xpath("//table[contains(@class,'preview')]//tbody/tr/td[3]//text()")
    assert projects == ["Test project", "Test project"], projects
    assert _results(db) == []  # a preview stores nothing
    confirm = _confirm(doc)
    assert confirm["sha256"] == hashlib.sha256(content).hexdigest()
    # another digest than the preview's (a different preview) applies nothing
    wrong = web.post("/import/apply", data={**confirm, "plan": "0" * 64})
    assert wrong.status_code == 409 and _results(db) == []
    # another file's hash (never uploaded by this account) applies nothing
    other = web.post("/import/apply", data={**confirm, "sha256": "1" * 64})
    assert other.status_code == 422 and "upload it again" in other.text
    done = web.post("/import/apply", data=confirm)
    assert done.status_code == 200, done.text
    assert _doc(done).xpath('//*[@data-testid="import-done"]')
    assert _results(db) == [
        ("wi-bra", 12.5, "submitted", "user:ed"),
        ("wi-bra", 3.0, "submitted", "user:ed"),
    ]
    # the same file again: every row is already stored, nothing to import
    again = _doc(_upload(web, csrf, content))
    assert [r.get("class") for r in again.xpath("//tbody/tr")] == ["unchanged", "unchanged"]
    assert not again.xpath('//form[@data-testid="import-confirm"]')


def test_the_file_is_checked_against_stored_records_and_roles(db: Database, tmp_path: Path) -> None:
    add_project(db, "wi-bra", "pops", "BRA")
    add_project(db, "wi-ind", "pops", "IND")
    ed = add_user(db, "ed", "editor@country:BRA")
    web, csrf = browser(db, ed)
    web.cookies.set("gf_lang", "fr")
    content = _file(db, tmp_path, [_row("wi-bra", 1), _row("wi-ind", 2), _row("wi-bra", "abc")])
    shown = _upload(web, csrf, content)
    assert shown.status_code == 422
    problems = [
        li.text_content() for li in _doc(shown).xpath('//*[@data-testid="import-problems"]//li')
    ]
    assert any(
        p.startswith("Feuille Results, ligne 4, colonne C (Value)\u00a0:")
        and "n’est pas un nombre" in p
        for p in problems
    ), problems
    assert not _doc(shown).xpath('//form[@data-testid="import-confirm"]')
    # a project outside the editor's roles is refused as a missing one is: the row is
    # named by its place and the key the editor typed, and nothing tells them it exists
    content = _file(db, tmp_path, [_row("wi-bra", 1), _row("wi-ind", 2)])
    doc = _doc(_upload(web, csrf, content))
    problems = [li.text_content() for li in doc.xpath('//*[@data-testid="import-problems"]//li')]
    assert len(problems) == 1 and problems[0].startswith("Feuille Results, ligne 3")
    missing = _file(db, tmp_path, [_row("wi-bra", 1), _row("wi-zzz", 2)])
    said = [
        li.text_content()
        for li in _doc(_upload(web, csrf, missing)).xpath('//*[@data-testid="import-problems"]//li')
    ]
    assert [problems[0].replace("wi-ind", "KEY")] == [p.replace("wi-zzz", "KEY") for p in said]
    assert "aucun projet" in problems[0] and "Vos rôles" not in problems[0]
    assert _results(db) == []
    # files that cannot be applied are not kept (they were, for a day)
    assert not list((tmp_path / "uploads").glob("*.xlsx"))


def test_a_change_after_the_preview_applies_nothing(db: Database, tmp_path: Path) -> None:
    add_project(db, "wi-bra", "pops", "BRA")
    ed = add_user(db, "ed", "editor@all")
    web, csrf = browser(db, ed)
    first = _file(db, tmp_path, [_row("wi-bra", 7)])
    both = _file(db, tmp_path, [_row("wi-bra", 7), _row("wi-bra", 8)])
    preview = _doc(_upload(web, csrf, both))
    confirm = {
        i.get("name"): i.get("value")
        for i in preview.xpath('//form[@data-testid="import-confirm"]//input')
    }
    # meanwhile the first row is imported from another file: the preview is outdated
    doc = _doc(_upload(web, csrf, first))
    web.post(
        "/import/apply",
        data={
            i.get("name"): i.get("value")
            for i in doc.xpath('//form[@data-testid="import-confirm"]//input')
        },
    )
    assert [r[1] for r in _results(db)] == [7.0]
    late = web.post("/import/apply", data=confirm)
    assert late.status_code == 409 and "preview" in late.text.lower()
    assert [r[1] for r in _results(db)] == [7.0]


def test_projects_sheet_rows_show_as_changed_or_unchanged(db: Database, tmp_path: Path) -> None:
    add_project(db, "wi-bra", "pops", "BRA")
    ed = add_user(db, "ed", "editor@all")
    web, csrf = browser(db, ed)
    web.cookies.set("gf_lang", "zh")
    content = _file(db, tmp_path, [], [["wi-bra", None, None, None, None, "41020"]])
    doc = _doc(_upload(web, csrf, content))
    assert [r.get("class") for r in doc.xpath("//tbody/tr")] == ["changed"]
    confirm = {
        i.get("name"): i.get("value")
        for i in doc.xpath('//form[@data-testid="import-confirm"]//input')
    }
    assert web.post("/import/apply", data=confirm).status_code == 200
    again = _doc(_upload(web, csrf, content))
    assert [r.get("class") for r in again.xpath("//tbody/tr")] == ["unchanged"]
    assert "更正的成果（草稿及退回的成果）：0" in again.xpath(
        'string(//*[@data-testid="import-counts"])'
    )


def test_viewers_cannot_import(db: Database, tmp_path: Path) -> None:
    viewer = add_user(db, "vi", "viewer@all")
    web, csrf = browser(db, viewer)
    assert web.get("/import").status_code == 403
    assert _upload(web, csrf, b"PK").status_code == 403


def test_results_imported_as_drafts_take_their_evidence_first(db: Database, tmp_path: Path) -> None:
    """An officer's review: imported results arrived submitted, and a submitted result
    takes no evidence file, so they went to the reviewer without any. Unticking "Submit
    the results for review now" keeps them drafts, to be given their files first."""
    add_project(db, "wd-bra", "pops", "BRA")
    ed = add_user(db, "edd", "editor@country:BRA")
    web, csrf = browser(db, ed)
    doc = _doc(_upload(web, csrf, _file(db, tmp_path, [_row("wd-bra", 7)])))
    confirm = _confirm(doc)
    assert confirm.pop("submit_now") == "yes"  # ticked unless unticked
    done = web.post("/import/apply?lang=fr", data=confirm)
    assert done.status_code == 200, done.text
    said = _doc(done).xpath('string(//*[@data-testid="import-done"])')
    assert "Nouveaux résultats, gardés en brouillon" in said, said
    assert _doc(done).xpath('//a[@data-testid="to-drafts"]/@href') == ["/review#drafts"]
    assert _results(db) == [("wd-bra", 7.0, "draft", "user:edd")]
    with db.transaction() as session:
        rid = session.scalar(select(ResultRow.id))
    page = _doc(web.get(f"/results/{rid}"))
    assert page.xpath("//form[contains(@action, '/evidence')]"), "a draft takes files"


def test_the_command_line_keeps_drafts_when_asked(db: Database, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from greenfolio.interfaces.cli.app import app

    add_project(db, "wc-bra", "pops", "BRA")
    path = tmp_path / "drafts.xlsx"
    path.write_bytes(_file(db, tmp_path, [_row("wc-bra", 4)]))
    url = db.engine.url.render_as_string(hide_password=False)
    done = CliRunner().invoke(app, ["import", "xlsx", str(path), "--draft", "--db", url])
    assert done.exit_code == 0, done.output
    assert [state for _, _, state, _ in _results(db)] == ["draft"]
