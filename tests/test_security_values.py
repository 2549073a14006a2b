"""A hostile review: one editor entered 1e25 and every page listing the result answered
500 to every reviewer and admin (babel cannot round past 28 digits in the default decimal
context). Too large a value is now refused where it is entered; a stored one (from an
older release or an IATI file) still prints."""

from __future__ import annotations

import lxml.html
from sqlalchemy import update

from greenfolio.services.database import Database
from greenfolio.store.tables import ResultRow
from tests.test_api_support import add_project, add_user, browser, client


def test_a_value_too_large_to_be_real_is_refused_and_a_stored_one_still_prints(
    db: Database,
) -> None:
    add_project(db, "big-p", "pops", "BRA")
    editor = add_user(db, "ed", "editor@all")
    reviewer = add_user(db, "rev", "reviewer@all")
    api = client(db)
    body = {"work": "big-p", "indicator": "pops_destroyed", "period_end": "2021-06-30"}
    refused = api.post("/api/v1/results", json={**body, "value": 1e25}, headers=editor.auth)
    assert refused.status_code == 422, refused.text
    assert "more than any result holds" in refused.json()["error"]["message"]
    ghg = {**body, "indicator": "ghg_avoided", "value": 1e15, "unit": "MtCO2e"}
    in_tonnes = api.post("/api/v1/results", json=ghg, headers=editor.auth)
    assert in_tonnes.status_code == 422, "1e15 Mt is 1e21 t: too large in the indicator's unit"
    made = api.post("/api/v1/results", json={**body, "value": 1e15}, headers=editor.auth)
    assert made.status_code == 201, made.text
    rid = made.json()["id"]

    with db.transaction() as session:  # as an older release or an IATI file may have
        session.execute(update(ResultRow).where(ResultRow.id == rid).values(value=1e308))
    web, _csrf = browser(db, reviewer)
    for path in (f"/results/{rid}", "/results", "/projects/big-p", "/review"):
        for lang in ("en", "fr", "zh"):
            page = web.get(path, params={"lang": lang})
            assert page.status_code == 200, (path, lang, page.status_code)
    text = lxml.html.fromstring(web.get(f"/results/{rid}", params={"lang": "fr"}).text)
    assert "100\u202f000\u202f000" in text.text_content()

    form, _csrf = browser(db, editor)
    entry = form.get("/projects/big-p/results/new", params={"lang": "fr"})
    assert entry.status_code == 200
