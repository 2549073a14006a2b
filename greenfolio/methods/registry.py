"""Every method Greenfolio offers, by id, with its version and sources."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from greenfolio.domain.errors import NotFoundError

if TYPE_CHECKING:
    from greenfolio.methods.base import Method


def _no_refdata() -> str:
    return "none"


def _montreal_tables() -> str:
    from greenfolio.refdata import montreal_tables

    return montreal_tables.version()


def _toolkit() -> str:
    from greenfolio.refdata import factor_tables

    return "toolkit-2013-" + factor_tables.packaged_toolkit().digest


PROTOCOL = "Montreal Protocol on Substances that Deplete the Ozone Layer, Art. 3 and Annexes"
TOOLKIT = "UNEP Toolkit for unintentional POPs releases, January 2013"
GEF = "GEF-7 core indicators (ME/GN/02, 2018/2019)"


class _Entry(NamedTuple):
    """A method as the catalogue knows it before its module is imported: the names of its
    input model and function in ``greenfolio.methods.<module>``."""

    id: str
    version: str
    title: str
    sources: tuple[str, ...]
    module: str
    inputs: str
    compute: str
    refdata_version: Callable[[], str]

    def load(self) -> Method:
        from greenfolio.methods.base import Method

        module = importlib.import_module(f"greenfolio.methods.{self.module}")
        return Method(
            self.id,
            self.version,
            self.title,
            self.sources,
            getattr(module, self.inputs),
            getattr(module, self.compute),
            self.refdata_version,
        )


class _Catalogue(Mapping[str, "Method"]):
    """Every method by id. A method's module (its pydantic input model, its reference
    data) is imported when the method is first looked up, so that one command computing
    one method does not build the input models of all the others."""

    def __init__(self, entries: tuple[_Entry, ...]) -> None:
        self._entries = {e.id: e for e in entries}
        self._loaded: dict[str, Method] = {}

    def __getitem__(self, method_id: str) -> Method:
        if method_id not in self._loaded:
            self._loaded[method_id] = self._entries[method_id].load()
        return self._loaded[method_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


METHODS: Mapping[str, Method] = _Catalogue(
    (
        _Entry(
            "montreal.convert",
            # 1.2: AR6 GWPs of HFOs and hydrocarbons counted (Table 7.SM.7); every GWP
            # source named; a published value the composition does not give is said
            "1.2",
            "Metric, ODP and CO2-equivalent tonnes",
            (
                PROTOCOL,
                "Kigali Amendment (2016) Annexes C and F GWPs",
                "IPCC AR5/AR6 GWPs via globalwarmingpotentials 0.13",
                "IPCC AR6 WG1 Table 7.SM.7 GWPs of HFOs and hydrocarbons (chrisroadmap/ar6)",
                "Blend compositions: ASHRAE 34 (via openscm-units 0.6.3), MLF Secretariat and "
                "Ozone Secretariat reporting systems (multilateralfund/ors, mutisyag/ozone)",
            ),
            "montreal",
            "ConvertInputs",
            "convert",
            _montreal_tables,
        ),
        _Entry(
            "montreal.limits",
            "1.0",
            "Allowed consumption or production in a year",
            ("Montreal Protocol Articles 2A-2J and 5",),
            "montreal",
            "LimitInputs",
            "limits",
            _montreal_tables,
        ),
        _Entry(
            "montreal.compliance",
            "1.0",
            "Compliance of a consumption series",
            ("Montreal Protocol Articles 2A-2J and 5",),
            "montreal",
            "ComplianceInputs",
            "compliance",
            _montreal_tables,
        ),
        _Entry(
            "stockholm.upops_releases",
            "1.0",
            "Unintentional POPs releases by vector",
            (TOOLKIT,),
            "upops",
            "ReleaseInputs",
            "releases",
            _toolkit,
        ),
        _Entry(
            "stockholm.upops_avoided",
            "1.0",
            "Unintentional POPs releases avoided (CI 10)",
            (TOOLKIT, GEF),
            "upops",
            "AvoidedInputs",
            "avoided",
            _toolkit,
        ),
        _Entry(
            "stockholm.stockpile",
            "1.0",
            "POPs stockpile ledger (CI 9.1)",
            (GEF,),
            "upops",
            "StockpileInputs",
            "stockpile",
            _no_refdata,
        ),
        _Entry(
            "minamata.inventory",
            "1.0",
            "Mercury inventory (Toolkit form, user factors)",
            ("UNEP Toolkit for mercury releases, Inventory Level 1, v2.1 (2019): method",),
            "mercury",
            "InventoryInputs",
            "inventory",
            _no_refdata,
        ),
        _Entry(
            "minamata.asgm",
            "1.0",
            "Mercury use in ASGM from a stated ratio",
            ("Minamata Convention Art. 7 and Annex C",),
            "mercury",
            "AsgmInputs",
            "asgm",
            _no_refdata,
        ),
        _Entry(
            "ghg.grid_factor",
            "1.0",
            "Combined-margin grid emission factor",
            ("CDM Methodological Tool 07",),
            "ghg",
            "GridFactorInputs",
            "grid_factor",
            _no_refdata,
        ),
        _Entry(
            "ghg.mitigation",
            "1.0",
            "Lifetime direct, post-project and indirect tCO2e (CI 6)",
            (GEF, "GEF/STAP Manual for Calculating GHG Benefits of GEF Projects (2008)"),
            "ghg",
            "MitigationInputs",
            "mitigation",
            _no_refdata,
        ),
    )
)


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
