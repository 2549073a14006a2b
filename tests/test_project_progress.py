"""The project page sets baseline, target and actual side by side per period, entered
through the page as an officer would, in the visitor's language."""

from __future__ import annotations

import lxml.html
import pytest
from fastapi.testclient import TestClient

from greenfolio.domain.progress import by_period
from greenfolio.services.database import Database
from tests.test_api_support import add_user, browser

SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
PROJECT = "idb49-pops-programme"


def _enter(web: TestClient, csrf: str, kind: str, value: str, year: int = 2021) -> None:
    made = web.post(
        f"/projects/{PROJECT}/results",
        data={"csrf": csrf, "indicator": "pops_destroyed", "value": value, "unit": "t",
              "kind": kind, "period_start": f"{year}-01-01", "period_end": f"{year}-12-31"},
    )  # fmt: skip
    assert made.status_code == 303, made.text


@SQLITE
def test_target_baseline_and_actual_per_period_on_the_project_page(demo_db: Database) -> None:
    editor = add_user(demo_db, "ed", "editor@all")
    web, csrf = browser(demo_db, editor)
    _enter(web, csrf, "baseline", "0")
    _enter(web, csrf, "target", "400")
    _enter(web, csrf, "actual", "250")
    _enter(web, csrf, "actual", "50")
    _enter(web, csrf, "actual", "9", year=2020)  # another period, no target: not shown
    page = web.get(f"/projects/{PROJECT}", params={"lang": "en"})
    table = lxml.html.fromstring(page.text).xpath("//table[contains(@class,'progress')]")
    assert len(table) == 1
    rows = [
        [c.text_content().strip() for c in tr.xpath("td")] for tr in table[0].xpath(".//tbody/tr")
    ]
    assert [r for r in rows if "POPs" in r[0]] == [
        [
            "POPs destroyed or phased out",
            "Jan 1\u2009–\u2009Dec 31, 2021",
            "0 t",
            "400 t",
            "300 t",
            "75%",
        ]
    ]
    french = web.get(f"/projects/{PROJECT}", params={"lang": "fr"}).text
    assert "Progrès par rapport aux cibles" in french and "75\u00a0%" in french


def test_values_of_different_units_or_parts_are_not_added() -> None:
    rows = by_period(
        [
            {"indicator": "x", "unit": "t", "kind": "target", "value": 10, "period_start": None,
             "period_end": None},
            {"indicator": "x", "unit": "kg", "kind": "actual", "value": 5, "period_start": None,
             "period_end": None},
            {"indicator": "x", "unit": "t", "kind": "actual", "value": 2, "country": "BRA",
             "period_start": None, "period_end": None},
        ]
    )  # fmt: skip
    assert [(r.unit, r.values, r.share_of_target) for r in rows] == [("t", {"target": 10.0}, None)]
