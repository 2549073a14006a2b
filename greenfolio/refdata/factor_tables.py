"""Emission-factor tables in CSV, packaged or supplied by a user, checked row by row."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from greenfolio.domain.errors import ValidationError

VECTORS = ("air", "water", "land", "product", "residue")
FACTOR_UNITS = {"ug_TEQ_per_t": 1e-6}
"""Supported factor units and their multiplier to grams TEQ per tonne."""


@dataclass(frozen=True)
class Factor:
    category: str
    klass: str
    description: str
    vector: str
    grams_teq_per_t: float
    source: str


@dataclass(frozen=True)
class FactorTable:
    name: str
    factors: tuple[Factor, ...]
    digest: str

    def for_class(self, category: str, klass: str) -> list[Factor]:
        found = [f for f in self.factors if f.category == category and f.klass == klass]
        if not found:
            known = sorted({(f.category, f.klass) for f in self.factors})
            listing = ", ".join(f"{c}/{k}" for c, k in known)
            raise ValidationError(
                f"no emission factors for category {category!r} class {klass!r} in "
                f"{self.name}; available: {listing}"
            )
        return found


def parse(lines: Iterable[str], name: str) -> FactorTable:
    """Read a factor table; a row without a source, or with a bad value, is refused."""
    text = list(lines)
    reader = csv.DictReader(text)
    needed = {"category", "class", "vector", "factor", "unit", "source"}
    missing = needed - set(reader.fieldnames or [])
    if missing:
        raise ValidationError(f"{name}: missing columns {', '.join(sorted(missing))}")
    factors = []
    for number, row in enumerate(reader, start=2):
        where = f"{name}, row {number}"
        if not (row.get("source") or "").strip():
            raise ValidationError(f"{where}: the factor has no source; every factor must cite one")
        if row["vector"] not in VECTORS:
            raise ValidationError(f"{where}: vector {row['vector']!r} is not one of {VECTORS}")
        if row["unit"] not in FACTOR_UNITS:
            raise ValidationError(f"{where}: unit {row['unit']!r}; use one of {list(FACTOR_UNITS)}")
        try:
            value = float(row["factor"])
        except ValueError as exc:
            raise ValidationError(f"{where}: factor {row['factor']!r} is not a number") from exc
        if value < 0:
            raise ValidationError(f"{where}: factor {value} is negative")
        factors.append(
            Factor(
                row["category"],
                row["class"],
                row.get("description", ""),
                row["vector"],
                value * FACTOR_UNITS[row["unit"]],
                row["source"],
            )
        )
    digest = hashlib.sha256("".join(text).encode()).hexdigest()[:12]
    return FactorTable(name, tuple(factors), digest)


def packaged_toolkit() -> FactorTable:
    text = resources.files("greenfolio.refdata").joinpath("stockholm", "toolkit_2013.csv")
    return parse(text.read_text("utf-8").splitlines(keepends=True), "toolkit_2013.csv")


def load(path: Path | None) -> FactorTable:
    """A user's table from ``path``, or the packaged Toolkit table."""
    if path is None:
        return packaged_toolkit()
    if not path.is_file():
        raise ValidationError(f"factor table {path} does not exist")
    return parse(path.read_text("utf-8").splitlines(keepends=True), str(path))
