"""A draft never sent to review can be deleted on an explicit request (API with the
version read, page with a ticked box); a result that has been in review never can."""

from __future__ import annotations

import lxml.html

from greenfolio.services import audit
from greenfolio.services.database import Database
from tests.test_api_support import add_project, add_user, browser, client


def test_a_draft_never_reviewed_is_deleted_only_when_asked(db: Database) -> None:
    add_project(db, "dd-bra", "pops", "BRA")
    editor = add_user(db, "dded", "editor@country:BRA")
    other = add_user(db, "ddother", "editor@country:THA")
    api = client(db)
    body = {"work": "dd-bra", "indicator": "pops_destroyed", "value": 3}
    made = api.post("/api/v1/results", json=body, headers=editor.auth).json()
    path = f"/api/v1/results/{made['id']}"
    # without the version read: refused; someone who may not read it: as if missing
    assert api.delete(path, headers=editor.auth).status_code == 428
    assert api.delete(path, headers={**other.auth, "If-Match": '"1"'}).status_code == 404
    assert api.get(path, headers=editor.auth).status_code == 200
    # a co-editor of the same project may not delete someone else's entry
    colleague = add_user(db, "ddcolleague", "editor@country:BRA")
    refused = api.delete(path, headers={**colleague.auth, "If-Match": '"1"'})
    assert refused.status_code == 403, refused.text
    assert "only whoever entered it" in refused.json()["error"]["message"]
    assert api.get(path, headers=editor.auth).status_code == 200
    gone = api.delete(path, headers={**editor.auth, "If-Match": '"1"'})
    assert gone.status_code == 204, gone.text
    assert api.get(path, headers=editor.auth).status_code == 404
    events, _ = audit.listing(db, entity="result")
    assert any(e["action"] == "delete" and e["entity_id"] == str(made["id"]) for e in events)
    # once sent to review (even if returned since), never
    kept = api.post("/api/v1/results", json=body, headers=editor.auth).json()
    kpath = f"/api/v1/results/{kept['id']}"
    api.post(f"{kpath}/review", json={"action": "submit", "version": 1}, headers=editor.auth)
    refused = api.delete(kpath, headers={**editor.auth, "If-Match": '"2"'})
    assert refused.status_code == 422, refused.text
    assert "only a draft never submitted can be deleted" in refused.json()["error"]["message"]
    assert api.get(kpath, headers=editor.auth).json()["review_state"] == "submitted"


def test_the_result_page_deletes_a_draft_once_the_box_is_ticked(db: Database) -> None:
    add_project(db, "dd-web", "pops", "BRA")
    editor = add_user(db, "ddweb", "editor@country:BRA")
    api = client(db)
    body = {"work": "dd-web", "indicator": "pops_destroyed", "value": 4}
    made = api.post("/api/v1/results", json=body, headers=editor.auth).json()
    web, csrf = browser(db, editor)
    page = web.get(f"/results/{made['id']}?lang=fr")
    form = lxml.html.fromstring(page.text).xpath("//form[@data-testid='delete-draft']")
    assert form and "Supprimer ce brouillon" in page.text
    target = f"/results/{made['id']}/delete"
    unticked = web.post(target, data={"csrf": csrf, "version": "1"})
    assert unticked.status_code == 422 and "Cochez la case" in unticked.text
    assert api.get(f"/api/v1/results/{made['id']}", headers=editor.auth).status_code == 200
    done = web.post(target, data={"csrf": csrf, "version": "1", "confirm": "yes"})
    assert done.status_code == 303, done.text[:300]
    shown = web.get(done.headers["location"])
    assert f"Le résultat {made['id']} a été supprimé." in shown.text
    assert api.get(f"/api/v1/results/{made['id']}", headers=editor.auth).status_code == 404
    # a link cannot make the page say a result that is there was deleted
    other = api.post("/api/v1/results", json=body, headers=editor.auth).json()
    fake = web.get(f"/projects/dd-web?deleted={other['id']}")
    assert "supprimé" not in fake.text
    # nor one that never was, without the seal of this browser's own deletion
    assert "supprimé" not in web.get("/projects/dd-web?deleted=99999").text
