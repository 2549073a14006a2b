"""A number typed as text, read the same whoever typed it, or refused where it is not clear.

Spreadsheet cells filled in as text carry the writer's conventions: "1.200" is twelve
hundred in Madrid and Moscow and one point two in London and Mexico City; "2,5" is two
and a half in Paris. A template is filled in by people of many languages (and the
template's language says nothing of the keyboard), so a text is read only where every
convention reads it alike; one that two conventions read differently is refused with
both readings, never guessed.
"""

from __future__ import annotations

import re
import unicodedata

_GROUP_SPACES = re.compile(r"[ \u00a0\u202f\u2009\u2007'\u2019]")
"""Spaces that group digits (plain, no-break, narrow no-break, thin, figure) and the
Swiss apostrophes (straight and curly): never a decimal sign, so a group made by them is
never ambiguous."""


class AmbiguousNumber(ValueError):
    """A text two conventions read as two different numbers."""

    def __init__(self, text: str, whole: float, decimal: float) -> None:
        super().__init__(f"{text!r} could be {whole:g} or {decimal:g}")
        self.whole = whole
        self.decimal = decimal


def _grouped(groups: list[str]) -> bool:
    """Digits grouped by thousands: 1–3 digits, then groups of exactly three."""
    return (
        all(g.isascii() and g.isdigit() for g in groups)
        and 1 <= len(groups[0]) <= 3
        and all(len(g) == 3 for g in groups[1:])
    )


def _unsigned(raw: str, text: str) -> float:
    if _GROUP_SPACES.search(raw):
        # "1 200", "1 200,5", "1 200.5": spaces group, so a "." or "," is the decimal sign.
        head, sign, fraction = [*re.split(r"([.,])", raw, maxsplit=1), "", ""][:3]
        groups = _GROUP_SPACES.split(head)
        if not _grouped(groups) or (sign and not (fraction.isascii() and fraction.isdigit())):
            raise ValueError(text)
        return float("".join(groups) + ("." + fraction if sign else ""))
    if not raw or any(c not in "0123456789.," for c in raw):
        raise ValueError(text)
    if "." in raw and "," in raw:
        # Both signs: the last one written is the decimal sign, the other groups digits.
        point = max(raw.rfind("."), raw.rfind(","))
        whole, fraction = raw[:point], raw[point + 1 :]
        group = "," if raw[point] == "." else "."
        if not fraction.isdigit() or not _grouped(whole.split(group)):
            raise ValueError(text)
        return float(whole.replace(group, "") + "." + fraction)
    sign = "." if "." in raw else "," if "," in raw else ""
    if not sign:
        return float(raw)
    parts = raw.split(sign)
    if len(parts) > 2:  # a sign written twice or more only groups digits
        if not _grouped(parts):
            raise ValueError(text)
        return float("".join(parts))
    whole, fraction = parts
    if not fraction.isdigit() or (whole and not whole.isdigit()):
        raise ValueError(text)
    as_decimal = float(f"{whole or '0'}.{fraction}")
    if len(fraction) == 3 and _grouped([whole, fraction]) and whole != "0":
        raise AmbiguousNumber(text, float(whole + fraction), as_decimal)
    return as_decimal


_ARABIC_DIGITS = str.maketrans(
    {
        **{0x0660 + i: str(i) for i in range(10)},  # Arabic-Indic
        **{0x06F0 + i: str(i) for i in range(10)},  # Extended Arabic-Indic (Persian, Urdu)
        0x066C: "'",  # ARABIC THOUSANDS SEPARATOR: only ever groups digits
    }
)
_ARABIC_DECIMAL = "\u066b"
"""ARABIC DECIMAL SEPARATOR: only ever the decimal sign."""


def read_number(text: str) -> float:
    """The number ``text`` writes; ``AmbiguousNumber`` where conventions disagree on it,
    ``ValueError`` where it is no number. Arabic-Indic and full-width digits (a Chinese
    input method's) read as their values."""
    raw = unicodedata.normalize("NFKC", text).strip().translate(_ARABIC_DIGITS)
    if _ARABIC_DECIMAL in raw:
        whole, _, fraction = raw.partition(_ARABIC_DECIMAL)
        if not fraction.isascii() or not fraction.isdigit() or any(c in whole for c in ".,"):
            raise ValueError(text)
        return read_number(whole or "0") + float("0." + fraction) * (
            -1 if whole.strip()[:1] in ("-", "\u2212") else 1
        )
    negative = raw[:1] in ("-", "\u2212")
    if raw[:1] in ("+", "-", "\u2212"):
        raw = raw[1:].lstrip()
    try:
        value = _unsigned(raw, text)
    except AmbiguousNumber as exc:
        if negative:
            raise AmbiguousNumber(text, -exc.whole, -exc.decimal) from None
        raise
    return -value if negative else value


def read_number_as(text: str, decimal_sign: str, group_sign: str) -> float:
    """``read_number``, but a text that conventions disagree on read as the one language
    whose signs are given does: in a Spanish workbook (decimal ",", groups ".") "1.200" is
    1200, as Greenfolio itself writes it there; in an English one 1.2. Where its sign is
    neither of that language's, the text stays ambiguous."""
    try:
        return read_number(text)
    except AmbiguousNumber as unclear:
        signs = {c for c in text if c in ".,"}
        if len(signs) == 1:
            sign = signs.pop()
            if sign == group_sign:
                return unclear.whole
            if sign == decimal_sign:
                return unclear.decimal
        raise


def signs(lang: str) -> tuple[str, str]:
    """The decimal sign and the digit-grouping sign of ``lang`` (CLDR, through babel): what
    ``read_number_as`` reads a form's or a workbook's text by."""
    from babel.numbers import get_decimal_symbol, get_group_symbol

    from greenfolio.domain.languages import CLDR_LOCALES

    locale = CLDR_LOCALES.get(lang, "en")
    return str(get_decimal_symbol(locale)), str(get_group_symbol(locale))


def plain_digits(text: str) -> str:
    """``text`` with Arabic-Indic and full-width digits as ASCII ones (NFKC), trimmed."""
    return unicodedata.normalize("NFKC", text).translate(_ARABIC_DIGITS).strip()
