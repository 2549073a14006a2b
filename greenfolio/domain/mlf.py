"""The Multilateral Fund's Annual Progress Report (APR) layout, and how it maps onto ours.

The APR names countries by the Fund's own three-letter codes, the prefix of every
project code (``KAM/SEV/80/INS/30`` is a Cambodian project); many differ from ISO
3166-1 (``KAM``, ``ZAM``) and a few collide with another country's ISO code (``MAR``
is Mauritius here, Morocco in ISO), so they are never looked up as ISO codes. The table
maps each code met in the Fund's progress reports to ISO 3166-1 alpha-3; for each code
of the 2024 sample whose rows name the country in their remarks, the mapping was checked
against that name.

Quantities "to be phased out" are the project's targets, "phased out" its actuals.
The APR's "ODP/MT" columns hold ODP tonnes for ozone-depleting substances, but metric
tonnes for the HFCs of Kigali plans (HFCs have no ozone-depletion potential), so Kigali
projects are recorded under the metric-tonne indicator and never added to ODP tonnes.
"""

from __future__ import annotations

from greenfolio.domain.work import WorkStatus

MLF_COUNTRIES: dict[str, str] = {
    "ALB": "ALB", "ALG": "DZA", "ANT": "ATG", "ARM": "ARM", "BAH": "BHR", "BAR": "BRB",
    "BDI": "BDI", "BEN": "BEN", "BGD": "BGD", "BHA": "BHS", "BHU": "BTN", "BKF": "BFA",
    "BOL": "BOL", "BOT": "BWA", "BRU": "BRN", "BZE": "BLZ", "CBI": "CPV", "CHD": "TCD",
    "CHI": "CHL", "CKI": "COK", "COI": "COM", "CPR": "CHN", "DJI": "DJI", "DMI": "DMA",
    "DOM": "DOM", "DRC": "COD", "ELS": "SLV", "EQG": "GNQ", "ERI": "ERI", "ETH": "ETH",
    "FIJ": "FJI", "FSM": "FSM", "GAB": "GAB", "GAM": "GMB", "GBS": "GNB", "GEO": "GEO",
    "GHA": "GHA", "GRN": "GRD", "GUA": "GTM", "GUI": "GIN", "GUY": "GUY", "HON": "HND",
    "IND": "IND", "IRQ": "IRQ", "IVC": "CIV", "JAM": "JAM", "KAM": "KHM", "KEN": "KEN",
    "KIR": "KIR", "KUW": "KWT", "KYR": "KGZ", "LAO": "LAO", "LES": "LSO", "LIR": "LBR",
    "MAG": "MDG", "MAR": "MUS", "MAS": "MHL", "MAU": "MRT", "MDV": "MDV", "MEX": "MEX",
    "MLI": "MLI", "MLW": "MWI", "MOL": "MDA", "MON": "MNG", "MOZ": "MOZ", "NER": "NER",
    "NIC": "NIC", "NIU": "NIU", "OMA": "OMN", "PAK": "PAK", "PAR": "PRY", "PER": "PER",
    "PHI": "PHL", "PRC": "COG", "QAT": "QAT", "RWA": "RWA", "SAM": "WSM", "SAU": "SAU",
    "SEY": "SYC", "SIL": "SLE", "SOI": "SLB", "SOM": "SOM", "SSD": "SSD", "STK": "KNA",
    "STL": "LCA", "STP": "STP", "STV": "VCT", "SUR": "SUR", "SWA": "SWZ", "SYR": "SYR",
    "TLS": "TLS", "TOG": "TGO", "TON": "TON", "TTR": "PLW", "TUN": "TUN", "TUV": "TUV",
    "UGA": "UGA", "URT": "TZA", "VIE": "VNM", "YEM": "YEM", "YUG": "SRB", "ZAM": "ZMB",
    "ZIM": "ZWE",
}  # fmt: skip

STATUSES: dict[str, WorkStatus] = {
    "ONG": WorkStatus.IMPLEMENTATION,
    "COM": WorkStatus.FINALISATION,
    "FIN": WorkStatus.CLOSED,
    "CLO": WorkStatus.CLOSED,
    "CAN": WorkStatus.CANCELLED,
}
"""APR status: ongoing; completed (operationally, accounts open); financially completed."""

AGENCIES: dict[str, tuple[str, str]] = {
    "UNEP": ("XM-DAC-41116", "United Nations Environment Programme"),
    "UNIDO": ("XM-DAC-41123", "United Nations Industrial Development Organization"),
    "UNDP": ("XM-DAC-41114", "United Nations Development Programme"),
    "IBRD": ("44000", "World Bank"),
    "WORLD BANK": ("44000", "World Bank"),
}
"""Implementing agencies of the Fund: IATI organisation identifier and name."""

FUND_KEY = "mlf"
FUND_NAME = "Multilateral Fund for the Implementation of the Montreal Protocol"

ODP_INDICATOR = "ods_phased_out_odp"
MASS_INDICATOR = "ods_phased_out"
CO2E_INDICATOR = "ods_phased_out_co2e"
CO2E_NAMES = {
    "en": "controlled substances phased out (tonnes CO2-equivalent)",
    "fr": "substances réglementées éliminées (tonnes d'équivalent CO2)",
    "es": "sustancias controladas eliminadas (toneladas de CO2 equivalente)",
}
CO2E_SOURCE = (
    "Multilateral Fund Annual Progress Report, consumption and production phased out in "
    "CO2-equivalent tonnes (a phase-out of consumption, not emissions avoided)"
)


def is_kigali(code: str, cluster: str | None) -> bool:
    """Kigali (HFC) projects: ``KIP`` in the project code or a KIP cluster."""
    parts = code.upper().split("/")
    return (len(parts) > 1 and parts[1] == "KIP") or (cluster or "").upper().startswith("KIP")


def tonnes_indicator(code: str, cluster: str | None) -> tuple[str, str]:
    """The indicator and unit for an APR "ODP/MT" figure of this project."""
    if is_kigali(code, cluster):
        return MASS_INDICATOR, "t"
    return ODP_INDICATOR, "ODP_tonne"
