"""Montreal Protocol reference tables: substances, blends, control measures, parties.

Read from the CSV files beside this module (see montreal/README.md), each row with its
source; IPCC GWPs of other assessment reports come from ``globalwarmingpotentials``, and
for AR6, where that package has none (HFOs, hydrocarbons), from ``ipcc_ar6_more.csv``: the
values of the AR6 report's own table (Table 7.SM.7), each row citing it.
"""

from __future__ import annotations

import csv
import hashlib
import os
from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import globalwarmingpotentials

# The rows of the tables are named tuples: immutable like frozen dataclasses, and several
# times cheaper to define (every montreal command defines all of them when it starts).

OVERRIDE_ENV = "GREENFOLIO_REFDATA"
"""A folder whose montreal/*.csv files replace the packaged ones (to test an update)."""

TABLES = (
    "substances.csv",
    "control_measures.csv",
    "parties.csv",
    "blends.csv",
    "hcfc_baselines.csv",
    "other_substances.csv",
    "blend_names.csv",
    "blend_published.csv",
    "other_mixtures.csv",
    "ipcc_ar6_more.csv",
)


class Substance(NamedTuple):
    name: str
    annex: str
    group: str
    odp: float
    odp_min: float
    odp_max: float
    gwp_protocol: float | None
    source: str
    formula: str = ""
    """As the annexes write it (CCl4, CH3Br): how the IPCC tables name some substances."""


class ControlStep(NamedTuple):
    group: str
    party_type: str
    limit: str
    start: date
    fraction: float
    source: str


class Party(NamedTuple):
    code: str
    article5: bool
    kigali_group: str
    source: str


class BlendPart(NamedTuple):
    component: str
    mass_pct: float


class Composition(NamedTuple):
    """A blend's make-up as one published table gives it ('ashrae' or 'mlf')."""

    table: str
    parts: tuple[BlendPart, ...]
    source: str


class Blend(NamedTuple):
    name: str
    compositions: tuple[Composition, ...]

    def composition(self, table: str) -> Composition | None:
        return next((c for c in self.compositions if c.table == table), None)


class OtherSubstance(NamedTuple):
    """A blend component outside the Protocol's annexes: no ODP, no Protocol GWP."""

    name: str
    formula: str
    ipcc_species: str
    source: str


class Published(NamedTuple):
    """ODP and CO2-eq per tonne of a blend as a reporting system publishes them."""

    blend: str
    system: str
    odp: float | None
    co2e: float | None
    source: str


class OtherMixture(NamedTuple):
    """An 'other mixture' entry: no composition of its own; may_contain is any, ods or hfc."""

    name: str
    may_contain: str
    source: str


class Baseline(NamedTuple):
    party: str
    odp_tonnes: float
    co2e_tonnes: float | None
    source: str


def key(name: str) -> str:
    """Normalised substance name: 'HCFC-141b' and 'hcfc141B' both give 'HCFC141B'."""
    return "".join(ch for ch in name.upper() if ch.isalnum())


def blend_key(name: str) -> str:
    """Like ``key`` but keeps the MLF's stars: 'R-400*' and 'R-400**' are different blends."""
    return key(name) + "*" * name.count("*")


def _folder() -> Path:
    override = os.environ.get(OVERRIDE_ENV)
    if override:
        return Path(override) / "montreal"
    return Path(str(resources.files("greenfolio.refdata").joinpath("montreal")))


def _rows(name: str) -> Iterator[dict[str, str]]:
    with (_folder() / name).open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _float(text: str) -> float | None:
    return float(text) if text.strip() else None


@lru_cache(maxsize=4)
def _substances(folder: Path) -> dict[str, Substance]:
    out = {}
    for r in _rows("substances.csv"):
        odp = float(r["odp"])
        out[key(r["name"])] = Substance(
            name=r["name"],
            annex=r["annex"],
            group=r["group"],
            odp=odp,
            odp_min=_float(r["odp_min"]) or odp,
            odp_max=_float(r["odp_max"]) or odp,
            gwp_protocol=_float(r["gwp_ar4_protocol"]),
            source=r["source"],
            formula=r["formula"],
        )
    return out


def substances() -> dict[str, Substance]:
    """Controlled substances keyed by normalised name."""
    return _substances(_folder())


@lru_cache(maxsize=4)
def _blends(folder: Path) -> dict[str, Blend]:
    parts: dict[str, dict[str, list[BlendPart]]] = {}
    sources: dict[tuple[str, str], str] = {}
    for r in _rows("blends.csv"):
        tables = parts.setdefault(r["blend"], {})
        tables.setdefault(r["table"], []).append(BlendPart(r["component"], float(r["mass_pct"])))
        sources.setdefault((r["blend"], r["table"]), r["source"])
    return {
        blend_key(name): Blend(
            name,
            tuple(Composition(t, tuple(p), sources[(name, t)]) for t, p in tables.items()),
        )
        for name, tables in parts.items()
    }


def blends() -> dict[str, Blend]:
    """Blends keyed by ``blend_key`` of their name ('R410A', 'FX20', 'R400**')."""
    return _blends(_folder())


def blend_names() -> list[str]:
    return sorted(b.name for b in blends().values())


@lru_cache(maxsize=4)
def _aliases(folder: Path) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for r in _rows("blend_names.csv"):
        found = out.setdefault(key(r["name"]), [])
        if r["blend"] not in found:
            found.append(r["blend"])
    return {k: tuple(v) for k, v in out.items()}


def blend_aliases() -> dict[str, tuple[str, ...]]:
    """Trade and other names (normalised) -> the blends they stand for (some stand for two)."""
    return _aliases(_folder())


@lru_cache(maxsize=4)
def _alias_names(folder: Path) -> tuple[str, ...]:
    return tuple(sorted({r["name"] for r in _rows("blend_names.csv")}))


def alias_names() -> list[str]:
    """Every trade and other name of a blend as written (read once per tables folder)."""
    return list(_alias_names(_folder()))


@lru_cache(maxsize=4)
def _others(folder: Path) -> dict[str, OtherSubstance]:
    out: dict[str, OtherSubstance] = {}
    for r in _rows("other_substances.csv"):
        item = OtherSubstance(r["name"], r["formula"], r["ipcc_species"], r["source"])
        out[key(r["name"])] = item
        for alias in filter(None, (a.strip() for a in r["aliases"].split(";"))):
            out.setdefault(key(alias), item)
    # the AR6 table's names for them too (Propane, HCFO-1233zd(E), HFE-254cb1)
    for row in _ar6_more(folder).values():
        found = out.get(key(row.name))
        if found is not None:
            for alias in filter(None, (row.ipcc_name, row.ipcc_acronym)):
                out.setdefault(key(alias), found)
    return out


@lru_cache(maxsize=4)
def _by_formula(folder: Path) -> dict[str, Substance]:
    found: dict[str, list[Substance]] = {}
    for sub in _substances(folder).values():
        if sub.formula:
            found.setdefault(key(sub.formula), []).append(sub)
    return {k: subs[0] for k, subs in found.items() if len(subs) == 1}


def substance_by_formula() -> dict[str, Substance]:
    """Controlled substances by their formula ("CCl4", "CH3Br"), where one substance alone
    has it (the HCFC isomers share theirs, and are named instead)."""
    return _by_formula(_folder())


def other_substances() -> dict[str, OtherSubstance]:
    """Non-controlled blend components, keyed by normalised name, formula or other name."""
    return _others(_folder())


@lru_cache(maxsize=4)
def _published(folder: Path) -> dict[str, tuple[Published, ...]]:
    out: dict[str, list[Published]] = {}
    for r in _rows("blend_published.csv"):
        item = Published(r["blend"], r["system"], _float(r["odp"]), _float(r["co2e"]), r["source"])
        out.setdefault(blend_key(r["blend"]), []).append(item)
    return {k: tuple(v) for k, v in out.items()}


def published(blend: str) -> tuple[Published, ...]:
    """What the MLF and Ozone Secretariat reporting systems publish for a blend."""
    return _published(_folder()).get(blend_key(blend), ())


@lru_cache(maxsize=4)
def _other_mixtures(folder: Path) -> dict[str, OtherMixture]:
    return {
        key(r["name"]): OtherMixture(r["name"], r["may_contain"], r["source"])
        for r in _rows("other_mixtures.csv")
    }


def other_mixtures() -> dict[str, OtherMixture]:
    return _other_mixtures(_folder())


@lru_cache(maxsize=4)
def _controls(folder: Path) -> tuple[ControlStep, ...]:
    return tuple(
        ControlStep(
            group=r["group"],
            party_type=r["party_type"],
            limit=r["limit"],
            start=date.fromisoformat(r["start"]),
            fraction=float(r["fraction_of_baseline"]),
            source=r["source"],
        )
        for r in _rows("control_measures.csv")
    )


def control_steps() -> tuple[ControlStep, ...]:
    return _controls(_folder())


@lru_cache(maxsize=4)
def _parties(folder: Path) -> dict[str, Party]:
    return {
        r["party"]: Party(r["party"], r["article5"] == "true", r["kigali_group"], r["source"])
        for r in _rows("parties.csv")
    }


def parties() -> dict[str, Party]:
    return _parties(_folder())


@lru_cache(maxsize=4)
def _baselines(folder: Path) -> dict[str, Baseline]:
    return {
        r["party"]: Baseline(
            r["party"],
            float(r["baseline_odp_tonnes"]),
            _float(r["baseline_co2e_tonnes"]),
            r["source"],
        )
        for r in _rows("hcfc_baselines.csv")
    }


def hcfc_baselines() -> dict[str, Baseline]:
    return _baselines(_folder())


IPCC_METRICS = {"ar4": "AR4GWP100", "ar5": "AR5GWP100", "ar6": "AR6GWP100"}


REFERENCE_GAS = "CO2"
"""GWPs are relative to CO2, whose GWP is 1 by definition in every IPCC report."""


class IpccGwp(NamedTuple):
    """A 100-year GWP of an IPCC report and where it was read (None: CO2's 1 by
    definition)."""

    value: float
    source: str | None


def ipcc_lookup(substance: str, report: str) -> IpccGwp | None:
    """The substance's 100-year GWP in an IPCC report, via ``globalwarmingpotentials`` or,
    for AR6 where the package has none, the report's own table; None where neither has one."""
    other = other_substances().get(key(substance))
    species = other.ipcc_species if other and other.ipcc_species else substance
    if key(species) == REFERENCE_GAS:
        return IpccGwp(1.0, None)
    table = _ipcc_table(report)
    found = table.get(key(species))
    if found is None and report == "ar6" and (row := ar6_more().get(key(substance))):
        return IpccGwp(row.gwp100, row.source)
    if found is None:
        # the IPCC tables name some controlled substances by formula (CCl4, CH3Br, CH3CCl3)
        controlled = substances().get(key(substance))
        if controlled is not None and controlled.formula:
            found = table.get(key(IPCC_FORMULA.get(controlled.formula, controlled.formula)))
    if found is None:
        return None
    package = globalwarmingpotentials.__version__
    return IpccGwp(found, f"IPCC {report.upper()} GWP-100 via globalwarmingpotentials "
                          f"{package} (CC0-1.0)")  # fmt: skip


def ipcc_gwp(substance: str, report: str) -> float | None:
    """100-year GWP from an IPCC assessment report (``ipcc_lookup``'s value)."""
    found = ipcc_lookup(substance, report)
    return found.value if found is not None else None


IPCC_FORMULA = {"C2H3Cl3": "CH3CCl3"}
"""Where the annexes' formula is not the one the IPCC tables (globalwarmingpotentials)
write: 1,1,1-trichloroethane, methyl chloroform, is CH3CCl3 there."""


@lru_cache(maxsize=8)
def _ipcc_table(report: str) -> dict[str, float]:
    """One IPCC report's 100-year GWPs by normalised species name."""
    out: dict[str, float] = {}
    for species, value in globalwarmingpotentials.data[IPCC_METRICS[report]].items():
        out.setdefault(key(species), float(value))
    return out


class Ar6Gwp(NamedTuple):
    """A GWP-100 of IPCC AR6 (WG1 Table 7.SM.7) for a substance the package lacks."""

    name: str
    ipcc_name: str
    ipcc_acronym: str
    gwp100: float
    source: str


@lru_cache(maxsize=4)
def _ar6_more(folder: Path) -> dict[str, Ar6Gwp]:
    return {
        key(r["name"]): Ar6Gwp(
            r["name"], r["ipcc_name"], r["ipcc_acronym"], float(r["gwp100"]), r["source"]
        )
        for r in _rows("ipcc_ar6_more.csv")
    }


def ar6_more() -> dict[str, Ar6Gwp]:
    """AR6 GWP-100s read from the report's table where ``globalwarmingpotentials`` has
    none, by normalised name as the Montreal tables write it (HFO-1234yf, HC-290)."""
    return _ar6_more(_folder())


PROTOCOL_GWPS = (
    "GWPs: Montreal Protocol Annexes C (group I) and F as amended at Kigali (2016), "
    "IPCC AR4 100-year values"
)


def version() -> str:
    """Identifies the reference data in force: a hash of the tables and the GWP package."""
    digest = hashlib.sha256()
    for name in TABLES:
        digest.update((_folder() / name).read_bytes())
    digest.update(globalwarmingpotentials.__version__.encode())
    return "montreal-" + digest.hexdigest()[:12]


def clear_cache() -> None:
    """Forget loaded tables (after the override folder changes)."""
    for loader in (
        _substances,
        _blends,
        _controls,
        _parties,
        _baselines,
        _aliases,
        _alias_names,
        _others,
        _published,
        _other_mixtures,
        _ar6_more,
        _by_formula,
    ):
        loader.cache_clear()
