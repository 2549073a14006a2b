"""The result form offers countries by name in the reader's language (the alpha-3 code is
what is sent, so the services and the API are unchanged) and asks for sex only where the
indicator is disaggregated by sex: a tonnage figure has no sex to give."""

from __future__ import annotations

from typing import Any

import lxml.html
import pytest

from greenfolio.domain.countries import all_countries, name_order
from greenfolio.domain.numbers import decimal_text
from greenfolio.domain.results import Sex
from greenfolio.interfaces.web.i18n import Translator
from greenfolio.services.database import Database
from tests.test_api_support import add_project, add_user, browser

SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
PROJECT = "idb49-pops-programme"
TONNES = {
    "indicator": "pops_destroyed",
    "value": "5",
    "unit": "t",
    "period_start": "2021-01-01",
    "period_end": "2021-12-31",
    "country": "SEN",
}


def _form(web: Any, indicator: str, lang: str) -> Any:
    page = web.get(
        f"/projects/{PROJECT}/results/new", params={"indicator": indicator, "lang": lang}
    )
    assert page.status_code == 200
    return lxml.html.fromstring(page.text).xpath("//form[@class='entry']")[0]


def _countries(form: Any) -> list[tuple[str, str]]:
    return [
        (o.get("value"), o.text_content()) for o in form.xpath(".//select[@name='country']//option")
    ]


def _chosen(form: Any, name: str) -> list[str]:
    return [str(v) for v in form.xpath(f".//select[@name='{name}']/option[@selected]/@value")]


@SQLITE
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_countries_are_chosen_by_name_in_the_readers_language(demo_db: Database, lang: str) -> None:
    web, _ = browser(demo_db, add_user(demo_db, f"ed{lang}", "editor@all"))
    form = _form(web, "pops_destroyed", lang)
    assert not form.xpath(".//input[@name='country']")  # no code typed by hand
    offered = _countries(form)
    tr = Translator(lang)
    assert offered[0] == ("", tr("no_country"))
    assert ("BRA", tr.country("BRA")) in offered and ("SEN", tr.country("SEN")) in offered
    assert len(offered) == 1 + len(all_countries(lang)) and len(offered) > 240
    names = [name for _, name in offered[1:]]
    assert names == sorted(names, key=name_order)
    assert _chosen(form, "country") == []  # "no particular country" stands first


def test_names_are_filed_as_a_reader_looks_for_them() -> None:
    french = [name for _, name in all_countries("fr")]
    assert french.index("Égypte") < french.index("Érythrée") < french.index("Espagne")
    assert french.index("Espagne") < french.index("Fidji")
    english = [code for code, _ in all_countries("en")]
    assert english.index("GMB") < english.index("GEO")  # "the Gambia" among the G


@SQLITE
def test_sex_is_asked_only_for_an_indicator_split_by_sex(demo_db: Database) -> None:
    web, _ = browser(demo_db, add_user(demo_db, "ed", "editor@all"))
    assert not _form(web, "pops_destroyed", "en").xpath(".//select[@name='sex']")
    people = _form(web, "participants", "ar").xpath(".//select[@name='sex']/option/@value")
    assert list(people) == ["", *(s.value for s in Sex)]


@SQLITE
def test_a_refused_form_keeps_the_chosen_country(demo_db: Database) -> None:
    web, csrf = browser(demo_db, add_user(demo_db, "ed", "editor@all"))
    url = f"/projects/{PROJECT}/results"
    sent = web.post(url, params={"lang": "fr"}, data={"csrf": csrf, **TONNES, "value": "-5"})
    assert sent.status_code == 422
    form = lxml.html.fromstring(sent.text).xpath("//form[@class='entry']")[0]
    assert _chosen(form, "country") == ["SEN"]
    assert not form.xpath(".//select[@name='sex']")
    odd = web.post(url, data={"csrf": csrf, **TONNES, "country": "XXX"})  # e.g. a crafted post
    assert odd.status_code == 422
    form = lxml.html.fromstring(odd.text).xpath("//form[@class='entry']")[0]
    assert _chosen(form, "country") == ["XXX"]  # shown back beside its error, not dropped


@SQLITE
def test_the_revision_form_offers_the_same_choices(demo_db: Database) -> None:
    web, csrf = browser(demo_db, add_user(demo_db, "ed", "editor@all"))
    made = web.post(f"/projects/{PROJECT}/results", data={"csrf": csrf, **TONNES})
    assert made.status_code == 303
    where = made.headers["location"].split("?")[0]
    form = lxml.html.fromstring(web.get(where, params={"lang": "ar"}).text).xpath(
        "//form[@class='entry']"
    )[0]
    assert ("SEN", Translator("ar").country("SEN")) in _countries(form)
    assert _chosen(form, "country") == ["SEN"] and not form.xpath(".//select[@name='sex']")
    moved = web.post(
        f"{where}/edit", data={"csrf": csrf, "version": "1", "country": "BRA", "value": "-1"}
    )
    assert moved.status_code == 422
    form = lxml.html.fromstring(moved.text).xpath("//form[@class='entry']")[0]
    assert _chosen(form, "country") == ["BRA"]


@SQLITE
def test_the_revision_form_can_clear_an_optional_field(demo_db: Database) -> None:
    """The revision form shows the stored values: "no particular country" (or an emptied
    entity) sent back clears it; a field the form did not send keeps its value."""
    web, csrf = browser(demo_db, add_user(demo_db, "ed", "editor@all"))
    made = web.post(
        f"/projects/{PROJECT}/results", data={"csrf": csrf, **TONNES, "entity": "Plant A"}
    )
    assert made.status_code == 303
    where = made.headers["location"].split("?")[0]
    sent = web.post(
        f"{where}/edit", data={"csrf": csrf, "version": "1", "country": "", "entity": " "}
    )
    assert sent.status_code == 303, sent.text[-2000:]
    result_id = int(where.rsplit("/", 1)[1])
    stored = web.get(f"/api/v1/results/{result_id}").json()
    assert stored["country"] is None and stored["entity"] is None
    assert stored["value"] == 5 and stored["period_end"] == "2021-12-31"  # not sent: kept


@SQLITE
def test_an_editor_of_one_country_is_offered_that_country(demo_db: Database) -> None:
    """Roles in Senegal alone: the form offers Senegal (and no particular country), not the
    world's 249 that the service would refuse on save; an editor of everything gets all."""
    add_project(demo_db, "sen-project", "pops", "SEN")
    web, _ = browser(demo_db, add_user(demo_db, "sen", "editor@country:SEN"))
    page = web.get("/projects/sen-project/results/new", params={"indicator": "pops_destroyed"})
    assert page.status_code == 200, page.text[-1000:]
    form = lxml.html.fromstring(page.text).xpath("//form[@class='entry']")[0]
    assert [code for code, _ in _countries(form)] == ["", "SEN"]
    web, _ = browser(demo_db, add_user(demo_db, "all", "editor@all"))
    assert len(_countries(_form(web, "pops_destroyed", "en"))) == len(all_countries("en")) + 1


@SQLITE
@pytest.mark.parametrize(
    ("indicator", "unit", "sent", "shown"),
    [
        ("participants", "person", "2", "2"),
        ("pops_destroyed", "t", "5", "5"),
        ("pops_destroyed", "t", "0.5", "0.5"),
        ("pops_destroyed", "t", "0.1", "0.1"),
        ("pops_destroyed", "t", "0.0000001", "0.0000001"),
        ("pops_destroyed", "t", "1e15", "1000000000000000"),  # the largest a result holds
    ],
)
def test_the_revision_form_shows_the_value_as_a_person_types_it(
    demo_db: Database, indicator: str, unit: str, sent: str, shown: str
) -> None:
    """A stored float is shown in the revision form's number field as typed: a count of 2
    is "2" (not "2.0", which a whole-number field flags), no exponent, no float noise."""
    web, csrf = browser(demo_db, add_user(demo_db, "ed", "editor@all"))
    fields = {**TONNES, "indicator": indicator, "unit": unit, "value": sent}
    made = web.post(f"/projects/{PROJECT}/results", data={"csrf": csrf, **fields})
    assert made.status_code == 303, made.text[-2000:]
    where = made.headers["location"].split("?")[0]
    form = lxml.html.fromstring(web.get(where).text).xpath("//form[@class='entry']")[0]
    assert form.xpath(".//input[@name='value']/@value") == [shown]


def test_a_number_is_written_as_typed() -> None:
    assert [decimal_text(v) for v in (2.0, 0.5, 1e-07, 1e20, 0.1, 12.5)] == [
        "2",
        "0.5",
        "0.0000001",
        "100000000000000000000",
        "0.1",
        "12.5",
    ]
