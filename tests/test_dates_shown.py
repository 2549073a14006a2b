"""Issue 10, dates in the visitor's locale: every date a template shows outside an input
goes through the translator (``tr.date``, ``tr.when``, ``tr.stated``, ``tr.period``);
dates stated as a month or a year (IATI activity dates) read as the language writes them;
date inputs carry a visible hint of the order typed text takes and of how pages show
dates."""

from __future__ import annotations

import re
from datetime import date
from importlib import resources
from pathlib import Path

import lxml.html
import pytest

from greenfolio.interfaces.web.i18n import Translator
from greenfolio.services.database import Database
from tests.test_api_support import add_project, add_user, browser

TEMPLATES = Path(str(resources.files("greenfolio.interfaces.web") / "templates"))
DATE_NAMES = re.compile(
    r"(\b|_)(at|date|dates|when|start|end|period_start|period_end|expires_at|used_at|"
    r"created_at|updated_at|uploaded_at|stamp|day)\b"
)
FORMATTED = re.compile(r"tr\.(date|when|stated|period|project_span)\(|\bt\(")
SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def _shown_expressions(text: str) -> list[str]:
    """``{{ … }}`` outside attribute values (an input's value, a <time datetime>)."""
    outside = re.sub(r'="[^"]*"', '=""', text)
    return re.findall(r"{{(.*?)}}", outside)


def test_every_date_a_template_shows_is_formatted() -> None:
    unformatted = []
    for path in sorted(TEMPLATES.glob("*.html")):
        for expr in _shown_expressions(path.read_text("utf-8")):
            if DATE_NAMES.search(expr) and not FORMATTED.search(expr):
                unformatted.append(f"{path.name}: {{{{{expr}}}}}")
    assert unformatted == []


def test_dates_stated_as_month_or_year_read_in_each_language() -> None:
    assert Translator("fr").stated("2021-03") == "mars 2021"
    assert Translator("zh").stated("2021-03") == "2021年3月"
    assert Translator("en").stated("2021-03") == "March 2021"
    assert Translator("ru").stated("2021-03").startswith("март 2021")
    assert Translator("fr").stated("2021-03-15") == Translator("fr").date(date(2021, 3, 15))
    assert Translator("ar").stated("2021") == "2021"
    assert Translator("en").stated("") == ""


@SQLITE
@pytest.mark.parametrize(("lang", "shown"), [("fr", "30 juin 2024"), ("zh", "2024年6月30日")])
def test_date_inputs_say_the_order_and_how_pages_show_dates(
    db: Database, lang: str, shown: str
) -> None:
    add_project(db, "wi-bra", "pops", "BRA")
    boss = add_user(db, "boss", "admin@all")
    web, _ = browser(db, boss)
    for path, params in (
        ("/projects/wi-bra/results/new", {"indicator": "pops_destroyed"}),
        ("/audit", {}),
    ):
        doc = lxml.html.fromstring(web.get(path, params={**params, "lang": lang}).text)
        assert doc.xpath("//input[@type='date']"), path
        hint = doc.xpath('string(//*[@data-testid="date-hint"])')
        assert shown in hint and "2024-06-30" in hint, (path, hint)
