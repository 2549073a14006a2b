"""Montreal Protocol reference tables: substances, blends, control measures, parties.

Read from the CSV files beside this module (see montreal/README.md), each row with its
source; IPCC GWPs of other assessment reports come from ``globalwarmingpotentials``.
"""

from __future__ import annotations

import csv
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path

import globalwarmingpotentials

OVERRIDE_ENV = "GREENFOLIO_REFDATA"
"""A folder whose montreal/*.csv files replace the packaged ones (to test an update)."""

TABLES = (
    "substances.csv",
    "control_measures.csv",
    "parties.csv",
    "blends.csv",
    "hcfc_baselines.csv",
)


@dataclass(frozen=True)
class Substance:
    name: str
    annex: str
    group: str
    odp: float
    odp_min: float
    odp_max: float
    gwp_protocol: float | None
    source: str


@dataclass(frozen=True)
class ControlStep:
    group: str
    party_type: str
    limit: str
    start: date
    fraction: float
    source: str


@dataclass(frozen=True)
class Party:
    code: str
    article5: bool
    kigali_group: str
    source: str


@dataclass(frozen=True)
class BlendPart:
    component: str
    mass_pct: float


@dataclass(frozen=True)
class Baseline:
    party: str
    odp_tonnes: float
    co2e_tonnes: float | None
    source: str


def key(name: str) -> str:
    """Normalised substance name: 'HCFC-141b' and 'hcfc141B' both give 'HCFC141B'."""
    return "".join(ch for ch in name.upper() if ch.isalnum())


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
        )
    return out


def substances() -> dict[str, Substance]:
    """Controlled substances keyed by normalised name."""
    return _substances(_folder())


@lru_cache(maxsize=4)
def _blends(folder: Path) -> dict[str, tuple[BlendPart, ...]]:
    parts: dict[str, list[BlendPart]] = {}
    for r in _rows("blends.csv"):
        parts.setdefault(key(r["blend"]), []).append(
            BlendPart(component=r["component"], mass_pct=float(r["mass_pct"]))
        )
    return {name: tuple(p) for name, p in parts.items()}


def blends() -> dict[str, tuple[BlendPart, ...]]:
    """Refrigerant blends keyed by normalised ASHRAE name ('R410A')."""
    return _blends(_folder())


def blend_names() -> list[str]:
    return sorted({r["blend"] for r in _rows("blends.csv")})


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


def ipcc_gwp(substance: str, report: str) -> float | None:
    """100-year GWP from an IPCC assessment report, via ``globalwarmingpotentials``."""
    table = globalwarmingpotentials.data[IPCC_METRICS[report]]
    wanted = key(substance)
    for species, value in table.items():
        if key(species) == wanted:
            return float(value)
    return None


def version() -> str:
    """Identifies the reference data in force: a hash of the tables and the GWP package."""
    digest = hashlib.sha256()
    for name in TABLES:
        digest.update((_folder() / name).read_bytes())
    digest.update(globalwarmingpotentials.__version__.encode())
    return "montreal-" + digest.hexdigest()[:12]


def clear_cache() -> None:
    """Forget loaded tables (after the override folder changes)."""
    for loader in (_substances, _blends, _controls, _parties, _baselines):
        loader.cache_clear()
