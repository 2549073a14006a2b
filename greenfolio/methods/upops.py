"""Stockholm Convention, Article 5: releases of unintentional POPs.

Release per vector (g TEQ/a) = activity rate (t/a) × emission factor (µg TEQ/t) / 10^6,
for each vector the Toolkit gives a factor for. The avoided release between two
technology classes is the GEF core indicator 10 quantity.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from greenfolio.methods.base import MethodError, Outcome, Quantity
from greenfolio.refdata import factor_tables


class ReleaseInputs(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True, allow_inf_nan=False)
    category: str
    klass: str = Field(alias="class")
    activity_t: float = Field(ge=0, description="activity rate, tonnes per year")
    factor_table: str | None = None


def _releases(
    table: factor_tables.FactorTable, category: str, klass: str, activity: float
) -> dict[str, float]:
    out = {v: 0.0 for v in factor_tables.VECTORS}
    for f in table.for_class(category, klass):
        out[f.vector] += activity * f.grams_teq_per_t
    return out


def releases(inputs: ReleaseInputs) -> Outcome:
    table = factor_tables.load(Path(inputs.factor_table) if inputs.factor_table else None)
    per_vector = _releases(table, inputs.category, inputs.klass, inputs.activity_t)
    factors = table.for_class(inputs.category, inputs.klass)
    quantities = {f"release_{v}": Quantity(g, "g_TEQ") for v, g in per_vector.items()}
    quantities["release_total"] = Quantity(sum(per_vector.values()), "g_TEQ")
    return Outcome(
        quantities,
        {
            "factor_table": table.name,
            "factor_table_digest": table.digest,
            "sources": sorted({f.source for f in factors}),
        },
    )


class AvoidedInputs(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True, allow_inf_nan=False)
    category: str
    class_before: str
    class_after: str
    activity_t: float = Field(ge=0)
    factor_table: str | None = None


def avoided(inputs: AvoidedInputs) -> Outcome:
    """Releases avoided per year by moving an activity from one class to a cleaner one."""
    table = factor_tables.load(Path(inputs.factor_table) if inputs.factor_table else None)
    before = _releases(table, inputs.category, inputs.class_before, inputs.activity_t)
    after = _releases(table, inputs.category, inputs.class_after, inputs.activity_t)
    quantities = {
        f"avoided_{v}": Quantity(before[v] - after[v], "g_TEQ") for v in factor_tables.VECTORS
    }
    quantities["avoided_total"] = Quantity(sum(before.values()) - sum(after.values()), "g_TEQ")
    return Outcome(
        quantities,
        {
            "before": before,
            "after": after,
            "factor_table": table.name,
            "factor_table_digest": table.digest,
        },
    )


class StockpileEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True, allow_inf_nan=False)
    pops_type: str = Field(min_length=1)
    fate: str
    tonnes: float = Field(ge=0)


FATES = ("destroyed", "safeguarded")


class StockpileInputs(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True, allow_inf_nan=False)
    entries: list[StockpileEntry]


def stockpile(inputs: StockpileInputs) -> Outcome:
    """A POPs stockpile ledger: tonnes by type and fate (GEF core indicator 9.1)."""
    by_type: dict[str, dict[str, float]] = {}
    for e in inputs.entries:
        if e.fate not in FATES:
            raise MethodError(f"fate {e.fate!r} of {e.pops_type}: use one of {', '.join(FATES)}")
        by_type.setdefault(e.pops_type, dict.fromkeys(FATES, 0.0))[e.fate] += e.tonnes
    totals = {fate: sum(t[fate] for t in by_type.values()) for fate in FATES}
    return Outcome(
        {
            "destroyed": Quantity(totals["destroyed"], "t"),
            "safeguarded": Quantity(totals["safeguarded"], "t"),
        },
        {"by_type": by_type},
    )
