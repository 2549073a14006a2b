"""IATI rule findings in words, in the six UN languages, grouped by rule.

A rule that fails in many places is one group: one sentence saying what the rule asks
(from the rule type's template in ``iati_rules_messages.yaml``, filled with the case's
XPaths) and, for each place, the activity, the line, the XPath of the node and what was
found there. The same data goes to ``--json``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from babel.numbers import format_decimal
from lxml import etree

from greenfolio.domain.exchange import Problem, Severity
from greenfolio.domain.languages import CLDR_LOCALES, check_language
from greenfolio.refdata.loader import read_yaml
from greenfolio.services.exchange import iati_rule_eval as ev
from greenfolio.services.exchange import iati_rule_types as rt
from greenfolio.services.exchange.iati_rules import (
    Case,
    FileReport,
    Finding,
    Ruleset,
    check_activity,
    default_env,
)


@lru_cache(maxsize=1)
def messages() -> dict[str, Any]:
    data: dict[str, Any] = read_yaml("greenfolio.services.exchange", "iati_rules_messages.yaml")
    return data


def say(section: str, key: str, lang: str, **params: object) -> str:
    """A template of the messages file, filled in."""
    return str(messages()[section][key][lang]).format(**params)


@dataclass(slots=True)
class Group:
    """Every failure of one case (and, inside a loop, one loop value)."""

    case: Case
    loop_value: str | None
    findings: list[Finding] = field(default_factory=list)


def group(findings: list[Finding]) -> list[Group]:
    """Findings grouped by case and loop value, in the order they were first met."""
    groups: dict[tuple[int, str | None], Group] = {}
    for finding in findings:
        key = (finding.case.uid, finding.loop_value)
        if key not in groups:
            groups[key] = Group(finding.case, finding.loop_value)
        groups[key].findings.append(finding)
    return list(groups.values())


_STEP = re.compile(r"\[[^\]]*\]")


def element_of(context: str) -> str:
    """``<owner-org>`` for a context XPath (the last step of each of its branches)."""
    names = []
    for branch in context.split("|"):
        last = _STEP.sub("", branch.strip()).rstrip("/").split("/")[-1] or branch.strip()
        if last not in names:
            names.append(last)
    return " / ".join(f"<{n}>" for n in names)


def _show(expr: Any, value: str | None) -> str:
    text = str(expr)
    if value is not None:
        text = text.replace(f"${ev.LOOP_VARIABLE}", f"'{value}'")
    return text


def _list(exprs: Any, value: str | None) -> str:
    items = [exprs] if isinstance(exprs, str) else list(exprs or [])
    return ", ".join(_show(e, value) for e in items) or "—"


def _template(case: Case) -> str:
    spec = case.spec
    if case.rule == "one_or_all":
        return {
            "lang": "one_or_all_lang",
            "sector": "one_or_all_sector",
            "currency": "one_or_all_currency",
        }.get(str(spec["all"]), "one_or_all_recipient")
    if case.rule == "startswith":
        if rt.prefixes_of(spec) == [rt.ORG_ID_PREFIX]:
            return "startswith_agency"
        return "startswith_separator" if spec.get("separator") else "startswith"
    return case.rule


def found_text(detail: str, params: Mapping[str, Any], lang: str) -> str:
    """What a rule found, in ``lang``: a total written as the language writes numbers
    ("leur total est 16,66", not "16.66"); values from the file stay as written."""
    shown = dict(params)
    if detail == "total" and "total" in shown:
        with suppress(InvalidOperation, ValueError):
            number = Decimal(str(shown["total"]))
            shown["total"] = format_decimal(
                number, locale=CLDR_LOCALES[lang], decimal_quantization=False
            )
    return say("found", detail, lang, **shown)


_LITERAL_FREE = re.compile(r"'[^']*'|\"[^\"]*\"")
_ROOTS = re.compile(r"^/+(?:iati-activities/iati-activity|iati-organisations/iati-organisation)/")


def sentence(case: Case, lang: str, value: str | None = None) -> str:
    """What the case asks, in ``lang``."""
    spec = case.spec

    def date(key: str) -> str:
        raw = spec.get(key, "")
        return say("ui", "today", lang) if raw in ("NOW", "TODAY") else _show(raw, value)

    def bound(key: str) -> str:
        return str(spec[key]) if key in spec else say("ui", "no_limit", lang)

    params = {
        "element": element_of(case.context),
        "paths": _list(spec.get("paths"), value),
        "excluded": _list(spec.get("excluded"), value),
        "one": _show(spec.get("one", ""), value),
        "sum": str(spec.get("sum", "")),
        "less": date("less"),
        "more": date("more"),
        "date": date("date"),
        "start": date("start"),
        "end": date("end"),
        "regex": str(spec.get("regex", "")),
        "prefix": _list(rt.prefixes_of(spec), value),
        "separator": str(spec.get("separator", "")),
        "min": bound("min"),
        "max": bound("max"),
        "if": _show(spec.get("if", ""), value),
        "then": _show(spec.get("then", ""), value),
        "eval": _show(spec.get("eval", ""), value),
    }
    text = say("rules", _template(case), lang, **params)
    if "[" in _LITERAL_FREE.sub("", case.context):
        # a context that picks some elements only (8.9.1: indicators measured 1 to 4)
        # says which: the element's name alone would lose it
        text = say("rules", "in_context", lang, sentence=text.rstrip(".。"),
                   context=_ROOTS.sub("", case.context))  # fmt: skip
    if "condition" in spec:
        # the case runs only where its condition holds (3.4.2: more than one recipient)
        condition = _show(spec["condition"], value)
        text = say("rules", "condition", lang, sentence=text.rstrip(".。"), condition=condition)
    if case.loop is not None and value is not None:
        # after "For the value … of …:" the sentence goes on in lower case
        inner = text[:1].lower() + text[1:]
        text = say("rules", "loop", lang, value=value, foreach=case.loop["foreach"], sentence=inner)
    return text


def _xpaths(case: Case, value: str | None) -> list[str]:
    keys = ("paths",) if "paths" in case.spec else ("less", "date", "start", "one", "if", "eval")
    exprs: list[str] = []
    for key in keys:
        raw = case.spec.get(key)
        if isinstance(raw, str) and raw not in ("NOW", "TODAY"):
            exprs.append(raw)
        elif isinstance(raw, list):
            exprs.extend(raw)
    return [f"{case.context}/{_show(e, value)}" for e in exprs] or [case.context]


def group_data(g: Group, kind: str, lang: str, count: int | None = None) -> dict[str, Any]:
    """One group as data; ``count`` is the number of failures if more than are listed."""
    case = g.case
    return {
        "rule": case.rule,
        "rule_id": case.rule_id,
        "severity": case.severity,
        "message": sentence(case, lang, g.loop_value),
        "ruleset_message": case.message,
        "context": case.context,
        "xpaths": _xpaths(case, g.loop_value),
        "loop_value": g.loop_value,
        "count": count if count is not None else len(g.findings),
        "listed": len(g.findings),
        "occurrences": [
            {
                kind.removeprefix("iati-"): f.activity,
                "line": f.line,
                "xpath": f.path,
                "found": found_text(f.detail, f.params, lang),
                "values": dict(f.params),
            }
            for f in g.findings
        ],
    }


def report_data(report: FileReport, lang: str) -> dict[str, Any]:
    """The whole report as data (``--json``), messages in ``lang``."""
    check_language(lang)
    groups = [
        group_data(g, report.kind, lang, report.counts[(g.case.uid, g.loop_value)])
        for g in group(report.findings)
    ]
    return {
        "file": report.file,
        "ruleset": report.ruleset,
        "kind": report.kind.removeprefix("iati-"),
        "checked": report.checked,
        "version": report.version,
        "passed": report.passed,
        "with_findings": report.affected,
        "errors": sum(1 for g in groups if g["severity"] == "error"),
        "warnings": sum(1 for g in groups if g["severity"] == "warning"),
        "lang": lang,
        "findings": groups,
    }


def summary(data: dict[str, Any], lang: str) -> str:
    checked = say("ui", f"checked_iati-{data['kind']}", lang, count=data["checked"])
    if data["passed"]:
        return say(
            "ui", "passed", lang, file=data["file"], ruleset=data["ruleset"], checked=checked
        )
    return say(
        "ui",
        "failed",
        lang,
        file=data["file"],
        ruleset=data["ruleset"],
        checked=checked,
        affected=data["with_findings"],
        rules=len(data["findings"]),
        errors=data["errors"],
        warnings=data["warnings"],
    )


_UNNAMED = re.compile(r"#(\d+)")
"""How ``identifier_of`` names an activity without an identifier: its place in the file."""


def _who(kind: str, ident: str, lang: str) -> str:
    unnamed = _UNNAMED.fullmatch(ident)
    if unnamed:
        return say("ui", f"{kind}_unnamed", lang, n=unnamed.group(1))
    return say("ui", kind, lang, id=ident)


def text_lines(data: dict[str, Any], lang: str, shown: int = 5) -> list[str]:
    """The report as lines for a terminal: each group, then up to ``shown`` places."""
    kind = f"iati-{data['kind']}"
    who = data["kind"]
    lines: list[str] = []
    version = str(data.get("version") or "")
    if version.startswith("1."):
        lines.append(say("ui", "legacy_version", lang, version=version))
    elif not version and data["kind"] == "activity" and data["checked"]:
        # as import iati reads it: a file that states no version is a 1.0x one
        lines.append(say("ui", "no_version", lang))
    if not data["checked"]:
        # nothing to break a rule: said, so that an empty file is not taken for a good one
        lines.append(say("ui", f"nothing_checked_{data['kind']}", lang))
    sep = say("ui", "separator", lang)
    for g in data["findings"]:
        refs = [say("ui", "rule_ref", lang, id=g["rule_id"])] if g["rule_id"] else []
        refs.append(say("ui", "times", lang, count=g["count"]))
        severity = say("ui", g["severity"], lang)
        joined = say("ui", "refs_separator", lang).join(refs)
        lines.append(
            say("ui", "heading", lang, severity=severity, message=g["message"], refs=joined)
        )
        if g["ruleset_message"]:
            # IATI's own words, in English, said to be so outside English: the plain
            # sentence a reader needs beside the rule's XPath (a newcomer found it
            # dropped with --lang fr)
            lines.append("  " + say("ui", "iati_says", lang, message=g["ruleset_message"]))
        for occ in g["occurrences"][:shown]:
            where = [_who(kind, str(occ[who]), lang)]
            if occ["line"]:
                where.append(say("ui", "line", lang, line=occ["line"]))
            where.append(occ["xpath"])
            lines.append(
                "  " + say("ui", "occurrence", lang, place=sep.join(where), found=occ["found"])
            )
        if g["count"] > shown:
            lines.append("  " + say("ui", "more", lang, count=g["count"] - shown))
    lines.append(summary(data, lang))
    return lines


def as_problems(
    findings: list[Finding],
    file: str,
    *,
    strict: bool = False,
    lang: str = "en",
    sentences: dict[tuple[int, str | None], str] | None = None,
    details: dict[tuple[object, ...], str] | None = None,
) -> list[Problem]:
    """Findings as import problems (one each), for ``import iati --rules``.

    Every finding is a warning, except under ``strict``, where the ruleset's errors are
    errors (which keep the activity out); the ruleset's warnings stay warnings. The
    message is the rule's sentence alone, so an import's summary groups each rule once;
    the place (line, activity, XPath) and what was found there are kept apart. In English,
    the ruleset's own message follows the sentence, as ``validate iati`` prints it.
    ``sentences`` remembers each rule's sentence across calls (cases of one ruleset), and
    ``details`` what was found, by kind and values (the same few recur in most files).
    """
    problems = []
    known = sentences if sentences is not None else {}
    found = details if details is not None else {}
    for f in findings:
        severity = Severity.ERROR if strict and f.case.severity == "error" else Severity.WARNING
        key = (f.case.uid, f.loop_value)
        text = known.get(key)
        if text is None:
            text = sentence(f.case, lang, f.loop_value)
            if lang == "en" and f.case.message:  # the ruleset's own words, as validate says
                text = f"{text} {say('ui', 'iati_says', lang, message=f.case.message)}"
            known[key] = text
        seen = (f.detail, *f.params.items())
        detail = found.get(seen)
        if detail is None:
            if len(found) >= 4096:
                found.clear()
            detail = found[seen] = found_text(f.detail, f.params, lang)
        problems.append(
            Problem(
                text,
                severity=severity,
                file=file,
                line=f.line,
                activity=f.activity,
                xpath=f.path,
                detail=detail,
            )
        )
    return problems


RuleCheck = Callable[[etree._Element, int], list[Problem]]
"""What the import calls on each activity element (with its position in the file)."""


class ImportCheck:
    """The rules as a check of one activity of the import's own streaming pass.

    With ``keep``, memory stays flat on huge files, as in ``check_file``: every finding
    is counted, but only the first ``keep`` of each rule (and loop value) become
    problems; ``more`` then gives, once the pass is over, one problem per rule saying
    how many more were not listed. Under ``strict``, an activity that a ruleset error
    refuses always keeps one problem saying why.
    """

    def __init__(
        self,
        ruleset: Ruleset,
        file: str,
        *,
        strict: bool = False,
        env: rt.Env | None = None,
        keep: int | None = None,
        lang: str = "en",
    ) -> None:
        self.ruleset = ruleset
        self.file = file
        self.strict = strict
        self.env = env or default_env()
        self.keep = keep
        self.lang = lang
        self.counts: dict[tuple[int, str | None], int] = {}
        """Findings per case and loop value, all of them."""
        self.listed: dict[tuple[int, str | None], int] = {}
        """Of those, how many became problems."""
        self._cases: dict[tuple[int, str | None], Case] = {}
        self._full: set[tuple[int, str | None]] = set()
        """Rules (and loop values) with ``keep`` findings listed: the rest are counted
        without being made into findings (except what may refuse an activity)."""
        self._tally: dict[tuple[int, str | None], int] = {}
        self._sentences: dict[tuple[int, str | None], str] = {}
        self._details: dict[tuple[object, ...], str] = {}

    def __call__(self, el: etree._Element, index: int) -> list[Problem]:
        tally = self._tally
        findings = check_activity(
            el, self.ruleset, self.env, index, counted=self._full, tally=tally
        )
        if tally:
            for key, count in tally.items():
                self.counts[key] = self.counts.get(key, 0) + count
            tally.clear()
        if not findings:
            return []
        if self.keep is not None:
            findings = self._kept(findings)
        return as_problems(
            findings,
            self.file,
            strict=self.strict,
            lang=self.lang,
            sentences=self._sentences,
            details=self._details,
        )

    def _kept(self, findings: list[Finding]) -> list[Finding]:
        keep = self.keep if self.keep is not None else len(findings)
        kept: list[Finding] = []
        refusing: Finding | None = None
        for f in findings:
            key = (f.case.uid, f.loop_value)
            count = self.counts[key] = self.counts.get(key, 0) + 1
            self._cases.setdefault(key, f.case)
            if count >= keep and not (self.strict and f.case.severity == "error"):
                self._full.add(key)
            if count <= keep:
                kept.append(f)
                self.listed[key] = self.listed.get(key, 0) + 1
            elif refusing is None and self.strict and f.case.severity == "error":
                refusing = f
        if refusing is not None and not any(
            self.strict and f.case.severity == "error" for f in kept
        ):
            # the activity is refused: its reason is listed, whatever the count
            key = (refusing.case.uid, refusing.loop_value)
            kept.append(refusing)
            self.listed[key] = self.listed.get(key, 0) + 1
        return kept

    def more(self) -> list[Problem]:
        """One warning per rule with findings not listed, saying how many."""
        out = []
        for key, count in self.counts.items():
            hidden = count - self.listed.get(key, 0)
            if hidden <= 0:
                continue
            text = self._sentences.get(key) or sentence(self._cases[key], self.lang, key[1])
            note = say("ui", "import_more", self.lang, count=hidden, keep=self.keep)
            out.append(Problem(f"{text} {note}", severity=Severity.WARNING, file=self.file))
        return out


def import_check(
    ruleset: Ruleset,
    file: str,
    *,
    strict: bool = False,
    env: rt.Env | None = None,
    keep: int | None = None,
) -> ImportCheck:
    """The rules as a check of one activity of the import's own streaming pass (every
    finding a problem, or with ``keep`` the first ``keep`` of each rule: ``ImportCheck``)."""
    return ImportCheck(ruleset, file, strict=strict, env=env, keep=keep)
