"""A counted unit after a number takes the number's plural form in each language (CLDR
categories through babel): "1 country", "21 страна", "12 بلدًا", never "1 countries"."""

from __future__ import annotations

import pytest
from babel import Locale

from greenfolio.interfaces.http.labels import UNITS, unit_forms
from greenfolio.interfaces.web.i18n import CLDR, Translator

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
        ("zh", 1, "country", "1个国家"),
        ("en", 250, "t", "250 t"),
    ],
)
def test_counted_unit_takes_the_numbers_plural_form(
    lang: str, value: int, unit: str, expected: str
) -> None:
    assert Translator(lang).amount(value, "exact", unit).replace("\u00a0", " ") == expected


def test_every_category_of_each_language_names_every_counted_unit() -> None:
    forms = unit_forms()
    for lang, by_category in forms.items():
        categories = set(Locale.parse(CLDR[lang]).plural_form.tags) | {"other"}
        plain = {c.removesuffix("_after_qualifier") for c in by_category}
        assert plain <= categories, lang
        for category, words in by_category.items():
            assert set(words) == set(COUNTED), (lang, category)
    assert set(COUNTED) <= set(UNITS)


@pytest.mark.parametrize(
    ("qualifier", "value", "expected"),
    [
        ("more_than", 2, "أكثر من 2 سياستين"),  # the dual after من is genitive
        ("about", 2, "نحو 2 بلدين"),
        ("exact", 2, "2 بلدان"),
        ("more_than", 5, "أكثر من 5 بلدان"),
        ("more_than", 12, "أكثر من 12 بلدًا"),
    ],
)
def test_arabic_dual_after_more_than_or_about_is_genitive(
    qualifier: str, value: int, expected: str
) -> None:
    unit = "policy" if "سياس" in expected else "country"
    said = Translator("ar").amount(value, qualifier, unit).replace("\u00a0", " ")
    assert said == expected


def test_a_quantity_without_a_number_keeps_the_catalogue_word() -> None:
    assert Translator("ru").counted("country", None) == "стран"


def test_every_method_in_the_catalogue_has_a_name_in_each_language() -> None:
    from greenfolio.interfaces.http.labels import METHODS
    from greenfolio.methods.registry import METHODS as CATALOGUE

    assert set(METHODS) == set(CATALOGUE)
    for lang in ("en", "fr", "es", "ru", "zh", "ar"):
        name = Translator(lang).label("method", "montreal.convert")
        assert name and "montreal" not in name, lang


def test_the_audit_trail_counts_in_the_numbers_plural_form() -> None:
    from greenfolio.interfaces.http.event_text import describe

    event = {"action": "update", "entity": "result", "entity_id": 75, "actor": "cli:kim",
             "before": {"value": 1.0, "unit": "accreditation", "indicator_code": "x"},
             "after": {"value": 1.0, "unit": "accreditation", "indicator_code": "x"}}  # fmt: skip
    said = describe(Translator("fr"), event)["what"]
    assert "1 accréditation" in said and "1 accréditations" not in said, said


TEQ_UNITS = ("mg_TEQ", "g_TEQ")
"""Toxic-equivalent units the report and the web pages both print."""


@pytest.mark.parametrize("lang", ("en", "fr", "es", "ru", "zh", "ar"))
def test_toxic_equivalent_units_agree_between_report_and_web(lang: str) -> None:
    """A page and the Board report write "119 489 mg TEQ" alike: the web's unit word is the
    report's, so a reader never sees «мг ТЭ» on a page and "mg TEQ" in the report."""
    from greenfolio.refdata.loader import read_yaml
    from greenfolio.services import report_units

    report = read_yaml("greenfolio.reports", "units.yaml")["units"]
    web = Translator(lang)
    for unit in TEQ_UNITS:
        words = report[unit][lang]
        assert isinstance(words, str), (unit, lang)  # a symbol: no plural forms
        assert web.label("unit", unit) == words, (unit, lang)
        printed = report_units.quantity(119489, unit, lang).replace("\u00a0", " ")
        assert printed.endswith(words), printed
    assert web.label("unit", "ng_TEQ") == "ng TEQ", lang  # the web's own smaller unit


def test_each_toxic_equivalent_form_records_its_source() -> None:
    """Every TEQ form carries its source in units.yaml; a symbol kept in a UN language says
    why (no UN-language form cited), so a reviewer can tell a choice from an oversight."""
    from greenfolio.refdata.loader import read_yaml

    report = read_yaml("greenfolio.reports", "units.yaml")["units"]
    for unit in TEQ_UNITS:
        source = str(report[unit].get("source") or "")
        assert source, unit
    assert "Stockholm Convention" in report["g_TEQ"]["source"]
    assert "g TEQ/a" in report["g_TEQ"]["source"]
    assert "no UN-language form could be cited" in report["g_TEQ"]["source"]
    # a UN-language unit word other than the symbol would need its own source here
    for lang in ("fr", "es", "ru", "zh", "ar"):
        for unit in TEQ_UNITS:
            assert report[unit][lang] == report[unit]["en"], (unit, lang)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("tonnes", "t"), ("metric_ton", "t"), ("kilogram", "kg"), ("ODP_t", "ODP_tonne"),
     ("gram_TEQ", "g_TEQ"), ("persons", "person"), ("t", "t"), ("USD", "USD")],
)  # fmt: skip
def test_a_unit_typed_by_another_name_is_stored_by_its_code(typed: str, stored: str) -> None:
    """A newcomer's review: `results add … --unit tonnes` stored "tonnes", and the page
    said "1 tonnes" while lists mixed "t" and "tonnes"."""
    from greenfolio.services.entry import ResultChanges
    from greenfolio.services.results import ResultSpec

    spec = ResultSpec(work="w", indicator="pops_destroyed", value=1, unit=typed)
    assert spec.unit == stored
    assert ResultChanges(unit=typed).unit == stored
