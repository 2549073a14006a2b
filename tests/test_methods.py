"""The calculators against the worked examples of refdata/FACTS.md ([D] and [E] only)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from greenfolio.domain.errors import ValidationError
from greenfolio.methods import ghg, montreal, upops
from greenfolio.methods.base import MethodError
from greenfolio.methods.montreal import ConvertInputs, GwpBasis, LimitInputs, Measure
from greenfolio.methods.registry import METHODS
from greenfolio.refdata import factor_tables
from greenfolio.refdata import montreal_tables as ref


def _convert(
    quantity: float, substance: str, to: str, gwp: str = "ar4", measure: str = "t"
) -> float:
    out = montreal.convert(
        ConvertInputs(quantity=quantity, substance=substance, to=to, gwp=gwp, measure=measure)
    )
    return out.quantities["value"].value


@pytest.mark.parametrize(
    ("quantity", "substance", "to", "gwp", "expected"),
    [
        (100, "HCFC-22", "odp", "ar4", 5.5),
        (100, "HCFC-141b", "odp", "ar4", 11.0),
        (100, "HCFC-22", "co2e", "ar4", 181_000),
        (10, "HFC-134a", "co2e", "ar4", 14_300),
        (1, "R-410A", "co2e", "ar4", 2087.5),
        (1, "R-404A", "co2e", "ar4", 3921.6),
        (1, "R-407C", "co2e", "ar4", 1773.85),
        (1, "R-502", "odp", "ar4", 0.33404),
        (1, "R-406A", "odp", "ar4", 0.0569),
        (1, "R-406A", "co2e", "mlf", 0.0),
        (1, "R-401A", "co2e", "mlf", 16.12),
        (1, "R-502", "co2e", "mlf", 4656.72),
        (1, "R-410A", "co2e", "ar5", 1923.5),
        (1, "R-410A", "co2e", "ar6", 2255.5),
    ],
)
def test_montreal_worked_examples(
    quantity: float, substance: str, to: str, gwp: str, expected: float
) -> None:
    assert _convert(quantity, substance, to, gwp) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(
    ("year", "allowed"),
    [(2015, 310.392), (2020, 224.172), (2025, 112.086), (2030, 8.622), (2040, 0.0)],
)
def test_nigeria_hcfc_limits(year: int, allowed: float) -> None:
    out = montreal.limits(LimitInputs(party="NGA", group="C/I", year=year, baseline=344.88))
    assert out.quantities["allowed"].value == pytest.approx(allowed)
    assert out.details["party_type"] == ("A5" if year < 2019 else "A5G1")


def test_packaged_baselines_and_hfc_share() -> None:
    nga = ref.hcfc_baselines()["NGA"]
    assert nga.odp_tonnes == 344.88
    assert nga.co2e_tonnes is not None
    assert 0.65 * nga.co2e_tonnes == pytest.approx(5_729_100.65)
    assert {p: ref.hcfc_baselines()[p].odp_tonnes for p in ("CHN", "IND", "EGY", "VNM")} == {
        "CHN": 19269.0,
        "IND": 1608.2,
        "EGY": 386.3,
        "VNM": 221.2,
    }
    default = montreal.limits(LimitInputs(party="NGA", group="C/I", year=2025))
    assert default.quantities["allowed"].value == pytest.approx(112.086)


def test_hfc_groups_follow_kigali() -> None:
    assert montreal.party_type("IND", 2030) == "A5G2"
    assert montreal.party_type("RUS", 2030) == "NA5G2"
    india = montreal.limits(LimitInputs(party="IND", group="F", year=2032, baseline=1000))
    assert india.quantities["allowed"].value == pytest.approx(900)
    russia_2024 = montreal.limits(LimitInputs(party="RUS", group="F", year=2024, baseline=100))
    assert russia_2024.quantities["allowed"].value == pytest.approx(95)
    before = montreal.limits(LimitInputs(party="NGA", group="F", year=2022, baseline=100))
    assert "allowed" not in before.quantities


def test_compliance_series() -> None:
    out = montreal.compliance(
        montreal.ComplianceInputs(
            party="NGA", group="C/I", baseline=344.88, series={2019: 300, 2020: 230, 2021: 200}
        )
    )
    years = {y["year"]: y for y in out.details["years"]}
    assert years[2019]["compliant"] and not years[2020]["compliant"]
    assert years[2020]["excess"] == pytest.approx(230 - 224.172)
    assert out.details["compliant"] is False


def test_unknown_substance_suggests_names() -> None:
    with pytest.raises(MethodError, match=r"unknown substance or blend 'HCFC-22b'.*HCFC-22"):
        montreal.resolve("HCFC-22b")


def test_blend_that_does_not_sum_to_100_is_refused() -> None:
    with pytest.raises(MethodError, match="sums to 95 %"):
        montreal.resolve("my blend", {"HFC-32": 50, "HFC-125": 45})
    custom = montreal.resolve("my blend", {"HFC-32": 50, "HFC-125": 50})
    assert custom.gwp(GwpBasis.AR4)[0] == pytest.approx(2087.5)


def test_upops_toolkit_examples() -> None:
    run = upops.releases(
        upops.ReleaseInputs.model_validate({"category": "1c", "class": "1", "activity_t": 100})
    )
    assert run.quantities["release_air"].value == pytest.approx(4.0)
    assert run.quantities["release_residue"].value == pytest.approx(0.02)
    best = upops.releases(
        upops.ReleaseInputs.model_validate({"category": "1c", "class": "4", "activity_t": 100})
    )
    assert best.quantities["release_air"].value == pytest.approx(0.0001)
    assert best.quantities["release_residue"].value == pytest.approx(0.015)
    saved = upops.avoided(
        upops.AvoidedInputs(category="1c", class_before="1", class_after="4", activity_t=100)
    )
    assert saved.quantities["avoided_air"].value == pytest.approx(3.9999)
    burning = upops.releases(
        upops.ReleaseInputs.model_validate({"category": "6b", "class": "3", "activity_t": 1000})
    )
    assert burning.quantities["release_air"].value == pytest.approx(0.040)
    assert burning.quantities["release_land"].value == pytest.approx(0.001)


def test_factor_row_without_source_is_refused() -> None:
    lines = ["category,class,vector,factor,unit,source\n", "1a,1,air,3500,ug_TEQ_per_t,\n"]
    with pytest.raises(ValidationError, match="row 2: the factor has no source"):
        factor_tables.parse(lines, "mine.csv")


def test_every_packaged_factor_names_its_source() -> None:
    table = factor_tables.packaged_toolkit()
    assert table.factors and all(f.source for f in table.factors)
    assert all(s.source for s in ref.substances().values())
    assert all(step.source for step in ref.control_steps())


def test_stockpile_ledger() -> None:
    out = upops.stockpile(
        upops.StockpileInputs.model_validate(
            {
                "entries": [
                    {"pops_type": "PCB", "fate": "destroyed", "tonnes": 100},
                    {"pops_type": "DDT", "fate": "destroyed", "tonnes": 20},
                    {"pops_type": "PCB", "fate": "safeguarded", "tonnes": 7},
                ]
            }
        )
    )
    assert out.quantities["destroyed"].value == 120
    assert out.details["by_type"]["PCB"] == {"destroyed": 100, "safeguarded": 7}
    with pytest.raises(MethodError, match="fate 'buried'"):
        upops.stockpile(
            upops.StockpileInputs.model_validate(
                {"entries": [{"pops_type": "PCB", "fate": "buried", "tonnes": 1}]}
            )
        )


def test_ghg_examples() -> None:
    out = ghg.mitigation(
        ghg.MitigationInputs(
            energy_mwh_per_year=1000, emission_factor=0.6, lifetime_years=10, factor_source="test"
        )
    )
    assert out.quantities["direct"].value == pytest.approx(6000)
    solar = ghg.grid_factor(
        ghg.GridFactorInputs(operating_margin=0.8, build_margin=0.6, weight_om=0.75, weight_bm=0.25)
    )
    other = ghg.grid_factor(
        ghg.GridFactorInputs(operating_margin=0.8, build_margin=0.6, weight_om=0.5, weight_bm=0.5)
    )
    assert solar.quantities["combined_margin"].value == pytest.approx(0.75)
    assert other.quantities["combined_margin"].value == pytest.approx(0.70)


def test_mercury_inventory_checks_its_factors() -> None:
    method = METHODS["minamata.inventory"]
    factors = [
        {
            "category": "coal",
            "input_g_per_unit": 2.0,
            "source": "my survey 2024",
            "distribution": {"air": 0.9, "sector_treatment": 0.1},
        }
    ]
    _, out = method.run({"factors": factors, "activities": [{"category": "coal", "amount": 500}]})
    assert out.quantities["input_total"].value == pytest.approx(1.0)
    assert out.quantities["release_air"].value == pytest.approx(0.9)
    factors[0]["distribution"] = {"air": 0.9}
    with pytest.raises(MethodError, match=r"sum to 0\.9, not 1"):
        method.run({"factors": factors, "activities": []})


SUBSTANCES = st.sampled_from(["HCFC-22", "HCFC-141b", "HFC-134a", "R-410A", "R-404A", "R-502"])
QUANTITY = st.floats(min_value=0.001, max_value=1e7, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(QUANTITY, SUBSTANCES, st.sampled_from(["odp", "co2e"]))
def test_conversions_round_trip(quantity: float, substance: str, to: str) -> None:
    agent = montreal.resolve(substance)
    if to == "odp" and agent.odp() == 0:
        return
    there = _convert(quantity, substance, to)
    back = _convert(there, substance, "t", measure=to)
    assert back == pytest.approx(quantity, rel=1e-9)


@settings(max_examples=60, deadline=None)
@given(QUANTITY, st.floats(min_value=0.01, max_value=100), SUBSTANCES)
def test_conversions_are_linear(quantity: float, k: float, substance: str) -> None:
    for to in ("odp", "co2e"):
        assert _convert(quantity * k, substance, to) == pytest.approx(
            k * _convert(quantity, substance, to), rel=1e-9, abs=1e-9
        )


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(sorted(ref.blend_names())), QUANTITY)
def test_blends_are_additive_over_components(blend: str, quantity: float) -> None:
    agent = montreal.resolve(blend)
    total = _convert(quantity, blend, "odp")
    parts = sum(
        quantity * c.fraction * (c.substance.odp if c.substance else 0) for c in agent.components
    )
    assert total == pytest.approx(parts, rel=1e-9, abs=1e-12)


@settings(max_examples=80, deadline=None)
@given(
    st.sampled_from(sorted(ref.parties())),
    st.sampled_from(["A/I", "B/II", "C/I", "E/I", "F"]),
    st.integers(min_value=1990, max_value=2060),
    st.sampled_from(["consumption", "production"]),
)
def test_allowed_consumption_never_rises(party: str, group: str, year: int, limit: str) -> None:
    def allowed(y: int) -> float:
        out = montreal.limits(
            LimitInputs(party=party, group=group, year=y, baseline=1000, limit=limit)
        )
        q = out.quantities.get("allowed")
        return q.value if q else float("inf")

    assert allowed(year + 1) <= allowed(year) + 1e-9


def test_measure_enum_covers_the_cli() -> None:
    assert {m.value for m in Measure} == {"t", "odp", "co2e"}
