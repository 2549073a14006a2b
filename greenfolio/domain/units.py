"""Quantities with units, and the one rule that matters: never add unlike things.

A pint registry extended with ``refdata/units.txt`` gives ODP tonnes, tonnes CO2-eq and
grams TEQ their own dimensions, so that adding any of them to plain tonnes or grams
fails loudly instead of producing a meaningless total.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from greenfolio.domain.errors import UnitMismatchError, ValidationError

if TYPE_CHECKING:
    import pint

# pint (and building its registry) takes from a few tenths of a second to two seconds on a
# busy machine: it is imported when a unit is first parsed, so that commands and pages that
# never convert one do not pay. The units Greenfolio offers are also known without it, from
# refdata/unit_table.json: each one's dimensions and, for every pair of like units, the
# factor pint converts by (``write_table`` makes it from pint; tests/test_units.py checks
# that it still says what pint says). So figures, checks and sums in those units, the
# common case, never load pint; any other unit is asked of pint as before.

TABLED_UNITS = (
    "t", "kg", "g", "mg", "tonne", "metric_ton", "mg_TEQ", "g_TEQ", "ng_TEQ", "gTEQ",
    "gram_TEQ", "milligram_TEQ", "nanogram_TEQ", "tCO2e", "t_CO2e", "CO2e_tonne", "ktCO2e",
    "kilotonne_CO2e", "MtCO2e", "megatonne_CO2e", "ODP_tonne", "ODP_t", "tODP", "country",
    "project", "policy", "publication", "person", "institution", "event", "park",
    "value_chain", "alliance", "accreditation", "MW", "kW", "GWh", "MWh", "kWh",
)  # fmt: skip
"""The units of refdata/unit_table.json: the entry form's units (http/labels.UNITS but
USD, which pint does not know), every name of refdata/units.txt and the usual mass and
energy units beside them."""
TABLE_FILE = "unit_table.json"


@dataclass(frozen=True)
class _Table:
    dimensions: Mapping[str, str]
    factors: Mapping[tuple[str, str], float]


@lru_cache(maxsize=1)
def _table() -> _Table:
    text = resources.files("greenfolio.refdata").joinpath(TABLE_FILE).read_text("utf-8")
    data = json.loads(text)
    factors = {
        (src, dst): float(factor)
        for src, row in data["factors"].items()
        for dst, factor in row.items()
    }
    return _Table(dict(data["dimensions"]), factors)


def make_table(units: Iterable[str] = TABLED_UNITS) -> dict[str, object]:
    """What pint says of ``units``: each one's dimensions, and the factor that converts
    each into each like one (pint converts a magnitude by multiplying it by that factor)."""
    listed = list(dict.fromkeys(units))
    dims = {u: str(parse_unit(u).dimensionality) for u in listed}
    factors = {
        src: {dst: _pint_convert(1.0, src, dst) for dst in listed if dims[dst] == dims[src]}
        for src in listed
    }
    return {
        "source": "pint's default units and greenfolio/refdata/units.txt, as "
        "greenfolio.domain.units.make_table reads them from pint",
        "dimensions": dims,
        "factors": factors,
    }


def write_table(path: str) -> None:
    """Write ``make_table()`` as JSON (run ``python -m greenfolio.domain.units PATH``)."""
    with open(path, "w", encoding="utf-8") as out:
        json.dump(make_table(), out, ensure_ascii=False, indent=1, sort_keys=False)
        out.write("\n")


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry[float]:
    """The shared unit registry (pint defaults plus Greenfolio's measures)."""
    import pint

    ureg: pint.UnitRegistry[float] = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    text = resources.files("greenfolio.refdata").joinpath("units.txt").read_text("utf-8")
    ureg.load_definitions(text.splitlines())
    return ureg


@lru_cache(maxsize=1)
def _count_dimensions() -> frozenset[str]:
    """Dimensions of countable things: lines of units.txt like ``person = [person]``."""
    text = resources.files("greenfolio.refdata").joinpath("units.txt").read_text("utf-8")
    found = re.findall(r"^(\w+) = \[(\w+)\]\s*$", text, flags=re.MULTILINE)
    return frozenset(f"[{dim}]" for name, dim in found if name == dim)


def is_count(unit: str) -> bool:
    """True if ``unit`` counts whole things (people, countries, projects), not a measure."""
    dims = dict(parse_unit(unit).dimensionality)
    return len(dims) == 1 and next(iter(dims)) in _count_dimensions() and 1 in dims.values()


AMBIGUOUS = frozenset({"ton", "tons"})
"""Names refused rather than guessed (compared in lower case): pint reads "ton" as the short
ton of 2,000 pounds (pint's default registry: ``ton = 2e3 * pound = _ = short_ton``), where
a report on programmes means the metric tonne more often than not."""
AMBIGUOUS_EXACT = frozenset({"mt"})
"""Names refused as written: pint reads "mt" as the millitonne (1 kg), which nobody means;
"mt" is how many write metric tonnes ("Mt", the megatonne, is read as it is)."""


def parse_unit(unit: str) -> pint.Unit:
    """Parse a unit name, with an error that says which name was not understood."""
    if unit.strip().lower() in AMBIGUOUS or unit.strip() in AMBIGUOUS_EXACT:
        raise ValidationError(
            f"the unit {unit!r} is ambiguous: it would be read as the short ton of 2,000 "
            "pounds (or, for mt, the millitonne of 1 kg), where the metric tonne may be "
            "meant; write t for metric tonnes (short_ton or long_ton for the others)",
            message_id="unit_ambiguous",
            params={"unit": unit},
        )
    try:
        return registry().Unit(unit)
    except Exception as exc:
        # pint evaluates the name as an expression: besides an unknown name it fails with
        # whatever the expression meets ('kg/0' divides by zero, '(kg' does not end,
        # 't**-0' a KeyError), and each of these is a unit nobody can use, not a crash.
        raise ValidationError(
            f"unknown unit {unit!r}: give a unit such as t, kg, ODP_tonne, tCO2e, g_TEQ, "
            "mg_TEQ, person or country (the indicator's unit, or one of the same kind)",
            message_id="unit_unknown",
            params={"unit": unit},
        ) from exc


CANONICAL_UNITS = (
    "t", "kg", "g", "mg", "mg_TEQ", "g_TEQ", "ng_TEQ", "tCO2e", "ktCO2e", "MtCO2e",
    "ODP_tonne", "country", "project", "policy", "publication", "person", "institution",
    "event", "park", "value_chain", "alliance", "accreditation", "MW", "kW", "GWh", "MWh",
    "kWh",
)  # fmt: skip
"""The codes units are stored by: the pages, lists and templates name these."""


_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")


def _spaced(text: str) -> str:
    """Spaces collapsed and subscript digits plain: "t CO2e" as typed on a keyboard is the
    pages' "t CO₂e"."""
    return " ".join(text.translate(_SUBSCRIPTS).split())


CLDR_UNITS = {"t": "mass-tonne", "kg": "mass-kilogram"}
"""Units also read by the names CLDR gives them in each language (through babel): the
plural and counted forms people type ("toneladas", "тонн", "公吨", "kilogrammes")."""


def _cldr_words(code: str, lang: str) -> set[str]:
    from babel.units import format_unit, get_unit_name

    from greenfolio.domain.languages import CLDR_LOCALES

    unit, locale = CLDR_UNITS[code], CLDR_LOCALES[lang]
    words = {get_unit_name(unit, length=length, locale=locale) for length in ("long", "short")}
    for count in (1, 2, 5, 1.5):
        said = format_unit(count, unit, length="long", locale=locale)
        words.add(re.sub(r"[\d.,\s\u00a0\u202f]+", " ", said).strip())
    return {w for w in words if w}


def _folds(word: str) -> bool:
    """Whether a unit's word is read in any case: a word of four letters or more in small
    letters ("people", "tonnes"), not a symbol, whose case may be a prefix ("MW"
    megawatts, "mW" milliwatts; "Мг" megagrams, "мг" milligrams)."""
    return len(word) >= 4 and word == word.lower() and len(word.split()[0]) >= 3


@lru_cache(maxsize=1)
def _unit_words() -> tuple[dict[str, str], dict[str, str]]:
    """The stored units by the words the pages write for them in the six languages
    ("people", "countries", "personnes", "МВт"), and "metric tonne(s)" (the report's axis
    says "metric tonnes"), each word naming one unit only: those read only as written,
    and those read in any case (``_folds``), folded."""
    from greenfolio.refdata.catalogue import catalogue, word

    found: dict[str, set[str]] = {
        "metric tonne": {"t"},
        "metric tonnes": {"t"},
        # as the methods print them and the Montreal Protocol's reports write them
        "ODP tonne": {"ODP_tonne"},
        "ODP tonnes": {"ODP_tonne"},
        "t CO2-eq": {"tCO2e"},
        "tonnes CO2-eq": {"tCO2e"},
        "tonnes CO2e": {"tCO2e"},
    }
    worded = [k.removeprefix("unit_") for k in catalogue("en") if k.startswith("unit_")]
    factors = _table().factors
    for code in dict.fromkeys([*CANONICAL_UNITS, *worded]):
        # a code stored under another ("ODP_t" is "ODP_tonne") shares its words
        stored = next((c for c in CANONICAL_UNITS if factors.get((code, c)) == 1.0), code)
        for lang in ("ar", "zh", "en", "fr", "ru", "es"):
            said = _spaced(word("unit", code, lang))
            if said != code:
                found.setdefault(said, set()).add(stored)
            if code in CLDR_UNITS:
                for named in _cldr_words(code, lang):
                    found.setdefault(_spaced(named), set()).add(code)
    sure = {said: codes.pop() for said, codes in found.items() if len(codes) == 1}
    exact = {said: code for said, code in sure.items() if not _folds(said)}
    folded = {said.casefold(): code for said, code in sure.items() if _folds(said)}
    return exact, folded


def word_key(text: str) -> str:
    """A unit's word, or what is typed, as the two are compared (``_folds``): folded when
    the folded form is a word read in any case ("People" is "people"), else as written
    ("КГ" is not "кг", "Мг" not "мг")."""
    spaced = _spaced(text)
    folded = spaced.casefold()
    return folded if _folds(folded) else spaced


def word_unit(typed: str) -> str | None:
    """The unit whose word ``typed`` is: a symbol only as written, a word in any case."""
    exact, folded = _unit_words()
    return exact.get(_spaced(typed)) or folded.get(word_key(typed))


def _known(text: str) -> bool:
    try:
        parse_unit(text)
    except ValidationError:
        return False
    return True


@lru_cache(maxsize=512)
def canonical_unit(unit: str) -> str:
    """``unit`` by its stored code where it is one of those under another name ("tonnes",
    "metric_ton" and "tonne" are "t"; "ODP_t" is "ODP_tonne"), so that one unit is not
    listed twice; any other unit (or one pint does not know, refused later) as given."""
    text = unit.strip()
    if text in CANONICAL_UNITS or not text or text.lower() in AMBIGUOUS:
        return text
    if text not in _table().dimensions and not _known(text):
        # written as a person writes it ("Tonnes", "metric tonnes", "people"): the word
        # the pages write for a unit, or a plain word read in lower case; never a symbol
        # read in another case ("Mg" is not "mg", "мВт" not "МВт")
        named = word_unit(text)
        if named is not None:
            return canonical_unit(named)
        lowered = re.sub(r"\s+", "_", text.lower())
        if re.fullmatch(r"[a-z]{4,}(?:_[a-z]+)*", lowered) and lowered != text:
            plain = canonical_unit(lowered)
            return plain if plain in CANONICAL_UNITS else text
        return text
    factors = _table().factors
    for code in CANONICAL_UNITS:
        if factors.get((text, code)) == 1.0:
            return code
    if text in _table().dimensions:
        return text
    try:
        parsed = parse_unit(text)
    except ValidationError:
        return text
    for code in CANONICAL_UNITS:
        if parse_unit(code).dimensionality == parsed.dimensionality:
            try:
                if abs(_pint_convert(1.0, text, code) - 1.0) < 1e-12:
                    return code
            except UnitMismatchError:
                continue
    return text


def check_unit(unit: str) -> None:
    """Refuse a unit that pint does not know (the tabled ones are known without pint)."""
    if unit not in _table().dimensions:
        parse_unit(unit)


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Convert a magnitude; raises UnitMismatchError if the dimensions differ."""
    factor = _table().factors.get((from_unit, to_unit))
    if factor is not None and type(value) in (float, int):
        return float(value * factor)  # what pint computes: the magnitude times the factor
    return _pint_convert(value, from_unit, to_unit)


def _pint_convert(value: float, from_unit: str, to_unit: str) -> float:
    import pint

    ureg = registry()
    try:
        return float(ureg.Quantity(value, parse_unit(from_unit)).to(parse_unit(to_unit)).magnitude)
    except pint.DimensionalityError as exc:
        raise UnitMismatchError(f"cannot convert {from_unit} to {to_unit}") from exc


def compatible(a: str, b: str) -> bool:
    """True if quantities in units ``a`` and ``b`` can be added after conversion."""
    dims = _table().dimensions
    if a in dims and b in dims:
        return dims[a] == dims[b]
    return parse_unit(a).dimensionality == parse_unit(b).dimensionality


@dataclass(frozen=True)
class UnitGroup:
    """Part of a total: the sum of some records that share one unit."""

    unit: str
    total: float
    record_ids: Sequence[int]


def sum_groups(indicator: str, target_unit: str, groups: Iterable[UnitGroup]) -> float:
    """Add per-unit subtotals in ``target_unit``, refusing any unit of another kind.

    The error names the indicator, the records in the offending unit and both units, so
    that whoever entered them can correct the unit or the indicator.
    """
    total = 0.0
    for group in groups:
        if not compatible(group.unit, target_unit):
            ids = list(group.record_ids)
            shown = ", ".join(str(i) for i in ids[:10]) + (" …" if len(ids) > 10 else "")
            raise UnitMismatchError(
                f"indicator {indicator!r} is measured in {target_unit}, but "
                f"{len(ids)} result(s) [{shown}] are in {group.unit}, which cannot be "
                f"converted to {target_unit}. Correct the unit of those results, or "
                "record them under an indicator measured in "
                f"{group.unit}."
            )
        total += convert(group.total, group.unit, target_unit)
    return total


def unit_word(code: str) -> str:
    """A unit as English text names it ("people" for the code ``person``), for the messages
    the command line prints; the pages use each language's word."""
    from greenfolio.refdata.catalogue import word

    return word("unit", code, "en")


if __name__ == "__main__":
    import sys

    write_table(sys.argv[1])
