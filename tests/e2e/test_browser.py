"""End to end in a real browser (Debian's headless chromium through Playwright): the demo
server as a new user starts it, an admin creating an editor and a reviewer, a result
entered, submitted, returned with a reason, fixed, resubmitted and verified, the
dashboard figure moving, and the pages in Arabic and Chinese. Screenshots are saved
under out/screenshots/ and their paths printed.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.slow  # end to end; CI runs it, `-m "not slow"` skips it

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ARTIFACTS / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
]
PROJECT = "idb49-pops-programme"
INDICATOR = "pops_destroyed"
YEAR = "2021"


def _need_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is missing (apt-get install chromium; scripts/test installs it)"
    if os.environ.get("CI") == "true":
        pytest.fail(message + "; under CI the browser test must run")
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class DemoServer:
    """`greenfolio demo --serve` in a child process, as a new user would run it."""

    def __init__(self, folder: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.lines: list[str] = []
        code = "from greenfolio.interfaces.cli.app import main; main()"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                code,
                "demo",
                "--serve",
                "--port",
                str(self.port),
                "--db",
                str(folder / "demo.sqlite"),
                "--out",
                str(folder / "reports"),
                "--lang",
                "en",
                "--format",
                "html",
            ],
            cwd=folder,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "COLUMNS": "200"},
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip())

    def wait(self, timeout: float = 60) -> tuple[str, str]:
        """Wait until the server answers; returns the printed admin credentials."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError("demo --serve exited:\n" + "\n".join(self.lines))
            printed = "\n".join(self.lines)
            found = re.search(r"sign in as '([^']+)';\s+the password is in (\S+) ", printed)
            if found:
                # the demo never prints the password: it names the file that holds it
                kept = Path(found.group(2)).read_text("utf-8")
                password = re.search(r"password: (\S+)", kept)
                assert password, kept
                try:
                    if httpx.get(self.url + "/login", timeout=2).status_code == 200:
                        return found.group(1), password.group(1)
                except httpx.HTTPError:
                    pass
            time.sleep(0.2)
        raise AssertionError("the demo server did not start:\n" + "\n".join(self.lines))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[DemoServer, str, str]]:
    _need_chromium()
    demo = DemoServer(tmp_path)
    try:
        user, password = demo.wait()
        yield demo, user, password
    finally:
        demo.stop()


def _shot(page: object, name: str, taken: list[Path]) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    taken.append(path)


def _number(text: str) -> float:
    cleaned = text.strip().replace(",", "")
    return float(cleaned) if cleaned not in ("", "—") else 0.0


def test_review_cycle_in_a_browser(server: tuple[DemoServer, str, str]) -> None:
    from playwright.sync_api import expect, sync_playwright

    demo, admin_name, admin_password = server
    taken: list[Path] = []
    cell = f'tr[data-indicator="{INDICATOR}"] td[data-year="{YEAR}"]'
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        people = {}
        for who in ("admin", "editor", "reviewer"):
            context = browser.new_context(
                base_url=demo.url, viewport={"width": 1280, "height": 900}
            )
            people[who] = context.new_page()

        def sign_in(who: str, name: str, password: str) -> None:
            page = people[who]
            page.goto("/login")
            page.fill("input[name=username]", name)
            page.fill("input[name=password]", password)
            page.click("form.login button[type=submit]")
            expect(page.locator(".who")).to_contain_text(name)

        # The admin signs in with the printed credentials and creates two accounts.
        sign_in("admin", admin_name, admin_password)
        admin = people["admin"]
        admin.goto("/?lang=en")
        before = _number(admin.locator(cell).inner_text())
        _shot(admin, "01-dashboard-en", taken)
        admin.goto("/admin/users")
        for name, role in (("editor1", "editor"), ("reviewer1", "reviewer")):
            form = admin.locator("form[action='/admin/users']")
            form.locator("input[name=username]").fill(name)
            form.locator("input[name=password]").fill("e2e password 123")
            form.locator("select[name=role]").select_option(role)
            form.locator("button[type=submit]").click()
            expect(admin.locator("table.list")).to_contain_text(name)
        _shot(admin, "02-accounts", taken)

        # The editor enters a result and submits it.
        sign_in("editor", "editor1", "e2e password 123")
        editor = people["editor"]
        editor.goto(f"/projects/{PROJECT}")
        _shot(editor, "03-project", taken)
        editor.click("text=Enter a result")
        editor.select_option("select[name=indicator]", INDICATOR)
        editor.click("form.entry button[type=submit]")  # the form for that indicator
        editor.fill("input[name=value]", "250")
        editor.select_option("select[name=unit]", "kg")
        editor.fill("input[name=period_start]", "2021-01-01")
        editor.fill("input[name=period_end]", "2021-06-30")
        editor.fill("input[name=citation]", "field report, e2e")
        editor.click("form.entry button[type=submit]")
        expect(editor.locator("[data-testid=result-value]")).to_have_text("250")
        result_url = editor.url.split("?")[0]
        editor.click("button[value=submit]")
        expect(editor.locator(".state-submitted").first).to_be_visible()

        # The reviewer returns it with a reason.
        sign_in("reviewer", "reviewer1", "e2e password 123")
        reviewer = people["reviewer"]
        reviewer.goto("/review")
        _shot(reviewer, "04-review-queue", taken)
        reviewer.goto(result_url)
        reviewer.fill(
            "form.return input[name=note]", "the unit should be tonnes: check the field report"
        )
        reviewer.click("form.return button[value=return]")
        expect(reviewer.locator(".review-note")).to_contain_text("tonnes")

        # The editor fixes it (a new version; the old one is kept) and resubmits.
        editor.goto(result_url)
        expect(editor.locator(".review-note")).to_contain_text("tonnes")
        revision = editor.locator("form[action$='/edit']")  # not the evidence upload form
        revision.locator("select[name=unit]").select_option("t")
        revision.locator("button[type=submit]").click()
        expect(editor.locator("[data-testid=version]")).to_have_text("4")
        expect(editor.locator("text=Earlier versions")).to_be_visible()
        editor.click("button[value=submit]")
        _shot(editor, "05-result-fixed", taken)

        # The reviewer verifies it; the dashboard figure moves by 250 t.
        reviewer.goto(result_url)
        reviewer.click("button[value=verify]")
        expect(reviewer.locator(".state-verified").first).to_be_visible()
        _shot(reviewer, "06-result-verified", taken)
        admin.goto("/?lang=en")
        after = _number(admin.locator(cell).inner_text())
        assert after == pytest.approx(before + 250)
        _shot(admin, "07-dashboard-after", taken)

        # Arabic (right to left) and Chinese, through the switcher.
        admin.click("nav.langs a[lang=ar]")
        expect(admin.locator("html")).to_have_attribute("dir", "rtl")
        _shot(admin, "08-dashboard-ar", taken)
        admin.goto(f"/projects/{PROJECT}")
        expect(admin.locator("html")).to_have_attribute("lang", "ar")
        _shot(admin, "09-project-ar", taken)
        admin.click("nav.langs a[lang=zh]")
        expect(admin.locator("html")).to_have_attribute("lang", "zh")
        expect(admin.locator("nav.main")).to_contain_text("项目组合")
        _shot(admin, "10-project-zh", taken)
        admin.goto("/")
        _shot(admin, "11-dashboard-zh", taken)
        browser.close()
    for path in taken:
        assert path.stat().st_size > 10_000
        print(f"screenshot: {path}")
