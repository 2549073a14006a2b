"""Typographic conventions of each language, applied to the text a template produces.

French: a no-break space (U+00A0) before the colon and a narrow no-break space (U+202F)
before ; ? ! and inside « » (French typography as the UN French editions set it);
the apostrophe is the typographic one (’). English and Spanish: straight double quotes
become curly “ ” and the English apostrophe becomes ’. Other languages are left as the
templates write them (Russian and Chinese templates already use « » and “ ”).
"""

from __future__ import annotations

import re

NBSP = "\u00a0"
NNBSP = "\u202f"

_SPACE_BEFORE = re.compile(r"[ \u00a0\u202f]*([:;?!»])")
_SPACE_AFTER_GUILLEMET = re.compile(r"«[ \u00a0\u202f]*")
_STRAIGHT_QUOTES = re.compile(r'"([^"]*)"')
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
_URL_COLON = re.compile(r"(https?|ftp|mailto)$")


def _french_space(match: re.Match[str], text: str) -> str:
    mark = match.group(1)
    before = text[: match.start()]
    tight = match.group(0) == mark
    if mark == ":" and tight and (_URL_COLON.search(before) or before[-1:].isdigit()):
        return match.group(0)  # "https://…", "10:30"
    if mark in "?!;:" and (not before or before[-1] in " \n"):
        return match.group(0)
    return (NBSP if mark == ":" else NNBSP) + mark


def typeset(text: str, lang: str) -> str:
    """``text`` with the spaces, quotes and apostrophes of ``lang``."""
    if lang == "fr":
        text = _SPACE_BEFORE.sub(lambda m: _french_space(m, text), text)
        text = _SPACE_AFTER_GUILLEMET.sub("«" + NNBSP, text)
        return _APOSTROPHE.sub("’", text)
    if lang in ("en", "es"):
        text = _STRAIGHT_QUOTES.sub("“\\1”", text)
        return _APOSTROPHE.sub("’", text) if lang == "en" else text
    return text
