"""Service: export the portfolio, or a filtered part of it, as IATI 2.03 activity XML.

The file is written in a stream (one activity at a time, through ``lxml.etree.xmlfile``)
to a temporary name and moved into place only when complete, so a failed export never
leaves half a file. Elements follow the order the 2.03 schema requires; where the
schema requires something the record lacks, the export says what it did in the summary.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import pycountry
from lxml import etree
from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session

from greenfolio.domain.errors import GreenfolioError, UnitMismatchError
from greenfolio.domain.exchange import Problem, Severity, group_problems
from greenfolio.domain.iati import (
    ACTUAL_START,
    CODE_BY_ROLE,
    CODE_BY_STATUS,
    PLANNED_START,
    Activity,
    DocumentLink,
    IatiIndicator,
    IatiResult,
    Location,
    Money,
    Narratives,
    Observation,
    OrgRef,
)
from greenfolio.domain.results import ReviewState, ValueKind
from greenfolio.domain.units import convert
from greenfolio.domain.work import OrgRole, WorkKind, WorkStatus
from greenfolio.services.database import Database
from greenfolio.services.exchange.iati_load import iter_work_ids, load_activities
from greenfolio.store.tables import (
    IatiIndicatorRow,
    IndicatorRow,
    OrganisationRow,
    ResultRow,
    WorkCountryRow,
    WorkOrgRow,
    WorkRow,
)

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
QUALIFIER_WORDS = {"more_than": "more than", "about": "about"}
"""How a value that is not exact is described in the IATI comment."""
WGS84 = "http://www.opengis.net/def/crs/EPSG/0/4326"
IATI_VERSION = "2.03"


@dataclass(slots=True)
class ExportFilter:
    """Which work items to export; empty fields do not filter."""

    countries: list[str] = field(default_factory=list)
    status: WorkStatus | None = None
    reporting_org: str | None = None
    prefix: str | None = None
    kinds: list[WorkKind] = field(default_factory=lambda: [WorkKind.PROJECT, WorkKind.PROGRAMME])
    verified_only: bool = True
    """Publish verified results only (the default); False adds submitted ones."""


@dataclass(slots=True)
class ExportSummary:
    exported: int = 0
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)
    path: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.path,
            "exported": self.exported,
            "skipped": self.skipped,
            "errors": [p.as_dict() for p in self.problems if p.severity is Severity.ERROR],
            "warnings": [p.as_dict() for p in self.problems if p.severity is Severity.WARNING],
        }


def _decimal(value: float) -> str:
    text = format(Decimal(repr(value)), "f")
    return text[:-2] if text.endswith(".0") else text


@lru_cache(maxsize=512)
def _alpha2(alpha3: str) -> str | None:
    country = pycountry.countries.get(alpha_3=alpha3)
    return country.alpha_2 if country else None


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class _Unwritable(ValueError):
    """A value of the record that XML cannot carry; the activity is left out, named."""


def _xml_text(text: str, where: str) -> str:
    """``text`` if XML can carry it, else an error naming the element and the character."""
    bad = _CONTROL.search(text)
    if bad:
        raise _Unwritable(
            f"the {where} holds the control character U+{ord(bad.group()):04X}, which XML "
            "cannot carry; remove it from the work item"
        )
    return text


class _Builder:
    """Turns one ``Activity`` into an ``iati-activity`` element, noting what it had to do."""

    def __init__(
        self, act: Activity, publisher: OrgRef | None, date_notes: dict[str, str] | None = None
    ) -> None:
        self.act = act
        self.publisher = publisher
        self.date_notes = date_notes or {}
        """Dates known only to the month or year, as stated, by ActivityDateType code."""
        self.problems: list[Problem] = []

    def note(self, message: str, severity: Severity = Severity.WARNING) -> None:
        self.problems.append(
            Problem(
                message, severity=severity, activity=self.act.identifier, element="iati-activity"
            )
        )

    def texts(self, parent: etree._Element, texts: Narratives, required: bool = False) -> None:
        default = self.act.language
        for lang, text in texts.items():
            narrative = etree.SubElement(parent, "narrative")
            if lang != default:
                narrative.set(XML_LANG, lang)
            narrative.text = _xml_text(text, str(parent.tag))
        if required and not texts:
            etree.SubElement(parent, "narrative")

    def text_element(
        self, parent: etree._Element, tag: str, texts: Narratives, **attrs: str
    ) -> etree._Element:
        el = etree.SubElement(parent, tag, attrs)
        self.texts(el, texts, required=True)
        return el

    def org(self, parent: etree._Element, tag: str, org: OrgRef, **attrs: str) -> None:
        el = etree.SubElement(parent, tag)
        if org.ref:
            el.set("ref", org.ref)
        if org.type:
            el.set("type", org.type)
        for key, value in attrs.items():
            el.set(key, value)
        self.texts(el, org.names)

    def reporting(self) -> OrgRef | None:
        org = self.act.reporting_org or OrgRef()
        pub = self.publisher or OrgRef()
        merged = OrgRef(
            ref=org.ref or pub.ref, type=org.type or pub.type, names=org.names or pub.names
        )
        if not merged.ref or not merged.type:
            lacking = " and ".join(
                what
                for what, value in (("IATI ref", merged.ref), ("type", merged.type))
                if not value
            )
            self.note(
                f"the reporting organisation has no {lacking}; record it for the "
                "organisation, or give --reporting-org REF and --reporting-org-type CODE "
                "(IATI OrganisationType, e.g. 40 multilateral)",
                Severity.ERROR,
            )
            return None
        return merged

    def build(self) -> etree._Element | None:
        act = self.act
        reporting = self.reporting()
        dates = sorted(act.dates.items())
        if not dates:
            self.note(
                "no activity dates; IATI requires at least one: give a planned or actual "
                "start or end (a year, month or day) in the project form or the XLSX template",
                Severity.ERROR,
            )
        if reporting is None or not dates:
            return None
        if not {PLANNED_START, ACTUAL_START} & set(act.dates):
            self.note(
                "no planned or actual start date; exported, but IATI's data-quality rules "
                "(6.11.1) expect one"
            )
        if not act.sectors:
            self.note(
                "no sector; exported, but IATI's data-quality rules (6.2.2) expect one: give "
                "OECD DAC sector codes in the project form or the XLSX template"
            )
        root = etree.Element("iati-activity")
        if act.last_updated is not None:
            root.set("last-updated-datetime", act.last_updated.isoformat())
        if act.language:
            root.set(XML_LANG, act.language)
        if act.currency:
            root.set("default-currency", act.currency)
        etree.SubElement(root, "iati-identifier").text = act.identifier
        rep = etree.SubElement(
            root, "reporting-org", ref=reporting.ref or "", type=reporting.type or ""
        )
        self.texts(rep, reporting.names, required=True)
        self.text_element(root, "title", act.title)
        if act.description or not act.other_descriptions:
            self.text_element(root, "description", act.description, type="1")
        for kind, texts in act.other_descriptions:
            self.text_element(root, "description", texts, type=kind)
        participants = act.participants
        if not participants:
            self.note("no participating organisation; the reporting one is given as accountable")
            self.org(root, "participating-org", reporting, role="2")
        for part in participants:
            self.org(root, "participating-org", part.org, role=CODE_BY_ROLE[part.role])
        status = CODE_BY_STATUS.get(act.status) if act.status else None
        if status is None:
            self.note("no activity status; exported as 2 (implementation)")
        etree.SubElement(root, "activity-status", code=status or "2")
        for kind, day in dates:
            el = etree.SubElement(root, "activity-date", type=kind, **{"iso-date": day.isoformat()})
            stated = self.date_notes.get(kind)
            if stated:
                # The schema's way of giving a month or year: iso-date bounds the period.
                etree.SubElement(el, "narrative").text = _xml_text(stated, "activity-date")
        for share in act.countries:
            code = _alpha2(share.country)
            if code is None:
                self.note(f"country {share.country} has no alpha-2 code; left out")
                continue
            el = etree.SubElement(root, "recipient-country", code=code)
            if share.percentage is not None:
                el.set("percentage", _decimal(share.percentage))
        for region in act.regions:
            el = etree.SubElement(
                root, "recipient-region", code=region.code, vocabulary=region.vocabulary
            )
            if region.percentage is not None:
                el.set("percentage", _decimal(region.percentage))
            self.texts(el, region.names)
        for loc in act.locations:
            self.location(root, loc)
        for sector in act.sectors:
            el = etree.SubElement(root, "sector", vocabulary=sector.vocabulary, code=sector.code)
            if sector.percentage is not None:
                el.set("percentage", _decimal(sector.percentage))
            self.texts(el, sector.names)
        for money in act.money:
            if money.kind == "budget":
                self.budget(root, money)
        for money in act.money:
            if money.kind == "transaction":
                self.transaction(root, money)
        for doc in act.documents:
            self.document(root, doc)
        for result in act.results:
            self.result(root, result)
        return root

    def location(self, parent: etree._Element, loc: Location) -> None:
        el = etree.SubElement(parent, "location")
        if loc.ref:
            el.set("ref", loc.ref)
        if loc.reach:
            etree.SubElement(el, "location-reach", code=loc.reach)
        for vocabulary, code in loc.ids:
            etree.SubElement(el, "location-id", vocabulary=vocabulary, code=code)
        if loc.name:
            self.text_element(el, "name", loc.name)
        if loc.description:
            self.text_element(el, "description", loc.description)
        for vocabulary, code, level in loc.administrative:
            admin = etree.SubElement(el, "administrative", vocabulary=vocabulary, code=code)
            if level is not None:
                admin.set("level", str(level))
        if loc.point is not None:
            point = etree.SubElement(el, "point", srsName=WGS84)
            etree.SubElement(point, "pos").text = f"{loc.point[0]} {loc.point[1]}"
        if loc.exactness:
            etree.SubElement(el, "exactness", code=loc.exactness)
        if loc.location_class:
            etree.SubElement(el, "location-class", code=loc.location_class)
        if loc.feature_designation:
            etree.SubElement(el, "feature-designation", code=loc.feature_designation)

    def value(self, parent: etree._Element, money: Money, fallback: date | None) -> None:
        day = money.value_date or fallback
        el = etree.SubElement(parent, "value", **{"value-date": day.isoformat() if day else ""})
        if money.currency and money.currency != self.act.currency:
            el.set("currency", money.currency)
        el.text = _decimal(money.value)

    def budget(self, parent: etree._Element, money: Money) -> None:
        if money.period_start is None or money.period_end is None:
            self.note("budget without a period; left out")
            return
        el = etree.SubElement(parent, "budget")
        if money.type:
            el.set("type", money.type)
        if money.status:
            el.set("status", money.status)
        etree.SubElement(el, "period-start", **{"iso-date": money.period_start.isoformat()})
        etree.SubElement(el, "period-end", **{"iso-date": money.period_end.isoformat()})
        self.value(el, money, money.period_start)

    def transaction(self, parent: etree._Element, money: Money) -> None:
        if money.date is None or money.type is None:
            self.note("transaction without a type or a date; left out")
            return
        el = etree.SubElement(parent, "transaction")
        if money.ref:
            el.set("ref", money.ref)
        etree.SubElement(el, "transaction-type", code=money.type)
        etree.SubElement(el, "transaction-date", **{"iso-date": money.date.isoformat()})
        self.value(el, money, money.date)
        if money.description:
            self.text_element(el, "description", money.description)
        if money.provider is not None:
            self.org(el, "provider-org", money.provider)
        if money.receiver is not None:
            self.org(el, "receiver-org", money.receiver)

    def document(self, parent: etree._Element, doc: DocumentLink) -> None:
        el = etree.SubElement(parent, "document-link", url=doc.url, format=doc.format)
        self.text_element(el, "title", doc.title)
        if doc.description:
            self.text_element(el, "description", doc.description)
        for code in doc.categories:
            etree.SubElement(el, "category", code=code)
        for code in doc.languages:
            etree.SubElement(el, "language", code=code)
        if doc.date is not None:
            etree.SubElement(el, "document-date", **{"iso-date": doc.date.isoformat()})

    def result(self, parent: etree._Element, result: IatiResult) -> None:
        el = etree.SubElement(parent, "result", type=result.type)
        if result.aggregation_status is not None:
            el.set("aggregation-status", "true" if result.aggregation_status else "false")
        self.text_element(el, "title", result.title)
        if result.description:
            self.text_element(el, "description", result.description)
        for ind in result.indicators:
            self.indicator(el, ind)

    def indicator(self, parent: etree._Element, ind: IatiIndicator) -> None:
        el = etree.SubElement(parent, "indicator", measure=ind.measure)
        if ind.ascending is not None:
            el.set("ascending", "true" if ind.ascending else "false")
        if ind.aggregation_status is not None:
            el.set("aggregation-status", "true" if ind.aggregation_status else "false")
        self.text_element(el, "title", ind.title)
        if ind.description:
            self.text_element(el, "description", ind.description)
        for vocabulary, code, uri in ind.references:
            ref = etree.SubElement(el, "reference", vocabulary=vocabulary, code=code)
            if uri:
                ref.set("indicator-uri", uri)
        periods: dict[tuple[date, date], list[Observation]] = {}
        for obs in ind.observations:
            if obs.kind is ValueKind.BASELINE:
                self.baseline(el, obs)
                continue
            if obs.period_start is None or obs.period_end is None:
                self.note("result value without a period; left out")
                continue
            periods.setdefault((obs.period_start, obs.period_end), []).append(obs)
        for (start, end), values in periods.items():
            period = etree.SubElement(el, "period")
            etree.SubElement(period, "period-start", **{"iso-date": start.isoformat()})
            etree.SubElement(period, "period-end", **{"iso-date": end.isoformat()})
            for kind, tag in ((ValueKind.TARGET, "target"), (ValueKind.ACTUAL, "actual")):
                for obs in values:
                    if obs.kind is kind:
                        self.point(period, tag, obs)

    def baseline(self, parent: etree._Element, obs: Observation) -> None:
        year = obs.year or (obs.period_end.year if obs.period_end else None)
        if year is None or year <= 0:
            self.note("baseline without a year; left out")
            return
        el = etree.SubElement(parent, "baseline", year=str(year), value=_decimal(obs.value))
        if obs.period_end is not None:
            el.set("iso-date", obs.period_end.isoformat())
        for name, value in obs.dimensions:
            etree.SubElement(el, "dimension", name=name, value=value)
        if obs.comment:
            self.text_element(el, "comment", obs.comment)

    def point(self, parent: etree._Element, tag: str, obs: Observation) -> None:
        el = etree.SubElement(parent, tag, value=_decimal(obs.value))
        for name, value in obs.dimensions:
            etree.SubElement(el, "dimension", name=name, value=value)
        if obs.comment:
            self.text_element(el, "comment", obs.comment)


def _query(filt: ExportFilter) -> Any:
    query = select(WorkRow.id).where(WorkRow.kind.in_([k.value for k in filt.kinds]))
    if filt.status is not None:
        query = query.where(WorkRow.status == filt.status.value)
    if filt.prefix:
        query = query.where(WorkRow.key.startswith(filt.prefix, autoescape=True))
    if filt.countries:
        query = query.where(
            exists().where(
                and_(
                    WorkCountryRow.work_id == WorkRow.id, WorkCountryRow.country.in_(filt.countries)
                )
            )
        )
    if filt.reporting_org:
        query = query.where(
            exists().where(
                and_(
                    WorkOrgRow.work_id == WorkRow.id,
                    WorkOrgRow.role == OrgRole.REPORTING.value,
                    WorkOrgRow.org_id == OrganisationRow.id,
                    OrganisationRow.iati_ref == filt.reporting_org,
                )
            )
        )
    return query.order_by(WorkRow.key)


def _other_results(
    session: Session, ids: list[int], states: list[str]
) -> dict[int, list[IatiResult]]:
    """Results recorded in Greenfolio (not from IATI), one IATI result per indicator."""
    rows = session.execute(
        select(ResultRow, IndicatorRow)
        .join(IndicatorRow, IndicatorRow.code == ResultRow.indicator_code)
        .where(
            ResultRow.work_id.in_(ids),
            ResultRow.review_state.in_(states),
            ~exists().where(IatiIndicatorRow.indicator_code == ResultRow.indicator_code),
        )
        .order_by(ResultRow.work_id, ResultRow.indicator_code, ResultRow.id)
    ).all()
    grouped: dict[int, dict[str, IatiResult]] = defaultdict(dict)
    for row, ind in rows:
        results = grouped[row.work_id]
        result = results.get(ind.code)
        if result is None:
            title = dict(ind.names or {})
            result = IatiResult(
                type="1",
                title=title,
                indicators=[
                    IatiIndicator(
                        measure="1",
                        title=title,
                        description={"en": f"Greenfolio indicator {ind.code}, in {ind.unit}"},
                    )
                ],
            )
            results[ind.code] = result
        try:
            value = convert(row.value, row.unit, ind.unit)
        except UnitMismatchError:
            continue
        start = row.period_start or row.period_end
        end = row.period_end or row.period_start
        kind = ValueKind(row.kind)
        if kind is ValueKind.PLANNED:
            kind = ValueKind.TARGET
        dims = [
            (name, str(val))
            for name, val in (("country", row.country), ("sex", row.sex), ("entity", row.entity))
            if val
        ]
        # IATI values are plain numbers: a bound or an approximation is said in words.
        qualifier = QUALIFIER_WORDS.get(row.qualifier or "")
        result.indicators[0].observations.append(
            Observation(
                kind=kind,
                value=value,
                period_start=start,
                period_end=end,
                year=end.year if kind is ValueKind.BASELINE and end else None,
                dimensions=dims,
                comment={"en": f"{qualifier} {_decimal(value)}"} if qualifier else {},
            )
        )
    return {wid: list(found.values()) for wid, found in grouped.items()}


def export(
    db: Database,
    out: Path,
    filt: ExportFilter | None = None,
    publisher: OrgRef | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ExportSummary:
    """Service call: write the selected work items to ``out`` as IATI 2.03 XML."""
    filt = filt or ExportFilter()
    summary = ExportSummary(path=str(out))
    states = [ReviewState.VERIFIED.value]
    if not filt.verified_only:
        states.append(ReviewState.SUBMITTED.value)
    tmp = out.with_name(f".{out.name}.part")
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        with db.transaction() as session:
            total = len(session.scalars(_query(filt)).all())
            with etree.xmlfile(str(tmp), encoding="utf-8") as xf:
                xf.write_declaration()
                stamp = datetime.now(UTC).replace(microsecond=0).isoformat()
                with xf.element(
                    "iati-activities", {"version": IATI_VERSION, "generated-datetime": stamp}
                ):
                    xf.write("\n")
                    for ids in iter_work_ids(session, _query(filt)):
                        others = _other_results(session, ids, states)
                        notes: dict[int, dict[str, str]] = {}
                        activities = load_activities(session, ids, states, notes)
                        for wid, act in zip(ids, activities, strict=True):
                            act.results = act.results + others.get(wid, [])
                            builder = _Builder(act, publisher, notes.get(wid))
                            try:
                                element = builder.build()
                            except ValueError as exc:  # lxml refuses text XML cannot carry
                                reason = (
                                    str(exc)
                                    if isinstance(exc, _Unwritable)
                                    else "a value holds characters XML cannot carry"
                                )
                                builder.note(reason, Severity.ERROR)
                                element = None
                            summary.problems.extend(builder.problems)
                            if element is None:
                                summary.skipped += 1
                                continue
                            xf.write(element, pretty_print=True)
                            summary.exported += 1
                        if progress is not None:
                            progress(summary.exported + summary.skipped, total)
        if summary.exported == 0:
            raise GreenfolioError(
                "nothing to export: no work item matches the filters, or none could be "
                "written:" + "".join(f"\n  {g}" for g in group_problems(summary.problems)[:10])
            )
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()
    return summary
