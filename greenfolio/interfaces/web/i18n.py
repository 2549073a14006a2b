"""The interface in the six UN languages: message catalogues, the language a visitor
asked for, and localised numbers, dates and country names.

Catalogues live in ``messages/<lang>.yaml`` with the same keys in every language (a test
checks it). Numbers and dates follow CLDR through babel; country names come from ISO
and CLDR data (``domain.countries``); Arabic pages are laid out right to left.
"""

from __future__ import annotations

from functools import cache

from babel import Locale

from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.interfaces.http.translator import CLDR, DEFAULT, Translator, catalogue

__all__ = ["CLDR", "DEFAULT", "Translator", "catalogue", "endonym", "negotiate"]


@cache
def endonym(lang: str) -> str:
    """The language's name in itself, from CLDR (English, français, العربية …)."""
    name = str(Locale.parse(CLDR[lang]).language_name or lang)
    return name[:1].upper() + name[1:]


def negotiate(query: str | None, cookie: str | None, accept: str | None) -> str:
    """The language asked for: ?lang=, then the cookie, then Accept-Language."""
    for choice in (query, cookie):
        if choice in UN_LANGUAGES:
            return str(choice)
    for part in (accept or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in UN_LANGUAGES:
            return code
    return DEFAULT
