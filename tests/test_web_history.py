"""A project's history reads as a person would write it, in all six languages: an edit
that changed no field says so, no two lines of one event read alike, every line starts
the same way (a capital where the script has one), partners are named with their
organisations, and a period with one end unknown reads "until …" or "from …" rather
than hanging a dash off the other end."""

from __future__ import annotations

from typing import Any

import lxml.html
import pytest
from fastapi.testclient import TestClient

from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.interfaces.http.labels import catalogue
from greenfolio.interfaces.web.i18n import Translator
from greenfolio.services.database import Database
from tests.test_api_support import add_user, browser

SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
PROJECT = "idb49-pops-programme"
DASHES = ("\u2013", "-", "\u2014")
STORED: dict[str, Any] = {
    "id": 11,
    "key": PROJECT,
    "kind": "programme",
    "title": {"en": "Stockholm Convention programme"},
    "description": {},
    "status": "implementation",
    "version": 1,
    "origin": "demo",
    "details": None,
    "work_country": [],
    "work_finance": [],
    "work_org": [{"org_id": 1, "role": "reporting"}, {"org_id": 7, "role": "funding"}],
    "work_region": [],
    "work_sector": [],
    "work_term": [{"term_key": "programme:pops"}],
}
ORGS = {1: {"en": "UNIDO", "fr": "ONUDI"}, 7: {"en": "Global Environment Facility"}}


def _event(action: str, before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, Any]:
    old, new = before or {}, after
    return {
        "action": action,
        "entity": "work_item",
        "entity_id": "11",
        "actor": "demo",
        "before": before,
        "after": after,
        "changes": sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k)),
    }


@pytest.mark.parametrize("lang", UN_LANGUAGES)
def test_an_edit_that_changed_no_field_says_so(lang: str) -> None:
    """Saved as it was: only the version and the import mark changed (both hidden)."""
    saved = dict(STORED, version=2, origin=None)
    said = Translator(lang).event(_event("update", STORED, saved), organisations=ORGS)
    words = catalogue(lang)
    assert said["changes"], "an edit with no field changed leaves the column empty"
    assert words["audit_unchanged_version"].format(version=2) in said["changes"]
    dropped = words["audit_origin_dropped"].format(origin=words["origin_demo"])
    assert _capital(dropped) in said["changes"]


def test_an_edit_of_a_record_without_version_or_origin_says_no_field_changed() -> None:
    said = Translator("en").event(
        {**_event("update", {"key": "k"}, {"key": "k"}), "changes": ["updated_at"]}
    )
    assert said["changes"] == ["No field changed"]


@pytest.mark.parametrize("lang", UN_LANGUAGES)
def test_a_created_project_lists_each_field_once_and_alike(lang: str) -> None:
    said = Translator(lang).event(_event("create", None, STORED), organisations=ORGS)
    lines = said["changes"]
    assert len(lines) == len(set(lines)), lines
    other = catalogue(lang)["field_other"]
    assert not [line for line in lines if line.lower().startswith(other.lower())], lines
    assert [line for line in lines if line[:1] != line[:1].upper()] == []


def test_lines_start_with_a_capital_and_name_fields_as_the_language_does() -> None:
    lines = Translator("en").event(_event("create", None, STORED), organisations=ORGS)["changes"]
    for start in ("Key: ", "Kind: Programme", "Status: Being implemented", "Countries: —"):
        assert any(line.startswith(start) for line in lines), (start, lines)
    assert "Regions: —" in lines and "Budgets and transactions: —" in lines
    french = Translator("fr").event(_event("create", None, STORED), organisations=ORGS)
    assert "Clé\u00a0: idb49-pops-programme" in french["changes"]
    changed = dict(STORED, status="completed", work_country=[{"country": "BRA"}])
    english = Translator("en").event(_event("update", STORED, changed), organisations=ORGS)
    assert "Changed the status from Being implemented to completed" in english["changes"]
    assert "Countries: Brazil" in english["changes"]


@pytest.mark.parametrize(
    ("lang", "partners"),
    [
        ("en", "Partners: UNIDO (Reporting), Global Environment Facility (Funding)"),
        ("fr", "Partenaires\u00a0: ONUDI (Organisation déclarante), "),
        ("zh", "合作伙伴：UNIDO（报告方）、Global Environment Facility（供资方）"),
    ],
)
def test_partners_are_named_with_their_organisations(lang: str, partners: str) -> None:
    lines = Translator(lang).event(_event("create", None, STORED), organisations=ORGS)["changes"]
    assert any(line.startswith(partners) for line in lines), lines


def test_a_partner_whose_organisation_is_gone_is_named_by_its_number() -> None:
    lines = Translator("en").event(_event("create", None, STORED), organisations={})["changes"]
    assert "Partners: organisation 1 (Reporting), organisation 7 (Funding)" in lines


@pytest.mark.parametrize(
    ("lang", "until", "since", "both"),
    [
        ("en", "Until Jun 30, 2021", "From Jan 1, 2021", "Jan 1\u2009–\u2009Jun 30, 2021"),
        (
            "fr",
            "Jusqu’au 30 juin 2021",
            "À partir du 1 janv. 2021",
            "1 janv.\u2009–\u200930 juin 2021",
        ),
        ("es", "Hasta el 30 jun 2021", "Desde el 1 ene 2021", "1 ene\u2009–\u200930 jun 2021"),
        ("ru", "По 30 июн. 2021\u202fг.", "С 1 янв. 2021\u202fг.", "1 янв. – 30 июн. 2021\u202fг."),
        ("zh", "截至2021年6月30日", "自2021年1月1日起", "2021年1月1日至6月30日"),
        ("ar", "حتى 30 يونيو 2021", "ابتداءً من 1 يناير 2021", "1 يناير – 30 يونيو 2021"),
    ],
)
def test_a_period_reads_well_with_either_end_unknown(
    lang: str, until: str, since: str, both: str
) -> None:
    tr = Translator(lang)
    assert tr.period(None, "2021-06-30") == until
    assert tr.period("2021-01-01", None) == since
    assert tr.period("2021-01-01", "2021-06-30") == both
    assert tr.period(None, None) == ""
    for shown in (until, since, both):
        assert not shown.startswith(DASHES) and not shown.endswith(DASHES)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _resave(web: TestClient) -> None:
    """Open the project's edit form and save it as it stands."""
    form = lxml.html.fromstring(web.get(f"/projects/{PROJECT}/edit").text).xpath(
        "//form[contains(@class,'entry')]"
    )[0]
    data: dict[str, list[str]] = {}
    for name, value in form.form_values():
        data.setdefault(name, []).append(value)
    saved = web.post(f"/projects/{PROJECT}/edit", data=data)
    assert saved.status_code == 303, saved.text


def _cells(html: str, css: str) -> list[list[str]]:
    table = lxml.html.fromstring(html).xpath(f"//table[contains(@class,'{css}')]")[0]
    return [
        [" ".join(c.text_content().split()) for c in row.xpath("td")]
        for row in table.xpath(".//tbody/tr")
    ]


@SQLITE
def test_the_project_page_history_and_periods_after_an_unchanged_save(
    demo_db: Database,
) -> None:
    """Saved unchanged, a project writes nothing to its history (it wrote "No field
    changed (saved again as version 2)" and stopped the demo's loader owning it); the
    history and the periods still read in each language."""
    web, _ = browser(demo_db, add_user(demo_db, "boss", "admin@all"))
    before = web.get(f"/projects/{PROJECT}", params={"lang": "en"}).text
    _resave(web)
    english = web.get(f"/projects/{PROJECT}", params={"lang": "en"}).text
    assert _cells(english, "history") == _cells(before, "history")
    created = _cells(english, "history")[0]
    assert "No field changed" not in english
    assert created[3].count("Other details") == 0 and created[3].count("other details") == 0
    assert "Partners: UNIDO (Reporting), Global Environment Facility (Funding)" in created[3]
    periods = [row[3] for row in _cells(english, "results")]
    assert periods and set(periods) == {"Until Jun 30, 2021"}
    french = web.get(f"/projects/{PROJECT}", params={"lang": "fr"}).text
    assert "Aucun champ modifié" not in french
    assert {row[3] for row in _cells(french, "results")} == {"Jusqu’au 30 juin 2021"}
    audit = web.get("/audit", params={"record": PROJECT, "entity": "work_item", "lang": "en"})
    download = web.get(
        "/export/audit",
        params={"record": PROJECT, "entity": "work_item", "format": "csv", "lang": "en"},
    )
    for shown in (audit.text, download.text):
        assert "Partners: UNIDO (Reporting), Global Environment Facility (Funding)" in shown
        assert "No field changed" not in shown
