"""The project form reads countries as officers type them, by name in the page's language
("Sénégal" was refused: the field took ISO codes only), and shows them back by name."""

from __future__ import annotations

import lxml.html
import pytest

from greenfolio.domain.countries import typed_countries
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


def test_every_country_name_reads_back_as_written_in_each_language() -> None:
    """The edit page shows countries by name; saved unchanged they must come back as the
    same codes: UN names holding a comma ("China, Macao Special Administrative Region")
    were cut in two, adding China or refusing the save."""
    import pycountry

    from greenfolio.domain.languages import UN_LANGUAGES
    from greenfolio.interfaces.http.translator import Translator

    for lang in UN_LANGUAGES:
        tr = Translator(lang)
        sep = tr("list_sep")
        for country in pycountry.countries:
            for codes in ([country.alpha_3], [country.alpha_3, "SEN"], ["SEN", country.alpha_3]):
                shown = sep.join(tr.country(c) for c in codes)
                assert typed_countries(shown) == codes, (lang, shown)


def test_macao_saved_unchanged_stays_macao(db: Database) -> None:
    from sqlalchemy import select

    from greenfolio.store.tables import WorkCountryRow

    web, csrf = browser(db, add_user(db, "ida", "editor@all"))
    form = {"csrf": csrf, "key": "xm-mac", "kind": "project", "title_en": "M", "countries": "MAC"}
    assert web.post("/projects/new", data=form).status_code == 303
    for lang in ("ar", "en", "zh"):
        page = lxml.html.fromstring(web.get(f"/projects/xm-mac/edit?lang={lang}").text)
        fields = {i.get("name"): i.get("value") for i in page.xpath("//form//input[@name]")}
        saved = web.post(f"/projects/xm-mac/edit?lang={lang}", data={**fields, "csrf": csrf})
        assert saved.status_code == 303, (lang, saved.text[:300])
    with db.transaction() as session:
        stored = list(session.scalars(select(WorkCountryRow.country)))
    assert stored == ["MAC"]


def test_a_refused_date_is_echoed_as_typed(db: Database) -> None:
    web, csrf = browser(db, add_user(db, "ida", "editor@all"))
    form = {"csrf": csrf, "key": "xm-d", "kind": "project", "title_en": "D",
            "date_actual_start": "31 février 2022"}  # fmt: skip
    refused = web.post("/projects/new?lang=fr", data=form)
    assert refused.status_code == 422
    said = lxml.html.fromstring(refused.text).text_content()
    assert "31 février 2022" in said and "2022-02-31" not in said
