"""Activity dates as a source states them: a day, a month or a year, of one IATI type.

IATI 2.03 requires a full date in ``activity-date/@iso-date``; its schema says "the
narrative content may contain text (e.g. 2011Q1) for accurately recording less specific
dates such as month, quarter, or year". So a date stated only to the month or year is
kept as stated (the narrative) and given the day that bounds that period on the side the
type faces: a start gets the first day, an end the last day. A day is never guessed
inside a period, and the stated text travels with the date into the export.

Types follow the IATI ActivityDateType codelist (1 planned start, 2 actual start,
3 planned end, 4 actual end).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache

from greenfolio.domain.number_text import plain_digits
from greenfolio.domain.work import WorkStatus


class DateType(StrEnum):
    """IATI ActivityDateType, by name."""

    PLANNED_START = "planned_start"
    ACTUAL_START = "actual_start"
    PLANNED_END = "planned_end"
    ACTUAL_END = "actual_end"

    @property
    def code(self) -> str:
        """The IATI ActivityDateType code (1–4)."""
        return str(list(DateType).index(self) + 1)

    @property
    def is_start(self) -> bool:
        return self in (DateType.PLANNED_START, DateType.ACTUAL_START)

    @classmethod
    def from_code(cls, code: str) -> DateType:
        return list(cls)[int(code) - 1]


_STATED = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_YEAR_FIRST = re.compile(
    r"^(\d{4})(?:/(\d{1,2})/(\d{1,2})|\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日)$"
)
DAY_FIRST_SLASHED = frozenset({"fr", "es", "ru", "ar"})
"""Languages whose readers write a slashed date day first (30/09/2024); in English it
may be either way round, so there it is left alone (and refused)."""
FORMAT_HINT = "write a year (2021), a month (2021-03) or a day (2021-03-15)"


@dataclass(frozen=True, slots=True)
class StatedDate:
    """One activity date: its type, the day IATI is given, and the date as stated."""

    type: DateType
    day: date
    stated: str
    """As given: "2021", "2021-03" or "2021-03-15"."""

    @property
    def exact(self) -> bool:
        return len(self.stated) == 10

    @property
    def note(self) -> str | None:
        """The IATI narrative for a date less specific than a day (else None)."""
        return None if self.exact else self.stated


def iso_day(text: str, lang: str | None = None) -> str:
    """A day typed as people write it by hand, as ISO (2024-09-30); any other text as it
    is. Read: day first with dots (30.09.2024, in any language: none writes a dotted date
    month first); year first with slashes or in Chinese (2024/9/30, 2024年9月30日); and,
    where ``lang`` writes it so, day first with slashes (30/09/2024 in French, Spanish,
    Russian or Arabic). In English, 09/10/2024 could be either day: it is left alone.
    """
    text = text.strip()
    found = _DOTTED.match(text) or (_SLASHED.match(text) if lang in DAY_FIRST_SLASHED else None)
    if found is not None:
        day, month, year = found.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    first = _YEAR_FIRST.match(text)
    if first is not None:
        year, *rest = first.groups()
        month, day = [int(p) for p in rest if p is not None]
        return f"{year}-{month:02d}-{day:02d}"
    return text


_NAMED_MONTH = re.compile(r"^(\D+?)\s+(?:de\s+|del\s+)?(\d{4})(?:\s*г(?:\.|ода?)?)?$")
_NAMED_DAY = re.compile(
    r"^(\d{1,2})(?:er|º|\.)?\s+(?:de\s+)?(\D+?)\s+(?:de\s+|del\s+)?(\d{4})"
    r"(?:\s*г(?:\.|ода?)?)?$"
)
"""A day with its month named, as the pages write dates: "1 mars 2022", "1er mars 2022",
"1 de marzo de 2022", "15 mar 2022", "1 марта 2022 г.", "1 آذار/مارس 2022"."""
_MONTH_DAY = re.compile(r"^(\D+?)\s+(\d{1,2}),?\s+(\d{4})$")
"""The English order: "March 1, 2022"."""
_HAN_MONTH = re.compile(r"^(\d{4})\s*年(?:\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?)?$")


@cache
def _month_numbers() -> dict[str, int]:
    """Month names as CLDR gives them in the six languages (through babel), full and
    short, as in a date and standing alone ("mars", "марта", "март", "marzo", "Mar"),
    folded, to their numbers; a name two months share is left out."""
    from babel.dates import get_month_names

    from greenfolio.domain.un_dates import month_name

    found: dict[str, set[int]] = {}
    for locale in ("en", "fr", "es", "ru", "ar", "zh_Hans_CN"):
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale=locale).items():
                    found.setdefault(name.casefold().rstrip("."), set()).add(number)
    # and as United Nations documents (and the reports) write them: the Arabic double
    # names ("آذار/مارس") whole and each half
    for lang in ("ar", "en", "fr", "es", "ru"):
        for number in range(1, 13):
            name = month_name(number, lang).casefold()
            for form in {name, *name.split("/")}:
                found.setdefault(form.strip(), set()).add(number)
    return {name: numbers.pop() for name, numbers in found.items() if len(numbers) == 1}


def hand_typed(text: str, lang: str | None = None) -> str:
    """A date typed as people write it, as Greenfolio states it ("2021-03", "2021-03-15",
    "2021"); any other text as it is, for ``parse`` to refuse. Read: a day as ``iso_day``
    reads it, a month named in any of the six languages with its year ("mars 2021",
    "marzo de 2021", "марта 2021 г.", "مارس ٢٠٢١"), and a Chinese year or month
    (2021年, 2021年3月); digits of Arabic script or full width as their values."""
    plain = " ".join(plain_digits(text).split())
    months = _month_numbers()
    named = _NAMED_MONTH.match(plain)
    if named is not None:
        month = months.get(named.group(1).casefold().rstrip(".").strip())
        if month is not None:
            return f"{named.group(2)}-{month:02d}"
    for pattern, day_at, month_at in ((_NAMED_DAY, 1, 2), (_MONTH_DAY, 2, 1)):
        found = pattern.match(plain)
        if found is not None:
            month = months.get(found.group(month_at).casefold().rstrip(".").strip())
            if month is not None:
                return f"{found.group(3)}-{month:02d}-{int(found.group(day_at)):02d}"
    han = _HAN_MONTH.match(plain)
    if han is not None:
        year, han_month, han_day = han.groups()
        if han_month and han_day:
            return f"{year}-{int(han_month):02d}-{int(han_day):02d}"
        return f"{year}-{int(han_month):02d}" if han_month else str(year)
    day = iso_day(plain, lang)
    return day if _STATED.match(day) and day.isascii() else text


def parse(kind: DateType, text: str) -> StatedDate:
    """``text`` (a year, month or day) as a date of type ``kind``; ValueError if unreadable."""
    typed = text.strip()
    shown = typed if len(typed) <= 60 else typed[:60] + "…"  # echoed, never a page long
    text = hand_typed(typed)
    found = _STATED.match(text)
    if found is None:
        raise ValueError(f"{shown!r} is not a date; {FORMAT_HINT}")
    year, month, day = (int(g) if g else None for g in found.groups())
    assert year is not None
    try:
        if month is None:
            return StatedDate(kind, date(year, 1, 1) if kind.is_start else date(year, 12, 31), text)
        if day is None:
            last = calendar.monthrange(year, month)[1]
            return StatedDate(kind, date(year, month, 1 if kind.is_start else last), text)
        return StatedDate(kind, date(year, month, day), text)
    except ValueError:
        raise ValueError(f"{shown!r} is not a date of the calendar; {FORMAT_HINT}") from None


def order_problem(dates: list[StatedDate]) -> str | None:
    """What is out of order (a start after the end of the same kind), or None."""
    found = order_refusal(dates)
    return found[0] if found else None


def order_refusal(dates: list[StatedDate]) -> tuple[str, dict[str, str]] | None:
    """``order_problem`` with its parts (the two date types and the dates as stated), for
    a page to say it in the reader's language; None when in order."""
    by_type = {d.type: d for d in dates}
    for start, end in (
        (DateType.PLANNED_START, DateType.PLANNED_END),
        (DateType.ACTUAL_START, DateType.ACTUAL_END),
    ):
        if start in by_type and end in by_type and by_type[start].day > by_type[end].day:
            text = (
                f"the {start.value.replace('_', ' ')} ({by_type[start].stated}) is after the "
                f"{end.value.replace('_', ' ')} ({by_type[end].stated})"
            )
            params = {
                "start_type": start.value,
                "start_stated": by_type[start].stated,
                "end_type": end.value,
                "end_stated": by_type[end].stated,
            }
            return text, params
    return None


def inferred(
    start: date | None, end: date | None, status: WorkStatus | None
) -> dict[DateType, date]:
    """The typed dates a record with only a start and an end is exported with: planned
    while in the pipeline (or without status), actual once under way; the end is actual
    once the work is finished or cancelled. The same rule as the IATI export applies."""
    found: dict[DateType, date] = {}
    if start is not None:
        planned = status in (None, WorkStatus.PIPELINE)
        found[DateType.PLANNED_START if planned else DateType.ACTUAL_START] = start
    if end is not None:
        done = status in (WorkStatus.CLOSED, WorkStatus.CANCELLED, WorkStatus.FINALISATION)
        found[DateType.ACTUAL_END if done else DateType.PLANNED_END] = end
    return found
