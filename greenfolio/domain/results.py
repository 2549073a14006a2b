"""Results and the review workflow that decides which of them may reach a report."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from greenfolio.domain.errors import Problems, ValidationError
from greenfolio.domain.units import compatible, convert, is_count


class ReviewState(StrEnum):
    """Where a result stands in review; only VERIFIED results count in figures."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    VERIFIED = "verified"


class ValueKind(StrEnum):
    """Whether a value is what was planned, the target set, or what was achieved."""

    PLANNED = "planned"
    TARGET = "target"
    ACTUAL = "actual"
    BASELINE = "baseline"
    """The value before the work began (IATI indicator baseline)."""


class Milestone(StrEnum):
    """Progress of a result that is a piece of work, e.g. a Minamata initial assessment."""

    PLANNED = "planned"
    UNDER_WAY = "under_way"
    COMPLETED = "completed"


class Qualifier(StrEnum):
    """What the source says about a value's precision.

    A report that says "more than 700" records 700 as a lower bound, and "about 72
    million" as an approximation, so that the printed figure never claims more
    precision than its source.
    """

    EXACT = "exact"
    MORE_THAN = "more_than"
    ABOUT = "about"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"


# Review transitions: state -> {action: new state}
TRANSITIONS: dict[ReviewState, dict[str, ReviewState]] = {
    ReviewState.DRAFT: {"submit": ReviewState.SUBMITTED},
    ReviewState.SUBMITTED: {"return": ReviewState.RETURNED, "verify": ReviewState.VERIFIED},
    ReviewState.RETURNED: {"submit": ReviewState.SUBMITTED},
    ReviewState.VERIFIED: {"return": ReviewState.RETURNED},
}


def next_state(state: ReviewState, action: str, result_id: int | None = None) -> ReviewState:
    """The state after ``action``, or an error that lists the actions allowed now."""
    allowed = TRANSITIONS[state]
    if action not in allowed:
        who = f"result {result_id}" if result_id is not None else "the result"
        choices = ", ".join(sorted(allowed)) or "none"
        raise ValidationError(
            f"cannot {action} {who}: it is {state.value}; allowed now: {choices}",
            message_id=f"review_state_{action}",
            params={"result": result_id if result_id is not None else "", "state": state.value},
        )
    return allowed[action]


def combine_qualifiers(qualifiers: set[Qualifier]) -> Qualifier:
    """The qualifier of a total: any approximation makes it approximate, bounds stay bounds."""
    if Qualifier.ABOUT in qualifiers:
        return Qualifier.ABOUT
    if Qualifier.MORE_THAN in qualifiers:
        return Qualifier.MORE_THAN
    return Qualifier.EXACT


@dataclass(frozen=True)
class ResultDraft:
    """The fields of a new result, checked before anything is stored."""

    work_key: str
    indicator: str
    value: float
    unit: str
    indicator_unit: str
    kind: ValueKind = ValueKind.ACTUAL
    qualifier: Qualifier = Qualifier.EXACT
    period_start: date | None = None
    period_end: date | None = None
    milestone: Milestone | None = None
    country: str | None = None
    sex: Sex | None = None
    entity: str | None = None
    evidence: str | None = None
    citation: str | None = None

    def __post_init__(self) -> None:
        problems = list(self._problems())
        if len(problems) == 1:
            raise problems[0]
        if problems:
            raise Problems(problems)

    def _problems(self) -> Iterator[ValidationError]:
        """Every broken rule of this result, each with its message id for the pages."""
        ind = self.indicator
        if self.value != self.value or self.value in (float("inf"), float("-inf")):
            yield ValidationError(
                f"result value for {ind} must be a finite number",
                message_id="result_not_finite",
                params={"indicator": ind},
            )
            return
        if self.value < 0:
            yield ValidationError(
                f"result value for {ind} is {self.value}: values are never "
                "negative; record a reduction under an indicator of avoided or reduced amounts",
                message_id="result_negative",
                params={"indicator": ind, "value": self.value},
            )
        if not compatible(self.unit, self.indicator_unit):
            yield ValidationError(
                f"unit {self.unit!r} cannot be converted to {self.indicator_unit!r}, the unit "
                f"of indicator {ind!r}: give the value in {self.indicator_unit} "
                "or a unit of the same kind",
                message_id="result_unit",
                params={"indicator": ind, "unit": self.unit, "indicator_unit": self.indicator_unit},
            )
        elif is_count(self.indicator_unit):
            counted = convert(self.value, self.unit, self.indicator_unit)
            if abs(counted - round(counted)) > 1e-9:
                yield ValidationError(
                    f"result value for {ind} is {self.value:g} {self.unit}, but "
                    f"{ind} is a count (unit: {self.indicator_unit}): give a whole "
                    f"number, such as {int(counted)} or {int(counted) + 1}",
                    message_id="result_whole",
                    params={"indicator": ind, "value": self.value, "lower": int(counted),
                            "upper": int(counted) + 1},
                )  # fmt: skip
        if (
            self.period_start is not None
            and self.period_end is not None
            and self.period_start > self.period_end
        ):
            yield ValidationError(
                f"period of result for {ind} starts ({self.period_start}) "
                f"after it ends ({self.period_end})",
                message_id="result_period",
                params={
                    "indicator": ind,
                    "start": self.period_start.isoformat(),
                    "end": self.period_end.isoformat(),
                },
            )
