"""Countries by ISO 3166-1 alpha-3 code, named in each language as the UN names them.

Names are never typed by hand. Member States take their UNTERM short names from the
packaged table (``domain.un_names``); territories and the few States the table lacks
(see ``refdata/unterm/README.md``) fall back to the ISO 3166 translations that
``pycountry`` ships (the Debian iso-codes project) or, where those give an inverted
catalogue form that cannot be turned around, to CLDR through ``babel``.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from functools import lru_cache
from typing import Any

import pycountry
from babel import Locale

from greenfolio.domain.errors import ValidationError
from greenfolio.domain.languages import UN_LANGUAGES, check_language
from greenfolio.domain.text import folded, unambiguous
from greenfolio.domain.un_names import (
    RUSSIAN_CASES,
    UnName,
    m49_name,
    russian_forms,
    un_name,
    with_preposition,
)

_ISO_LOCALE = {"en": None, "zh": "zh_CN", "fr": "fr", "ar": "ar", "ru": "ru", "es": "es"}


def check_country(code: str) -> str:
    """Return the upper-cased alpha-3 code, or raise naming the code and a near match."""
    norm = code.strip().upper()
    if len(norm) == 3 and pycountry.countries.get(alpha_3=norm) is not None:
        return norm
    try:
        found = pycountry.countries.lookup(code.strip())
    except LookupError:
        raise ValidationError(
            f"unknown country code {code!r}: use an ISO 3166-1 alpha-3 code such as BRA",
            message_id="country_unknown",
            params={"code": code},
            field="country",
        ) from None
    raise ValidationError(
        f"unknown country code {code!r}: use an ISO 3166-1 alpha-3 code such as BRA"
        f" (did you mean {found.alpha_3}, the code of {found.name}?)",
        message_id="country_near",
        params={"code": code, "near": found.alpha_3, "country": found.alpha_3},
        field="country",
    )


@lru_cache(maxsize=8)
def _iso_translation(lang: str) -> gettext.NullTranslations:
    locale = _ISO_LOCALE[lang]
    if locale is None:
        return gettext.NullTranslations()
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[locale])


def _uninvert(name: str) -> str | None:
    """Turn a catalogue form "Korea, Republic of" into running text "Republic of Korea".

    Returns None when the name does not have that shape.
    """
    head, sep, tail = name.partition(", ")
    if not sep or ", " in tail:
        return None
    words = tail.split(" ")
    if words[0] in ("The", "Le", "La", "El"):
        words[0] = words[0].lower()
    joiner = "" if tail.endswith(("'", "’")) else " "
    if words[0] not in ("the", "le", "la", "el"):
        words[0] = words[0][:1].upper() + words[0][1:]
    return " ".join(words) + joiner + head


CLDR_CAPITAL_FORMS = frozenset({"COD", "COG"})
"""Countries CLDR names by their capitals ("Congo - Kinshasa"); the ISO name is used."""

_ARABIC_MARKS = re.compile("[\u064b-\u0652]")


ISO_INVERTED = frozenset({"BOL", "COD", "FSM", "IRN", "KOR", "MDA", "PRK", "PSE", "TZA", "VEN"})
"""States whose ISO 3166 name is a catalogue inversion, the name and then the form of State
("Korea, Republic of"). A comma in any other ISO name is part of it: a list of islands
("Bonaire, Sint Eustatius and Saba"; "Saint Helena, Ascension and Tristan da Cunha") or a
qualifier ("Taiwan, Province of China"), which turned around read "Province of China
Taiwan" or lost a part."""


ISO_AS_WRITTEN = frozenset({"TWN", "PSE"})
"""Names taken from ISO 3166 in every language, where CLDR's leaves out ISO's qualifier
("Taiwan, Province of China", "中国台湾省") or says another thing (CLDR's Chinese
"巴勒斯坦领土", "Palestinian Territories", for the State of Palestine)."""


def _iso_name(country: Any, lang: str) -> str | None:
    """The ISO 3166 name in running-text order, or None if it cannot be turned around."""
    iso = str(_iso_translation(lang).gettext(country.name))
    inverted = country.alpha_3 in ISO_INVERTED
    if lang == "ar":
        iso = _ARABIC_MARKS.sub("", iso)
        _head, sep, tail = iso.partition("، ")
        return tail if sep and inverted else iso
    if "," not in iso or not inverted:
        return iso
    return _uninvert(iso)


@lru_cache(maxsize=2048)
def country_name(code: str, lang: str) -> str:
    """The short name of a country in one of the UN languages, without an article
    ("Philippines", "Brasil", "Viet Nam"): the form for tables, lists and pages.

    The UNTERM name where the table has one (``domain.un_names``), else the name of the UN
    Statistics Division's M49 standard (territories, "Chine, région administrative
    spéciale de Hong Kong", "Islas Malvinas (Falkland)"). Otherwise English uses
    the ISO 3166 name; French, Spanish, Russian and Arabic use the ISO name where ISO gives
    a formal inverted form
    ("Corée, République de" → "République de Corée"), else CLDR, whose ordinary names are
    the better edited; Chinese uses CLDR. CLDR is never used where it names a country by
    its capital.
    """
    check_language(lang)
    country = pycountry.countries.get(alpha_3=check_country(code))
    assert country is not None
    un = un_name(country.alpha_3, lang)
    if un is not None:
        return un.table
    return m49_name(country.alpha_3, lang) or _fallback_name(country, lang)


_ARTICLES = ("the ", "la ", "le ", "l'", "el ", "los ", "las ", "ال")


def name_order(name: str) -> str:
    """A sort key that files a name as a reader looks for it in a list: case, accents and
    a leading article ignored ("Émirats arabes unis" among the E, "the Gambia" under G)."""
    folded = name.casefold()
    for article in _ARTICLES:  # as written: "ألبانيا" begins with no article, though
        if folded.startswith(article):  # without its hamza it would read "البانيا"
            folded = folded[len(article) :]
            break
    lowered = unicodedata.normalize("NFKD", folded)
    return "".join(c for c in lowered if not unicodedata.combining(c))


@lru_cache(maxsize=8)
def all_countries(lang: str) -> tuple[tuple[str, str], ...]:
    """Every ISO 3166-1 country as (alpha-3 code, name in ``lang``), in the order a reader
    of ``lang`` looks them up (Chinese in English name order, as UN Chinese texts list
    countries): the choices of a form's country field."""
    order = "en" if lang == "zh" else lang
    codes = sorted(
        (c.alpha_3 for c in pycountry.countries),
        key=lambda c: (name_order(country_name(c, order)), c),
    )
    return tuple((c, country_name(c, lang)) for c in codes)


def common_names(lang: str) -> tuple[tuple[str, str], ...]:
    """Every ISO 3166-1 country as (alpha-3 code, name people write by hand in ``lang``):
    CLDR's display names through ``babel`` ("Россия", "老挝", "Vietnam"), and in English
    also ISO 3166's own and common names. Read, never shown: a spreadsheet cell typed this
    way is taken for its country, and the pages still write the UN name."""
    check_language(lang)
    territories = Locale.parse(lang).territories
    found: list[tuple[str, str]] = []
    for country in pycountry.countries:
        cldr = territories.get(country.alpha_2)
        if cldr:
            found.append((country.alpha_3, cldr))
        if lang == "en":
            for attr in ("name", "common_name", "official_name"):
                name = getattr(country, attr, None)
                if name:
                    found.append((country.alpha_3, name))
    return tuple(found)


@lru_cache(maxsize=1)
def written_names() -> dict[str, str]:
    """Country names as people write them in any of the six languages (``folded``) to
    alpha-3 codes: the UN names the pages give, and the names typed by hand ("Россия",
    "老挝") where no UN name means another; a name two countries share is left out."""
    official = unambiguous((n, c) for lang in UN_LANGUAGES for c, n in all_countries(lang))
    common = unambiguous((n, c) for lang in UN_LANGUAGES for c, n in common_names(lang))
    return {**{k: v for k, v in common.items() if k not in official}, **official}


_LIST_SEP = re.compile(r"([,;\uff0c\uff1b\u060c\u3001\n]+)")
_CODE = re.compile(r"[A-Za-z]{3}")


def typed_countries(text: str) -> list[str]:
    """A list of countries as people type it: codes ("BRA CHN SEN") or names in any of the
    six languages, by UN or common name ("Sénégal, Côte d'Ivoire", "Россия"), separated
    by commas or the language's list mark; a name no country has is kept as typed, for
    ``check_country`` to refuse with its suggestion."""
    text = text.strip()
    if text and all(_CODE.fullmatch(t) for t in text.split()):
        return [t.upper() for t in text.split()]  # codes separated by spaces
    named = written_names()
    pieces = _LIST_SEP.split(text)  # names and the separators between them, in turn
    found: list[str] = []
    at = 0
    while at < len(pieces):
        # the longest run of pieces that is one name: UN names hold commas ("China, Macao
        # Special Administrative Region"), which a list would otherwise cut; a name holds
        # at most two separators ("Bonaire, Sint Eustatius and Saba")
        for end in range(min(len(pieces), at + 5), at + 1, -1):
            whole = folded("".join(pieces[at:end]))
            if whole in named:
                found.append(named[whole])
                at = end + 1
                break
        else:
            part = pieces[at].strip()
            if part:
                code = part.upper() if _CODE.fullmatch(part) else None
                found.append(code or named.get(folded(part), part))
            at += 2
    return found


def country_in_text(code: str, lang: str, prep: str = "") -> str:
    """The name as it stands in running text: "the Philippines", "el Brasil",
    "l'Uruguay", "فييت نام"; with ``prep`` the preposition is joined to it as the language
    contracts it ("del Brasil", "al Uruguay", "du Brésil"). Names outside the UNTERM table
    are written as ``country_name`` gives them, after ``prep``."""
    check_language(lang)
    alpha3 = check_country(code)
    un = un_name(alpha3, lang)
    if un is None:
        un = UnName(country_name(alpha3, lang), "")
    return with_preposition(un, lang, prep) if prep else un.text


def russian_names(codes: list[str], prep: str = "", case: str = "") -> list[str]:
    """Russian names of a list of countries as a sentence governs them. ``prep="в"`` is the
    preposition of place: each name in the prepositional case, the preposition written
    before the first and again wherever it changes ("в Камбодже, Индонезии, Непале, на
    Филиппинах и во Вьетнаме"). Any other ``prep`` ("с", "для") stands once before the
    list, whose names take ``case``; ``case`` alone declines without a preposition
    ("помогает Албании, Иордании и Тунису"). The forms are UNTERM's names declined
    (``un_names.russian_forms``); a country outside that table is an error, as its name
    would stand undeclined."""
    if prep == "в":
        case = "prepositional"
    if case not in RUSSIAN_CASES:
        raise ValidationError(f"Russian country list: case {case!r} is not one of {RUSSIAN_CASES}")
    names: list[str] = []
    last = ""
    for code in codes:
        forms = russian_forms(check_country(code))
        if forms is None:
            raise ValidationError(
                f"no declined Russian UNTERM name for {code} in refdata/unterm/"
                "country_cases_ru.csv: add it (scripts/build_russian_country_cases.py) or "
                "write the sentence without declining the list"
            )
        name = forms.cases[case]
        if prep == "в" and forms.place != last:
            name, last = f"{forms.place} {name}", forms.place
        names.append(name)
    if prep and prep != "в":
        names[0] = f"{prep} {names[0]}"
    return names


def _fallback_name(country: Any, lang: str) -> str:
    """ISO or CLDR name for a country the UNTERM table lacks: ISO's where ISO gives a
    formal form that CLDR shortens ("République de Corée", not CLDR's "Corée du Sud"),
    Russian ISO names where the English one holds a comma (CLDR abbreviates them:
    "о-в Св. Елены"), else CLDR's (better edited than ISO's "Islas Vírgenes, de EEUU.")."""
    code = country.alpha_3
    formal = (
        code in ISO_AS_WRITTEN
        or (lang in ("fr", "es", "ar") and code in ISO_INVERTED)
        or (lang == "ru" and "," in country.name)
    )
    if lang != "en" and not formal and code not in CLDR_CAPITAL_FORMS:
        cldr = Locale.parse(lang).territories.get(country.alpha_2)
        if cldr:
            return str(cldr)
    name = _iso_name(country, lang)
    if name:
        return name
    cldr = Locale.parse(lang).territories.get(country.alpha_2)
    if not cldr:
        raise ValidationError(
            f"no {lang} name for country {country.alpha_3} in UNTERM, ISO or CLDR data"
        )
    return str(cldr)
