"""Entering and reviewing results as a programme officer found them: an actual value for a
period not begun is refused everywhere results are entered or revised; the review queue
confirms a step on the result as stored and shows what a reviewer judges by (period,
country, evidence), drafts and returned results in one list; a return note is the
instruction only while the result is returned; the entry form orders indicators by name
and the project's countries first, and says that women and men are a breakdown of a total.
"""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta
from pathlib import Path

import lxml.html
import openpyxl
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from greenfolio.domain.results import actual_not_begun, result_problems
from greenfolio.interfaces.http.translator import catalogue
from greenfolio.services.database import Database
from greenfolio.services.exchange.xlsx_import import import_results
from greenfolio.services.exchange.xlsx_template import write_template
from greenfolio.store.tables import ResultRow
from tests.test_api_support import User, add_project, add_user, browser, client

TODAY = date.today()
LATER = TODAY + timedelta(days=400)  # a period that starts next year or later


def _enter(api: TestClient, user: User, **fields: object) -> tuple[int, dict[str, object]]:
    body = {"work": "re-bra", "indicator": "participants", "value": 40, **fields}
    got = api.post("/api/v1/results", json=body, headers=user.auth)
    return got.status_code, got.json()


def _page(web: TestClient, url: str) -> lxml.html.HtmlElement:
    got = web.get(url)
    assert got.status_code == 200, got.text
    return lxml.html.fromstring(got.text)


def _review(web: TestClient, csrf: str, rid: int, action: str, version: int, **more: str) -> str:
    """A review step taken from the review page's own form; the page it leads to."""
    page = _page(web, "/review")
    forms = page.xpath(f'//tr[@data-result="{rid}"]//form[.//button[@value="{action}"]]')
    assert forms, f"no {action} form for result {rid} on /review"
    data = {i.name: i.value or "" for i in forms[0].xpath(".//input") if i.name}
    data |= {"csrf": csrf, "action": action, **more}
    assert data["version"] == str(version)
    sent = web.post(f"/results/{rid}/review", data=data)
    assert sent.status_code == 303, sent.text
    return str(sent.headers["location"])


def test_an_actual_value_for_a_period_not_begun_is_refused(db: Database) -> None:
    assert actual_not_begun("x", "actual", TODAY) is None  # begun today: under way
    assert actual_not_begun("x", "target", LATER) is None
    refused = actual_not_begun("x", "actual", LATER, LATER + timedelta(days=180))
    assert refused is not None and refused.field == "period_start"
    # the day the check ran (read now, not at collection: a run may cross midnight)
    assert refused.params["today"] == date.today().isoformat()
    assert result_problems("x", 1, "person", "person", LATER, None, "actual", TODAY)
    assert not result_problems("x", 1, "person", "person", LATER, None, "baseline", TODAY)

    add_project(db, "re-bra", "pops", "BRA")
    editor = add_user(db, "ed", "editor@all")
    api = client(db)
    later = {"period_start": LATER.isoformat(), "period_end": (LATER + timedelta(180)).isoformat()}
    status, body = _enter(api, editor, kind="actual", **later)
    assert status == 422, body
    assert "after today" in str(body)
    for kind in ("target", "planned", "baseline"):
        status, _ = _enter(api, editor, kind=kind, **later)
        assert status == 201
    # under way (begun this year, ending later): an actual value may be reported
    under_way = {**later, "period_start": (TODAY - timedelta(days=30)).isoformat()}
    status, made = _enter(api, editor, kind="actual", **under_way)
    assert status == 201, made
    rid = int(str(made["id"]))
    # revised into the future: refused, nothing changed
    got = api.patch(
        f"/api/v1/results/{rid}",
        json={"period_start": LATER.isoformat(), "version": 1},
        headers=editor.auth,
    )
    assert got.status_code == 422, got.text
    # a target moved to actual for a period not begun: refused too
    status, target = _enter(api, editor, kind="target", **later)
    got = api.patch(
        f"/api/v1/results/{target['id']}",
        json={"kind": "actual", "version": 1},
        headers=editor.auth,
    )
    assert got.status_code == 422, got.text

    # stored before the rule: it cannot be submitted
    with db.transaction() as session:
        session.execute(update(ResultRow).where(ResultRow.id == rid).values(period_start=LATER))
    got = api.post(
        f"/api/v1/results/{rid}/review",
        json={"action": "submit", "version": 1},
        headers=editor.auth,
    )
    assert got.status_code == 422, got.text


def test_the_entry_form_says_why_in_the_readers_language(db: Database) -> None:
    add_project(db, "re-bra", "pops", "BRA")
    editor = add_user(db, "ed", "editor@all")
    web, csrf = browser(db, editor)
    form = {
        "csrf": csrf,
        "indicator": "participants",
        "value": "40",
        "kind": "actual",
        "period_start": LATER.isoformat(),
        "period_end": (LATER + timedelta(days=180)).isoformat(),
    }
    got = web.post("/projects/re-bra/results?lang=fr", data=form)
    assert got.status_code == 422
    page = lxml.html.fromstring(got.text)
    said = " ".join(page.xpath('//*[@id="period_start-error"]//text()'))
    assert "rien n’a encore pu être accompli" in said and str(LATER.year) in said, said
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ResultRow)) == 0
    got = web.post("/projects/re-bra/results", data=form | {"kind": "target"})
    assert got.status_code == 303


def test_an_xlsx_row_of_an_actual_not_begun_is_refused(db: Database, tmp_path: Path) -> None:
    add_project(db, "re-bra", "pops", "BRA")
    template = write_template(db, ["participants"], tmp_path / "template.xlsx")
    book = openpyxl.load_workbook(template)
    for n, row in enumerate(
        [
            ["re-bra", "participants", 40, None, "actual", None, LATER, None, "BRA"],
            ["re-bra", "participants", 40, None, "target", None, LATER, None, "BRA"],
        ],
        start=2,
    ):
        for col, value in enumerate(row, start=1):
            book["Results"].cell(row=n, column=col, value=value)
    book.save(tmp_path / "filled.xlsx")
    summary = import_results(db, tmp_path / "filled.xlsx")
    assert [(e.row, (e.column or "")[0], e.message_id) for e in summary.errors] == [
        (2, "G", "result_actual_future_open")
    ]
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ResultRow)) == 0


def test_review_page_confirms_a_step_on_the_result_as_stored(db: Database) -> None:
    add_project(db, "re-bra", "pops", "BRA")
    editor = add_user(db, "ed", "editor@all")
    reviewer = add_user(db, "rev", "reviewer@all")
    api = client(db)
    _, made = _enter(api, editor, period_start="2021-01-01", period_end="2021-06-30")
    rid = int(str(made["id"]))
    ed_web, ed_csrf = browser(db, editor)
    target = _review(ed_web, ed_csrf, rid, "submit", 1)
    assert target.startswith(f"/review?done={rid}&seal=") and target.endswith("&saved=submit")
    flash = _page(ed_web, target).xpath('//*[@data-testid="saved"]//text()')
    assert (
        "".join(flash)
        == f"Result {rid} submitted for review: a reviewer will verify it or return it."
    )

    web, csrf = browser(db, reviewer)
    target = _review(web, csrf, rid, "return", 2, note="Check the dates")
    flash = "".join(_page(web, target).xpath('//*[@data-testid="saved"]//text()'))
    assert flash == f"Result {rid} returned to its authors with your reason."
    # a crafted link cannot claim a state that is not true, nor name a result not there,
    # nor replay a step on another browser (the seal binds it to the session that took it)
    for crafted in (f"/review?done={rid}&saved=verify", "/review?done=99999&saved=return"):
        assert not _page(web, crafted).xpath('//*[@data-testid="saved"]')
    assert not _page(ed_web, target).xpath('//*[@data-testid="saved"]')
    # the returned note is the instruction while returned, then only in the history
    page = _page(ed_web, f"/results/{rid}")
    assert "Check the dates" in "".join(page.xpath('//*[@data-testid="return-note"]//text()'))
    assert (
        ed_web.post(
            f"/results/{rid}/edit", data={"csrf": ed_csrf, "version": "3", "value": "41"}
        ).status_code
        == 303
    )
    _review(ed_web, ed_csrf, rid, "submit", 4)
    page = _page(ed_web, f"/results/{rid}")
    assert not page.xpath('//*[contains(@class, "review-note")]')
    steps = page.xpath('//ol[@class="steps"]/li')
    assert "Check the dates" in steps[1].text_content() and len(steps) == 3


def test_review_queue_shows_period_country_evidence_in_one_list(db: Database) -> None:
    add_project(db, "re-bra", "pops", "BRA")
    editor = add_user(db, "ed", "editor@all")
    api = client(db)
    made = [
        int(str(_enter(api, editor, country="BRA", period_start="2021-01-01",
                       period_end="2021-06-30", evidence="Attendance list")[1]["id"])),
        int(str(_enter(api, editor)[1]["id"])),
    ]  # fmt: skip
    web, csrf = browser(db, editor)
    _review(web, csrf, made[0], "submit", 1)
    reviewer = add_user(db, "rev", "reviewer@all")
    rweb, rcsrf = browser(db, reviewer)
    page = _page(rweb, "/review")
    heads = [h.text_content().strip() for h in page.xpath('//table[@data-state="submitted"]//th')]
    assert heads[1:] == [
        "#", "Project", "Indicator", "Period", "Country", "Value", "Evidence files", "Actions"
    ]  # fmt: skip
    row = page.xpath(f'//tr[@data-result="{made[0]}"]')[0]
    cells = {td.get("data-label"): td.text_content().strip() for td in row.xpath("./td")}
    assert cells["Period"] == "Jan 1 – Jun 30, 2021".replace(" – ", "\u2009–\u2009")
    assert cells["Country"] == "Brazil"
    assert (
        cells["Evidence files"].startswith("none")
        and "written description" in cells["Evidence files"]
    )
    _review(rweb, rcsrf, made[0], "return", 2, note="Attach the list")
    # data-entry: one table, returned first, then drafts, with the same columns
    page = _page(web, "/review")
    tables = page.xpath("//table[contains(@class, 'queue-list')]")
    assert len(tables) == 1
    assert [tr.get("data-state") for tr in tables[0].xpath(".//tbody/tr")] == ["returned", "draft"]
    assert len(tables[0].xpath(".//thead//th")) == len(tables[0].xpath(".//tbody/tr[1]/td"))


def test_no_review_step_is_said_in_a_sentence(db: Database) -> None:
    add_project(db, "re-bra", "pops", "BRA")
    editor = add_user(db, "ed", "editor@all")
    rid = _enter(client(db), editor)[1]["id"]
    web, _ = browser(db, editor)
    page = _page(web, f"/results/{rid}")
    assert not page.xpath('//ol[@class="steps"]')
    said = page.xpath('//*[@data-testid="no-review-steps"]')[0].text_content()
    assert said == catalogue("en")["no_review_steps_draft"]


def test_entry_form_orders_indicators_by_name_and_project_countries_first(db: Database) -> None:
    add_project(db, "re-bra", "pops", "BRA")
    editor = add_user(db, "ed", "editor@all")
    web, _ = browser(db, editor)
    for lang in ("en", "fr", "es", "ru"):
        page = _page(web, f"/projects/re-bra/results/new?lang={lang}")
        names = [o.text_content() for o in page.xpath('//select[@name="indicator"]/option')]
        assert len(names) > 10
        folded = [
            "".join(
                c for c in unicodedata.normalize("NFKD", n.casefold()) if c.isascii() or c.isalpha()
            )
            for n in names
        ]
        assert folded == sorted(folded), (lang, names)
    page = _page(web, "/projects/re-bra/results/new?indicator=participants&lang=en")
    groups = page.xpath('//select[@name="country"]/optgroup')
    assert [g.get("label") for g in groups] == ["This project's countries", "All other countries"]
    assert [o.get("value") for o in groups[0].xpath("option")] == ["BRA"]
    assert "BRA" not in [o.get("value") for o in groups[1].xpath("option")]
    help_text = " ".join(page.xpath('//p[@class="help"]/text()'))
    assert "only that total counts in the headline figures" in help_text
    assert page.xpath('//select[@name="sex"]/option[@value=""]')[0].text == "Everyone (total)"


def test_a_negative_fraction_of_a_count_is_told_once_without_negative_suggestions() -> None:
    """A newcomer's review: -3.5 participants read "values are never negative" and then
    "give a whole number, such as -3 or -2"."""
    found = result_problems("participants", -3.5, "person", "person", None, None, "actual")
    assert [p.message_id for p in found] == ["result_negative"], found


def test_a_return_without_a_reason_is_said_in_the_readers_language(db: Database) -> None:
    """A reason of spaces passes the browser's own check: the page says what to do in
    the reviewer's language (it gave the command line's English, "--reason")."""
    add_project(db, "re-bra", "pops", "BRA")
    editor = add_user(db, "ed", "editor@all")
    reviewer = add_user(db, "rev", "reviewer@all")
    _, made = _enter(client(db), editor, period_start="2021-01-01", period_end="2021-06-30")
    rid = int(str(made["id"]))
    ed_web, ed_csrf = browser(db, editor)
    _review(ed_web, ed_csrf, rid, "submit", 1)
    web, csrf = browser(db, reviewer)
    web.cookies.set("gf_lang", "fr")
    data = {"csrf": csrf, "action": "return", "version": "2", "note": "   ", "next": "/review"}
    sent = web.post(f"/results/{rid}/review", data=data, follow_redirects=True)
    text = " ".join(lxml.html.fromstring(sent.text).text_content().split())
    assert f"Pour renvoyer le résultat {rid}, indiquez le motif du renvoi" in text, text[-800:]
    assert "--reason" not in text
    stored = client(db).get(f"/api/v1/results/{rid}", headers=editor.auth).json()
    assert stored["review_state"] == "submitted"


def test_a_reason_of_invisible_characters_is_no_reason(db: Database) -> None:
    """Zero-width characters pass a strip(): the author would get an empty reason."""
    add_project(db, "re-bra", "pops", "BRA")
    editor = add_user(db, "ed", "editor@all")
    reviewer = add_user(db, "rev", "reviewer@all")
    api = client(db)
    _, made = _enter(api, editor, period_start="2021-01-01", period_end="2021-06-30")
    rid = int(str(made["id"]))
    sent = {"action": "submit", "version": 1}
    assert api.post(f"/api/v1/results/{rid}/review", json=sent, headers=editor.auth).is_success
    hidden = "\u200b\u2060\ufeff"
    sent = {"action": "return", "version": 2, "note": hidden}
    one = api.post(f"/api/v1/results/{rid}/review", json=sent, headers=reviewer.auth)
    bulk = api.post(
        "/api/v1/results/review",
        json={"ids": [rid], "action": "return", "note": hidden},
        headers=reviewer.auth,
    )
    assert (one.status_code, bulk.status_code) == (422, 422), (one.text, bulk.text)
    stored = api.get(f"/api/v1/results/{rid}", headers=editor.auth).json()
    assert stored["review_state"] == "submitted"
