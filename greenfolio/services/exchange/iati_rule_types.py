"""What each IATI ruleset rule type checks, on one context element (IATI-Rulesets SPEC.rst).

Every check takes the context element, the case (a dict from the ruleset) and the
evaluation environment, and returns the failures it found: an empty list means the rule
passes or does not apply. A failure names the node it is about (for its line and path)
and a detail key with parameters, which ``iati_rules_text`` turns into a sentence.

XPath expressions come from the ruleset and are compiled once; the value a ``loop``
substitutes for ``$1`` is passed as the XPath variable ``$loopvalue``, never pasted into
the expression, so a value from the file cannot change what an expression means.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from lxml import etree

LOOP_VARIABLE = "loopvalue"


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


@lru_cache(maxsize=4096)
def xpath(expr: str) -> etree.XPath:
    """A compiled ruleset expression (raises ``etree.XPathSyntaxError`` if malformed)."""
    return etree.XPath(expr, smart_strings=True)


_MEMO: ContextVar[dict[tuple[Any, str, str | None], Any] | None] = ContextVar(
    "iati_rules_memo", default=None
)
"""Results already computed for the activity being checked (many cases share paths)."""


@contextmanager
def memo() -> Iterator[None]:
    """Remember XPath results while one activity is checked (results are not to be changed)."""
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


class AttributeValue(str):
    """An attribute's value found without XPath, answering like lxml's smart strings."""

    is_attribute = True
    is_text = False
    attrname: str
    _parent: etree._Element

    def getparent(self) -> etree._Element:
        return self._parent


def _attribute(el: etree._Element, name: str) -> list[Any]:
    value = el.get(name)
    if value is None:
        return []
    found = AttributeValue(value)
    found.attrname = name
    found._parent = el
    return [found]


_SIMPLE = re.compile(
    r"(?P<path>[A-Za-z_][\w.\-]*(?:/[A-Za-z_][\w.\-]*)*)?(?:(?(path)/)@(?P<attr>[\w.\-]+(?::[\w.\-]+)?))?"
)
_XML_NS = "{http://www.w3.org/XML/1998/namespace}"


@lru_cache(maxsize=4096)
def _simple(expr: str) -> tuple[str | None, str | None] | None:
    """(child path, attribute) of a plain path such as ``a/b/@c``; None for anything else."""
    m = _SIMPLE.fullmatch(expr.strip())
    if m is None or not (m["path"] or m["attr"]):
        return None
    attr = m["attr"]
    if attr and ":" in attr:
        prefix, local = attr.split(":", 1)
        if prefix != "xml":
            return None
        attr = _XML_NS + local
    return m["path"], attr


def _evaluate(el: etree._Element, expr: str, variables: Mapping[str, str]) -> Any:
    simple = _simple(expr)
    if simple is None:
        return xpath(expr)(el, **variables)
    path, attr = simple
    holders = el.findall(path) if path else [el]
    if attr is None:
        return holders
    return [v for holder in holders for v in _attribute(holder, attr)]


def select(el: etree._Element, expr: str, variables: Mapping[str, str]) -> Any:
    cache = _MEMO.get()
    if cache is None:
        return _evaluate(el, expr, variables)
    key = (el, expr, variables.get(LOOP_VARIABLE))
    if key not in cache:
        cache[key] = _evaluate(el, expr, variables)
    return cache[key]


def nodes(el: etree._Element, expr: str, variables: Mapping[str, str]) -> list[Any]:
    result = select(el, expr, variables)
    return result if isinstance(result, list) else []


def truthy(result: Any) -> bool:
    """XPath ``boolean()`` of a result."""
    if isinstance(result, float):
        return not math.isnan(result) and result != 0
    return bool(result)


def text_of(node: Any) -> str:
    """The text of an element (all its text, like the DOM's textContent) or a value."""
    if isinstance(node, etree._Element):
        return "".join(node.itertext())
    return str(node)


def matches(el: etree._Element, case: Mapping[str, Any], vs: Mapping[str, str]) -> list[Any]:
    return [n for path in case.get("paths", []) for n in nodes(el, path, vs)]


_DATE = re.compile(r"\s*(-?\d{4,})-(\d{2})-(\d{2})")
_DATETIME = re.compile(
    r"\s*(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?"
)


def parse_date(text: str) -> date | None:
    m = _DATE.match(text)
    if not m:
        return None
    try:
        return date(*(int(g) for g in m.groups()))
    except ValueError:
        return None


def parse_datetime(text: str) -> datetime | None:
    """An xsd:dateTime or xsd:date as an aware datetime (no zone: read as UTC)."""
    m = _DATETIME.match(text)
    if not m:
        return None
    y, mo, d, hh, mm, ss, zone = m.groups()
    try:
        value = datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
    except ValueError:
        return None
    if zone in (None, "Z"):
        return value.replace(tzinfo=UTC)
    sign = 1 if zone[0] == "+" else -1
    offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    return (value - sign * offset).replace(tzinfo=UTC)


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


def number(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


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


def _one_year_after(start: date) -> date:
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
    if end > _one_year_after(start):
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


@lru_cache(maxsize=256)
def pattern(regex: str) -> re.Pattern[str]:
    return re.compile(regex)


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
