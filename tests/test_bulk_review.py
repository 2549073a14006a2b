"""Issue 10, bulk review: several submitted results verified or returned with one reason.
Each result is checked as stored (roles on its stored project and country, its state, the
version listed, four eyes) and reviewed in its own transaction: the allowed ones are done,
the refused ones are named with the reason and left as they were. Through the API and the
review page, on SQLite and PostgreSQL."""

from __future__ import annotations

import lxml.html
from fastapi.testclient import TestClient

from greenfolio.services.database import Database
from tests.test_api_support import User, add_project, add_user, browser, client


def _enter(api: TestClient, user: User, project: str, value: float = 2) -> int:
    body = {
        "work": project,
        "indicator": "pops_destroyed",
        "value": value,
        "period_end": "2021-06-30",
    }
    made = api.post("/api/v1/results", json=body, headers=user.auth)
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def _submit(api: TestClient, user: User, rid: int) -> None:
    body = {"action": "submit", "version": 1}
    assert (
        api.post(f"/api/v1/results/{rid}/review", json=body, headers=user.auth).status_code == 200
    )


def _state(api: TestClient, user: User, rid: int) -> tuple[str, int]:
    got = api.get(f"/api/v1/results/{rid}", headers=user.auth).json()
    return got["review_state"], got["version"]


def test_api_does_the_allowed_and_names_the_refused(db: Database) -> None:
    add_project(db, "br-bra", "pops", "BRA")
    add_project(db, "br-ind", "pops", "IND")
    boss = add_user(db, "boss", "admin@all")
    editor = add_user(db, "ed", "editor@all")
    both = add_user(db, "both", "editor@all", "reviewer@country:BRA")
    api = client(db)
    theirs = [_enter(api, editor, "br-bra"), _enter(api, editor, "br-bra")]
    own = _enter(api, both, "br-bra")
    elsewhere = _enter(api, editor, "br-ind")
    draft = _enter(api, editor, "br-bra")
    for rid in (*theirs, own, elsewhere):
        _submit(api, editor if rid != own else both, rid)

    body = {"ids": [*theirs, own, elsewhere, draft, 999999, theirs[0]], "action": "verify"}
    got = api.post("/api/v1/results/review", json=body, headers=both.auth)
    assert got.status_code == 200, got.text
    out = got.json()
    assert [r["id"] for r in out["done"]] == theirs
    assert all(r["review_state"] == "verified" for r in out["done"])
    refused = {r["id"]: r for r in out["refused"]}
    assert list(refused) == [own, elsewhere, draft, 999999]  # each once, in the order given
    assert (
        refused[own]["code"] == "forbidden"
        and "who entered and submitted it" in (refused[own]["message"])
    )
    assert refused[elsewhere]["code"] == "forbidden" and "br-ind" in refused[elsewhere]["message"]
    assert refused[draft]["code"] == "invalid" and "it is draft" in refused[draft]["message"]
    assert refused[999999]["code"] == "not_found"
    # the refused ones are exactly as they were
    assert _state(api, boss, own) == ("submitted", 2)
    assert _state(api, boss, elsewhere) == ("submitted", 2)
    assert _state(api, boss, draft) == ("draft", 1)
    # each change is in the audit trail under the reviewer, as one review each
    events = api.get("/api/v1/audit", params={"entity": "result"}, headers=boss.auth).json()
    verified_by = {
        e["entity_id"]
        for e in events["items"]
        if e["actor"] == "user:both" and (e["after"] or {}).get("review_state") == "verified"
    }
    assert verified_by == {str(r) for r in theirs}


def test_return_needs_one_reason_and_a_bad_request_changes_nothing(db: Database) -> None:
    add_project(db, "br-bra", "pops", "BRA")
    editor = add_user(db, "ed", "editor@all")
    rev = add_user(db, "rev", "reviewer@all")
    api = client(db)
    rids = [_enter(api, editor, "br-bra", v) for v in (1, 2)]
    for rid in rids:
        _submit(api, editor, rid)
    no_reason = api.post(
        "/api/v1/results/review", json={"ids": rids, "action": "return"}, headers=rev.auth
    )
    assert no_reason.status_code == 422 and "reason" in no_reason.text
    assert [_state(api, rev, r)[0] for r in rids] == ["submitted", "submitted"]
    back = api.post(
        "/api/v1/results/review",
        json={"ids": rids, "action": "return", "note": "  period is wrong  "},
        headers=rev.auth,
    ).json()
    assert [r["review_state"] for r in back["done"]] == ["returned", "returned"]
    assert {r["review_note"] for r in back["done"]} == {"period is wrong"}
    assert back["refused"] == []
    # a stale version is refused for that result only
    for rid in rids:
        assert (
            api.post(
                f"/api/v1/results/{rid}/review",
                json={"action": "submit", "version": 3},
                headers=editor.auth,
            ).status_code
            == 200
        )
    out = api.post(
        "/api/v1/results/review",
        json={"ids": rids, "action": "verify", "versions": {str(rids[0]): 4, str(rids[1]): 3}},
        headers=rev.auth,
    ).json()
    assert [r["id"] for r in out["done"]] == [rids[0]]
    assert out["refused"][0]["id"] == rids[1] and out["refused"][0]["code"] == "conflict"
    assert _state(api, rev, rids[1]) == ("submitted", 4)


def test_the_review_page_ticks_verifies_and_says_why_in_french(db: Database) -> None:
    add_project(db, "br-bra", "pops", "BRA")
    editor = add_user(db, "ed", "editor@all")
    both = add_user(db, "both", "editor@all", "reviewer@all")
    api = client(db)
    other = [_enter(api, editor, "br-bra", v) for v in (1, 2)]
    own = _enter(api, both, "br-bra", 3)
    for rid in other:
        _submit(api, editor, rid)
    _submit(api, both, own)
    web, csrf = browser(db, both)
    web.cookies.set("gf_lang", "fr")
    page = lxml.html.fromstring(web.get("/review").text)
    boxes = page.xpath('//input[@type="checkbox"][@name="pick"][@form="bulk"]/@value')
    assert sorted(boxes) == sorted(f"{r}:2" for r in (*other, own))
    form = {"csrf": csrf, "action": "verify", "pick": boxes}
    done = web.post("/review/bulk", data=form)
    assert done.status_code == 200, done.text
    doc = lxml.html.fromstring(done.text)
    said_done = doc.xpath('string(//*[@data-testid="bulk-done"])')
    assert "Résultats vérifiés (2)\u00a0:" in said_done
    refused = doc.xpath('//*[@data-testid="bulk-refused"]//li')
    assert [li.get("data-result") for li in refused] == [str(own)]
    assert "Une autre personne doit le vérifier" in refused[0].text_content()
    assert [_state(api, editor, r)[0] for r in (*other, own)] == [
        "verified",
        "verified",
        "submitted",
    ]
    # returning without a reason is refused whole, in French, and nothing changes
    empty = web.post("/review/bulk", data={"csrf": csrf, "action": "return", "pick": [f"{own}:2"]})
    assert empty.status_code == 422 and "indiquez un motif" in empty.text
    kept = lxml.html.fromstring(empty.text).xpath('//input[@name="pick"][@checked]/@value')
    assert kept == [f"{own}:2"]  # the ticks stay for a second try
    assert _state(api, editor, own)[0] == "submitted"
    # without the form's token nothing happens
    assert (
        web.post("/review/bulk", data={"action": "verify", "pick": [f"{own}:2"]}).status_code == 403
    )
