"""How a figure is written in each UN language.

Exact values use CLDR grouping and decimals. Values the source gives as bounds or
approximations keep that form ("more than 700", "700 多"; "about 72 million",
"约 7,200 万"). Chinese scales large approximate values in 万 and 亿 rather than
millions, with CLDR grouping inside the mantissa.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from typing import Literal

from babel.numbers import format_compact_decimal, format_decimal

from greenfolio.domain.languages import CLDR_LOCALES, check_language
from greenfolio.domain.results import Qualifier

# How each language marks a lower bound and an approximation; {n} is the number.
APPROXIMATE_FORMS: dict[str, dict[Qualifier, str]] = {
    "en": {Qualifier.MORE_THAN: "more than {n}", Qualifier.ABOUT: "about {n}"},
    "zh": {Qualifier.MORE_THAN: "{n} 多", Qualifier.ABOUT: "约 {n}"},
    "fr": {Qualifier.MORE_THAN: "plus de {n}", Qualifier.ABOUT: "environ {n}"},
    "es": {Qualifier.MORE_THAN: "más de {n}", Qualifier.ABOUT: "aproximadamente {n}"},
    "ru": {Qualifier.MORE_THAN: "более {n}", Qualifier.ABOUT: "около {n}"},
    "ar": {Qualifier.MORE_THAN: "أكثر من {n}", Qualifier.ABOUT: "نحو {n}"},
}

SCALE_FROM = 1_000_000
"""Approximate values from this size on are written with a scale word (million, 万)."""


def decimal_text(value: float) -> str:
    """A float as a person types it (and IATI writes numbers): positional, no exponent,
    no float noise (the shortest text that reads back as the same float), no trailing
    ``.0``: 2.0 is "2", 1e-07 is "0.0000001"."""
    text = format(Decimal(repr(value)), "f")
    return text[:-2] if text.endswith(".0") else text


def plain_number(value: float, lang: str, max_decimals: int = 3) -> str:
    """CLDR-grouped number with at most ``max_decimals`` decimals and no trailing zeros."""
    rounded = round(value, max_decimals)
    if rounded == int(rounded):
        rounded = int(rounded)
    # Babel rounds in the current decimal context (28 digits): a float past 10^25 would
    # raise there; the largest float has 309 digits.
    with localcontext(prec=320):
        return format_decimal(
            rounded, locale=CLDR_LOCALES[check_language(lang)], group_separator=True
        )


def _chinese_scaled(value: float) -> str:
    for size, word in ((100_000_000, "亿"), (10_000, "万")):
        if value >= size:
            return f"{plain_number(value / size, 'zh', 1)} {word}"
    return plain_number(value, "zh")


SHORT_SCALE_WORDS = frozenset({"ru"})
"""Languages whose long scale words would need case agreement ("около 72 миллионов"):
they use CLDR's abbreviation instead ("около 72 млн")."""


def _scaled(value: float, lang: str) -> str:
    if lang == "zh":
        return _chinese_scaled(value)
    form: Literal["short", "long"] = "short" if lang in SHORT_SCALE_WORDS else "long"
    with localcontext(prec=320):
        return str(
            format_compact_decimal(
                value, format_type=form, locale=CLDR_LOCALES[lang], fraction_digits=1
            )
        )


def format_figure(value: float, lang: str, qualifier: Qualifier = Qualifier.EXACT) -> str:
    """Write ``value`` as running text in ``lang``, keeping the source's precision."""
    check_language(lang)
    if qualifier is Qualifier.EXACT:
        return plain_number(value, lang)
    number = _scaled(value, lang) if value >= SCALE_FROM else plain_number(value, lang)
    if lang == "zh" and qualifier is Qualifier.MORE_THAN and value < SCALE_FROM and value % 10:
        # "多" after a round number (700 多, 30 多); after 1,234 it reads oddly: 超过 1,234
        return f"超过 {number}"
    return APPROXIMATE_FORMS[lang][qualifier].format(n=number)


# Editorial style spells out small whole numbers in running text ("four core functions",
# "四项核心职能", "cuatro funciones básicas", "quatre fonctions"). French and Spanish spell
# out two to nine, whose words do not agree with their noun; zero and one ("un"/"une",
# "uno"/"una") stay in digits here and are written by the templates' plural forms. Russian
# and Arabic numerals agree with their noun in case or gender: they are written below, from
# the noun's grammar that the template gives.
SMALL_NUMBER_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
    "zh": ("零", "一", "两", "三", "四", "五", "六", "七", "八", "九"),
    "fr": ("", "", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"),
    "es": ("", "", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"),
}


# Russian: the reviewer of the Russian edition (UN Russian editorial practice, as reported
# in the review brief; the UN Russian editorial manual itself is not cited here) asks for the
# numbers one to ten in words in running text, digits with units, percentages and dates.
# A Russian numeral agrees with its noun in case (and "один", "два" in gender), so the
# template names the case the sentence governs ("в рамках четырех функций": genitive).
# Declension as in Russian grammar (Розенталь, «Справочник по правописанию и литературной
# правке», § on numerals); "е" for "ё" as UN Russian documents print it ("трех").
RUSSIAN_CASES = ("nominative", "genitive", "dative", "accusative", "instrumental", "prepositional")
_RU_ONE = {  # masculine, feminine, neuter
    "nominative": ("один", "одна", "одно"),
    "genitive": ("одного", "одной", "одного"),
    "dative": ("одному", "одной", "одному"),
    "accusative": ("один", "одну", "одно"),
    "instrumental": ("одним", "одной", "одним"),
    "prepositional": ("одном", "одной", "одном"),
}
_RU_TWO_TO_TEN = {  # 2, 3, … 10; "два" is "две" in the feminine nominative and accusative
    "nominative": "два три четыре пять шесть семь восемь девять десять",
    "genitive": "двух трех четырех пяти шести семи восьми девяти десяти",
    "dative": "двум трем четырем пяти шести семи восьми девяти десяти",
    "accusative": "два три четыре пять шесть семь восемь девять десять",
    "instrumental": "двумя тремя четырьмя пятью шестью семью восемью девятью десятью",
    "prepositional": "двух трех четырех пяти шести семи восьми девяти десяти",
}


def russian_number_word(value: int, case: str, gender: str = "m") -> str | None:
    """A whole number from one to ten as a Russian word in ``case`` ("четырех"), else None;
    ``gender`` (m, f, n) chooses among "один/одна/одно" and "два/две"."""
    if case not in RUSSIAN_CASES:
        raise ValueError(f"unknown Russian case {case!r}; one of {', '.join(RUSSIAN_CASES)}")
    index = "mfn".index(gender) if gender in ("m", "f", "n") else -1
    if index < 0:
        raise ValueError(f"unknown gender {gender!r}; m, f or n")
    if value == 1:
        return _RU_ONE[case][index]
    if 2 <= value <= 10:
        word = _RU_TWO_TO_TEN[case].split()[value - 2]
        return "две" if word == "два" and gender == "f" else word
    return None


# Arabic: the numbers three to ten in words in running text (issue 9, the Arabic review of
# the Board report, as UN Arabic editorial practice; the UN Arabic editorial manual itself is
# not cited here); one and two are the templates' singular and dual forms, 11 and above stay
# digits. A number from three to ten takes the gender opposite to that of its counted noun's
# singular (the rule of polarity, المخالفة, of Arabic grammar: بلد is masculine, so "ثلاثة
# بلدان"; دولة is feminine, so "ثلاث دول"), the noun following in the genitive plural.
# Written without vowel marks, as UN Arabic documents print them; the words do not change
# with the case of the phrase, save "ثماني", written with its yā' before the counted noun.
_AR_THREE_TO_TEN = {  # by the gender of the counted noun's singular
    "m": ("ثلاثة", "أربعة", "خمسة", "ستة", "سبعة", "ثمانية", "تسعة", "عشرة"),
    "f": ("ثلاث", "أربع", "خمس", "ست", "سبع", "ثماني", "تسع", "عشر"),
}


def arabic_number_word(value: int, noun_gender: str) -> str | None:
    """A whole number from three to ten as the Arabic word before a counted noun whose
    singular is of ``noun_gender`` (m or f): "ثلاثة" before بلدان, "ثلاث" before دول; else
    None."""
    if noun_gender not in _AR_THREE_TO_TEN:
        raise ValueError(f"unknown gender {noun_gender!r} of an Arabic counted noun; m or f")
    if 3 <= value <= 10:
        return _AR_THREE_TO_TEN[noun_gender][value - 3]
    return None


def format_count(
    value: float,
    lang: str,
    qualifier: Qualifier = Qualifier.EXACT,
    case: str = "",
    gender: str = "",
) -> str:
    """Like ``format_figure``, but spells out exact whole numbers below ten where usual;
    in Russian, one to ten when the template gives the ``case`` the sentence governs (and
    the noun's ``gender``, masculine if not given); in Arabic, three to ten when it gives
    the ``gender`` of the counted noun's singular."""
    exact = qualifier is Qualifier.EXACT and value == int(value)
    if lang == "ru" and case and exact:
        word = russian_number_word(int(value), case, gender or "m")
        if word:
            return word
    if lang == "ar" and gender and exact:
        word = arabic_number_word(int(value), gender)
        if word:
            return word
    words = SMALL_NUMBER_WORDS.get(lang)
    if words and exact and 0 <= value < 10 and words[int(value)]:
        return words[int(value)]
    return format_figure(value, lang, qualifier)


def word_to_number(word: str, lang: str) -> int | None:
    """The inverse of the spelled-out forms, for reading a report back."""
    words = SMALL_NUMBER_WORDS.get(lang, ())
    lowered = word.lower()
    return words.index(lowered) if lowered and lowered in words else None
