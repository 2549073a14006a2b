"""The pages remember whom they serve: a browser where no language was chosen opens in the
account's own language at sign-in (a choice made in that browser stands), and the first
stop of the keyboard skips the menus to the page's content."""

from __future__ import annotations

import lxml.html

from greenfolio.domain.permissions import Grant, Principal, Role, Scope
from greenfolio.interfaces.http.context import LANG_COOKIE
from greenfolio.services import accounts
from greenfolio.services.database import Database
from tests.test_api_support import PASSWORD, add_user, browser


def _sign_in(db: Database, name: str, lang_cookie: str | None = None) -> tuple[int, str | None]:
    web, csrf = browser(db, None)
    if lang_cookie:
        web.cookies.set(LANG_COOKIE, lang_cookie)
    got = web.post("/login", data={"csrf": csrf, "username": name, "password": PASSWORD})
    return got.status_code, got.cookies.get(LANG_COOKIE)


def test_a_new_browser_opens_in_the_accounts_language(db: Database) -> None:
    add_user(db, "olga", "reviewer@all")
    add_user(db, "ana", "reviewer@all")
    root = Principal("root", (Grant(Role.ADMIN, Scope.parse("all")),), 1)
    accounts.set_contact(db, root, "olga", "olga@example.org", "ru")
    assert _sign_in(db, "olga") == (303, "ru")
    assert _sign_in(db, "olga", lang_cookie="fr") == (303, None)  # chosen here: it stands
    assert _sign_in(db, "ana") == (303, None)  # no language of one's own: as before


def test_the_first_link_skips_to_the_content(db: Database) -> None:
    user = add_user(db, "ana", "reviewer@all")
    web, _ = browser(db, user)
    for lang in ("en", "ar"):
        page = lxml.html.fromstring(web.get(f"/review?lang={lang}").text)
        first = page.xpath("//body//a | //body//button | //body//input")[0]
        assert first.get("href") == "#main" and first.text_content().strip(), lang
        assert page.xpath("//main/@id") == ["main"]
