"""Numbers typed in the result forms, read as the page's language writes them (an
officer's review: "1.250" typed on a Spanish page was stored as 1.25 while the Spanish
template read the same keystrokes as 1,250). New result, revision and breakdown."""

from __future__ import annotations

import lxml.html
import pytest

from greenfolio.domain.errors import ValidationError
from greenfolio.interfaces.web import form_numbers
from greenfolio.services.database import Database
from tests.test_api_support import add_project, add_user, browser, client


@pytest.mark.parametrize(
    ("lang", "typed", "read"),
    [
        ("es", "1.250", "1250"),
        ("es", "1,25", "1.25"),
        ("es", "1.250,5", "1250.5"),
        ("ru", "1 250,5", "1250.5"),
        ("ru", "1,250", "1.25"),
        ("fr", "1\u202f250,5", "1250.5"),
        ("en", "1,250", "1250"),
        ("en", "1.250", "1.25"),
        ("zh", "１２５０", "1250"),
        ("ar", "١٢٥٠", "1250"),
        ("en", "twelve", "twelve"),  # no number: left for the form's own check
    ],
)
def test_a_typed_number_reads_as_the_pages_language_writes_it(
    lang: str, typed: str, read: str
) -> None:
    assert form_numbers.read_fields({"value": typed}, lang, ["value"]) == {"value": read}


def test_a_number_the_language_does_not_settle_is_refused_with_both_readings() -> None:
    with pytest.raises(ValidationError) as refused:
        form_numbers.read_fields({"value": "1.250"}, "fr", ["value"])
    assert refused.value.message_id == "form_number_ambiguous"
    assert refused.value.params["as_whole"] == 1250 and refused.value.params["as_decimal"] == 1.25


def test_the_forms_store_what_the_page_language_means(db: Database) -> None:
    add_project(db, "fn-esp", "pops", "PHL")
    editor = add_user(db, "ed", "editor@country:PHL")
    web, csrf = browser(db, editor)
    form = {
        "csrf": csrf, "indicator": "participants", "value": "1.250", "kind": "actual",
        "qualifier": "exact", "period_start": "2021-01-01", "period_end": "2021-06-30",
        "country": "PHL",
    }  # fmt: skip
    made = web.post("/projects/fn-esp/results?lang=es", data=form)
    assert made.status_code == 303, made.text
    rid = int(made.headers["location"].rsplit("/", 1)[1].split("?")[0])
    api = client(db)
    stored = api.get(f"/api/v1/results/{rid}", headers=editor.auth).json()
    assert stored["value"] == 1250
    # the breakdown, typed the Spanish way too
    parts = {"csrf": csrf, "female": "1.000", "male": "250"}
    assert web.post(f"/results/{rid}/breakdown?lang=es", data=parts).status_code == 303
    listed = api.get("/api/v1/results", params={"project": "fn-esp"}, headers=editor.auth)
    assert sorted(r["value"] for r in listed.json()["items"]) == [250, 1000, 1250]
    # a French page refuses "1.250" by name, keeping what was typed
    refused = web.post("/projects/fn-esp/results?lang=fr", data={**form, "value": "1.250"})
    assert refused.status_code == 422
    page = lxml.html.fromstring(refused.text)
    said = " ".join(page.text_content().split())
    assert "se lit 1250 dans certaines langues et 1,25 dans" in said, said
    assert page.xpath("//input[@name='value']/@value") == ["1.250"]
    # a revision typed the French way, shown back as the page's language types it
    tonnes = {**form, "indicator": "pops_destroyed", "unit": "t", "value": "2"}
    made = web.post("/projects/fn-esp/results?lang=fr", data=tonnes)
    assert made.status_code == 303, made.text
    rid = int(made.headers["location"].rsplit("/", 1)[1].split("?")[0])
    revised = web.post(
        f"/results/{rid}/edit?lang=fr", data={"csrf": csrf, "version": "1", "value": "12,5"}
    )
    assert revised.status_code == 303, revised.text
    assert api.get(f"/api/v1/results/{rid}", headers=editor.auth).json()["value"] == 12.5
    page = lxml.html.fromstring(web.get(f"/results/{rid}?lang=fr").text)
    field = "//form[contains(@action,'/edit')]//input[@name='value']/@value"
    assert page.xpath(field) == ["12,5"]
