"""The result form shows every broken rule at once, each next to its field: an unknown
country no longer hides a negative value or a reversed period, nor does a value that is
not a number hide the others; nothing is stored while any problem stands."""

from __future__ import annotations

from typing import Any

import lxml.html
import pytest
from sqlalchemy import func, select

from greenfolio.interfaces.web.i18n import Translator, catalogue
from greenfolio.services.database import Database
from greenfolio.store.tables import ResultRow
from tests.test_api_support import add_user, browser

SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
PROJECT = "idb49-pops-programme"
NEWCOMER = {
    "indicator": "pops_destroyed",
    "value": "-5",
    "unit": "t",
    "period_start": "2021-06-30",
    "period_end": "2021-01-01",
    "country": "XXX",
}


def _results(db: Database) -> int:
    with db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(ResultRow)) or 0)


def _shown(html: str) -> tuple[list[str], dict[str, str]]:
    """The texts of the error box, and the error said next to each field (by name)."""
    page = lxml.html.fromstring(html)
    box = [li.text_content() for li in page.xpath("//div[@class='errors']//li")]
    beside: dict[str, str] = {}
    for span in page.xpath("//form[@class='entry']//span[@class='field-error']"):
        control = span.getprevious()
        assert control.get("aria-invalid") == "true"
        assert control.get("aria-describedby") == span.get("id")
        beside[control.get("name")] = span.text_content()
    return box, beside


def _post(db: Database, lang: str, **fields: Any) -> Any:
    web, csrf = browser(db, add_user(db, f"ed{_results(db)}{lang}", "editor@all"))
    return web.post(
        f"/projects/{PROJECT}/results", params={"lang": lang}, data={"csrf": csrf, **fields}
    )


@SQLITE
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_unknown_country_hides_no_other_problem(demo_db: Database, lang: str) -> None:
    before = _results(demo_db)
    sent = _post(demo_db, lang, **NEWCOMER)
    assert sent.status_code == 422
    box, beside = _shown(sent.text)
    tr = Translator(lang)
    negative = tr("err_result_negative", indicator=tr.text(_names()), value=tr.num(-5.0))
    period = tr("err_result_period", start=tr.date("2021-06-30"), end=tr.date("2021-01-01"))
    country = tr("err_country_unknown", code="XXX")
    assert box == [negative, period, country], box
    assert beside == {"value": negative, "period_end": period, "country": country}
    assert _results(demo_db) == before


@SQLITE
@pytest.mark.parametrize("typed", ["beaucoup", "1_000", "nan", "inf"])
def test_a_value_that_is_not_a_number_hides_no_other_problem(demo_db: Database, typed: str) -> None:
    """Python's own reading takes "1_000" for 1000 and "nan" for a number: not the form."""
    before = _results(demo_db)
    sent = _post(demo_db, "fr", **{**NEWCOMER, "value": typed})
    assert sent.status_code == 422
    box, beside = _shown(sent.text)
    tr, words = Translator("fr"), catalogue("fr")
    period = tr("err_result_period", start=tr.date("2021-06-30"), end=tr.date("2021-01-01"))
    country = tr("err_country_unknown", code="XXX")
    number = tr("err_pyd_number", field=words["value"])
    assert box == [number, period, country], box
    assert beside == {"value": number, "period_end": period, "country": country}
    assert _results(demo_db) == before


@SQLITE
def test_a_good_entry_still_saves_and_one_problem_still_shows(demo_db: Database) -> None:
    good = {**NEWCOMER, "value": "5", "period_end": "2021-12-31", "country": "BRA"}
    made = _post(demo_db, "en", **good)
    assert made.status_code == 303 and made.headers["location"].startswith("/results/")
    sent = _post(demo_db, "en", **{**good, "country": "XXX"})
    box, beside = _shown(sent.text)
    assert sent.status_code == 422 and len(box) == 1 and list(beside) == ["country"]


@SQLITE
def test_the_revision_form_shows_every_problem_too(demo_db: Database) -> None:
    good = {**NEWCOMER, "value": "5", "period_end": "2021-12-31", "country": "BRA"}
    web, csrf = browser(demo_db, add_user(demo_db, "ed", "editor@all"))
    made = web.post(f"/projects/{PROJECT}/results", data={"csrf": csrf, **good})
    where = made.headers["location"].split("?")[0]
    bad = {k: v for k, v in NEWCOMER.items() if k != "indicator"}
    sent = web.post(f"{where}/edit", data={"csrf": csrf, "version": "1", **bad})
    assert sent.status_code == 422
    box, beside = _shown(sent.text)
    assert len(box) == 3 and set(beside) == {"value", "period_end", "country"}, box
    shown = web.get(where)
    assert "2021-12-31" in shown.text and "BRA" in shown.text


def _names() -> dict[str, str]:
    from greenfolio.refdata.loader import indicators

    return dict(indicators()["pops_destroyed"].names)
