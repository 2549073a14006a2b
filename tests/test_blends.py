"""Blends the MLF and Ozone Secretariat reporting systems list, against the values they publish.

Expected values are copied from the published tables, not computed here:
- MLF: multilateralfund/ors f3a57a1b092f2d42b13c5ed86e366091472eefce,
  core/import_data/resources/blends.json, fields ``odp`` and ``gwp`` (per tonne; its CO2-eq
  counts a blend's HFC share unless the blend is made of controlled ODS alone);
- Ozone Secretariat: mutisyag/ozone a61d1ed9be52f9e7b22c02879c954f128a3ce0d4,
  data/fixtures/blends.json, fields ``odp`` and ``gwp`` (the Kigali AR4 GWPs of every
  controlled component).
"""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from greenfolio.interfaces.cli.app import app
from greenfolio.methods import montreal
from greenfolio.methods.base import MethodError, Outcome
from greenfolio.methods.montreal import CompositionSource, ConvertInputs, GwpBasis
from greenfolio.refdata import montreal_tables as ref

runner = CliRunner()

# (blend, MLF odp, MLF gwp, Ozone Secretariat gwp or None where it does not list the blend)
PUBLISHED = [
    ("R-427B", 0.0, 2381.99, None),
    ("R-427C", 0.0, 2062.75, None),
    ("R-448B", 0.0, 1320.05, None),
    ("R-457B", 0.0, 248.65, None),
    ("R-466A", 0.0, 733.25, None),
    ("R-467A", 0.0, 1358.82, None),
    ("R-468A", 0.0, 145.125, None),
    ("R-468B", 0.0, 87.75, None),
    ("R-468C", 0.0, 283.5, None),
    ("R-469A", 0.0, 1356.875, None),
    ("R-470A", 0.0, 976.45, None),
    ("R-470B", 0.0, 748.425, None),
    ("R-471A", 0.0, 138.46, None),
    ("R-472A", 0.0, 352.7, None),
    ("R-472B", 0.0, 525.1, None),
    ("R-473A", 0.0, 1830.0, None),
    ("R-475A", 0.0, 614.9, None),
    ("R-507C", 0.0, 3985.0, None),
    ("R-509", 0.0253, 0.0, 832.6),
    ("R-515B", 0.0, 286.58, None),
    ("FX20", 0.03025, 1575.0, 2570.5),
    ("FX55", 0.059, 2010.0, 2010.0),
    ("D136", 0.03784, 0.0, 1191.23),
    ("FRIGC", 0.00858, 843.7, 1081.21),
    ("Free Zone", 0.01235, 1129.7, 1568.6),
    ("GHG-X5", 0.0323, 1288.0, 2376.6),
    ("NARM-502", 0.0495, 746.2, 2375.2),
    ("NASF-S-III", 0.04814, 0.0, 1545.7125),
    ("Daikin Blend", 0.0154, 485.0, 911.3),
    ("MeBr-w-ClPic-67-33", 0.402, 0.0, 0.0),
    ("MeBr-w-ClPic-98-2", 0.588, 0.0, 0.0),
]


def _per_tonne(substance: str, to: str, gwp: str = "ar4", **extra: object) -> Outcome:
    return montreal.convert(
        ConvertInputs.model_validate(
            {"quantity": 1, "substance": substance, "to": to, "gwp": gwp, **extra}
        )
    )


def _value(substance: str, to: str, gwp: str = "ar4", **extra: object) -> float:
    return float(_per_tonne(substance, to, gwp, **extra).quantities["value"].value)


@pytest.mark.parametrize(("blend", "odp", "mlf_co2e", "ozone_co2e"), PUBLISHED)
def test_named_blends_give_the_published_odp_and_co2e(
    blend: str, odp: float, mlf_co2e: float, ozone_co2e: float | None
) -> None:
    assert _value(blend, "odp") == pytest.approx(odp, rel=1e-9, abs=1e-12)
    assert _value(blend, "co2e", "mlf") == pytest.approx(mlf_co2e, rel=1e-9, abs=1e-9)
    # The Protocol's CO2-eq (Kigali AR4 GWPs of every controlled component): the Ozone
    # Secretariat's figure; for blends it does not list, the MLF's (no HCFC in them).
    protocol = ozone_co2e if ozone_co2e is not None else mlf_co2e
    assert _value(blend, "co2e", "ar4") == pytest.approx(protocol, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize(
    ("typed", "blend"),
    [
        ("R448B", "R-448B"),
        ("r-448b", "R-448B"),
        ("448B", "R-448B"),
        ("FX-20", "FX20"),
        ("fx20", "FX20"),
        ("free zone", "Free Zone"),
        ("FREE-ZONE", "Free Zone"),
        ("daikin blend", "Daikin Blend"),
        ("NASF S III", "NASF-S-III"),
        ("MeBr-w-ClPic-67", "MeBr-w-ClPic-67-33"),  # the Ozone Secretariat's name
        ("Solstice N-40", "R-448A"),  # an MLF trade name
        ("R-400**", "R-400**"),
        ("R-400*", "R-400*"),
    ],
)
def test_names_resolve_whatever_their_spelling(typed: str, blend: str) -> None:
    assert montreal.resolve(typed).name == blend


def test_mlf_stars_keep_two_r400_compositions_apart() -> None:
    assert _value("R-400*", "co2e", "mlf") == pytest.approx(10450.0)
    assert _value("R-400**", "co2e", "mlf") == pytest.approx(10540.0)


@pytest.mark.parametrize(
    ("blend", "mlf_co2e"),
    [("R-409A", 1584.75), ("FX55", 2010.0), ("R-406A", 0.0), ("R-401A", 16.12), ("R-502", 4656.72)],
)
def test_mlf_convention_counts_all_components_of_ods_only_blends(
    blend: str, mlf_co2e: float
) -> None:
    assert _value(blend, "co2e", "mlf", composition_source="mlf") == pytest.approx(mlf_co2e)


def test_r506_uses_ashrae_by_default_and_offers_the_mlf_rounding() -> None:
    ashrae = _per_tonne("R-506", "odp")
    assert ashrae.quantities["value"].value == pytest.approx(0.551 * 0.02 + 0.449 * 1.0)
    assert ashrae.details["composition_table"] == "ashrae"
    note = str(ashrae.details["composition_note"])
    assert "CFC-114 45 %, HCFC-31 55 %" in note and "--composition-source mlf" in note
    mlf = _per_tonne("R-506", "odp", composition_source="mlf")
    assert mlf.quantities["value"].value == pytest.approx(0.461)  # MLF and Ozone: 0.461
    assert _value("R-506", "co2e", "ar4", composition_source="mlf") == pytest.approx(4500.0)
    assert "HCFC-31 55.1 %, CFC-114 44.9 %" in str(mlf.details["composition_note"])
    published = {p["system"]: p for p in mlf.details["published"]}
    assert published["mlf"]["odp"] == 0.461 and published["ozone"]["co2e"] == 4500.0


def test_ashrae_r500_counts_hfc_152a_as_both_reporting_systems_do() -> None:
    # openscm-units 0.6.3 names HFC-152 in R-500; the Ozone Secretariat publishes 8076.688.
    assert _value("R-500", "co2e") == pytest.approx(8076.688)
    assert _value("R-405A", "odp") == pytest.approx(0.028325)  # MLF's published ODP


def test_non_controlled_components_count_zero_but_carry_ipcc_gwps() -> None:
    out = _per_tonne("R-469A", "co2e", "ar5")
    # AR5: HFC-32 677, HFC-125 3170, CO2 1 by definition
    assert out.quantities["value"].value == pytest.approx(0.325 * 677 + 0.325 * 3170 + 0.35)
    assert out.details["components_without_gwp"] == []
    parts = {c["name"]: c for c in out.details["components"]}
    assert parts["R-744"]["controlled"] is False
    assert _value("R-469A", "co2e") == pytest.approx(0.325 * 675 + 0.325 * 3500)
    # AR6 (Table 7.SM.7): the HFOs carry their own small GWPs, HFO-1234yf 0.501 and
    # HFO-1234ze(E) 1.37, beside HFC-32 771, HFC-125 3740 and HFC-134a 1530
    hfo = _per_tonne("R-448B", "co2e", "ar6")
    assert hfo.details["components_without_gwp"] == []
    assert hfo.quantities["value"].value == pytest.approx(
        0.21 * 771 + 0.21 * 3740 + 0.31 * 1530 + 0.20 * 0.501 + 0.07 * 1.37
    )
    pfc = _per_tonne("R-509", "co2e", "ar6")
    assert pfc.quantities["value"].value == pytest.approx(0.46 * 1960 + 0.54 * 9290)
    iodide = _per_tonne("R-466A", "co2e", "ar5")
    assert iodide.details["components_without_gwp"] == ["IFC-13I1"]


def test_unknown_blend_offers_the_nearest_names() -> None:
    with pytest.raises(MethodError, match=r"unknown substance or blend 'R-448Z'.*R-448B"):
        montreal.resolve("R-448Z")
    with pytest.raises(MethodError, match=r"did you mean.*Free Zone"):
        montreal.resolve("Freezone X")
    with pytest.raises(MethodError, match=r"several blends \(R-507A, R-507C\)"):
        montreal.resolve("AZ-50")


def test_user_composition() -> None:
    own = montreal.resolve("my blend", {"HFC-32": 50, "HFO-1234yf": 50})
    assert own.odp() == 0 and own.gwp(GwpBasis.AR4)[0] == pytest.approx(337.5)
    assert own.sources == ("composition given by the user",)
    ods = montreal.resolve("Other mixture (ODS only)", {"HCFC-22": 60, "HC-600a": 40})
    assert ods.odp() == pytest.approx(0.033)
    ashrae_numbers = montreal.resolve("mine", {"R-32": 50, "R-1234yf": 40, "R-22": 10})
    assert [c.name for c in ashrae_numbers.components] == ["HFC-32", "HFO-1234yf", "HCFC-22"]
    assert ashrae_numbers.odp() == pytest.approx(0.0055)
    with pytest.raises(MethodError, match="HFC-32 appears twice"):
        montreal.resolve("my blend", {"HFC-32": 50, "R-32": 50})
    with pytest.raises(MethodError, match=r"sums to 99\.9 %, not 100 %"):
        montreal.resolve("my blend", {"HFC-32": 49.9, "HFC-125": 50})
    with pytest.raises(MethodError, match=r"sums to 100\.5 %"):
        montreal.resolve("my blend", {"HFC-32": 50.5, "HFC-125": 50})
    with pytest.raises(MethodError, match=r"unknown component 'HFC-3'.*HFC-32"):
        montreal.resolve("my blend", {"HFC-3": 50, "HFC-125": 50})
    with pytest.raises(MethodError, match="negative"):
        montreal.resolve("my blend", {"HFC-32": 110, "HFC-125": -10})
    with pytest.raises(MethodError, match=r"no composition of its own.*--composition"):
        montreal.resolve("Other mixture (HFC only)")
    with pytest.raises(MethodError, match="may hold no ozone-depleting substance"):
        montreal.resolve("Other mixture (HFC only)", {"HCFC-22": 50, "HFC-32": 50})


def _cli(*args: str) -> tuple[int, str]:
    out = runner.invoke(app, ["methods", "montreal", "convert", *args])
    return out.exit_code, out.output


def test_cli_convert_blends_and_compositions() -> None:
    code, text = _cli("2", "t", "R-506", "--to", "odp", "--composition-source", "mlf", "--json")
    assert code == 0, text
    run = json.loads(text)
    assert run["outputs"]["quantities"]["value"]["value"] == pytest.approx(0.922)
    assert run["outputs"]["details"]["composition_table"] == "mlf"
    code, text = _cli("1", "t", "mine", "--to", "co2e", "--composition", "HFC-32=50,HFC-125=50")
    assert code == 0 and "2,087.5" in text
    code, text = _cli("1", "t", "mine", "--to", "co2e", "--composition", "HFC-32=50,HFC-125=40")
    assert code == 2 and "sums to 90 %, not 100 %" in text
    code, text = _cli("1", "t", "mine", "--to", "co2e", "--composition", "HFC-32=50,XYZ-1=50")
    assert code == 2 and "unknown component 'XYZ-1'" in text
    code, text = _cli("1", "t", "R-506", "--to", "odp", "--composition-source", "iso")
    assert code == 2 and "use ashrae or mlf" in text
    code, text = _cli("1", "t", "FX-20", "--to", "co2e", "--gwp", "mlf")
    assert code == 0 and "1,575" in text and "Ozone Secretariat" in text


def test_every_published_mlf_odp_is_reproduced() -> None:
    """The whole MLF table (custom mixtures included) through the package's own tables."""
    checked = 0
    for blend in ref.blend_names():
        for pub in ref.published(blend):
            if pub.system != "mlf" or pub.odp is None:
                continue
            agent = montreal.resolve(blend, source=CompositionSource.MLF)
            assert agent.odp() == pytest.approx(pub.odp, rel=1e-6, abs=1e-9), blend
            if blend != "CustMix-334":  # MLF publishes 500 for 0.35 x 1430 = 500.5
                mlf = agent.gwp(GwpBasis.MLF)[0]
                assert mlf == pytest.approx(pub.co2e, rel=1e-6, abs=1e-6), blend
            checked += 1
    assert checked > 380


def test_both_systems_published_values_are_shown_under_the_mlf_name() -> None:
    out = _per_tonne("MeBr-w-ClPic-67", "odp")
    assert out.details["substance"] == "MeBr-w-ClPic-67-33"
    published = {p["system"]: p["odp"] for p in out.details["published"]}
    assert published == {"mlf": 0.402, "ozone": 0.402}
    assert "Ozone Secretariat reporting system: ODP 0.402" in str(
        out.details["published_per_tonne"]
    )


def test_a_listed_non_controlled_substance_converts_alone_and_its_missing_gwp_is_said() -> None:
    """A newcomer's findings: "HFO-1234yf" alone was an unknown substance though a
    composition takes it; and with AR6 it counted zero in a blend, said only in --json."""
    runner = CliRunner()
    done = runner.invoke(app, ["methods", "montreal", "convert", "1", "t", "HFO-1234yf",
                               "--to", "odp"])  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "Substance: HFO-1234yf" in done.output and "ODP: 0" in done.output
    blend = runner.invoke(app, ["methods", "montreal", "convert", "1", "t", "Other mixture",
                                "--composition", "HFC-32=50,HC-600a=50", "--to", "co2e",
                                "--gwp", "ar6"])  # fmt: skip
    assert blend.exit_code == 0, blend.output
    assert (
        "Counted as zero, with no GWP in this basis (IPCC AR6) in the reference data: HC-600a"
    ) in blend.output


# IPCC AR6 WG1 Table 7.SM.7 GWP-100 (chrisroadmap/ar6 data_output/7sm at 24f2792), where
# globalwarmingpotentials 0.13.2 has none
@pytest.mark.parametrize(
    ("substance", "gwp"),
    [("HFO-1234yf", 0.501), ("R-1234yf", 0.501), ("HFO-1234ze(E)", 1.37),
     ("HFO-1336mzz(Z)", 2.08), ("HFO-1233zd(E)", 3.88), ("HC-290", 0.02), ("R-290", 0.02),
     ("HC-600", 0.006), ("HC-170", 0.437), ("HCFC-31", 79.4), ("HFE-254cb2", 328.0),
     ("HCFC-133a", 388.0), ("CFC-113a", 3930.0), ("Bromochloromethane", 4.74),
     ("HFE-449sl", 460.0), ("Hexafluoropropene", 0.09), ("Heptafluorocyclopentane", 231.0),
     # the AR6 table's own names resolve too
     ("Propane", 0.02), ("HCFO-1233zd(E)", 3.88), ("HFE-254cb1", 328.0), ("HFIP", 206.0)],
)  # fmt: skip
def test_hfos_and_hydrocarbons_carry_their_ar6_gwp(substance: str, gwp: float) -> None:
    """Issue 14: components the Protocol does not control carry their IPCC GWP for AR6."""
    out = _per_tonne(substance, "co2e", "ar6")
    assert out.quantities["value"].value == pytest.approx(gwp)
    assert any("Table 7.SM.7" in source for source in out.details["sources"])


def test_a_run_names_every_source_its_gwps_came_from() -> None:
    """A methods expert's finding: R-32 at AR6 named no IPCC source, R-506 at AR6 named
    the AR6 table (for HCFC-31) and not the package that gave CFC-114's 9,430."""

    def sources(blend: str, basis: str) -> str:
        return " | ".join(_per_tonne(blend, "co2e", basis).details["sources"])

    assert "IPCC AR6 GWP-100 via globalwarmingpotentials" in sources("R-32", "ar6")
    assert "7.SM.7" not in sources("R-410A", "ar6")
    both = sources("R-506", "ar6")
    assert "7.SM.7" in both and "IPCC AR6 GWP-100 via globalwarmingpotentials" in both
    assert "IPCC AR5 GWP-100" in sources("R-448A", "ar5")
    kigali = sources("R-448B", "ar4")
    assert "Kigali" in kigali and "7.SM.7" not in kigali and "GWP-100 via" not in kigali


def test_blends_of_the_mlf_data_count_their_ar6_components() -> None:
    """CustMix-334 is 65 % methyl nonafluorobutyl ether (HFE-7100, HFE-449s1 in Table
    7.SM.7: 460) and 35 % HFC-134a (1530): 834.5, not 535.5 with the ether at zero."""
    out = _per_tonne("CustMix-334", "co2e", "ar6")
    assert out.quantities["value"].value == pytest.approx(0.65 * 460 + 0.35 * 1530)
    assert out.details["components_without_gwp"] == []


def test_a_component_with_no_ar5_gwp_points_to_ar6() -> None:
    """AR5's table gives HFOs as "<1", with no number: the reference data has none, and the
    refusal names the basis that has one."""
    with pytest.raises(MethodError, match=r"HFO-1234yf has no IPCC AR5 GWP.*choose --gwp ar6"):
        _per_tonne("HFO-1234yf", "co2e", "ar5")
    with pytest.raises(MethodError, match=r"HC-600a has no IPCC AR6 GWP.*no other basis"):
        _per_tonne("HC-600a", "co2e", "ar6")


# ODP of the annexes (multilateralfund/ors substances.json as in refdata/montreal/substances.csv)
@pytest.mark.parametrize(
    ("substance", "odp"),
    [("Methyl Bromide", 0.6), ("Carbon Tetrachloride", 1.1), ("HALON-1211", 3.0),
     ("Bromochloromethane", 0.12), ("HBFC-22 B1", 0.74)],
)  # fmt: skip
@pytest.mark.parametrize("gwp", ["ar4", "ar5", "ar6", "mlf"])
def test_an_odp_conversion_needs_no_gwp(substance: str, odp: float, gwp: str) -> None:
    """A methods expert's finding: 83 controlled substances could not be converted to ODP
    tonnes, because the conversion asked for a GWP the Protocol does not list."""
    out = _per_tonne(substance, "odp", gwp)
    assert out.quantities["value"].value == pytest.approx(odp)
    assert "gwp" not in out.details or gwp in ("ar5", "ar6")


def test_ipcc_gwps_of_substances_the_ipcc_tables_name_by_formula() -> None:
    """globalwarmingpotentials 0.13.2 (AR5GWP100, AR6GWP100) names CCl4, CH3Br and CH3CCl3
    by formula: CCl4 1730 and 2200, CH3Br 2 and 2.43, CH3CCl3 160 and 161."""
    assert _value("Carbon Tetrachloride", "co2e", "ar5") == pytest.approx(1730)
    assert _value("Carbon Tetrachloride", "co2e", "ar6") == pytest.approx(2200)
    assert _value("Methyl Bromide", "co2e", "ar5") == pytest.approx(2)
    assert _value("1,1,1-trichloroethane (methyl chloroform)", "co2e", "ar6") == pytest.approx(161)
    # methyl bromide with chloropicrin (98/2): the bromide's share carries its AR6 GWP
    mix = _per_tonne("MeBr-w-ClPic-98-2", "co2e", "ar6")
    assert mix.quantities["value"].value == pytest.approx(0.98 * 2.43)
    assert mix.details["components_without_gwp"] == ["Chloropicrin"]


def test_the_protocols_values_name_what_they_count_as_zero() -> None:
    """R-509 (HCFC-22/PFC-218): under the Protocol's values PFC-218, not controlled, counts
    zero (the Ozone Secretariat publishes 832.6) and is named, not left out unsaid."""
    out = _per_tonne("R-509", "co2e")
    assert out.quantities["value"].value == pytest.approx(832.6)
    assert out.details["components_without_gwp"] == ["PFC-218"]
    with pytest.raises(MethodError, match=r"Methyl Bromide is controlled, but the Protocol lists "
                       r"no GWP for it.*choose --gwp ar5 or ar6"):  # fmt: skip
        _per_tonne("Methyl Bromide", "co2e")
    with pytest.raises(MethodError, match=r"HFO-1234yf is not controlled.*choose --gwp ar6"):
        _per_tonne("HFO-1234yf", "co2e")
    said = runner.invoke(app, ["methods", "montreal", "convert", "1", "t", "R-509",
                               "--to", "co2e"])  # fmt: skip
    assert said.exit_code == 0, said.output
    assert "GWP basis: IPCC AR4, as the Montreal Protocol lists them" in said.output
    assert "Counted as zero, as the Montreal Protocol gives them no GWP" in said.output
    assert "PFC-218" in said.output


def test_a_listed_blend_keeps_its_published_composition() -> None:
    with pytest.raises(MethodError, match=r"R-410A is listed with its own composition"):
        montreal.resolve("R-410A", {"HFC-32": 60, "HFC-125": 40})
    with pytest.raises(MethodError, match=r"HCFC-22 is listed with its own composition"):
        montreal.resolve("R22", {"HCFC-22": 100})


def test_an_other_mixture_of_the_wrong_kind_names_the_components_that_do_not_belong() -> None:
    with pytest.raises(MethodError, match=r"may hold no ozone-depleting substance, and this "
                       r"composition holds HCFC-22"):  # fmt: skip
        montreal.resolve("Other mixture (HFC only)", {"HFC-32": 50, "HCFC-22": 50})
    with pytest.raises(MethodError, match=r"\(ODS only\) may hold no HFC, and this composition "
                       r"holds HFC-32"):  # fmt: skip
        montreal.resolve("Other mixture (ODS only)", {"HFC-32": 50, "HCFC-22": 50})
    with pytest.raises(MethodError, match=r"must hold an HFC, and this composition holds none"):
        montreal.resolve("Other mixture (HFC only)", {"HFO-1234yf": 50, "HC-290": 50})


def test_compositions_as_the_mlf_writes_them_and_repeated_components() -> None:
    base = ["methods", "montreal", "convert", "1", "t", "Other mixture (HFC only)", "--to", "co2e"]
    done = runner.invoke(app, [*base, "--composition", "HFC-32=50%;HFC-125=50%", "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["outputs"]["quantities"]["value"]["value"] == pytest.approx(
        0.5 * 675 + 0.5 * 3500
    )
    twice = runner.invoke(app, [*base, "--composition", "HFC-32=50,HFC-32=50"])
    assert twice.exit_code != 0 and "HFC-32 is given twice; give it once" in twice.output
    wrong = runner.invoke(app, [*base, "--composition", "HFC-32:50"])
    assert "takes NAME=NUMBER pairs, e.g. 'HFC-32=50,HFC-125=50'" in wrong.output
    kg = runner.invoke(app, ["methods", "montreal", "convert", "1", "t", "HCFC-22", "--to", "kg"])
    assert kg.exit_code != 0 and "unknown target 'kg': use t, odp or co2e" in kg.output


def test_the_mlf_convention_names_what_it_leaves_out_and_formulas_are_names() -> None:
    """A methods expert's findings: under --gwp mlf R-509 gave 0 with nothing said of its
    HCFC-22 and PFC-218; "CCl4" and "CH3Br" were unknown; "--gwp AR6" was refused."""
    mlf = _per_tonne("R-509", "co2e", "mlf")
    assert mlf.quantities["value"].value == 0  # the MLF publishes 0 for R-509
    assert mlf.details["components_not_counted"] == ["HCFC-22", "PFC-218"]
    assert "components_not_counted" not in _per_tonne("R-509", "co2e").details
    said = runner.invoke(app, ["methods", "montreal", "convert", "1", "t", "R-509", "--to",
                               "co2e", "--gwp", "MLF"])  # fmt: skip
    assert said.exit_code == 0, said.output
    assert "Not counted under the MLF convention" in said.output
    assert "HCFC-22, PFC-218" in said.output
    assert montreal.resolve("CCl4").name == "Carbon Tetrachloride"
    assert montreal.resolve("CH3Br").name == "Methyl Bromide"
    assert _value("CH3Br", "odp") == pytest.approx(0.6)


def test_isomer_letters_are_written_as_the_annexes_write_them() -> None:
    """A methods expert's finding: the MLF's data writes HCFC-141B and HCFC-142B; the
    Protocol's annexes (and every Board document) write HCFC-141b and HCFC-142b."""
    out = _per_tonne("HCFC-141B", "odp")
    assert out.details["substance"] == "HCFC-141b"
    names = {c["name"] for c in _per_tonne("R-406A", "odp").details["components"]}
    assert "HCFC-142b" in names
    capitals = re.compile(r"^H?C?FC-\d+[A-Z]+$")
    assert not [s for s in ref.substances().values() if capitals.match(s.name)]


def test_published_values_this_composition_does_not_reproduce_are_said() -> None:
    """R-405A: the Ozone Secretariat publishes ODP 0.02865 and 961.16 t CO2-eq; the
    composition both systems list gives 0.028325 and 950.23. R-410A reproduces both."""
    text = _per_tonne("R-405A", "odp").details["published_per_tonne"]
    assert "(--gwp ar4; this composition gives ODP 0.028325, CO2-eq 950.23)" in text
    # every decimal a value has: 1495.125, not 1495.12 (six significant figures)
    said = _per_tonne("R-407H", "co2e").details["published_per_tonne"]
    assert "MLF reporting system: ODP 0, CO2-eq 1495.125 (--gwp mlf)" in said
    assert "this composition" not in _per_tonne("R-410A", "odp").details["published_per_tonne"]
