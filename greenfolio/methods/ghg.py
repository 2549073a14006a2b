"""Greenhouse-gas mitigation (GEF core indicator 6).

Grid emission factor: combined margin = w_OM × operating margin + w_BM × build margin,
with the weights as parameters (CDM Tool 07 sets them by technology and crediting
period). Lifetime direct tCO2e = energy saved or renewable electricity per year × factor ×
lifetime of the investment; direct post-project likewise for investments that financial
mechanisms set up by the project make after it ends; indirect from a replication factor
(bottom-up) or a technical potential and causality factor (top-down), as the GEF/STAP
manual for calculating GHG benefits describes. Nothing has a default: every number is an
input, so each run records where it came from.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from greenfolio.methods.base import MethodError, Outcome, Quantity


class GridFactorInputs(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True, allow_inf_nan=False)
    operating_margin: float = Field(ge=0, description="t CO2 per MWh")
    build_margin: float = Field(ge=0, description="t CO2 per MWh")
    weight_om: float = Field(ge=0, le=1)
    weight_bm: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _weights(self) -> GridFactorInputs:
        if abs(self.weight_om + self.weight_bm - 1.0) > 1e-9:
            raise ValueError(
                f"weights sum to {self.weight_om + self.weight_bm:g}, not 1 (w_OM + w_BM = 1)"
            )
        return self


def grid_factor(inputs: GridFactorInputs) -> Outcome:
    cm = inputs.weight_om * inputs.operating_margin + inputs.weight_bm * inputs.build_margin
    return Outcome(
        {"combined_margin": Quantity(cm, "tCO2e / MWh")},
        {"source": "CDM Methodological Tool 07, combined margin"},
    )


class MitigationInputs(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True, allow_inf_nan=False)
    energy_mwh_per_year: float = Field(ge=0, description="energy saved or generated, MWh/a")
    emission_factor: float = Field(ge=0, description="t CO2e per MWh")
    lifetime_years: float = Field(gt=0)
    post_project_mwh_per_year: float = Field(default=0, ge=0)
    post_project_lifetime_years: float = Field(default=0, ge=0)
    replication_factor: float | None = Field(default=None, ge=0)
    technical_potential_tco2e: float | None = Field(default=None, ge=0)
    causality_factor: float | None = Field(default=None, ge=0, le=1)
    factor_source: str = Field(min_length=1, description="where the emission factor comes from")


def mitigation(inputs: MitigationInputs) -> Outcome:
    direct = inputs.energy_mwh_per_year * inputs.emission_factor * inputs.lifetime_years
    post = (
        inputs.post_project_mwh_per_year
        * inputs.emission_factor
        * inputs.post_project_lifetime_years
    )
    quantities = {
        "direct": Quantity(direct, "tCO2e"),
        "direct_post_project": Quantity(post, "tCO2e"),
    }
    details: dict[str, object] = {"factor_source": inputs.factor_source}
    if inputs.replication_factor is not None:
        quantities["indirect_bottom_up"] = Quantity(
            (direct + post) * inputs.replication_factor, "tCO2e"
        )
    if (inputs.technical_potential_tco2e is None) != (inputs.causality_factor is None):
        raise MethodError(
            "a top-down indirect estimate needs both a technical potential and a causality factor"
        )
    if inputs.technical_potential_tco2e is not None and inputs.causality_factor is not None:
        quantities["indirect_top_down"] = Quantity(
            inputs.technical_potential_tco2e * inputs.causality_factor, "tCO2e"
        )
    return Outcome(quantities, details)
