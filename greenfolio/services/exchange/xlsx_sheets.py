"""The template's sheets and column headings in the six languages, and finding them in a file.

A template is written in its reader's language: sheet tabs and headings included. A
filled-in file is read back whatever language it was written in (or with the English
names every older template has), because the person who fills it in is not always the
one who downloaded it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.domain.text import folded
from greenfolio.refdata.catalogue import catalogue

RESULTS, PROJECTS = "results", "projects"
ENGLISH = {RESULTS: "Results", PROJECTS: "Projects"}
"""The English names, which older templates have whatever their language."""


def sheet_name(part: str, lang: str) -> str:
    """The tab name of sheet ``part`` in a template written in ``lang``."""
    if lang == "en":
        return ENGLISH[part]
    return catalogue(lang).get(f"xlsx_sheet_{part}") or ENGLISH[part]


def find_sheet(names: Iterable[str], part: str) -> str | None:
    """The name, as the file writes it, of sheet ``part`` in a workbook, in any language
    (compared as ``folded``: Excel's own sheet names ignore case too)."""
    accepted = {folded(ENGLISH[part])} | {folded(sheet_name(part, lang)) for lang in UN_LANGUAGES}
    return next((name for name in names if folded(name) in accepted), None)


def find_columns(
    header_row: tuple[Any, ...], keys: Iterable[str], headings: Callable[[str], set[str]]
) -> tuple[dict[str, int], dict[str, str], list[str]]:
    """Where each column ``key`` is, found by any of its ``headings(key)`` (the six
    languages' and the legacy English one); the headings as the file writes them (how
    a problem names the column); the keys not found."""
    index: dict[str, int] = {}
    for i, value in enumerate(header_row):
        if value is not None:
            index.setdefault(folded(value), i)
    found: dict[str, int] = {}
    missing: list[str] = []
    for key in keys:
        spots = sorted(index[h] for h in map(folded, headings(key)) if h in index)
        if spots:
            found[key] = spots[0]
        else:
            missing.append(key)
    labels = {key: str(header_row[i]).strip() for key, i in found.items()}
    return found, labels, missing
