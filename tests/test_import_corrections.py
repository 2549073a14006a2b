"""A programme officer corrected 40 participants to 45 in her sheet and uploaded it again:
the preview called the row new, and once both were verified the dashboard counted 85. A
row of the same identity as a stored draft or returned result now corrects it (the old
version kept); beside a result under review or verified it is new but the preview warns
that both will count."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from greenfolio.interfaces.cli.app import app
from greenfolio.interfaces.web import import_pages
from greenfolio.services.database import Database
from greenfolio.services.exchange.xlsx_import import import_results
from greenfolio.store.tables import ResultRevisionRow, ResultRow
from tests.test_api_support import User, add_project, add_user, browser, client
from tests.test_web_import import XLSX, _file

PREVIEW, APPLY = "/api/v1/imports/xlsx/preview", "/api/v1/imports/xlsx/apply"


@pytest.fixture(autouse=True)
def _own_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(import_pages.ENV_FOLDER, str(tmp_path / "uploads"))


def _row(value: float, entity: str | None = None) -> list[Any]:
    return ["wi-khm", "pops_destroyed", value, "t", "actual", "exact", date(2025, 2, 1),
            date(2025, 2, 28), "KHM", None, entity]  # fmt: skip


def _imported(api: TestClient, user: User, content: bytes) -> dict[str, Any]:
    plan = api.post(PREVIEW, files={"file": ("f.xlsx", content, XLSX)}, headers=user.auth)
    assert plan.status_code == 200, plan.text
    body: dict[str, Any] = plan.json()
    if body["can_apply"] and (body["counts"]["new"] or body["counts"]["changed"]):
        sent = {"sha256": body["sha256"], "digest": body["digest"]}
        done = api.post(APPLY, json=sent, headers=user.auth)
        assert done.status_code == 200, done.text
    return body


def _stored(db: Database) -> list[tuple[float, str]]:
    with db.transaction() as session:
        rows = session.scalars(select(ResultRow).order_by(ResultRow.id))
        return [(r.value, r.review_state) for r in rows]


def _review(api: TestClient, user: User, rid: int, action: str, **extra: Any) -> None:
    version = api.get(f"/api/v1/results/{rid}", headers=user.auth).json()["version"]
    body = {"action": action, "version": version, **extra}
    got = api.post(f"/api/v1/results/{rid}/review", json=body, headers=user.auth)
    assert got.status_code == 200, got.text


def test_a_corrected_row_corrects_its_result_and_never_counts_twice(
    db: Database, tmp_path: Path
) -> None:
    add_project(db, "wi-khm", "pops", "KHM")
    officer = add_user(db, "ana", "editor@country:KHM")
    reviewer = add_user(db, "rev", "reviewer@all")
    api = client(db)
    first = _imported(api, officer, _file(db, tmp_path, [_row(40)]))
    assert first["counts"]["new"] == 1
    with db.transaction() as session:
        rid = session.scalar(select(ResultRow.id))
    assert rid is not None

    # Corrected while it is under review: new, with the warning that both would count.
    corrected = _file(db, tmp_path, [_row(45)])
    warned = api.post(PREVIEW, files={"file": ("f.xlsx", corrected, XLSX)}, headers=officer.auth)
    (row,) = warned.json()["rows"]
    assert (row["outcome"], row["detail"]["overlaps"]) == ("new", [rid])
    web, csrf = browser(db, officer)
    page = web.post(
        "/import", params={"lang": "es"}, data={"csrf": csrf},
        files={"file": ("f.xlsx", corrected, XLSX)},
    )  # fmt: skip
    doc = lxml.html.fromstring(page.text)
    said = doc.xpath('string(//*[@data-testid="overlaps"])')
    assert f"#{rid}" in said and "ambos contarán" in said
    # one click no longer adds it: the page asks for an explicit yes, and so does the
    # service (a programme officer's review: a correction had been added as a second result)
    assert doc.xpath('//input[@data-testid="also-count"][@required]')
    hidden = doc.xpath('//form[@data-testid="import-confirm"]//input[@type="hidden"]')
    fields = {i.get("name"): i.get("value") for i in hidden}
    refused = web.post("/import/apply", params={"lang": "es"}, data=fields)
    assert refused.status_code == 422 and "marque la casilla" in refused.text
    assert _stored(db) == [(40.0, "submitted")]
    body = warned.json()
    sent = {"sha256": body["sha256"], "digest": body["digest"]}
    assert api.post(APPLY, json=sent, headers=officer.auth).status_code == 422
    assert _stored(db) == [(40.0, "submitted")]

    # Returned by the reviewer: the same upload corrects it, keeping the old version; the
    # fields the row leaves empty (or has no column for) stay as stored.
    _review(api, reviewer, rid, "return", note="45, not 40")
    version = api.get(f"/api/v1/results/{rid}", headers=officer.auth).json()["version"]
    kept_fields = {"citation": "IDB.49 para 11", "milestone": "under_way", "version": version}
    patched = api.patch(f"/api/v1/results/{rid}", json=kept_fields, headers=officer.auth)
    assert patched.status_code == 200, patched.text
    plan = _imported(api, officer, corrected)
    (row,) = plan["rows"]
    assert row["outcome"] == "changed" and row["detail"]["revises"] == rid
    assert row["detail"]["before"] == {"value": 40.0, "unit": "t"}
    assert _stored(db) == [(45.0, "submitted")]
    with db.transaction() as session:
        kept = session.scalars(select(ResultRevisionRow.data)).all()
        stored = session.get(ResultRow, rid)
        assert stored is not None
        assert (stored.citation, stored.milestone) == ("IDB.49 para 11", "under_way")
    assert [k["value"] for k in kept] == [40.0, 40.0]
    # The same file again changes nothing; a separate figure named by entity is new.
    again = _imported(api, officer, corrected)
    assert again["counts"] == {"new": 0, "changed": 0, "unchanged": 1}
    other = _imported(api, officer, _file(db, tmp_path, [_row(45), _row(5, "Phnom Penh plant")]))
    assert other["counts"] == {"new": 1, "changed": 0, "unchanged": 1}
    assert "overlaps" not in other["rows"][1]["detail"]


def test_the_command_line_import_corrects_and_warns_alike(db: Database, tmp_path: Path) -> None:
    add_project(db, "wi-khm", "pops", "KHM")
    reviewer = add_user(db, "rev", "reviewer@all")
    first = tmp_path / "first.xlsx"
    first.write_bytes(_file(db, tmp_path, [_row(40)]))
    assert import_results(db, first).created == 1
    corrected = tmp_path / "corrected.xlsx"
    corrected.write_bytes(_file(db, tmp_path, [_row(45)]))
    with db.transaction() as session:
        rid = session.scalar(select(ResultRow.id))
    assert rid is not None
    _review(client(db), reviewer, rid, "return", note="45")
    done = import_results(db, corrected)
    assert (done.created, done.updated, done.errors) == (0, 1, [])
    assert _stored(db) == [(45.0, "submitted")]
    beside = tmp_path / "beside.xlsx"
    beside.write_bytes(_file(db, tmp_path, [_row(50)]))
    # beside a result under review: refused whole without the explicit yes, the row named
    refused = import_results(db, beside)
    assert (refused.created, refused.refused_files) == (0, 1)
    assert refused.problems[0].message_id == "cell_result_overlaps"
    assert "give --also-count if both should" in refused.problems[-1].message
    assert _stored(db) == [(45.0, "submitted")]
    runner = CliRunner()
    args = ["import", "xlsx", str(beside), "--db", db.engine.url.render_as_string(False)]
    said = runner.invoke(app, args)
    assert said.exit_code != 0 and "--also-count" in said.output, said.output
    warned = runner.invoke(app, [*args, "--also-count"])
    assert warned.exit_code == 0, warned.output
    assert "both will count" in " ".join(warned.output.split())
    assert sorted(_stored(db)) == [(45.0, "submitted"), (50.0, "submitted")]


def test_rows_beside_stored_results_are_added_when_confirmed(db: Database, tmp_path: Path) -> None:
    add_project(db, "wi-khm", "pops", "KHM")
    officer = add_user(db, "ana", "editor@country:KHM")
    api = client(db)
    _imported(api, officer, _file(db, tmp_path, [_row(40)]))
    beside = _file(db, tmp_path, [_row(45)])
    body = api.post(PREVIEW, files={"file": ("f.xlsx", beside, XLSX)}, headers=officer.auth).json()
    sent = {"sha256": body["sha256"], "digest": body["digest"], "also_count": True}
    done = api.post(APPLY, json=sent, headers=officer.auth)
    assert done.status_code == 200, done.text
    assert sorted(_stored(db)) == [(40.0, "submitted"), (45.0, "submitted")]


def test_a_row_repeated_in_the_file_is_imported_once_and_said(db: Database, tmp_path: Path) -> None:
    """Two rows the same in every field: one result, and the second row named (it was
    counted as "unchanged" without a word, though nothing was stored before)."""
    add_project(db, "wi-khm", "pops", "KHM")
    editor = add_user(db, "ana", "editor@country:KHM")
    path = tmp_path / "twice.xlsx"
    path.write_bytes(_file(db, tmp_path, [_row(40), _row(41), _row(40)]))
    done = import_results(db, path)
    assert (done.created, done.skipped) == (2, 1)
    (said,) = [p for p in done.problems if p.message_id == "cell_row_repeated"]
    assert (said.row, said.column) == (4, "C (Value)")
    assert "the same result as row 2, in every field: imported once" in str(said)
    # row 3, the same result with another value: both count, and that is said
    (beside,) = [p for p in done.problems if p.message_id == "cell_row_alongside"]
    assert beside.row == 3 and "as row 2, with another value: both will count" in str(beside)
    # the preview says it beside the row, in the reader's language
    web, csrf = browser(db, editor)
    again = tmp_path / "again.xlsx"
    again.write_bytes(_file(db, tmp_path, [_row(50, "site B"), _row(50, "site B")]))
    page = web.post(
        "/import?lang=es", data={"csrf": csrf}, files={"file": ("f.xlsx", again.read_bytes(), XLSX)}
    )
    doc = lxml.html.fromstring(page.text)
    assert (
        doc.xpath('string(//*[@data-testid="repeats"])')
        == "igual que la fila 2: se importa una sola vez"
    )
    other = tmp_path / "other.xlsx"
    other.write_bytes(_file(db, tmp_path, [_row(60, "site C"), _row(61, "site C")]))
    page = web.post(
        "/import?lang=fr", data={"csrf": csrf}, files={"file": ("f.xlsx", other.read_bytes(), XLSX)}
    )
    said_fr = lxml.html.fromstring(page.text).xpath('string(//*[@data-testid="alongside"])')
    assert said_fr.startswith("même résultat que la ligne 2 avec une autre valeur"), said_fr


def test_a_unit_cell_is_read_as_written_never_in_another_case(db: Database, tmp_path: Path) -> None:
    """ "Metric tonnes" is t; "mt" (pint's millitonne) and "Mg" spelled for "mg" are not
    guessed: the file is refused, naming the cell."""
    add_project(db, "wi-khm", "pops", "KHM")
    good = _row(40)
    good[3] = "Metric tonnes"
    path = tmp_path / "units.xlsx"
    path.write_bytes(_file(db, tmp_path, [good]))
    done = import_results(db, path)
    assert done.created == 1 and _stored(db) == [(40.0, "submitted")]
    for typed in ("mt", "MT", "tons"):
        bad = _row(41)
        bad[3] = typed
        path.write_bytes(_file(db, tmp_path, [bad]))
        refused = import_results(db, path)
        assert refused.created == 0 and refused.refused_files == 1, typed
        assert any(p.column == "D (Unit)" for p in refused.problems), refused.problems
