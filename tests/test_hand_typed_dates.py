"""Activity dates typed as people write them by hand, in each language (an officer's
review: "mars 2021" and "31/12/2023" were blocked by the page and refused in English)."""

from __future__ import annotations

import pytest

from greenfolio.domain.activity_dates import DateType, hand_typed, parse
from greenfolio.services.database import Database


@pytest.mark.parametrize(
    ("typed", "lang", "stated"),
    [
        ("mars 2021", "fr", "2021-03"),
        ("Mars 2021", "fr", "2021-03"),
        ("sept. 2021", "fr", "2021-09"),
        ("marzo de 2021", "es", "2021-03"),
        ("марта 2021 г.", "ru", "2021-03"),
        ("март 2021", "ru", "2021-03"),
        ("مارس ٢٠٢١", "ar", "2021-03"),
        ("2021年3月", "zh", "2021-03"),
        ("2021年", "zh", "2021"),
        ("March 2021", "en", "2021-03"),
        ("31/12/2023", "fr", "2023-12-31"),
        ("٢٠٢٠-٠٣", "ar", "2020-03"),
        ("31/12/2023", "en", "31/12/2023"),  # English: either way round, left alone
        # a day written as the pages write dates (stop 29: these were refused)
        ("1 mars 2022", "fr", "2022-03-01"),
        ("1er mars 2022", "fr", "2022-03-01"),
        ("1 de marzo de 2022", "es", "2022-03-01"),
        ("15 mar 2022", "es", "2022-03-15"),
        ("1 марта 2022 г.", "ru", "2022-03-01"),
        ("١ آذار/مارس ٢٠٢٢", "ar", "2022-03-01"),
        ("آذار/مارس ٢٠٢٢", "ar", "2022-03"),
        ("March 1, 2022", "en", "2022-03-01"),
        ("1 March 2022", "en", "2022-03-01"),
        ("2022年3月1日", "zh", "2022-03-01"),
        ("soon 2021", "en", "soon 2021"),
    ],
)
def test_a_date_typed_by_hand_is_stated_as_greenfolio_states_it(
    typed: str, lang: str, stated: str
) -> None:
    assert hand_typed(typed, lang) == stated


def test_a_named_month_bounds_its_side_of_the_period() -> None:
    assert parse(DateType.PLANNED_END, "juin 2022").day.isoformat() == "2022-06-30"
    assert parse(DateType.ACTUAL_START, "juin 2022").stated == "2022-06"
    with pytest.raises(ValueError):
        parse(DateType.ACTUAL_START, "bientôt")
    # a refusal echoes what was typed, not what it was read as
    with pytest.raises(ValueError, match="'31 février 2022' is not a date of the calendar"):
        parse(DateType.ACTUAL_START, "31 février 2022")


def test_a_projects_page_states_its_period_to_the_precision_given(db: Database) -> None:
    """An officer's review: a start stated as a month showed as its first day."""
    import lxml.html

    from tests.test_api_support import add_project, add_user, browser, client

    add_project(db, "hd-phl", "pops", "PHL")
    admin = add_user(db, "root", "admin@all")
    api = client(db)
    read = api.get("/api/v1/projects/hd-phl", headers=admin.auth).json()
    sent = {
        "key": "hd-phl", "kind": "project", "title": read["title"], "version": read["version"],
        "dates": [{"type": "actual_start", "when": "mars 2021"},
                  {"type": "planned_end", "when": "2024"}],
    }  # fmt: skip
    assert api.put("/api/v1/projects/hd-phl", json=sent, headers=admin.auth).status_code == 200
    web, _ = browser(db, admin)
    for lang, said in (
        ("fr", "mars 2021 – 2024"),
        ("zh", "2021年3月至2024"),
        ("en", "March 2021 – 2024"),
    ):
        page = lxml.html.fromstring(web.get(f"/projects/hd-phl?lang={lang}").text)
        meta = page.xpath("string(//p[@class='meta'])")
        assert said in meta, (lang, meta)


def test_a_long_refused_date_is_not_echoed_whole(db: Database) -> None:
    """A 400 KB date came back whole in the refusal."""
    import lxml.html

    from tests.test_api_support import add_user, browser

    web, csrf = browser(db, add_user(db, "ida", "editor@all"))
    form = {"csrf": csrf, "key": "xm-long", "kind": "project", "title_en": "L",
            "date_actual_start": "9" * 5000}  # fmt: skip
    refused = web.post("/projects/new?lang=fr", data=form)
    assert refused.status_code == 422
    said = lxml.html.fromstring(refused.text).xpath("string(//*[@role='alert'])")
    assert said and "9" * 61 not in said
    with pytest.raises(ValueError) as caught:
        parse(DateType.ACTUAL_START, "x" * 1000)
    assert len(str(caught.value)) < 200
