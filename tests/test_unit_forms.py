"""A counted unit after a number takes the number's plural form in each language (CLDR
categories through babel): "1 country", "21 страна", "12 بلدًا", never "1 countries"."""

from __future__ import annotations

import pytest
from babel import Locale

from greenfolio.http.labels import UNITS, _unit_forms
from greenfolio.web.i18n import CLDR, Translator

COUNTED = ("country", "project", "policy", "publication", "person", "institution", "event",
           "park", "value_chain", "alliance", "accreditation")  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "value", "unit", "expected"),
    [
        ("en", 1, "country", "1 country"),
        ("en", 12, "country", "12 countries"),
        ("en", 1, "value_chain", "1 value chain"),
        ("fr", 1, "publication", "1 publication"),
        ("fr", 2, "country", "2 pays"),
        ("es", 1, "country", "1 país"),
        ("es", 3, "project", "3 proyectos"),
        ("ru", 1, "country", "1 страна"),
        ("ru", 3, "country", "3 страны"),
        ("ru", 5, "country", "5 стран"),
        ("ru", 21, "person", "21 человек"),
        ("ru", 22, "person", "22 человека"),
        ("ar", 2, "project", "2 مشروعان"),
        ("ar", 5, "country", "5 بلدان"),
        ("ar", 12, "country", "12 بلدًا"),
        ("ar", 100, "country", "100 بلد"),
        ("zh", 1, "country", "1 个国家"),
        ("en", 250, "t", "250 t"),
    ],
)
def test_counted_unit_takes_the_numbers_plural_form(
    lang: str, value: int, unit: str, expected: str
) -> None:
    assert Translator(lang).amount(value, "exact", unit).replace("\u00a0", " ") == expected


def test_every_category_of_each_language_names_every_counted_unit() -> None:
    forms = _unit_forms()
    for lang, by_category in forms.items():
        categories = set(Locale.parse(CLDR[lang]).plural_form.tags) | {"other"}
        assert set(by_category) <= categories, lang
        for category, words in by_category.items():
            assert set(words) == set(COUNTED), (lang, category)
    assert set(COUNTED) <= set(UNITS)


def test_a_quantity_without_a_number_keeps_the_catalogue_word() -> None:
    assert Translator("ru").counted("country", None) == "стран"


def test_every_method_in_the_catalogue_has_a_name_in_each_language() -> None:
    from greenfolio.http.labels import METHODS
    from greenfolio.methods.registry import METHODS as CATALOGUE

    assert set(METHODS) == set(CATALOGUE)
    for lang in ("en", "fr", "es", "ru", "zh", "ar"):
        name = Translator(lang).label("method", "montreal.convert")
        assert name and "montreal" not in name, lang


def test_the_audit_trail_counts_in_the_numbers_plural_form() -> None:
    from greenfolio.http.event_text import describe

    event = {"action": "update", "entity": "result", "entity_id": 75, "actor": "cli:kim",
             "before": {"value": 1.0, "unit": "accreditation", "indicator_code": "x"},
             "after": {"value": 1.0, "unit": "accreditation", "indicator_code": "x"}}  # fmt: skip
    said = describe(Translator("fr"), event)["what"]
    assert "1 accréditation" in said and "1 accréditations" not in said, said
