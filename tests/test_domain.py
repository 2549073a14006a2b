"""Pure domain rules: review workflow, countries, number style."""

from __future__ import annotations

import pytest

from greenfolio.domain.countries import check_country, country_name
from greenfolio.domain.errors import ValidationError
from greenfolio.domain.numbers import format_count, format_figure
from greenfolio.domain.permissions import Grant, Principal, Role, Scope
from greenfolio.domain.results import Qualifier, ReviewState, combine_qualifiers, next_state
from greenfolio.refdata import loader


def test_review_workflow() -> None:
    assert next_state(ReviewState.DRAFT, "submit") is ReviewState.SUBMITTED
    assert next_state(ReviewState.SUBMITTED, "return") is ReviewState.RETURNED
    assert next_state(ReviewState.RETURNED, "submit") is ReviewState.SUBMITTED
    assert next_state(ReviewState.SUBMITTED, "verify") is ReviewState.VERIFIED
    with pytest.raises(ValidationError, match="cannot verify result 5: it is draft"):
        next_state(ReviewState.DRAFT, "verify", 5)


@pytest.mark.parametrize(
    ("value", "lang", "qualifier", "expected"),
    [
        (700, "en", Qualifier.MORE_THAN, "more than 700"),
        (72_000_000, "en", Qualifier.ABOUT, "about 72 million"),
        (700, "zh", Qualifier.MORE_THAN, "700 多"),
        (72_000_000, "zh", Qualifier.ABOUT, "约 7,200 万"),
        (250_000_000, "zh", Qualifier.ABOUT, "约 2.5 亿"),
        (13_194, "en", Qualifier.EXACT, "13,194"),
        (13_194, "zh", Qualifier.EXACT, "13,194"),
        (13_194.5, "fr", Qualifier.EXACT, "13\u202f194,5"),
        (1_500_000, "es", Qualifier.ABOUT, "aproximadamente 1,5 millones"),
    ],
)
def test_number_style(value: float, lang: str, qualifier: Qualifier, expected: str) -> None:
    assert format_figure(value, lang, qualifier) == expected


def test_small_counts_are_spelled_out_in_en_and_zh() -> None:
    assert format_count(4, "en") == "four"
    assert format_count(2, "zh") == "两"
    assert format_count(11, "en") == "11"
    assert format_count(4, "en", Qualifier.MORE_THAN) == "more than 4"


def test_qualifier_of_a_total() -> None:
    assert combine_qualifiers({Qualifier.EXACT, Qualifier.MORE_THAN}) is Qualifier.MORE_THAN
    assert combine_qualifiers({Qualifier.ABOUT, Qualifier.MORE_THAN}) is Qualifier.ABOUT
    assert combine_qualifiers(set()) is Qualifier.EXACT


def test_country_names_come_from_unterm_then_iso_and_cldr() -> None:
    # UNTERM short names, without their article (the form for tables and pages)
    assert country_name("COD", "en") == "Democratic Republic of the Congo"
    assert country_name("COD", "zh") == "刚果民主共和国"
    assert country_name("KHM", "zh") == "柬埔寨"
    assert country_name("VNM", "en") == "Viet Nam"
    assert country_name("IRN", "fr") == "Iran (République islamique d')"
    # States renamed since 2016 take their current UN names (refdata/unterm/README.md)
    assert country_name("SWZ", "en") == "Eswatini"
    assert country_name("CZE", "en") == "Czechia"


def test_unknown_country_suggests_a_code() -> None:
    with pytest.raises(ValidationError, match="did you mean BRA"):
        check_country("Brazil")
    with pytest.raises(ValidationError, match="alpha-3"):
        check_country("XXZ")


def test_every_classification_and_indicator_has_six_names() -> None:
    gaps = [g for scheme in loader.schemes().values() for g in scheme.missing_names()]
    assert gaps == []
    for ind in loader.indicators().values():
        assert set(ind.names) == {"ar", "zh", "en", "fr", "ru", "es"}, ind.code
    assert len(loader.schemes()["core_function"].terms) == 4
    assert [t.code for t in loader.schemes()["focus_area"].terms] == ["a", "b", "c"]


def test_may_edit_somewhere_needs_a_grant_that_edits_on_some_scope() -> None:
    viewer = Principal("v", (Grant(Role.VIEWER, Scope.parse("all")),), 1)
    country_editor = Principal("e", (Grant(Role.EDITOR, Scope.parse("country:KEN")),), 2)
    assert not viewer.may_edit_somewhere()
    assert not Principal("public", public=True).may_edit_somewhere()
    assert country_editor.may_edit_somewhere()


def test_chinese_more_than_takes_duo_after_a_round_number_only() -> None:
    """700 多 as the source writes it; after 1,234 多 reads oddly (officer review)."""
    assert format_figure(700, "zh", Qualifier.MORE_THAN) == "700 多"
    assert format_figure(1234, "zh", Qualifier.MORE_THAN) == "超过 1,234"
