"""A result a reviewer returned (a duplicate, an entry made in error) can be withdrawn on
an explicit request by whoever entered it, alone, or an administrator (API with the
version read, page with a ticked box); never a submitted or verified one. The audit trail
records the result and each of its review steps and earlier versions as deleted, and no
figure counts it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from fastapi.testclient import TestClient

from greenfolio.services import audit, figures
from greenfolio.services.database import Database
from tests import evidence_files as files
from tests.evidence_files import make_setup
from tests.test_api_support import User, add_project, add_user, browser, client

BODY = {
    "work": "wd-bra",
    "indicator": "pops_destroyed",
    "unit": "t",
    "period_start": "2021-01-01",
    "period_end": "2021-06-30",
}


def _step(api: TestClient, who: User, made: dict[str, Any], action: str, **extra: Any) -> Any:
    body = {"action": action, "version": made["version"], **extra}
    done = api.post(f"/api/v1/results/{made['id']}/review", json=body, headers=who.auth)
    assert done.status_code == 200, done.text
    return done.json()


def _entered(api: TestClient, who: User, value: float) -> dict[str, Any]:
    made = api.post("/api/v1/results", json={**BODY, "value": value}, headers=who.auth)
    assert made.status_code == 201, made.text
    return dict(made.json())


def _withdraw(api: TestClient, who: User, made: dict[str, Any]) -> Any:
    headers = {**who.auth, "If-Match": f'"{made["version"]}"'}
    return api.post(f"/api/v1/results/{made['id']}/withdraw", headers=headers)


def _counted(db: Database) -> tuple[float, set[int]]:
    """The portfolio's POPs destroyed in 2021, as a report's figure counts them."""
    spec = figures.FigureSpec(
        "destroyed",
        "indicator",
        {"indicator": "pops_destroyed"},
        figures.Window(date(2021, 1, 1), date(2021, 12, 31)),
    )
    with db.transaction() as session:
        figure = figures.compute(session, spec)
    return figure.value, set(figure.result_ids)


def test_the_author_withdraws_a_returned_result_and_nobody_else_does(db: Database) -> None:
    add_project(db, "wd-bra", "pops", "BRA")
    author = add_user(db, "wdauthor", "editor@country:BRA")
    colleague = add_user(db, "wdcolleague", "editor@country:BRA")
    reader = add_user(db, "wdreader", "viewer@all")
    outsider = add_user(db, "wdoutsider", "editor@country:THA")
    reviewer = add_user(db, "wdreviewer", "reviewer@country:BRA")
    admin = add_user(db, "wdadmin", "admin@all")
    api = client(db)
    kept = _entered(api, author, 3)
    twin = _entered(api, author, 3)  # the same figure entered twice
    for made in (kept, twin):
        made.update(_step(api, author, made, "submit"))
        made.update(_step(api, reviewer, made, "verify"))
    assert _counted(db) == (6.0, {kept["id"], twin["id"]})

    # submitted or verified: never, not even by an administrator
    refused = _withdraw(api, author, twin)
    assert refused.status_code == 422, refused.text
    assert "only a result a reviewer returned" in refused.json()["error"]["message"]
    assert _withdraw(api, admin, twin).status_code == 422
    twin.update(_step(api, reviewer, twin, "return", note="duplicate of the other: delete it"))
    assert _counted(db) == (3.0, {kept["id"]})
    path = f"/api/v1/results/{twin['id']}"

    # without the version read; by someone who may not read it; by a co-editor of the
    # project who did not enter it; by a reader: refused, as the draft deletion refuses
    assert api.post(f"{path}/withdraw", headers=author.auth).status_code == 428
    assert _withdraw(api, outsider, twin).status_code == 404
    by_colleague = _withdraw(api, colleague, twin)
    assert by_colleague.status_code == 403, by_colleague.text
    assert "only whoever entered it" in by_colleague.json()["error"]["message"]
    assert _withdraw(api, reader, twin).status_code == 403
    assert api.get(path, headers=author.auth).json()["review_state"] == "returned"

    # the author revises it first (an earlier version to remove too), then withdraws it
    revised = api.patch(path, json={"value": 2, "version": twin["version"]}, headers=author.auth)
    twin.update(revised.json())
    gone = _withdraw(api, author, twin)
    assert gone.status_code == 204, gone.text
    assert api.get(path, headers=author.auth).status_code == 404
    assert api.get(path, headers=admin.auth).status_code == 404
    assert _counted(db) == (3.0, {kept["id"]})

    # the trail keeps the result, its review steps and its earlier version, each deleted
    deleted: dict[str, list[dict[str, Any]]] = {}
    for entity in ("result", "review_event", "result_revision"):
        events, _ = audit.listing(db, entity=entity, limit=500)
        deleted[entity] = [e for e in events if e["action"] == "delete"]
    assert [e["entity_id"] for e in deleted["result"]] == [str(twin["id"])]
    assert deleted["result"][0]["actor"] == "user:wdauthor"
    assert deleted["result"][0]["before"]["review_state"] == "returned"
    steps = sorted(e["before"]["action"] for e in deleted["review_event"])
    assert steps == ["return", "submit", "verify"]
    assert {e["before"]["result_id"] for e in deleted["review_event"]} == {twin["id"]}
    assert [e["before"]["version"] for e in deleted["result_revision"]] == [4]
    report = audit.verify(db)
    assert report.intact, report.findings


def test_an_administrator_withdraws_a_returned_result_a_colleague_changed(db: Database) -> None:
    add_project(db, "wd-bra", "pops", "BRA")
    author = add_user(db, "wdauthor", "editor@country:BRA")
    colleague = add_user(db, "wdcolleague", "editor@country:BRA")
    reviewer = add_user(db, "wdreviewer", "reviewer@country:BRA")
    admin = add_user(db, "wdadmin", "admin@all")
    api = client(db)
    made = _entered(api, author, 5)
    made.update(_step(api, author, made, "submit"))
    made.update(_step(api, reviewer, made, "return", note="delete it"))
    path = f"/api/v1/results/{made['id']}"
    changed = api.patch(path, json={"value": 4, "version": made["version"]}, headers=colleague.auth)
    made.update(changed.json())
    # someone else revised it: no longer its author's alone to withdraw
    refused = _withdraw(api, author, made)
    assert refused.status_code == 403, refused.text
    # a draft is deleted, not withdrawn
    draft = _entered(api, author, 1)
    assert _withdraw(api, author, draft).status_code == 422
    assert _withdraw(api, admin, made).status_code == 204
    assert api.get(path, headers=admin.auth).status_code == 404


def test_the_result_page_withdraws_once_the_box_is_ticked(db: Database) -> None:
    add_project(db, "wd-bra", "pops", "BRA")
    author = add_user(db, "wdauthor", "editor@country:BRA")
    colleague = add_user(db, "wdcolleague", "editor@country:BRA")
    reviewer = add_user(db, "wdreviewer", "reviewer@country:BRA")
    api = client(db)
    made = _entered(api, author, 7)
    made.update(_step(api, author, made, "submit"))
    page_path = f"/results/{made['id']}"
    web, csrf = browser(db, author)
    box = "//form[@data-testid='withdraw-returned']"
    assert not lxml.html.fromstring(web.get(page_path).text).xpath(box)  # submitted
    made.update(_step(api, reviewer, made, "return", note="delete it"))
    page = web.get(f"{page_path}?lang=fr")
    assert lxml.html.fromstring(page.text).xpath(box) and "Retirer ce résultat" in page.text
    assert not lxml.html.fromstring(page.text).xpath("//form[@data-testid='delete-draft']")
    other, other_csrf = browser(db, colleague)
    assert not lxml.html.fromstring(other.get(page_path).text).xpath(box)
    target = f"{page_path}/withdraw"
    form = {"csrf": csrf, "version": str(made["version"])}
    unticked = web.post(f"{target}?lang=fr", data=form)
    assert unticked.status_code == 422 and "Cochez la case" in unticked.text
    by_colleague = other.post(
        f"{target}?lang=fr", data={**form, "csrf": other_csrf, "confirm": "yes"}
    )
    assert by_colleague.status_code == 403
    assert "seule la personne qui l’a saisi" in by_colleague.text
    assert api.get(f"/api/v1/results/{made['id']}", headers=author.auth).status_code == 200
    done = web.post(target, data={**form, "confirm": "yes"})
    assert done.status_code == 303, done.text[:300]
    shown = web.get(done.headers["location"] + "&lang=fr")
    said = lxml.html.fromstring(shown.text).xpath("//*[@data-testid='withdrawn']")
    assert said and said[0].text_content() == f"Le résultat {made['id']} a été retiré."
    assert api.get(f"/api/v1/results/{made['id']}", headers=author.auth).status_code == 404
    # a link made elsewhere cannot make the page say so
    assert "retiré" not in web.get(f"/projects/wd-bra?withdrawn={made['id']}&lang=fr").text
    assert "retiré" not in other.get(done.headers["location"] + "&lang=fr").text


def test_a_returned_result_goes_with_its_evidence_files_each_recorded(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = make_setup(db, tmp_path, monkeypatch)
    web, csrf = browser(db, s.editor)
    page = f"/results/{s.result_id}"
    sent = {"file": ("a.pdf", files.pdf(), "application/pdf")}
    assert web.post(f"{page}/evidence", data={"csrf": csrf}, files=sent).status_code == 303
    first = s.api.get(f"/api/v1/results/{s.result_id}/evidence", headers=s.editor.auth).json()
    again = {"file": ("b.png", files.png(), "image/png")}
    replace = f"{page}/evidence/{first[0]['id']}/replace"
    made = web.post(replace, data={"csrf": csrf, "confirm": "yes"}, files=again)
    assert made.status_code == 303, made.text
    result = s.api.get(f"/api/v1/results/{s.result_id}", headers=s.editor.auth).json()
    result.update(_step(s.api, s.editor, result, "submit"))
    result.update(_step(s.api, s.reviewer, result, "return", note="delete it"))
    gone = _withdraw(s.api, s.editor, result)
    assert gone.status_code == 204, gone.text
    events, _ = audit.listing(db, entity="evidence_file", limit=50)
    removed = [e for e in events if e["action"] == "delete"]
    assert len(removed) == 2 and any(e["before"]["replaces_id"] for e in removed)
    report = audit.verify(db)
    assert report.intact, report.findings
