"""What a programme officer saw on a phone and a desktop, walked in Debian's chromium in
French and Arabic: the project and result lists' filters folded behind their summary on a
phone (the first rows on the first screen) and shown as they are on a desktop, without a
script; a "returned" badge in the review queue as small as its word on a phone, not a tall
pink block; and the import preview's button apart from "Cancel" and from the table.
Screenshots: out/screenshots/flow-layout-<lang>-<step>.png.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.e2e.flows import (  # noqa: F401 - fixtures are used by name
    PASSWORD,
    Admin,
    Site,
    chromium,
    demo_password,
    new_page,
    shot,
    sign_in,
    site,
    submitted_result,
    web_session,
    words,
)

pytestmark = [pytest.mark.slow, pytest.mark.parametrize("lang", ("fr", "ar"))]

PROJECT = "idb49-pops-programme"
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}
NOTE = "Le total ne correspond pas à la somme des femmes et des hommes ; corrigez la valeur."


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html[:300]
    return found.group(1)


def _gap(a: dict[str, float], b: dict[str, float]) -> float:
    """The room between two boxes side by side, whichever comes first (right to left)."""
    return max(b["x"] - (a["x"] + a["width"]), a["x"] - (b["x"] + b["width"]))


def test_filters_fold_on_a_phone_badges_stay_small_and_buttons_have_room(
    chromium: Any,  # noqa: F811
    site: Site,  # noqa: F811
    lang: str,
) -> None:
    from playwright.sync_api import expect

    w = words(lang)
    editor = Admin(site).account(f"layout-{lang}", "editor")
    rid = submitted_result(web_session(site, editor, PASSWORD), PROJECT, "7")
    reviewer = web_session(site, "reviewer", demo_password(site, "reviewer"))
    back = {"csrf": _csrf(reviewer.get("/review").text), "action": "return", "version": "2"}
    assert reviewer.post(f"/results/{rid}/review", data=back | {"note": NOTE}).status_code == 303

    page = new_page(chromium, site, lang)
    sign_in(page, editor, PASSWORD, lang)
    for path in ("/projects", "/results"):
        page.set_viewport_size(PHONE)
        page.goto(path)
        box = page.locator("details.filter-box")
        assert box.evaluate("d => d.open") is False
        expect(box.locator("summary")).to_contain_text(w["filters_summary"])
        expect(page.locator("form.filters select").first).to_be_hidden()
        first = page.locator("table.list tbody tr").first.bounding_box()
        assert first is not None and first["y"] < PHONE["height"], (path, first)
        shot(page, "layout", lang, f"1-phone{path.replace('/', '-')}")
        box.locator("summary").click()
        expect(page.locator("form.filters select").first).to_be_visible()
        # a filter in use is counted on the folded summary
        page.goto(f"{path}?country=BRA")
        expect(box.locator("summary")).to_contain_text(w["filters_in_use"].format(n=1))
        page.set_viewport_size(DESK)  # open as they are, no summary to click
        page.goto(path)
        expect(page.locator("form.filters select").first).to_be_visible()
        expect(box.locator("summary")).to_be_hidden()

    page.set_viewport_size(PHONE)
    page.goto("/review")
    badge = page.locator(f"tr[data-result='{rid}'] .state").bounding_box()
    size = page.locator(f"tr[data-result='{rid}'] .state").evaluate(
        "b => parseFloat(getComputedStyle(b).fontSize)"
    )
    assert badge is not None and badge["height"] < 2.2 * size, badge  # one line, not a block
    expect(page.locator(f"tr[data-result='{rid}']")).to_contain_text(NOTE)
    page.locator(f"tr[data-result='{rid}']").scroll_into_view_if_needed()
    shot(page, "layout", lang, "2-phone-review")

    page.set_viewport_size(DESK)
    page.goto("/import")
    with page.expect_download() as info:
        page.locator("[data-testid=import-template] a").click()
    template = site.folder / f"layout-{lang}.xlsx"
    info.value.save_as(template)
    book = load_workbook(template)
    row = [PROJECT, "pops_destroyed", 70 + len(lang), "t", "actual", "exact", None, "2022-12-31"]
    for col, value in enumerate(row, start=1):
        book.worksheets[0].cell(row=2, column=col, value=value)
    filled = Path(site.folder / f"layout-{lang}-filled.xlsx")
    book.save(filled)
    page.set_input_files("input[type=file]", str(filled))
    page.locator("[data-testid=import-upload] button").click()
    confirm = page.locator("[data-testid=import-confirm]")
    button = confirm.locator("button").bounding_box()
    cancel = confirm.locator("a[href='/import']").bounding_box()
    table = page.locator("table.preview").bounding_box()
    upload = page.locator("[data-testid=import-upload]").bounding_box()
    assert button and cancel and table and upload
    assert _gap(button, cancel) >= 12, (button, cancel)
    assert table["y"] - (button["y"] + button["height"]) >= 16, (button, table)
    assert upload["y"] - (table["y"] + table["height"]) >= 16, (table, upload)
    shot(page, "layout", lang, "3-import-preview")
