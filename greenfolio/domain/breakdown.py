"""A total and its breakdown by sex: women, men and others counted under the same
project, indicator, period, country and kind of value never add up to more than the total.

The rule only warns: which of the figures is wrong (the total or a part) is for the people
who entered and review them to say, and a result is never refused for what another result
says. A total given as a lower bound ("more than 120") allows any larger breakdown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from greenfolio.domain.errors import GreenfolioError
from greenfolio.domain.results import Qualifier, Sex
from greenfolio.domain.units import compatible, convert

TOLERANCE = 1e-9
"""Relative slack of the comparison, so that a sum converted between units is not
reported for a rounding error."""


@dataclass(frozen=True)
class Figure:
    """One result as the comparison sees it."""

    id: int
    identity: Hashable
    """What makes two results a total and its breakdown: project, indicator, period start
    and end, country and kind of value."""
    sex: str | None
    """None for a total (everyone counted), else the part it counts."""
    value: float
    unit: str
    qualifier: str = Qualifier.EXACT.value


@dataclass(frozen=True)
class Excess:
    """A breakdown that adds up to more than its total."""

    total: Figure
    parts: tuple[Figure, ...]
    parts_sum: float
    """The parts added up, in the total's unit."""

    @property
    def ids(self) -> tuple[int, ...]:
        return (self.total.id, *(p.id for p in self.parts))


SEXES = tuple(s.value for s in Sex)
"""The parts of a total, in the order the forms and pages list them."""


def part_order(fig: Figure) -> tuple[int, int]:
    """Women, then men, then others (as the forms list them), each in the order entered;
    the rows of a file (negative ids) in their order on the sheet."""
    sex = fig.sex or ""
    return (SEXES.index(sex) if sex in SEXES else len(SEXES), abs(fig.id))


def _in(fig: Figure, unit: str) -> float | None:
    """The figure's value in ``unit``; None if it cannot be converted to it."""
    if fig.unit == unit:
        return fig.value
    try:
        if not compatible(fig.unit, unit):
            return None
        return convert(fig.value, fig.unit, unit)
    except GreenfolioError:  # a unit nobody knows: nothing to compare
        return None


def _summed(parts: Iterable[Figure], unit: str) -> tuple[tuple[Figure, ...], float] | None:
    """Every part and their sum in ``unit``, a sex counted as often as it has results, as
    the figures add them up: a second "0 women" beside "90 women" hides nothing, and a
    figure entered twice is counted twice there, so it is said. None if a part cannot be
    converted."""
    chosen = tuple(sorted(parts, key=part_order))
    values = [_in(part, unit) for part in chosen]
    if any(v is None for v in values):
        return None
    return chosen, sum(v for v in values if v is not None)


def excesses(figures: Iterable[Figure]) -> list[Excess]:
    """Every total whose breakdown by sex (the results of the same identity with a sex)
    adds up to more than it, in the order of the totals' ids. Where a sex has several
    results each counts, as the figures add them up (``_summed``); each total of the
    identity is compared. Totals given as lower bounds are left out; so are groups with
    a part in a unit of another kind."""
    groups: dict[Hashable, list[Figure]] = defaultdict(list)
    for fig in figures:
        groups[fig.identity].append(fig)
    found: list[Excess] = []
    for members in groups.values():
        parts = tuple(sorted((f for f in members if f.sex), key=part_order))
        if not parts:
            continue
        for total in sorted((f for f in members if not f.sex), key=lambda f: f.id):
            if total.qualifier == Qualifier.MORE_THAN.value:
                continue
            summed = _summed(parts, total.unit)
            if summed is None:
                continue
            chosen, added = summed
            if added > total.value + TOLERANCE * max(1.0, total.value):
                found.append(Excess(total, chosen, added))
    return sorted(found, key=lambda e: e.total.id)


def by_result(found: Iterable[Excess]) -> dict[int, list[Excess]]:
    """Each result named in ``found`` (a total or one of its parts) with its excesses."""
    out: dict[int, list[Excess]] = defaultdict(list)
    for excess in found:
        for rid in excess.ids:
            out[rid].append(excess)
    return dict(out)
