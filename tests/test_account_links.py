"""Issue 10, accounts: one's own password through the API, admin resets and invitations
by one-time links (hashed, expiring, single use), tokens and sessions ended by a new
password. On SQLite and PostgreSQL, through the real API."""

from __future__ import annotations

import hashlib
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from greenfolio.services import account_links, accounts, audit
from greenfolio.services.database import Database
from greenfolio.store.tables import AccountLinkRow, AuditEventRow, UserRow
from tests.test_api_support import PASSWORD, add_user, browser, client

NEW = "a brand new long password"


def test_changing_ones_password_through_the_api_refuses_the_old_token(db: Database) -> None:
    ana = add_user(db, "ana", "editor@all")
    api = client(db)
    wrong = api.post(
        "/api/v1/account/password", json={"current": "not it at all", "new": NEW}, headers=ana.auth
    )
    assert wrong.status_code == 401
    assert api.get("/api/v1/me", headers=ana.auth).json()["signed_in"] is True
    done = api.post(
        "/api/v1/account/password", json={"current": PASSWORD, "new": NEW}, headers=ana.auth
    )
    assert done.status_code == 200 and done.json() == {"sessions": 0, "tokens": 1}
    refused = api.get("/api/v1/tokens", headers=ana.auth)
    assert refused.status_code == 401
    assert accounts.authenticate(db, "ana", NEW, "t").name == "ana"


def test_an_admin_reset_gives_a_one_time_link_and_ends_access(db: Database) -> None:
    boss = add_user(db, "boss", "admin@all")
    ben = add_user(db, "ben", "viewer@all")
    ben_web, _ = browser(db, ben)
    assert ben_web.get("/account").status_code == 200
    api = client(db)
    assert api.post("/api/v1/users/ben/password-reset", headers=ben.auth).status_code == 403
    made = api.post("/api/v1/users/ben/password-reset", headers=boss.auth)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["link"].endswith("/welcome/" + body["token"])
    assert "hash" not in " ".join(body) and "argon2" not in made.text
    # the old password, the session and the token end at once
    assert api.get("/api/v1/tokens", headers=ben.auth).status_code == 401
    assert ben_web.get("/account").status_code in (303, 401)
    assert api.post(
        "/api/v1/auth/login", json={"username": "ben", "password": PASSWORD}
    ).status_code in (401, 404, 405)
    # only the SHA-256 of the secret is stored
    with db.transaction() as session:
        stored = session.scalars(select(AccountLinkRow.token_hash)).all()
    assert stored == [hashlib.sha256(body["token"].encode()).hexdigest()]
    short = api.post("/api/v1/account-links/use", json={"token": body["token"], "password": "x"})
    assert short.status_code == 422
    used = api.post("/api/v1/account-links/use", json={"token": body["token"], "password": NEW})
    assert used.status_code == 201 and used.json()["username"] == "ben"
    assert accounts.authenticate(db, "ben", NEW, "t").name == "ben"
    again = api.post(
        "/api/v1/account-links/use", json={"token": body["token"], "password": NEW + "2"}
    )
    assert again.status_code == 404
    assert accounts.authenticate(db, "ben", NEW, "t").name == "ben"


def test_a_second_reset_spends_the_first_link(db: Database) -> None:
    add_user(db, "cy", "viewer@all")
    first = account_links.reset(db, None, "cy")
    second = account_links.reset(db, None, "cy")
    api = client(db)
    old = api.post("/api/v1/account-links/use", json={"token": first.secret, "password": NEW})
    assert old.status_code == 404
    assert (
        api.post(
            "/api/v1/account-links/use", json={"token": second.secret, "password": NEW}
        ).status_code
        == 201
    )


def test_setting_a_password_spends_the_reset_links_mailed_before(db: Database) -> None:
    """A hostile review: a reset link still chose a new password after an admin had set
    one directly, so whoever held a leaked or misdirected link took the account."""
    add_user(db, "cy", "viewer@all")
    api = client(db)
    by_admin = account_links.reset(db, None, "cy")
    accounts.set_password(db, None, "cy", "Admin-chosen-pass-1")
    used = api.post("/api/v1/account-links/use", json={"token": by_admin.secret, "password": NEW})
    assert used.status_code == 404, used.text
    assert accounts.authenticate(db, "cy", "Admin-chosen-pass-1", "1.2.3.4").user_id
    again = account_links.reset(db, None, "cy")  # a new reset still works, once
    done = api.post("/api/v1/account-links/use", json={"token": again.secret, "password": NEW})
    assert done.status_code == 201, done.text


def test_an_invitation_makes_the_account_once_with_its_role_and_scope(db: Database) -> None:
    boss = add_user(db, "boss", "admin@all")
    ed = add_user(db, "ed", "editor@all")
    api = client(db)
    ask = {"email": "nadia@example.org", "role": "editor", "scope": "country:nga", "language": "fr"}
    assert api.post("/api/v1/invitations", json=ask, headers=ed.auth).status_code == 403
    bad = api.post("/api/v1/invitations", json={**ask, "email": "nadia"}, headers=boss.auth)
    assert bad.status_code == 422
    made = api.post("/api/v1/invitations", json=ask, headers=boss.auth)
    assert made.status_code == 201, made.text
    token = made.json()["token"]
    listed = api.get("/api/v1/invitations", headers=boss.auth).json()
    assert [(i["email"], i["role"], i["scope"]) for i in listed] == [
        ("nadia@example.org", "editor", "country:NGA")
    ]
    assert token not in api.get("/api/v1/invitations", headers=boss.auth).text
    taken = api.post(
        "/api/v1/account-links/use", json={"token": token, "password": NEW, "username": "ed"}
    )
    assert taken.status_code == 422  # a user name in use: the link is not spent
    done = api.post(
        "/api/v1/account-links/use",
        json={"token": token, "password": NEW, "username": "nadia", "display_name": "Nadia B."},
    )
    assert done.status_code == 201, done.text
    user = done.json()
    assert user["roles"] == [{"role": "editor", "scope": "country:NGA"}]
    assert (user["email"], user["language"]) == ("nadia@example.org", "fr")
    again = api.post(
        "/api/v1/account-links/use", json={"token": token, "password": NEW, "username": "nadia2"}
    )
    assert again.status_code == 404
    assert api.get("/api/v1/invitations", headers=boss.auth).json() == []
    who = accounts.authenticate(db, "nadia", NEW, "t")
    assert [str(g) for g in who.grants] == ["editor@country:NGA"]
    with db.transaction() as session:
        actors = set(session.scalars(select(AuditEventRow.actor)))
    assert {"user:boss", "user:nadia"} <= actors
    assert audit.verify(db).intact


def test_an_expired_link_is_refused(db: Database) -> None:
    add_user(db, "dee", "viewer@all")
    link = account_links.reset(db, None, "dee")
    with db.transaction() as session:
        session.execute(
            update(AccountLinkRow).values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    used = client(db).post(
        "/api/v1/account-links/use", json={"token": link.secret, "password": NEW}
    )
    assert used.status_code == 404
    with db.transaction() as session:
        assert session.scalar(select(AccountLinkRow.used_at)) is None
        assert session.scalar(select(UserRow.version).where(UserRow.username == "dee")) == 2


def test_a_link_used_by_many_requests_at_once_works_once(db: Database) -> None:
    add_user(db, "eve", "viewer@all")
    link = account_links.reset(db, None, "eve")
    passwords = [f"parallel password {i:02d}" for i in range(8)]
    barrier = threading.Barrier(len(passwords))

    def attempt(password: str) -> str | None:
        barrier.wait()
        try:
            account_links.use(db, link.secret, password)
        except (account_links.LinkInvalid, OperationalError):
            return None
        return password

    with ThreadPoolExecutor(len(passwords)) as pool:
        won = [p for p in pool.map(attempt, passwords) if p is not None]
    assert len(won) == 1
    assert accounts.authenticate(db, "eve", won[0], "t").name == "eve"
    assert audit.verify(db).intact


def test_a_newcomer_cannot_take_another_users_name_and_the_trail_tells_people_apart(
    db: Database,
) -> None:
    """A hostile review: an invitee called themselves "Demo reviewer" and the audit trail
    showed their results under the reviewer's name."""
    boss = add_user(db, "boss", "admin@all")
    accounts.create_user(db, None, "rev", NEW, display_name="Demo reviewer")
    api = client(db)
    ask = {"email": "n@example.org", "role": "editor", "scope": "country:nga"}
    token = api.post("/api/v1/invitations", json=ask, headers=boss.auth).json()["token"]
    for name in ("Demo reviewer", "  demo   REVIEWER ", "rev", "boss"):
        body = {"token": token, "password": NEW, "username": "newcomer", "display_name": name}
        taken = api.post("/api/v1/account-links/use", json=body, headers={"Accept-Language": "fr"})
        assert taken.status_code == 422, (name, taken.text)
        assert "another user" in taken.json()["error"]["message"]
    for name in ("Demo reviewer\u200b", "Demo rev\u0456ewer", "\u202eDemo reviewer"):
        body = {"token": token, "password": NEW, "username": "newcomer", "display_name": name}
        disguised = api.post("/api/v1/account-links/use", json=body)
        assert disguised.status_code == 422, (name, disguised.text)
    for login in ("Rev", "r\u0435v", "REV"):  # another's user name, or Cyrillic look-alikes
        body = {"token": token, "password": NEW, "username": login}
        assert api.post("/api/v1/account-links/use", json=body).status_code == 422, login
    body = {"token": token, "password": NEW, "username": "newcomer", "display_name": "Ana (UNIDO)"}
    assert api.post("/api/v1/account-links/use", json=body).status_code == 201  # link unspent
    refused = api.post(
        "/api/v1/users",
        json={"username": "rev2", "password": NEW, "display_name": "DEMO Reviewer"},
        headers=boss.auth,
    )
    assert refused.status_code == 422, refused.text

    web, _csrf = browser(db, boss)
    page = web.get("/audit", params={"lang": "fr"}).text
    assert "Ana (UNIDO) (newcomer)" in page and "Demo reviewer (rev)" in page
