"""The project form reads countries as officers type them, by name in the page's language
("Sénégal" was refused: the field took ISO codes only), and shows them back by name."""

from __future__ import annotations

import lxml.html
import pytest

from greenfolio.interfaces.web.project_pages import typed_countries
from greenfolio.services.database import Database
from tests.test_api_support import add_user, browser


@pytest.mark.parametrize(
    ("typed", "codes"),
    [
        ("BRA CHN SEN", ["BRA", "CHN", "SEN"]),
        ("Sénégal, Côte d'Ivoire", ["SEN", "CIV"]),
        ("Россия", ["RUS"]),
        ("塞内加尔、中国", ["SEN", "CHN"]),
        ("السنغال، الصين", ["SEN", "CHN"]),
        ("Brasil; Senegal", ["BRA", "SEN"]),
        ("sen", ["SEN"]),
        ("Atlantis", ["Atlantis"]),  # kept as typed, for the refusal to name it
        ("", []),
    ],
)
def test_countries_typed_by_code_or_name(typed: str, codes: list[str]) -> None:
    assert typed_countries(typed) == codes


def test_a_french_officer_types_country_names(db: Database) -> None:
    web, csrf = browser(db, add_user(db, "ida", "editor@all"))
    form = {"csrf": csrf, "key": "fr-pcb-sen", "kind": "project", "title_en": "PCB",
            "countries": "Sénégal, Côte d’Ivoire"}  # fmt: skip
    saved = web.post("/projects/new?lang=fr", data=form)
    assert saved.status_code == 303, saved.text[:400]
    page = web.get("/projects/fr-pcb-sen/edit?lang=fr")
    field = lxml.html.fromstring(page.text).xpath("//input[@name='countries']")[0]
    assert field.get("value").replace("’", "'") == "Côte d'Ivoire, Sénégal"
    assert "BRA" not in field.get("placeholder", "")
    refused = web.post(
        "/projects/new?lang=fr", data={**form, "key": "x-1", "countries": "Atlantis"}
    )
    assert refused.status_code == 422
    assert "Atlantis" in lxml.html.fromstring(refused.text).text_content()


def test_classification_lists_span_the_form(db: Database) -> None:
    """An officer's review: "(a) infrastructures matérielles et im…" was cut off."""
    web, _ = browser(db, add_user(db, "ida", "editor@all"))
    form = lxml.html.fromstring(web.get("/projects/new?lang=fr").text)
    selects = form.xpath("//select[@name='terms']")
    assert selects
    assert all("wide" in (s.getparent().get("class") or "") for s in selects)
