"""A programme officer entered 120 participants, then 70 women and 60 men for the same
project, indicator, period, country and kind of value, and nothing said that the parts
add up to more than the whole. Now the sum is checked (``domain.breakdown``) wherever such
figures are entered or judged: the result page of each of them (its author and the
reviewer), the review queue, the project page, and the XLSX import's preview; always a
warning in the reader's language naming the figures, never a refusal. The project page and
the import preview also say the sex of each result ("Total" for everyone), and the preview
the whole period. On SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import lxml.html
import openpyxl
import pytest
from fastapi.testclient import TestClient

from greenfolio.domain.breakdown import Figure, by_result, excesses
from greenfolio.interfaces.web import import_pages
from greenfolio.interfaces.web.i18n import Translator
from greenfolio.services.database import Database
from greenfolio.services.exchange.xlsx_template import write_template
from tests.test_api_support import User, add_project, add_user, browser, client

PROJECT = "bd-phl"
SPAN = {"period_start": "2025-01-01", "period_end": "2025-06-30", "country": "PHL"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LANGS = ("en", "es", "fr", "ru", "zh", "ar")


@pytest.fixture(autouse=True)
def _own_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(import_pages.ENV_FOLDER, str(tmp_path / "uploads"))


def _fig(rid: int, sex: str | None, value: float, unit: str = "person", **more: Any) -> Figure:
    identity = more.pop("identity", ("p", "participants", "2025-01-01", "2025-06-30", "PHL"))
    return Figure(rid, identity, sex, value, unit, more.pop("qualifier", "exact"))


def test_the_parts_of_a_total_never_add_up_to_more_than_it() -> None:
    total, women, men = _fig(1, None, 120), _fig(2, "female", 70), _fig(3, "male", 60)
    (found,) = excesses([men, total, women])  # in any order
    assert found.total == total and found.parts == (women, men) and found.parts_sum == 130
    assert by_result([found]) == {1: [found], 2: [found], 3: [found]}
    assert excesses([total, women, _fig(3, "male", 50)]) == []  # 120 exactly: fine
    assert excesses([women, men]) == []  # no total to compare with
    # a lower bound ("more than 120") allows any larger breakdown
    assert excesses([_fig(1, None, 120, qualifier="more_than"), women, men]) == []
    # other identities (another period, country or kind) are never compared
    other = ("p", "participants", "2025-07-01", "2025-12-31", "PHL")
    assert excesses([total, women, _fig(3, "male", 60, identity=other)]) == []
    # units converted to the total's; a unit of another kind is not compared
    assert excesses(
        [_fig(1, None, 1, "t"), _fig(2, "female", 700, "kg"), _fig(3, "male", 400, "kg")]
    )
    assert excesses([_fig(1, None, 1, "t"), _fig(2, "female", 700, "person")]) == []
    # a sex with two results: each counts, as the figures add both up (a "0 women" beside
    # "70 women" hides nothing; a figure entered twice is said)
    (twice,) = excesses([total, women, _fig(4, "female", 70), _fig(5, "male", 50)])
    assert [p.id for p in twice.parts] == [2, 4, 5] and twice.parts_sum == 190
    (decoy,) = excesses([total, women, _fig(4, "female", 0), _fig(3, "male", 60)])
    assert decoy.parts_sum == 130
    # women alone above the total
    assert excesses([total, _fig(2, "female", 121)])[0].parts_sum == 121


def _enter(api: TestClient, user: User, value: int, sex: str | None = None, **more: Any) -> int:
    body = {"work": PROJECT, "indicator": "participants", "value": value, **SPAN, **more}
    got = api.post("/api/v1/results", json=body | ({"sex": sex} if sex else {}), headers=user.auth)
    assert got.status_code == 201, got.text  # accepted: a warning, never a refusal
    return int(got.json()["id"])


def _page(web: TestClient, url: str) -> lxml.html.HtmlElement:
    got = web.get(url)
    assert got.status_code == 200, got.text
    return lxml.html.fromstring(got.text)


def _warned(page: lxml.html.HtmlElement) -> list[str]:
    return [
        " ".join(w.text_content().split())
        for w in page.xpath('.//*[@data-testid="breakdown-warning"]')
    ]


def _expected(lang: str, total: int = 120, women: int = 70, men: int = 60) -> list[str]:
    """The figures the warning names, as the reader's language writes them."""
    tr = Translator(lang)
    return [
        tr(
            "breakdown_part",
            sex=tr.label("sex", "female"),
            amount=tr.amount(women, "exact", "person"),
        ),
        tr("breakdown_part", sex=tr.label("sex", "male"), amount=tr.amount(men, "exact", "person")),
        tr.amount(women + men, "exact", "person"),
        tr.amount(total, "exact", "person"),
    ]


def _says(text: str, parts: list[str]) -> bool:
    flat = " ".join(text.split())
    return all(" ".join(p.split()) in flat for p in parts)


def test_women_and_men_above_their_total_are_named_wherever_the_figures_are(
    db: Database,
) -> None:
    add_project(db, PROJECT, "pops", "PHL")
    editor = add_user(db, "ed", "editor@all")
    reviewer = add_user(db, "rev", "reviewer@all")
    api = client(db)
    total, women, men = _enter(api, editor, 120), _enter(api, editor, 70, "female"), 0
    other = _enter(api, editor, 60, "male", period_start="2025-07-01", period_end="2025-12-31")
    web, csrf = browser(db, editor)
    assert _warned(_page(web, f"/results/{total}")) == []  # no breakdown above it yet
    men = _enter(api, editor, 60, "male")

    # the author: on each of the three results, in every language, naming the figures
    for rid in (total, women, men):
        for lang in LANGS:
            (said,) = _warned(_page(web, f"/results/{rid}?lang={lang}"))
            assert _says(said, _expected(lang)), (lang, said)
            assert Translator(lang)("breakdown_in_result", id=total) in said
    assert _warned(_page(web, f"/results/{other}")) == []  # another period: not compared
    page = _page(web, f"/results/{men}?lang=es")
    (said,) = _warned(page)
    assert "Mujeres (70 personas) + Hombres (60 personas) = 130 personas" in said, said
    assert "es 120 personas (resultado" in said, said
    assert {a.get("href") for a in page.xpath('//*[@data-testid="breakdown-warning"]//a')} == {
        f"/results/{total}",
        f"/results/{women}",
    }

    # the reviewer: on the result page and in the queue, on each row concerned
    for rid in (women, men, total, other):  # the parts first: a total takes its drafts along
        sent = web.post(
            f"/results/{rid}/review", data={"csrf": csrf, "action": "submit", "version": "1"}
        )
        assert sent.status_code == 303, sent.text
    rweb, rcsrf = browser(db, reviewer)
    assert _says(_warned(_page(rweb, f"/results/{total}?lang=fr"))[0], _expected("fr"))
    queue = _page(rweb, "/review?lang=ru")
    for rid in (total, women, men):
        row = queue.xpath(f'//tr[@data-result="{rid}"]')[0]
        (said,) = _warned(row)
        assert _says(said, _expected("ru")[2:]), said
        # its Verify leads to its page, where the sum stands beside the total
        assert row.xpath('.//a[@data-testid="check-and-verify"]/@href') == [f"/results/{rid}"]
        assert not row.xpath('.//button[@value="verify"]')
    assert _warned(queue.xpath(f'//tr[@data-result="{other}"]')[0]) == []
    # verifying them with others: the three are left out and named, the fourth is verified
    picks = [f"{rid}:2" for rid in (total, women, men, other)]
    done = rweb.post(
        "/review/bulk?lang=es", data={"csrf": rcsrf, "action": "verify", "pick": picks}
    )
    assert done.status_code == 200, done.text
    doc = lxml.html.fromstring(done.text)
    refused = doc.xpath('//*[@data-testid="bulk-refused"]//li')
    assert [li.get("data-result") for li in refused] == [str(total), str(women), str(men)]
    for li in refused:
        said = " ".join(li.text_content().split())
        assert "su desglose por sexo suma más que su total" in said, said
    assert doc.xpath('//*[@data-testid="bulk-done"]//a/@href') == [f"/results/{other}"]
    api_said = api.post(
        "/api/v1/results/review",
        json={"ids": [total], "action": "verify"},
        headers=reviewer.auth,
    ).json()
    assert api_said["done"] == [] and api_said["refused"][0]["code"] == "invalid"
    assert "breakdown by sex" in api_said["refused"][0]["message"]
    # one by one through the API: refused until the figures are said to be checked
    single = {"action": "verify", "version": 2}
    got = api.post(f"/api/v1/results/{total}/review", json=single, headers=reviewer.auth)
    assert got.status_code == 422
    assert '"breakdown_checked": true' in got.json()["error"]["message"]
    states = {
        rid: api.get(f"/api/v1/results/{rid}", headers=reviewer.auth).json()["review_state"]
        for rid in (total, women, men, other)
    }
    assert states == {total: "submitted", women: "submitted", men: "submitted", other: "verified"}
    # on its own page, with the warning in view, the reviewer may verify it
    one = {"csrf": rcsrf, "action": "verify", "version": "2"}
    page = _page(rweb, f"/results/{women}?lang=es")
    assert page.xpath('//input[@data-testid="breakdown-checked"][@required]')
    refused = rweb.post(f"/results/{women}/review?lang=es", data=one)
    assert refused.status_code == 422 and "marque la casilla junto a Verificar" in refused.text
    one["breakdown_checked"] = "yes"
    assert rweb.post(f"/results/{women}/review", data=one).status_code == 303

    # the project page: one warning, and each result's sex in a column of its own
    page = _page(web, f"/projects/{PROJECT}?lang=es")
    (said,) = _warned(page)
    assert _says(said, _expected("es"))
    sexes = {
        int(tr.get("data-result")): tr.xpath('./td[@data-label="Sexo"]')[0].text_content()
        for tr in page.xpath('//table[contains(@class, "results")]/tbody/tr')
    }
    assert sexes == {total: "Total", women: "Mujeres", men: "Hombres", other: "Hombres"}
    # the public reads verified figures, not the workings
    public, _ = browser(db, None, public=True)
    assert _warned(_page(public, f"/projects/{PROJECT}")) == []

    # corrected: the warning goes
    back = {"csrf": rcsrf, "action": "return", "version": "2", "note": "Men: 50"}
    assert rweb.post(f"/results/{men}/review", data=back).status_code == 303
    fixed = web.post(f"/results/{men}/edit", data={"csrf": csrf, "version": "3", "value": "50"})
    assert fixed.status_code == 303, fixed.text
    for rid in (total, women, men):
        assert _warned(_page(web, f"/results/{rid}")) == []
    assert _warned(_page(web, f"/projects/{PROJECT}")) == []


def test_a_lower_bound_total_and_a_total_alone_never_warn(db: Database) -> None:
    add_project(db, PROJECT, "pops", "PHL")
    editor = add_user(db, "ed", "editor@all")
    api = client(db)
    bound = _enter(api, editor, 120, qualifier="more_than")
    _enter(api, editor, 70, "female")
    _enter(api, editor, 60, "male")
    web, _ = browser(db, editor)
    assert _warned(_page(web, f"/results/{bound}")) == []
    page = _page(web, f"/projects/{PROJECT}")
    assert _warned(page) == []
    # the column says the sex; an indicator not broken down by sex says none
    _enter(api, editor, 3, indicator="policies_adopted", unit="policy")
    page = _page(web, f"/projects/{PROJECT}")
    rows = page.xpath('//table[contains(@class, "results")]/tbody/tr')
    assert [r.xpath('./td[@data-label="Sex"]')[0].text_content() for r in rows] == [
        "Total", "Women", "Men", ""
    ]  # fmt: skip


def _file(db: Database, tmp_path: Path, rows: list[list[Any]]) -> bytes:
    template = write_template(db, ["participants"], tmp_path / "template.xlsx")
    book = openpyxl.load_workbook(template)
    for n, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            book["Results"].cell(row=n, column=col, value=value)
    out = tmp_path / "filled.xlsx"
    book.save(out)
    return out.read_bytes()


def _row(value: int, sex: str | None) -> list[Any]:
    return [PROJECT, "participants", value, "person", "actual", "exact", date(2025, 4, 1),
            date(2025, 6, 30), "PHL", sex]  # fmt: skip


def test_the_import_preview_says_period_and_sex_and_warns_then_says_what_was_done(
    db: Database, tmp_path: Path
) -> None:
    add_project(db, PROJECT, "pops", "PHL")
    editor = add_user(db, "ed", "editor@all")
    web, csrf = browser(db, editor)
    content = _file(db, tmp_path, [_row(100, None), _row(70, "female"), _row(80, "male")])
    got = web.post(
        "/import?lang=es", data={"csrf": csrf}, files={"file": ("rellena.xlsx", content, XLSX)}
    )
    assert got.status_code == 200, got.text
    page = lxml.html.fromstring(got.text)
    tr = Translator("es")
    shown = {
        r.get("data-row"): " ".join(r.xpath("./td")[-1].text_content().split())
        for r in page.xpath('//table[contains(@class, "preview")]/tbody/tr')
    }
    period = " ".join(tr.period("2025-04-01", "2025-06-30").split())
    assert shown == {
        "Results:2": f"participantes: 100 personas · {period} · Filipinas · Total",
        "Results:3": f"participantes: 70 personas · {period} · Filipinas · Mujeres",
        "Results:4": f"participantes: 80 personas · {period} · Filipinas · Hombres",
    }
    (said,) = _warned(page)
    assert "Mujeres (70 personas) + Hombres (80 personas) = 150 personas" in said, said
    assert "100 personas (fila 2 de este archivo)" in said, said
    # a warning: the file can still be imported, and then the page says what was done
    fields = {
        i.get("name"): i.get("value")
        for i in page.xpath('//form[@data-testid="import-confirm"]//input')
    }
    done = web.post("/import/apply?lang=es", data=fields)
    assert done.status_code == 200, done.text
    said_done = lxml.html.fromstring(done.text).xpath('//*[@data-testid="import-done"]')[0]
    text = " ".join(said_done.text_content().split())
    assert "Resultados nuevos, presentados para examen: 3" in text, text
    assert "se presentarán" not in text
    # stored now: the same identity read back warns on the stored results
    assert _warned(_page(web, f"/projects/{PROJECT}"))


def test_the_command_line_and_the_api_say_an_excess_in_a_file_too(
    db: Database, tmp_path: Path
) -> None:
    """The page warns above its preview; the API's preview gives the same, and the command
    line's import says it (a warning: the rows are stored)."""
    from greenfolio.services.exchange.xlsx_import import import_results

    add_project(db, PROJECT, "pops", "PHL")
    editor = add_user(db, "ed", "editor@all")
    content = _file(db, tmp_path, [_row(30, None), _row(25, "female"), _row(25, "male")])
    api = client(db)
    preview = api.post(
        "/api/v1/imports/xlsx/preview",
        files={"file": ("f.xlsx", content, XLSX)},
        headers=editor.auth,
    ).json()
    (excess,) = preview["breakdown"]
    assert excess["parts_sum"] == 50 and excess["total"]["value"] == 30
    path = tmp_path / "f.xlsx"
    path.write_bytes(content)
    done = import_results(db, path)
    assert done.created == 3
    (said,) = [p for p in done.warnings if "breakdown by sex" in p.message]
    assert "rows 3, 4" in said.message.replace("row(s)", "rows") and "50" in said.message
    assert "more than the total of 30 (row 2)" in said.message


def test_women_and_men_without_a_total_are_said_before_they_are_lost(
    db: Database, tmp_path: Path
) -> None:
    """An officer imported 25 women and 30 men and no total: the dashboard's participants
    stayed empty (figures count totals). The preview (page and API) and the command line
    say so; a total in the file, or stored, makes the parts a breakdown again."""
    from greenfolio.services.exchange.xlsx_import import import_results

    add_project(db, PROJECT, "pops", "PHL")
    editor = add_user(db, "ed", "editor@all")
    web, csrf = browser(db, editor)
    parts = _file(db, tmp_path, [_row(25, "female"), _row(30, "male")])
    got = web.post("/import?lang=fr", data={"csrf": csrf}, files={"file": ("f.xlsx", parts, XLSX)})
    assert got.status_code == 200, got.text
    said = lxml.html.fromstring(got.text).xpath('//*[@data-testid="untotalled"]')
    assert said and "Les lignes 2, 3 donnent des femmes ou des hommes sans total" in (
        " ".join(said[0].text_content().split())
    )
    preview = client(db).post(
        "/api/v1/imports/xlsx/preview", files={"file": ("f.xlsx", parts, XLSX)},
        headers=editor.auth,
    ).json()  # fmt: skip
    assert preview["untotalled"] == [[2, 3]]
    path = tmp_path / "parts.xlsx"
    path.write_bytes(parts)
    done = import_results(db, path)
    assert done.created == 2
    (warned,) = [p for p in done.warnings if "no total" in p.message]
    assert warned.message.startswith("row(s) 2, 3 give women or men") and warned.row == 2
    # with a total in the file, nothing to say; and once a total is stored, parts added
    # later are its breakdown
    whole = _file(db, tmp_path, [_row(55, None), _row(25, "female"), _row(30, "male")])
    again = client(db).post(
        "/api/v1/imports/xlsx/preview", files={"file": ("g.xlsx", whole, XLSX)},
        headers=editor.auth,
    ).json()  # fmt: skip
    assert again["untotalled"] == []


def test_the_preview_names_baselines_and_targets(db: Database, tmp_path: Path) -> None:
    """A target row read like an achievement in the preview (an officer's review)."""
    add_project(db, PROJECT, "pops", "PHL")
    web, csrf = browser(db, add_user(db, "ed", "editor@all"))
    target = _row(100, None)
    target[4] = "target"
    content = _file(db, tmp_path, [target, _row(80, None)])
    got = web.post(
        "/import?lang=ar", data={"csrf": csrf}, files={"file": ("f.xlsx", content, XLSX)}
    )
    page = lxml.html.fromstring(got.text)
    kinds = [
        k.get("data-kind") for k in page.xpath("//table[contains(@class,'preview')]//*[@data-kind]")
    ]
    assert kinds == ["target"]
    assert "مستهدف" in page.xpath("string(//*[@data-kind='target'])")
