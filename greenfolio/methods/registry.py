"""Every method Greenfolio offers, by id, with its version and sources."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from greenfolio.domain.errors import NotFoundError
from greenfolio.methods import ghg, mercury, montreal, upops
from greenfolio.methods.base import Method
from greenfolio.refdata import montreal_tables as montreal_ref


def _no_refdata() -> str:
    return "none"


def _toolkit() -> str:
    from greenfolio.refdata import factor_tables

    return "toolkit-2013-" + factor_tables.packaged_toolkit().digest


PROTOCOL = "Montreal Protocol on Substances that Deplete the Ozone Layer, Art. 3 and Annexes"
TOOLKIT = "UNEP Toolkit for unintentional POPs releases, January 2013"
GEF = "GEF-7 core indicators (ME/GN/02, 2018/2019)"

METHODS: dict[str, Method] = {
    m.id: m
    for m in (
        Method(
            "montreal.convert",
            "1.1",
            "Metric, ODP and CO2-equivalent tonnes",
            (
                PROTOCOL,
                "Kigali Amendment (2016) Annexes C and F GWPs",
                "IPCC AR5/AR6 GWPs via globalwarmingpotentials 0.13",
                "Blend compositions: ASHRAE 34 (via openscm-units 0.6.3), MLF Secretariat and "
                "Ozone Secretariat reporting systems (multilateralfund/ors, mutisyag/ozone)",
            ),
            montreal.ConvertInputs,
            montreal.convert,
            montreal_ref.version,
        ),
        Method(
            "montreal.limits",
            "1.0",
            "Allowed consumption or production in a year",
            ("Montreal Protocol Articles 2A-2J and 5",),
            montreal.LimitInputs,
            montreal.limits,
            montreal_ref.version,
        ),
        Method(
            "montreal.compliance",
            "1.0",
            "Compliance of a consumption series",
            ("Montreal Protocol Articles 2A-2J and 5",),
            montreal.ComplianceInputs,
            montreal.compliance,
            montreal_ref.version,
        ),
        Method(
            "stockholm.upops_releases",
            "1.0",
            "Unintentional POPs releases by vector",
            (TOOLKIT,),
            upops.ReleaseInputs,
            upops.releases,
            _toolkit,
        ),
        Method(
            "stockholm.upops_avoided",
            "1.0",
            "Unintentional POPs releases avoided (CI 10)",
            (TOOLKIT, GEF),
            upops.AvoidedInputs,
            upops.avoided,
            _toolkit,
        ),
        Method(
            "stockholm.stockpile",
            "1.0",
            "POPs stockpile ledger (CI 9.1)",
            (GEF,),
            upops.StockpileInputs,
            upops.stockpile,
            _no_refdata,
        ),
        Method(
            "minamata.inventory",
            "1.0",
            "Mercury inventory (Toolkit form, user factors)",
            ("UNEP Toolkit for mercury releases, Inventory Level 1, v2.1 (2019): method",),
            mercury.InventoryInputs,
            mercury.inventory,
            _no_refdata,
        ),
        Method(
            "minamata.asgm",
            "1.0",
            "Mercury use in ASGM from a stated ratio",
            ("Minamata Convention Art. 7 and Annex C",),
            mercury.AsgmInputs,
            mercury.asgm,
            _no_refdata,
        ),
        Method(
            "ghg.grid_factor",
            "1.0",
            "Combined-margin grid emission factor",
            ("CDM Methodological Tool 07",),
            ghg.GridFactorInputs,
            ghg.grid_factor,
            _no_refdata,
        ),
        Method(
            "ghg.mitigation",
            "1.0",
            "Lifetime direct, post-project and indirect tCO2e (CI 6)",
            (GEF, "GEF/STAP Manual for Calculating GHG Benefits of GEF Projects (2008)"),
            ghg.MitigationInputs,
            ghg.mitigation,
            _no_refdata,
        ),
    )
}


def get(method_id: str) -> Method:
    method = METHODS.get(method_id)
    if method is None:
        raise NotFoundError(
            f"unknown method {method_id!r}; `greenfolio methods list` shows: {', '.join(METHODS)}"
        )
    return method


def calculate(method_id: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Compute without storing (for a quick look from the command line)."""
    method = get(method_id)
    parsed, outcome = method.run(inputs)
    return {
        "method": method.id,
        "method_version": method.version,
        "refdata_version": method.refdata_version(),
        "inputs": parsed.model_dump(mode="json", by_alias=True),
        "outputs": outcome.as_dict(),
    }


def list_methods() -> list[dict[str, Any]]:
    """Every method with its version, title, sources and reference-data version."""
    return [
        {
            "id": m.id,
            "version": m.version,
            "title": m.title,
            "sources": list(m.sources),
            "refdata_version": m.refdata_version(),
        }
        for m in METHODS.values()
    ]
