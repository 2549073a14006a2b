"""Refusals that would otherwise say what a caller may not read: the XLSX import's
preview checks every row against the caller's roles on the project as stored, so a row
naming a project outside the caller's scope is refused alike whether or not the same
result (or the same project dates) is stored there; before, a row matching a stored
result of another country's project came back "unchanged" and importable, and one that
did not came back refused, which let a guesser test drafts they may not read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from greenfolio.interfaces.web import import_pages
from greenfolio.services.database import Database
from tests.test_api_support import add_project, add_user, client
from tests.test_web_import import XLSX, _file, _row

PREVIEW, APPLY = "/api/v1/imports/xlsx/preview", "/api/v1/imports/xlsx/apply"


@pytest.fixture(autouse=True)
def _own_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(import_pages.ENV_FOLDER, str(tmp_path / "uploads"))


def _outcomes(plan: dict[str, Any]) -> tuple[list[str], list[tuple[str, int]]]:
    rows = [r["outcome"] for r in plan["rows"]]
    return rows, [(p["sheet"], p["row"]) for p in plan["problems"]]


def test_import_preview_does_not_confirm_results_outside_the_scope(
    db: Database, tmp_path: Path
) -> None:
    add_project(db, "or-ind", "pops", "IND")
    add_project(db, "or-bra", "pops", "BRA")
    edind = add_user(db, "edind", "editor@country:IND")
    edbra = add_user(db, "edbra", "editor@country:BRA")
    api = client(db)
    # the India focal point imports a figure (submitted, not verified: the public and
    # other countries may not read it)
    stored = _file(db, tmp_path, [_row("or-ind", 123.25)])
    plan = api.post(PREVIEW, files={"file": ("a.xlsx", stored, XLSX)}, headers=edind.auth)
    sent = {"sha256": plan.json()["sha256"], "digest": plan.json()["digest"]}
    assert api.post(APPLY, json=sent, headers=edind.auth).status_code == 200
    # the Brazil focal point guesses that figure, and a wrong one: both refused alike
    for value in (123.25, 999.0):
        guess = _file(db, tmp_path, [_row("or-ind", value)])
        got = api.post(PREVIEW, files={"file": ("g.xlsx", guess, XLSX)}, headers=edbra.auth)
        assert got.status_code == 200, got.text
        assert got.json()["can_apply"] is False, (value, got.json())
        assert _outcomes(got.json()) == ([], [("Results", 2)]), value
    # the uploader's own file, previewed again, still says "unchanged"
    again = api.post(PREVIEW, files={"file": ("a.xlsx", stored, XLSX)}, headers=edind.auth)
    assert _outcomes(again.json()) == (["unchanged"], [])


def test_import_preview_does_not_confirm_project_fields_outside_the_scope(
    db: Database, tmp_path: Path
) -> None:
    add_project(db, "or-ind", "pops", "IND")
    edind = add_user(db, "edind", "editor@country:IND")
    edbra = add_user(db, "edbra", "editor@country:BRA")
    api = client(db)
    dated = _file(db, tmp_path, [], [["or-ind", None, None, None, None, "41020"]])
    plan = api.post(PREVIEW, files={"file": ("a.xlsx", dated, XLSX)}, headers=edind.auth)
    sent = {"sha256": plan.json()["sha256"], "digest": plan.json()["digest"]}
    assert api.post(APPLY, json=sent, headers=edind.auth).status_code == 200
    for sectors in ("41020", "23110"):
        guess = _file(db, tmp_path, [], [["or-ind", None, None, None, None, sectors]])
        got = api.post(PREVIEW, files={"file": ("g.xlsx", guess, XLSX)}, headers=edbra.auth)
        assert _outcomes(got.json()) == ([], [("Projects", 2)]), (sectors, got.json())


def test_import_preview_hints_name_only_projects_the_uploader_may_read(
    db: Database, tmp_path: Path
) -> None:
    """A mistyped project key gets a "did you mean" among the uploader's own projects,
    never among those outside their roles (on both sheets)."""
    add_project(db, "or-ind-pops", "pops", "IND")
    add_project(db, "or-bra-pops", "pops", "BRA")
    edbra = add_user(db, "edbra", "editor@country:BRA")
    edind = add_user(db, "edind", "editor@country:IND")
    api = client(db)
    typo = _file(
        db, tmp_path, [_row("or-xxx-pops", 1.0)], [["or-xxx-pops", None, None, None, None, "41020"]]
    )
    for who, mine, theirs in (
        (edbra, "or-bra-pops", "or-ind-pops"),
        (edind, "or-ind-pops", "or-bra-pops"),
    ):
        got = api.post(PREVIEW, files={"file": ("t.xlsx", typo, XLSX)}, headers=who.auth)
        assert got.status_code == 200, got.text
        said = " ".join(p["message"] for p in got.json()["problems"])
        assert said.count("did you mean") == 2 and mine in said, said
        assert theirs not in said, said


def test_a_project_one_may_not_read_is_unknown_to_the_import(db: Database, tmp_path: Path) -> None:
    """A project outside the uploader's roles is refused as a missing one is, on both
    sheets: never checked against its stored fields, whose problems ("starts after it
    ends") would let a guesser work out its dates."""
    add_project(db, "or-ind", "pops", "IND")
    edbra = add_user(db, "edbra", "editor@country:BRA")
    api = client(db)

    def said(key: str) -> list[str]:
        sheet = _file(db, tmp_path, [_row(key, 1.0)], [[key, None, None, None, None, "41020"]])
        got = api.post(PREVIEW, files={"file": ("p.xlsx", sheet, XLSX)}, headers=edbra.auth)
        assert got.status_code == 200, got.text
        return [p["message"].replace(key, "KEY") for p in got.json()["problems"]]

    assert said("or-ind") == said("or-zzz")
    assert all("not a registered work item" in m for m in said("or-ind"))
