"""The accounts page says why it refused a new account in the administrator's language."""

from __future__ import annotations

import lxml.html
import pytest

from greenfolio.services.database import Database
from tests.test_api_support import add_user, browser

SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@SQLITE
def test_a_refused_account_is_explained_in_the_admins_language(db: Database) -> None:
    web, csrf = browser(db, add_user(db, "boss", "admin@all"))
    form = {"csrf": csrf, "password": "a long enough password", "role": "editor"}
    taken = web.post("/admin/users?lang=fr", data={**form, "username": "boss"})
    assert taken.status_code == 422
    said = lxml.html.fromstring(taken.text).xpath("string(//*[contains(@class,'errors')])")
    assert "Un compte nommé «\u202fboss\u202f» existe déjà." in said
    bad = web.post("/admin/users?lang=zh", data={**form, "username": "a b"})
    said = lxml.html.fromstring(bad.text).xpath("string(//*[contains(@class,'errors')])")
    assert "用户名“a b”须由" in said
    scope = web.post("/admin/users?lang=es", data={**form, "username": "ana", "scope": "planet:x"})
    said = lxml.html.fromstring(scope.text).xpath("string(//*[contains(@class,'errors')])")
    assert "no es un ámbito válido" in said and "unknown scope" not in said
