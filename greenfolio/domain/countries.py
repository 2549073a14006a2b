"""Countries by ISO 3166-1 alpha-3 code, named in each language from ISO and CLDR data.

Names are never typed by hand: they come from the ISO 3166 translations that
``pycountry`` ships (the Debian iso-codes project) or, where those give an inverted
catalogue form that cannot be turned around, from CLDR through ``babel``.
"""

from __future__ import annotations

import gettext
from functools import lru_cache

import pycountry
from babel import Locale

from greenfolio.domain.errors import ValidationError
from greenfolio.domain.languages import check_language

_ISO_LOCALE = {"en": None, "zh": "zh_CN", "fr": "fr", "ar": "ar", "ru": "ru", "es": "es"}


def check_country(code: str) -> str:
    """Return the upper-cased alpha-3 code, or raise naming the code and a near match."""
    norm = code.strip().upper()
    if len(norm) == 3 and pycountry.countries.get(alpha_3=norm) is not None:
        return norm
    hint = ""
    try:
        found = pycountry.countries.lookup(code.strip())
        hint = f" (did you mean {found.alpha_3}, {found.name}?)"
    except LookupError:
        pass
    raise ValidationError(
        f"unknown country code {code!r}: use an ISO 3166-1 alpha-3 code such as BRA{hint}"
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
    return " ".join(words) + joiner + head


@lru_cache(maxsize=2048)
def country_name(code: str, lang: str) -> str:
    """The name of a country in one of the UN languages, for use in running text."""
    check_language(lang)
    country = pycountry.countries.get(alpha_3=check_country(code))
    assert country is not None
    if lang == "zh":
        # CLDR's Chinese names are the better edited; its short forms in full-width
        # brackets, such as 刚果（金）, give way to the ISO name (刚果民主共和国).
        cldr_zh = Locale.parse("zh").territories.get(country.alpha_2)
        if cldr_zh and "（" not in cldr_zh:
            return str(cldr_zh)
    iso = _iso_translation(lang).gettext(country.name)
    if "," not in iso and "،" not in iso:
        return iso
    if lang != "ar":
        turned = _uninvert(iso)
        if turned is not None:
            return turned
    cldr = Locale.parse(lang).territories.get(country.alpha_2)
    if not cldr:
        raise ValidationError(f"no {lang} name for country {code} in ISO or CLDR data")
    return str(cldr)
