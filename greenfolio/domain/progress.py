"""Where a project stands against what it set out to do: for each indicator and period,
its baseline, target and actual values side by side.

Values of one kind are added up only when they share a unit; a period is shown when it
has a baseline or a target (a lone actual is already in the results list).
Results that name a country or a sex are parts of a whole and stay out: their totals
are what the project reports as a whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

KINDS = ("baseline", "target", "actual")


@dataclass
class PeriodProgress:
    """One indicator in one period: a value per kind, all in one unit."""

    indicator: str
    unit: str
    period_start: str | None
    period_end: str | None
    values: dict[str, float] = field(default_factory=dict)
    descending: bool = False
    """Lower is better (IATI ``ascending="0"``: ODP tonnes consumed, say)."""
    since: float | None = None
    """Where lower is better and the period has no baseline of its own: the indicator's
    latest baseline from before the period (IATI gives one per indicator, dated)."""

    @property
    def share_of_target(self) -> float | None:
        """How far the actual has come towards the target (0.5 for half way); None when
        either is missing. Where lower is better it is the share of the planned fall from
        the baseline that happened, and without a baseline none (actual over target would
        read 94 % for a consumption already below its target)."""
        target, actual = self.values.get("target"), self.values.get("actual")
        if target is None or actual is None:
            return None
        if self.descending:
            baseline = self.values.get("baseline", self.since)
            if baseline is None or baseline <= target:
                return None
            return (baseline - actual) / (baseline - target)
        if target <= 0:
            return None
        return actual / target


def by_period(
    results: Iterable[Mapping[str, Any]], descending: Iterable[str] = ()
) -> list[PeriodProgress]:
    """Baseline, target and actual per indicator, unit and period, in the order of the
    indicators' first appearance and then of the periods; ``descending``: the indicators
    for which lower is better."""
    lower = set(descending)
    groups: dict[tuple[str, str, str | None, str | None], PeriodProgress] = {}
    for r in results:
        if r.get("kind") not in KINDS or r.get("value") is None:
            continue
        if r.get("country") or r.get("sex"):
            continue
        key = (str(r["indicator"]), str(r["unit"]), r.get("period_start"), r.get("period_end"))
        row = groups.setdefault(key, PeriodProgress(*key, descending=key[0] in lower))
        row.values[r["kind"]] = row.values.get(r["kind"], 0.0) + float(r["value"])
    rows = [row for row in groups.values() if {"baseline", "target"} & set(row.values)]
    for row in rows:
        if row.descending and "baseline" not in row.values:
            earlier = [
                (b.period_end or b.period_start or "", b.values["baseline"])
                for b in rows
                if (b.indicator, b.unit) == (row.indicator, row.unit)
                and "baseline" in b.values
                and (b.period_end or b.period_start or "") <= (row.period_start or "9999")
            ]
            row.since = max(earlier)[1] if earlier else None
    order = {ind: i for i, ind in enumerate(dict.fromkeys(row.indicator for row in rows))}
    return sorted(
        rows,
        key=lambda p: (order[p.indicator], p.period_start or "", p.period_end or "", p.unit),
    )
