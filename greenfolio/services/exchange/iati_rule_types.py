"""What each IATI ruleset rule type checks, on one context element (IATI-Rulesets SPEC.rst).

Every check takes the context element, the case (a dict from the ruleset) and the
evaluation environment, and returns the failures it found: an empty list means the rule
passes or does not apply. A failure names the node it is about (for its line and path)
and a detail key with parameters, which ``iati_rules_text`` turns into a sentence.

XPath expressions come from the ruleset and are compiled once; the value a ``loop``
substitutes for ``$1`` is passed as the XPath variable ``$loopvalue``, never pasted into
the expression, so a value from the file cannot change what an expression means
(``iati_rule_eval``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from lxml import etree

from greenfolio.services.exchange.iati_rule_eval import (
    matches,
    nodes,
    number,
    parse_date,
    parse_datetime,
    pattern,
    select,
    text_of,
    truthy,
)


@dataclass(frozen=True, slots=True)
class Env:
    """What a rule may need besides the element: the time now and the identifier lists."""

    now: datetime
    org_id_prefixes: frozenset[str] = frozenset()
    org_ids: frozenset[str] = frozenset()
    """Registered publisher identifiers; empty: every identifier counts as not registered."""


@dataclass(frozen=True, slots=True)
class Failure:
    node: Any
    """The element or attribute value the failure is about (None: the context element)."""
    detail: str
    params: Mapping[str, str] = field(default_factory=dict)


def _dates(
    el: etree._Element, expr: str, vs: Mapping[str, str], env: Env
) -> list[tuple[Any, date]]:
    if expr in ("NOW", "TODAY"):
        return [(None, env.now.date())]
    found = []
    for node in nodes(el, expr, vs):
        value = parse_date(text_of(node))
        if value is not None:
            found.append((node, value))
    return found


def _first_date(el: etree._Element, expr: str, vs: Mapping[str, str], env: Env) -> date | None:
    found = _dates(el, expr, vs, env)
    return found[0][1] if found else None


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f")


Check = Callable[[etree._Element, Mapping[str, Any], Mapping[str, str], Env], list[Failure]]


def atleast_one(
    el: etree._Element, case: Mapping[str, Any], vs: Mapping[str, str], env: Env
) -> list[Failure]:
    return [] if matches(el, case, vs) else [Failure(None, "none_found")]


def no_more_than_one(
    el: etree._Element, case: Mapping[str, Any], vs: Mapping[str, str], env: Env
) -> list[Failure]:
    found = matches(el, case, vs)
    return [Failure(found[1], "count", {"count": str(len(found))})] if len(found) > 1 else []


def only_one_of(
    el: etree._Element, case: Mapping[str, Any], vs: Mapping[str, str], env: Env
) -> list[Failure]:
    found = matches(el, case, vs)
    excluded = [x for x in case.get("excluded", []) if truthy(select(el, x, vs))]
    if excluded:
        if found:
            return [Failure(found[0], "excluded_present", {"excluded": ", ".join(excluded)})]
        return []
    return [] if len(found) == 1 else [Failure(None, "count", {"count": str(len(found))})]


ONE_OR_ALL: dict[str, tuple[str, str]] = {
    "lang": ("descendant::narrative", "@xml:lang"),
    "sector": ("transaction", "sector"),
    "currency": ("descendant::value | descendant::forecast | descendant::loan-status", "@currency"),
    "recipient-country|recipient-region": ("transaction", "recipient-country | recipient-region"),
}
"""For each ``all`` keyword: which elements must each carry what, when ``one`` is absent."""


def one_or_all(
    el: etree._Element, case: Mapping[str, Any], vs: Mapping[str, str], env: Env
) -> list[Failure]:
    if truthy(select(el, case["one"], vs)):
        return []
    each, needs = ONE_OR_ALL[case["all"]]
    return [
        Failure(node, "missing_on", {"element": f"<{node.tag}>"})
        for node in nodes(el, each, vs)
        if not truthy(select(node, needs, vs))
    ]


def dependent(
    el: etree._Element, case: Mapping[str, Any], vs: Mapping[str, str], env: Env
) -> list[Failure]:
    paths = case.get("paths", [])
    present = [p for p in paths if nodes(el, p, vs)]
    if present and len(present) < len(paths):
        missing = [p for p in paths if p not in present]
        return [
            Failure(None, "partial", {"present": ", ".join(present), "missing": ", ".join(missing)})
        ]
    return []


def strict_sum(
    el: etree._Element, case: Mapping[str, Any], vs: Mapping[str, str], env: Env
) -> list[Failure]:
    total = Decimal(0)
    for node in matches(el, case, vs):
        value = number(text_of(node))
        if value is None:
            return [Failure(node, "not_a_number", {"value": text_of(node)})]
        total += value
    expected = Decimal(str(case["sum"]))
    if total != expected:
        return [Failure(None, "total", {"total": _fmt(total)})]
    return []


def sum_(
    el: etree._Element, case: Mapping[str, Any], vs: Mapping[str, str], env: Env
) -> list[Failure]:
    return strict_sum(el, case, vs, env) if matches(el, case, vs) else []


def date_order(
    el: etree._Element, case: Mapping[str, Any], vs: Mapping[str, str], env: Env
) -> list[Failure]:
    more = _dates(el, case["more"], vs, env)
    if not more:
        return []
    latest_allowed = min(d for _n, d in more)
    return [
        Failure(node, "later", {"value": d.isoformat(), "other": latest_allowed.isoformat()})
        for node, d in _dates(el, case["less"], vs, env)
        if d > latest_allowed
    ]


def date_now(
    el: etree._Element, case: Mapping[str, Any], vs: Mapping[str, str], env: Env
) -> list[Failure]:
    failures = []
    for node in nodes(el, case["date"], vs):
        value = parse_datetime(text_of(node))
        if value is not None and value > env.now:
            failures.append(Failure(node, "future", {"value": text_of(node).strip()}))
    return failures


def one_year_after(start: date) -> date:
    """The same day a year later (28 February for 29 February): IATI's limit of a budget
    period (rule 7.5.3), here and where the export checks its budgets."""
    try:
        return start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        return start.replace(year=start.year + 1, day=28)


def time_limit(
    el: etree._Element, case: Mapping[str, Any], vs: Mapping[str, str], env: Env
) -> list[Failure]:
    start = _first_date(el, case["start"], vs, env)
    ends = _dates(el, case["end"], vs, env)
    if start is None or not ends:
        return []
    node, end = ends[0]
    if end > one_year_after(start):
        return [Failure(node, "period", {"start": start.isoformat(), "end": end.isoformat()})]
    return []


def between_dates(
    el: etree._Element, case: Mapping[str, Any], vs: Mapping[str, str], env: Env
) -> list[Failure]:
    start = _first_date(el, case["start"], vs, env)
    end = _first_date(el, case["end"], vs, env)
    if start is None or end is None:
        return []
    return [
        Failure(
            node,
            "outside",
            {"value": d.isoformat(), "start": start.isoformat(), "end": end.isoformat()},
        )
        for node, d in _dates(el, case["date"], vs, env)
        if not start <= d <= end
    ]


def regex_matches(
    el: etree._Element, case: Mapping[str, Any], vs: Mapping[str, str], env: Env
) -> list[Failure]:
    rx = pattern(case["regex"])
    return [
        Failure(node, "no_match", {"value": text_of(node)})
        for node in matches(el, case, vs)
        if text_of(node) != "" and not rx.search(text_of(node))
    ]


def regex_no_matches(
    el: etree._Element, case: Mapping[str, Any], vs: Mapping[str, str], env: Env
) -> list[Failure]:
    rx = pattern(case["regex"])
    return [
        Failure(node, "match", {"value": text_of(node)})
        for node in matches(el, case, vs)
        if text_of(node) != "" and rx.search(text_of(node))
    ]


ORG_ID_PREFIX = "ORG-ID-PREFIX"


def prefixes_of(case: Mapping[str, Any]) -> list[str]:
    """The prefix expressions of a ``startswith`` case (``prefix`` list, or older ``start``)."""
    raw = case.get("prefix", case.get("start", []))
    return [raw] if isinstance(raw, str) else list(raw)


def startswith(
    el: etree._Element, case: Mapping[str, Any], vs: Mapping[str, str], env: Env
) -> list[Failure]:
    exprs = prefixes_of(case)
    failures = []
    if exprs == [ORG_ID_PREFIX]:
        for node in matches(el, case, vs):
            text = text_of(node)
            if "-".join(text.split("-")[:2]) not in env.org_id_prefixes:
                failures.append(Failure(node, "no_agency", {"value": text}))
        return failures
    starts = [text_of(n) for e in exprs for n in nodes(el, e, vs)]
    separator = str(case.get("separator", ""))
    for node in matches(el, case, vs):
        text = text_of(node)
        if not any(text.startswith(s + separator) for s in starts):
            shown = ", ".join(f"'{s}{separator}'" for s in starts) or "—"
            failures.append(Failure(node, "prefix", {"value": text, "starts": shown}))
    return failures


def unique(
    el: etree._Element, case: Mapping[str, Any], vs: Mapping[str, str], env: Env
) -> list[Failure]:
    seen: dict[str, int] = {}
    failures = []
    for node in matches(el, case, vs):
        text = text_of(node)
        seen[text] = seen.get(text, 0) + 1
        if seen[text] == 2:
            failures.append(Failure(node, "repeated", {"value": text}))
    return failures


def no_spaces(
    el: etree._Element, case: Mapping[str, Any], vs: Mapping[str, str], env: Env
) -> list[Failure]:
    return [
        Failure(node, "value", {"value": text_of(node)})
        for node in matches(el, case, vs)
        if text_of(node) != text_of(node).strip()
    ]


def no_percent(
    el: etree._Element, case: Mapping[str, Any], vs: Mapping[str, str], env: Env
) -> list[Failure]:
    return [
        Failure(node, "value", {"value": text_of(node)})
        for node in matches(el, case, vs)
        if "%" in text_of(node)
    ]


def range_(
    el: etree._Element, case: Mapping[str, Any], vs: Mapping[str, str], env: Env
) -> list[Failure]:
    low = Decimal(str(case["min"])) if "min" in case else None
    high = Decimal(str(case["max"])) if "max" in case else None
    failures = []
    for node in matches(el, case, vs):
        value = number(text_of(node))
        if value is None:
            failures.append(Failure(node, "not_a_number", {"value": text_of(node)}))
        elif (low is not None and value < low) or (high is not None and value > high):
            failures.append(Failure(node, "out_of_range", {"value": text_of(node)}))
    return failures


def if_then(
    el: etree._Element, case: Mapping[str, Any], vs: Mapping[str, str], env: Env
) -> list[Failure]:
    if truthy(select(el, case["if"], vs)) and not truthy(select(el, case["then"], vs)):
        return [Failure(None, "not_met")]
    return []


def evaluates_to_true(
    el: etree._Element, case: Mapping[str, Any], vs: Mapping[str, str], env: Env
) -> list[Failure]:
    return [] if truthy(select(el, case["eval"], vs)) else [Failure(None, "not_met")]


CHECKS: dict[str, Check] = {
    "atleast_one": atleast_one,
    "no_more_than_one": no_more_than_one,
    "only_one_of": only_one_of,
    "one_or_all": one_or_all,
    "dependent": dependent,
    "sum": sum_,
    "strict_sum": strict_sum,
    "date_order": date_order,
    "date_now": date_now,
    "time_limit": time_limit,
    "between_dates": between_dates,
    "regex_matches": regex_matches,
    "regex_no_matches": regex_no_matches,
    "startswith": startswith,
    "unique": unique,
    "no_spaces": no_spaces,
    "no_percent": no_percent,
    "range": range_,
    "if_then": if_then,
    "evaluates_to_true": evaluates_to_true,
}
"""Every rule type but ``loop`` (which runs the others), by its snake-case name."""

CAMEL_CASE: dict[str, str] = {
    "atLeastOne": "atleast_one",
    "noMoreThanOne": "no_more_than_one",
    "onlyOneOf": "only_one_of",
    "oneOrAll": "one_or_all",
    "strictSum": "strict_sum",
    "dateOrder": "date_order",
    "dateNow": "date_now",
    "timeLimit": "time_limit",
    "betweenDates": "between_dates",
    "regexMatches": "regex_matches",
    "regexNoMatches": "regex_no_matches",
    "startsWith": "startswith",
    "noSpaces": "no_spaces",
    "noPercent": "no_percent",
    "ifThen": "if_then",
    "evaluatesToTrue": "evaluates_to_true",
}
"""The JS validator's names for the same rule types (SPEC.rst allows either)."""

REQUIRED: dict[str, tuple[str, ...]] = {
    "only_one_of": ("excluded",),
    "one_or_all": ("one", "all"),
    "sum": ("sum",),
    "strict_sum": ("sum",),
    "date_order": ("less", "more"),
    "date_now": ("date",),
    "time_limit": ("start", "end"),
    "between_dates": ("date", "start", "end"),
    "regex_matches": ("regex",),
    "regex_no_matches": ("regex",),
    "if_then": ("if", "then"),
    "evaluates_to_true": ("eval",),
    "loop": ("foreach", "do"),
}
"""Keys a case of each rule type cannot do without."""

EXPRESSION_KEYS = (
    "condition",
    "less",
    "more",
    "date",
    "start",
    "end",
    "one",
    "if",
    "then",
    "eval",
    "foreach",
)
LIST_EXPRESSION_KEYS = ("paths", "excluded", "prefix")
NOT_EXPRESSIONS = {"less": ("NOW", "TODAY"), "more": ("NOW", "TODAY"), "prefix": (ORG_ID_PREFIX,)}
