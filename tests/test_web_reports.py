"""Issue 10, reports page: any installed definition (board, montreal, gef and folders the
administrator configured; never a path typed in the page), a language and a format; the
reports built are kept with their provenance files and listed, downloadable. On SQLite
and PostgreSQL (where the archive is a required setting)."""

from __future__ import annotations

import hashlib
import json
import shutil
from importlib import resources
from pathlib import Path

import lxml.html
import pytest

from greenfolio.interfaces import report_archive
from greenfolio.services import report_catalogue
from greenfolio.services.database import Database
from tests.test_api_support import add_user, browser


@pytest.fixture
def configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder of definitions the administrator configured, holding one copied from the
    shipped Montreal example under another name."""
    folder = tmp_path / "definitions"
    shipped = Path(str(resources.files("greenfolio.reports.montreal")))
    shutil.copytree(shipped, folder / "ozone_unit", ignore=shutil.ignore_patterns("__*"))
    monkeypatch.setenv(report_catalogue.ENV_FOLDERS, str(folder))
    monkeypatch.setenv(report_archive.ENV_ARCHIVE, str(tmp_path / "archive"))
    return folder


def test_build_keep_and_download_with_provenance(demo_db: Database, configured: Path) -> None:
    boss = add_user(demo_db, "boss", "admin@all")
    web, csrf = browser(demo_db, boss)
    page = lxml.html.fromstring(web.get("/reports").text)
    offered = page.xpath('//select[@name="definition"]/option/@value')
    assert offered == ["board", "montreal", "gef", "ozone_unit"]
    assert "(installed by the administrator)" in page.xpath('string(//option[@value="ozone_unit"])')
    assert page.xpath('//*[@data-testid="report-history"]') == []
    form = {"csrf": csrf, "definition": "board", "year": "2021", "lang": "fr", "format": "html"}
    done = web.post("/reports/build", data=form)
    assert done.status_code == 303, done.text
    build_id = done.headers["location"].split("built=")[1]
    listed = lxml.html.fromstring(web.get(done.headers["location"]).text)
    rows = listed.xpath('//*[@data-testid="report-history"]//tbody/tr')
    assert [r.get("data-build") for r in rows] == [build_id]
    assert "Français" in rows[0].text_content() and "boss" in rows[0].text_content()
    document = web.get(f"/reports/kept/{build_id}/document")
    assert document.status_code == 200 and document.headers["content-type"].startswith("text/html")
    assert 'lang="fr"' in document.text
    provenance = web.get(f"/reports/kept/{build_id}/provenance")
    data = json.loads(provenance.content)
    assert data["document"]["sha256"] == hashlib.sha256(document.content).hexdigest()
    assert data["document"]["file"] == "board-2021-fr.html"
    # a definition the administrator configured builds the same way
    mine = {**form, "definition": "ozone_unit", "lang": "zh", "format": "docx"}
    assert web.post("/reports/build", data=mine).status_code == 303
    history = lxml.html.fromstring(web.get("/reports").text)
    assert len(history.xpath('//*[@data-testid="report-history"]//tbody/tr')) == 2


@pytest.mark.parametrize(
    "typed", ["../definitions/ozone_unit", "/etc", "definitions", "ozone_unit/", "BOARD"]
)
def test_a_path_or_unknown_name_is_never_built(
    demo_db: Database, configured: Path, typed: str
) -> None:
    boss = add_user(demo_db, "boss", "admin@all")
    web, csrf = browser(demo_db, boss)
    web.cookies.set("gf_lang", "fr")
    form = {"csrf": csrf, "definition": typed, "year": "2021", "lang": "en", "format": "html"}
    refused = web.post("/reports/build", data=form)
    assert refused.status_code == 422
    assert "n’est installé" in refused.text
    assert report_archive.history(configured.parent / "archive") == []
    api_refused = web.get(f"/reports/download?year=2021&definition={typed}")
    assert api_refused.status_code in (404, 422)


def test_kept_files_are_found_by_id_only(demo_db: Database, configured: Path) -> None:
    boss = add_user(demo_db, "boss", "admin@all")
    viewer = add_user(demo_db, "vi", "viewer@all")
    web, csrf = browser(demo_db, boss)
    form = {"csrf": csrf, "definition": "gef", "year": "2021", "lang": "en", "format": "html"}
    build_id = web.post("/reports/build", data=form).headers["location"].split("built=")[1]
    for bad in (f"{build_id}/build.json", "..%2F..%2Fetc/document", f"{build_id}/other"):
        assert web.get(f"/reports/kept/{bad}").status_code == 404
    other, _ = browser(demo_db, viewer)
    assert other.get(f"/reports/kept/{build_id}/document").status_code == 403
    assert other.get("/reports").status_code == 403


def test_without_an_archive_setting_postgresql_keeps_nothing(
    demo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(report_archive.ENV_ARCHIVE, raising=False)
    boss = add_user(demo_db, "boss", "admin@all")
    web, csrf = browser(demo_db, boss)
    page = lxml.html.fromstring(web.get("/reports").text)
    form = {"csrf": csrf, "definition": "board", "year": "2021", "lang": "en", "format": "html"}
    if demo_db.engine.dialect.name == "sqlite":
        # by default beside the database file
        assert page.xpath('//form[@data-testid="report-form"]//button[not(@disabled)]')
        assert web.post("/reports/build", data=form).status_code == 303
        url = demo_db.engine.url.database
        assert url and any(Path(url + ".reports").iterdir())
    else:
        assert page.xpath('//*[@data-testid="report-no-archive"]')
        refused = web.post("/reports/build", data=form)
        assert refused.status_code == 422 and "GREENFOLIO_REPORT_ARCHIVE" in refused.text
