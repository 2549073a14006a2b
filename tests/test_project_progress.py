"""The project page sets baseline, target and actual side by side per period, entered
through the page as an officer would, in the visitor's language."""

from __future__ import annotations

from pathlib import Path

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


def test_where_lower_is_better_progress_is_the_fall_achieved() -> None:
    """A data manager's review: ODP tonnes consumed (IATI ascending="0"), target 30,
    actual 28.25, read "94 % of target" though the target was beaten. Where lower is
    better the share is that of the planned fall from the baseline; without a baseline
    none is given."""

    def rows(*values: tuple[str, float], lower: bool = True) -> float | None:
        results = [
            {"indicator": "odp", "unit": "ODP_t", "kind": kind, "value": value,
             "period_start": "2022-01-01", "period_end": "2022-12-31"}
            for kind, value in values
        ]  # fmt: skip
        (row,) = by_period(results, ["odp"] if lower else [])
        return row.share_of_target

    assert rows(("baseline", 40), ("target", 30), ("actual", 28.25)) == pytest.approx(1.175)
    assert rows(("baseline", 40), ("target", 30), ("actual", 35)) == pytest.approx(0.5)
    assert rows(("target", 30), ("actual", 28.25)) is None  # no baseline to fall from
    assert rows(("target", 30), ("actual", 28.25), lower=False) == pytest.approx(28.25 / 30)


DESCENDING = """<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03">
  <iati-activity last-updated-datetime="2023-05-01T00:00:00Z" xml:lang="en" default-currency="USD">
    <iati-identifier>XM-DAC-41123-ODS-1</iati-identifier>
    <reporting-org ref="XM-DAC-41123" type="40"><narrative>UNIDO</narrative></reporting-org>
    <title><narrative>HCFC phase-out</narrative></title>
    <activity-status code="2"/>
    <activity-date type="1" iso-date="2020-01-01"/>
    <result type="1" aggregation-status="1">
      <title><narrative>Consumption falls</narrative></title>
      <indicator measure="1" ascending="0">
        <title><narrative>ODP tonnes consumed</narrative></title>
        <baseline year="2019" iso-date="2019-01-01" value="40"/>
        <period>
          <period-start iso-date="2022-01-01"/><period-end iso-date="2022-12-31"/>
          <target value="30"/><actual value="28.25"/>
        </period>
      </indicator>
    </result>
  </iati-activity>
</iati-activities>
"""


def test_the_page_reads_ascending_0_as_lower_is_better(db: Database, tmp_path: Path) -> None:
    from greenfolio.services.exchange.iati_import import import_file

    path = tmp_path / "ods.xml"
    path.write_text(DESCENDING, encoding="utf-8")
    assert import_file(db, path).created == 1
    web, _ = browser(db, add_user(db, "reader", "viewer@all"))
    root = lxml.html.fromstring(web.get("/projects/XM-DAC-41123-ODS-1?lang=en").text)
    shares = [
        c.text_content().strip()
        for c in root.xpath("//table[contains(@class, 'progress')]//td[last()]")
    ]
    # the period's target and actual against the indicator's baseline of 2019 (40 t):
    # 11.75 of the planned 10 t fall, 118 %; the baseline's own row has no share
    assert sorted(shares) == ["118%", "—"], shares
