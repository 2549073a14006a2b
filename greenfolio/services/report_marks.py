"""Marks in rendered template text, and Chinese spacing around them.

A rendered sentence carries private-use characters around its figures, footnote marks and
text in another language until ``reporting`` splits it into runs; Chinese layout closes
the spaces a template's line breaks leave between Han characters (``space_han``), and
``typography.typeset`` those between Han text and digits or Latin words.
"""

from __future__ import annotations

import re

# Private-use characters mark figures and footnotes in rendered text until it is split
# into runs: FIG_OPEN id FIG_MID text FIG_CLOSE, NOTE_OPEN number NOTE_CLOSE.
FIG_OPEN, FIG_MID, FIG_CLOSE, NOTE_OPEN, NOTE_CLOSE = (
    "\ue000",
    "\ue001",
    "\ue002",
    "\ue003",
    "\ue004",
)
# Text in another language (a partner's name as given): LANG_OPEN lang LANG_MID text LANG_CLOSE.
LANG_OPEN, LANG_MID, LANG_CLOSE = "\ue005", "\ue006", "\ue007"
# The title of a publication, set in italics: TITLE_OPEN text TITLE_CLOSE.
TITLE_OPEN, TITLE_CLOSE = "\ue008", "\ue009"
MARKS = re.compile(
    f"{FIG_OPEN}([^{FIG_MID}]*){FIG_MID}([^{FIG_CLOSE}]*){FIG_CLOSE}|{NOTE_OPEN}(\\d+){NOTE_CLOSE}"
    f"|{LANG_OPEN}([a-z]+){LANG_MID}([^{LANG_CLOSE}]*){LANG_CLOSE}"
    f"|{TITLE_OPEN}([^{TITLE_CLOSE}]*){TITLE_CLOSE}"
)
ITALIC_TITLES = frozenset(("en", "fr", "es"))
"""Languages whose UN documents set the titles of publications in italics (UN Editorial
Manual, "Italics": https://www.un.org/dgacm/en/content/editorial-manual/italics). The
Chinese source marks a title with 《》 (000_*.txt: 《2030 年国家经济战略》) and Russian
with «»: their templates write the marks, and the title stays upright."""
_HAN = "\u4e00-\u9fff"


_CJK_PUNCT = "，。、；：（）“”《》！？"
_OPENERS = FIG_OPEN + NOTE_OPEN + LANG_OPEN + TITLE_OPEN
_CLOSERS = FIG_CLOSE + NOTE_CLOSE + LANG_CLOSE + TITLE_CLOSE


def title_marked(text: str, lang: str) -> str:
    """``text``, the title of a publication, marked to be set in italics where ``lang``
    sets titles so; as written elsewhere."""
    return f"{TITLE_OPEN}{text}{TITLE_CLOSE}" if lang in ITALIC_TITLES else text


def has_marks(text: str) -> bool:
    """True if ``text`` holds a figure, a footnote mark, a name or a title."""
    return any(mark in text for mark in _OPENERS)


def space_han(text: str, lang: str) -> str:
    """Chinese layout: line breaks in a template leave no space between Han characters,
    punctuation and marks (``typography.chinese_spaces`` closes those beside digits and
    Latin words)."""
    if lang != "zh":
        return text
    han, punct = f"[{_HAN}{_CJK_PUNCT}{_CLOSERS}]", f"[{_HAN}{_CJK_PUNCT}{_OPENERS}]"
    text = re.sub(f"(?<=[{_CJK_PUNCT}])\\s+", "", text)
    text = re.sub(f"\\s+(?=[{_CJK_PUNCT}])", "", text)
    return re.sub(f"(?<={han})\\s+(?={punct})", "", text)
