"""A project's DAC sectors (imported from IATI or typed on the form) are on its page, by
code and name: an imported activity's page said "Classification: none"."""

from __future__ import annotations

import lxml.html

from greenfolio.services import audit
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


def test_saving_an_imported_project_unchanged_keeps_its_sectors(db: Database) -> None:
    """An officer's review: saved unchanged, an imported project lost its sectors' names
    ("15160 Human rights" became "15160") and went to version 2."""
    from sqlalchemy import select

    from greenfolio.store.tables import WorkRow, WorkSectorRow

    assert import_file(db, EXAMPLE).created > 0
    user = add_user(db, "ed", "editor@all")
    web, csrf = browser(db, user)

    def stored() -> tuple[int, dict[str, object]]:
        with db.transaction() as session:
            work = session.scalars(select(WorkRow).where(WorkRow.key == "NL-1-PPR-27787")).one()
            names = {
                s.code: s.names
                for s in session.scalars(
                    select(WorkSectorRow).where(WorkSectorRow.work_id == work.id)
                )
            }
            return work.version, names

    before = stored()
    assert any(before[1].values())
    page = lxml.html.fromstring(web.get("/projects/NL-1-PPR-27787/edit?lang=ar").text)
    fields: dict[str, object] = {
        i.get("name"): i.get("value") or "" for i in page.xpath("//form//input[@name]")
    }
    fields["description"] = page.xpath("string(//textarea[@name='description'])")
    fields["terms"] = page.xpath("//select[@name='terms']/option[@selected]/@value")
    fields["org"] = page.xpath("//select[@name='org']/option[@selected]/@value")
    fields["org_role"] = page.xpath("//select[@name='org_role']/option[@selected]/@value")
    for name in ("kind", "status"):
        chosen = page.xpath(f"//select[@name='{name}']/option[@selected]/@value")
        fields[name] = chosen[0] if chosen else ""
    saved = web.post("/projects/NL-1-PPR-27787/edit?lang=ar", data={**fields, "csrf": csrf})
    assert saved.status_code == 303, saved.text[:400]
    assert stored()[1] == before[1]
    # A data manager's review: saved unchanged, the project went to version 2, the audit
    # trail said "no field changed", and it counted as entered by hand (the next import
    # of a newer file was refused). Saved unchanged is no change.
    assert stored()[0] == before[0]
    with db.transaction() as session:
        work = session.scalars(select(WorkRow).where(WorkRow.key == "NL-1-PPR-27787")).one()
        assert work.origin == "iati"
        wid = work.id
    events, _ = audit.listing(db, entity="work_item", entity_id=str(wid))
    assert [e["action"] for e in events if e["action"] != "insert"] == []
