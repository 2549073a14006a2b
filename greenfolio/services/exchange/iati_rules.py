"""IATI data-quality rules, read as data from an IATI ruleset (IATI-Rulesets SPEC.rst).

``load_ruleset`` (``iati_rule_load``) reads and checks a ruleset, and ``check_activity``
runs it on one ``iati-activity`` or ``iati-organisation`` element, so the same function
serves a file of its own (``check_file``, a streaming pass) and the import's own pass.

Like IATI's validator, each activity is judged as a document of its own: the file's root
element (with its attributes) holding that one activity, so an activity never sees its
neighbours and the parser's read-ahead does not matter. A context whose expressions
cannot look outside the activity is evaluated on the activity in place; any other on a
copy of that small document (``iati_rule_fast``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from greenfolio.domain.exchange import Problem, RefusedError
from greenfolio.services.exchange import codelists, xml_safety
from greenfolio.services.exchange import iati_rule_eval as ev
from greenfolio.services.exchange import iati_rule_fast as fast
from greenfolio.services.exchange import iati_rule_needs as needs
from greenfolio.services.exchange import iati_rule_types as rt
from greenfolio.services.exchange.iati_rule_load import (
    PACKAGED,
    Case,
    Ruleset,
    load_ruleset,
    parse_ruleset,
)
from greenfolio.services.exchange.xml_safety import (
    DEFAULT_MAX_BYTES,
    PARSER_OPTIONS,
    element_name,
)

__all__ = [
    "IDENTIFIER",
    "PACKAGED",
    "ROOTS",
    "Case",
    "FileReport",
    "Finding",
    "Ruleset",
    "check_activity",
    "check_file",
    "default_env",
    "identifier_of",
    "load_ruleset",
    "parse_ruleset",
]
"""Loading lives in ``iati_rule_load``; it is offered here with the rest."""

ROOTS = {"iati-activities": "iati-activity", "iati-organisations": "iati-organisation"}
IDENTIFIER = {"iati-activity": "iati-identifier", "iati-organisation": "organisation-identifier"}


@dataclass(frozen=True, slots=True)
class Finding:
    """One failure of one case, where it happened, and what was found there."""

    case: Case
    activity: str
    line: int | None
    path: str
    detail: str
    params: Mapping[str, str] = field(default_factory=dict)
    loop_value: str | None = None


# --- evaluation ------------------------------------------------------------------------


def default_env(now: datetime | None = None) -> rt.Env:
    """The environment with the packaged organisation-identifier agencies."""
    agencies = codelists.codes("OrganisationRegistrationAgency")
    return rt.Env(now=now or datetime.now(UTC), org_id_prefixes=agencies)


def _id_condition_holds(
    el: etree._Element, spec: Mapping[str, Any], vs: Mapping[str, str], env: rt.Env
) -> bool:
    condition = spec.get("idCondition")
    if condition is None or not env.org_ids:  # with no registry, no identifier is known
        return True
    texts = [ev.text_of(n) for n in ev.matches(el, spec, vs)]
    if condition == "NOT_EXISTING_ORG_ID":
        return all(t not in env.org_ids for t in texts)
    if condition == "NOT_EXISTING_ORG_ID_PREFIX":
        return all(not any(t.startswith(f"{o}-") for o in env.org_ids) for t in texts)
    return True


Where = Callable[[etree._Element], str]
"""The XPath of an element as it reads in the activity's own document."""


_NO_VARIABLES: Mapping[str, str] = {}


def _run_case(
    el: etree._Element, case: Case, act: _Activity, env: rt.Env, value: str | None, where: Where
) -> list[Finding]:
    vs = {ev.LOOP_VARIABLE: value} if value is not None else _NO_VARIABLES
    spec = case.spec
    if "condition" in spec and not ev.truthy(ev.select(el, spec["condition"], vs)):
        return []
    if "idCondition" in spec and not _id_condition_holds(el, spec, vs, env):
        return []
    failures = rt.CHECKS[case.rule](el, spec, vs, env)
    if not failures:
        return []
    key = (case.uid, value)
    if key in act.counted:
        # a finding that will not be listed: counted, with no place worked out
        act.tally[key] = act.tally.get(key, 0) + len(failures)
        return []
    findings = []
    ident = act.ident
    for failure in failures:
        line, path = fast.path_of(failure.node if failure.node is not None else el, el, where)
        findings.append(Finding(case, ident, line, path, failure.detail, failure.params, value))
    return findings


_ROOT_OF = {v: k for k, v in ROOTS.items()}


def _standalone(el: etree._Element) -> etree._Element:
    """A copy of the activity inside a copy of its root element (attributes kept)."""
    parent = el.getparent()
    tag = parent.tag if parent is not None else _ROOT_OF.get(str(el.tag), "iati-activities")
    attrib = dict(parent.attrib) if parent is not None else {}
    nsmap = parent.nsmap if parent is not None else None
    shell = etree.Element(tag, attrib=attrib, nsmap=nsmap)
    shell.append(copy.deepcopy(el))
    return shell[0]


def identifier_of(el: etree._Element, index: int) -> str:
    child = el.find(IDENTIFIER.get(str(el.tag), "iati-identifier"))
    text = (child.text or "").strip() if child is not None else ""
    return text or f"#{index}"


class _Activity:
    """One activity being checked: where it is evaluated, and how its paths read."""

    __slots__ = ("_copy", "_paths", "counted", "el", "ident", "names", "root", "tally")

    def __init__(
        self,
        el: etree._Element,
        ident: str,
        counted: Container[tuple[int, str | None]] = frozenset(),
        tally: dict[tuple[int, str | None], int] | None = None,
    ) -> None:
        self.el = el
        self.ident = ident
        self.counted = counted
        self.tally: dict[tuple[int, str | None], int] = tally if tally is not None else {}
        parent = el.getparent()
        # in place only where the root is the activity's own kind of file root
        placed = (
            parent is not None
            and parent.getparent() is None
            and ROOTS.get(str(parent.tag)) == el.tag
        )
        self.root = str(parent.tag) if placed and parent is not None else None
        names = {e.tag for e in el.iter()}
        names.add(
            parent.tag if parent is not None else _ROOT_OF.get(str(el.tag), "iati-activities")
        )
        self.names = frozenset(names)
        self._copy: etree._Element | None = None
        self._paths: fast.Paths | None = None

    def copy(self) -> etree._Element:
        if self._copy is None:
            self._copy = _standalone(self.el)
        return self._copy

    def where(self, node: etree._Element) -> str:
        if self._paths is None:
            self._paths = fast.Paths(self.el)
        return self._paths.of(node)


@dataclass(frozen=True, slots=True)
class _Step:
    """One context of a plan, with the cases that can fail in it."""

    context: str
    cases: tuple[Case, ...]
    local: str | None
    """The context as an expression on the activity, where evaluating in place is safe."""
    early: frozenset[int]
    """Cases (by position) whose failure the plan's marker judges for the whole activity."""
    plain: tuple[tuple[Case, ...], etree.XPath | None, tuple[Case, ...], etree.XPath | None]
    """The plain cases judged on each element the context selects, with their marker:
    those not judged early, then (when the context is marked as a whole) all of them."""
    unmarked: tuple[Case, ...]
    """The cases that run whatever the marker says (those not in ``early``)."""
    itself: bool
    """The context is the activity itself (no XPath needed to find it)."""


@dataclass(frozen=True, slots=True)
class _Plan:
    steps: tuple[_Step, ...]
    marker: etree.XPath | None
    marks: tuple[tuple[int, int], ...]
    """(step, case) of each mark the marker can give."""


def _plan(ruleset: Ruleset, names: frozenset[str], root: str | None, tag: str) -> _Plan:
    """What runs on an activity with these element names (remembered: the activities of
    one file mostly share their set of names): the contexts and cases that can fail, and
    one XPath that tells, for the whole activity, which of the plain cases may fail."""
    key = (names, root, tag)
    known: _Plan | None = ruleset.plans.get(key)
    if known is not None:
        return known
    steps: list[_Step] = []
    early: list[tuple[int, int, str, str]] = []
    for context, context_needs, cases in ruleset.contexts:
        if not needs.met(context_needs, names):
            continue
        active = tuple(case for case in cases if needs.met(case.needs, names))
        if not active:
            continue
        found = fast.local_context(context, root, tag) if root else None
        local = None
        if found is not None and all(c.ups is not None and c.ups <= found[1] for c in active):
            local = found[0]
        marked = {
            i
            for i, case in enumerate(active)
            if local is not None and case.fails is not None and fast.position_free(case.fails)
        }
        if local is not None and local == f"self::{tag}":
            # the activity itself: one mark per case
            early += [(len(steps), i, local, str(active[i].fails)) for i in sorted(marked)]
        elif local is not None and marked:
            # elements of the activity: one mark for the context, whether any case may
            # fail on any of them (one pass over them); the cases are told apart later
            anyone = " or ".join(f"({active[i].fails})" for i in sorted(marked))
            early.append((len(steps), WHOLE, local, anyone))
        unmarked = tuple(c for i, c in enumerate(active) if i not in marked)
        steps.append(
            _Step(
                context,
                active,
                local,
                frozenset(marked),
                _plain(active, marked),
                unmarked,
                local == f"self::{tag}",
            )
        )
    marker = fast.marker(tuple(fast.on_activity(loc, fails, tag) for _s, _i, loc, fails in early))
    plan = _Plan(tuple(steps), marker if early else None, tuple((s, i) for s, i, *_x in early))
    if len(ruleset.plans) >= 4096:
        ruleset.plans.clear()
    ruleset.plans[key] = plan
    return plan


def _plain(
    cases: tuple[Case, ...], early: set[int]
) -> tuple[tuple[Case, ...], etree.XPath | None, tuple[Case, ...], etree.XPath | None]:
    rest = tuple(c for i, c in enumerate(cases) if c.fails is not None and i not in early)
    every = tuple(c for c in cases if c.fails is not None)
    return (
        rest,
        fast.marker(tuple(str(c.fails) for c in rest)) if rest else None,
        every,
        fast.marker(tuple(str(c.fails) for c in every)) if every else None,
    )


WHOLE = -1
"""The mark of a context as a whole (see ``_plan``)."""


def _days(env: rt.Env) -> tuple[int, int]:
    """Today and a day ``fast.RECENT_DAYS`` before it, as YYYYMMDD numbers (the
    markers' ``TODAY`` and ``RECENT``)."""
    return _days_of(env.now)


@lru_cache(maxsize=16)
def _days_of(now: datetime) -> tuple[int, int]:
    day = now.date()
    recent = day - timedelta(days=fast.RECENT_DAYS)
    return (
        day.year * 10000 + day.month * 100 + day.day,
        recent.year * 10000 + recent.month * 100 + recent.day,
    )


def check_activity(
    el: etree._Element,
    ruleset: Ruleset,
    env: rt.Env,
    index: int = 1,
    *,
    counted: Container[tuple[int, str | None]] = frozenset(),
    tally: dict[tuple[int, str | None], int] | None = None,
) -> list[Finding]:
    """Every failure of ``ruleset`` on one activity or organisation element.

    ``el`` may still sit in the tree an ``iterparse`` is building: it is not changed, and
    nothing outside it is looked at but its root element's name and attributes.
    Failures of the cases in ``counted`` (by case uid and loop value: those whose
    findings are no longer listed) are only added up in ``tally``, with no ``Finding``
    nor place worked out for them.
    """
    act = _Activity(el, identifier_of(el, index), counted, tally)
    plan = _plan(ruleset, act.names, act.root, str(el.tag))
    days = _days(env)
    flagged: set[tuple[int, int]] = set()
    steps: set[int] = set()
    if plan.marker is not None:
        flagged = {plan.marks[i] for i in fast.marks(plan.marker, el, days)}
        steps = {s for s, _i in flagged}
    findings: list[Finding] = []
    with ev.memo():
        for s, step in enumerate(plan.steps):
            whole = (s, WHOLE) in flagged
            if whole or not step.early:
                run = step.cases
            elif s not in steps:
                run = step.unmarked
            else:
                run = tuple(
                    case
                    for i, case in enumerate(step.cases)
                    if i not in step.early or (s, i) in flagged
                )
            if run:
                findings.extend(_check_context(act, step, run, env, days, whole))
    return findings


def _check_context(
    act: _Activity,
    step: _Step,
    run: tuple[Case, ...],
    env: rt.Env,
    days: tuple[int, int],
    whole: bool = False,
) -> list[Finding]:
    """The cases ``run`` of one context, on each element the context selects (``whole``:
    the plain cases were only judged for the context as a whole)."""
    findings: list[Finding] = []
    where: Where
    if step.itself:
        found, where = [act.el], act.where
    elif step.local is not None:
        found, where = ev.nodes(act.el, step.local, _NO_VARIABLES), act.where
    else:
        found, where = ev.nodes(act.copy(), step.context, _NO_VARIABLES), fast.in_own_tree
    # plain cases not judged for the whole activity are judged here, for each target
    plain, marker = (step.plain[2], step.plain[3]) if whole else (step.plain[0], step.plain[1])
    for target in found:
        if not isinstance(target, etree._Element):
            continue
        skip = set()
        if marker is not None:
            marked = fast.marks(marker, target, days)
            skip = {id(c) for i, c in enumerate(plain) if i not in marked}
        for case in run:
            if id(case) in skip:
                continue
            if case.loop is None:
                findings.extend(_run_case(target, case, act, env, None, where))
                continue
            foreach = ev.nodes(target, case.loop["foreach"], _NO_VARIABLES)
            screen = fast.xpath(case.loop_fails) if case.loop_fails is not None else None
            for value in dict.fromkeys(ev.text_of(n) for n in foreach):
                if screen is not None and not fast.holds(screen, target, days, value):
                    continue
                findings.extend(_run_case(target, case, act, env, value, where))
    return findings


# --- a file, streamed ------------------------------------------------------------------


@dataclass(slots=True)
class FileReport:
    """What a file's check found. Memory stays bounded on huge files: every failure is
    counted, but only the first ``keep`` places of each rule are kept."""

    file: str
    ruleset: str
    kind: str = "iati-activity"
    checked: int = 0
    affected: int = 0
    """Activities (or organisations) with at least one finding."""
    findings: list[Finding] = field(default_factory=list)
    counts: dict[tuple[int, str | None], int] = field(default_factory=dict)
    """Failures per case and loop value, all of them."""
    keep: int = 1000
    version: str | None = None
    """The root's IATI version attribute ("2.03"; "1.03" for a file of the old standard,
    which IATI's rulesets, written for 2.0x, misread)."""

    def add(self, findings: list[Finding]) -> None:
        if findings:
            self.affected += 1
        for finding in findings:
            key = (finding.case.uid, finding.loop_value)
            count = self.counts.get(key, 0) + 1
            self.counts[key] = count
            if count <= self.keep:
                self.findings.append(finding)

    @property
    def passed(self) -> bool:
        return not self.counts


def check_file(
    path: Path,
    ruleset: Ruleset,
    *,
    env: rt.Env | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_activity: Callable[[int], None] | None = None,
    keep: int = 1000,
) -> FileReport:
    """Run ``ruleset`` on every activity (or organisation) of an IATI file, streaming.

    Raises ``RefusedError`` when the file cannot be read: missing, too large, with a
    DOCTYPE, not well-formed, or not an IATI activity or organisation file.
    """
    xml_safety.check_file(path, max_bytes)
    env = env or default_env()
    report = FileReport(path.name, ruleset.name, keep=keep)
    etree.clear_error_log()
    with open(path, "rb") as handle:
        events = etree.iterparse(
            handle,
            events=("end",),
            tag=tuple(ROOTS.values()),
            remove_comments=True,
            remove_pis=True,
            **PARSER_OPTIONS,
        )
        try:
            for _event, el in events:
                parent = el.getparent()
                if report.checked == 0:
                    xml_safety.refuse_dtd(el, path.name)
                if parent is None:
                    continue
                if parent.tag not in ROOTS:
                    raise RefusedError(
                        [
                            Problem(
                                f"<{el.tag}> inside <{parent.tag}>: each stands directly "
                                "under the root element; correct the file, it was not checked",
                                file=path.name,
                                line=el.sourceline,
                                message_id="iati_file_nested",
                                params=(("element", el.tag), ("parent", parent.tag)),
                            )
                        ]
                    )
                if ROOTS[parent.tag] != el.tag:
                    raise RefusedError(
                        [
                            Problem(
                                f"<{el.tag}> inside <{parent.tag}>, which holds "
                                f"<{ROOTS[parent.tag]}> elements: the root element does not "
                                "match what the file holds; the file was not checked",
                                file=path.name,
                                line=el.sourceline,
                                message_id="iati_file_wrong_child",
                                params=(
                                    ("element", el.tag),
                                    ("parent", parent.tag),
                                    ("expected", ROOTS[parent.tag]),
                                ),
                            )
                        ]
                    )
                report.kind = str(el.tag)
                if report.checked == 0:
                    report.version = parent.get("version")
                report.checked += 1
                report.add(check_activity(el, ruleset, env, report.checked))
                el.clear(keep_tail=False)
                while el.getprevious() is not None:
                    del parent[0]
                if on_activity is not None:
                    on_activity(report.checked)
        except etree.XMLSyntaxError as exc:
            raw, line = xml_safety.raw_syntax_error(exc)
            message = xml_safety.with_hint(raw)
            said, hint, values = xml_safety.syntax_parts(raw)
            raise RefusedError(
                [
                    Problem(
                        f"not well-formed XML: {message}; the file was not checked",
                        file=path.name,
                        line=line,
                        message_id="iati_file_not_well_formed",
                        params=(("message", said), ("hint", hint), *values),
                    )
                ]
            ) from exc
        root = events.root
    if root is None or root.tag not in ROOTS:
        tag = element_name(root.tag) if root is not None else "none"
        raise RefusedError(
            [
                Problem(
                    f"the root element is <{tag}>, not <iati-activities> or "
                    "<iati-organisations>: this is not an IATI file",
                    file=path.name,
                    line=1,
                    message_id="iati_file_root_not_iati",
                    params=(("tag", tag),),
                )
            ]
        )
    report.kind = ROOTS[str(root.tag)]
    return report
