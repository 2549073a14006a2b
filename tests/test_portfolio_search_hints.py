"""An officer's review: a search that found nothing showed "Найдено: 0" and an empty
table, and a search for a country's name ("Египет") found nothing, without a word. The
page says why nothing matched and, where the search is a country's name, offers that
country's filter."""

from __future__ import annotations

import lxml.html

from greenfolio.services.database import Database
from tests.test_api_support import add_user, browser


def test_an_empty_search_and_a_country_search_are_explained(demo_db: Database) -> None:
    web, _ = browser(demo_db, add_user(demo_db, "look", "viewer@all"))
    root = lxml.html.fromstring(web.get("/projects", params={"q": "xyzzy", "lang": "ru"}).text)
    said = root.xpath('string(//*[@data-testid="nothing-found"])')
    assert "Подходящих проектов нет" in said
    root = lxml.html.fromstring(web.get("/projects", params={"q": "Бразилия", "lang": "ru"}).text)
    hint = root.xpath('//*[@data-testid="country-hint"]')[0]
    assert "Бразилия" in hint.text_content()
    assert hint.xpath(".//a/@href") == ["/projects?country=BRA"]
    shown = web.get("/projects?country=BRA&lang=ru")
    assert "idb49-biogas-brazil" in shown.text
    # a French name, and no hint where a country is chosen or the words name none
    root = lxml.html.fromstring(web.get("/projects", params={"q": "Sénégal", "lang": "fr"}).text)
    assert root.xpath('//*[@data-testid="country-hint"]//a/@href') == ["/projects?country=SEN"]
    for params in ({"q": "Brazil", "country": "BRA"}, {"q": "biogas"}):
        root = lxml.html.fromstring(web.get("/projects", params=params).text)
        assert not root.xpath('//*[@data-testid="country-hint"]'), params
    assert not lxml.html.fromstring(web.get("/projects").text).xpath(
        '//*[@data-testid="nothing-found"]'
    )


def test_the_country_filter_lists_countries_as_the_result_form_does(demo_db: Database) -> None:
    """An officer's review: in Chinese the portfolio's country filter was in code-point
    order (中国, 乌克兰 …) and the result form's in English name order; both now follow the
    form's order."""
    from greenfolio.domain.countries import all_countries

    web, _ = browser(demo_db, add_user(demo_db, "zhlook", "viewer@all"))
    root = lxml.html.fromstring(web.get("/projects", params={"lang": "zh"}).text)
    shown = root.xpath("//select[@name='country']/option[@value!='']/@value")
    rank = {code: n for n, (code, _) in enumerate(all_countries("zh"))}
    assert len(shown) > 5 and shown == sorted(shown, key=rank.__getitem__), shown
