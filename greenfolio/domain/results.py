"""Results and the review workflow that decides which of them may reach a report."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from enum import StrEnum

from greenfolio.domain.errors import Problems, ValidationError
from greenfolio.domain.units import compatible, convert, is_count, unit_word


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
        choices = ", ".join(
            f"{a} (by a reviewer other than whoever entered or submitted it)"
            if a == "verify"
            else a
            for a in sorted(allowed)
        )
        raise ValidationError(
            f"cannot {action} {who}: it is {state.value}; what its state allows: "
            f"{choices or 'nothing'}",
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


FIRST_YEAR = 1946
LAST_YEAR = 2200
"""The years a result's period may lie in. A date outside them is a slip of the keyboard
(0001-01-01, 9999-12-31); the report windows, the dashboard's years and the web's
``report_year`` are bounded by the same years."""


def period_years_problem(
    ind: str, period_start: date | None, period_end: date | None
) -> ValidationError | None:
    """The refusal of a period date outside ``FIRST_YEAR``–``LAST_YEAR``, or None."""
    for field, day in (("period_start", period_start), ("period_end", period_end)):
        if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
            return ValidationError(
                f"result for {ind}: the {field.replace('_', ' ')} {day.isoformat()} is not "
                f"between the years {FIRST_YEAR} and {LAST_YEAR}; check the year",
                message_id="result_period_years",
                params={"typed": day.isoformat(), "first": FIRST_YEAR, "last": LAST_YEAR},
                field=field,
            )
    return None


def raise_all(problems: list[ValidationError]) -> None:
    """Raise the one problem found, or all of them together (``Problems``)."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise Problems(problems)


def result_problems(
    ind: str,
    value: float | None,
    unit: str,
    indicator_unit: str,
    period_start: date | None = None,
    period_end: date | None = None,
    kind: str | None = None,
    today: date | None = None,
) -> list[ValidationError]:
    """Every broken rule of a result's value, unit and period, each naming its field and
    carrying its message id for the pages. ``value`` None (missing, or refused already by
    the form or the sheet) skips the checks of the value, not those of the unit and the
    period, so that one bad field never hides another. ``kind`` given, an actual value
    for a period that has not begun by ``today`` (by default the date today) is refused
    (``actual_not_begun``)."""
    found: list[ValidationError] = []
    unknown: ValidationError | None = None
    try:
        unit_ok = compatible(unit, indicator_unit)
    except ValidationError as exc:  # a unit nobody knows ("furlongz")
        unit_ok, unknown = False, exc
    if value is not None:
        found.extend(_value_problems(ind, value, unit, indicator_unit, unit_ok))
    if unknown is not None:
        found.append(
            ValidationError(
                str(unknown), message_id=unknown.message_id, params=unknown.params, field="unit"
            )
        )
    elif not unit_ok:
        found.append(
            ValidationError(
                f"unit {unit!r} cannot be converted to {unit_word(indicator_unit)!r}, the "
                f"unit of indicator {ind!r}: give the value in {unit_word(indicator_unit)} "
                "or a unit of the same kind",
                message_id="result_unit",
                params={"indicator": ind, "unit": unit, "indicator_unit": indicator_unit},
                field="unit",
            )
        )
    if period_start is not None and period_end is not None and period_start > period_end:
        found.append(
            ValidationError(
                f"period of result for {ind} starts ({period_start}) after it ends ({period_end})",
                message_id="result_period",
                params={
                    "indicator": ind,
                    "start": period_start.isoformat(),
                    "end": period_end.isoformat(),
                },
                field="period_end",
            )
        )
    out_of_range = period_years_problem(ind, period_start, period_end)
    if out_of_range is not None:
        found.append(out_of_range)
    early = actual_not_begun(ind, kind, period_start, period_end, today)
    if early is not None:
        found.append(early)
    return found


def actual_not_begun(
    ind: str,
    kind: str | None,
    period_start: date | None,
    period_end: date | None = None,
    today: date | None = None,
) -> ValidationError | None:
    """The refusal of an actual (achieved) value for a period that starts after ``today``:
    nothing can have been achieved yet. A period under way (begun, not ended) is allowed,
    as some programmes report progress within it; planned, target and baseline values
    may be for any period."""
    if kind != ValueKind.ACTUAL.value:
        return None
    day = today or date.today()
    if period_start is None:
        # counted "until" a day: that day must have come (a total to date, not to 2030)
        if period_end is None or period_end <= day:
            return None
        return ValidationError(
            f"result for {ind} is an actual (achieved) value counted until {period_end}, "
            f"after today ({day}): nothing after today can have been achieved yet; give the "
            "day it stands at, or enter it as a target",
            message_id="result_actual_future_end",
            params={"indicator": ind, "end": period_end.isoformat(), "today": day.isoformat()},
            field="period_end",
        )
    if period_start <= day:
        return None
    span = f"from {period_start} to {period_end}" if period_end else f"from {period_start}"
    return ValidationError(
        f"result for {ind} is an actual (achieved) value for a period {span}, which starts "
        f"after today ({day}): nothing can have been achieved yet; enter it as a target "
        "(or planned value), or correct the dates",
        message_id="result_actual_future" if period_end else "result_actual_future_open",
        params={
            "indicator": ind,
            "start": period_start.isoformat(),
            **({"end": period_end.isoformat()} if period_end else {}),
            "today": day.isoformat(),
        },
        field="period_start",
    )


LARGEST_VALUE = 1e15
"""The largest value a result may hold, as typed and in its indicator's unit (1e15 Mt
CO2e is 1e21 t): a thousand million million, far above any figure a programme reports,
low enough that a slip (a row of zeros, a date typed as a value) is caught and every
figure prints in full."""


def _value_problems(
    ind: str, value: float, unit: str, indicator_unit: str, unit_ok: bool
) -> Iterator[ValidationError]:
    """The broken rules of the value itself (finite, not negative, whole for a count)."""
    if value != value or value in (float("inf"), float("-inf")):
        yield ValidationError(
            f"result value for {ind} must be a finite number",
            message_id="result_not_finite",
            params={"indicator": ind},
            field="value",
        )
        return
    if value < 0:
        yield ValidationError(
            f"result value for {ind} is {value}: values are never "
            "negative; record a reduction under an indicator of avoided or reduced amounts",
            message_id="result_negative",
            params={"indicator": ind, "value": value},
            field="value",
        )
        return  # a whole number to suggest would be negative too ("-3 or -2")
    in_indicator_unit = convert(value, unit, indicator_unit) if unit_ok else value
    if value > LARGEST_VALUE or in_indicator_unit > LARGEST_VALUE:
        yield ValidationError(
            f"result value for {ind} is {value:g}, more than any result holds "
            f"(at most {LARGEST_VALUE:g}); check the number and its unit",
            message_id="result_too_large",
            params={"indicator": ind, "value": value, "upper": LARGEST_VALUE},
            field="value",
        )
        return
    if unit_ok and is_count(indicator_unit):
        counted = convert(value, unit, indicator_unit)
        # a count in its own unit is whole exactly (1e-10 people is no count); one
        # converted ("1.5 thousand people") only up to the conversion's rounding
        off = abs(counted - round(counted))
        if off > (0.0 if unit == indicator_unit else 1e-9 * max(1.0, abs(counted))):
            yield ValidationError(
                f"result value for {ind} is {value:g} {unit_word(unit)}, but "
                f"{ind} is a count (of {unit_word(indicator_unit)}): give a whole "
                f"number, such as {int(counted)} or {int(counted) + 1}",
                message_id="result_whole",
                params={"indicator": ind, "value": value, "lower": int(counted),
                        "upper": int(counted) + 1},
                field="value",
            )  # fmt: skip
