"""An IATI activity as Greenfolio keeps it, and the rules that map IATI codes onto ours.

The record holds what the store keeps of an activity (and so what an export can give
back): reading a file, storing it and reading it back gives an equal ``Activity``,
which is what makes import → export → import a round trip.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from itertools import pairwise

from greenfolio.domain.numbers import decimal_text
from greenfolio.domain.results import ValueKind
from greenfolio.domain.work import OrgRole, WorkStatus

Narratives = dict[str, str]
"""Text by language code, one text per language (IATI narratives)."""

STATUS_BY_CODE: dict[str, WorkStatus] = {
    "1": WorkStatus.PIPELINE,
    "2": WorkStatus.IMPLEMENTATION,
    "3": WorkStatus.FINALISATION,
    "4": WorkStatus.CLOSED,
    "5": WorkStatus.CANCELLED,
    "6": WorkStatus.SUSPENDED,
}
CODE_BY_STATUS = {status: code for code, status in STATUS_BY_CODE.items()}

ROLE_BY_CODE: dict[str, OrgRole] = {
    "1": OrgRole.FUNDING,
    "2": OrgRole.ACCOUNTABLE,
    "3": OrgRole.EXTENDING,
    "4": OrgRole.IMPLEMENTING,
}
# Greenfolio's "partner" has no IATI role of its own; partners take part in the work.
CODE_BY_ROLE = {role: code for code, role in ROLE_BY_CODE.items()} | {OrgRole.PARTNER: "4"}

# IATI 1.0x wrote roles, date types and transaction types as words or letters.
LEGACY_ROLES = {
    "funding": "1",
    "donor": "1",
    "accountable": "2",
    "extending": "3",
    "implementing": "4",
}
LEGACY_DATE_TYPES = {
    "start-planned": "1",
    "start-actual": "2",
    "end-planned": "3",
    "end-actual": "4",
    # Pre-standard files say only "start" and "completion": taken as planned dates.
    "start": "1",
    "completion": "3",
    "end": "3",
}
LEGACY_TRANSACTION_TYPES = {
    "if": "1",
    "c": "2",
    "d": "3",
    "e": "4",
    "ir": "5",
    "lr": "6",
    "r": "7",
    "qp": "8",
    "qs": "9",
    "cg": "10",
    "incoming funds": "1",
    "commitment": "2",
    "disbursement": "3",
    "disbursment": "3",
    "expenditure": "4",
}
LEGACY_SECTOR_VOCABULARIES = {"dac": "1", "dac-3": "2", "cofog": "3", "ntee": "6", "ro": "99"}

# IndicatorMeasure → the unit results of such an indicator are stored in.
UNIT_BY_MEASURE = {
    "1": "count",
    "2": "percent",
    "3": "dimensionless",
    "4": "dimensionless",
    "5": "dimensionless",
}
PLANNED_START, ACTUAL_START, PLANNED_END, ACTUAL_END = "1", "2", "3", "4"


@dataclass(slots=True)
class OrgRef:
    """An organisation as an activity names it: IATI ref, type code and names."""

    ref: str | None = None
    type: str | None = None
    names: Narratives = field(default_factory=dict)

    def key(self) -> str:
        """The organisation's key in the store: its IATI organisation identifier; a ref of
        another shape ("61", a publisher's own number) with the first name, since files
        give one such ref to different organisations; else its first name."""
        name = next(iter(self.names.values()), "")
        slug = "-".join(name.lower().split())
        if self.ref and (is_org_identifier(self.ref) or not slug):
            return f"iati:{self.ref}"[:120]
        if self.ref:
            return f"iati:{self.ref}:{slug}"[:120]
        return f"name:{slug}"[:120]


ORG_IDENTIFIER = re.compile(r"[A-Za-z]{2}-[A-Za-z0-9]+-\S+")
"""The shape of an IATI organisation identifier: a registration agency's code (country
or XM/XI, then the register: "XM-DAC", "GB-COH", "NL-KVK") and the number it gives
("XM-DAC-41123", "GB-COH-01234567"). IATI Standard, "Organisation identifiers"."""


def is_org_identifier(ref: str) -> bool:
    """Whether ``ref`` names one organisation wherever it appears (an identifier issued by
    a register), rather than a number a publisher uses in its own file."""
    return ORG_IDENTIFIER.fullmatch(ref) is not None


@dataclass(slots=True)
class Participant:
    org: OrgRef
    role: OrgRole


@dataclass(slots=True)
class CountryShare:
    """A recipient country (ISO 3166-1 alpha-3) and its percentage of the activity."""

    country: str
    percentage: float | None = None


@dataclass(slots=True)
class CodeShare:
    """A region or sector: code within a vocabulary, with a percentage and names."""

    code: str
    vocabulary: str
    percentage: float | None = None
    names: Narratives = field(default_factory=dict)


@dataclass(slots=True)
class Money:
    """A budget or a transaction, in its own currency (or the activity's default)."""

    kind: str
    """``budget`` or ``transaction``."""
    value: float
    type: str | None = None
    currency: str | None = None
    value_date: date | None = None
    status: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    date: date | None = None
    ref: str | None = None
    description: Narratives = field(default_factory=dict)
    provider: OrgRef | None = None
    receiver: OrgRef | None = None


@dataclass(slots=True)
class Location:
    ref: str | None = None
    name: Narratives = field(default_factory=dict)
    description: Narratives = field(default_factory=dict)
    point: tuple[float, float] | None = None
    reach: str | None = None
    exactness: str | None = None
    location_class: str | None = None
    feature_designation: str | None = None
    ids: list[tuple[str, str]] = field(default_factory=list)
    """(vocabulary, code) pairs of location-id."""
    administrative: list[tuple[str, str, int | None]] = field(default_factory=list)
    """(vocabulary, code, level) of administrative areas."""


@dataclass(slots=True)
class DocumentLink:
    url: str
    format: str
    title: Narratives = field(default_factory=dict)
    description: Narratives = field(default_factory=dict)
    categories: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    date: date | None = None


@dataclass(slots=True)
class Observation:
    """A baseline, target or actual value of an indicator, for one period or year."""

    kind: ValueKind
    value: float
    period_start: date | None = None
    period_end: date | None = None
    year: int | None = None
    """The baseline year (baselines only)."""
    dimensions: list[tuple[str, str]] = field(default_factory=list)
    comment: Narratives = field(default_factory=dict)


@dataclass(slots=True)
class IatiIndicator:
    measure: str
    title: Narratives = field(default_factory=dict)
    description: Narratives = field(default_factory=dict)
    ascending: bool | None = None
    aggregation_status: bool | None = None
    references: list[tuple[str, str, str | None]] = field(default_factory=list)
    """(vocabulary, code, indicator-uri) of the indicator's references."""
    observations: list[Observation] = field(default_factory=list)

    @property
    def unit(self) -> str:
        return UNIT_BY_MEASURE.get(self.measure, "dimensionless")


@dataclass(slots=True)
class IatiResult:
    type: str
    title: Narratives = field(default_factory=dict)
    description: Narratives = field(default_factory=dict)
    aggregation_status: bool | None = None
    indicators: list[IatiIndicator] = field(default_factory=list)


@dataclass(slots=True)
class Activity:
    """One IATI activity, as stored: the unit of import, update and export."""

    identifier: str
    title: Narratives = field(default_factory=dict)
    description: Narratives = field(default_factory=dict)
    other_descriptions: list[tuple[str, Narratives]] = field(default_factory=list)
    """Descriptions of a type other than 1 (general): (type code, narratives)."""
    last_updated: datetime | None = None
    language: str | None = None
    currency: str | None = None
    reporting_org: OrgRef | None = None
    participants: list[Participant] = field(default_factory=list)
    status: WorkStatus | None = None
    dates: dict[str, date] = field(default_factory=dict)
    """ActivityDateType code → date."""
    countries: list[CountryShare] = field(default_factory=list)
    regions: list[CodeShare] = field(default_factory=list)
    sectors: list[CodeShare] = field(default_factory=list)
    money: list[Money] = field(default_factory=list)
    locations: list[Location] = field(default_factory=list)
    documents: list[DocumentLink] = field(default_factory=list)
    results: list[IatiResult] = field(default_factory=list)
    extras: dict[str, str | float | None] = field(default_factory=dict)
    """Facts of other sources with no IATI element (e.g. a Multilateral Fund cluster)."""

    @property
    def start(self) -> date | None:
        return self.dates.get(ACTUAL_START) or self.dates.get(PLANNED_START)

    @property
    def end(self) -> date | None:
        return self.dates.get(ACTUAL_END) or self.dates.get(PLANNED_END)


def indicator_code(identifier: str, result_no: int, indicator_no: int) -> str:
    """Greenfolio's code for indicator ``indicator_no`` of result ``result_no``.

    IATI indicators belong to their activity; the code is stable across re-imports and
    short enough for the registry, whatever the length of the activity identifier.
    """
    stem = hashlib.sha1(identifier.encode("utf-8")).hexdigest()[:12]
    return f"iati.{stem}.{result_no}.{indicator_no}"


ROLE_ORDER = {role: i for i, role in enumerate(OrgRole)}
"""Participants are listed in this order of their roles (``canonical_order``)."""


def canonical_order(activity: Activity) -> Activity:
    """Put the unordered parts of a record (countries, sectors, regions, participants) in
    the one order the store gives them back in, so that equal records compare equal."""
    if len(activity.countries) > 1:
        activity.countries.sort(key=lambda c: c.country)
    if len(activity.sectors) > 1:
        activity.sectors.sort(key=lambda s: (s.vocabulary, s.code))
    if len(activity.regions) > 1:
        activity.regions.sort(key=lambda r: (r.vocabulary, r.code))
    participants = activity.participants
    if len(participants) > 1:
        roles = [ROLE_ORDER[p.role] for p in participants]
        # in order already when each role comes after the one before (the usual case);
        # only then are the organisations' keys not needed
        if any(later <= earlier for earlier, later in pairwise(roles)):
            participants.sort(key=lambda p: (ROLE_ORDER[p.role], p.org.key()))
    return activity


def _identity(org: OrgRef) -> OrgRef:
    return OrgRef(ref=org.ref) if org.ref else org


def same_record(stored: Activity, incoming: Activity) -> bool:
    """True if ``incoming`` would store nothing new over ``stored``.

    Organisations with an IATI ref are one organisation whatever an activity calls
    them (their names and type belong to the organisation), so they compare by ref.
    """
    if stored == incoming:
        return True
    return replace(
        stored,
        reporting_org=_identity(stored.reporting_org) if stored.reporting_org else None,
        participants=[Participant(_identity(p.org), p.role) for p in stored.participants],
    ) == replace(
        incoming,
        reporting_org=_identity(incoming.reporting_org) if incoming.reporting_org else None,
        participants=[Participant(_identity(p.org), p.role) for p in incoming.participants],
    )


def digest(activity: Activity) -> str:
    """A fingerprint of the record, to tell an unchanged activity from a changed one.

    The dataclass ``repr`` lists every field in a fixed order, which is all a
    fingerprint needs, and costs far less than a canonical JSON dump.
    """
    return hashlib.sha1(repr(activity).encode("utf-8")).hexdigest()


def legacy_role(value: str) -> str | None:
    return LEGACY_ROLES.get(value.strip().lower())


# Greenfolio's own indicators in an IATI file: a reference in the reporting
# organisation's vocabulary (IndicatorVocabulary 99) whose code is the registry's code
# behind this prefix, so that Greenfolio reading its own export (or another instance's)
# puts the results back on the registered indicator, in its unit, and not on a new one.
OWN_INDICATOR_VOCABULARY = "99"
OWN_INDICATOR_PREFIX = "greenfolio:"

QUALIFIER_WORDS = {"more_than": "more than", "about": "about"}
"""How a value that is not exact is described in the IATI comment (IATI values are plain
numbers); read back only from an indicator of Greenfolio's own."""


def own_reference(code: str) -> tuple[str, str, str | None]:
    """The reference that marks a registered indicator in an export."""
    return (OWN_INDICATOR_VOCABULARY, f"{OWN_INDICATOR_PREFIX}{code}", None)


def own_indicator(ind: IatiIndicator) -> str | None:
    """The registry code an indicator of Greenfolio's own carries, if it is one."""
    for vocabulary, code, _ in ind.references:
        if vocabulary == OWN_INDICATOR_VOCABULARY and code.startswith(OWN_INDICATOR_PREFIX):
            return code[len(OWN_INDICATOR_PREFIX) :] or None
    return None


def qualifier_comment(qualifier: str | None, value: float) -> Narratives:
    """The English comment that says a value is a bound or an approximation."""
    words = QUALIFIER_WORDS.get(qualifier or "")
    return {"en": f"{words} {decimal_text(value)}"} if words else {}


def comment_qualifier(comment: Narratives, value: float) -> str | None:
    """The qualifier ``qualifier_comment`` wrote for ``value``, read back exactly."""
    for qualifier in QUALIFIER_WORDS:
        if comment.get("en") == qualifier_comment(qualifier, value)["en"]:
            return qualifier
    return None
