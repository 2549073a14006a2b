"""Read the packaged reference tables into domain objects."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from greenfolio.domain.classification import Scheme, Term
from greenfolio.domain.errors import ValidationError
from greenfolio.domain.indicators import Aggregation, Disaggregation, Indicator

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML was built with it (about ten times faster than the
pure-Python one, same safe constructors), else the pure-Python one."""


def parse_yaml(text: str) -> Any:
    """Parse YAML text with the safe loader (libyaml's where available)."""
    return yaml.load(text, Loader=_LOADER)


def read_yaml(package: str, name: str) -> Any:
    """Parse a YAML file shipped inside ``package``."""
    return parse_yaml(resources.files(package).joinpath(name).read_text("utf-8"))


@lru_cache(maxsize=1)
def schemes() -> dict[str, Scheme]:
    """Every classification scheme, keyed by code."""
    data = read_yaml("greenfolio.refdata", "classifications.yaml")
    out: dict[str, Scheme] = {}
    for code, raw in data["schemes"].items():
        terms = tuple(
            Term(
                scheme=code,
                code=str(t["code"]),
                names=t["names"],
                ordinal=int(t.get("ordinal", i + 1)),
                label=str(t.get("label", "")),
            )
            for i, t in enumerate(raw["terms"])
        )
        out[code] = Scheme(code=code, names=raw["names"], source=raw["source"], terms=terms)
    return out


def indicator_from_mapping(raw: dict[str, Any], where: str) -> Indicator:
    """Build an Indicator from a data-file mapping, naming the place of any error."""
    try:
        return Indicator(
            code=str(raw["code"]),
            names=raw["names"],
            unit=str(raw["unit"]),
            aggregation=Aggregation(raw["aggregation"]),
            disaggregations=frozenset(Disaggregation(d) for d in raw.get("disaggregations", [])),
            gef_core_indicator=raw.get("gef_core_indicator"),
            source=str(raw.get("source", "")),
            shown_in=raw.get("shown_in"),
        )
    except KeyError as exc:
        raise ValidationError(f"{where}: missing field {exc.args[0]!r}") from exc
    except ValueError as exc:
        raise ValidationError(f"{where}: {exc}") from exc


@lru_cache(maxsize=1)
def indicators() -> dict[str, Indicator]:
    """The packaged indicator registry, keyed by code."""
    data = read_yaml("greenfolio.refdata", "indicators.yaml")
    found: dict[str, Indicator] = {}
    for i, raw in enumerate(data["indicators"]):
        ind = indicator_from_mapping(raw, f"indicators.yaml entry {i + 1}")
        found[ind.code] = ind
    return found
