"""Issue 12, item 10: a new password revokes the user's API tokens and ends their other
sessions (reset by an admin from the CLI, or changed by the user on their account page);
the CSRF token is renewed at sign-in and tied to the session. On SQLite and PostgreSQL."""

from __future__ import annotations

import lxml.html
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from greenfolio.interfaces.api.deps import CSRF_COOKIE, SESSION_COOKIE
from greenfolio.interfaces.cli.app import app
from greenfolio.services import accounts, api_tokens
from greenfolio.services.database import Database
from tests.test_api_support import PASSWORD, User, add_project, add_user, browser, client

NEW_PASSWORD = "another long password"


def _signed_in(web: TestClient) -> bool:
    return web.get("/account").status_code == 200


def _token_works(db: Database, user: User) -> bool:
    return client(db).get("/api/v1/tokens", headers=user.auth).status_code == 200


def test_a_password_reset_revokes_tokens_and_ends_sessions(db: Database) -> None:
    user = add_user(db, "ana", "editor@all")
    web, _ = browser(db, user)
    assert _signed_in(web) and _token_works(db, user)
    url = db.engine.url.render_as_string(hide_password=False)
    done = CliRunner().invoke(
        app, ["users", "set-password", "ana", "--password", NEW_PASSWORD, "--db", url]
    )
    assert done.exit_code == 0, done.output
    assert "1 session(s) ended, 1 API token(s) revoked" in done.output
    assert not _signed_in(web)
    refused = client(db).get("/api/v1/tokens", headers=user.auth)
    assert refused.status_code == 401 and "revoked" in refused.json()["error"]["message"]
    listed = api_tokens.tokens(db, accounts.authenticate(db, "ana", NEW_PASSWORD, "t"))
    assert [t["revoked"] for t in listed] == [True]


def test_changing_ones_password_keeps_this_session_only(db: Database) -> None:
    user = add_user(db, "ben", "viewer@all")
    here, csrf = browser(db, user)
    elsewhere, _ = browser(db, user)
    wrong = here.post(
        "/account/password", data={"csrf": csrf, "current": "not it at all", "new": NEW_PASSWORD}
    )
    assert wrong.status_code == 422 and "current password is wrong" in wrong.text
    assert _signed_in(elsewhere) and _token_works(db, user)
    changed = here.post(
        "/account/password", data={"csrf": csrf, "current": PASSWORD, "new": NEW_PASSWORD}
    )
    assert changed.status_code == 303
    assert _signed_in(here)
    assert not _signed_in(elsewhere)
    assert not _token_works(db, user)
    assert accounts.authenticate(db, "ben", NEW_PASSWORD, "t").name == "ben"


def test_the_csrf_token_is_renewed_at_sign_in_and_tied_to_the_session(db: Database) -> None:
    user = add_user(db, "cy", "editor@all")
    add_project(db, "csrf-p", "pops", "BRA")
    web = client(db)
    form = lxml.html.fromstring(web.get("/login").text)
    before = form.xpath("//input[@name='csrf']/@value")[0]
    assert before == web.cookies[CSRF_COOKIE]
    signed = web.post("/login", data={"csrf": before, "username": "cy", "password": PASSWORD})
    assert signed.status_code == 303
    assert web.cookies[CSRF_COOKIE] != before  # renewed
    page = lxml.html.fromstring(
        web.get("/projects/csrf-p/results/new?indicator=pops_destroyed").text
    )
    token = page.xpath("//form[@class='entry']//input[@name='csrf']/@value")[0]
    assert token == accounts.csrf_token(web.cookies[SESSION_COOKIE])
    assert token not in (before, web.cookies[CSRF_COOKIE])
    entry = {"indicator": "pops_destroyed", "value": "1"}
    # the pre-sign-in token, or a cookie value planted by someone else, no longer passes
    assert web.post("/projects/csrf-p/results", data={**entry, "csrf": before}).status_code == 403
    web.cookies.set(CSRF_COOKIE, "planted")
    assert (
        web.post("/projects/csrf-p/results", data={**entry, "csrf": "planted"}).status_code == 403
    )
    api = {"work": "csrf-p", "indicator": "pops_destroyed", "value": 1}
    assert (
        web.post("/api/v1/results", json=api, headers={"X-CSRF-Token": "planted"}).status_code
        == 403
    )
    # another session's token does not pass either
    _, other_token = browser(db, user)
    assert (
        web.post("/projects/csrf-p/results", data={**entry, "csrf": other_token}).status_code == 403
    )
    assert web.post("/projects/csrf-p/results", data={**entry, "csrf": token}).status_code == 303
    assert web.post("/api/v1/results", json=api, headers={"X-CSRF-Token": token}).status_code == 201
    # signing out ends it: the session's token is worth nothing afterwards
    assert web.post("/logout", data={"csrf": token}).status_code == 303
    assert web.post("/projects/csrf-p/results", data={**entry, "csrf": token}).status_code != 303


def test_guessing_the_current_password_is_rate_limited_too(db: Database) -> None:
    user = add_user(db, "dan", "viewer@all")
    web, csrf = browser(db, user)
    for n in range(5):
        form = {"csrf": csrf, "current": f"guess number {n}", "new": NEW_PASSWORD}
        assert web.post("/account/password", data=form).status_code == 422
    right = {"csrf": csrf, "current": PASSWORD, "new": NEW_PASSWORD}
    limited = web.post("/account/password", data=right)
    assert limited.status_code == 429 and "Too many sign-in attempts" in limited.text
    assert accounts.authenticate(db, "dan", PASSWORD, "elsewhere").name == "dan"
