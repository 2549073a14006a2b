"""One row of a template's Results sheet read and checked: each cell by its code or by a
word the template offers in any of the six languages (``Words``), every broken rule noted
at its cell (``SheetReader``), and the result it stands for, or None. Split from
``xlsx_import``, which reads the whole file and stores it.
"""

from __future__ import annotations

import difflib
from functools import lru_cache
from typing import Any

from greenfolio.domain.countries import check_country, country_name
from greenfolio.domain.errors import GreenfolioError
from greenfolio.domain.indicators import Disaggregation, Indicator
from greenfolio.domain.keys import key_refusal
from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.domain.results import (
    FIRST_YEAR,
    LAST_YEAR,
    Qualifier,
    Sex,
    ValueKind,
    actual_not_begun,
    period_years_problem,
    result_problems,
)
from greenfolio.domain.units import canonical_unit, unit_word, word_key
from greenfolio.refdata.catalogue import word as code_word
from greenfolio.services import results as result_service
from greenfolio.services.exchange import xlsx_template as template
from greenfolio.services.exchange.cells import SheetReader


class Words:
    """How the cells of one file are read back to codes (see ``xlsx_template``): the
    codes themselves, the words of the six languages, and the file's own Lists sheet."""

    def __init__(
        self, indicators: dict[str, Indicator], listed: dict[str, dict[str, str]], lang: str
    ) -> None:
        self.indicators = indicators
        self.listed = listed
        self.lang = lang
        self.named = template.indicator_words(indicators.values())

    def code(self, key: str, raw: str, codes: Any = (), near: dict[str, str] | None = None) -> str:
        """The code ``raw`` names in column ``key``, or ``raw`` itself if none: a code as
        typed, a word of ``near`` (the units of the row's indicator), a word of the six
        languages, a bracketed code, a word of this file's own lists, in that order."""
        text = raw.strip()
        if text in codes:
            return text
        word = template.normal(text)
        for table in (near or {}, self.known(key)):
            if word in table:
                return table[word]
        inner = template.bracketed(text)
        if inner is not None and inner != text:
            return self.code(key, inner, codes, near)
        return self.listed.get(key, {}).get(word, text)

    def known(self, key: str) -> dict[str, str]:
        return self.named if key == "indicator" else template.words(key)

    def project(self, raw: str, keys: Any) -> str:
        """The project key a Project cell names, or the text itself if none: a key as
        typed, the words this file's dropdown offered for one, a key in brackets at the
        end ("Title (key)", as the dropdown writes them). The key so found is then checked
        as a typed one is: against the projects the uploader may see (``keys``)."""
        text = raw.strip()
        if text in keys:
            return text
        listed = self.listed.get("work", {}).get(template.normal(text))
        if listed is not None:
            return listed
        _title, bracket, tail = text.rpartition(" (")  # keys hold no spaces
        if bracket and tail.endswith(")") and tail[:-1].strip() in keys:
            return tail[:-1].strip()
        return text

    def shown(self, key: str, code: str) -> str:
        """A code as the template's dropdown in the file's language says it."""
        for text, value in self.listed.get(f"{key}:shown", {}).items():
            if value == code:
                return text
        return code


def _choice(cells: SheetReader, key: str, words: Words, default: str) -> str:
    raw = cells.text(key)
    if raw is None:
        return default
    allowed = list(template.CODES[key])
    value = words.code(key, raw, allowed)
    if value not in allowed:
        value = value.strip().lower()
    if value not in allowed:
        shown = [words.shown(key, c) for c in allowed]
        cells.problem(
            key,
            f"is {raw!r}; choose one of {', '.join(shown)}",
            message_id="cell_choice",
            value=raw,
            choices=shown,
        )
        return default
    return value


@lru_cache(maxsize=256)
def _fitting_words(fitting: tuple[str, ...]) -> dict[str, str]:
    """The words of the units of one indicator in the six languages (``word_key``)."""
    return {
        word_key(code_word("unit", code, lang)): code for code in fitting for lang in UN_LANGUAGES
    }


def _unit_of(typed: str, fitting: list[str]) -> str:
    """The unit code a unit cell names: a code, a word of the row's indicator's units,
    a bracketed code, or the unit as people write it in any language
    (``domain.units.canonical_unit``: a word with a capital only as written, "mW" is not
    "MW"); else as typed, for the checks to refuse."""
    text = typed.strip()
    codes = set(template.unit_codes())
    if text in codes:
        return text
    named = _fitting_words(tuple(fitting)).get(word_key(text))
    if named is not None:
        return named
    inner = template.bracketed(text)
    if inner is not None and inner in codes:
        return inner
    return canonical_unit(text)


def check_row(
    cells: SheetReader,
    works: dict[str, int],
    words: Words,
    allowed: set[str] | None,
    hints: list[str],
) -> result_service.ResultSpec | None:
    indicators = words.indicators
    before = len(cells.problems)
    typed_work = cells.text("work", required=True)
    work = words.project(typed_work, works) if typed_work is not None else None
    if typed_work is not None and work not in works:
        near = difflib.get_close_matches(typed_work, hints, n=2)
        hint = f" (did you mean {', '.join(near)}?)" if near else ""
        # said with the words as typed: what a hand-edited Lists sheet named is no clue
        if key_refusal(typed_work) is None:
            cells.problem(
                "work",
                f"{typed_work!r} is not a registered work item{hint}; "
                "register it first (the web application's /projects/new page, POST "
                "/api/v1/projects or an IATI import); `greenfolio work list` lists the keys",
                message_id="cell_work",
                project=typed_work,
            )
        else:  # no key could be written so: meant as the words of the Project list
            cells.problem(
                "work",
                f"{typed_work!r} names no registered project{hint}; choose one from the "
                "column's list or give its key",
                message_id="cell_project_words",
                project=typed_work,
            )
    typed = cells.text("indicator", required=True)
    code = words.code("indicator", typed, indicators) if typed is not None else None
    ind = indicators.get(code) if code else None
    if code is not None and (ind is None or (allowed is not None and code not in allowed)):
        choices = sorted(allowed) if allowed is not None else sorted(indicators)
        cells.problem(
            "indicator",
            f"{typed!r} is not an indicator of this template; use one of {', '.join(choices[:8])}",
            message_id="cell_indicator",
            code=typed,
        )
        ind = None
    value = cells.number("value", required=True)
    typed_unit = cells.text("unit")
    unit = typed_unit
    fitting = template.units_of(ind.unit) if ind is not None else []
    if typed_unit is not None:
        unit = _unit_of(typed_unit, fitting)
    kind = _choice(cells, "kind", words, ValueKind.ACTUAL.value)
    qualifier = _choice(cells, "qualifier", words, Qualifier.EXACT.value)
    start = cells.day("period_start")
    end = cells.day("period_end")
    if start and end and start > end:
        cells.problem(
            "period_end",
            f"is {end}, before the period start {start}; swap them",
            message_id="cell_period",
            end=end,
            start=start,
        )
    country = cells.text("country")
    if country is not None:
        named = words.code("country", country)
        try:
            country = check_country(named)
        except GreenfolioError:
            # the cell came from a list of names: say so, and the nearest name in the
            # template's language (a newcomer's "Nigeira" was told to type an ISO code)
            close = difflib.get_close_matches(
                template.normal(country), list(template.words("country")), n=1, cutoff=0.75
            )
            closest = country_name(template.words("country")[close[0]], words.lang) if close else ""
            hint = f" (did you mean {closest}?)" if closest else ""
            cells.problem(
                "country",
                f"{country!r} is not a country of the list{hint}; choose one from the list "
                "(its name in any of the six languages) or give its ISO 3166-1 alpha-3 code, "
                "such as BRA",
                message_id="cell_country_name" if not closest else "cell_country_near",
                value=country,
                suggestion=closest,
            )
    sex = cells.text("sex")
    if sex is not None:
        sex = _choice(cells, "sex", words, "")
        sex = None if sex == template.SEX_TOTAL else sex  # "Everyone (total)"
        if ind is not None and sex and Disaggregation.SEX not in ind.disaggregations:
            cells.problem(
                "sex",
                f"is given, but indicator {ind.code!r} is not broken down by sex",
                message_id="cell_sex_not_split",
                indicator=ind.code,
            )
    entity = cells.text("entity", max_length=160)
    evidence = cells.text("evidence")
    citation = cells.text("citation")
    if ind is not None:
        # Every rule of value and unit, each at its own column: a unit of another kind is
        # reported even when the value is refused too, a fraction of a count at the value.
        # A unit that does not fit is refused naming the units that do.
        for broken in result_problems(ind.code, value, unit or ind.unit, ind.unit):
            if broken.field == "value":
                cells.problem("value", str(broken), message_id=broken.message_id, **broken.params)
                continue
            cells.problem(
                "unit",
                f"is {typed_unit!r}, not a unit of indicator {ind.code!r}; use one of "
                f"{', '.join(unit_word(u) for u in fitting)} (or leave the cell empty for "
                f"{unit_word(ind.unit)})",
                message_id="cell_unit_fit",
                unit=unit,
                indicator=ind.code,
                units=tuple(fitting),
            )
    out_of_range = period_years_problem(ind.code if ind else "", start, end)
    if out_of_range is not None:
        cells.problem(
            out_of_range.field or "period_start",
            f"is {out_of_range.params['typed']}, not between the years {FIRST_YEAR} and "
            f"{LAST_YEAR}; check the year",
            message_id="cell_period_years",
            **out_of_range.params,
        )
    early = actual_not_begun(ind.code if ind else "", kind, start, end)
    if early is not None:
        cells.problem("period_start", str(early), message_id=early.message_id, **early.params)
    if len(cells.problems) > before or work is None or ind is None or value is None:
        return None
    return result_service.ResultSpec(
        work=work,
        indicator=ind.code,
        value=value,
        unit=unit or ind.unit,
        kind=ValueKind(kind),
        qualifier=Qualifier(qualifier),
        period_start=start,
        period_end=end,
        country=country,
        sex=Sex(sex) if sex else None,
        entity=entity,
        evidence=evidence,
        citation=citation,
    )
