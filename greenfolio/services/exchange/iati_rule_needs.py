"""Which element names a rule needs before it can fail, so that most rules are skipped.

Most rule types can only fail on something their XPaths select: ``no_spaces`` on
``participating-org/@ref`` cannot fail in an activity without a ``participating-org``.
Reading a simple location path gives the element names it needs; an activity's set of
element names (one pass over it) then tells which contexts and cases can be skipped
without evaluating any XPath. An expression that is not a simple location path (a
function, a comparison, a namespace prefix) gives no answer, and the rule always runs.

``Needs`` is a tuple of alternatives: the rule can fail only if, for at least one
alternative, every name in it occurs. ``None`` means: always run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

Needs = tuple[frozenset[str], ...] | None

_NAME = re.compile(r"[A-Za-z_][\w.\-]*")
_BRANCH = re.compile(r"/{0,2}[^/|]+(?:/{1,2}[^/|]+)*")
_PASS_STEPS = {".", "..", "*", "text()", "node()"}


def _strip_predicates(expr: str) -> str | None:
    """The expression without its ``[...]`` predicates (quotes respected)."""
    out: list[str] = []
    depth = 0
    quote = ""
    for ch in expr:
        if quote:
            if ch == quote:
                quote = ""
            continue
        if ch in "'\"" and depth:
            quote = ch
            continue
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth < 0:
                return None
        elif depth == 0:
            out.append(ch)
    return None if depth or quote else "".join(out)


def of_expression(expr: str) -> Needs:
    """The element names a simple location path (or a union of them) needs to select."""
    stripped = _strip_predicates(expr)
    if stripped is None:
        return None
    alternatives = []
    for branch in stripped.split("|"):
        branch = branch.strip()
        if not _BRANCH.fullmatch(branch):
            return None
        names = set()
        for step in (s for s in branch.split("/") if s):
            axis, _sep, name = step.rpartition("::")
            if axis not in ("", "child", "descendant", "descendant-or-self", "self"):
                if axis in ("attribute", "parent", "ancestor", "ancestor-or-self"):
                    continue
                return None
            if step in _PASS_STEPS or name in _PASS_STEPS or step.startswith("@"):
                continue
            if axis == "attribute":
                continue
            if not _NAME.fullmatch(name):
                return None
            names.add(name)
        alternatives.append(frozenset(names))
    return tuple(alternatives)


def any_of(needs: Iterable[Needs]) -> Needs:
    """Needs of something that can fail if any of its parts can."""
    out: list[frozenset[str]] = []
    for need in needs:
        if need is None:
            return None
        out.extend(need)
    return tuple(out)


def all_of(*needs: Needs) -> Needs:
    """Needs of something that can fail only if every part selects something."""
    known = [n for n in needs if n is not None]
    if not known:
        return None
    combined: list[frozenset[str]] = [frozenset()]
    for need in known:
        combined = [a | b for a in combined for b in need]
    return tuple(combined)


def _dates(expr: Any) -> Needs:
    return None if expr in ("NOW", "TODAY") else of_expression(str(expr))


_ONE_OR_ALL: dict[str, Needs] = {
    "lang": (frozenset({"narrative"}),),
    "sector": (frozenset({"transaction"}),),
    "currency": (frozenset({"value"}), frozenset({"forecast"}), frozenset({"loan-status"})),
    "recipient-country|recipient-region": (frozenset({"transaction"}),),
}

_PATHS_MUST_MATCH = {
    "no_more_than_one",
    "dependent",
    "sum",
    "regex_matches",
    "regex_no_matches",
    "startswith",
    "unique",
    "no_spaces",
    "no_percent",
    "range",
}


def of_case(rule: str, spec: Mapping[str, Any], loop: Mapping[str, Any] | None) -> Needs:
    """What a case needs before it can fail (its loop's ``foreach`` must select too)."""
    own: Needs = None
    if rule in _PATHS_MUST_MATCH:
        own = any_of(of_expression(p) for p in spec.get("paths", []))
    elif rule == "date_order":
        own = all_of(_dates(spec["less"]), _dates(spec["more"]))
    elif rule == "time_limit":
        own = all_of(_dates(spec["start"]), _dates(spec["end"]))
    elif rule in ("between_dates", "date_now"):
        own = _dates(spec["date"])
    elif rule == "one_or_all":
        own = _ONE_OR_ALL.get(str(spec["all"]))
    if loop is None:
        return own
    return all_of(own, of_expression(str(loop["foreach"])))


def met(needs: Needs, names: frozenset[str] | set[str]) -> bool:
    return needs is None or any(alt <= names for alt in needs)
