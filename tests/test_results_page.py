"""The results page: every result one may read across projects, filtered, sorted, paged,
in the reader's language, with downloads of the same list."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest

from greenfolio.services.database import Database
from tests.test_api_support import add_user, browser


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_results_page_filters_sorts_and_downloads_what_it_shows(demo_db: Database) -> None:
    web, _ = browser(demo_db, add_user(demo_db, "resall", "editor@all"))
    page = web.get("/results?lang=fr")
    assert page.status_code == 200, page.text[:300]
    doc = lxml.html.fromstring(page.text)
    assert doc.xpath("//nav//a[@href='/results'][@aria-current='page']/text()") == ["Résultats"]
    rows = doc.xpath("//tr[@data-result]")
    assert len(rows) == 50  # a page; the demo holds more
    ids = [int(r.get("data-result")) for r in rows]
    assert ids == sorted(ids, reverse=True)  # newest entered first
    assert "trouvés" in doc.xpath("string(//p[@data-testid='found'])")
    # filtered by indicator and country, the rows are those and only those
    page = web.get("/results?indicator=countries_supported&country=phl&sort=id&lang=en")
    doc = lxml.html.fromstring(page.text)
    rows = doc.xpath("//tr[@data-result]")
    assert rows and all("Philippines" in r.text_content() for r in rows)
    assert all("countries supported" in r.text_content() for r in rows)
    ids = [int(r.get("data-result")) for r in rows]
    assert ids == sorted(ids)
    assert doc.xpath("//select[@name='country']/option[@selected]/@value") == ["PHL"]
    # the indicator choices are in the reader's order of names, not of codes
    names = doc.xpath("//select[@name='indicator']/option[@value!='']/text()")
    assert names == sorted(names, key=str.casefold) and "participants" in names
    # the download carries the same filters and gives the same rows
    href = doc.xpath("//p[@data-testid='downloads']/a[text()='CSV']/@href")[0]
    query = parse_qs(urlsplit(href).query)
    assert query["indicator"] == ["countries_supported"] and query["country"] == ["PHL"]
    csv = web.get(href)
    assert csv.status_code == 200
    assert len(csv.text.strip().splitlines()) == 1 + len(rows)
    # by value only within one indicator (across them it would rank tonnes with people)
    sorts = doc.xpath("//select[@name='sort']/option/@value")
    assert "-value" in sorts
    plain = lxml.html.fromstring(web.get("/results?sort=-value").text)
    assert "-value" not in plain.xpath("//select[@name='sort']/option/@value")
    assert plain.xpath("//select[@name='sort']/option[@selected]/@value") == ["-id"]
    # the project by its title, its key kept in the link's title
    cell = doc.xpath("//tr[@data-result]/td[3]/a")[0]
    assert cell.get("title", "").startswith("idb49-") and cell.text_content().strip()
    # a project by words of its title, not only by its whole key (the download the same)
    found = lxml.html.fromstring(web.get("/results?project=Vienna%20energy").text)
    titles = {r.xpath("string(td[3])").strip() for r in found.xpath("//tr[@data-result]")}
    assert titles == {"Vienna Energy Forum virtual series"}, titles
    rows = found.xpath("//tr[@data-result]")
    link = found.xpath("//p[@data-testid='downloads']/a[text()='CSV']/@href")[0]
    assert len(web.get(link).text.strip().splitlines()) == 1 + len(rows)
    # nothing matches: said so, in the reader's language
    page = web.get("/results?project=no-such-project&lang=es")
    assert "Ningún resultado coincide con estos filtros." in page.text


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_results_page_shows_only_what_the_reader_may_read(demo_db: Database) -> None:
    web, _ = browser(demo_db, add_user(demo_db, "resbra", "editor@country:BRA"))
    doc = lxml.html.fromstring(web.get("/results?lang=en").text)
    rows = doc.xpath("//tr[@data-result]")
    assert rows, "the demo has results in Brazil"
    projects = lxml.html.fromstring(web.get("/projects").text)
    mine = {c.text_content() for c in projects.xpath("//table//td[@class='key']//code")}
    shown = {r.xpath("string(td[3]/a/@title)").strip() for r in rows}
    assert shown and shown <= mine  # results of the projects in Brazil only
    everyone, _ = browser(demo_db, add_user(demo_db, "resall2", "editor@all"))
    total = lxml.html.fromstring(everyone.get("/results").text)
    assert len(total.xpath("//tr[@data-result]")) > len(rows)
    signed_out, _ = browser(demo_db, None)
    assert signed_out.get("/results").status_code in (303, 401)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_results_download_keeps_what_the_page_shows(demo_db: Database) -> None:
    # it lost sex, kind and start of period, wrote 1500.0, dates as text, an English sheet
    import csv
    import io
    from datetime import date

    from openpyxl import load_workbook

    web, _ = browser(demo_db, add_user(demo_db, "resdl", "viewer@all"))
    text = web.get("/export/results?indicator=participants&format=csv&lang=fr").text
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    head = rows[0]
    for word in ("Nature de la valeur", "Sexe", "Début de la période", "Fin de la période"):
        assert any(word.casefold() in h.casefold() for h in head), (word, head)
    value = head.index(next(h for h in head if h.casefold() == "valeur"))
    assert all(not r[value].endswith(".0") for r in rows[1:]) and "1500" in {
        r[value] for r in rows[1:]
    }
    sex = head.index(next(h for h in head if h.casefold() == "sexe"))
    assert "Femmes" in {r[sex] for r in rows[1:]}
    book = load_workbook(io.BytesIO(web.get("/export/results?format=xlsx&lang=ar").content))
    sheet = book.worksheets[0]
    assert sheet.title == "النتائج" and sheet.sheet_view.rightToLeft
    ends = [c.value for c in next(sheet.iter_cols(min_col=10, max_col=10, min_row=2))]
    assert ends and all(isinstance(v, date) for v in ends if v is not None)


def test_a_country_asked_for_is_shown_chosen_even_off_the_menu(demo_db: Database) -> None:
    """A country only on results under review (an import's new rows) is not among the
    menu's countries; filtered by it, the menu says so instead of "All"."""
    from tests.test_api_support import client

    boss = add_user(demo_db, "boss", "admin@all")
    made = client(demo_db).post(
        "/api/v1/results",
        json={"work": "idb49-philippines-ewaste", "indicator": "participants", "value": 4,
              "period_start": "2021-01-01", "period_end": "2021-06-30", "country": "KAZ"},
        headers=boss.auth,
    )  # fmt: skip
    assert made.status_code == 201, made.text
    web, _ = browser(demo_db, boss)
    doc = lxml.html.fromstring(web.get("/results?country=kaz&lang=ru").text)
    chosen = doc.xpath("//select[@name='country']/option[@selected]")
    assert [(o.get("value"), o.text_content()) for o in chosen] == [("KAZ", "Казахстан")]
    rid = made.json()["id"]
    assert doc.xpath(f"//a[@href='/results/{rid}']"), "the filtered row is listed"


def test_the_import_page_is_in_the_menu_of_those_who_may_enter_results(
    demo_db: Database,
) -> None:
    """An officer found the import page only through Review or a project's page."""
    editor, _ = browser(demo_db, add_user(demo_db, "ed", "editor@country:PHL"))
    viewer, _ = browser(demo_db, add_user(demo_db, "look", "viewer@all"))
    menu = "//header//nav//a/@href"
    assert "/import" in lxml.html.fromstring(editor.get("/results").text).xpath(menu)
    assert "/import" not in lxml.html.fromstring(viewer.get("/results").text).xpath(menu)
