"""Dates and date ranges as United Nations documents write them, in the six languages.

The patterns are Greenfolio's own and the month names come from the packaged table
``refdata/un_months.yaml``, so no library upgrade can change a printed date:

=====  ======================  ===========================  ==============================
lang   date                    range, one month (heading)   range in running text
=====  ======================  ===========================  ==============================
en     20 August 2020          12–15 July 2021              12–15 July 2021
fr     1er août 2020           12–15 juillet 2021           du 12 au 15 juillet 2021
es     20 de agosto de 2020    12 a 15 de julio de 2021     del 12 al 15 de julio de 2021
ru     20 августа 2020 года    12–15 июля 2021 года         12–15 июля 2021 года
zh     2020 年 8 月 20 日       2021年7月12日至15日            2021 年 7 月 12 日至 15 日
ar     20 آب/أغسطس 2020        12–15 تموز/يوليه 2021         12–15 تموز/يوليه 2021
=====  ======================  ===========================  ==============================

Chinese follows the IDB.49 source: the heading closes up digits and 年月日
("2021年7月12日至15日，维也纳"), running text spaces them ("于 2020 年 8 月 20 日获得"), so
``un_date`` takes the same ``form`` as ranges (the date column above is the text form).
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Literal

import yaml

from greenfolio.domain.errors import ValidationError
from greenfolio.domain.languages import check_language

Form = Literal["heading", "text"]
DASH = "\u2013"


@lru_cache(maxsize=1)
def _months() -> dict[str, list[str]]:
    text = resources.files("greenfolio.refdata").joinpath("un_months.yaml").read_text("utf-8")
    table: dict[str, list[str]] = yaml.safe_load(text)
    for lang, names in table.items():
        if len(names) != 12:
            raise ValidationError(f"refdata/un_months.yaml: {lang} has {len(names)} months")
    return table


def month_name(month: int, lang: str) -> str:
    """The month as a date prints it (genitive in Russian, double name in Arabic)."""
    if check_language(lang) == "zh":
        return f"{month}月"
    return _months()[lang][month - 1]


def _day(day: int, lang: str) -> str:
    return "1er" if lang == "fr" and day == 1 else str(day)


def _day_month(d: date, lang: str) -> str:
    if lang == "es":
        return f"{d.day} de {month_name(d.month, lang)}"
    return f"{_day(d.day, lang)} {month_name(d.month, lang)}"


def _year(year: int, lang: str) -> str:
    return {"es": f"de {year}", "ru": f"{year} года"}.get(lang, str(year))


def un_date(d: date, lang: str, form: Form = "text") -> str:
    """One date: "20 August 2020", "20 de agosto de 2020", "2020 年 8 月 20 日" (Chinese
    heading form "2020年8月20日")."""
    if check_language(lang) == "zh":
        return _zh_spaced(f"{d.year}年{d.month}月{d.day}日", form)
    return f"{_day_month(d, lang)} {_year(d.year, lang)}"


def _zh_spaced(text: str, form: Form) -> str:
    """Running-text Chinese puts a space between digits and 年/月/日/至 (as the source does)."""
    if form == "heading":
        return text
    return re.sub(r"(?<=\d)(?=[年月日])|(?<=[年月日至])(?=\d)", " ", text)


def _zh_range(start: date, end: date, form: Form) -> str:
    head = f"{start.year}年{start.month}月{start.day}日"
    if start.year != end.year:
        return _zh_spaced(f"{head}至{end.year}年{end.month}月{end.day}日", form)
    if start.month != end.month:
        return _zh_spaced(f"{head}至{end.month}月{end.day}日", form)
    return _zh_spaced(f"{head}至{end.day}日", form)


def _es_range(start: date, end: date, form: Form) -> str:
    first, to = ("del ", " al ") if form == "text" else ("", " a ")
    if start.year != end.year:
        return f"{first}{un_date(start, 'es')}{to}{un_date(end, 'es')}"
    if start.month != end.month:
        return f"{first}{_day_month(start, 'es')}{to}{un_date(end, 'es')}"
    return f"{first}{start.day}{to}{un_date(end, 'es')}"


def _fr_text_range(start: date, end: date) -> str:
    if start.year != end.year:
        return f"du {un_date(start, 'fr')} au {un_date(end, 'fr')}"
    if start.month != end.month:
        return f"du {_day_month(start, 'fr')} au {un_date(end, 'fr')}"
    return f"du {_day(start.day, 'fr')} au {un_date(end, 'fr')}"


def un_date_range(start: date, end: date, lang: str, form: Form = "heading") -> str:
    """A range of dates: the heading form prints under a document's title ("12–15 July
    2021", "12 a 15 de julio de 2021"); the text form stands in a sentence after "from"
    or its equivalent ("del 12 al 15 de julio de 2021", "du 12 au 15 juillet 2021")."""
    check_language(lang)
    if end < start:
        raise ValidationError(f"date range ends ({end}) before it starts ({start})")
    if start == end:
        return un_date(start, lang, form)
    if lang == "zh":
        return _zh_range(start, end, form)
    if lang == "es":
        return _es_range(start, end, form)
    if lang == "fr" and form == "text":
        return _fr_text_range(start, end)
    if start.year != end.year:
        return f"{un_date(start, lang)} {DASH} {un_date(end, lang)}"
    if start.month != end.month:
        spaced = f" {DASH} " if lang in ("ru", "ar") else DASH
        return f"{_day_month(start, lang)}{spaced}{un_date(end, lang)}"
    return f"{_day(start.day, lang)}{DASH}{un_date(end, lang)}"
