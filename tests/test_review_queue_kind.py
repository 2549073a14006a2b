"""A newcomer's review: the review queue listed a target (7.7 t by 2026) as a plain value
with a Verify button, so a reviewer could verify it thinking it achieved; its download
had no column for it either. Now the queue and its download say which values are
targets or baselines, in the reader's language."""

from __future__ import annotations

import csv
import io

import lxml.html

from greenfolio.services.database import Database
from tests.test_api_support import add_project, add_user, browser, client


def test_the_queue_says_a_target_is_a_target(db: Database) -> None:
    add_project(db, "rq-bra", "pops", "BRA")
    editor = add_user(db, "rqed", "editor@country:BRA")
    reviewer = add_user(db, "rqrev", "reviewer@country:BRA")
    api = client(db)
    ids = {}
    for kind in ("target", "actual"):
        body = {"work": "rq-bra", "indicator": "pops_destroyed", "value": 7.7, "kind": kind}
        made = api.post("/api/v1/results", json=body, headers=editor.auth)
        assert made.status_code == 201, made.text
        rid = made.json()["id"]
        sent = api.post(
            f"/api/v1/results/{rid}/review",
            json={"action": "submit", "version": 1},
            headers=editor.auth,
        )
        assert sent.status_code == 200, sent.text
        ids[kind] = rid
    web, _ = browser(db, reviewer)
    for lang, word in (("en", "(Target)"), ("fr", "(Cible)"), ("zh", None)):
        root = lxml.html.fromstring(web.get("/review", params={"lang": lang}).text)
        target = root.xpath(f'//tr[@data-result="{ids["target"]}"]')[0]
        actual = root.xpath(f'//tr[@data-result="{ids["actual"]}"]')[0]
        said = target.xpath('string(.//*[@data-testid="value-kind"])')
        assert said and (word is None or said == word), (lang, said)
        assert not actual.xpath('.//*[@data-testid="value-kind"]')
    rows = list(csv.reader(io.StringIO(web.get("/export/review?format=csv&lang=en").text)))
    column = rows[0].index("Kind of value")
    kinds = {row[0]: row[column] for row in rows[1:]}
    assert kinds[str(ids["target"])] == "Target" and kinds[str(ids["actual"])] == "Actual"
