"""Evidence files end to end in Debian's chromium, on the demo server a new user starts:
an editor uploads a PDF through the result page (English), downloads it byte for byte,
replaces it with a signed copy (French), withdraws a photo (Arabic) and has a program
named .pdf refused (Chinese). Screenshots go to out/screenshots/evidence-*.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import evidence_files as files
from tests.e2e.test_browser import (  # noqa: F401 - the fixture is used by name
    CHROMIUM,
    CHROMIUM_ARGS,
    INDICATOR,
    PROJECT,
    DemoServer,
    _shot,
    server,
)

pytestmark = pytest.mark.slow


def test_evidence_in_a_browser(server: tuple[DemoServer, str, str], tmp_path: Path) -> None:  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    demo, admin_name, admin_password = server
    taken: list[Path] = []
    signed = files.pdf() + b"% signed copy\n"
    sources = {
        "Certificat de destruction.pdf": files.pdf(),
        "certificat signé.pdf": signed,
        "site photo.png": files.png(40, 30),
        "setup.pdf": files.exe(),
    }
    for name, content in sources.items():
        (tmp_path / name).write_bytes(content)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        admin = browser.new_context(base_url=demo.url).new_page()
        admin.goto("/login")
        admin.fill("input[name=username]", admin_name)
        admin.fill("input[name=password]", admin_password)
        admin.click("form.login button[type=submit]")
        admin.goto("/admin/users")
        form = admin.locator("form[action='/admin/users']")
        form.locator("input[name=username]").fill("editor2")
        form.locator("input[name=password]").fill("e2e password 123")
        form.locator("select[name=role]").select_option("editor")
        form.locator("button[type=submit]").click()

        context = browser.new_context(
            base_url=demo.url, viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        page = context.new_page()
        page.goto("/login?lang=en")
        page.fill("input[name=username]", "editor2")
        page.fill("input[name=password]", "e2e password 123")
        page.click("form.login button[type=submit]")
        page.goto(f"/projects/{PROJECT}/results/new")
        page.select_option("select[name=indicator]", INDICATOR)
        page.click("form.entry button[type=submit]")  # the form for that indicator
        page.fill("input[name=value]", "12")
        page.select_option("select[name=unit]", "t")
        page.click("form.entry button[type=submit]")
        result_url = page.url.split("?")[0]

        # English: upload two files through the form, then download the PDF
        for name in ("Certificat de destruction.pdf", "site photo.png"):
            page.set_input_files("form.upload input[type=file]", str(tmp_path / name))
            page.click("form.upload button[type=submit]")
            expect(page.locator("#evidence")).to_contain_text(name)
        current = page.locator("table[data-testid=evidence-current]")
        expect(current).to_contain_text("PDF document")
        expect(current).to_contain_text("PNG image")
        _shot(page, "evidence-01-uploaded-en", taken)
        with page.expect_download() as info:
            current.locator("a", has_text="Certificat de destruction.pdf").click()
        download = info.value
        assert download.suggested_filename == "Certificat de destruction.pdf"
        assert Path(download.path()).read_bytes() == files.pdf()

        # French: replace the certificate with the signed copy, confirmed
        page.goto(f"{result_url}?lang=fr")
        row = page.locator("table[data-testid=evidence-current] tr", has_text="Certificat")
        row.locator("summary", has_text="Remplacer").click()
        row.locator("input[type=file]").set_input_files(str(tmp_path / "certificat signé.pdf"))
        row.locator("form.confirm").first.locator("input[name=confirm]").check()
        row.locator("form.confirm").first.locator("button").click()
        expect(page.locator("table[data-testid=evidence-past]")).to_contain_text("remplacé")
        _shot(page, "evidence-02-replaced-fr", taken)

        # Arabic: withdraw the photo with a reason, confirmed
        page.goto(f"{result_url}?lang=ar")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        row = page.locator("table[data-testid=evidence-current] tr", has_text="site photo.png")
        row.locator("summary").nth(1).click()
        withdraw = row.locator("form.confirm").nth(1)
        withdraw.locator("input[name=note]").fill("صورة موقع آخر")
        withdraw.locator("input[name=confirm]").check()
        withdraw.locator("button").click()
        past = page.locator("table[data-testid=evidence-past]")
        expect(past).to_contain_text("مسحوب")
        expect(past).to_contain_text("صورة موقع آخر")
        _shot(page, "evidence-03-withdrawn-ar", taken)

        # Chinese: a program named .pdf is refused, and nothing is added
        page.goto(f"{result_url}?lang=zh")
        page.set_input_files("form.upload input[type=file]", str(tmp_path / "setup.pdf"))
        page.click("form.upload button[type=submit]")
        expect(page.locator(".errors")).to_contain_text("“setup.pdf”的内容不属于")
        expect(page.locator("table[data-testid=evidence-current] tbody tr")).to_have_count(1)
        _shot(page, "evidence-04-refused-zh", taken)

        # the replaced certificate is still there, byte for byte
        with page.expect_download() as info:
            page.locator("table[data-testid=evidence-past] a", has_text="Certificat").click()
        assert Path(info.value.path()).read_bytes() == files.pdf()
        browser.close()
    for path in taken:
        assert path.stat().st_size > 10_000
        print(f"screenshot: {path}")
