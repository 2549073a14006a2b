"""Issue 10, pydantic's own checks on the forms in the visitor's language: a missing field,
a text too long, a number out of range, a date, a number or a choice that does not read
are said with the field's label in each of the six languages, never in pydantic's English
and never with the stored codes of a choice."""

from __future__ import annotations

import re
from datetime import date

import lxml.html
import pydantic
import pytest

from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.domain.results import Qualifier
from greenfolio.interfaces.web.i18n import Translator, catalogue
from greenfolio.interfaces.web.refusal_text import invalid_input
from greenfolio.services.database import Database
from tests.test_api_support import add_user, browser

SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
PROJECT = "idb49-pops-programme"
PYDANTIC_ENGLISH = re.compile(r"Input should|Field required|String should|unable to parse")


class _Form(pydantic.BaseModel):
    title: str = pydantic.Field(max_length=5)
    description: str = pydantic.Field(min_length=3)
    value: float = pydantic.Field(ge=0)
    year: int = pydantic.Field(gt=1, le=10)
    period_start: date
    qualifier: Qualifier
    citation: int


def _refused(**fields: object) -> pydantic.ValidationError:
    with pytest.raises(pydantic.ValidationError) as caught:
        _Form.model_validate(fields)
    return caught.value


@pytest.mark.parametrize("lang", UN_LANGUAGES)
def test_each_check_is_said_with_the_fields_label(lang: str) -> None:
    tr = Translator(lang)
    words = catalogue(lang)
    exc = _refused(
        title="toolong", description="ab", value=-1, year=11, period_start="30/06/2021",
        qualifier="bogus", citation="x",
    )  # fmt: skip
    said = invalid_input(tr, exc)
    assert len(said) == 7
    limit = {"title": tr.num(5), "description": tr.num(3), "value": tr.num(0), "year": tr.num(10)}
    expected = [
        tr("err_pyd_too_long", field=words["title"], limit=limit["title"]),
        tr("err_pyd_too_short", field=words["description"], limit=limit["description"]),
        tr("err_pyd_min", field=words["value"], limit=limit["value"]),
        tr("err_pyd_max", field=words["year"], limit=limit["year"]),
    ]
    assert said[:4] == expected
    assert said[4].startswith(words["period_start"]) and "2024-06-30" in said[4]
    for code in ("exact", "more_than", "about"):
        assert code not in said[5]
    assert words["qualifier_more_than"] in said[5]
    assert said[6] == tr("err_pyd_int", field=words["citation"])
    for text in said:
        assert not PYDANTIC_ENGLISH.search(text), text
        assert "{" not in text and "_" not in text
    missing = invalid_input(tr, _refused())
    assert tr("err_pyd_missing", field=words["title"]) in missing
    assert len(missing) == 7


@SQLITE
@pytest.mark.parametrize("lang", ["fr", "zh", "ar"])
def test_the_result_form_says_its_checks_in_the_visitors_language(
    demo_db: Database, lang: str
) -> None:
    web, csrf = browser(demo_db, add_user(demo_db, "ed", "editor@all"))
    sent = web.post(
        f"/projects/{PROJECT}/results",
        params={"lang": lang},
        data={"csrf": csrf, "indicator": "pops_destroyed", "value": "beaucoup",
              "qualifier": "bogus", "period_end": "30/06/2021", "unit": "t"},
    )  # fmt: skip
    assert sent.status_code == 422
    errors = lxml.html.fromstring(sent.text).xpath("//div[@class='errors']//li")
    said = [e.text_content() for e in errors]
    tr, words = Translator(lang), catalogue(lang)
    assert said == [
        tr("err_pyd_number", field=words["value"]),
        said[1],
        said[2],
    ], said
    assert words["qualifier_about"] in said[1] and "about" not in said[1]
    assert said[2].startswith(words["period_end"]) and "2024-06-30" in said[2]
    for text in said:
        assert not PYDANTIC_ENGLISH.search(text), text
        if lang in ("zh", "ar"):
            assert not re.search(r"[A-Za-z]{2,}", text), text
