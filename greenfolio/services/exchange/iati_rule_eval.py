"""How ruleset expressions are evaluated on an activity, and how values are read.

Ruleset XPaths are compiled once. The value a ``loop`` substitutes for ``$1`` is passed
as the XPath variable ``$loopvalue``, never pasted into the expression, so a value from
the file cannot change what an expression means. Plain paths such as ``a/b/@c`` are read
with lxml's element API instead of XPath (same nodes, much less overhead), and while one
activity is checked, results are remembered, since many cases share their paths.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from lxml import etree

LOOP_VARIABLE = "loopvalue"


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


def number(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


@lru_cache(maxsize=256)
def pattern(regex: str) -> re.Pattern[str]:
    return re.compile(regex)
