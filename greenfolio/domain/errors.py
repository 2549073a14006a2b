"""Errors the domain raises; each message says what is wrong and how to fix it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any


class GreenfolioError(Exception):
    """Base of every error Greenfolio reports to a person (exit code 2 in the CLI).

    Its text is English (the CLI's and the API's ``message``). A refusal people meet on
    the web pages also carries a ``message_id`` and its ``params`` (plain values: text,
    numbers, lists of them), so a page can say the same thing in the visitor's language
    from its catalogue; without an id a page falls back to the English text. A broken
    rule about one field of a record names it in ``field`` (``value``, ``country``), so a
    form shows the problem next to that field and an import names that field's column.
    """

    message_id: str | None = None
    params: Mapping[str, Any] = MappingProxyType({})
    field: str | None = None

    def __init__(
        self,
        *args: object,
        message_id: str | None = None,
        params: Mapping[str, Any] | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(*args)
        if message_id is not None:
            self.message_id = message_id
        self.params = dict(params or {})
        self.field = field


class ValidationError(GreenfolioError):
    """Input that breaks a rule of the domain (unknown code, bad value, wrong state)."""


class Problems(ValidationError):
    """Several broken rules of one record, found together so that a form can show every
    one at once; its text joins theirs."""

    def __init__(self, problems: Sequence[ValidationError]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = tuple(problems)


class UnitMismatchError(GreenfolioError):
    """Quantities whose units cannot be added, named with the records that carry them."""


class NotFoundError(GreenfolioError):
    """A record, figure or code that does not exist."""


def _shown(value: object) -> str:
    """A given value as a person wrote it: numbers without a trailing .0, text in quotes."""
    if isinstance(value, bool) or value is None:
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return f"'{value}'"
    return "a value of another kind"


_DATE_TYPES = {
    "date_from_datetime_parsing",
    "date_parsing",
    "date_type",
    "date_from_datetime_inexact",
}


def _allowed(problem: Mapping[str, Any]) -> str:
    """What the rule behind one failed check allows, in words."""
    kind = str(problem.get("type", ""))
    ctx = problem.get("ctx") or {}
    bounds = {
        "greater_than_equal": ("ge", "{} or more"),
        "greater_than": ("gt", "more than {}"),
        "less_than_equal": ("le", "{} or less"),
        "less_than": ("lt", "less than {}"),
    }
    if kind in bounds:
        key, text = bounds[kind]
        return "it must be " + text.format(_shown(ctx.get(key)).strip("'"))
    if kind in _DATE_TYPES:
        # pydantic's reason helps where it names the part out of range ("day value is
        # outside expected range"); "invalid character in year" for 01/01/2021 does not
        detail = str(ctx.get("error", "")).replace("_", " ")
        said = f" ({detail})" if "outside expected range" in detail else ""
        return "write a real date as YYYY-MM-DD, such as 2021-06-30" + said
    if kind == "enum":
        return f"choose from {ctx.get('expected', '')}".replace("'", "")
    if kind == "finite_number":
        return "it must be a finite number"
    if kind in ("float_parsing", "float_type"):
        given = problem.get("input")
        if isinstance(given, str) and "," in given:
            return "it must be a number, with a point for decimals (e.g. 12.5)"
        return "it must be a number"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "it must be a whole number"
    if kind in ("string_too_short", "string_too_long"):
        return str(problem.get("msg", "")).replace("String should", "it should")
    message = str(problem.get("msg", "is not allowed"))
    return message[len("Value error, ") :] if message.startswith("Value error, ") else message


def describe_problems(
    problems: Sequence[Mapping[str, Any]], label: Callable[[str], str] = str
) -> str:
    """Failed field checks (pydantic's ``errors()``) as sentences: which field, what was given,
    what is allowed. ``label`` names a field the way the reader knows it (e.g. ``--period-start``).
    """
    parts = []
    for problem in problems:
        loc = [str(p) for p in problem.get("loc", ()) if p != "__root__"]
        name = label(loc[0]) + "".join(f".{p}" for p in loc[1:]) if loc else "the input"
        kind = str(problem.get("type", ""))
        if kind == "missing":
            parts.append(f"{name} is required")
        elif kind == "extra_forbidden":
            parts.append(f"{name} is not a known field")
        else:
            parts.append(f"{name}: {_shown(problem.get('input'))} was given; {_allowed(problem)}")
    return "; ".join(parts)


def describe_value(problem: Mapping[str, Any]) -> str:
    """One failed check of a single value (an option's), without a field name: what was
    given and what is allowed ("'12,5' was given; it must be a number")."""
    if str(problem.get("type", "")) == "value_error":
        return _allowed(problem)  # the check's own sentence names the value
    return f"{_shown(problem.get('input'))} was given; {_allowed(problem)}"


class InvalidFields(ValidationError):
    """Fields that break their rules, kept as data so each interface can name the fields its
    own way (an option on the command line, a form field in a page)."""

    def __init__(self, problems: Sequence[Mapping[str, Any]], subject: str = "") -> None:
        self.problems = [dict(p) for p in problems]
        self.subject = subject
        super().__init__(self.describe())

    def describe(self, label: Callable[[str], str] = str) -> str:
        text = describe_problems(self.problems, label)
        return f"{self.subject}: {text}" if self.subject else text
