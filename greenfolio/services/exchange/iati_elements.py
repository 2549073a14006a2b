"""Readers of the child elements of an ``iati-activity``, one per tag (``READERS``).

Each reader takes the element, the ``Activity`` being built and the ``Context`` of the
activity (file, line, language, problems), reads what Greenfolio keeps of the element
and reports what it cannot keep. ``iati_parse`` streams the file and dispatches each
child of an activity to its reader once, by tag.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import lru_cache

import pycountry
from lxml import etree

from greenfolio.domain.countries import written_names
from greenfolio.domain.iati import (
    LEGACY_DATE_TYPES,
    LEGACY_SECTOR_VOCABULARIES,
    LEGACY_TRANSACTION_TYPES,
    ROLE_BY_CODE,
    STATUS_BY_CODE,
    Activity,
    CodeShare,
    CountryShare,
    DocumentLink,
    Location,
    Money,
    Participant,
    legacy_role,
)
from greenfolio.domain.text import folded, quoted
from greenfolio.domain.text import problem as text_problem
from greenfolio.services.exchange import codelists
from greenfolio.services.exchange.iati_results import read_result
from greenfolio.services.exchange.iati_values import (
    CURRENCIES,
    INF,
    Context,
    narratives,
    read_currency,
    read_date,
    read_number,
    read_org,
    text_of,
    whole_number,
)

_TRANSACTION_TYPES = codelists.codes("TransactionType")
_COUNTRIES = codelists.codes("Country")
_REGIONS = codelists.codes("Region")
_SECTORS = codelists.codes("Sector")
_SECTOR_CATEGORIES = codelists.codes("SectorCategory")
_SECTOR_VOCABULARIES = codelists.codes("SectorVocabulary")
_REGION_VOCABULARIES = codelists.codes("RegionVocabulary")
_BUDGET_TYPES = codelists.codes("BudgetType")
_BUDGET_STATUSES = codelists.codes("BudgetStatus")


@lru_cache(maxsize=1)
def alpha3_by_alpha2() -> dict[str, str]:
    return {c.alpha_2: c.alpha_3 for c in pycountry.countries}


# ---------------------------------------------------------------- element readers


def _identifier(el: etree._Element, act: Activity, ctx: Context) -> None:
    act.identifier = text_of(el)
    ctx.ident = act.identifier or None
    found = text_problem(act.identifier)
    if found is not None:
        ctx.error(el, f"the iati-identifier {found}")


def _reporting_org(el: etree._Element, act: Activity, ctx: Context) -> None:
    act.reporting_org = read_org(ctx, el)


def _title(el: etree._Element, act: Activity, ctx: Context) -> None:
    for lang, text in narratives(ctx, el).items():
        act.title.setdefault(lang, text)


def _description(el: etree._Element, act: Activity, ctx: Context) -> None:
    kind = (el.get("type") or "1").strip()
    if ctx.legacy:
        kind = {"general": "1", "objectives": "2", "target groups": "3"}.get(kind.lower(), kind)
    texts = narratives(ctx, el)
    if not texts:
        return
    if kind == "1":
        for lang, text in texts.items():
            act.description.setdefault(lang, text)
        return
    if not codelists.known("DescriptionType", kind):
        ctx.warn(el, f"description type {quoted(kind)} is not in the DescriptionType codelist")
    act.other_descriptions.append((kind, texts))


def _participating_org(el: etree._Element, act: Activity, ctx: Context) -> None:
    raw = (el.get("role") or "").strip()
    code = raw if raw in ROLE_BY_CODE else legacy_role(raw)
    if code is None:
        ctx.warn(
            el, f"organisation role {quoted(raw)} is not in the OrganisationRole codelist; left out"
        )
        return
    org = read_org(ctx, el)
    if org.ref is None and not org.names:
        return
    act.participants.append(Participant(org, ROLE_BY_CODE[code]))


def _status(el: etree._Element, act: Activity, ctx: Context) -> None:
    code = (el.get("code") or "").strip()
    status = STATUS_BY_CODE.get(code)
    if status is None:
        ctx.warn(el, f"activity status {quoted(code)} is not in the ActivityStatus codelist")
    act.status = status


def _activity_date(el: etree._Element, act: Activity, ctx: Context) -> None:
    kind = (el.get("type") or "").strip()
    if ctx.legacy:
        kind = LEGACY_DATE_TYPES.get(kind.lower(), kind)
    if kind not in ("1", "2", "3", "4"):
        ctx.warn(el, f"activity date type {quoted(kind)} is not in the ActivityDateType codelist")
        return
    raw = el.get("iso-date")
    if raw is None and ctx.legacy:
        raw = el.text
    if raw is None:
        ctx.warn(el, f"activity date of type {kind} has no iso-date; left out")
        return
    day = read_date(ctx, el, raw, "iso-date")
    if day is not None:
        act.dates.setdefault(kind, day)


def _percentage(ctx: Context, el: etree._Element) -> float | None:
    value = read_number(ctx, el, el.get("percentage"), "percentage")
    if value is not None and not 0 <= value <= 100:
        ctx.error(el, f"percentage {value:g} is outside 0–100")
    return value


def _country(el: etree._Element, act: Activity, ctx: Context) -> None:
    raw = (el.get("code") or "").strip().upper()
    percentage = _percentage(ctx, el)
    if not raw:  # "<recipient-country>Malawi</recipient-country>" (1.0x files): by its name
        named = " ".join((el.text or "").split())[:60]
        alpha3 = written_names().get(folded(named)) if named else None
        if alpha3 is None:
            said = f" (it reads {quoted(named)}, no country's name)" if named else ""
            ctx.warn(el, f"recipient-country has no code{said}; left out")
            return
        ctx.warn(
            el, f"recipient-country has no code; read as {alpha3} from its name {quoted(named)}"
        )
        if not any(c.country == alpha3 for c in act.countries):
            act.countries.append(CountryShare(alpha3, percentage))
        return
    if raw not in _COUNTRIES:
        ctx.warn(el, f"country {quoted(raw)} is not in the IATI Country codelist; left out")
        return
    alpha3 = alpha3_by_alpha2().get(raw)
    if alpha3 is None:
        ctx.warn(el, f"country {quoted(raw)} has no ISO 3166-1 alpha-3 code; left out")
        return
    if act.countries and any(c.country == alpha3 for c in act.countries):
        ctx.warn(el, f"country {quoted(raw)} is given twice; the second is left out")
        return
    act.countries.append(CountryShare(alpha3, percentage))


def _region(el: etree._Element, act: Activity, ctx: Context) -> None:
    code = (el.get("code") or "").strip()
    vocabulary = (el.get("vocabulary") or "1").strip()
    percentage = _percentage(ctx, el)
    if not code or len(code) > 40 or len(vocabulary) > 10:
        ctx.warn(
            el, f"region {quoted(code)} (vocabulary {quoted(vocabulary)}) cannot be kept; left out"
        )
        return
    if vocabulary not in _REGION_VOCABULARIES:
        ctx.warn(
            el, f"region vocabulary {quoted(vocabulary)} is not in the RegionVocabulary codelist"
        )
    elif vocabulary == "1" and code not in _REGIONS:
        # not kept: the export would publish a code IATI does not know
        ctx.warn(el, f"region {quoted(code)} is not in the IATI Region codelist; left out")
        return
    if act.regions and any(r.code == code and r.vocabulary == vocabulary for r in act.regions):
        return
    act.regions.append(CodeShare(code, vocabulary, percentage, narratives(ctx, el)))


def _sector(el: etree._Element, act: Activity, ctx: Context) -> None:
    code = (el.get("code") or el.get("ref") or "").strip()
    vocabulary = (el.get("vocabulary") or el.get("type") or "").strip()
    if ctx.legacy:
        vocabulary = LEGACY_SECTOR_VOCABULARIES.get(vocabulary.lower(), "99" if vocabulary else "1")
    vocabulary = vocabulary or "1"
    percentage = _percentage(ctx, el)
    if not code or len(code) > 40 or len(vocabulary) > 10:
        ctx.warn(
            el, f"sector {quoted(code)} (vocabulary {quoted(vocabulary)}) cannot be kept; left out"
        )
        return
    if vocabulary not in _SECTOR_VOCABULARIES:
        ctx.warn(
            el, f"sector vocabulary {quoted(vocabulary)} is not in the SectorVocabulary codelist"
        )
    elif vocabulary == "1" and code not in _SECTORS:
        # not kept: the export would publish a code IATI does not know
        ctx.warn(
            el, f"sector {quoted(code)} is not in the IATI Sector (DAC 5-digit) codelist; left out"
        )
        return
    elif vocabulary == "2" and code not in _SECTOR_CATEGORIES:
        ctx.warn(el, f"sector {quoted(code)} is not in the IATI SectorCategory codelist; left out")
        return
    if act.sectors and any(s.code == code and s.vocabulary == vocabulary for s in act.sectors):
        return
    act.sectors.append(CodeShare(code, vocabulary, percentage, narratives(ctx, el)))


def _value(
    ctx: Context, act: Activity, el: etree._Element | None, fallback_date: date | None
) -> tuple[float | None, str | None, date | None]:
    if el is None:
        return None, None, None
    try:
        value: float | None = float(el.text)
        if value != value or value in (INF, -INF):
            raise ValueError(el.text)
    except (TypeError, ValueError):
        value = read_number(ctx, el, el.text or "", "value")
    raw_currency = el.get("currency")
    if raw_currency is None:
        currency = act.currency
    elif raw_currency in CURRENCIES:
        currency = raw_currency
    else:
        currency = read_currency(ctx, el, raw_currency) or act.currency
    raw_date = el.get("value-date")
    if raw_date is None:
        if fallback_date is not None:
            ctx.warn(el, "value has no value-date; the period or transaction date is used")
        return value, currency, fallback_date
    try:
        return value, currency, date.fromisoformat(raw_date)
    except ValueError:
        return value, currency, read_date(ctx, el, raw_date, "value-date")


def _budget(el: etree._Element, act: Activity, ctx: Context) -> None:
    start = end = None
    value_el = None
    for child in el:
        tag = child.tag
        if tag == "period-start":
            start = read_date(ctx, child, child.get("iso-date"), "period-start iso-date")
        elif tag == "period-end":
            end = read_date(ctx, child, child.get("iso-date"), "period-end iso-date")
        elif tag == "value":
            value_el = child
    value, currency, value_date = _value(ctx, act, value_el, start)
    if value is None or start is None or end is None:
        ctx.warn(el, "budget without a value, period-start or period-end; left out")
        return
    kind, status = el.get("type"), el.get("status")
    if kind is not None and kind not in _BUDGET_TYPES:
        ctx.warn(el, f"budget type {quoted(kind)} is not in the BudgetType codelist; left out")
        kind = None
    if status is not None and status not in _BUDGET_STATUSES:
        ctx.warn(
            el, f"budget status {quoted(status)} is not in the BudgetStatus codelist; left out"
        )
        status = None
    act.money.append(Money("budget", value, kind, currency, value_date, status, start, end))


def _transaction(el: etree._Element, act: Activity, ctx: Context) -> None:
    raw_type = el.get("type") if ctx.legacy else None
    day = None
    value_el = description = provider = receiver = None
    for child in el:
        tag = child.tag
        if tag == "transaction-type":
            raw_type = child.get("code")
        elif tag == "transaction-date":
            day = read_date(ctx, child, child.get("iso-date"), "transaction-date")
        elif tag == "value":
            value_el = child
        elif tag == "description":
            description = child
        elif tag == "provider-org":
            provider = child
        elif tag == "receiver-org":
            receiver = child
    kind = (raw_type or "").strip()
    if ctx.legacy:
        kind = LEGACY_TRANSACTION_TYPES.get(kind.lower(), kind)
    if kind not in _TRANSACTION_TYPES:
        ctx.warn(
            el,
            f"transaction type {quoted(raw_type)} is not in the TransactionType codelist; left out"
            if raw_type is not None
            else "transaction without a transaction-type code; left out",
        )
        return
    if day is None and value_el is not None and ctx.legacy:
        day = read_date(ctx, value_el, value_el.get("value-date"), "value-date")
    value, currency, value_date = _value(ctx, act, value_el, day)
    if value is None or day is None:
        ctx.warn(el, "transaction without a value or a date; left out")
        return
    act.money.append(
        Money(
            "transaction",
            value,
            kind,
            currency,
            value_date,
            None,
            None,
            None,
            day,
            el.get("ref") or None,
            narratives(ctx, description) if description is not None else {},
            read_org(ctx, provider) if provider is not None else None,
            read_org(ctx, receiver) if receiver is not None else None,
        )
    )


def _location(el: etree._Element, act: Activity, ctx: Context) -> None:
    loc = Location(ref=(el.get("ref") or "").strip() or None)
    for child in el:
        tag = child.tag
        if tag == "name":
            loc.name = narratives(ctx, child)
        elif tag == "description":
            loc.description = narratives(ctx, child)
        elif tag == "location-reach":
            loc.reach = (child.get("code") or "").strip() or None
        elif tag == "exactness":
            loc.exactness = (child.get("code") or "").strip() or None
        elif tag == "location-class":
            loc.location_class = (child.get("code") or "").strip() or None
        elif tag == "feature-designation":
            loc.feature_designation = (child.get("code") or "").strip() or None
        elif tag == "location-id":
            loc.ids.append(
                ((child.get("vocabulary") or "").strip(), (child.get("code") or "").strip())
            )
        elif tag == "administrative":
            level = (child.get("level") or "").strip()
            loc.administrative.append(
                (
                    (child.get("vocabulary") or "").strip(),
                    (child.get("code") or "").strip(),
                    whole_number(level),
                )
            )
        elif tag == "point":
            loc.point = _point(ctx, child, text_of(child.find("pos")))
        elif tag == "coordinates" and ctx.legacy:
            loc.point = _point(ctx, child, f"{child.get('latitude')} {child.get('longitude')}")
    for code, codelist in (
        (loc.reach, "GeographicLocationReach"),
        (loc.exactness, "GeographicExactness"),
        (loc.location_class, "GeographicLocationClass"),
        *((vocabulary, "GeographicVocabulary") for vocabulary, _ in loc.ids),
        *((vocabulary, "GeographicVocabulary") for vocabulary, _, _ in loc.administrative),
    ):
        if code is not None and not codelists.known(codelist, code):
            ctx.warn(el, f"location code {quoted(code)} is not in the {codelist} codelist")
    act.locations.append(loc)


def _point(ctx: Context, el: etree._Element, text: str) -> tuple[float, float] | None:
    parts = text.split()
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except (IndexError, ValueError):
        ctx.warn(el, f"position {quoted(text)} is not 'latitude longitude'; left out")
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        ctx.warn(el, f"position {quoted(text)} is off the globe; left out")
        return None
    return (lat, lon)


def _document(el: etree._Element, act: Activity, ctx: Context) -> None:
    url = (el.get("url") or "").strip()
    fmt = (el.get("format") or "").strip()
    categories = [
        c for c in ((x.get("code") or "").strip() for x in el.iterchildren("category")) if c
    ]
    if not url or not fmt or not categories:
        ctx.warn(el, "document-link without url, format or category; left out")
        return
    for code in categories:
        if not codelists.known("DocumentCategory", code):
            ctx.warn(
                el, f"document category {quoted(code)} is not in the DocumentCategory codelist"
            )
    for child in el.iterchildren("language"):
        code = (child.get("code") or "").strip().lower()
        if code and not codelists.known("Language", code):
            ctx.warn(child, f"language {quoted(code)} is not in the Language codelist")
    title = description = date_el = None
    for child in el:
        tag = child.tag
        if tag == "title":
            title = child
        elif tag == "description":
            description = child
        elif tag == "document-date":
            date_el = child
    act.documents.append(
        DocumentLink(
            url=url,
            format=fmt,
            title=narratives(ctx, title) if title is not None else {},
            description=narratives(ctx, description) if description is not None else {},
            categories=categories,
            languages=[
                c for c in ((x.get("code") or "").strip() for x in el.iterchildren("language")) if c
            ],
            date=read_date(ctx, date_el, date_el.get("iso-date"), "document-date")
            if date_el is not None
            else None,
        )
    )


Reader = Callable[[etree._Element, Activity, Context], None]

READERS: dict[str, Reader] = {
    "iati-identifier": _identifier,
    "reporting-org": _reporting_org,
    "title": _title,
    "description": _description,
    "participating-org": _participating_org,
    "activity-status": _status,
    "activity-date": _activity_date,
    "recipient-country": _country,
    "recipient-region": _region,
    "sector": _sector,
    "budget": _budget,
    "transaction": _transaction,
    "location": _location,
    "document-link": _document,
    "result": read_result,
}
