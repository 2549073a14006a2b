"""The daily work of the web application walked in Debian's chromium, each flow in
English, French, Chinese and Arabic, on one demo server: a filtered portfolio list
exported as CSV and XLSX and opened, an evidence file uploaded and downloaded byte for
byte, a search finding the Minamata work in the visitor's language, the author of a
result refused when trying to verify it, and a password changed. The texts looked for
come from the message catalogues of each language.
Screenshots: out/screenshots/flow-<flow>-<lang>-<step>.png.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests import evidence_files as files
from tests.e2e.flows import (  # noqa: F401 - fixtures are used by name
    LANGS,
    PASSWORD,
    Admin,
    Site,
    choose_language,
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

pytestmark = [pytest.mark.slow, pytest.mark.parametrize("lang", LANGS)]

PROJECT = "idb49-pops-programme"
MINAMATA = "idb49-minamata-mia"
SEARCHED = {"en": "mercury", "fr": "mercure", "zh": "汞", "ar": "الزئبق"}
"""Mercury in each language; Chinese is one character (indexed character by character)."""
EVIDENCE_NAME = {
    "en": "Destruction certificate.pdf",
    "fr": "Certificat de destruction signé.pdf",
    "zh": "销毁证书.pdf",
    "ar": "شهادة الإتلاف.pdf",
}
LIST_COLUMNS = ("key", "title", "kind", "status", "countries", "classification")


def _screen_rows(page: Any) -> list[list[str]]:
    """The cells of the portfolio table as shown."""
    rows = page.locator("table.list tbody tr")
    return [
        [c.strip() for c in rows.nth(i).locator("td").all_inner_texts()]
        for i in range(rows.count())
    ]


def _enter_result(page: Any, lang: str, value: str) -> str:
    """Enter a draft result on the POPs project through the forms; returns its address."""
    from playwright.sync_api import expect

    w = words(lang)
    page.goto(f"/projects/{PROJECT}")
    page.get_by_role("link", name=w["add_result"]).click()
    page.select_option("select[name=indicator]", "pops_destroyed")
    page.get_by_role("button", name=w["entry_continue"]).click()
    page.fill("input[name=value]", value)
    page.get_by_role("button", name=w["save_draft"]).click()
    expect(page.locator("[data-testid=result-value]")).to_have_text(value)
    return str(page.url.split("?")[0])


def test_export_a_filtered_list_and_open_it(chromium: Any, site: Site, lang: str) -> None:  # noqa: F811
    from playwright.sync_api import expect

    w = words(lang)
    page = new_page(chromium, site, lang)
    sign_in(page, site.admin, site.admin_password, lang)
    page.get_by_role("link", name=w["nav_portfolio"]).click()
    everything = page.locator("[data-testid=found]").inner_text()
    form = page.locator("form.filters")
    form.locator("select[name=focus_area]").select_option("c")
    form.locator("select[name=status]").select_option("implementation")
    form.get_by_role("button", name=w["apply_filters"]).click()
    expect(page.locator("[data-testid=found]")).not_to_have_text(everything)
    screen = _screen_rows(page)
    assert 1 < len(screen) < 50, screen  # filtered, and all of it on one page
    expect(page.locator("[data-testid=found]")).to_have_text(w["found_n"].format(n=len(screen)))
    shot(page, "export", lang, "1-filtered")
    heads = [w[c] for c in LIST_COLUMNS]
    assert page.locator("table.list thead th").all_inner_texts() == heads
    links = page.locator("[data-testid=downloads]")

    with page.expect_download() as csv_download:
        links.get_by_role("link", name="CSV").click()
    text = Path(csv_download.value.path()).read_text("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    with page.expect_download() as xlsx_download:
        links.get_by_role("link", name="XLSX").click()
    book = load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes()))
    sheet = [
        [c if c is not None else "" for c in r] for r in book.active.iter_rows(values_only=True)
    ]
    for name, got in (("csv", table), ("xlsx", sheet)):
        assert got[0] == heads, (name, got[0])
        assert [r[0] for r in got[1:]] == [r[0] for r in screen], name  # same rows, same order
        assert all(r[3] == w["status_implementation"] for r in got[1:]), name
        assert all(r[2] == shown[2] for r, shown in zip(got[1:], screen, strict=True)), name
        for shown, row in zip(screen, got[1:], strict=True):
            assert shown[1].startswith(row[1]), (name, shown, row)  # title (marked if English)
            assert shown[4] == row[4], (name, shown, row)  # countries in this language
    assert csv_download.value.suggested_filename == "projects.csv"


def test_upload_and_download_evidence(chromium: Any, site: Site, lang: str) -> None:  # noqa: F811
    from playwright.sync_api import expect

    w = words(lang)
    editor = Admin(site).account(f"evidence-{lang}", "editor")
    page = new_page(chromium, site, lang)
    sign_in(page, editor, PASSWORD, lang)
    _enter_result(page, lang, "12")
    name = EVIDENCE_NAME[lang]
    content = files.pdf() + f"% {lang}\n".encode()
    source = site.folder / name
    source.write_bytes(content)
    upload = page.locator("form.upload")
    upload.locator("input[type=file]").set_input_files(str(source))
    upload.get_by_role("button", name=w["evidence_send"]).click()
    current = page.locator("table[data-testid=evidence-current]")
    expect(current).to_contain_text(name)
    expect(current).to_contain_text(w["file_kind_pdf"])
    expect(page.locator("#evidence h2")).to_have_text(w["evidence_files"])
    shot(page, "evidence", lang, "1-uploaded")
    with page.expect_download() as info:
        current.get_by_role("link", name=name).click()
    assert info.value.suggested_filename == name
    assert Path(info.value.path()).read_bytes() == content


def test_search_finds_the_minamata_work(chromium: Any, site: Site, lang: str) -> None:  # noqa: F811
    from playwright.sync_api import expect

    w = words(lang)
    page = new_page(chromium, site, lang)
    sign_in(page, site.admin, site.admin_password, lang)
    page.get_by_role("link", name=w["nav_portfolio"]).click()
    box = page.get_by_role("searchbox", name=w["search"])
    box.fill(SEARCHED[lang])
    box.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    found = page.locator("table.list tbody tr", has_text=MINAMATA)
    expect(found).to_have_count(1)
    rows = page.locator("table.list tbody tr")
    expect(page.locator("[data-testid=found]")).to_have_text(w["found_n"].format(n=rows.count()))
    assert rows.count() < 10  # what was searched for, not the whole portfolio
    expect(box).to_have_value(SEARCHED[lang])
    shot(page, "search", lang, "1-found")
    found.get_by_role("link").first.click()  # the project's title, its key beside it
    expect(page.locator("html")).to_have_attribute("lang", lang)
    assert page.url.endswith(f"/projects/{MINAMATA}")


def _try_to_verify(page: Any, label: str) -> None:
    """The author sends what a reviewer's Verify button sends: the page offers the author
    no such button, so the test puts the reviewer's form on the author's page."""
    page.evaluate(
        """(label) => {
            const from = document.querySelector('form.return');
            const tried = from.cloneNode(true);
            tried.className = 'inline tried';
            tried.querySelector('label').remove();
            const button = tried.querySelector('button');
            button.value = 'verify';
            button.textContent = label;
            from.before(tried);
        }""",
        label,
    )
    page.click("form.tried button")


def test_four_eyes_refusal(chromium: Any, site: Site, lang: str) -> None:  # noqa: F811
    from playwright.sync_api import expect

    w = words(lang)
    author = Admin(site).account(f"both-{lang}", "editor", "reviewer")
    page = new_page(chromium, site, lang)
    sign_in(page, author, PASSWORD, lang)
    result_url = _enter_result(page, lang, "7")
    rid = result_url.rsplit("/", 1)[1]
    page.get_by_role("button", name=w["submit"]).click()
    expect(page.locator(".state-submitted").first).to_be_visible()
    # the author, a reviewer too, is offered no Verify button, neither here nor in the queue
    expect(page.get_by_role("button", name=w["verify"])).to_have_count(0)
    page.get_by_role("link", name=w["nav_review"]).click()
    row = page.locator(f"tr[data-result='{rid}']")
    expect(row).to_be_visible()
    expect(row.get_by_role("button", name=w["verify"])).to_have_count(0)
    shot(page, "four-eyes", lang, "1-queue")

    page.goto(result_url)
    _try_to_verify(page, w["verify"])
    refusal = page.locator(".errors")
    said = w["err_separation"].split("{deeds}")
    expect(refusal).to_contain_text(said[0].format(result=rid))
    expect(refusal).to_contain_text(said[1].strip())
    expect(refusal).to_contain_text(w["deed_submitted"])
    expect(page.locator(".state-submitted").first).to_be_visible()  # nothing changed
    shot(page, "four-eyes", lang, "2-refused")

    # another reviewer may verify it
    reviewer = new_page(chromium, site, lang)
    sign_in(reviewer, "reviewer", demo_password(site, "reviewer"), lang)
    reviewer.goto(result_url)
    reviewer.get_by_role("button", name=w["verify"]).click()
    expect(reviewer.locator(".state-verified").first).to_be_visible()


def test_password_change(chromium: Any, site: Site, lang: str) -> None:  # noqa: F811
    from playwright.sync_api import expect

    w = words(lang)
    name = Admin(site).account(f"officer-{lang}", "editor")
    new = f"a new password for {lang} 2026"
    page, elsewhere = new_page(chromium, site, lang), new_page(chromium, site, lang)
    sign_in(page, name, PASSWORD, lang)
    sign_in(elsewhere, name, PASSWORD, lang)
    page.locator(".who").get_by_role("link", name=w["signed_in_as"].format(name=name)).click()
    form = page.locator("form[action='/account/password']")
    form.locator("input[name=current]").fill("not my password at all")
    form.locator("input[name=new]").fill(new)
    form.get_by_role("button", name=w["change_password"]).click()
    expect(page.locator(".errors")).to_have_text(w["err_password_wrong"])
    shot(page, "password", lang, "1-wrong-current")
    form.locator("input[name=current]").fill(PASSWORD)
    form.locator("input[name=new]").fill(new)
    form.get_by_role("button", name=w["change_password"]).click()
    expect(page.locator(".errors")).to_have_count(0)
    expect(page.locator(".who a[href='/account']")).to_contain_text(name)  # still signed in
    # the other session has ended
    elsewhere.goto("/account")
    expect(elsewhere.locator(".who a[href='/account']")).to_have_count(0)
    expect(elsewhere.locator("form.login")).to_be_visible()
    shot(elsewhere, "password", lang, "2-other-session")

    fresh = new_page(chromium, site, lang)
    fresh.goto(f"/lang/{lang}?next=/login")
    fresh.fill("input[name=username]", name)
    fresh.fill("input[name=password]", PASSWORD)
    fresh.click("form.login button[type=submit]")
    expect(fresh.locator(".errors")).to_contain_text(w["err_login_failed"])
    shot(fresh, "password", lang, "3-old-refused")
    fresh.fill("input[name=username]", name)
    fresh.fill("input[name=password]", new)
    fresh.click("form.login button[type=submit]")
    expect(fresh.locator(".who")).to_contain_text(name)
    choose_language(fresh, lang)
    shot(fresh, "password", lang, "4-signed-in")


# --- bulk review and the web import ------------------------------------------------------
BULK_FORM = "form.bulk"
BULK_BOX = "input[type=checkbox][name=pick][value^='{rid}:']"
BULK_REASON = "[name=note]"
IMPORT_PAGE = "/import"
IMPORT_TEMPLATE = "a[href*=template]"
IMPORT_PREVIEW = "[data-testid=import-preview] table.preview tbody tr"
IMPORT_CONFIRM = "form[data-testid=import-confirm] button"


def test_bulk_verify_and_return(chromium: Any, site: Site, lang: str) -> None:  # noqa: F811
    from playwright.sync_api import expect

    w = words(lang)
    editor = Admin(site).account(f"bulk-{lang}", "editor")
    web = web_session(site, editor, PASSWORD)
    verified = [submitted_result(web, PROJECT, v) for v in ("21", "22")]
    returned = [submitted_result(web, PROJECT, v) for v in ("23", "24")]
    page = new_page(chromium, site, lang)
    sign_in(page, "reviewer", demo_password(site, "reviewer"), lang)
    page.get_by_role("link", name=w["nav_review"], exact=True).click()
    form = page.locator(BULK_FORM)
    for rid in verified:  # the boxes sit in the table and belong to the form (form="bulk")
        page.locator(BULK_BOX.format(rid=rid)).check()
    shot(page, "bulk", lang, "1-chosen")
    form.get_by_role("button", name=w["bulk_verify"]).click()
    for rid in verified:  # verified: out of the queue
        expect(page.locator(f"tr[data-result='{rid}']")).to_have_count(0)
    reason = f"bulk return, {lang}: the unit is wrong"
    form = page.locator(BULK_FORM)
    for rid in returned:
        page.locator(BULK_BOX.format(rid=rid)).check()
    form.locator(BULK_REASON).fill(reason)
    form.get_by_role("button", name=w["bulk_return"]).click()
    expect(page.locator("[data-testid=bulk-done]")).to_be_visible()
    shot(page, "bulk", lang, "2-done")
    for rid in returned:  # returned to their author, with the one reason
        page.goto(f"/results/{rid}")
        expect(page.locator(".state-returned").first).to_be_visible()
        expect(page.locator(".review-note")).to_contain_text(reason)
    for rid in verified:
        page.goto(f"/results/{rid}")
        expect(page.locator(".state-verified").first).to_be_visible()
        expect(page.locator("ol.steps")).to_contain_text(w["review_action_verify"])


def _filled_template(template: Path, out: Path, values: list[object]) -> Path:
    """The downloaded template with one row per value on the POPs project."""
    book = load_workbook(io.BytesIO(template.read_bytes()))
    sheet = book.worksheets[0]  # "Results" in the reader's language
    for n, value in enumerate(values, start=2):
        row = [PROJECT, "pops_destroyed", value, "t", "actual", "exact", "2022-01-01",
               "2022-12-31"]  # fmt: skip
        for col, cell in enumerate(row, start=1):
            sheet.cell(row=n, column=col, value=cell)
    book.save(out)
    return out


def test_web_import_with_preview(chromium: Any, site: Site, lang: str) -> None:  # noqa: F811
    from playwright.sync_api import expect

    editor = Admin(site).account(f"import-{lang}", "editor")
    page = new_page(chromium, site, lang)
    sign_in(page, editor, PASSWORD, lang)
    page.goto(IMPORT_PAGE)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    with page.expect_download() as info:
        page.locator(IMPORT_TEMPLATE).first.click()
    template = Path(info.value.path())
    # all or nothing: a file with one bad row is refused whole, the row named
    bad = _filled_template(template, site.folder / f"bad-{lang}.xlsx", [31, -5])
    page.set_input_files("input[type=file]", str(bad))
    page.locator("input[type=file]").locator("xpath=ancestor::form").locator("button").click()
    expect(page.locator("[data-testid=import-problems]")).to_be_visible()
    expect(page.locator(IMPORT_CONFIRM)).to_have_count(0)  # nothing can be applied
    shot(page, "import", lang, "1-refused")
    # values of their own per language: the four runs share one database
    values = [31 + 10 * LANGS.index(lang), 32 + 10 * LANGS.index(lang)]
    good = _filled_template(template, site.folder / f"good-{lang}.xlsx", values)
    page.goto(IMPORT_PAGE)
    page.set_input_files("input[type=file]", str(good))
    page.locator("input[type=file]").locator("xpath=ancestor::form").locator("button").click()
    preview = page.locator(IMPORT_PREVIEW)
    expect(preview).to_have_count(2)  # what would change, nothing written yet
    shot(page, "import", lang, "2-preview")
    # the runs share one database: after the first language, the rows stand beside the
    # results it submitted, and the page asks for an explicit yes before adding them
    also = page.locator("[data-testid=also-count]")
    if also.count():
        page.locator(IMPORT_CONFIRM).click()  # refused by the browser until it is ticked
        expect(page.locator("[data-testid=import-done]")).to_have_count(0)
        also.check()
    page.locator(IMPORT_CONFIRM).click()
    expect(page.locator("[data-testid=import-done]")).to_be_visible()
    shot(page, "import", lang, "3-imported")
    page.goto(f"/projects/{PROJECT}")  # both rows stored, waiting for review
    for value in values:
        expect(page.locator("table.results")).to_contain_text(f"{value}")


WIDEST_OPTION = """(select) => {
    const pen = document.createElement('canvas').getContext('2d');
    const style = getComputedStyle(select);
    pen.font = style.font;
    const widest = Math.max(...[...select.options].map((o) => pen.measureText(o.text).width));
    const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
    const room = select.clientWidth - padding;
    return {widest, room};
}"""
"""The widest report name as the select's font draws it, and the room the select gives it
(its drop-down arrow included)."""
ARROW = 16


def test_the_report_choice_shows_whole_names(chromium: Any, site: Site, lang: str) -> None:  # noqa: F811
    """On a desktop screen the closed select shows each report's whole name (it was cut
    to "Annual report to the Industrial")."""
    w = words(lang)
    page = new_page(chromium, site, lang)
    sign_in(page, site.admin, site.admin_password, lang)
    page.get_by_role("link", name=w["nav_reports"]).click()
    drawn = page.eval_on_selector("select[name=definition]", WIDEST_OPTION)
    assert drawn["widest"] + ARROW <= drawn["room"], drawn
    shot(page, "reports", lang, "1-choice")


PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 800}
FITS = """() => {
  const doc = document.documentElement, w = doc.clientWidth, out = [];
  if (doc.scrollWidth > w) out.push('page ' + doc.scrollWidth);
  const controls = 'main button, main input, main select, main textarea, main summary, header a';
  for (const el of document.querySelectorAll(controls)) {
    const r = el.getBoundingClientRect();
    if (r.width && (r.left < -1 || r.right > w + 1))
      out.push('off screen: ' + el.outerHTML.slice(0, 80));
  }
  for (const t of document.querySelectorAll('main table'))
    if (t.scrollWidth > t.clientWidth + 1) out.push('scrolls sideways: ' + t.className);
  return out; }"""
CARDS = """(sel) => [...document.querySelectorAll(sel)].map(t => ({
  display: getComputedStyle(t).display,
  head: t.tHead ? t.tHead.getBoundingClientRect().height : -1,
  rows: [...t.tBodies[0].rows].map(r => Math.round(r.getBoundingClientRect().height)),
  labels: [...t.querySelectorAll('td[data-label]')].map(
    c => getComputedStyle(c, '::before').content)}))"""


def test_pages_fit_a_phone(chromium: Any, site: Site, lang: str) -> None:  # noqa: F811
    """At 390 x 844 no page scrolls sideways, no button or field sits off the screen and
    each table row is a compact card whose cells carry their column headings; at 1366 the
    same tables are tables with their heading row (a programme officer found tables
    scrolling sideways, Replace and Withdraw off screen and result rows 300 px tall)."""
    w = words(lang)
    editor = Admin(site).account(f"phone-{lang}", "editor")
    page = new_page(chromium, site, lang)
    sign_in(page, editor, PASSWORD, lang)
    result = _enter_result(page, lang, "5")
    source = site.folder / f"phone-{lang}-evidence_with_a_long_unbroken_name_2024.pdf"
    source.write_bytes(files.pdf())
    page.locator("form.upload input[type=file]").set_input_files(str(source))
    page.locator("form.upload").get_by_role("button", name=w["evidence_send"]).click()
    pages = ["/", "/projects", f"/projects/{PROJECT}", result, f"/projects/{PROJECT}/results/new"]
    pages += ["/projects/idb49-biochar", "/account"]
    for size in (PHONE, DESK):
        page.set_viewport_size(size)
        for path in pages:
            page.goto(path)
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            assert page.evaluate(FITS) == [], (lang, size, path)
    admin = new_page(chromium, site, lang)
    sign_in(admin, site.admin, site.admin_password, lang)
    admin.set_viewport_size(PHONE)
    for path in ("/reports", "/audit"):
        admin.goto(path)
        assert admin.evaluate(FITS) == [], (lang, path)
    shot(admin, "phone", lang, "1-audit")

    page.set_viewport_size(PHONE)
    page.goto(f"/projects/{PROJECT}")
    (results,) = page.evaluate(CARDS, "table.results")
    assert results["display"] == "block" and results["head"] <= 1, results
    assert max(results["rows"]) < 250, results
    assert f'"{w["value"]}"' in results["labels"], results
    assert f'"{w["review_state"]}"' in results["labels"], results
    shot(page, "phone", lang, "2-project")
    page.goto(result)
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    (current,) = page.evaluate(CARDS, "table[data-testid=evidence-current]")
    assert f'"{w["evidence_change"]}"' in current["labels"], current
    page.get_by_role("button", name=w["evidence_replace"]).first.scroll_into_view_if_needed()
    shot(page, "phone", lang, "3-result")

    page.set_viewport_size(DESK)
    page.goto(f"/projects/{PROJECT}")
    (results,) = page.evaluate(CARDS, "table.results")
    assert results["display"] == "table" and results["head"] > 10, results
    assert max(results["rows"]) < 120, results
