"""The new-result form offers the indicators its project already reports first (an
officer's review: a POPs project's officer looked for "POPs destroyed" among all 24
indicators, accreditations included)."""

from __future__ import annotations

import lxml.html

from greenfolio.services.database import Database
from tests.test_api_support import add_project, add_user, browser, client


def test_the_projects_own_indicators_come_first(db: Database) -> None:
    add_project(db, "ri-khm", "pops", "KHM")
    editor = add_user(db, "ed", "editor@country:KHM")
    web, _ = browser(db, editor)
    page = lxml.html.fromstring(web.get("/projects/ri-khm/results/new?lang=fr").text)
    assert not page.xpath("//optgroup")  # nothing reported yet: one list
    made = client(db).post(
        "/api/v1/results",
        json={"work": "ri-khm", "indicator": "pops_destroyed", "value": 5, "unit": "t",
              "period_start": "2021-01-01", "period_end": "2021-12-31"},
        headers=editor.auth,
    )  # fmt: skip
    assert made.status_code == 201, made.text
    page = lxml.html.fromstring(web.get("/projects/ri-khm/results/new?lang=fr").text)
    groups = page.xpath("//select[@name='indicator']/optgroup")
    assert [g.get("label") for g in groups] == [
        "Déjà communiqués pour ce projet",
        "Autres indicateurs",
    ]
    assert groups[0].xpath("option/@value") == ["pops_destroyed"]
    offered = page.xpath("//select[@name='indicator']//option/@value")
    assert len(offered) == len(set(offered)) and "pops_destroyed" not in groups[1].xpath(
        "option/@value"
    )
