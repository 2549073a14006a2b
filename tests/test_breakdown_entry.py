"""A total's breakdown by sex added from the total: the women, men and others it counts,
given as numbers only, each stored as a draft result like the total (project, indicator,
unit, period, country, source), all or none; a part already beside the total is refused,
naming it. Through the API and the result page, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lxml.html
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from greenfolio.services import breakdown_entry
from greenfolio.services.database import Database
from tests.test_api_support import User, add_project, add_user, browser, client

PROJECT = "bde-phl"
TOTAL = {
    "work": PROJECT,
    "indicator": "participants",
    "value": 1250,
    "period_start": "2021-01-01",
    "period_end": "2021-06-30",
    "country": "PHL",
    "citation": "attendance lists, Manila workshop",
    "evidence": "signed attendance sheets, Manila, 12 March 2021",
}
COPIED = ("project", "indicator", "unit", "kind", "period_start", "period_end", "country")


def _post(api: TestClient, user: User, rid: int, parts: dict[str, Any]) -> Any:
    return api.post(f"/api/v1/results/{rid}/breakdown", json=parts, headers=user.auth)


def _one_by_one(api: TestClient, user: User, parts: dict[str, Any]) -> list[dict[str, Any]]:
    """Parts entered each as a result of its own (the new-result form): the way a
    breakdown can still come to exceed its total, which the breakdown form refuses."""
    made = [
        api.post("/api/v1/results", json={**TOTAL, "value": v, "sex": s}, headers=user.auth)
        for s, v in parts.items()
    ]
    assert all(m.status_code == 201 for m in made), [m.text for m in made]
    return [m.json() for m in made]


def _results(api: TestClient, user: User) -> list[dict[str, Any]]:
    got = api.get("/api/v1/results", params={"project": PROJECT}, headers=user.auth)
    assert got.status_code == 200, got.text
    items: list[dict[str, Any]] = got.json()["items"]
    return items


def test_the_parts_are_added_like_the_total_all_or_none(db: Database) -> None:
    add_project(db, PROJECT, "pops", "PHL")
    add_project(db, "bde-bra", "pops", "BRA")
    editor = add_user(db, "ed", "editor@country:PHL")
    stranger = add_user(db, "edbra", "editor@country:BRA")
    api = client(db)
    made = api.post("/api/v1/results", json=TOTAL, headers=editor.auth)
    assert made.status_code == 201, made.text
    total = made.json()

    added = _post(api, editor, total["id"], {"female": 650, "male": "600"})
    assert added.status_code == 201, added.text
    parts = added.json()
    assert [(p["sex"], p["value"], p["review_state"]) for p in parts] == [
        ("female", 650, "draft"),
        ("male", 600, "draft"),
    ]
    for part in parts:
        assert {k: part[k] for k in COPIED} == {k: total[k] for k in COPIED}
        assert part["citation"] == TOTAL["citation"] and part["qualifier"] == "exact"
        assert part["evidence"] == TOTAL["evidence"]

    # a part already beside the total: refused, naming it, and the other part not added
    again = _post(api, editor, total["id"], {"female": 10, "other": 5})
    assert again.status_code == 422, again.text
    message = again.json()["error"]["message"]
    assert f"result {parts[0]['id']} counts it already" in message, message
    # a value that is not a plain number, a negative one, none at all
    for body, said in (
        ({"other": "1_000"}, "is not a number"),
        ({"other": True}, "does not match the API"),  # JSON true is no count of 1
        ({"other": 1e-10}, "give a whole number"),
        ({"other": "3.0000000001"}, "give a whole number"),
        ({"other": -3}, "zero or more"),
        ({}, "at least one part"),
        ({"other": ""}, "at least one part"),
    ):
        got = _post(api, editor, total["id"], body)
        assert got.status_code == 422 and said in got.json()["error"]["message"], (body, got.text)
    assert len(_results(api, editor)) == 3  # the total and its two parts, nothing else

    # a breakdown of a part, of a figure not counted by sex: refused
    of_part = _post(api, editor, parts[0]["id"], {"male": 1})
    assert of_part.status_code == 422 and "add the breakdown" not in of_part.text
    assert "a breakdown is added to the total" in of_part.json()["error"]["message"]
    tonnes = api.post(
        "/api/v1/results",
        json={"work": PROJECT, "indicator": "pops_destroyed", "value": 2, "unit": "t"},
        headers=editor.auth,
    ).json()
    refused = _post(api, editor, tonnes["id"], {"female": 1})
    assert refused.status_code == 422 and "not counted by sex" in refused.text
    # someone who may not read the total hears it does not exist
    assert _post(api, stranger, total["id"], {"other": 1}).status_code == 404
    assert len(_results(api, editor)) == 4


def test_the_result_page_adds_the_breakdown_and_lists_it(db: Database) -> None:
    add_project(db, PROJECT, "pops", "PHL")
    editor = add_user(db, "ed", "editor@country:PHL")
    viewer = add_user(db, "view", "viewer@country:PHL")
    api = client(db)
    total = api.post("/api/v1/results", json=TOTAL, headers=editor.auth).json()
    web, csrf = browser(db, editor)
    page = lxml.html.fromstring(web.get(f"/results/{total['id']}?lang=es").text)
    (form,) = page.xpath('//form[@data-testid="breakdown-form"]')
    assert form.xpath(".//input/@name") == ["csrf", "female", "male", "other"]

    # a refusal keeps what was typed and says it next to the box, in the page's language
    bad = {"csrf": csrf, "female": "650", "male": "-6"}
    got = web.post(f"/results/{total['id']}/breakdown?lang=es", data=bad)
    assert got.status_code == 422, got.text
    page = lxml.html.fromstring(got.text)
    assert page.xpath('string(//input[@name="female"]/@value)') == "650"
    assert page.xpath('//input[@name="male"]/@aria-invalid') == ["true"]
    assert "Hombres: un recuento es cero o más." in page.text_content()
    assert len(_results(api, editor)) == 1

    # a long value is read whole, never as its first characters (it was cut to 40)
    assert breakdown_entry._values({"male": "1." + "0" * 39 + "e5"}) == {"male": 100000.0}
    long = {**bad, "male": "600" + " " * 40 + "7"}
    assert web.post(f"/results/{total['id']}/breakdown", data=long).status_code == 422
    assert len(_results(api, editor)) == 1
    done = web.post(f"/results/{total['id']}/breakdown", data={**bad, "male": "600"})
    assert done.status_code == 303 and done.headers["location"].startswith(
        f"/results/{total['id']}"
    )
    page = lxml.html.fromstring(web.get(f"/results/{total['id']}?lang=fr").text)
    listed = [
        " ".join(li.text_content().split())
        for li in page.xpath('//*[@data-testid="breakdown-parts"]/li')
    ]
    assert [item.split(" #")[0] for item in listed] == [
        "Femmes : 650 personnes",
        "Hommes : 600 personnes",
    ], listed
    # the parts given are no longer offered; others still are
    assert page.xpath('//form[@data-testid="breakdown-form"]//input/@name') == ["csrf", "other"]
    # a reader sees the breakdown, not the form
    vweb, _ = browser(db, viewer)
    page = lxml.html.fromstring(vweb.get(f"/results/{total['id']}").text)
    assert len(page.xpath('//*[@data-testid="breakdown-parts"]/li')) == 2
    assert not page.xpath('//form[@data-testid="breakdown-form"]')


def test_submitting_the_total_submits_its_draft_parts(db: Database) -> None:
    """The parts added from the total's page go for review with it (each was a click of
    its own, and a reviewer saw the total alone); a part already returned waits for its
    author, and another project's draft is not touched."""
    add_project(db, PROJECT, "pops", "PHL")
    editor = add_user(db, "ed", "editor@country:PHL")
    api = client(db)
    total = api.post("/api/v1/results", json=TOTAL, headers=editor.auth).json()
    parts = _post(api, editor, total["id"], {"female": 650, "male": 600}).json()
    other = api.post(
        "/api/v1/results", json={**TOTAL, "period_end": "2021-03-31"}, headers=editor.auth
    ).json()
    web, _ = browser(db, editor)
    web.cookies.set("gf_lang", "es")
    page = lxml.html.fromstring(web.get(f"/results/{total['id']}").text)
    said = page.xpath('string(//*[@data-testid="submit-with-parts"])')
    assert said == (
        "Su desglose por sexo se presenta para examen con él (partes en borrador o devueltas: 2)."
    )
    sent = {"action": "submit", "version": 1}
    done = api.post(f"/api/v1/results/{total['id']}/review", json=sent, headers=editor.auth)
    assert done.status_code == 200, done.text
    states = {r["id"]: r["review_state"] for r in _results(api, editor)}
    assert states == {
        total["id"]: "submitted",
        parts[0]["id"]: "submitted",
        parts[1]["id"]: "submitted",
        other["id"]: "draft",
    }


def test_parts_above_the_total_are_refused_where_they_are_typed(db: Database) -> None:
    """90 women and 50 men beside a total of 100: nothing is added, the page says why in
    the reader's language and keeps the figures typed; with 30 women beside it already,
    75 men are refused too."""
    add_project(db, PROJECT, "pops", "PHL")
    editor = add_user(db, "ed", "editor@country:PHL")
    api = client(db)
    total = api.post("/api/v1/results", json={**TOTAL, "value": 100}, headers=editor.auth).json()
    refused = _post(api, editor, total["id"], {"female": 90, "male": 50})
    assert refused.status_code == 422
    assert "add up to 140, more than the total of 100" in refused.text
    assert len(_results(api, editor)) == 1  # all or none
    web, csrf = browser(db, editor)
    web.cookies.set("gf_lang", "fr")
    page = web.post(
        f"/results/{total['id']}/breakdown", data={"csrf": csrf, "female": "90", "male": "50"}
    )
    doc = lxml.html.fromstring(page.text)
    said = doc.xpath('string(//*[@role="alert"])')
    assert "Les parties totalisent 140, soit plus que le total de 100\u00a0: corrigez" in said
    assert doc.xpath('string(//input[@name="female"]/@value)') == "90"
    assert len(_results(api, editor)) == 1
    assert _post(api, editor, total["id"], {"female": 30}).status_code == 201
    again = _post(api, editor, total["id"], {"male": 75})
    assert again.status_code == 422 and "add up to 105" in again.text
    assert _post(api, editor, total["id"], {"male": 70}).status_code == 201


def test_a_second_part_of_one_sex_hides_no_excess_from_bulk_verification(db: Database) -> None:
    """A draft "0 women" beside "90 women" must not make 90 + 50 look like 50: each part
    counts, as the figures add them up, and the three are left out of a bulk verify."""
    add_project(db, PROJECT, "pops", "PHL")
    editor = add_user(db, "ed", "editor@country:PHL")
    reviewer = add_user(db, "rev", "reviewer@country:PHL")
    api = client(db)
    total = api.post("/api/v1/results", json={**TOTAL, "value": 100}, headers=editor.auth).json()
    parts = _one_by_one(api, editor, {"female": 90, "male": 50})
    decoy = {**TOTAL, "value": 0, "sex": "female"}
    assert api.post("/api/v1/results", json=decoy, headers=editor.auth).status_code == 201
    ids = [total["id"], *(p["id"] for p in parts)]
    for rid in [*ids[1:], ids[0]]:  # the parts first: a total takes its drafts along
        sent = {"action": "submit", "version": 1}
        got = api.post(f"/api/v1/results/{rid}/review", json=sent, headers=editor.auth)
        assert got.status_code == 200, got.text
    bulk = {"ids": ids, "action": "verify"}
    out = api.post("/api/v1/results/review", json=bulk, headers=reviewer.auth).json()
    assert out["done"] == [] and [r["id"] for r in out["refused"]] == ids
    # the reviewer reads it on the total's page too
    web, _ = browser(db, reviewer)
    page = lxml.html.fromstring(web.get(f"/results/{total['id']}").text)
    warned = " ".join(page.xpath('string(//*[@data-testid="breakdown-warning"])').split())
    assert "140" in warned, warned


def test_the_command_line_asks_for_a_check_before_verifying_an_excess(db: Database) -> None:
    """No page shows the sum beside the total there: verifying a result in an excess from
    the command line is refused (all or none) until --breakdown-checked."""
    from typer.testing import CliRunner

    from greenfolio.interfaces.cli.app import app

    add_project(db, PROJECT, "pops", "PHL")
    editor = add_user(db, "ed", "editor@country:PHL")
    api = client(db)
    total = api.post("/api/v1/results", json={**TOTAL, "value": 100}, headers=editor.auth).json()
    parts = _one_by_one(api, editor, {"female": 90, "male": 50})
    ids = [str(total["id"]), *(str(p["id"]) for p in parts)]
    for rid in [*ids[1:], ids[0]]:  # the parts first: a total takes its drafts along
        sent = {"action": "submit", "version": 1}
        assert api.post(f"/api/v1/results/{rid}/review", json=sent, headers=editor.auth).is_success
    url = db.engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    refused = runner.invoke(app, ["results", "verify", *ids, "--db", url])
    assert refused.exit_code == 2, refused.output
    said = " ".join(refused.output.split())
    assert "adds up to 140, more than its total of 100" in said and "--breakdown-checked" in said
    assert "nothing was changed: the 3 results are reviewed all together" in said
    assert {r["review_state"] for r in _results(api, editor)} == {"submitted"}
    done = runner.invoke(app, ["results", "verify", *ids, "--breakdown-checked", "--db", url])
    assert done.exit_code == 0, done.output
    assert {r["review_state"] for r in _results(api, editor)} == {"verified"}


def test_a_period_after_the_project_ended_is_said_on_the_result_page(db: Database) -> None:
    """A result filed under a closed project (or the wrong year): its page says so to
    those who enter and review it, in their language; one within the project is not."""
    from datetime import date

    from greenfolio.store.tables import WorkRow

    add_project(db, PROJECT, "pops", "PHL")
    with db.transaction() as session:
        work = session.scalars(select(WorkRow).where(WorkRow.key == PROJECT)).one()
        work.end_date = date(2021, 3, 31)
    editor = add_user(db, "ed", "editor@country:PHL")
    api = client(db)
    overlapping = api.post("/api/v1/results", json=TOTAL, headers=editor.auth).json()
    within = api.post(
        "/api/v1/results", json={**TOTAL, "period_start": "2020-01-01"}, headers=editor.auth
    ).json()
    later = api.post(
        "/api/v1/results",
        json={**TOTAL, "period_start": "2024-01-01", "period_end": "2024-06-30"},
        headers=editor.auth,
    ).json()
    web, _ = browser(db, editor)
    web.cookies.set("gf_lang", "ru")

    def said(rid: int) -> str:
        page = lxml.html.fromstring(web.get(f"/results/{rid}").text)
        return str(page.xpath('string(//*[@data-testid="after-project-end"])')).strip()

    assert said(overlapping["id"]) == "" and said(within["id"]) == ""
    assert said(later["id"]) == (
        "Период этого результата начинается после окончания проекта (31 мар. 2021\u202fг.): "
        "проверьте, что период и проект указаны верно."
    )


def test_the_parts_list_the_totals_current_evidence_files(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attendance list behind a total is behind its parts too: the same file (by its
    hash), served back byte for byte from each part; a withdrawn one is not carried."""
    from greenfolio.services.evidence_store import ENV_DIR
    from tests.evidence_files import pdf

    monkeypatch.setenv(ENV_DIR, str(tmp_path / "evidence"))
    add_project(db, PROJECT, "pops", "PHL")
    editor = add_user(db, "ed", "editor@country:PHL")
    api = client(db)
    total = api.post("/api/v1/results", json=TOTAL, headers=editor.auth).json()
    base = f"/api/v1/results/{total['id']}/evidence"
    content = pdf()
    kept = api.post(
        base, files={"file": ("list.pdf", content, "application/pdf")}, headers=editor.auth
    )
    assert kept.status_code == 201, kept.text
    gone = api.post(
        base, files={"file": ("old.pdf", content + b"\n", "application/pdf")}, headers=editor.auth
    )
    assert api.post(f"{base}/{gone.json()['id']}/withdraw", json={}, headers=editor.auth).is_success
    parts = _post(api, editor, total["id"], {"female": 650, "male": 600}).json()
    for part in parts:
        listed = api.get(f"/api/v1/results/{part['id']}/evidence", headers=editor.auth).json()
        assert [(f["filename"], f["sha256"], f["state"]) for f in listed] == [
            ("list.pdf", kept.json()["sha256"], "current")
        ]
        served = api.get(
            f"/api/v1/results/{part['id']}/evidence/{listed[0]['id']}", headers=editor.auth
        )
        assert served.status_code == 200 and served.content == content


def test_returning_the_total_returns_its_parts_with_the_same_reason(db: Database) -> None:
    """A reviewer who finds the women counted wrong returns the total: its parts under
    review go back with it (they stayed in the queue, could be verified alone, and their
    author could correct neither); the page says so beside the button. In bulk, a part
    selected beside its total is returned once, with it."""
    add_project(db, PROJECT, "pops", "PHL")
    editor = add_user(db, "ed", "editor@country:PHL")
    reviewer = add_user(db, "rev", "reviewer@country:PHL")
    api = client(db)
    totals = []
    for end in ("2021-06-30", "2021-03-31"):
        total = api.post(
            "/api/v1/results", json={**TOTAL, "period_end": end}, headers=editor.auth
        ).json()
        parts = _post(api, editor, total["id"], {"female": 45, "male": 75}).json()
        sent = {"action": "submit", "version": 1}
        done = api.post(f"/api/v1/results/{total['id']}/review", json=sent, headers=editor.auth)
        assert done.status_code == 200, done.text
        totals.append((total["id"], [p["id"] for p in parts]))
    (first, first_parts), (second, second_parts) = totals
    web, _ = browser(db, reviewer)
    web.cookies.set("gf_lang", "fr")
    page = lxml.html.fromstring(web.get(f"/results/{first}").text)
    said = page.xpath('string(//*[@data-testid="return-with-parts"])')
    assert said == (
        "Le renvoyer renvoie aussi sa ventilation par sexe, avec le même motif "
        "(parties soumises ou vérifiées\u00a0: 2)."
    )
    reason = "le nombre de femmes ne correspond pas à la liste (43 ?)"
    sent = {"action": "return", "version": 2, "note": reason}
    done = api.post(f"/api/v1/results/{first}/review", json=sent, headers=reviewer.auth)
    assert done.status_code == 200, done.text
    bulk = {"ids": [second_parts[0], second], "action": "return", "note": reason}
    out = api.post("/api/v1/results/review", json=bulk, headers=reviewer.auth).json()
    assert out["refused"] == []
    assert sorted(r["id"] for r in out["done"]) == sorted([second, *second_parts])
    states = {r["id"]: r["review_state"] for r in _results(api, editor)}
    assert set(states.values()) == {"returned"} and len(states) == 6
    detail = api.get(f"/api/v1/results/{first_parts[0]}", headers=editor.auth).json()
    assert detail["review_events"][-1]["note"] == reason


def test_a_part_goes_with_its_own_total_only_and_never_before_it(db: Database) -> None:
    """Review findings: totals of two sites share no parts (returning Cebu's duplicate
    un-verified Manila's breakdown); a part sent back with its total is not verified
    before the total is submitted again; a bulk return checks a following part's version."""
    add_project(db, PROJECT, "pops", "PHL")
    editor = add_user(db, "ed", "editor@country:PHL")
    reviewer = add_user(db, "rev", "reviewer@country:PHL")
    other = add_user(db, "rev2", "reviewer@country:PHL")
    api = client(db)

    def review(user: User, rid: int, action: str, **more: Any) -> Any:
        version = api.get(f"/api/v1/results/{rid}", headers=user.auth).json()["version"]
        sent = {"action": action, "version": version, **more}
        return api.post(f"/api/v1/results/{rid}/review", json=sent, headers=user.auth)

    manila = api.post(
        "/api/v1/results", json={**TOTAL, "value": 300, "entity": "Manila site"},
        headers=editor.auth,
    ).json()  # fmt: skip
    parts = [p["id"] for p in _post(api, editor, manila["id"], {"female": 150, "male": 150}).json()]
    cebu = api.post(
        "/api/v1/results", json={**TOTAL, "value": 50, "entity": "Cebu site"}, headers=editor.auth
    ).json()
    for rid in (manila["id"], cebu["id"]):
        assert review(editor, rid, "submit").status_code == 200
    # verifying Manila's total verifies its parts (150 + 150 is no excess over Cebu's 50)
    assert review(reviewer, manila["id"], "verify").status_code == 200
    assert review(reviewer, cebu["id"], "return", note="duplicate").status_code == 200
    states = {r["id"]: r["review_state"] for r in _results(api, editor)}
    assert [states[p] for p in parts] == ["verified", "verified"]

    # a part returned with its total waits for the total
    total = api.post(
        "/api/v1/results", json={**TOTAL, "period_end": "2021-03-31"}, headers=editor.auth
    ).json()
    added = _post(api, editor, total["id"], {"female": 45, "male": 75}).json()
    women, men = (p["id"] for p in added)
    assert review(editor, total["id"], "submit").status_code == 200
    assert review(reviewer, total["id"], "return", note="43 women?").status_code == 200
    assert review(editor, women, "submit").status_code == 200
    refused = review(reviewer, women, "verify")
    assert refused.status_code == 422 and f"result {total['id']}" in refused.text
    # the total submitted again takes its returned parts with it
    assert review(editor, total["id"], "submit").status_code == 200
    states = {r["id"]: r["review_state"] for r in _results(api, editor)}
    assert (states[total["id"]], states[women], states[men]) == ("submitted",) * 3

    # bulk: a part changed since the list was read stops its total's return
    seen = {str(r["id"]): r["version"] for r in _results(api, editor)}
    assert review(other, men, "verify").status_code == 200
    bulk = {"ids": [total["id"]], "action": "return", "note": "check", "versions": seen}
    out = api.post("/api/v1/results/review", json=bulk, headers=reviewer.auth).json()
    assert out["done"] == [] and [r["id"] for r in out["refused"]] == [total["id"]]
    assert {r["id"]: r["review_state"] for r in _results(api, editor)}[men] == "verified"


def test_verifying_the_total_verifies_its_submitted_parts(db: Database) -> None:
    """An officer's review: a total with women and men took three verifications (the
    parts stayed in the queue after their total was verified). The parts under review are
    verified with their total, as the page says beside Verify; in bulk a part selected
    beside its total is verified once."""
    add_project(db, PROJECT, "pops", "PHL")
    editor = add_user(db, "ed", "editor@country:PHL")
    reviewer = add_user(db, "rev", "reviewer@country:PHL")
    api = client(db)
    made = []
    for end in ("2021-06-30", "2021-03-31"):
        total = api.post(
            "/api/v1/results", json={**TOTAL, "period_end": end}, headers=editor.auth
        ).json()
        parts = [
            p["id"] for p in _post(api, editor, total["id"], {"female": 45, "male": 75}).json()
        ]
        sent = {"action": "submit", "version": 1}
        assert (
            api.post(
                f"/api/v1/results/{total['id']}/review", json=sent, headers=editor.auth
            ).status_code
            == 200
        )
        made.append((total["id"], parts))
    (first, first_parts), (second, second_parts) = made
    web, _ = browser(db, reviewer)
    web.cookies.set("gf_lang", "es")
    page = lxml.html.fromstring(web.get(f"/results/{first}").text)
    said = page.xpath('string(//*[@data-testid="verify-with-parts"])')
    assert (
        said == "Al verificarlo se verifica también su desglose por sexo (partes presentadas: 2)."
    )
    sent = {"action": "verify", "version": 2}
    done = api.post(f"/api/v1/results/{first}/review", json=sent, headers=reviewer.auth)
    assert done.status_code == 200, done.text
    bulk = {"ids": [second_parts[1], second], "action": "verify"}
    out = api.post("/api/v1/results/review", json=bulk, headers=reviewer.auth).json()
    assert out["refused"] == []
    assert sorted(r["id"] for r in out["done"]) == sorted([second, *second_parts])
    states = {r["id"]: r["review_state"] for r in _results(api, editor)}
    assert set(states.values()) == {"verified"} and len(states) == 6
    detail = api.get(f"/api/v1/results/{first_parts[0]}", headers=editor.auth).json()
    assert detail["review_events"][-1]["actor"] == "user:rev"


def test_returning_a_duplicate_total_leaves_the_verified_breakdown_alone(db: Database) -> None:
    """An officer's review: the same total entered twice (the second in Arabic digits)
    shared the first's women and men; returning the duplicate as such sent the verified
    parts back with it, while the first total stayed verified. Parts two totals share
    follow neither; the page does not say they would."""
    add_project(db, PROJECT, "pops", "PHL")
    editor = add_user(db, "ed", "editor@country:PHL")
    reviewer = add_user(db, "rev", "reviewer@country:PHL")
    api = client(db)

    def review(user: User, rid: int, action: str, **more: Any) -> Any:
        version = api.get(f"/api/v1/results/{rid}", headers=user.auth).json()["version"]
        sent = {"action": action, "version": version, **more}
        return api.post(f"/api/v1/results/{rid}/review", json=sent, headers=user.auth)

    first = api.post("/api/v1/results", json=TOTAL, headers=editor.auth).json()["id"]
    parts = [p["id"] for p in _post(api, editor, first, {"female": 650, "male": 600}).json()]
    assert review(editor, first, "submit").status_code == 200
    assert review(reviewer, first, "verify").status_code == 200
    again = api.post("/api/v1/results", json=TOTAL, headers=editor.auth).json()["id"]
    assert review(editor, again, "submit").status_code == 200
    web, _ = browser(db, reviewer)
    page = lxml.html.fromstring(web.get(f"/results/{again}").text)
    assert not page.xpath('//*[@data-testid="return-with-parts"]')
    assert review(reviewer, again, "return", note=f"duplicate of {first}").status_code == 200
    states = {r["id"]: r["review_state"] for r in _results(api, editor)}
    assert (states[first], states[again]) == ("verified", "returned")
    assert [states[p] for p in parts] == ["verified", "verified"]


def test_a_figure_entered_twice_is_said_on_its_page(db: Database) -> None:
    """An officer's review: the form took the same total twice without a word (it counts
    twice in every figure). Its page names the other; a part by sex is not the same
    figure as its total."""
    add_project(db, PROJECT, "pops", "PHL")
    editor = add_user(db, "ed", "editor@country:PHL")
    api = client(db)
    first = api.post("/api/v1/results", json=TOTAL, headers=editor.auth).json()["id"]
    parts = [p["id"] for p in _post(api, editor, first, {"female": 650, "male": 600}).json()]
    web, _ = browser(db, editor)
    page = lxml.html.fromstring(web.get(f"/results/{first}?lang=es").text)
    assert not page.xpath('//*[@data-testid="same-figure"]')
    again = api.post("/api/v1/results", json=TOTAL, headers=editor.auth).json()["id"]
    page = lxml.html.fromstring(web.get(f"/results/{first}?lang=es").text)
    said = page.xpath('//*[@data-testid="same-figure"]')
    assert said and said[0].xpath(".//a/@href") == [f"/results/{again}"]
    assert "La misma cifra" in said[0].text_content() and "(borrador)" in said[0].text_content()
    page = lxml.html.fromstring(web.get(f"/results/{parts[0]}?lang=es").text)
    assert not page.xpath('//*[@data-testid="same-figure"]')
