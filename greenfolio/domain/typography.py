"""Typographic conventions of each language, applied to the text a template produces.

French: a no-break space (U+00A0) before the colon and a narrow no-break space (U+202F)
before ; ? ! and inside « » (French typography as the UN French editions set it);
the apostrophe is the typographic one (’); a no-break space joins a number in digits to the
word after it ("500 intervenants", "mars 2021") and to "de", "à" or "environ" before it
("plus de 500"), and a list label to its item ("a) des", "iv) la"), so that none is left
alone at the end of a line. English and Spanish keep their list labels with their items
too, and their straight double quotes become curly “ ”; the English apostrophe becomes ’.
Russian: a no-break space binds a number to the word it counts or qualifies ("2021 года",
"12 июля", "72 млн", "9 странах"), "более"/"около" to their number, the dash to the word
before it and a list mark ("a)", "iv)") to its item (``russian_spaces``).
Chinese: no space between Han text (or a Chinese punctuation mark) and digits or Latin
letters ("于2021年3月", "共有500多名", "在COVID-19大流行"), as UN Chinese documents write
them and as the masthead's date line already is (``chinese_spaces``); a Latin phrase keeps
its own spaces. Arabic is left as the template writes it.
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
    if lang == "ru":
        return russian_spaces(text)
    if lang == "zh":
        return chinese_spaces(text)
    if lang in ("en", "es"):
        text = _LIST_LABEL.sub("\\1)" + NBSP, text)
        text = _STRAIGHT_QUOTES.sub("“\\1”", text)
        return _APOSTROPHE.sub("’", text) if lang == "en" else text
    return text


# --- spans that never break -------------------------------------------------------------
# A United Nations document symbol (GC.18/Res.7, IDB.45/8/Add.2, A/RES/70/1) is one word,
# and so are a numeric range (2018–2021, 12–15), a hyphenated name (Буркина-Фасо,
# Timor-Leste) and a code with its number (COVID-19): none breaks at a line end. Unicode line
# breaking allows a break after "/" before a letter and after a dash, so each writer keeps
# these spans whole in its own way (Typst a box, HTML a no-wrap span). Word has no box: the
# DOCX writes the hyphen of a name or code as Word's non-breaking hyphen
# (``unbroken_hyphens``) and leaves slashes and dashes as they are, never an invisible
# character that would stop an editor finding "GC.18/Res.7" or "COVID-19". A symbol starts
# with a capital letter not preceded by a letter, digit, dot, slash or hyphen (so a web
# address such as "www.unido.org/sites/…" is never one) and has at least one "/" part.
# Han characters do not count as letters here: Chinese writes a symbol, a range or a code
# with no space beside them ("大会GC.18/Res.7号决议", "在COVID-19大流行").
_WORD = "[^\\W\u3400-\u9fff]"  # a letter or digit, but not a Han character
DOCUMENT_SYMBOL = re.compile(
    f"(?<![./\\-])(?<!{_WORD})"
    r"[A-Z][A-Za-z]*(?:\.[A-Za-z0-9]+)*(?:/[A-Za-z0-9]+(?:[.\-][A-Za-z0-9]+)*)+"
)
_RANGE = re.compile(f"(?<![.,/\\-])(?<!{_WORD})" r"\d+[\u2013\u2014-]\d+(?![/\-])" f"(?!{_WORD})")
_NAME = re.compile(  # Буркина-Фасо, Сьерра-Леоне, Timor-Leste, COVID-19, HCFC-22
    f"(?<!-)(?<!{_WORD})"
    r"(?:[A-ZА-ЯЁ][a-zа-яё]+(?:-[A-ZА-ЯЁ][a-zа-яё]+)+|[A-Z][A-Z0-9]+-\d+)(?!-)"
    f"(?!{_WORD})"
)
_CJK_ASIDE = re.compile(r"（[^（）\s]{1,4}）")
"""A short Chinese aside in full-width brackets ("（至少）"): one unit, never broken
inside (a table heading printed "（至" and "少）" on two lines)."""
_UNBROKEN = re.compile(
    f"{DOCUMENT_SYMBOL.pattern}|{_RANGE.pattern}|{_NAME.pattern}|{_CJK_ASIDE.pattern}"
)
NO_BREAK_HYPHEN = "\u2011"


def cut(pattern: re.Pattern[str], text: str) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, matched) in reading order, a piece for each match of
    ``pattern`` and one for each stretch between them."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for match in pattern.finditer(text):
        if match.start() > pos:
            out.append((text[pos : match.start()], False))
        out.append((match.group(0), True))
        pos = match.end()
    if pos < len(text):
        out.append((text[pos:], False))
    return out


_FIRST = re.compile(r"(?<![\w.,-])1(er)(?=[ \u00a0\u202f])")
"""The French ordinal of a date's first day ("1er janvier"), whose "er" is set as a
superior letter (Lexique des règles typographiques en usage à l'Imprimerie nationale)."""


def raised_letters(text: str) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, superior) in reading order: the "er" of "1er janvier" is
    set superior; a writer raises it (Typst ``super``, Word's superscript, ``<sup>``)."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for match in _FIRST.finditer(text):
        out.append((text[pos : match.start(1)], False))
        out.append((match.group(1), True))
        pos = match.end(1)
    if pos < len(text):
        out.append((text[pos:], False))
    return [piece for piece in out if piece[0]]


def unbroken_spans(text: str) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, keep_whole) in reading order: document symbols, numeric
    ranges, hyphenated names and codes with their number are kept whole."""
    return cut(_UNBROKEN, text)


def unbroken_hyphens(text: str) -> str:
    """``text`` with the hyphen of each span kept whole (``unbroken_spans``: "COVID-19",
    "Буркина-Фасо") as a non-breaking hyphen (U+2011), for a writer that has no unbreakable
    box (Word, which writes it as its own w:noBreakHyphen)."""
    return _UNBROKEN.sub(lambda m: m.group(0).replace("-", NO_BREAK_HYPHEN), text)


# --- Chinese: no space beside Han text ------------------------------------------------
# Han characters, CJK punctuation (、。《》「」), the full-width forms (，：；（）！？) and the
# quotation marks a Chinese text uses (“ ”). Private-use characters (the caller's marks
# around figures, names and footnote calls, an opening one with its id) are read through.
_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\u201c\u201d"
_SPACES = "[ \u00a0\u202f]+"
_OPEN_MARK = "(?:[\ue000-\uf8ff](?:[^\ue000-\uf8ff\\s]*[\ue000-\uf8ff])?)?"
_CJK_THEN_LATIN = re.compile(f"([{_CJK}][\ue000-\uf8ff]*){_SPACES}(?={_OPEN_MARK}[A-Za-z0-9])")
_LATIN_THEN_CJK = re.compile(f"([A-Za-z0-9][\ue000-\uf8ff]*){_SPACES}(?={_OPEN_MARK}[{_CJK}])")


def chinese_spaces(text: str) -> str:
    """``text`` with no space between a Han character or a Chinese punctuation mark and a
    digit or a Latin letter, either way round ("2021 年 3 月" -> "2021年3月")."""
    text = _CJK_THEN_LATIN.sub("\\1", text)
    return _LATIN_THEN_CJK.sub("\\1", text)


# --- Russian no-break spaces -------------------------------------------------------------
# Russian typesetting never leaves a number at a line end apart from the word it counts or
# qualifies ("2021 года", "12 июля", "72 млн тонн", "30 %") or that names it ("пункт 11",
# "цели 7", "версия 2.0", "более 30"), nor a line starting with a dash, nor a list mark
# ("a)", "iv)") or a one-letter word ("в", "и") apart from what follows. Private-use
# characters (the caller's marks around figures and footnotes) are read through.
_PUA = "\ue000-\uf8ff"
_MARK_IN = f"(?:[{_PUA}][^{_PUA}\\s]*[{_PUA}])?"  # an opening mark and its id
_FUNCTION_WORDS = "и|или|а|но|в|во|на|с|со|по|к|ко|о|об|из|до|от|за|для|при|у"
_RU_NUMBER_WORD = re.compile(
    f"(?<=\\d)([{_PUA}]*) (?={_MARK_IN}(?:(?!(?:{_FUNCTION_WORDS})\\b)[а-яё]|[%‰°]))"
)
_RU_NAMING_WORDS = (
    "более|около|свыше|менее|почти|№|[Пп]ункт[аеу]?|[Вв]ерси[яиюей]|цел(?:ь|и|ью|ями|ей)"
    "|[Рр]исун(?:ок|ке|ка)"
)
_RU_BEFORE_NUMBER = re.compile(f"(?<![\\w])({_RU_NAMING_WORDS}) (?={_MARK_IN}\\d)")
_RU_DASH = re.compile("(?<=\\S) (?=[—–] )")
_RU_ONE_LETTER = re.compile("(?<![\\w\\-])([ВвКкСсУуОоИиАаЯя]) ")  # "в рамках", "и Уругвай"
_RU_LIST_MARK = re.compile("(?<![\\w.])((?:[a-h]|[ivx]{1,4})\\)) ")
_RU_DIGIT_GROUP = re.compile("(?<=\\d)\u00a0(?=\\d{3}(?!\\d))")
"""CLDR groups Russian digits with a no-break space, which justified text stretches
("73 562" read as two numbers): a narrow no-break space does not stretch."""


def digit_groups(text: str, lang: str) -> str:
    """``text`` with a number's digit groups separated as the language's documents print
    them: in Russian a narrow no-break space (``_RU_DIGIT_GROUP``), elsewhere CLDR's mark."""
    return _RU_DIGIT_GROUP.sub(NNBSP, text) if lang == "ru" else text


GROUP_MARK = {"ru": NNBSP}
"""Where the documents' digit-group mark differs from CLDR's (see ``digit_groups``)."""


def russian_spaces(text: str) -> str:
    """``text`` with the no-break spaces Russian typesetting puts after a number, after
    "более" and "около", before a dash and after a list mark or a one-letter word, and
    narrow ones between a number's groups of digits."""
    text = _RU_DIGIT_GROUP.sub(NNBSP, text)
    text = _RU_NUMBER_WORD.sub("\\1" + NBSP, text)
    text = _RU_BEFORE_NUMBER.sub("\\1" + NBSP, text)
    text = _RU_DASH.sub(NBSP, text)
    text = _RU_ONE_LETTER.sub("\\1" + NBSP, text)
    return _RU_LIST_MARK.sub("\\1" + NBSP, text)
