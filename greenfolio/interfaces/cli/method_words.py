"""The English the command line prints for a calculation's outputs and details: "Releases
avoided to air" and "GWP basis: IPCC AR4", never ``avoided_air`` or ``gwp_basis: ar4``.
A run's stored outputs and --json keep the names for scripts.

The pages show a run's outputs as stored (JSON) and the catalogues have no words for
them yet, so the words live here, in English only, as the command line speaks. This
module imports nothing beyond the standard library and ``un_names`` (itself standard
library only): a calculator's command must start without PyYAML or babel
(benchmarks/cli_start.py).
"""

from __future__ import annotations

from typing import Any

_VECTORS = {
    "air": "to air",
    "water": "to water",
    "land": "to land",
    "product": "in products",
    "products": "in products",
    "residue": "in residues",
    "general_waste": "in general waste",
    "sector_treatment": "to sector-specific treatment",
}
"""Release vectors (Toolkit) and mercury pathways, as they follow "Releases"."""

OUTPUTS: dict[str, str] = {
    "value": "Quantity converted",
    "allowed": "Allowed",
    "excess": "Above the limits",
    "destroyed": "Destroyed or phased out",
    "safeguarded": "Safeguarded",
    "input_total": "Total mercury input",
    "mercury_use": "Mercury used",
    "combined_margin": "Combined margin",
    "direct": "Direct",
    "direct_post_project": "Direct post-project",
    "indirect_bottom_up": "Indirect (bottom-up)",
    "indirect_top_down": "Indirect (top-down)",
    **{f"release_{v}": f"Releases {w}" for v, w in _VECTORS.items() if v != "total"},
    **{f"avoided_{v}": f"Releases avoided {w}" for v, w in _VECTORS.items() if v != "total"},
    "release_total": "Total releases",
    "avoided_total": "Total releases avoided",
}
"""Every output a method returns (``greenfolio.methods``), by its name."""

DETAILS: dict[str, str] = {
    "substance": "Substance",
    "odp": "ODP",
    "gwp": "GWP",
    "gwp_basis": "GWP basis",
    "composition_table": "Composition from",
    "composition_note": "Composition note",
    "published_per_tonne": "Published per tonne",
    "party": "Party",
    "party_type": "Party type",
    "group": "Annex group",
    "baseline": "Baseline",
    "baseline_source": "Baseline source",
    "fraction_of_baseline": "Share of the baseline allowed",
    "step_start": "Control step in force since",
    "source": "Source",
    "control": "Control",
    "compliant": "Compliant",
    "factor_table": "Factor table",
    "factor_table_digest": "Factor table digest",
    "ratio": "Mercury used per gold produced (kg/kg)",
    "ratio_source": "Ratio source",
    "factor_source": "Emission factor source",
}
"""Every detail of one line a method returns, by its name."""

_VALUES: dict[str, dict[str, str]] = {
    "gwp_basis": {
        "ar4": "IPCC AR4, as the Montreal Protocol lists them (Kigali Amendment)",
        "ar5": "IPCC AR5",
        "ar6": "IPCC AR6",
        "mlf": "Multilateral Fund data convention",
    },
    "composition_table": {"ashrae": "ASHRAE 34", "mlf": "the MLF's reporting system"},
    "party_type": {
        "A5": "Article 5",
        "NA5": "non-Article 5",
        "A5G1": "Article 5, group 1",
        "A5G2": "Article 5, group 2",
        "NA5G1": "non-Article 5, group 1",
        "NA5G2": "non-Article 5, group 2",
    },
}
"""Coded values of a detail and their words."""


def _spelled(name: str) -> str:
    """A name without words here (a method added later) spelled out: "new_value" →
    "New value", so no underscore reaches a reader."""
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def output(name: str) -> str:
    """The words for the output ``name``."""
    return OUTPUTS.get(name) or _spelled(name)


def detail(name: str, value: Any) -> str:
    """The line for the detail ``name``: "GWP basis: IPCC AR4", "Party: Nigeria",
    "Compliant: no"."""
    if isinstance(value, bool):
        shown = "yes" if value else "no"
    elif name == "party" and isinstance(value, str):
        shown = _party(value)
    else:
        shown = _VALUES.get(name, {}).get(str(value), str(value))
    return f"{DETAILS.get(name) or _spelled(name)}: {shown}"


def _party(code: str) -> str:
    """A party's UN short name ("Nigeria"); a code the table lacks as given."""
    from greenfolio.domain.un_names import un_name

    found = un_name(code, "en")
    return found.table if found is not None else code
