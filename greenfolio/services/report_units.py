"""Units as the conventions write them after a number, and the basis behind a figure.

The words are in ``reports/units.yaml``; the plural category of the number comes from
CLDR's rules (``babel``). The basis of a figure is what its records state: a CO2-eq figure
computed by a method run carries the GWP basis of the run; one entered from a source that
gives none says "basis not stated in the source" in its provenance, and the text prints no
basis footnote for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from babel import Locale

from greenfolio.domain.errors import NotFoundError, ValidationError
from greenfolio.domain.numbers import SCALE_FROM, format_figure
from greenfolio.domain.results import Qualifier
from greenfolio.domain.units import parse_unit, registry
from greenfolio.refdata.loader import read_yaml
from greenfolio.services.figures import Figure

BASIS_NOT_STATED = "basis not stated in the source"
_WARMING = "[warming]"
"""The measure whose value depends on a weighting (GWP set) the record must state."""
_ODS_INDICATORS = frozenset({"ods_phased_out"})
"""Indicators of ozone-depleting substances stored in plain tonnes: the source must say
whether its tonnes are metric or ODP tonnes."""


@lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    data: dict[str, Any] = read_yaml("greenfolio.reports", "units.yaml")
    return data


def _key(unit: str) -> str | None:
    """The entry of ``units.yaml`` for ``unit`` (aliases such as ODP_t resolve)."""
    wanted = parse_unit(unit)
    for name in _table()["units"]:
        if registry().Unit(name) == wanted:
            return str(name)
    return None


SCALE_WORD_JOINER = {"fr": "de ", "es": "de "}
"""What stands between a scale word and the unit: "72 millions de tonnes"."""


def is_scaled(value: float, qualifier: Qualifier) -> bool:
    """True if the number is written with a scale word (see ``domain.numbers``)."""
    return qualifier is not Qualifier.EXACT and value >= SCALE_FROM


def unit_label(unit: str, value: float, lang: str, qualifier: Qualifier, case: str = "") -> str:
    """The unit's words after ``value`` in ``lang``, agreeing with the number (and in
    ``case`` where the template's phrase governs one, e.g. "genitive" in Russian)."""
    key = _key(unit)
    if key is None:
        raise NotFoundError(f"reports/units.yaml has no words for the unit {unit!r}")
    forms = _table()["units"][key]
    entry = forms.get(f"{lang}_{case}") if case else None
    entry = entry or forms.get(lang)
    if entry is None:
        raise NotFoundError(f"reports/units.yaml has no {lang} words for {key!r}")
    if isinstance(entry, str):
        return entry
    if is_scaled(value, qualifier):
        category = "many" if lang == "ru" else "other"
    elif value != int(value):
        category = "other"  # "0,5 метрической тонны"
    else:
        category = str(Locale.parse(lang).plural_form(int(value)))
    return str(entry.get(category) or entry["other"])


def quantity(
    value: float, unit: str, lang: str, qualifier: Qualifier = Qualifier.EXACT, case: str = ""
) -> str:
    """A quantity as the text prints it, number and unit words ("13,194 metric tonnes",
    "119,489 mg TEQ", "约7,200万吨二氧化碳当量"), the same in the prose and the sources."""
    number = format_figure(value, lang, qualifier)
    words = unit_label(unit, value, lang, qualifier, case)
    space = "\u00a0"
    if lang == "zh":  # "13,194公吨", "700多公吨", "约7,200万吨…": no space beside Han text
        space = ""
        if words[:1].isascii():  # a symbol ("mg TEQ"): whole, and never alone on a line
            space, words = "\u00a0", words.replace(" ", "\u00a0")
    elif is_scaled(value, qualifier):
        space = " " + SCALE_WORD_JOINER.get(lang, "")
    if "TEQ" in words:  # a symbol ("mg TEQ") is never cut at a line's end ("mg / TEQ")
        words = words.replace(" ", "\u00a0")
    return f"{number}{space}{words}"


def has_words(unit: str) -> bool:
    """True if ``units.yaml`` writes ``unit`` after a number (a measure, not a count)."""
    if not unit or unit in ("country", "term"):
        return False
    try:
        return _key(unit) is not None
    except ValidationError:  # a count's unit that pint does not know
        return False


def basis(fig: Figure) -> str | None:
    """The weighting basis the figure's records state (e.g. "AR4"), ``BASIS_NOT_STATED``
    when some records come from a source that gives none, or None when the unit needs no
    basis."""
    if fig.query != "indicator":
        return None
    warming = _is_warming(fig.unit)
    ods = str(fig.params.get("indicator", "")) in _ODS_INDICATORS
    if not (warming or ods) or not fig.result_ids:
        return None
    covered = {rid for run in fig.method_runs for rid in run.get("result_ids", [])}
    if set(fig.result_ids) - covered:
        return BASIS_NOT_STATED
    if not warming:
        return None  # tonnes measured by a method run are metric tonnes by definition
    stated = _run_bases(fig.method_runs)
    return ", ".join(sorted(stated)) if stated else BASIS_NOT_STATED


def _is_warming(unit: str) -> bool:
    return _WARMING in {str(d) for d in parse_unit(unit).dimensionality}


def _run_bases(runs: Sequence[Any]) -> set[str]:
    return {str(run["basis"]).upper() for run in runs if run.get("basis")}


def basis_note(fig: Figure, lang: str) -> str | None:
    """The footnote naming a CO2-eq figure's GWP basis, if its records state one."""
    found = basis(fig)
    if found is None or found == BASIS_NOT_STATED:
        return None
    if not _is_warming(fig.unit):
        return None
    return str(_table()["gwp_basis_note"][lang]).format(basis=found)


def axis_label(unit: str, lang: str) -> str | None:
    """The unit's words as the title of a chart's value axis ("metric tonnes", "公吨",
    "метрические тонны"): the same words the text prints after a number, in the plural
    form ``units.yaml`` names under ``axis_form``; None for a unit it has no words for
    (a count of countries is titled by its template)."""
    key = _key(unit) if has_words(unit) else None
    if key is None:
        return None
    entry = _table()["units"][key].get(lang)
    if entry is None:
        raise NotFoundError(f"reports/units.yaml has no {lang} words for {key!r}")
    if isinstance(entry, str):
        return entry
    category = str(_table()["axis_form"][lang])
    return str(entry.get(category) or entry["other"])


def unit_of_measure(unit: str, lang: str) -> str | None:
    """The sentence naming ``unit`` in ``lang`` ("Unit of measure: metric tonnes."), for
    a file with no element of its own for it; None for a count (its name says what is
    counted) or a language with no words for it."""
    sentences = _table()["unit_of_measure"]
    if lang not in sentences:
        return None
    words = axis_label(unit, lang)
    return None if words is None else str(sentences[lang]).format(unit=words)
