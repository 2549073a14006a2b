"""The six official languages of the United Nations, the languages Greenfolio speaks."""

from __future__ import annotations

from collections.abc import Mapping

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
