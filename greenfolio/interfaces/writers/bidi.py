"""Left-to-right islands in right-to-left text: numeric ranges and web addresses.

In an Arabic paragraph the Unicode bidirectional algorithm reads "2018–2021" as two numbers
around a neutral dash and lays them out right to left ("2021–2018"), and carries a following
full stop and footnote mark into the range; it also moves the final slash of an address to
its start. Each writer isolates these spans as left-to-right (HTML ``<bdi dir="ltr">``,
Typst a left-to-right box, Word the isolate characters LRI … PDI).

Typst keeps a range in an unbreakable box, but an address between LRI and PDI: a long
address may then break across lines (each line still left to right), so a footnote's
number is never left alone on its line while its address goes to the next. A footnote
call is boxed with the word it follows, and a double month name ("تموز/يوليه") is boxed,
so that no line breaks between them.

A footnote call in right-to-left text follows a right-to-left mark (``CALL_LEAD``): the call
is a number, and after a year ("2021") or a Latin name ("planetGOLD") it would join their
left-to-right run and stand on its right, to be read before them; after the mark it stands
on their left, after them in reading order, as it does after an Arabic word.

Paragraph numbers: "10." in left-to-right documents; in Arabic, as UN Arabic documents
number them, the number followed by a hyphen, which reads to its left ("10-"), closed by a
right-to-left mark so that what follows cannot carry the hyphen to the number's right.
"""

from __future__ import annotations

import re

from greenfolio.domain.typography import cut

_NUMBER = r"\d+(?:[.,\u00a0\u202f]\d+)*"
_LTR_SPAN = re.compile(
    rf"{_NUMBER}\s?[-\u2010-\u2015]\s?{_NUMBER}"  # 2018–2021, 12–15, 2020-2021
    r"|(?:https?://|www\.)\S+?(?=[.,;:!?)\]»”\"'،؛]*(?:\s|$))"  # an address, less its stop
)
_ADDRESS = re.compile(r"(?:https?://|www\.)")
_SLASH_PAIR = re.compile(r"[\u0600-\u06ff]+/[\u0600-\u06ff]+")
LRI, PDI = "\u2066", "\u2069"
RLM = "\u200f"
CALL_LEAD = RLM
"""Written before each footnote call in right-to-left text (see the module's docstring)."""


def paragraph_number(number: int | None, direction: str) -> str:
    """The paragraph number as printed before its text: "10." or, right to left, "10-"
    (nothing for an unnumbered paragraph)."""
    if number is None:
        return ""
    return f"{number}-{RLM}" if direction == "rtl" else f"{number}."


def is_address(piece: str) -> bool:
    """Whether a left-to-right span of ``spans`` is a web address (not a range)."""
    return _ADDRESS.match(piece) is not None


def slash_pairs(text: str) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, is_pair): a pair is two Arabic words joined by a slash, as
    the double month names ("تموز/يوليه"), which a line never breaks."""
    return cut(_SLASH_PAIR, text)


def spans(text: str) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, isolate_left_to_right) in reading order."""
    return cut(_LTR_SPAN, text)


def isolated(text: str) -> str:
    """``text`` with each left-to-right span between LRI and PDI (for plain-text writers)."""
    return "".join(f"{LRI}{piece}{PDI}" if ltr else piece for piece, ltr in spans(text))
