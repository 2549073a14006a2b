"""Indicators: what is measured, in which unit, and how values combine into a figure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from greenfolio.domain.errors import ValidationError
from greenfolio.domain.languages import pick
from greenfolio.domain.units import check_unit


class Aggregation(StrEnum):
    """How the results of one indicator combine into a single figure."""

    SUM = "sum"
    """Add the values, after converting each to the indicator's unit."""
    DISTINCT_COUNTRIES = "distinct_countries"
    """Count each country once, however many results name it."""
    DISTINCT_ENTITIES = "distinct_entities"
    """Count each named entity (a park, a firm) once."""
    LATEST = "latest"
    """Take the value of the result whose period ends last."""
    MAX = "max"
    """Take the largest value."""
    COUNT_BY_STATUS = "count_by_status"
    """Add the values of results at a given milestone (planned, under way, completed)."""


class Disaggregation(StrEnum):
    """Dimensions a result of an indicator may be broken down by."""

    SEX = "sex"
    COUNTRY = "country"
    SUBSTANCE = "substance"


@dataclass(frozen=True)
class Indicator:
    """A registered indicator; its unit is the unit every figure of it is given in."""

    code: str
    names: Mapping[str, str]
    unit: str
    aggregation: Aggregation
    disaggregations: frozenset[Disaggregation] = field(default=frozenset())
    gef_core_indicator: str | None = None
    source: str = ""

    def __post_init__(self) -> None:
        if not self.code or not self.code.replace("_", "").replace(".", "").isalnum():
            raise ValidationError(
                f"indicator code {self.code!r} must be letters, digits, '_' or '.'"
            )
        check_unit(self.unit)

    def name(self, lang: str) -> str:
        return pick(self.names, lang, f"indicator {self.code}")
