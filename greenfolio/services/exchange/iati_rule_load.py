"""Reading an IATI ruleset (IATI-Rulesets SPEC.rst) into checked, compiled cases.

A ruleset maps context XPaths to rule types to cases. ``load_ruleset`` reads and checks
one: every expression compiled, every rule type known, errors naming the context, rule
and case. Each case also carries what lets the engine skip it (``iati_rule_needs``,
``iati_rule_fast``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from lxml import etree

from greenfolio.domain.errors import ValidationError
from greenfolio.services.exchange import iati_rule_eval as ev
from greenfolio.services.exchange import iati_rule_fast as fast
from greenfolio.services.exchange import iati_rule_needs as needs
from greenfolio.services.exchange import iati_rule_types as rt

PACKAGED = ("standard",)
"""Rulesets shipped in ``refdata/iati/rulesets`` (IATI-Rulesets, branch version-2.03)."""


@dataclass(frozen=True, slots=True)
class Case:
    """One case of one rule type under one context, with the ruleset's information on it."""

    uid: int
    context: str
    rule: str
    spec: Mapping[str, Any]
    severity: str = "error"
    rule_id: str | None = None
    message: str | None = None
    loop: Mapping[str, Any] | None = None
    """For a case inside a ``loop``: the loop's own case (``foreach``, ``subs``)."""
    needs: needs.Needs = None
    """Element names without which the case cannot fail (see ``iati_rule_needs``)."""
    fails: str | None = None
    """For a plain case, an XPath true exactly when it fails (see ``iati_rule_fast``)."""
    ups: int | None = None
    """How far above its context node the case looks (None: maybe outside the activity)."""
    loop_fails: str | None = None
    """For a case inside a ``loop``, an XPath true whenever it fails for the loop value
    ``$loopvalue`` (as ``fails``, see ``iati_rule_fast``)."""


@dataclass(frozen=True, slots=True)
class Ruleset:
    name: str
    contexts: tuple[tuple[str, needs.Needs, tuple[Case, ...]], ...]
    plans: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)
    """What runs for each set of element names met so far (see ``_plan``)."""

    @property
    def cases(self) -> int:
        return sum(len(cases) for _ctx, _needs, cases in self.contexts)


# --- loading ---------------------------------------------------------------------------


def _bad(where: str, what: str) -> ValidationError:
    return ValidationError(f"ruleset {where}: {what}")


def _compile(where: str, expr: Any) -> None:
    if not isinstance(expr, str):
        raise _bad(where, f"expected an XPath expression (text), found {json.dumps(expr)}")
    try:
        ev.xpath(expr)
    except etree.XPathSyntaxError as exc:
        raise _bad(where, f"the XPath {expr!r} is malformed ({exc}); correct it") from exc


def _substituted(spec: Mapping[str, Any], subs: list[str]) -> dict[str, Any]:
    """The case with ``$1`` in the ``subs`` keys turned into the loop variable."""

    def sub(text: str) -> str:
        return re.sub(r"""'\$1'|"\$1"|\$1""", f"${ev.LOOP_VARIABLE}", text)

    out = dict(spec)
    for key in subs:
        value = out.get(key)
        if isinstance(value, str):
            out[key] = sub(value)
        elif isinstance(value, list):
            out[key] = [sub(v) if isinstance(v, str) else v for v in value]
    return out


def _check_case(where: str, rule: str, spec: Mapping[str, Any]) -> None:
    for key in rt.REQUIRED.get(rule, ()):
        if key not in spec:
            raise _bad(where, f"a {rule} case needs the key {key!r}; add it")
    skip = rt.NOT_EXPRESSIONS
    for key in rt.EXPRESSION_KEYS:
        if key in spec and spec[key] not in skip.get(key, ()):
            _compile(f"{where}, {key}", spec[key])
    for key in rt.LIST_EXPRESSION_KEYS:
        if key in spec:
            values = [spec[key]] if isinstance(spec[key], str) else spec[key]
            if not isinstance(values, list):
                raise _bad(where, f"{key!r} must be a list of XPath expressions")
            for value in values:
                if value not in skip.get(key, ()):
                    _compile(f"{where}, {key}", value)
    if rule == "one_or_all" and spec["all"] not in rt.ONE_OR_ALL:
        known = ", ".join(rt.ONE_OR_ALL)
        raise _bad(where, f"one_or_all 'all' is {spec['all']!r}; this engine knows {known}")
    if "regex" in spec:
        try:
            ev.pattern(spec["regex"])
        except re.error as exc:
            bad = f"the regular expression {spec['regex']!r} is malformed: {exc}"
            raise _bad(where, bad) from exc
    for key in ("sum", "min", "max"):
        if key in spec and ev.number(str(spec[key])) is None:
            raise _bad(where, f"{key!r} must be a number, not {spec[key]!r}")


def _rule_name(where: str, name: str) -> str:
    rule = rt.CAMEL_CASE.get(name, name)
    if rule not in rt.CHECKS and rule != "loop":
        known = ", ".join(sorted([*rt.CHECKS, "loop"]))
        raise _bad(where, f"{name!r} is not a rule type of the IATI ruleset spec ({known})")
    return rule


def _cases(where: str, rules: Any) -> Iterator[tuple[str, str, dict[str, Any]]]:
    if not isinstance(rules, dict):
        raise _bad(where, "expected an object of rule types")
    for name, body in rules.items():
        rule = _rule_name(f"{where}, rule {name!r}", name)
        cases = body.get("cases") if isinstance(body, dict) else None
        if not isinstance(cases, list):
            raise _bad(f"{where}, rule {name!r}", 'expected {"cases": [...]}')
        for index, spec in enumerate(cases, 1):
            if not isinstance(spec, dict):
                raise _bad(f"{where}, rule {name!r}, case {index}", "expected an object")
            yield f"{where}, rule {name!r}, case {index}", rule, spec


def _info(spec: Mapping[str, Any]) -> dict[str, Any]:
    info = spec.get("ruleInfo") or {}
    severity = str(info.get("severity", "error")).lower()
    return {
        "severity": "warning" if severity == "warning" else "error",
        "rule_id": info.get("id"),
        "message": info.get("message"),
    }


def _fast(rule: str, spec: Mapping[str, Any], loop: Mapping[str, Any] | None) -> dict[str, Any]:
    return {
        "fails": fast.failure_expression(rule, spec, loop),
        "ups": fast.ups(fast.expressions(spec, loop)),
    }


def parse_ruleset(data: Any, name: str) -> Ruleset:
    """A checked ruleset from its JSON data; errors name the context, rule and case."""
    if not isinstance(data, dict):
        raise _bad(name, "expected a JSON object of context XPaths")
    uid = 0
    contexts = []
    for context, rules in data.items():
        _compile(f"{name}, context {context!r}", context)
        cases: list[Case] = []
        for where, rule, spec in _cases(f"{name}, context {context!r}", rules):
            _check_case(where, rule, spec)
            if rule != "loop":
                uid += 1
                need = needs.of_case(rule, spec, None)
                shortcut = _fast(rule, spec, None)
                cases.append(Case(uid, context, rule, spec, needs=need, **shortcut, **_info(spec)))
                continue
            subs = spec.get("subs", [])
            for sub_where, sub_rule, sub_spec in _cases(f"{where}, do", spec["do"]):
                if sub_rule == "loop":
                    raise _bad(sub_where, "a loop inside a loop is not part of the spec")
                fixed = _substituted(sub_spec, subs)
                _check_case(sub_where, sub_rule, fixed)
                uid += 1
                need = needs.of_case(sub_rule, fixed, spec)
                info = {**_info(sub_spec), **_fast(sub_rule, fixed, spec)}
                info["loop_fails"] = fast.failure_expression(sub_rule, fixed, None)
                cases.append(Case(uid, context, sub_rule, fixed, loop=spec, needs=need, **info))
        contexts.append((context, needs.of_expression(context), tuple(cases)))
    return Ruleset(name, tuple(contexts))


def load_ruleset(which: str) -> Ruleset:
    """A packaged ruleset by name (``standard``) or a ruleset JSON file by path."""
    if which in PACKAGED:
        text = (
            resources.files("greenfolio.refdata")
            .joinpath(f"iati/rulesets/{which}.json")
            .read_text("utf-8")
        )
        return parse_ruleset(json.loads(text), which)
    path = Path(which)
    if not path.is_file():
        raise ValidationError(
            f"no ruleset {which!r}: give {', '.join(PACKAGED)} or the path of a ruleset JSON file",
            message_id="iati_ruleset_missing",
            params={"which": which, "packaged": ", ".join(PACKAGED)},
        )
    try:
        data = json.loads(path.read_text("utf-8"))
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"ruleset {path.name} is not text (UTF-8): a ruleset is a JSON file",
            message_id="iati_ruleset_not_text",
            params={"name": path.name},
        ) from exc
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"ruleset {path.name} is not valid JSON: line {exc.lineno}, column {exc.colno}: "
            f"{exc.msg}",
            message_id="iati_ruleset_not_json",
            params={"name": path.name, "line": exc.lineno, "column": exc.colno, "detail": exc.msg},
        ) from exc
    return parse_ruleset(data, path.name)
