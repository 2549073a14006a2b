"""Quantities with units, and the one rule that matters: never add unlike things.

A pint registry extended with ``refdata/units.txt`` gives ODP tonnes, tonnes CO2-eq and
grams TEQ their own dimensions, so that adding any of them to plain tonnes or grams
fails loudly instead of producing a meaningless total.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from greenfolio.domain.errors import UnitMismatchError, ValidationError

if TYPE_CHECKING:
    import pint

# pint (and building its registry) takes about a tenth of a second: it is imported when a
# unit is first parsed, so that commands and pages that never convert one do not pay.


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


def parse_unit(unit: str) -> pint.Unit:
    """Parse a unit name, with an error that says which name was not understood."""
    import pint

    try:
        return registry().Unit(unit)
    except (pint.UndefinedUnitError, AttributeError, TypeError, ValueError) as exc:
        raise ValidationError(
            f"unknown unit {unit!r}: use a pint unit name such as 't', 'kg', 'ODP_tonne', "
            "'tCO2e', 'g_TEQ', 'mg_TEQ', 'person' or 'country'"
        ) from exc


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Convert a magnitude; raises UnitMismatchError if the dimensions differ."""
    import pint

    ureg = registry()
    try:
        return float(ureg.Quantity(value, parse_unit(from_unit)).to(parse_unit(to_unit)).magnitude)
    except pint.DimensionalityError as exc:
        raise UnitMismatchError(f"cannot convert {from_unit} to {to_unit}") from exc


def compatible(a: str, b: str) -> bool:
    """True if quantities in units ``a`` and ``b`` can be added after conversion."""
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
