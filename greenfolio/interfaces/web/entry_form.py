"""What a result's entry form offers for one indicator: the units it can be given in (in
words), whether it is a count (whole numbers only) and a line of help, so that each
indicator gets the form that fits it rather than one free-text form for all."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from greenfolio.domain.countries import all_countries, name_order
from greenfolio.domain.errors import GreenfolioError
from greenfolio.domain.units import compatible, convert, is_count
from greenfolio.interfaces.http.labels import UNITS
from greenfolio.interfaces.web.i18n import Translator


def _same_kind(unit: str, other: str) -> bool:
    try:
        return compatible(unit, other)
    except GreenfolioError:  # a unit the unit registry does not know (USD): none alike
        return False


def _alias(unit: str, of: list[str]) -> bool:
    """Whether ``unit`` is another spelling of one of ``of`` (ODP_t of ODP_tonne): both
    read "ODP t", and a list offering it twice left the officer guessing."""
    for other in of:
        try:
            if convert(1.0, unit, other) == 1.0:
                return True
        except GreenfolioError:
            continue
    return False


def unit_choices(indicator_unit: str, current: str | None = None) -> list[str]:
    """The indicator's unit first, then every known unit of the same kind, each once
    (another spelling of one offered is left out); a unit stored earlier that is not
    among them stays offered, so revising never changes it silently."""
    found = [indicator_unit]
    for u in UNITS:
        if u != indicator_unit and _same_kind(u, indicator_unit) and not _alias(u, found):
            found.append(u)
    if current and current not in found:
        # stored in another spelling: offered in its place, so a revision keeps it as is
        same = [u for u in found if _alias(current, [u])]
        if same:
            found[found.index(same[0])] = current
        else:
            found.append(current)
    return found


def country_choices(
    lang: str, current: str | None = None, only: frozenset[str] | None = None
) -> list[tuple[str, str]]:
    """The countries a result can name, by name in ``lang`` with their alpha-3 codes as the
    values sent (``only`` those, for someone whose roles are in those countries alone); a
    code given that is not among them stays offered as typed, so a refused form or an odd
    stored record shows it back rather than silently dropping it."""
    found = [c for c in all_countries(lang) if only is None or c[0] in only]
    if current and current.upper() not in {code for code, _ in found}:
        found.insert(0, (current, current))
    return found


def indicator_choices(tr: Translator, indicators: Sequence[Mapping[str, Any]]) -> list[Any]:
    """The indicators a result can be for, in alphabetical order of their names in the
    reader's language (not of their internal codes), filed as the dashboard and the
    results page file them (``name_order``; Chinese in code-point order, which follows
    radical and stroke: no collation library is installed)."""
    return sorted(
        indicators,
        key=lambda i: (name_order(tr.text(i.get("names"))), tr.text(i.get("names"))),
    )


def split_countries(
    countries: list[tuple[str, str]], first: Sequence[str]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The project's own countries (``first``), then every other country, each part in
    the list's order: a result is most often for one of the project's countries."""
    wanted = {c.upper() for c in first}
    ours = [c for c in countries if c[0].upper() in wanted]
    return ours, [c for c in countries if c[0].upper() not in wanted]


def entry_context(
    tr: Translator,
    indicator: Mapping[str, Any] | None,
    current: str | None,
    country: str | None = None,
    only: frozenset[str] | None = None,
    project_countries: Sequence[str] = (),
) -> dict[str, Any]:
    """Template values for the fields of ``indicator`` (None: not chosen): its units, the
    countries (the project's own first: ``countries_first``), and whether it asks for sex
    (only indicators disaggregated by sex do; the service refuses a sex for any other, so
    the form does not offer one)."""
    first, countries = split_countries(country_choices(tr.lang, country, only), project_countries)
    if indicator is None:
        return {
            "unit_choices": [],
            "counted": False,
            "help": [],
            "by_sex": False,
            "countries_first": first,
            "countries": countries,
        }
    unit = str(indicator["unit"])
    counted = is_count(unit)
    helps = [
        tr("entry_help_count", unit=tr.unit(unit))
        if counted
        else tr("entry_help_amount", unit=tr.unit(unit))
    ]
    if indicator.get("aggregation") == "distinct_countries":
        helps.append(tr("entry_help_distinct_countries"))
    by_sex = "sex" in (indicator.get("disaggregations") or [])
    if by_sex:
        helps.append(tr("entry_help_sex"))
    return {
        "unit_choices": unit_choices(unit, current),
        "counted": counted,
        "help": helps,
        "by_sex": by_sex,
        "countries_first": first,
        "countries": countries,
    }
