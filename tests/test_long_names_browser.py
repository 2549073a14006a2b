"""Text a user typed, as long as the service takes it, never widens a page beyond the
screen (hostile review: a 900-character file name pushed the result page to 1,900 px,
its file table off screen, worst in Arabic). In a real browser, four languages."""

from __future__ import annotations

from pathlib import Path

import pytest

from greenfolio.domain.file_types import FILENAME_LIMIT
from greenfolio.services import accounts
from greenfolio.services.database import Database
from tests.conftest import ARTIFACTS
from tests.evidence_files import make_setup, pdf
from tests.test_dashboard_charts import SQLITE, served  # noqa: F401  (the server fixture)


@pytest.mark.slow
@SQLITE
def test_a_long_file_name_wraps_inside_the_page(
    demo_db: Database,
    served: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip(f"{chromium} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    s = make_setup(demo_db, tmp_path, monkeypatch)
    sent = s.api.post(
        f"/api/v1/results/{s.result_id}/evidence",
        files={"file": ("y" * 900 + ".pdf", pdf(), "application/pdf")},
        headers=s.editor.auth,
    )
    assert sent.status_code == 201, sent.text
    assert len(sent.json()["filename"]) == FILENAME_LIMIT
    shots = ARTIFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    secret = accounts.start_session(demo_db, s.editor.user_id)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=["--no-sandbox"])
        context = browser.new_context()
        context.add_cookies([{"name": "gf_session", "value": secret, "url": served}])
        for lang in ("en", "fr", "zh", "ar"):
            for width in (390, 1200):
                page = context.new_page()
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(f"{served}/results/{s.result_id}?lang={lang}")
                assert page.locator("td.file").count() >= 1
                wide = page.evaluate("document.documentElement.scrollWidth")
                widest = page.evaluate(
                    """() => [...document.querySelectorAll('body *')]
                      .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                      .slice(0, 5).map(e => e.tagName + '.' + e.className)"""
                )
                assert wide <= width, (lang, width, wide, widest)
                page.screenshot(
                    path=str(shots / f"long-file-name-{lang}-{width}.png"), full_page=True
                )
                page.close()
        browser.close()
