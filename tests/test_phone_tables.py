"""The tables of the portfolio, project, result, account, reports, audit and dashboard
pages carry, on each cell, the heading of its column (data-label): on a phone each row is
drawn as a card whose cells show those headings (style.css, table.stack), so a cell
without one would show a bare value. Checked in every language on the demo portfolio;
the browser test tests/e2e/test_flows.py::test_pages_fit_a_phone looks at the result."""

from __future__ import annotations

import re

import lxml.html

from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.services.database import Database
from tests.test_api_support import add_user, browser

PROJECT = "idb49-biochar"


def _tables(html: str) -> list[lxml.html.HtmlElement]:
    return list(lxml.html.fromstring(html).xpath("//main//table"))


def _unlabelled(table: lxml.html.HtmlElement) -> list[str]:
    """Cells whose data-label is not their column's heading (a heading-less column, a
    cell starting the card (.lead) and the row's own heading need none)."""
    heads = [th.text_content().strip() for th in table.xpath("thead/tr/th")]
    wrong = []
    for row in table.xpath("tbody/tr"):
        cells = row.xpath("th|td")
        if len(cells) != len(heads):  # "none" across all columns
            assert len(cells) == 1 and cells[0].get("colspan"), lxml.html.tostring(row)
            continue
        for cell, head in zip(cells, heads, strict=True):
            if cell.tag == "th" or "lead" in cell.get("class", "").split() or not head:
                continue
            if cell.get("data-label") != head:
                wrong.append(f"{head!r}: {cell.get('data-label')!r}")
    return wrong


def test_every_table_cell_carries_its_heading(demo_db: Database) -> None:
    boss = add_user(demo_db, "boss", "admin@all")
    web, _ = browser(demo_db, boss)
    project = web.get(f"/projects/{PROJECT}").text
    result = re.search(r'href="(/results/\d+)"', project)
    assert result, project[:500]
    pages = ["/", "/projects", f"/projects/{PROJECT}", result.group(1), "/account", "/audit"]
    for lang in UN_LANGUAGES:
        for path in pages:
            page = web.get(path, params={"lang": lang})
            assert page.status_code == 200, (path, page.status_code)
            tables = _tables(page.text)
            assert tables, (lang, path)
            for table in tables:
                assert "stack" in table.get("class", "").split(), (lang, path, table.get("class"))
                assert _unlabelled(table) == [], (lang, path, table.get("class"))
