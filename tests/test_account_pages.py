"""Issue 10, accounts on the pages: an admin invites someone and resets a password (the
link shown once), the person sets a password with the link and is signed in, once; a user
sets where and in which language notifications go. Pages looked at in en, fr and ar."""

from __future__ import annotations

import re

import lxml.html
from sqlalchemy import select

from greenfolio.interfaces.web.i18n import catalogue
from greenfolio.services import accounts
from greenfolio.services.database import Database
from greenfolio.store.tables import UserRow
from tests.test_api_support import add_user, browser, client

NEW = "a brand new long password"


def _text(html: str) -> str:
    return str(lxml.html.fromstring(html).text_content())


def _link(html: str) -> str:
    return str(lxml.html.fromstring(html).xpath("//code[@data-testid='link']/text()")[0])


def _form_csrf(web: object, url: str) -> tuple[str, str]:
    page = web.get(url)  # type: ignore[attr-defined]
    assert page.status_code == 200, page.text
    tree = lxml.html.fromstring(page.text)
    return page.text, str(tree.xpath("//form[@class='entry']//input[@name='csrf']/@value")[0])


def test_an_invitation_on_the_pages_signs_the_invitee_in_once(db: Database) -> None:
    boss = add_user(db, "boss", "admin@all")
    admin, csrf = browser(db, boss)
    made = admin.post(
        "/admin/invitations?lang=fr",
        data={
            "csrf": csrf,
            "email": "awa@example.org",
            "role": "editor",
            "scope": "country:SEN",
            "language": "fr",
        },
    )
    assert made.status_code == 201, made.text
    url = _link(made.text)
    assert "Invitation créée pour awa@example.org" in _text(made.text)
    assert "awa@example.org" in admin.get("/admin/invitations").text
    path = url.split("://", 1)[1].split("/", 1)[1]
    guest = client(db)
    text, token = _form_csrf(guest, f"/{path}?lang=fr")
    assert "en qualité de Rédacteur (Sénégal)" in _text(text)
    differ = guest.post(
        f"/{path}", data={"csrf": token, "username": "awa", "password": NEW, "confirm": NEW + "x"}
    )
    assert differ.status_code == 422 and catalogue("fr")["err_password_mismatch"] in _text(
        differ.text
    )
    done = guest.post(
        f"/{path}", data={"csrf": token, "username": "awa", "password": NEW, "confirm": NEW}
    )
    assert done.status_code == 303 and done.headers["location"] == "/account"
    assert guest.get("/account").status_code == 200
    again = client(db).get(f"/{path}?lang=ar")
    assert again.status_code == 404 and catalogue("ar")["err_link_invalid"] in _text(again.text)
    assert [str(g) for g in accounts.authenticate(db, "awa", NEW, "t").grants] == [
        "editor@country:SEN"
    ]
    trail = _text(admin.get("/audit?lang=fr").text)
    assert "lien à usage unique" in trail and "Langue\u00a0: français" in trail
    assert "Créé par\u00a0: boss" in trail and "Utilisé le\u00a0: " in trail
    assert "user:" not in trail and not re.search(r"\d{4}-\d\d-\d\dT", trail)


def test_a_reset_on_the_pages_shows_the_link_once_and_ends_access(db: Database) -> None:
    boss = add_user(db, "boss", "admin@all")
    ben = add_user(db, "ben", "viewer@all")
    ben_web, _ = browser(db, ben)
    admin, csrf = browser(db, boss)
    users = admin.get("/admin/users")
    assert "/admin/users/ben/reset" in users.text
    made = admin.post("/admin/users/ben/reset", data={"csrf": csrf})
    assert made.status_code == 201
    assert "argon2" not in made.text and "$" not in _link(made.text)
    assert ben_web.get("/account").status_code != 200
    path = "/" + _link(made.text).split("://", 1)[1].split("/", 1)[1]
    guest = client(db)
    text, token = _form_csrf(guest, path)
    assert 'name="username"' not in text
    assert (
        guest.post(path, data={"csrf": token, "password": NEW, "confirm": NEW}).status_code == 303
    )
    assert accounts.authenticate(db, "ben", NEW, "t").name == "ben"


def test_notification_email_and_language_on_the_account_page(db: Database) -> None:
    ana = add_user(db, "ana", "editor@all")
    web, csrf = browser(db, ana)
    bad = web.post(
        "/account/contact?lang=fr", data={"csrf": csrf, "email": "ana", "language": "fr"}
    )
    assert bad.status_code == 422 and catalogue("fr")["err_email_invalid"] in _text(bad.text)
    ok = web.post(
        "/account/contact", data={"csrf": csrf, "email": "ana@example.org", "language": "ru"}
    )
    assert ok.status_code == 303
    with db.transaction() as session:
        row = session.scalar(select(UserRow).where(UserRow.username == "ana"))
        assert row is not None and (row.email, row.language) == ("ana@example.org", "ru")
    page = web.get("/account").text
    assert 'value="ana@example.org"' in page
