"""Findings of a security review, each reproduced against the real app on SQLite and
PostgreSQL: impossible values answer 422 (never a 500); a token never outlives the token
that made it, and is revoked with it; an evidence file's name ends as its content is."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from typer.testing import CliRunner

from greenfolio.interfaces.cli.app import app
from greenfolio.services.database import Database
from tests import evidence_files as files
from tests.evidence_files import make_setup
from tests.test_api_support import User, add_project, add_user, browser, client


@pytest.fixture
def editor(db: Database) -> User:
    add_project(db, "rv-bra", "pops", "BRA")
    return add_user(db, "edrv", "editor@country:BRA")


@pytest.mark.parametrize("unit", ["kg/0", "1/0*t", "t**-0", "(kg"])
def test_a_unit_pint_cannot_evaluate_is_a_422_naming_the_unit(
    db: Database, editor: User, unit: str
) -> None:
    # pint evaluates a unit as an expression: 'kg/0' raised ZeroDivisionError (a 500)
    api = client(db)
    body = {"work": "rv-bra", "indicator": "pops_destroyed", "value": 3, "unit": unit}
    refused = api.post("/api/v1/results", json=body, headers=editor.auth)
    assert refused.status_code == 422, refused.text
    assert f"unknown unit {unit!r}: give a unit such as t, kg" in refused.json()["error"]["message"]
    made = api.post("/api/v1/results", json={**body, "unit": "t"}, headers=editor.auth).json()
    patch = {"unit": unit, "version": made["version"]}
    revised = api.patch(f"/api/v1/results/{made['id']}", json=patch, headers=editor.auth)
    assert revised.status_code == 422, revised.text
    stored = api.get(f"/api/v1/results/{made['id']}", headers=editor.auth).json()
    assert (stored["unit"], stored["version"]) == ("t", 1)
    web, csrf = browser(db, editor)
    form = {"csrf": csrf, "indicator": "pops_destroyed", "value": "3", "unit": unit}
    page = web.post("/projects/rv-bra/results", data=form)
    assert page.status_code == 422, page.text[:300]
    assert len(api.get("/api/v1/results", headers=editor.auth).json()["items"]) == 1


def test_a_version_no_record_can_have_is_a_422_naming_the_field(db: Database, editor: User) -> None:
    # 2**63 overflowed SQLite's integers (a 500) and PostgreSQL's (a 400 naming no field)
    api = client(db)
    body = {"work": "rv-bra", "indicator": "pops_destroyed", "value": 3}
    made = api.post("/api/v1/results", json=body, headers=editor.auth).json()
    path = f"/api/v1/results/{made['id']}"
    for version in (2**63, 2**31, 0, -1):
        refused = api.patch(path, json={"value": 4, "version": version}, headers=editor.auth)
        assert refused.status_code == 422, refused.text
        message = refused.json()["error"]["message"]
        assert f"'version' {version} is not a version of result" in message
        assert "send the version you read" in message
        review = {"action": "submit", "version": version}
        refused = api.post(f"{path}/review", json=review, headers=editor.auth)
        assert refused.status_code == 422, refused.text
    project = api.get("/api/v1/projects/rv-bra", headers=editor.auth).json()
    put = {k: project[k] for k in ("key", "kind", "title", "countries")} | {"version": 2**63}
    put["terms"] = [t["key"] for t in project["terms"]]
    refused = api.put("/api/v1/projects/rv-bra", json=put, headers=editor.auth)
    assert refused.status_code == 422, refused.text
    assert "'version'" in refused.json()["error"]["message"]
    web, csrf = browser(db, editor)
    form = {"csrf": csrf, "value": "5", "version": str(2**63)}
    page = web.post(f"/results/{made['id']}/edit", data=form)
    assert page.status_code == 422, page.text[:300]
    assert "is not a real one" in page.text
    stored = api.get(path, headers=editor.auth).json()
    assert (stored["value"], stored["version"], stored["review_state"]) == (3, 1, "draft")


def test_a_token_creates_only_tokens_that_expire_no_later_than_itself(
    db: Database, editor: User
) -> None:
    api = client(db)
    short = api.post("/api/v1/tokens", json={"name": "day", "days": 1}, headers=editor.auth)
    assert short.status_code == 201, short.text
    parent = short.json()
    bearer = {"Authorization": f"Bearer {parent['token']}"}
    before = {t["id"] for t in api.get("/api/v1/tokens", headers=editor.auth).json()}
    for body in ({"name": "forever", "days": 3650}, {"name": "week", "days": 7}):
        refused = api.post("/api/v1/tokens", json=body, headers=bearer)
        assert refused.status_code == 403, refused.text
        message = refused.json()["error"]["message"]
        assert "only create tokens that expire no later than itself" in message
        assert "leave 'days' out" in message and "sign in" in message
    after = {t["id"] for t in api.get("/api/v1/tokens", headers=editor.auth).json()}
    assert after == before  # nothing made
    # left out, the new token's expiry is its parent's; one day or less is allowed
    child = api.post("/api/v1/tokens", json={"name": "forever"}, headers=bearer)
    assert child.status_code == 201, child.text
    assert child.json()["expires_at"] == parent["expires_at"] is not None
    grandchild = api.post(
        "/api/v1/tokens",
        json={"name": "next"},
        headers={"Authorization": f"Bearer {child.json()['token']}"},
    )
    assert grandchild.json()["expires_at"] == parent["expires_at"]
    same = api.post("/api/v1/tokens", json={"name": "day", "days": 1}, headers=bearer)
    assert same.status_code == 403, same.text  # a day from now is a moment after it
    # a token that never expires (and a signed-in browser) choose freely, as before
    forever = api.post("/api/v1/tokens", json={"name": "long", "days": 3650}, headers=editor.auth)
    assert forever.status_code == 201, forever.text
    none = api.post("/api/v1/tokens", json={"name": "none"}, headers=editor.auth)
    assert none.json()["expires_at"] is None
    web, csrf = browser(db, editor)
    mine = web.post("/api/v1/tokens", json={"name": "web"}, headers={"X-CSRF-Token": csrf})
    assert mine.status_code == 201 and mine.json()["expires_at"] is None


def test_revoking_a_token_revokes_every_token_made_with_it(db: Database, editor: User) -> None:
    # a stolen token could mint others; revoking it left them working
    api = client(db)
    other = add_user(db, "otherrv", "editor@country:BRA")

    def made_with(auth: dict[str, str], name: str) -> dict[str, str]:
        made = api.post("/api/v1/tokens", json={"name": name}, headers=auth)
        assert made.status_code == 201, made.text
        return {"id": made.json()["id"], "auth": f"Bearer {made.json()['token']}"}

    child = made_with(editor.auth, "child")
    grandchild = made_with({"Authorization": child["auth"]}, "grandchild")
    sibling = made_with(editor.auth, "sibling")
    web, csrf = browser(db, editor)
    signed_in = web.post("/api/v1/tokens", json={"name": "web"}, headers={"X-CSRF-Token": csrf})
    listed = {t["name"]: t for t in api.get("/api/v1/tokens", headers=editor.auth).json()}
    assert listed["grandchild"]["made_with"] == child["id"]
    assert listed["web"]["made_with"] is None

    def works(auth: str) -> bool:
        return api.get("/api/v1/me", headers={"Authorization": auth}).status_code == 200

    # someone else's token answers as a missing one, and stays
    refused = api.delete(f"/api/v1/tokens/{child['id']}", headers=other.auth)
    assert refused.status_code == 404, refused.text
    assert works(child["auth"]) and works(grandchild["auth"])
    gone = api.delete(f"/api/v1/tokens/{child['id']}", headers=editor.auth)
    assert gone.status_code == 204, gone.text
    assert not works(child["auth"]) and not works(grandchild["auth"])
    assert works(sibling["auth"]) and works(editor.auth["Authorization"])
    assert works(f"Bearer {signed_in.json()['token']}")
    # the account page revokes the same way, and says what it did in the reader's language
    nephew = made_with({"Authorization": sibling["auth"]}, "nephew")
    page = web.post(f"/account/tokens/{sibling['id']}/revoke?lang=fr", data={"csrf": csrf})
    assert page.status_code == 200, page.text[:300]
    assert "ni lui ni les jetons créés avec lui (1) ne fonctionnent plus" in page.text
    assert not works(sibling["auth"]) and not works(nephew["auth"])
    forged = web.post(f"/account/tokens/{sibling['id']}/revoke", data={"csrf": "x"})
    assert forged.status_code == 403
    # the command line lists them and revokes by number
    url = db.engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    shown = runner.invoke(app, ["tokens", "list", "--user", "edrv", "--db", url])
    assert shown.exit_code == 0, shown.output
    assert "grandchild" in shown.output and "revoked" in shown.output
    web_id = str(signed_in.json()["id"])
    done = runner.invoke(app, ["tokens", "revoke", web_id, "--db", url])
    assert done.exit_code == 0 and f"Token {web_id} revoked." in done.output, done.output
    assert not works(f"Bearer {signed_in.json()['token']}")
    assert works(editor.auth["Authorization"])


def test_only_a_reviewer_moves_a_project_with_verified_results_between_programmes(
    demo_db: Database,
) -> None:
    # an editor took idb49-emobility out of its programme: the Board figure "countries
    # supported by e-mobility" fell from 4 to 0 though no result was reviewed again
    db = demo_db
    api = client(db)
    editor = add_user(db, "edterms", "editor@all")
    reviewer = add_user(db, "rvterms", "reviewer@all", "editor@all")
    path = "/api/v1/projects/idb49-emobility"

    def figure() -> float:
        found = api.get("/api/v1/figures?year=2021", headers=editor.auth).json()
        items = found["figures"] if isinstance(found, dict) else found
        return next(f["value"] for f in items if f["id"] == "emobility_countries")

    def body(terms: list[str], title: str | None = None) -> dict[str, object]:
        got = api.get(path, headers=editor.auth).json()
        put = {k: got[k] for k in ("key", "kind", "title", "countries", "version")}
        if title:
            put["title"] = {**got["title"], "en": title}
        return put | {"terms": terms}

    before = figure()
    assert before > 0
    stored = [t["key"] for t in api.get(path, headers=editor.auth).json()["terms"]]
    assert "programme:e_mobility" in stored
    moved = [t for t in stored if t != "programme:e_mobility"]
    refused = api.put(path, json=body(moved), headers=editor.auth)
    assert refused.status_code == 403, refused.text
    message = refused.json()["error"]["message"]
    assert "only someone who may both edit and review the project" in message
    assert "verified result(s)" in message
    assert figure() == before
    assert [t["key"] for t in api.get(path, headers=editor.auth).json()["terms"]] == stored
    # the rest of the project stays the editor's; the page says it in the reader's language
    renamed = api.put(path, json=body(stored, "E-mobility, renamed"), headers=editor.auth)
    assert renamed.status_code == 200, renamed.text
    web, csrf = browser(db, editor)
    got = api.get(path, headers=editor.auth).json()
    form = {
        "csrf": csrf,
        "kind": "project",
        "title_en": "E-mobility, renamed",
        "version": str(got["version"]),
        "countries": got["countries"],
        "terms": moved,
    }
    page = web.post("/projects/idb49-emobility/edit?lang=fr", data=form)
    assert page.status_code == 403, page.text[:300]
    assert "seule une personne autorisée à la fois à modifier et à examiner le projet" in page.text
    assert figure() == before
    # a reviewer of the project may
    done = api.put(path, json=body(moved), headers=reviewer.auth)
    assert done.status_code == 200, done.text
    assert figure() < before


def test_a_token_cannot_change_where_the_accounts_mail_goes(db: Database, editor: User) -> None:
    # a stolen token set the account's email; mail for the account then went elsewhere
    api = client(db)
    path = "/api/v1/account/contact"
    refused = api.put(path, json={"email": "thief@example.org"}, headers=editor.auth)
    assert refused.status_code == 403, refused.text
    assert "changed signed in" in refused.json()["error"]["message"]
    me = api.get("/api/v1/me", headers=editor.auth)
    assert me.status_code == 200
    # the language alone may still be set with a token; signed in, the address too
    fine = api.put(path, json={"email": None, "language": "fr"}, headers=editor.auth)
    assert fine.status_code == 200, fine.text
    web, csrf = browser(db, editor)
    mine = web.put(path, json={"email": "me@example.org"}, headers={"X-CSRF-Token": csrf})
    assert mine.status_code == 200, mine.text


def test_a_token_made_on_the_account_page_is_shown_once_and_a_reload_makes_no_other(
    db: Database, editor: User
) -> None:
    # the page answered the form itself: reloading it sent the form again, a second token
    import lxml.html

    web, csrf = browser(db, editor)
    made = web.post("/account/tokens?lang=fr", data={"csrf": csrf, "name": "suivi"})
    assert made.status_code == 303 and made.headers["location"] == "/account"
    page = web.get("/account?lang=fr")
    shown = lxml.html.fromstring(page.text).xpath("//*[@data-testid='token']/text()")
    assert len(shown) == 1 and shown[0].startswith("gf_")
    api = client(db)
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {shown[0]}"}).status_code == 200
    again = web.get("/account?lang=fr")  # a reload: the secret is gone, no token is made
    assert not lxml.html.fromstring(again.text).xpath("//*[@data-testid='token']")
    names = [t["name"] for t in api.get("/api/v1/tokens", headers=editor.auth).json()]
    assert names.count("suivi") == 1
    # a cookie set by someone else shows nothing: only a live token of this account
    other = add_user(db, "othertok", "editor@country:BRA")
    web.cookies.set("gf_new_token", other.token, path="/account")
    foreign = web.get("/account")
    assert other.token not in foreign.text


NAMES = {
    "x.html": "x.html.pdf",  # the content is a PDF: the name ends as the content is
    "report": "report.pdf",
    "Rapport FINAL.PDF": "Rapport FINAL.PDF",
    "invoice\u202efdp.exe": "invoicefdp.exe.pdf",  # shown as 'invoiceexe.pdf' before
    "\u2067\u200fتقرير\u200e\u2069.pdf": "تقرير.pdf",
    "a\u202ab\u202cc\u2066d\u2069.pdf": "abcd.pdf",
}


def test_an_evidence_file_is_named_with_the_extension_of_its_content_and_no_bidi_controls(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = make_setup(db, tmp_path, monkeypatch)
    base = f"/api/v1/results/{s.result_id}/evidence"
    for sent, kept in NAMES.items():
        made = s.api.post(
            base, files={"file": (sent, files.pdf(), "text/html")}, headers=s.editor.auth
        )
        assert made.status_code == 201, made.text
        assert (made.json()["filename"], made.json()["media_type"]) == (kept, "application/pdf")
        got = s.api.get(f"{base}/{made.json()['id']}", headers=s.editor.auth)
        assert got.headers["content-type"] == "application/pdf"
        disposition = got.headers["content-disposition"]
        assert unquote(disposition.split("filename*=UTF-8''")[1]) == kept
    # the page's upload cleans the names alike (a PNG sent as a PDF: '.png' at the end)
    web, csrf = browser(s.db, s.editor)
    page = f"/results/{s.result_id}"
    for sent in NAMES:
        done = web.post(
            f"{page}/evidence",
            data={"csrf": csrf},
            files={"file": (sent, files.png(), "application/pdf")},
        )
        assert done.status_code == 303, done.text
    listed = [r["filename"] for r in s.api.get(base, headers=s.editor.auth).json()]
    assert listed[: len(NAMES)] == list(NAMES.values())
    assert all(not re.search("[\u200e\u200f\u202a-\u202e\u2066-\u2069]", n) for n in listed)
    assert listed[len(NAMES) :] == [
        "x.html.png",
        "report.png",
        "Rapport FINAL.PDF.png",
        "invoicefdp.exe.png",
        "تقرير.pdf.png",
        "abcd.pdf.png",
    ]


def test_a_page_asked_for_an_id_no_record_can_have_is_a_422_page(
    db: Database, editor: User
) -> None:
    # /results/99999999999999999999 reached the database: a 500 on SQLite, and a JSON 400
    # on PostgreSQL; the pages now bound their ids as the API does
    web, csrf = browser(db, editor)
    huge = 10**20
    for path in (f"/results/{huge}", f"/results/1/evidence/{huge}", f"/method-runs/{huge}"):
        got = web.get(path)
        assert got.status_code == 422, (path, got.text[:200])
        assert got.headers["content-type"].startswith("text/html")
    form = {"csrf": csrf, "action": "submit", "version": "1"}
    assert web.post(f"/results/{huge}/review", data=form).status_code == 422


def test_digits_int_cannot_read_are_no_number_not_a_500(db: Database, editor: User) -> None:
    """ "²" is a digit to str.isdigit() but not to int(): a year filter, a version or a
    result id written with it is no number (ignored, or refused as unreadable), never a
    500; Arabic-Indic digits likewise."""
    api = client(db)
    made = api.post(
        "/api/v1/results",
        json={"work": "rv-bra", "indicator": "pops_destroyed", "value": 3, "unit": "t"},
        headers=editor.auth,
    ).json()
    web, csrf = browser(db, editor)
    for odd in ("²", "٢٠٢١"):
        assert web.get("/projects", params={"year": odd}).status_code == 200
        form = {"csrf": csrf, "action": "submit", "version": odd}
        answer = web.post(f"/results/{made['id']}/review", data=form)
        assert answer.status_code < 500, answer.text[-400:]
        bulk = web.post(
            "/review/bulk", data={"csrf": csrf, "action": "submit", "pick": f"{odd}:{odd}"}
        )
        assert bulk.status_code < 500, bulk.text[-400:]
    stored = api.get(f"/api/v1/results/{made['id']}", headers=editor.auth).json()
    assert stored["review_state"] == "draft"
