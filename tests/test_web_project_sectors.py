"""A project's DAC sectors (imported from IATI or typed on the form) are on its page, by
code and name: an imported activity's page said "Classification: none"."""

from __future__ import annotations

import lxml.html

from greenfolio.services.database import Database
from greenfolio.services.exchange import codelists
from greenfolio.services.exchange.iati_import import import_file
from tests.conftest import DATA
from tests.test_api_support import add_user, browser

EXAMPLE = DATA / "iati" / "files" / "iati-example-v203.xml"


def test_sector_names_come_from_the_iati_codelist() -> None:
    names = codelists.names("Sector")
    assert names["15220"]["en"].startswith("Civilian peace-building")
    assert names["15220"]["fr"].startswith("Dispositifs civils")


def test_an_imported_activitys_sectors_are_shown(db: Database) -> None:
    assert import_file(db, EXAMPLE).created > 0
    web, _ = browser(db, add_user(db, "reader", "viewer@all"))
    page = web.get("/projects/NL-1-PPR-24706?lang=fr")
    assert page.status_code == 200, page.text[:300]
    root = lxml.html.fromstring(page.text)
    shown = {li.get("data-sector"): " ".join(li.text_content().split())
             for li in root.xpath("//li[@data-sector]")}  # fmt: skip
    assert "15220" in shown
    assert "Dispositifs civils de construction de la paix" in shown["15220"]
    assert "Aucune classification" not in root.text_content()
    english_only = web.get("/projects/NL-1-PPR-24706?lang=ru")
    said = " ".join(lxml.html.fromstring(english_only.text).text_content().split())
    assert "Civilian peace-building" in said  # the codelist has no Russian: marked English
