"""Indicators: what is measured, in which unit, and how values combine into a figure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from greenfolio.domain.errors import ValidationError
from greenfolio.domain.languages import pick
from greenfolio.domain.units import check_unit, compatible, convert


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
    shown_in: str | None = None
    """The unit pages show its figures in when it reads better than ``unit`` (uPOPs in
    mg TEQ, as the source and the Board report give them, not 119.489 g TEQ beside the
    report's 119,489 mg TEQ); None: ``unit``. Figures are still computed in ``unit``."""

    def __post_init__(self) -> None:
        if not self.code or not self.code.replace("_", "").replace(".", "").isalnum():
            raise ValidationError(
                f"indicator code {self.code!r} must be letters, digits, '_' or '.'"
            )
        check_unit(self.unit)
        if self.shown_in is not None:
            check_unit(self.shown_in)
            if not compatible(self.shown_in, self.unit):
                raise ValidationError(
                    f"indicator {self.code!r}: shown_in {self.shown_in!r} is not a unit of "
                    f"the same kind as {self.unit!r}"
                )

    @property
    def display_unit(self) -> str:
        """The unit its figures are shown in (``shown_in``, else ``unit``)."""
        return self.shown_in or self.unit

    def shown(self, value: float | None) -> float | None:
        """A figure computed in ``unit`` as it is shown, in ``display_unit``."""
        if value is None or self.display_unit == self.unit:
            return value
        return convert(value, self.unit, self.display_unit)

    def name(self, lang: str) -> str:
        return pick(self.names, lang, f"indicator {self.code}")
