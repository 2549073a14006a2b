"""Each indicator gets the entry form that fits it: its units in words, whole numbers for
counts, a line of help; and every broken rule of a result is shown at once, in the
visitor's language."""

from __future__ import annotations

import lxml.html
import pytest

from greenfolio.services.database import Database
from tests.test_api_support import add_user, browser

SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
PROJECT = "idb49-pops-programme"


@SQLITE
def test_the_form_fits_the_chosen_indicator(demo_db: Database) -> None:
    web, _ = browser(demo_db, add_user(demo_db, "ed", "editor@all"))
    first = lxml.html.fromstring(web.get(f"/projects/{PROJECT}/results/new").text)
    assert first.xpath("//form[@method='get']//select[@name='indicator']")
    assert not first.xpath("//input[@name='value']")

    upops = web.get(f"/projects/{PROJECT}/results/new",
                    params={"indicator": "upops_avoided", "lang": "en"})  # fmt: skip
    doc = lxml.html.fromstring(upops.text)
    units = [(o.get("value"), o.text) for o in doc.xpath("//select[@name='unit']/option")]
    assert units[0] == ("g_TEQ", "g TEQ") and ("mg_TEQ", "mg TEQ") in units
    assert ("t", "t") not in units  # a plain mass is not a TEQ amount
    # a text box read as the page's language writes numbers; a phone offers the keypad
    assert doc.xpath("//input[@name='value']/@inputmode") == ["decimal"]
    assert "Give the amount in g TEQ" in doc.xpath("string(//p[@class='help'])")

    people = web.get(f"/projects/{PROJECT}/results/new",
                     params={"indicator": "participants", "lang": "fr"})  # fmt: skip
    doc = lxml.html.fromstring(people.text)
    assert doc.xpath("//input[@name='value']/@inputmode") == ["numeric"]
    helps = " ".join(doc.xpath("//p[@class='help']/text()"))
    assert "nombre entier de personnes" in helps and "femmes et les hommes" in helps


@SQLITE
def test_every_broken_rule_is_shown_at_once_in_the_visitors_language(
    demo_db: Database,
) -> None:
    web, csrf = browser(demo_db, add_user(demo_db, "ed", "editor@all"))
    sent = web.post(
        f"/projects/{PROJECT}/results",
        params={"lang": "es"},
        data={"csrf": csrf, "indicator": "participants", "value": "2.5", "unit": "person",
              "period_start": "2021-12-31", "period_end": "2021-01-01"},
    )  # fmt: skip
    assert sent.status_code == 422
    errors = lxml.html.fromstring(sent.text).xpath("//div[@class='errors']//li/text()")
    assert len(errors) == 2, errors
    assert any("número entero" in e and "2 o 3" in e for e in errors), errors
    assert any("El período comienza" in e for e in errors), errors
    assert not any("participants" in e for e in errors)
    kept = lxml.html.fromstring(sent.text)
    assert kept.xpath("//input[@name='indicator']/@value") == ["participants"]


@SQLITE
def test_a_title_missing_in_the_visitors_language_falls_back_visibly(demo_db: Database) -> None:
    web, _ = browser(demo_db, add_user(demo_db, "ed", "editor@all"))
    arabic = lxml.html.fromstring(web.get(f"/projects/{PROJECT}", params={"lang": "ar"}).text)
    title = arabic.xpath("//h1/span[@lang='en']")
    assert title and title[0].get("dir") == "ltr"
    assert arabic.xpath("string(//h1/small[@class='fallback'])") == "(باللغة الإنجليزية)"
    english = lxml.html.fromstring(web.get(f"/projects/{PROJECT}", params={"lang": "en"}).text)
    assert not english.xpath("//h1//small[@class='fallback']")
