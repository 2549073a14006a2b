"""What every method has: an id, a version, its sources, typed inputs and a run function."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from greenfolio.domain.errors import InvalidFields, ValidationError


class MethodError(ValidationError):
    """Inputs a method cannot work with; the message says what to change."""


class MethodInputError(InvalidFields, MethodError):
    """Inputs that fail their typed checks, field by field (which, what was given, what is
    allowed), so that the command line can name its options and the API its fields."""


@dataclass(frozen=True)
class Quantity:
    """An output value with its unit (a pint unit name from greenfolio/refdata/units.txt)."""

    value: float
    unit: str

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "unit": self.unit}


@dataclass(frozen=True)
class Outcome:
    """What a run returns: named quantities plus details that explain them."""

    quantities: Mapping[str, Quantity]
    details: Mapping[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "quantities": {k: q.as_dict() for k, q in self.quantities.items()},
            "details": dict(self.details),
        }


@dataclass(frozen=True)
class Method:
    id: str
    version: str
    title: str
    sources: tuple[str, ...]
    inputs: type[BaseModel]
    compute: Callable[[Any], Outcome]
    refdata_version: Callable[[], str]

    def run(self, raw: Mapping[str, Any]) -> tuple[BaseModel, Outcome]:
        """Validate ``raw`` inputs and compute; returns the parsed inputs and the outcome."""
        try:
            parsed = self.inputs.model_validate(dict(raw))
        except PydanticError as exc:
            problems = exc.errors(include_url=False)
            raise MethodInputError(problems, subject=f"method {self.id}") from exc
        except ValueError as exc:
            raise MethodError(f"method {self.id}: invalid inputs: {exc}") from exc
        return parsed, self.compute(parsed)
