"""Issue 10, the web import through the API: ``POST /api/v1/imports/xlsx/preview`` gives
what a filled-in template would change (new, changed, unchanged, problems) with the file's
SHA-256 and the plan's digest, the same plan the import page shows; ``…/apply`` imports
exactly that file, all or nothing, only for its uploader. On SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from fastapi.testclient import TestClient

from greenfolio.interfaces.web import import_pages
from greenfolio.services.database import Database
from tests.test_api_support import User, add_project, add_user, browser, client
from tests.test_web_import import XLSX, _file, _results, _row

PREVIEW, APPLY = "/api/v1/imports/xlsx/preview", "/api/v1/imports/xlsx/apply"


@pytest.fixture(autouse=True)
def _own_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(import_pages.ENV_FOLDER, str(tmp_path / "uploads"))


def _preview(api: TestClient, user: User, content: bytes) -> Any:
    return api.post(PREVIEW, files={"file": ("field.xlsx", content, XLSX)}, headers=user.auth)


def test_preview_then_apply_all_or_nothing(db: Database, tmp_path: Path) -> None:
    add_project(db, "wi-bra", "pops", "BRA")
    add_project(db, "wi-ind", "pops", "IND")
    ed = add_user(db, "ed", "editor@country:BRA")
    other = add_user(db, "kim", "editor@country:BRA")
    api = client(db)
    content = _file(db, tmp_path, [_row("wi-bra", 12.5), _row("wi-bra", 3)])
    got = _preview(api, ed, content)
    assert got.status_code == 200, got.text
    plan = got.json()
    assert plan["sha256"] == hashlib.sha256(content).hexdigest()
    assert plan["counts"] == {"new": 2, "changed": 0, "unchanged": 0}
    assert [(r["sheet"], r["row"], r["outcome"]) for r in plan["rows"]] == [
        ("Results", 2, "new"),
        ("Results", 3, "new"),
    ]
    assert plan["problems"] == [] and plan["can_apply"] is True
    assert _results(db) == []  # a preview stores nothing
    # the page shows the same plan for the same file
    web, csrf = browser(db, ed)
    page = web.post("/import", data={"csrf": csrf}, files={"file": ("f.xlsx", content, XLSX)})
    assert lxml.html.fromstring(page.text).xpath('//input[@name="plan"]/@value') == [plan["digest"]]
    sent = {"sha256": plan["sha256"], "digest": plan["digest"]}
    # another digest (another preview) applies nothing: the records changed, preview again
    wrong = api.post(APPLY, json={**sent, "digest": "0" * 64}, headers=ed.auth)
    assert wrong.status_code == 409 and _results(db) == []
    # another account cannot apply ed's upload
    assert api.post(APPLY, json=sent, headers=other.auth).status_code == 422
    assert api.post(APPLY, json={**sent, "sha256": "x"}, headers=ed.auth).status_code == 422
    done = api.post(APPLY, json=sent, headers=ed.auth)
    assert done.status_code == 200, done.text
    assert done.json()["counts"]["new"] == 2
    assert _results(db) == [
        ("wi-bra", 12.5, "submitted", "user:ed"),
        ("wi-bra", 3.0, "submitted", "user:ed"),
    ]
    # applied once: the file is gone
    assert api.post(APPLY, json=sent, headers=ed.auth).status_code == 422
    again = _preview(api, ed, content).json()
    assert again["counts"] == {"new": 0, "changed": 0, "unchanged": 2}
    # a row outside ed's countries: listed as a problem, and applying stores nothing
    mixed = _file(db, tmp_path, [_row("wi-bra", 8), _row("wi-ind", 9)])
    refused = _preview(api, ed, mixed).json()
    assert refused["can_apply"] is False
    assert [(p["sheet"], p["row"]) for p in refused["problems"]] == [("Results", 3)]
    assert all(p["message"] and p["message_id"] for p in refused["problems"])
    tried = api.post(
        APPLY, json={"sha256": refused["sha256"], "digest": refused["digest"]}, headers=ed.auth
    )
    assert tried.status_code == 422
    assert len(_results(db)) == 2
    # a file that cannot be applied is not kept for a day (it was, filling the disk)
    assert not list((tmp_path / "uploads").glob(f"*-{refused['sha256']}.xlsx"))
    assert list((tmp_path / "uploads").glob(f"*-{again['sha256']}.xlsx"))


def test_bad_cells_are_listed_and_viewers_refused(db: Database, tmp_path: Path) -> None:
    add_project(db, "wi-bra", "pops", "BRA")
    ed = add_user(db, "ed", "editor@all")
    viewer = add_user(db, "vi", "viewer@all")
    api = client(db)
    content = _file(db, tmp_path, [_row("wi-bra", "lots"), _row("wi-nope", 1)])
    plan = _preview(api, ed, content).json()
    assert {(p["row"], p["message_id"]) for p in plan["problems"]} == {
        (2, "cell_number"),
        (3, "cell_work"),
    }
    assert {p["params"].get("value") for p in plan["problems"]} >= {"lots"}
    assert _preview(api, viewer, content).status_code == 403
    assert api.post(PREVIEW, headers=ed.auth).status_code in (400, 422)
    assert api.post(PREVIEW, files={"file": ("f.xlsx", content, XLSX)}).status_code == 401
