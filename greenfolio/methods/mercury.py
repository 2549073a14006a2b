"""Minamata Convention: a mercury inventory in the form of the UNEP Toolkit, and ASGM use.

Mercury input (kg/a) = activity rate × input factor; each pathway (air, water, land,
products, general waste, sector-specific treatment) receives input × its distribution
factor. No default factors ship, since none is verified yet: the user supplies the table,
and every row must name its source and distribute exactly 100 % of the input.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from greenfolio.methods.base import MethodError, Outcome, Quantity

PATHWAYS = ("air", "water", "land", "products", "general_waste", "sector_treatment")


class CategoryFactors(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True, allow_inf_nan=False)
    category: str
    input_g_per_unit: float = Field(ge=0, description="grams of mercury per unit of activity")
    activity_unit: str = "t"
    distribution: dict[str, float]
    source: str


class Activity(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True, allow_inf_nan=False)
    category: str
    amount: float = Field(ge=0)


class InventoryInputs(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True, allow_inf_nan=False)
    factors: list[CategoryFactors]
    activities: list[Activity]


def _check(f: CategoryFactors) -> None:
    if not f.source.strip():
        raise MethodError(f"mercury factors for {f.category!r} have no source; cite one")
    unknown = set(f.distribution) - set(PATHWAYS)
    if unknown:
        raise MethodError(
            f"{f.category}: unknown pathway(s) {sorted(unknown)}; use {', '.join(PATHWAYS)}"
        )
    total = sum(f.distribution.values())
    if abs(total - 1.0) > 1e-6:
        raise MethodError(
            f"{f.category}: distribution factors sum to {total:g}, not 1; correct them"
        )


def inventory(inputs: InventoryInputs) -> Outcome:
    table = {}
    for f in inputs.factors:
        _check(f)
        table[f.category] = f
    per_pathway = dict.fromkeys(PATHWAYS, 0.0)
    lines: list[dict[str, object]] = []
    total_input = 0.0
    for act in inputs.activities:
        known = table.get(act.category)
        if known is None:
            raise MethodError(f"no mercury factors for category {act.category!r}")
        hg_kg = act.amount * known.input_g_per_unit / 1000.0
        split = {p: hg_kg * known.distribution.get(p, 0.0) for p in PATHWAYS}
        for p, v in split.items():
            per_pathway[p] += v
        total_input += hg_kg
        lines.append(
            {
                "category": act.category,
                "input_kg": hg_kg,
                "releases_kg": split,
                "source": known.source,
            }
        )
    quantities = {f"release_{p}": Quantity(v, "kg") for p, v in per_pathway.items()}
    quantities["input_total"] = Quantity(total_input, "kg")
    return Outcome(quantities, {"categories": lines})


class AsgmInputs(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True, allow_inf_nan=False)
    gold_kg: float = Field(ge=0)
    mercury_to_gold: float = Field(gt=0, description="kg of mercury used per kg of gold")
    ratio_source: str = Field(min_length=1, description="where the stated ratio comes from")


def asgm(inputs: AsgmInputs) -> Outcome:
    """Mercury used in artisanal and small-scale gold mining, from a stated ratio."""
    return Outcome(
        {"mercury_use": Quantity(inputs.gold_kg * inputs.mercury_to_gold, "kg")},
        {"ratio": inputs.mercury_to_gold, "ratio_source": inputs.ratio_source},
    )
