"""Left-to-right islands in right-to-left text: numeric ranges and web addresses.

In an Arabic paragraph the Unicode bidirectional algorithm reads "2018–2021" as two numbers
around a neutral dash and lays them out right to left ("2021–2018"), and carries a following
full stop and footnote mark into the range; it also moves the final slash of an address to
its start. Each writer isolates these spans as left-to-right (HTML ``<bdi dir="ltr">``,
Typst a left-to-right box, Word the isolate characters LRI … PDI).
"""

from __future__ import annotations

import re

_NUMBER = r"\d+(?:[.,\u00a0\u202f]\d+)*"
_LTR_SPAN = re.compile(
    rf"{_NUMBER}\s?[-\u2010-\u2015]\s?{_NUMBER}"  # 2018–2021, 12–15, 2020-2021
    r"|(?:https?://|www\.)\S+?(?=[.,;:!?)\]»”\"'،؛]*(?:\s|$))"  # an address, less its stop
)
LRI, PDI = "\u2066", "\u2069"


def spans(text: str) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, isolate_left_to_right) in reading order."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for match in _LTR_SPAN.finditer(text):
        if match.start() > pos:
            out.append((text[pos : match.start()], False))
        out.append((match.group(0), True))
        pos = match.end()
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def isolated(text: str) -> str:
    """``text`` with each left-to-right span between LRI and PDI (for plain-text writers)."""
    return "".join(f"{LRI}{piece}{PDI}" if ltr else piece for piece, ltr in spans(text))
