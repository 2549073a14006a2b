"""Issue 10, "Work with lists": every list (portfolio, results, review queue, audit) as CSV
and XLSX, through the API and the pages, on SQLite and PostgreSQL: all matching rows
(more than one page), the filters and the reader's scope kept, headings in the page's
language, formulas made inert, numbers kept numbers, and memory flat on a large list."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient

from greenfolio.interfaces.http import exports
from greenfolio.services import synthetic
from greenfolio.services.database import Database
from tests.test_api_support import User, add_user, browser, client

ROOT_DIR = Path(__file__).resolve().parent.parent
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA = "=cmd|' /C calc'!A0"
EXTRA_PROJECTS = 120  # with the demo: more projects than a page shows, results too


def table(response: Any) -> list[list[Any]]:
    """The rows of a CSV or XLSX download, headings first."""
    assert response.status_code == 200, response.text
    kind = response.headers["content-type"]
    if kind.startswith("text/csv"):
        assert "attachment" in response.headers["content-disposition"]
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert kind == XLSX
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [[c.value for c in row] for row in book.worksheets[0].iter_rows()]


def cells(response: Any) -> list[list[Any]]:
    """The cells (with their types) of an XLSX download, headings first."""
    assert response.headers["content-type"] == XLSX
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [list(row) for row in book.worksheets[0].iter_rows()]


def all_items(api: TestClient, path: str, auth: dict[str, str], **params: Any) -> list[Any]:
    """Every item of a JSON list, page after page."""
    items: list[Any] = []
    page = 1
    while True:
        got = api.get(path, params={**params, "page": page, "per_page": 200}, headers=auth)
        assert got.status_code == 200, got.text
        items += got.json()["items"]
        if len(items) >= got.json()["total"] or not got.json()["items"]:
            return items
        page += 1


@pytest.fixture
def big(demo_db: Database) -> tuple[Database, User]:
    synthetic.generate(demo_db, EXTRA_PROJECTS, seed=7)
    return demo_db, add_user(demo_db, "boss", "admin")


def test_every_list_downloads_every_row_from_the_api_and_the_pages(
    big: tuple[Database, User],
) -> None:
    db, boss = big
    api = client(db)
    web, _ = browser(db, boss)
    totals = {
        "projects": api.get("/api/v1/projects", headers=boss.auth).json()["total"],
        "results": api.get("/api/v1/results", headers=boss.auth).json()["total"],
        "review": sum(
            group["total"]
            for group in api.get("/api/v1/review-queue", headers=boss.auth).json().values()
        ),
        "audit": api.get("/api/v1/audit", headers=boss.auth).json()["total"],
    }
    # each list is longer than its page (50 projects, 200 results, 100 per queue, 100 events)
    assert totals["projects"] > 50 and totals["results"] > 200
    assert totals["review"] > 100 and totals["audit"] > 100
    api_paths = {
        "projects": "/api/v1/projects",
        "results": "/api/v1/results",
        "review": "/api/v1/review-queue",
        "audit": "/api/v1/audit",
    }
    for name, total in totals.items():
        for fmt in ("csv", "xlsx"):
            from_api = table(api.get(api_paths[name], params={"format": fmt}, headers=boss.auth))
            from_page = table(web.get(f"/export/{name}", params={"format": fmt, "lang": "en"}))
            assert len(from_api) - 1 == total, (name, fmt)
            assert from_page == from_api, (name, fmt)
    # the CSV asked for by content negotiation is the same file
    negotiated = api.get("/api/v1/projects", headers={**boss.auth, "Accept": "text/csv"})
    assert table(negotiated) == table(
        api.get("/api/v1/projects", params={"format": "csv"}, headers=boss.auth)
    )
    wanted = api.get("/api/v1/results", headers={**boss.auth, "Accept": XLSX})
    assert len(table(wanted)) - 1 == totals["results"]
    refused = api.get("/api/v1/projects", params={"format": "xml"}, headers=boss.auth)
    assert refused.status_code == 422
    assert "format" in refused.text


def test_downloads_keep_the_filters(big: tuple[Database, User]) -> None:
    db, boss = big
    api = client(db)
    web, _ = browser(db, boss)
    flt = {"country": "PHL", "sort": "-key"}
    keys = [p["key"] for p in all_items(api, "/api/v1/projects", boss.auth, **flt)]
    assert 0 < len(keys) < api.get("/api/v1/projects", headers=boss.auth).json()["total"]
    for fmt in ("csv", "xlsx"):
        got = table(api.get("/api/v1/projects", params={**flt, "format": fmt}, headers=boss.auth))
        assert [row[0] for row in got[1:]] == keys
        assert [
            row[0] for row in table(web.get("/export/projects", params={**flt, "format": fmt}))[1:]
        ] == keys
    verified = all_items(api, "/api/v1/results", boss.auth, state="verified", year=2020)
    assert verified
    for fmt in ("csv", "xlsx"):
        params = {"state": "verified", "year": 2020, "format": fmt}
        rows = table(api.get("/api/v1/results", params=params, headers=boss.auth))
        assert [int(r[0]) for r in rows[1:]] == [r["id"] for r in verified]
        assert {r[-1] for r in rows[1:]} == {"verified"}
    # the page's download links carry the filters shown
    page = web.get("/projects", params={"country": "PHL", "sort": "-key"}).text
    assert 'href="/export/projects?country=PHL&amp;sort=-key&amp;format=csv"' in page
    assert 'href="/export/projects?country=PHL&amp;sort=-key&amp;format=xlsx"' in page
    actor = api.get("/api/v1/audit", headers=boss.auth).json()["items"][-1]["actor"]
    events = all_items(api, "/api/v1/audit", boss.auth, actor=actor)
    total = api.get("/api/v1/audit", headers=boss.auth).json()["total"]
    assert 0 < len(events) <= total
    asked = {"actor": actor, "format": "csv"}
    rows = table(api.get("/api/v1/audit", params=asked, headers=boss.auth))
    assert [int(r[0]) for r in rows[1:]] == [e["id"] for e in events]
    # who as the page says it (the user's name), never the stored code "user:…"
    assert actor.startswith("user:")
    assert {r[2] for r in rows[1:]} == {actor.removeprefix("user:")}


def test_a_viewer_scoped_to_a_country_downloads_only_their_rows(
    big: tuple[Database, User],
) -> None:
    db, _ = big
    viewer = add_user(db, "phl", "viewer@country:PHL")
    api = client(db)
    web, _ = browser(db, viewer)
    projects = {p["key"] for p in all_items(api, "/api/v1/projects", viewer.auth)}
    results = {r["id"] for r in all_items(api, "/api/v1/results", viewer.auth)}
    everything = api.get("/api/v1/results", headers=_admin(db).auth).json()["total"]
    assert projects and results and len(results) < everything
    for fmt in ("csv", "xlsx"):
        got = table(api.get("/api/v1/projects", params={"format": fmt}, headers=viewer.auth))
        assert {row[0] for row in got[1:]} == projects and len(got) - 1 == len(projects)
        got = table(web.get("/export/projects", params={"format": fmt}))
        assert {row[0] for row in got[1:]} == projects
        got = table(api.get("/api/v1/results", params={"format": fmt}, headers=viewer.auth))
        assert {int(row[0]) for row in got[1:]} == results and len(got) - 1 == len(results)
        # nothing waits for a viewer; the audit trail is for administrators
        assert (
            len(table(api.get("/api/v1/review-queue", params={"format": fmt}, headers=viewer.auth)))
            == 1
        )
        assert (
            api.get("/api/v1/audit", params={"format": fmt}, headers=viewer.auth).status_code == 403
        )
        assert web.get("/export/audit", params={"format": fmt}).status_code == 403
    assert client(db).get("/api/v1/projects", params={"format": "csv"}).status_code == 401


def _admin(db: Database) -> User:
    return add_user(db, "second-admin", "admin")


def test_formulas_are_inert_and_numbers_stay_numbers(db: Database) -> None:
    boss = add_user(db, "boss", "admin")
    api = client(db)
    body = {"key": "inert-1", "kind": "project", "title": {"en": FORMULA}, "countries": ["BRA"]}
    assert api.post("/api/v1/projects", json=body, headers=boss.auth).status_code == 201, body
    result = {"work": "inert-1", "indicator": "pops_destroyed", "value": 250.5, "country": "BRA"}
    made = api.post("/api/v1/results", json=result, headers=boss.auth)
    assert made.status_code == 201, made.text
    for risky in ("+1+2", "-3+4", "@SUM(A1)"):
        spec = {
            "key": f"inert-{len(risky)}{ord(risky[0])}",
            "kind": "project",
            "title": {"en": risky},
        }
        assert api.post("/api/v1/projects", json=spec, headers=boss.auth).status_code == 201
    rows = table(api.get("/api/v1/projects", params={"format": "csv"}, headers=boss.auth))
    titles = {row[0]: row[1] for row in rows[1:]}
    assert titles["inert-1"] == "'" + FORMULA
    assert {t for k, t in titles.items() if k != "inert-1"} == {"'+1+2", "'-3+4", "'@SUM(A1)"}
    sheet = cells(api.get("/api/v1/projects", params={"format": "xlsx"}, headers=boss.auth))
    formula = next(row[1] for row in sheet if row[0].value == "inert-1")
    assert formula.value == FORMULA and formula.data_type == "s"
    assert all(c.data_type != "f" for row in sheet for c in row)
    listed = cells(api.get("/api/v1/results", params={"format": "xlsx"}, headers=boss.auth))
    head = [c.value for c in listed[0]]
    value = listed[1][head.index("Value")]
    number = listed[1][head.index("#")]
    assert value.value == 250.5 and value.data_type == "n"
    assert number.value == made.json()["id"] and number.data_type == "n"
    assert listed[1][head.index("Title")].value == FORMULA
    # text the forms refuse (a leading tab or carriage return) would be made inert too
    assert [exports.inert(t) for t in ("\tx", "\rx", "x=1", -3.5)] == ["'\tx", "'\rx", "x=1", -3.5]
    csv_rows = table(api.get("/api/v1/results", params={"format": "csv"}, headers=boss.auth))
    assert csv_rows[1][head.index("Value")] == "250.5"
    assert csv_rows[1][head.index("Title")] == "'" + FORMULA


def test_headings_follow_the_page_language_and_the_api_speaks_english(
    demo_db: Database,
) -> None:
    boss = add_user(demo_db, "boss", "admin")
    api = client(demo_db)
    web, _ = browser(demo_db, boss)
    french = ["Clé", "Titre", "Type", "Statut", "Pays", "Classification"]
    for fmt in ("csv", "xlsx"):
        assert table(web.get("/export/projects", params={"format": fmt, "lang": "fr"}))[0] == french
        web.cookies.set("gf_lang", "fr")
        rows = table(web.get("/export/audit", params={"format": fmt}))
        assert rows[0] == ["#", "Quand", "Qui", "Quoi", "Modifié"]
        web.cookies.delete("gf_lang")
        rows = table(api.get("/api/v1/projects", params={"format": fmt}, headers=boss.auth))
        assert rows[0] == ["Key", "Title", "Kind", "Status", "Countries", "Classification"]
        # country names in the page's language, as on the screen
        assert any("Philippines" in (row[4] or "") for row in rows[1:])
        asked = {"format": fmt, "lang": "fr"}
        rows = table(api.get("/api/v1/results", params=asked, headers=boss.auth))
        assert rows[0][:5] == ["#", "Projet", "Titre", "Indicateur", "Valeur"]
    fr_page = web.get("/projects", params={"lang": "fr"}).text
    assert "Télécharger la liste" in fr_page
    for path in ("/review", "/audit"):
        assert 'href="/export/' in web.get(path).text


def test_memory_stays_flat_on_a_large_list(tmp_path: Path) -> None:
    """20,000 synthetic projects and their 200,000 results, downloaded whole: the export
    process's peak memory grows by far less than the lists would take held at once."""
    path = str(tmp_path / "large.sqlite")
    env = {"PYTHONPATH": str(ROOT_DIR), "PYTHONWARNINGS": "ignore"}
    run = [sys.executable, "-m", "tests.list_export_memory"]
    filled = subprocess.run(
        [*run, "fill", path, "20000"], env=env, cwd=ROOT_DIR, capture_output=True, text=True
    )
    assert filled.returncode == 0, filled.stderr
    token = filled.stdout.strip().splitlines()[-1]
    done = subprocess.run(
        [*run, "export", path, token], env=env, cwd=ROOT_DIR, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    # what was downloaded: every row (24 MB of results CSV alone)
    assert report["sizes"]["/api/v1/results?format=csv"] > 20_000_000
    assert report["sizes"]["/api/v1/projects?format=xlsx"] > 400_000
    grown_mib = (report["after"] - report["before"]) / 1024
    assert grown_mib < 40, report


def test_downloads_name_codes_in_words_as_the_pages_do(demo_db: Database) -> None:
    """Statuses, indicators, units, qualifiers, review states and classifications come out
    as the page's words in the reader's language, never as stored codes."""
    boss = add_user(demo_db, "boss", "admin")
    web, _ = browser(demo_db, boss)
    codes = {"implementation", "verified", "pops_destroyed", "g_TEQ", "exact", "programme:"}
    for lang, status, state in (("fr", "En cours d’exécution", "vérifié"), ("zh", "执行中", None)):
        projects = table(web.get("/export/projects", params={"format": "csv", "lang": lang}))
        assert any(row[3] == status for row in projects[1:]), projects[1]
        assert {row[2] for row in projects[1:]} >= {"Projet" if lang == "fr" else "项目"}
        results = table(web.get("/export/results", params={"format": "xlsx", "lang": lang}))
        text = " ".join(str(c) for row in [*projects[1:], *results[1:]] for c in row if c)
        assert not [c for c in codes if c in text], [c for c in codes if c in text]
        if state:
            assert any(row[-1] == state for row in results[1:])


def test_results_download_keeps_what_a_spreadsheet_needs(demo_db: Database) -> None:
    """A results download can stand in for the officer's own sheet: the entity, source and
    evidence of each result, a total said to be one (as the page says it), and each unit
    in one word whatever the value (an officer's pivot split "страна" from "стран")."""
    boss = add_user(demo_db, "boss", "admin")
    web, _ = browser(demo_db, boss)
    got = table(web.get("/export/results", params={"format": "xlsx", "lang": "ru"}))
    heads, rows = got[0], got[1:]
    column = {h: i for i, h in enumerate(heads)}
    for head in ("Объект", "Источник", "Подтверждение"):
        assert head in column, heads
    # a count of people says whom it counts ("Всего" for a total); tonnes have no sex
    people = [row for row in rows if row[column["Единица"]] in ("человек", "чел.")]
    assert people and all(row[column["Пол"]] for row in people), "each says whom it counts"
    assert {row[column["Пол"]] for row in people} >= {"Всего", "Женщины"}
    tonnes = [row for row in rows if row[column["Единица"]] == "т"]
    assert tonnes and not [row[column["Пол"]] for row in tonnes if row[column["Пол"]]]
    sources = [row[column["Источник"]] for row in rows if row[column["Источник"]]]
    assert sources and all("IDB.49" in s for s in sources[:3]), sources[:3]
    # one word per unit whatever the value, so the sheet filters and pivots by it
    units = {(row[column["Показатель"]], row[column["Единица"]]) for row in rows}
    indicators = {row[column["Показатель"]] for row in rows}
    assert len(units) == len(indicators), sorted(units)
    assert ("число стран", "стран") in units or any(u == "стран" for _, u in units), units
