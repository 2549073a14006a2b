"""Read IATI activity files (2.01–2.03, and 1.0x with a warning) as a stream of records.

The file is read with lxml ``iterparse``: each ``iati-activity`` is turned into an
``Activity`` as soon as its end tag is read, then cleared and dropped, so memory stays
flat whatever the file size. Each child element is dispatched once by tag; elements
Greenfolio does not keep are passed over without being looked at.

Problems carry file, line, activity and element. Errors (what the schema forbids and a
value Greenfolio cannot read, such as a date that is not a date) keep the activity out;
warnings (unknown codes, legacy format, a missing language) do not.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from greenfolio.domain.exchange import Problem, RefusedError, Severity
from greenfolio.domain.iati import Activity, canonical_order
from greenfolio.domain.text import quoted
from greenfolio.services.collector import relaxed_gc
from greenfolio.services.exchange import codelists
from greenfolio.services.exchange.iati_elements import READERS, alpha3_by_alpha2
from greenfolio.services.exchange.iati_schema import check_element
from greenfolio.services.exchange.iati_values import XML_LANG, Context, read_currency, text_of
from greenfolio.services.exchange.xml_safety import (
    PARSER_OPTIONS,
    element_name,
    refuse_dtd,
    syntax_error,
)

try:  # compiled by the install where a C compiler is at hand (setup.py)
    from greenfolio.services.exchange import iati_native
except ImportError:  # pragma: no cover - a machine without a compiler
    iati_native = None  # type: ignore[assignment]

__all__ = [
    "READERS",
    "ActivityReader",
    "Parsed",
    "alpha3_by_alpha2",
    "compiled_reader_built",
    "read_activity",
]


def compiled_reader_built() -> bool:
    """Whether the install compiled ``iati_native`` (it needs a C compiler)."""
    return iati_native is not None


@dataclass(slots=True)
class Parsed:
    """One activity read from a file: the record (None if it has errors) and problems."""

    activity: Activity | None
    line: int
    identifier: str
    problems: list[Problem] = field(default_factory=list)


def _last_updated(ctx: Context, el: etree._Element) -> datetime | None:
    raw = el.get("last-updated-datetime")
    if raw is None:
        return None
    try:
        stamp = datetime.fromisoformat(raw.strip())
    except ValueError:
        ctx.error(el, f"last-updated-datetime {quoted(raw)} is not a date and time")
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    try:
        return stamp.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 is in year 0 in UTC
        ctx.error(el, f"last-updated-datetime {quoted(raw)} is before the year 1 in UTC")
        return None


def _nested(el: etree._Element, parent: etree._Element, file: str) -> Problem:
    return Problem(
        f"an <iati-activity> inside <{parent.tag}>: each activity stands directly under "
        "<iati-activities>; correct the file, nothing from it is kept",
        file=file,
        line=el.sourceline,
        element="iati-activity",
    )


def _refuse_other_root(root: etree._Element | None, file: str) -> etree._Element:
    """Refuse a file whose root is not ``iati-activities`` (an organisation file, a
    namespaced root: shown as the file writes it)."""
    if root is None or root.tag != "iati-activities":
        tag = element_name(root.tag) if root is not None else "none"
        raise RefusedError(
            [Problem(f"the root element is <{tag}>, not <iati-activities>", file=file, line=1)]
        )
    return root


def _fallback_identifier(el: etree._Element, act: Activity, stem: str, index: int) -> str:
    other = text_of(next(el.iterchildren("other-identifier"), None))
    ref = act.reporting_org.ref if act.reporting_org else None
    if other:
        return f"{ref}-{other}" if ref else other
    # a key that works in every route (domain.keys): the file's name, made safe, and "~n"
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-._") or "activity"
    return f"{safe[:140]}~{index}"


KINDS_KEPT = 1000
"""Distinct element names counted one by one (as the compiled reader's ``Unread``)."""
OTHER_KINDS = "*other*"
LISTED_KINDS = 20
"""Element names a warning lists, the most frequent first; the rest are counted."""
TOP_READ = frozenset(READERS)
RESULT_READ = frozenset({"title", "description", "indicator"})
INDICATOR_READ = frozenset({"title", "description", "reference", "baseline", "period"})
"""The children of a result and of an indicator that the readers store (``iati_results``)."""
PERIOD_READ = frozenset({"period-start", "period-end", "target", "actual"})
OBSERVED_READ = frozenset({"comment", "dimension"})
"""The children of a period, and of a baseline, target or actual, that the readers store."""
TRANSACTION_READ = frozenset(
    {"transaction-type", "transaction-date", "value", "description", "provider-org",
     "receiver-org"}
)  # fmt: skip
LOCATION_READ = frozenset(
    {"name", "description", "location-reach", "exactness", "location-class",
     "feature-designation", "location-id", "administrative", "point"}
)  # fmt: skip
"""The children of a transaction and of a location that ``iati_elements`` stores."""


def count_unread(el: etree._Element, counts: dict[str, int]) -> None:
    """Count into ``counts`` what of an activity no reader stores: its child elements
    outside ``READERS`` ("planned-disbursement", "policy-marker"), those of its
    transactions and locations ("transaction/aid-type"), results, indicators and their
    values ("result/document-link"), and its targets and actuals that give no
    value ("qualitative": a comment alone), so that an import can say what it left."""

    def unread(parent: etree._Element, read: frozenset[str], place: str) -> None:
        # elements of other namespaces (a publisher's own extensions) are not IATI's
        for child in parent.iterchildren(tag=etree.Element):
            if child.tag not in read and "}" not in child.tag:
                key = place + child.tag
                if key not in counts and len(counts) >= KINDS_KEPT:
                    key = OTHER_KINDS  # a hostile file's millions of names: counted
                counts[key] = counts.get(key, 0) + 1

    unread(el, TOP_READ, "")
    for money in el.iterchildren("transaction"):
        unread(money, TRANSACTION_READ, "transaction/")
    for place in el.iterchildren("location"):
        unread(place, LOCATION_READ, "location/")
    for result in el.iterchildren("result"):
        unread(result, RESULT_READ, "result/")
        for indicator in result.iterchildren("indicator"):
            unread(indicator, INDICATOR_READ, "result/indicator/")
            for baseline in indicator.iterchildren("baseline"):
                unread(baseline, OBSERVED_READ, "result/indicator/baseline/")
            for period in indicator.iterchildren("period"):
                unread(period, PERIOD_READ, "result/indicator/period/")
                for seen in period.iterchildren("target", "actual"):
                    unread(seen, OBSERVED_READ, f"result/indicator/period/{seen.tag}/")
            bare = indicator.xpath("count(period/*[self::target or self::actual][not(@value)])")
            if bare:
                counts["qualitative"] = counts.get("qualitative", 0) + int(bare)


def unread_problems(counts: dict[str, int], file: str) -> list[Problem]:
    """What a file gave that the import does not keep, said once for the file: the
    elements by how often they came, and the values without a number."""
    out = []
    elements = sorted(((n, key) for key, n in counts.items()
                       if key not in ("qualitative", OTHER_KINDS)),
                      key=lambda item: (-item[0], item[1]))  # fmt: skip
    rest = elements[LISTED_KINDS:]
    more = sum(n for n, _ in rest) + counts.get(OTHER_KINDS, 0)
    if elements:
        listed = ", ".join(f"{n} × <{key}>" for n, key in elements[:LISTED_KINDS])
        if more:
            listed += f", and {more} more of other kinds"
        out.append(
            Problem(
                "not kept, as Greenfolio does not store these elements (its IATI export "
                f"does not write them either): {listed}",
                severity=Severity.WARNING,
                file=file,
            )
        )
    n = counts.get("qualitative", 0)
    if n:
        out.append(
            Problem(
                f"{n} target or actual value{'s' if n != 1 else ''} of result indicators give "
                "no value (a qualitative one, its comment alone): results are kept with a "
                "value only, so these are not kept",
                severity=Severity.WARNING,
                file=file,
            )
        )
    return out


def _read_in_python(el: etree._Element, ctx: Context) -> Activity:
    lang = el.get(XML_LANG)
    ctx.lang = lang.strip().lower() if lang else None
    act = Activity(identifier="", language=ctx.lang)
    currency = el.get("default-currency")
    act.currency = read_currency(ctx, el, currency) if currency else None
    act.last_updated = _last_updated(ctx, el)
    reader_for = READERS.get
    for child in el:
        reader = reader_for(child.tag)
        if reader is not None:
            reader(child, act, ctx)
    return act


def read_activity(
    el: etree._Element, file: str, legacy: bool, index: int, stem: str
) -> tuple[Activity | None, list[Problem]]:
    """The record of one ``iati-activity`` element, or None if it has errors.

    The compiled reader (``iati_native``) reads an activity where nothing is to be said
    about its attributes and elements; otherwise, and for 1.0x files, the Python readers
    do, and say it. The checks of the activity as a whole below are the same for both.
    """
    ctx = Context(file, legacy)
    native = iati_native.read_activity(el) if iati_native is not None and not legacy else None
    if native is not None:
        act, ctx.fallback_used = native
        ctx.lang = act.language
        ctx.ident = act.identifier or None
    else:
        act = canonical_order(_read_in_python(el, ctx))
    if legacy:
        ctx.warn(el, "IATI 1.0x activity, read with the legacy mapping; check it, and publish 2.03")
    if not act.identifier:
        act.identifier = _fallback_identifier(el, act, stem, index)
        ctx.ident = act.identifier  # named as the problem's activity: one message for all
        ctx.warn(
            el,
            "activity has no iati-identifier; stored under a key made from its other-identifier "
            "or the file's name and its place in the file",
        )
    elif len(act.identifier) > 160:
        ctx.error(el, "iati-identifier is longer than 160 characters")
    # a refused activity is not told what it lacks: its title may be missing only
    # because the title's text was refused
    if not ctx.failed and not act.title:
        ctx.warn(el, "activity has no title")
    if not ctx.failed and not act.dates:
        ctx.warn(
            el,
            "activity has no activity date; IATI requires at least one, and export leaves "
            "the activity out until its project has one",
        )
    if ctx.fallback_used:
        ctx.warn(el, "narratives without xml:lang in an activity without one are read as English")
    if act.identifier and any(p.activity is None for p in ctx.problems):
        # what was found before the identifier was read (the activity's own attributes)
        # is named by it too
        ctx.problems = [
            p if p.activity else replace(p, activity=act.identifier) for p in ctx.problems
        ]
    return (None if ctx.failed else act), ctx.problems


class ActivityReader:
    """Iterate over the activities of one file; ``problems`` holds file-level ones.

    With ``validate``, each activity is also checked against the 2.03 schema and an
    invalid one is reported and left out (slower; ``--strict`` checks the whole file).
    """

    def __init__(
        self,
        path: Path,
        *,
        validate: bool = False,
        progress: Callable[[int], None] | None = None,
        rules: Callable[[etree._Element, int], list[Problem]] | None = None,
    ) -> None:
        self.path = path
        self.validate = validate
        self.rules = rules
        """Data-quality rules run on each activity before it is read; an error refuses it."""
        self.progress = progress
        self.problems: list[Problem] = []
        self.version: str | None = None
        self.legacy = False
        self._unread: dict[str, int] = {}
        self._native_unread = iati_native.Unread() if iati_native is not None else None

    def _root(self, el: etree._Element) -> None:
        version = el.get("version")
        self.version = version
        if version is None:
            self.legacy = True
            self.problems.append(
                Problem(
                    "no version attribute: read as IATI 1.0x",
                    severity=Severity.WARNING,
                    file=self.path.name,
                    line=el.sourceline,
                    element="iati-activities",
                )
            )
        elif version.startswith("1."):
            self.legacy = True
        elif not codelists.known("Version", version):
            self.problems.append(
                Problem(
                    f"version {quoted(version)} is not an IATI version: read as 2.03",
                    severity=Severity.WARNING,
                    file=self.path.name,
                    line=el.sourceline,
                    element="iati-activities",
                )
            )

    @property
    def unread(self) -> dict[str, int]:
        """What of the file's activities no reader stores, counted as they are read."""
        if self._native_unread is not None:
            return self._native_unread.as_dict()
        return dict(self._unread)

    def __iter__(self) -> Iterator[Parsed]:
        with relaxed_gc(), open(self.path, "rb") as handle:
            yield from self._read(handle)

    def _read(self, handle: BinaryIO) -> Iterator[Parsed]:
        file = self.path.name
        stem = self.path.stem
        index = 0
        etree.clear_error_log()
        events = etree.iterparse(
            handle,
            events=("end",),
            tag="iati-activity",
            remove_comments=True,
            remove_pis=True,
            **PARSER_OPTIONS,
        )
        progress = self.progress
        try:
            for _event, el in events:
                parent = el.getparent()
                if index == 0:
                    refuse_dtd(el, file)
                    self._check_root(el.getroottree().getroot(), file)
                if parent is not None and parent.getparent() is not None:
                    raise RefusedError([_nested(el, parent, file)])
                index += 1
                yield self._one(el, file, index, stem)
                el.clear(keep_tail=False)
                if parent is not None:
                    while el.getprevious() is not None:
                        del parent[0]
                if progress is not None and index % 200 == 0:
                    progress(handle.tell())
        except etree.XMLSyntaxError as exc:
            message, line = syntax_error(exc)
            raise RefusedError(
                [
                    Problem(
                        f"not well-formed XML: {message}; nothing from this file is kept",
                        file=file,
                        line=line,
                    )
                ]
            ) from exc
        _refuse_other_root(events.root, file)
        self.problems.extend(unread_problems(self.unread, file))
        if self.progress is not None:
            self.progress(handle.tell())

    def _check_root(self, root: etree._Element | None, file: str) -> None:
        self._root(_refuse_other_root(root, file))

    def _one(self, el: etree._Element, file: str, index: int, stem: str) -> Parsed:
        line = el.sourceline or 0
        if self.validate and not self.legacy:
            ident = text_of(next(el.iterchildren("iati-identifier"), None)) or f"#{index}"
            invalid = check_element(el, file, ident)
            if invalid:
                return Parsed(None, line, ident, invalid)
        found = self.rules(el, index) if self.rules is not None else None
        if found and any(p.severity is Severity.ERROR for p in found):
            ident = text_of(next(el.iterchildren("iati-identifier"), None)) or f"#{index}"
            return Parsed(None, line, ident, found)
        activity, problems = read_activity(el, file, self.legacy, index, stem)
        if self.legacy:  # a 1.0x file is read by another mapping, with its own warnings
            pass
        elif self._native_unread is not None:
            self._native_unread.count(el)
        else:
            count_unread(el, self._unread)
        if found:
            problems.extend(found)
        if activity is not None:
            ident = activity.identifier
        else:
            ident = text_of(next(el.iterchildren("iati-identifier"), None)) or f"#{index}"
        return Parsed(activity, line, ident, problems)
