"""A result an IATI file brought is stored with the source "IATI activity <identifier>"
(English, as the command line and the API read it back); pages and documents name the
activity in the reader's words."""

from __future__ import annotations

from pathlib import Path

import lxml.html

from greenfolio.domain.run_citation import activity_citation, cited_activity
from greenfolio.services.database import Database
from greenfolio.services.exchange.iati_import import import_file
from tests.test_api_support import add_user, browser

EXAMPLE = Path(__file__).parent / "data" / "iati" / "files" / "iati-example-v203.xml"
ACTIVITY = "NL-1-PPR-24706"
SAID = {
    "en": f"IATI activity {ACTIVITY}",
    "fr": f"Activité IATI {ACTIVITY}",
    "ru": f"Мероприятие IATI {ACTIVITY}",
    "zh": f"IATI 活动 {ACTIVITY}",
    "ar": f"نشاط IATI {ACTIVITY}",
}


def test_the_stored_source_of_an_activity_is_read_back() -> None:
    assert cited_activity(activity_citation(ACTIVITY)) == ACTIVITY
    assert cited_activity("IATI activity ") is None
    assert cited_activity("IATI activity report, page 4") is None
    assert cited_activity("Project document") is None and cited_activity(None) is None


def test_pages_name_the_activity_in_the_readers_words(demo_db: Database) -> None:
    assert import_file(demo_db, EXAMPLE).created
    user = add_user(demo_db, "src", "editor@all")
    web, _ = browser(demo_db, user)
    for lang, said in SAID.items():
        page = web.get(f"/projects/{ACTIVITY}", params={"lang": lang})
        assert page.status_code == 200
        root = lxml.html.fromstring(page.text)
        cells = [c.text_content().strip() for c in root.xpath("//td[@data-label]")]
        assert said in cells, (lang, cells)
        if lang != "en":
            assert "IATI activity" not in page.text, lang
        link = root.xpath('//a[starts-with(@href, "/results/")]/@href')[0]
        result = lxml.html.fromstring(web.get(link, params={"lang": lang}).text)
        shown = result.xpath('string(//dd[@data-testid="result-source"])').strip()
        assert shown == said, (lang, shown)


def test_the_documents_sources_name_the_activity_in_their_words() -> None:
    from greenfolio.services.report_charts import words
    from greenfolio.services.report_sources import _citation

    row = {"citation": activity_citation(ACTIVITY)}
    assert _citation(row, words("fr")) == f"activité IATI {ACTIVITY}"
    assert _citation(row, words("zh")) == f"IATI 活动 {ACTIVITY}"
    assert _citation({"citation": "Rapport, p. 4"}, words("fr")) == "Rapport, p. 4"
