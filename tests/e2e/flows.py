"""What the browser flows share: one demo server per test module (started as a new user
starts it), accounts made for the flows through the admin's web form, the visible texts
of each language read from the message catalogues, signing in and screenshots.

Screenshots are named by flow, language and step: out/screenshots/flow-<flow>-<lang>-<step>.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from greenfolio.interfaces.web.i18n import catalogue
from tests.e2e.test_browser import CHROMIUM, CHROMIUM_ARGS, SHOTS, DemoServer, _need_chromium

LANGS = ("en", "fr", "zh", "ar")
"""The languages each flow runs in: two left to right in Latin script, one without spaces
between words, one right to left."""
PASSWORD = "e2e flows password 1"


@dataclass
class Site:
    """The running demo server and the accounts made for the flows."""

    url: str
    admin: str
    admin_password: str
    folder: Path
    accounts: dict[str, str] = field(default_factory=dict)
    """User name → password."""


def words(lang: str) -> dict[str, str]:
    """The interface texts of ``lang``, as the pages show them."""
    return catalogue(lang)


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


class Admin:
    """The administrator making accounts through the web forms (no browser needed)."""

    def __init__(self, site: Site) -> None:
        self.web = httpx.Client(base_url=site.url, timeout=30)
        form = self.web.get("/login")
        signed = self.web.post(
            "/login",
            data={
                "csrf": _csrf(form.text),
                "username": site.admin,
                "password": site.admin_password,
            },
        )
        assert signed.status_code == 303, signed.text
        self.site = site

    def account(self, name: str, *roles: str) -> str:
        """A new account holding ``roles`` on all projects; returns its user name."""
        csrf = _csrf(self.web.get("/admin/users").text)
        made = self.web.post(
            "/admin/users",
            data={"csrf": csrf, "username": name, "password": PASSWORD, "role": roles[0]},
        )
        assert made.status_code == 303, made.text
        for role in roles[1:]:
            granted = self.web.post(
                f"/admin/users/{name}/roles", data={"csrf": csrf, "role": role, "scope": "all"}
            )
            assert granted.status_code == 303, granted.text
        self.site.accounts[name] = PASSWORD
        return name


def web_session(site: Site, name: str, password: str) -> httpx.Client:
    """A client signed in through the sign-in form, for what a flow needs done first."""
    web = httpx.Client(base_url=site.url, timeout=30)
    form = web.get("/login")
    signed = web.post(
        "/login", data={"csrf": _csrf(form.text), "username": name, "password": password}
    )
    assert signed.status_code == 303, signed.text
    return web


def submitted_result(web: httpx.Client, project: str, value: str) -> int:
    """A result entered and submitted for review through the web forms; returns its id."""
    csrf = _csrf(web.get(f"/projects/{project}/results/new?indicator=pops_destroyed").text)
    made = web.post(
        f"/projects/{project}/results",
        data={"csrf": csrf, "indicator": "pops_destroyed", "value": value, "unit": "t"},
    )
    assert made.status_code == 303, made.text
    rid = int(made.headers["location"].split("/")[2].split("?")[0])
    sent = web.post(
        f"/results/{rid}/review", data={"csrf": csrf, "action": "submit", "version": "1"}
    )
    assert sent.status_code == 303, sent.text
    return rid


def demo_password(site: Site, account: str) -> str:
    """The password the demo kept for one of its accounts (admin, data-entry, reviewer)."""
    kept = (site.folder / f"demo.sqlite.{account}-password").read_text("utf-8")
    found = re.search(r"password: (\S+)", kept)
    assert found, kept
    return found.group(1)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One demo server for the module's flows."""
    _need_chromium()
    folder = tmp_path_factory.mktemp("flows")
    demo = DemoServer(folder)
    try:
        admin, password = demo.wait()
        yield Site(demo.url, admin, password, folder)
    finally:
        demo.stop()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One headless Debian chromium for the module's flows."""
    from playwright.sync_api import sync_playwright

    _need_chromium()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


BROWSER_LOCALE = {"en": "en-GB", "fr": "fr-FR", "zh": "zh-CN", "ar": "ar-EG"}


def new_page(chromium: Any, site: Site, lang: str) -> Any:
    """A fresh browser window (its own cookies) on the site, set to the visitor's
    language as their own browser would be (date inputs, file choosers), accepting
    downloads."""
    context = chromium.new_context(
        base_url=site.url,
        viewport={"width": 1280, "height": 900},
        accept_downloads=True,
        locale=BROWSER_LOCALE[lang],
    )
    return context.new_page()


def sign_in(page: Any, name: str, password: str, lang: str) -> None:
    """Sign in through the form, then choose ``lang`` with the language switcher."""
    from playwright.sync_api import expect

    page.goto("/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password)
    page.click("form.login button[type=submit]")
    expect(page.locator(".who")).to_contain_text(name)
    choose_language(page, lang)


def choose_language(page: Any, lang: str) -> None:
    from playwright.sync_api import expect

    page.click(f"nav.langs a[lang={lang}]")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")


def shot(page: Any, flow: str, lang: str, step: str) -> Path:
    """A full-page screenshot, out/screenshots/flow-<flow>-<lang>-<step>.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"flow-{flow}-{lang}-{step}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000, path
    print(f"screenshot: {path}")
    return path
