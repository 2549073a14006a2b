"""Texts and formats of one language (the message catalogues, numbers, dates, times and
file sizes after CLDR through babel), for the pages and the list downloads alike, so that
both say a stored record with the same words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from babel import Locale
from babel.dates import format_datetime, format_interval, format_skeleton
from babel.numbers import format_decimal, format_percent
from babel.units import format_unit
from markupsafe import Markup, escape

from greenfolio.domain.languages import CLDR_LOCALES, RIGHT_TO_LEFT, UN_LANGUAGES
from greenfolio.domain.numbers import format_figure
from greenfolio.domain.results import Qualifier
from greenfolio.domain.run_citation import cited_activity, cited_run
from greenfolio.domain.typography import chinese_spaces
from greenfolio.interfaces.http import event_text, labels, run_text, run_words

CLDR = CLDR_LOCALES
DEFAULT = "en"
catalogue = labels.catalogue


@lru_cache(maxsize=8192)
def _number(value: float, lang: str, qualifier: str) -> str:
    """CLDR formatting is slow next to a page's other work; figures repeat, so keep them."""
    try:
        return format_figure(value, lang, Qualifier(qualifier))
    except ValueError:
        return format_figure(value, lang)


@lru_cache(maxsize=4096)
def _date(day: date, lang: str) -> str:
    """A day as the periods beside it write each end (CLDR's yMMMd): in Arabic the
    "medium" form is all digits (30/06/2024) where a period names the month."""
    return str(format_skeleton("yMMMd", day, locale=CLDR[lang]))


Day = date
"""A day, under a name the ``Translator.date`` method does not hide."""


def _day(value: str | date | None) -> date | None:
    if not value:
        return None
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


@lru_cache(maxsize=4096)
def _period(start: date | None, end: date | None, lang: str) -> str:
    """A span of days as CLDR writes it ("Jan 1 – Jun 30, 2021", "2021年1月1日至6月30日");
    with one end unknown, from or until the other ("Until Jun 30, 2021"), never a dash
    left hanging."""
    locale = CLDR[lang]
    if start and end:
        return str(format_interval(start, end, "yMMMd", locale=locale))

    def said(key: str) -> str:  # English where the language's catalogue has no words
        return catalogue(lang).get(key) or catalogue("en")[key]

    if start:
        return said("period_from").format(start=format_skeleton("yMMMd", start, locale=locale))
    if end:
        return said("period_until").format(end=format_skeleton("yMMMd", end, locale=locale))
    return ""


@lru_cache(maxsize=1024)
def _month(year: int, month: int, lang: str) -> str:
    if not 1 <= month <= 12:
        return f"{year:04d}-{month:02d}"
    return str(format_skeleton("yMMMM", date(year, month, 1), locale=CLDR[lang]))


@lru_cache(maxsize=1024)
def _size(size: int, lang: str) -> str:
    if size < 1000:
        value, unit = float(size), "digital-byte"
    elif size < 1_000_000:
        value, unit = size / 1000, "digital-kilobyte"
    else:
        value, unit = size / 1_000_000, "digital-megabyte"
    shown = round(value, 1 if value < 100 else 0)
    said = str(format_unit(shown, unit, length="short", locale=CLDR[lang]))
    if unit == "digital-byte":  # "98 bytes" rather than the short "98 byte", where CLDR has it
        long = str(format_unit(shown, unit, length="long", locale=CLDR[lang]))
        said = said if unit in long else long
    return said


_RTL_LETTER = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
"""A letter of a right-to-left script (Hebrew, Arabic and their presentation forms)."""


class Translator:
    """Texts and formats of one language, handed to every template as ``tr``."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in UN_LANGUAGES else DEFAULT
        self.dir = "rtl" if self.lang in RIGHT_TO_LEFT else "ltr"
        self._texts = catalogue(self.lang)

    def __call__(self, key: str, /, **values: Any) -> str:
        text = self._texts.get(key) or catalogue(DEFAULT)[key]
        if not values:
            return text
        for name, value in values.items():
            # a value ending a sentence with its own full stop ("30 июн. 2026 г.") takes
            # the place of the sentence's ("… г.. Только" read twice)
            if isinstance(value, str) and value.endswith(".") and "{" + name + "}." in text:
                text = text.replace("{" + name + "}.", "{" + name + "}")
        if any(isinstance(value, Markup) for value in values.values()):
            # a value a template already wrote as HTML (a macro's output, "couche
            # d&#39;ozone") is kept as it is, the text and the other values escaped
            # around it: formatted as plain text, it was escaped a second time
            return Markup(escape(text)).format(**values)
        return text.format(**values)

    def has(self, key: str) -> bool:
        """Whether the catalogues hold ``key`` (in this language or in English)."""
        return key in self._texts or key in catalogue(DEFAULT)

    def num(self, value: float | None, qualifier: str = "exact") -> str:
        if value is None:
            return "—"
        said = _number(float(value), self.lang, qualifier)
        # Chinese writes no space between a figure and Han ("约1,200", "3多"), as the
        # documents do
        return chinese_spaces(said) if self.lang == "zh" else said

    def stored(self, value: float | None, qualifier: str = "exact") -> str:
        """A result's own value on its page, to every decimal it holds (66,0275, where
        lists and documents write 66,028); an approximate one as ``num`` writes it."""
        if value is None or qualifier != "exact":
            return self.num(value, qualifier)
        return run_words.exact(float(value), self.lang)  # as the run that made it shows it

    def money(self, value: float | None) -> str:
        """An amount as a budget writes it: whole units, or with its cents ("1,000,000.50",
        never "1,000,000.5")."""
        if value is None or float(value).is_integer():
            return self.num(value)
        return str(format_decimal(value, format="#,##0.00", locale=CLDR[self.lang]))

    def percent(self, share: float) -> str:
        """A share (0.5) as the language writes a percentage ("50 %", "50%", "٥٠٪")."""
        return str(format_percent(share, locale=CLDR[self.lang]))

    def country(self, code: str | None) -> str:
        return labels.country(code, self.lang)

    def text(self, names: Mapping[str, Any] | None) -> str:
        if not names:
            return ""
        return str(names.get(self.lang) or names.get("en") or next(iter(names.values()), ""))

    def shown(self, names: Mapping[str, Any] | None) -> Markup:
        """A name or title as ``text`` gives it, but one that falls back to another
        language says so: marked with its language (for screen readers and the bidi
        algorithm) and followed by "(in English)" in the visitor's language."""
        if not names:
            return Markup("")
        if names.get(self.lang):
            text = str(names[self.lang])
            if self.dir == "rtl" and not _RTL_LETTER.search(text):
                # written in Latin letters in the Arabic field ("Projet pilote (phase 2).")
                # its own direction: in a right-to-left line its full stop went first
                return Markup('<bdi dir="ltr">{}</bdi>').format(text)
            return Markup.escape(text)
        lang = "en" if names.get("en") else next((k for k, v in names.items() if v), "")
        text = str(names.get(lang) or "")
        if not text:
            return Markup("")
        direction = "rtl" if lang in RIGHT_TO_LEFT else "ltr"
        language = Locale.parse(CLDR[self.lang]).languages.get(lang, lang)
        note = self("shown_in_language", language=language)
        return Markup(
            '<span lang="{}" dir="{}">{}</span> <small class="fallback">{}</small>'
        ).format(lang, direction, text, note)

    def date(self, value: str | date | None) -> str:
        if not value:
            return ""
        day = date.fromisoformat(value[:10]) if isinstance(value, str) else value
        return _date(day, self.lang)

    def period(self, start: str | Day | None, end: str | Day | None) -> str:
        """A period (a result's, a project's), either end possibly unknown."""
        return _period(_day(start), _day(end), self.lang)

    def project_span(self, dates: list[dict[str, Any]], start: str | None, end: str | None) -> str:
        """A project's period as its source states it ("mars 2021 – 2024", where an
        officer read "1 mars 2021" for a month): its actual start and end, else the planned
        ones, each to its precision; with days only or one end, as :meth:`period` says it."""
        by_type = {d["type"]: d["when"] for d in dates}
        first = by_type.get("actual_start") or by_type.get("planned_start")
        last = by_type.get("actual_end") or by_type.get("planned_end")
        if not (first and last) or (len(first) == 10 and len(last) == 10):
            # one end alone: "à partir du 1 mars" would need "de mars", "с марта"; as days
            return self.period(start, end)
        return self("stated_span", start=self.stated(first), end=self.stated(last))

    def stated(self, text: str | None) -> str:
        """A date as a source states it (IATI activity dates): a day as :meth:`date`
        gives it, a month as the language names it ("mars 2021", "2021年3月"), a year
        as written."""
        if not text:
            return ""
        text = str(text)
        if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
            return _month(int(text[:4]), int(text[5:]), self.lang)
        if len(text) >= 10 and text[4] == "-":
            try:
                return self.date(text)
            except ValueError:
                return text
        return text

    def when(self, stamp: str | None) -> str:
        """An audit timestamp (UTC, ISO) in the language's medium form."""
        if not stamp:
            return ""
        at = datetime.fromisoformat(stamp.rstrip("Z"))
        return str(format_datetime(at, format="medium", locale=CLDR[self.lang])) + " UTC"

    def size(self, size: int) -> str:
        """A file size in the language's words for bytes, kB and MB (CLDR)."""
        return _size(int(size), self.lang)

    def state(self, state: str) -> str:
        return self(f"state_{state}") if f"state_{state}" in self._texts else state

    def label(self, group: str, code: str | None) -> str:
        """The word for a stored code (``labels.GROUPS``): a status, a unit, a choice."""
        return labels.label(self, group, code)

    def unit(self, code: str | None) -> str:
        return labels.label(self, "unit", code)

    def finance(self, kind: str, code: str | None) -> str:
        return labels.finance(self, kind, code)

    def amount(self, value: float | None, qualifier: str, unit: str | None) -> str:
        """A number with its unit, the unit in the number's plural form: "1 country";
        in Chinese with no space between the figure and a unit in Han ("13,194吨"), as the
        documents write it."""
        number, counted = self.num(value, qualifier), self.counted(unit, value, qualifier)
        if self.lang == "zh" and counted and not counted[0].isascii():
            return number + counted  # "13,194吨", "500多名", "3多个国家"
        return f"{number} {counted}".strip()

    def counted(self, unit: str | None, value: float | None, qualifier: str = "exact") -> str:
        """The unit after ``value`` (written with ``qualifier``), in the form it takes."""
        return labels.counted_unit(self, unit, value, qualifier)

    def term(self, key: str) -> str:
        """A classification term ``scheme:code`` by its name."""
        return labels.term(self, key)

    def scheme(self, code: str) -> str:
        return labels.scheme_name(self, code)

    def labelled(self, label: str | None, names: Mapping[str, Any] | None) -> str:
        """A classification term's label and name: "(i) technical cooperation"."""
        return labels.labelled(label, self.text(names), self.lang)

    def grant(self, role: str, scope: str) -> str:
        """A role on its scope, in words: "Editor (all projects)"."""
        return labels.grant(self, role, scope)

    def actor(self, who: str | None, names: dict[str, str] | None = None) -> str:
        return labels.actor(self, who, names)

    def run(self, run: Mapping[str, Any]) -> run_words.RunRecord:
        """A method run's inputs, outputs and details as labelled rows (``run_text``)."""
        return run_text.describe(self, run.get("inputs") or {}, run.get("outputs") or {})

    def refdata(self, version: str | None) -> str:
        """The reference data a run used: its version, or that it used none."""
        if not version or version == "none":
            return self("refdata_none")
        # "montreal-c71b456b0162": the tables' fingerprint, after the name of the set
        return self("refdata_version", version=version.rpartition("-")[2] or version)

    def run_cited(
        self, citation: str | None, run: Mapping[str, Any] | None, short: bool = False
    ) -> str | None:
        """A result's source in words when it is the run that made it: the source stored
        in English when none was given ("method run 7 (ghg.mitigation)", see
        ``domain.run_citation``), or none at all, with a run behind the result. None for
        a source someone wrote. ``short``: the run without its method's name, where the
        page names the method beside it."""
        cited = cited_run(citation)
        if citation and cited is None:
            return None
        if run:  # the run behind the value now (a recomputation makes a new one)
            cited = (int(run["id"]), str(run["method"]))
        if cited is None:
            return None
        if short:
            return self("run_cited_short", run=cited[0])
        return self("run_cited", run=cited[0], method=self.label("method", cited[1]))

    def source(
        self, citation: str | None, run: Mapping[str, Any] | None = None, short: bool = False
    ) -> str:
        """A result's source as this page writes it: the run that made it
        (``run_cited``), the IATI activity it came from in the page's words, or the source
        as someone wrote it."""
        found = self.run_cited(citation, run, short)
        if found is not None:
            return found
        activity = cited_activity(citation)
        if activity is not None:
            return self("iati_activity_cited", activity=activity)
        return citation or ""

    def is_run_citation(self, citation: str | None) -> bool:
        """Whether ``citation`` is the source stored in English for a result a run made."""
        return cited_run(citation) is not None

    def run_method(self, method: str, version: str) -> str:
        """A method by its name, with the version a run used."""
        return self("run_method", method=self.label("method", method), version=version)

    def event(self, event: dict[str, Any], **context: Any) -> dict[str, Any]:
        """An audit event as sentences (``event_text.describe``)."""
        return event_text.describe(self, event, **context)
