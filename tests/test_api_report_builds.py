"""Issue 10, the reports page's history through the API: ``GET /api/v1/report-builds``
lists the builds the page lists (newest first, who, definition, year, language, format,
files with their SHA-256) and serves each document and provenance file byte for byte to
those who may build reports. On SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from pathlib import Path

import lxml.html
import pytest

from greenfolio.interfaces import report_archive
from greenfolio.services.database import Database
from tests.test_api_support import add_user, browser, client


@pytest.fixture(autouse=True)
def _archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(report_archive.ENV_ARCHIVE, str(tmp_path / "archive"))


def test_the_history_and_its_files(demo_db: Database) -> None:
    boss = add_user(demo_db, "boss", "admin@all")
    viewer = add_user(demo_db, "vi", "viewer@all")
    api = client(demo_db)
    assert api.get("/api/v1/report-builds", headers=boss.auth).json() == {"items": []}
    web, csrf = browser(demo_db, boss)
    for lang, fmt in (("fr", "html"), ("zh", "html")):
        form = {"csrf": csrf, "definition": "board", "year": "2021", "lang": lang, "format": fmt}
        assert web.post("/reports/build", data=form).status_code == 303
    listed = api.get("/api/v1/report-builds", headers=boss.auth)
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    page = lxml.html.fromstring(web.get("/reports").text)
    shown = page.xpath('//*[@data-testid="report-history"]//tbody/tr/@data-build')
    assert [i["id"] for i in items] == shown and len(items) == 2
    assert [(i["lang"], i["by"], i["definition"], i["year"]) for i in items] == [
        ("zh", "user:boss", "board", 2021),
        ("fr", "user:boss", "board", 2021),
    ]
    for item in items:
        for kind in ("document", "provenance"):
            got = api.get(item["links"][kind], headers=boss.auth)
            assert got.status_code == 200
            assert hashlib.sha256(got.content).hexdigest() == item[kind]["sha256"]
    one = items[0]["links"]["document"]
    assert api.get(one, headers=viewer.auth).status_code == 403
    assert api.get("/api/v1/report-builds", headers=viewer.auth).status_code == 403
    assert api.get("/api/v1/report-builds/nope/document", headers=boss.auth).status_code == 404
