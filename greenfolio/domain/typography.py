"""Typographic conventions of each language, applied to the text a template produces.

French: a no-break space (U+00A0) before the colon and a narrow no-break space (U+202F)
before ; ? ! and inside « » (French typography as the UN French editions set it);
the apostrophe is the typographic one (’); a no-break space joins a number in digits to the
word after it ("500 intervenants", "mars 2021") and to "de", "à" or "environ" before it
("plus de 500"), and a list label to its item ("a) des", "iv) la"), so that none is left
alone at the end of a line. Spanish keeps its list labels with their items too. English and
Spanish: straight double quotes become curly “ ” and the English apostrophe becomes ’. Other languages are left as the
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
# A number and the word after it, across the private-use marks of services.report_marks that
# may close the figure (U+E002) or open a name (U+E000 figure, U+E005 other language); not
# after a footnote call (U+E004), which ends a sentence as often as not.
_NUMBER_WORD = re.compile(r"(?<=\d)(\ue002?) (?=[\ue000\ue005]?\w)")
# "plus de 500", "environ 80": the number may open a figure (U+E000 id U+E001).
_WORD_NUMBER = re.compile(r"\b(de|à|environ) (?=(?:\ue000[^\ue001]*\ue001)?\d)")
_LIST_LABEL = re.compile(r"(?<![\w\u00a0])([a-z]|[ivx]{1,4})\) ")


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
        text = _NUMBER_WORD.sub("\\1" + NBSP, text)
        text = _WORD_NUMBER.sub("\\1" + NBSP, text)
        text = _LIST_LABEL.sub("\\1)" + NBSP, text)
        return _APOSTROPHE.sub("’", text)
    if lang in ("en", "es"):
        if lang == "es":
            text = _LIST_LABEL.sub("\\1)" + NBSP, text)
        text = _STRAIGHT_QUOTES.sub("“\\1”", text)
        return _APOSTROPHE.sub("’", text) if lang == "en" else text
    return text
