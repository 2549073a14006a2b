"""Shortcuts for running a ruleset on an activity that change no finding, only the time.

Two of them, decided when the ruleset is loaded and, for each set of element names an
activity has, once (``iati_rules._plan``):

- **In place.** Each activity is judged as a document of its own (its file's root
  element holding that one activity). Copying it into such a document costs as much as
  many rules, so a context such as ``/iati-activities/iati-activity/budget`` is rewritten
  as ``self::iati-activity/budget`` and evaluated on the activity where it stands in the
  streamed tree. That gives the same nodes only if no expression of the context can look
  outside the activity: an absolute path, an axis that leaves the subtree (ancestor,
  preceding, following) or more ``..`` steps than the context is deep. Any of those, or a
  context that cannot be rewritten, and that context runs on a copy as before.
- **One XPath for the plain cases.** ``atleast_one``, ``if_then`` and
  ``evaluates_to_true`` fail exactly when an XPath expression is true (``not(a or b)``,
  ``if and not(then)``, ``not(eval)``, under their ``condition``), and so do
  ``no_more_than_one``, ``dependent``, ``one_or_all`` and ``regex_matches`` with a
  ``^[^…]+$`` pattern; ``date_order``, ``date_now``, ``time_limit``, ``no_spaces``,
  ``no_percent`` and ``range`` can fail only where one is (dates not in order, close to
  today, more than 9999 apart as YYYYMMDD or not written YYYY-MM-DD, a value that begins
  or ends with a space, holds a ``%``, or is not strictly inside the bounds), and any
  other case only where its ``condition`` holds.
  The expressions of the plain cases are joined into one compiled XPath that marks, in
  one libxml2 call per activity, which of the activity's own cases may fail and which
  contexts below it have an element on which one may; only those run, as usual (the
  cases of a marked context are told apart on each of its elements, again in one call).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any

from lxml import etree

from greenfolio.services.exchange import iati_rule_eval as ev
from greenfolio.services.exchange import iati_rule_needs as needs
from greenfolio.services.exchange import iati_rule_types as rt

_NAME = r"[A-Za-z_][\w.\-]*"
_LITERAL = re.compile(r"'[^']*'|\"[^\"]*\"")
_ABSOLUTE = re.compile(r"(?:^|[\s(\[,|=<>!+])/")
_LEAVES = ("ancestor", "preceding", "following", "id(", "document(", "root(")
_STEP_SPLIT = re.compile(r"/(?![^\[]*\])")


def _top_level_branches(expr: str) -> list[str] | None:
    """The ``|`` branches of an expression, outside predicates and literals."""
    branches, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(expr):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        elif ch == "|" and depth == 0:
            branches.append(expr[start:i].strip())
            start = i + 1
    if depth or quote:
        return None
    branches.append(expr[start:].strip())
    return branches


def _depth(relative: str) -> int:
    """Steps below the activity of a rewritten branch (``self::a/b/c`` is 2)."""
    if relative.startswith("descendant-or-self::"):
        return 1 + len(_STEP_SPLIT.split(relative)) - 1
    return len(_STEP_SPLIT.split(relative)) - 1


@lru_cache(maxsize=1024)
def local_context(context: str, root: str, activity: str) -> tuple[str, int] | None:
    """``context`` as an expression on the activity element, with how deep it reaches
    at least; None if it cannot be read that way."""
    branches = _top_level_branches(context)
    if branches is None:
        return None
    out, depth = [], None
    head = f"/{root}/{activity}"
    for branch in branches:
        if branch == head or branch.startswith((head + "/", head + "[")):
            relative = f"self::{activity}{branch[len(head) :]}"
        elif branch.startswith("//") and (m := re.match(_NAME, branch[2:])) and m[0] != root:
            relative = f"descendant-or-self::{branch[2:]}"
        else:
            return None
        out.append(relative)
        d = _depth(relative)
        depth = d if depth is None else min(depth, d)
    return " | ".join(out), depth or 0


def ups(exprs: Iterable[str]) -> int | None:
    """How many levels above its context node ``exprs`` may look (``..`` steps), or None
    if they may leave the activity altogether (an absolute path, an outward axis)."""
    count = 0
    for expr in exprs:
        bare = _LITERAL.sub("''", expr)
        if _ABSOLUTE.search(bare) or any(word in bare for word in _LEAVES):
            return None
        count += bare.count("..") + bare.count("parent::")
    return count


def expressions(spec: Mapping[str, Any], loop: Mapping[str, Any] | None) -> Iterable[str]:
    """Every XPath expression of a case (and of its loop)."""
    skip = rt.NOT_EXPRESSIONS
    for key in (*rt.EXPRESSION_KEYS, *rt.LIST_EXPRESSION_KEYS, "excluded"):
        raw = spec.get(key)
        values = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
        for value in values:
            if isinstance(value, str) and value not in skip.get(key, ()):
                yield value
    if spec.get("idCondition") is not None:
        yield from spec.get("paths", [])
    if loop is not None:
        yield str(loop["foreach"])


def _paren(expr: str) -> str:
    return f"({expr})"


_SPACES = "".join(
    chr(c) for c in range(0x3001) if chr(c).isspace() and (c >= 0x20 or chr(c) in "\t\n\r")
)
"""What ``str.strip`` strips, of the characters XML can hold (none is above U+3000)."""
_EDGE_SPACE = (
    f'contains("{_SPACES}", substring(., 1, 1)) or '
    f'contains("{_SPACES}", substring(., string-length(.), 1))'
)


def _each(paths: list[str], predicate: str) -> str | None:
    """True if a node of ``paths`` meets ``predicate``; None unless all are location paths."""
    if not paths or any(needs.of_expression(p) is None for p in paths):
        return None
    return " or ".join(f"boolean(({p})[{predicate}])" for p in paths)


def _bound(value: Any) -> str | None:
    """A range bound as an XPath number, if a double holds it exactly."""
    number = ev.number(str(value))
    if number is None or Decimal(float(number)) != number:
        return None
    return repr(float(number))


def _range(spec: Mapping[str, Any], paths: list[str]) -> str | None:
    tests = []
    for key, op in (("min", ">"), ("max", "<")):
        if key in spec:
            bound = _bound(spec[key])
            if bound is None:
                return None
            tests.append(f"number(.) {op} {bound}")
    inside = " and ".join(tests) or "number(.) = number(.)"
    # a value written exactly as a whole-number bound (percentage "100") is inside too
    low, high = (ev.number(str(spec[k])) if k in spec else None for k in ("min", "max"))
    for exact in (low, high):
        if (
            exact is not None
            and exact == exact.to_integral_value()
            and (low is None or low <= exact)
            and (high is None or exact <= high)
        ):
            inside = f"({inside}) or . = '{int(exact)}'"
    return _each(paths, f"not({inside})")


_CHAR_CLASS = re.compile(r"\^\[\^((?:\\[^A-Za-z0-9]|[^\]\\\-^])+)\]\+\$")


def _regex(spec: Mapping[str, Any], paths: list[str]) -> str | None:
    """``^[^…]+$`` (a value made only of characters not listed) as XPath: a non-empty
    value fails exactly when it holds a listed character. Other patterns: None."""
    m = _CHAR_CLASS.fullmatch(str(spec["regex"]))
    if m is None:
        return None
    chars = re.sub(r"\\(.)", r"\1", m[1])
    quote = "'" if "'" not in chars else '"' if '"' not in chars else None
    if quote is None:
        return None
    listed = f"{quote}{chars}{quote}"
    return _each(paths, f"string-length(.) > 0 and translate(., {listed}, '') != .")


def _date_key(expr: str) -> str:
    return f"number(translate(substring({expr}, 1, 10), '-', ''))"


def _iso_date(expr: str) -> str:
    """True if the first node of ``expr`` reads as YYYY-MM-DD and nothing before it."""
    return f"translate(substring({expr}, 1, 10), '0123456789', '0000000000') = '0000-00-00'"


TODAY = "today"
"""The XPath variable holding today's date as the number YYYYMMDD (see ``marks``)."""
RECENT = "recent"
"""The XPath variable holding, as the number YYYYMMDD, a day far enough before today
(``RECENT_DAYS``) that no date and time written on it can be later than now, whatever
its zone offset (at most 99:99 hours, ``iati_rule_eval.parse_datetime``)."""
RECENT_DAYS = 10


def _date_order(spec: Mapping[str, Any]) -> str | None:
    """Where ``less`` and ``more`` select one node each with a plain YYYY-MM-DD date,
    comparing them as the numbers YYYYMMDD; anything else may fail (Python decides)."""
    less, more = str(spec["less"]), str(spec["more"])
    if less in ("NOW", "TODAY") or needs.of_expression(less) is None:
        return None
    if more in ("NOW", "TODAY"):
        later = f"not({_iso_date('.')}) or {_date_key('.')} > ${TODAY}"
        return f"boolean(({less})[{later}])"
    if needs.of_expression(more) is None:
        return None
    return (
        f"count({less}) > 1 or count({more}) > 1 or (boolean({less}) and boolean({more}) "
        f"and (not({_iso_date(less)}) or not({_iso_date(more)}) "
        f"or {_date_key(less)} > {_date_key(more)}))"
    )


def _date_now(spec: Mapping[str, Any]) -> str | None:
    """Where ``date`` selects nodes: one that is not a plain YYYY-MM-DD date, or whose
    day is not long before today, may be later than now (Python decides)."""
    expr = str(spec["date"])
    if needs.of_expression(expr) is None:
        return None
    return f"boolean(({expr})[not({_iso_date('.')}) or {_date_key('.')} >= ${RECENT}])"


def _time_limit(spec: Mapping[str, Any]) -> str | None:
    """Where ``start`` and ``end`` select one node each with a plain YYYY-MM-DD date:
    the period can be longer than a year only if end's YYYYMMDD exceeds start's by more
    than 9999 (a year later is start + 10000, or + 9999 from 29 February)."""
    start, end = str(spec["start"]), str(spec["end"])
    if any(e in ("NOW", "TODAY") or needs.of_expression(e) is None for e in (start, end)):
        return None
    return (
        f"count({start}) > 1 or count({end}) > 1 or (boolean({start}) and boolean({end}) "
        f"and (not({_iso_date(start)}) or not({_iso_date(end)}) "
        f"or {_date_key(end)} > {_date_key(start)} + 9999))"
    )


def failure_expression(rule: str, spec: Mapping[str, Any], loop: Any) -> str | None:
    """An XPath that is true whenever the case fails, or None for rule types that
    cannot be put so. For ``atleast_one``, ``if_then`` and ``evaluates_to_true`` it is
    exactly the failure, and so for ``no_more_than_one``, ``dependent``, ``one_or_all``
    and ``regex_matches`` with a ``^[^…]+$`` pattern; for ``date_order``, ``date_now``,
    ``time_limit``, ``no_spaces``, ``no_percent`` and ``range`` it may also be true where
    the case passes (a date not written YYYY-MM-DD or close to today, an empty value, a
    bound met exactly), never the reverse. A case of any other type with a ``condition``
    gets the condition alone (it cannot fail where its condition does not hold).
    """
    if loop is not None:
        return None
    # an ``idCondition`` only narrows where a case fails: leaving it out errs the safe way
    paths = [str(p) for p in spec.get("paths", [])]
    fails: str | None = None
    if rule == "atleast_one":
        # only location paths: a path giving a number or string counts as nothing found
        if paths and all(needs.of_expression(p) is not None for p in paths):
            fails = "not(" + " or ".join(_paren(p) for p in paths) + ")"
    elif rule == "if_then":
        fails = f"boolean({spec['if']}) and not({spec['then']})"
    elif rule == "evaluates_to_true":
        fails = f"not({spec['eval']})"
    elif rule == "no_spaces":
        fails = _each(paths, _EDGE_SPACE)
    elif rule == "no_percent":
        fails = _each(paths, "contains(., '%')")
    elif rule == "range":
        fails = _range(spec, paths)
    elif rule == "regex_matches":
        fails = _regex(spec, paths)
    elif rule == "date_order":
        fails = _date_order(spec)
    elif rule == "date_now":
        fails = _date_now(spec)
    elif rule == "time_limit":
        fails = _time_limit(spec)
    elif rule == "no_more_than_one" and _each(paths, "true()") is not None:
        fails = " + ".join(f"count({p})" for p in paths) + " > 1"
    elif rule == "dependent" and _each(paths, "true()") is not None:
        present = [f"boolean({p})" for p in paths]
        fails = f"({' or '.join(present)}) and not({' and '.join(present)})"
    elif rule == "one_or_all" and spec.get("all") in rt.ONE_OR_ALL:
        each, wanted = rt.ONE_OR_ALL[str(spec["all"])]
        fails = f"not(boolean({spec['one']})) and boolean(({each})[not(boolean({wanted}))])"
    if "condition" in spec:
        # a case runs only where its condition holds: that alone tells where it may fail
        condition = f"boolean({spec['condition']})"
        fails = condition if fails is None else f"{condition} and ({fails})"
    if fails is None:
        return None
    try:
        etree.XPath(fails)(etree.Element("x"), **{TODAY: 0, RECENT: 0, ev.LOOP_VARIABLE: ""})
    except (etree.XPathSyntaxError, etree.XPathEvalError):
        return None
    return fails


_MARK = 0x100
"""Case ``i`` of a context's plain cases is marked by the character ``chr(_MARK + i)``."""


@lru_cache(maxsize=1024)
def marker(fails: tuple[str, ...]) -> etree.XPath:
    """One XPath giving a string with one mark for each of ``fails`` that holds."""
    parts = [f"substring('{chr(_MARK + i)}', 1, number(boolean({f})))" for i, f in enumerate(fails)]
    return etree.XPath("concat(" + ", ".join([*parts, "''", "''"]) + ")", smart_strings=False)


def marks(xpath: etree.XPath, node: etree._Element, days: tuple[int, int]) -> set[int]:
    """Which of a marker's expressions hold on ``node``, in one libxml2 call; ``days``
    are the values of ``TODAY`` and ``RECENT``."""
    return {ord(ch) - _MARK for ch in str(xpath(node, today=days[0], recent=days[1]))}


@lru_cache(maxsize=1024)
def xpath(expr: str) -> etree.XPath:
    """A compiled failure expression of a case inside a loop (see ``holds``)."""
    return etree.XPath(f"boolean({expr})")


def holds(xpath: etree.XPath, node: etree._Element, days: tuple[int, int], value: str) -> bool:
    """Whether a loop case's failure expression holds on ``node`` for one loop value."""
    return bool(xpath(node, today=days[0], recent=days[1], **{ev.LOOP_VARIABLE: value}))


@lru_cache(maxsize=1024)
def on_activity(local: str, fails: str, tag: str) -> str:
    """``(local)[fails]`` as read on the activity element itself (the marker's node), in
    fewer steps: libxml2 pays for each step and each predicate, and on the activity
    ``self::iati-activity/a`` is ``a``, and ``(self::iati-activity)[f]`` is ``f`` where
    ``f`` is a boolean (a number there would test the position)."""
    head = f"self::{tag}"
    if local == head:
        try:
            value = etree.XPath(fails)(
                etree.Element(tag), **{TODAY: 0, RECENT: 0, ev.LOOP_VARIABLE: ""}
            )
        except (etree.XPathSyntaxError, etree.XPathEvalError):
            value = None
        return fails if isinstance(value, bool) else f"({local})[{fails}]"
    branches = _top_level_branches(local) or [local]
    short = [b[len(head) + 1 :] if b.startswith(head + "/") else b for b in branches]
    return f"({' | '.join(short)})[{fails}]"


def position_free(expr: str) -> bool:
    """True if ``expr`` means the same inside a predicate as on its own node."""
    bare = _LITERAL.sub("''", expr)
    return "position(" not in bare and "last(" not in bare


class Paths:
    """The XPath of a node as it would read in the activity's own document."""

    __slots__ = ("_own", "_shown", "_tree")

    _INDEX = re.compile(r"\[\d+\]$")

    def __init__(self, el: etree._Element) -> None:
        self._tree = el.getroottree()
        self._own = str(self._tree.getpath(el))
        self._shown = self._INDEX.sub("", self._own)

    def of(self, node: etree._Element) -> str:
        path = str(self._tree.getpath(node))
        return self._shown + path[len(self._own) :]


def in_own_tree(node: etree._Element) -> str:
    """The XPath of ``node`` in the tree it sits in (a copy of the activity's document)."""
    return str(node.getroottree().getpath(node))


def path_of(
    node: Any, fallback: etree._Element, where: Callable[[etree._Element], str]
) -> tuple[int | None, str]:
    """Line and concrete XPath of a result node (element, attribute or text)."""
    if isinstance(node, etree._Element):
        return node.sourceline, where(node)
    parent = getattr(node, "getparent", lambda: None)()
    if parent is None:
        return fallback.sourceline, where(fallback)
    base = where(parent)
    if getattr(node, "is_attribute", False):
        name = str(node.attrname)
        if name.startswith("{http://www.w3.org/XML/1998/namespace}"):
            name = "xml:" + name.split("}", 1)[1]
        return parent.sourceline, f"{base}/@{name}"
    return parent.sourceline, f"{base}/text()"
