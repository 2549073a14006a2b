"""The six official languages of the United Nations, the languages Greenfolio speaks."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

import pycountry

from greenfolio.domain.errors import ValidationError

UN_LANGUAGES: tuple[str, ...] = ("ar", "zh", "en", "fr", "ru", "es")

RIGHT_TO_LEFT: frozenset[str] = frozenset({"ar"})

CLDR_LOCALES: Mapping[str, str] = {
    "en": "en", "zh": "zh_Hans_CN", "fr": "fr", "es": "es", "ru": "ru", "ar": "ar"
}  # fmt: skip
"""The CLDR locale of each language, for babel (Chinese is the simplified script of China)."""


def check_language(lang: str) -> str:
    """Return ``lang`` if it is a UN language code, else explain the choices."""
    if lang not in UN_LANGUAGES:
        raise ValidationError(f"unknown language {lang!r}: choose one of {', '.join(UN_LANGUAGES)}")
    return lang


def pick(names: Mapping[str, str], lang: str, what: str) -> str:
    """The text of ``names`` in ``lang``; a missing translation is an error, not a fallback."""
    text = names.get(lang)
    if not text:
        raise ValidationError(f"{what} has no name in {lang!r}: add it to its data file")
    return text


_TAG = re.compile(r"[a-z]{2,3}(-[a-z0-9]{1,8})*")


def has_language_tag_shape(key: str) -> bool:
    """Whether ``key`` has the shape of a language tag ("fr", "pt-br", "zh-hans"): what
    an ``xml:lang`` must be (XML Schema's ``xs:language``, which IATI's schema uses),
    checked without the ISO 639 table (``is_language_tag``), fast enough for every
    narrative of a large file."""
    return _TAG.fullmatch(key) is not None


@lru_cache(maxsize=4096)
def is_language_tag(key: str) -> bool:
    """Whether ``key`` names a language a text may be in: an ISO 639 code ("fr", "nl"),
    lower case, with optional subtags ("pt-br"), as IATI's narratives give them (an
    ``xml:lang`` that its schema accepts). Keys of a title or a description must be."""
    if not _TAG.fullmatch(key):
        return False
    primary = key.split("-")[0]
    found = (
        pycountry.languages.get(alpha_2=primary)
        if len(primary) == 2
        else pycountry.languages.get(alpha_3=primary)
    )
    return found is not None
