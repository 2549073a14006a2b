"""Issue 10, filters on the audit trail: by period (UTC days), who made the change, kind of
record and of change, and one project (with its results) or result; the page's download
links carry the filters, so the CSV/XLSX holds exactly the events the page lists, with
times in ISO 8601 UTC. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import lxml.html
from fastapi.testclient import TestClient

from greenfolio.interfaces.web.i18n import catalogue
from greenfolio.services.database import Database
from tests.test_api_support import User, add_project, add_user, browser, client
from tests.test_list_exports import all_items, table


def _enter(api: TestClient, user: User, project: str) -> int:
    body = {"work": project, "indicator": "pops_destroyed", "value": 5, "period_end": "2021-06-30"}
    made = api.post("/api/v1/results", json=body, headers=user.auth)
    assert made.status_code == 201, made.text
    rid = int(made.json()["id"])
    sent = {"action": "submit", "version": 1}
    assert (
        api.post(f"/api/v1/results/{rid}/review", json=sent, headers=user.auth).status_code == 200
    )
    return rid


def _setup(db: Database) -> tuple[TestClient, User, dict[str, int]]:
    add_project(db, "af-one", "pops", "BRA")
    add_project(db, "af-two", "pops", "IND")
    boss = add_user(db, "boss", "admin@all")
    ed = add_user(db, "ed", "editor@all")
    kim = add_user(db, "kim", "editor@all")
    api = client(db)
    made = {"one": _enter(api, ed, "af-one"), "two": _enter(api, kim, "af-two")}
    return api, boss, made


def test_api_filters_by_actor_kind_record_and_period(db: Database) -> None:
    api, boss, made = _setup(db)
    every = all_items(api, "/api/v1/audit", boss.auth)
    by_ed = all_items(api, "/api/v1/audit", boss.auth, actor="ed")
    assert by_ed and {e["actor"] for e in by_ed} == {"user:ed"}
    assert len(by_ed) == len([e for e in every if e["actor"] == "user:ed"])
    updates = all_items(api, "/api/v1/audit", boss.auth, entity="result", change="update")
    assert {(e["entity"], e["action"]) for e in updates} == {("result", "update")}
    assert {e["entity_id"] for e in updates} == {str(made["one"]), str(made["two"])}
    # a project key: the project's own event and those of its result and review steps
    one = all_items(api, "/api/v1/audit", boss.auth, record="af-one")
    assert {e["entity"] for e in one} == {"work_item", "result", "review_event"}
    assert {e["entity_id"] for e in one if e["entity"] == "result"} == {str(made["one"])}
    assert all(e["entity_id"] != str(made["two"]) or e["entity"] != "result" for e in one)
    # a result number: that result and its review step only
    two = all_items(api, "/api/v1/audit", boss.auth, record=f"#{made['two']}")
    assert {e["entity"] for e in two} == {"result", "review_event"}
    assert all((e["after"] or {}).get("result_id", made["two"]) == made["two"] for e in two)
    # periods are whole UTC days (taken from the events themselves: the database may have been
    # prepared before midnight and the test run after it)
    days = sorted({date.fromisoformat(e["at"][:10]) for e in every})
    first, last = days[0], days[-1]
    assert len(all_items(api, "/api/v1/audit", boss.auth, since=str(first))) == len(every)
    on_last = [e for e in every if e["at"][:10] == str(last)]
    assert len(all_items(api, "/api/v1/audit", boss.auth, since=str(last))) == len(on_last)
    yesterday = str(first - timedelta(days=1))
    assert all_items(api, "/api/v1/audit", boss.auth, until=yesterday) == []
    tomorrow = str(last + timedelta(days=1))
    assert all_items(api, "/api/v1/audit", boss.auth, since=tomorrow) == []
    wrong = api.get(
        "/api/v1/audit", params={"since": tomorrow, "until": yesterday}, headers=boss.auth
    )
    assert wrong.status_code == 422


def test_the_page_and_its_download_list_the_same_events(db: Database) -> None:
    api, boss, _ = _setup(db)
    web, _ = browser(db, boss)
    today = str(datetime.now(UTC).date())
    asked = {"actor": "kim", "entity": "result", "since": today, "until": today}
    doc = lxml.html.fromstring(web.get("/audit", params=asked).text)
    shown = [int(i) for i in doc.xpath("//tr/@data-event")]
    assert shown and len(shown) == len(all_items(api, "/api/v1/audit", boss.auth, **asked))
    # the filters stay in the form and in the download links
    assert doc.xpath('//input[@name="actor"]/@value') == ["kim"]
    assert doc.xpath('//select[@name="entity"]/option[@selected]/@value') == ["result"]
    links = doc.xpath('//*[@data-testid="downloads"]//a/@href')
    assert len(links) == 2 and all("actor=kim" in h and "entity=result" in h for h in links)
    for href in links:
        rows = table(web.get(href))
        assert [int(r[0]) for r in rows[1:]] == shown
        assert {r[2] for r in rows[1:]} == {"kim"}  # the user's name, as on the page
        for row in rows[1:]:  # ISO 8601 in UTC
            assert str(row[1]).endswith("Z")
            assert datetime.fromisoformat(str(row[1]).rstrip("Z")).date().isoformat() == today
    # times on the page in the visitor's language, with the ISO instant in <time>
    fr = lxml.html.fromstring(web.get("/audit", params={**asked, "lang": "fr"}).text)
    stamp = fr.xpath("//tr[@data-event]//time")[0]
    assert stamp.get("datetime").endswith("Z") and "UTC" in stamp.text_content()
    assert any(
        month in stamp.text_content()
        for month in (
            "janv.",
            "févr.",
            "mars",
            "avr.",
            "mai",
            "juin",
            "juil.",
            "août",
            "sept.",
            "oct.",
            "nov.",
            "déc.",
        )
    )


def test_a_bad_date_is_said_in_the_visitors_language(db: Database) -> None:
    _, boss, _ = _setup(db)
    web, _ = browser(db, boss)
    web.cookies.set("gf_lang", "fr")
    got = web.get("/audit", params={"since": "30/06/2021"})
    assert got.status_code == 422
    assert "Du\u00a0: écrivez la date sous la forme année-mois-jour" in got.text
    later = web.get("/audit", params={"since": "2021-07-01", "until": "2021-06-30"})
    assert later.status_code == 422 and "La période commence après sa fin" in later.text


def _seen(text: str) -> str:
    return text.translate(dict.fromkeys(range(0x2066, 0x206A)))


def _screen(doc: Any) -> list[list[str]]:
    """The audit page's rows: number, who, what and the changes, as a visitor reads them
    (without the marks that isolate names in an Arabic sentence, which a download leaves
    out)."""
    out = []
    for tr in doc.xpath("//tr[@data-event]"):
        cells = tr.xpath("./td")
        changes = [_seen(li.text_content()) for li in cells[4].xpath(".//li")]
        out.append(
            [
                tr.get("data-event"),
                cells[2].text_content(),
                _seen(cells[3].text_content()),
                *changes,
            ]
        )
    return out


def test_the_download_says_who_and_what_as_the_screen_in_each_language(db: Database) -> None:
    api, boss, made = _setup(db)
    web, _ = browser(db, boss)
    today = str(datetime.now(UTC).date())
    for lang in ("en", "ar", "zh", "fr"):
        asked = {"entity": "result", "since": today, "lang": lang}
        screen = _screen(lxml.html.fromstring(web.get("/audit", params=asked).text))
        assert len(screen) >= 4
        for fmt in ("csv", "xlsx"):
            for got in (
                web.get("/export/audit", params={**asked, "format": fmt}),
                api.get("/api/v1/audit", params={**asked, "format": fmt}, headers=boss.auth),
            ):
                rows = table(got)
                head = rows[0]
                assert head[2:5] == [catalogue(lang)[k] for k in ("who", "what", "changed")]
                listed = [
                    [str(r[0]), r[2], r[3], *(str(r[4] or "").splitlines())] for r in rows[1:]
                ]
                assert listed == screen
        # no stored code in the file: no "user:kim", no "update result 5", no field name
        text = "\n".join("\t".join(str(c) for c in r) for r in rows)
        for code in ("user:", f"update result {made['two']}", "review_state", "period_end"):
            assert code not in text
        assert any("kim" in r[2] for r in rows[1:])
    ar = table(web.get("/export/audit", params={"format": "csv", "lang": "ar", "actor": "kim"}))
    assert all(any("\u0600" <= ch <= "\u06ff" for ch in r[3]) for r in ar[1:])
    zh = table(web.get("/export/audit", params={"format": "csv", "lang": "zh", "actor": "kim"}))
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in r[3]) for r in zh[1:])
    # the Arabic page isolates a project key in its sentence (FSI … PDI); the file does not
    # carry those invisible marks into a spreadsheet's cells
    projects = {"entity": "work_item", "lang": "ar", "since": today}
    isolates = {"\u2066", "\u2067", "\u2068", "\u2069"}
    page = web.get("/audit", params=projects).text
    assert isolates & set(page)
    for fmt in ("csv", "xlsx"):
        cells = table(web.get("/export/audit", params={**projects, "format": fmt}))
        assert len(cells) > 1
        assert not isolates & set("".join(str(c) for r in cells for c in r))


def test_a_bulk_write_is_said_in_words_not_by_its_tables_name(db: Database) -> None:
    """An IATI data manager read "work_sector", "work_finance" and "result *" on the audit
    page after an import, with "other details: 83" under each."""
    from greenfolio.services.exchange.iati_import import import_file
    from tests.conftest import DATA

    import_file(db, DATA / "iati" / "files" / "iati-example-v203.xml")
    boss = add_user(db, "boss", "admin@all")
    web, _ = browser(db, boss)
    tables = ("work_sector", "work_finance", "work_country", "work_org", "work_item", "*")
    for lang, said in (
        (
            "en",
            "Added in bulk (an import or a load): budgets and transactions of projects, 85 "
            "— file iati-example-v203.xml",
        ),
        ("fr", "Ajout groupé (importation ou chargement)\u00a0: budgets et opérations des projets"),
        ("zh", "批量添加（导入或加载）：项目预算和交易，"),
    ):
        doc = lxml.html.fromstring(web.get("/audit", params={"lang": lang}).text)
        what = [td.text_content() for td in doc.xpath("//td[@data-label][1]")]
        shown = [td.text_content() for td in doc.xpath("//tr[@data-event]/td[4]")]
        assert any(text.startswith(said) for text in shown), (lang, shown[:8])
        assert not [t for t in shown for name in tables if name in t], shown
        assert what
    csv = table(web.get("/export/audit", params={"format": "csv", "lang": "en"}))
    assert any("budgets and transactions of projects" in str(r[3]) for r in csv[1:]), csv[:5]


def test_a_projects_budgets_changed_by_an_import_are_said_as_its_page_says_them(
    db: Database, tmp_path: Path
) -> None:
    """An IATI data manager read "1 budget 2,000,000 EUR 2018-01-01 …, 2 transaction 2 …"
    in English on the French and Chinese audit pages."""
    from greenfolio.services.exchange.iati_import import import_file
    from tests.conftest import DATA

    source = DATA / "iati" / "files" / "iati-example-v203.xml"
    import_file(db, source)
    text = source.read_text("utf-8")
    first = text.index("<iati-activity ")
    second = text.index("<iati-activity ", first + 1)
    changed = (
        text[first:second]
        .replace(
            'last-updated-datetime="2018-06-22T10:22:07"',
            'last-updated-datetime="2019-01-01T00:00:00"',
        )
        .replace(
            '<value value-date="2018-01-01">2000000</value>',
            '<value value-date="2018-01-01">2500000</value>',
            1,
        )
    )
    edited = tmp_path / "edited.xml"
    edited.write_text(text[:first] + changed + text[second:], "utf-8")
    assert import_file(db, edited).updated == 1
    boss = add_user(db, "boss", "admin@all")
    web, _ = browser(db, boss)
    for lang, words in (
        ("fr", ("Budget", "2\u202f500\u202f000", "Décaissement")),
        ("zh", ("预算", "付款")),
    ):
        asked = {
            "entity": "work_item",
            "change": "update",
            "record": "NL-1-PPR-24706",
            "lang": lang,
        }
        doc = lxml.html.fromstring(web.get("/audit", params=asked).text)
        lines = [
            li.text_content() for li in doc.xpath("//tr[@data-event]//ul[@class='changes']/li")
        ]
        money = [line for line in lines if words[0] in line]
        assert money, (lang, lines)
        assert all(w in " ".join(money) for w in words), (lang, money)
        assert "transaction" not in " ".join(money) and "budget " not in " ".join(money)
