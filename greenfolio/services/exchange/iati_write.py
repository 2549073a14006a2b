"""Write one ``Activity`` as the text of an IATI 2.03 ``iati-activity`` element.

The text is the one ``lxml`` gives for the same element pretty-printed (two spaces a
level, ``<x/>`` for an empty element, the same escapes, and the same refusal of
characters XML cannot carry), but built as strings: making an element tree for every
activity and serialising it cost an export more than reading the records did.
``tests/test_exchange_iati.py`` checks the text against lxml's serialisation.
Elements follow the order the 2.03 schema requires; where the schema requires something
the record lacks, the writer notes what it did.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

import pycountry

from greenfolio.domain.exchange import Problem, Severity
from greenfolio.domain.iati import (
    ACTUAL_START,
    CODE_BY_ROLE,
    CODE_BY_STATUS,
    PLANNED_START,
    Activity,
    CodeShare,
    DocumentLink,
    IatiIndicator,
    IatiResult,
    Location,
    Money,
    Narratives,
    Observation,
    OrgRef,
)
from greenfolio.domain.numbers import decimal_text
from greenfolio.domain.results import ValueKind
from greenfolio.services.exchange.iati_rule_types import one_year_after

WGS84 = "http://www.opengis.net/def/crs/EPSG/0/4326"
INDENT = "  "

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# What lxml refuses (control characters, U+FFFE/U+FFFF; surrogates cannot be UTF-8).
_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# What needs a second look in text or in an attribute value: a character to escape as
# libxml2 does, or one to refuse.
_TEXT_SPECIAL = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ATTR_SPECIAL = re.compile('[&<>"\t\n\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]')
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTR_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\t": "&#9;",
        "\n": "&#10;",
        "\r": "&#13;",
    }
)
_UNCARRIED = "All strings must be XML compatible: no NULL bytes or control characters"


class Unwritable(ValueError):
    """A value of the record that XML cannot carry; the activity is left out, named."""


@lru_cache(maxsize=512)
def alpha2(alpha3: str) -> str | None:
    country = pycountry.countries.get(alpha_3=alpha3)
    return country.alpha_2 if country else None


def text(value: str) -> str:
    """``value`` escaped as element text; ``ValueError`` if XML cannot carry it."""
    if _TEXT_SPECIAL.search(value) is None:
        return value
    if _INVALID.search(value):
        raise ValueError(_UNCARRIED)
    return value.translate(_TEXT_ESCAPES)


def attr(value: str) -> str:
    """``value`` escaped as an attribute value; ``ValueError`` if XML cannot carry it."""
    if _ATTR_SPECIAL.search(value) is None:
        return value
    if _INVALID.search(value):
        raise ValueError(_UNCARRIED)
    return value.translate(_ATTR_ESCAPES)


def _xml_text(value: str, where: str) -> str:
    """``value`` escaped if XML can carry it, else an error naming the element and the
    character (what a user can mend in the work item)."""
    bad = _CONTROL.search(value)
    if bad:
        raise Unwritable(
            f"the {where} holds the control character U+{ord(bad.group()):04X}, which XML "
            "cannot carry; remove it from the work item"
        )
    return text(value)


def _bool(value: bool) -> str:
    return "true" if value else "false"


class ActivityWriter:
    """Turns one ``Activity`` into the text of its ``iati-activity`` element, noting what
    it had to do. ``out`` gathers the element's lines; the caller joins them."""

    def __init__(
        self, act: Activity, publisher: OrgRef | None, date_notes: dict[str, str] | None = None
    ) -> None:
        self.act = act
        self.publisher = publisher
        self.date_notes = date_notes or {}
        """Dates known only to the month or year, as stated, by ActivityDateType code."""
        self.problems: list[Problem] = []
        self.out: list[str] = []

    def note(self, message: str, severity: Severity = Severity.WARNING) -> None:
        self.problems.append(
            Problem(
                message, severity=severity, activity=self.act.identifier, element="iati-activity"
            )
        )

    # Building blocks: ``open`` returns the index of the start tag, which ``close``
    # ends as ``<x/>`` when nothing was written inside it.
    def open(self, ind: str, tag: str, attrs: str = "") -> int:
        self.out.append(f"{ind}<{tag}{attrs}")
        return len(self.out) - 1

    def close(self, at: int, ind: str, tag: str) -> None:
        out = self.out
        if len(out) - 1 == at:
            out[at] += "/>\n"
        else:
            out[at] += ">\n"
            out.append(f"{ind}</{tag}>\n")

    def texts(self, ind: str, where: str, texts: Narratives, required: bool = False) -> None:
        default = self.act.language
        append = self.out.append
        for lang, value in texts.items():
            if lang != default:
                append(
                    f'{ind}<narrative xml:lang="{attr(lang)}">'
                    f"{_xml_text(value, where)}</narrative>\n"
                )
            else:
                append(f"{ind}<narrative>{_xml_text(value, where)}</narrative>\n")
        if required and not texts:  # named in a language all the same (IATI rule 4.1.1)
            append(f"{ind}<narrative/>\n" if default else f'{ind}<narrative xml:lang="en"/>\n')

    def text_element(self, ind: str, tag: str, texts: Narratives, attrs: str = "") -> None:
        self.out.append(f"{ind}<{tag}{attrs}>\n")
        self.texts(ind + INDENT, tag, texts, required=True)
        self.out.append(f"{ind}</{tag}>\n")

    def org(self, ind: str, tag: str, org: OrgRef, attrs: str = "") -> None:
        head = ""
        if org.ref:
            head += f' ref="{attr(org.ref)}"'
        if org.type:
            head += f' type="{attr(org.type)}"'
        at = self.open(ind, tag, head + attrs)
        self.texts(ind + INDENT, tag, org.names)
        self.close(at, ind, tag)

    def reporting(self) -> OrgRef | None:
        """The activity's reporting organisation: its own as recorded, the publisher given
        to the export where it records none, or its own completed by the publisher's
        where both name the same ref. Another publisher's organisation (an imported
        file's, "1171") never takes the exporting publisher's type or name."""
        org = self.act.reporting_org or OrgRef()
        pub = self.publisher or OrgRef()
        own = bool(org.ref or org.names)
        if not own:
            merged = pub
        elif org.ref and org.ref == pub.ref:
            merged = OrgRef(ref=org.ref, type=org.type or pub.type, names=org.names or pub.names)
        else:
            merged = org
        if not merged.ref or not merged.type:
            lacking = " and ".join(
                what
                for what, value in (("IATI ref", merged.ref), ("type", merged.type))
                if not value
            )
            if own and merged is org:
                named = org.ref or next(iter(org.names.values()), "")
                self.note(
                    f"the reporting organisation this activity records ({named}) has no "
                    f"{lacking}: give it on the project (its partner in the role reporting), "
                    "or re-import the publisher's corrected file; --reporting-org and "
                    "--reporting-org-type stand only for work that records no reporting "
                    "organisation (or the same ref)",
                    Severity.ERROR,
                )
                return None
            self.note(
                f"the reporting organisation has no {lacking}: give --reporting-org REF and "
                "--reporting-org-type CODE (IATI OrganisationType, e.g. 40 multilateral), or "
                "set GREENFOLIO_REPORTING_ORG and GREENFOLIO_REPORTING_ORG_TYPE once",
                Severity.ERROR,
            )
            return None
        return merged

    def build(self) -> str | None:
        """The element's text, or None (and an error noted) if IATI cannot take it."""
        act = self.act
        reporting = self.reporting()
        dates = sorted(act.dates.items())
        if not dates:
            self.note(
                "no activity dates; IATI requires at least one: give a planned or actual "
                "start or end (a year, month or day) in the project form or the XLSX template",
                Severity.ERROR,
            )
        status = CODE_BY_STATUS.get(act.status) if act.status else None
        if status is None:
            # IATI requires one; a status the source does not state is not made up
            self.note(
                "no activity status; IATI requires one: give the project's status in the "
                "project form",
                Severity.ERROR,
            )
        if reporting is None or not dates or status is None:
            return None
        if not {PLANNED_START, ACTUAL_START} & set(act.dates):
            self.note(
                "no planned or actual start date; exported, but IATI's data-quality rules "
                "(6.11.1) expect one"
            )
        if not act.description and not act.other_descriptions:
            self.note(
                "no description; exported with an empty one (the schema asks for the "
                "element), but IATI's data-quality rules (4.4.1) expect text: give a "
                "description in the project form"
            )
        if reporting.ref and not act.identifier.startswith(f"{reporting.ref}-"):
            self.note(
                f"the identifier does not begin with the reporting organisation's "
                f"({reporting.ref}-); exported, but IATI's data-quality rules (1.1.21) expect "
                "it to: IATI identifiers are the publisher's identifier, a hyphen and the "
                "activity's own part"
            )
        if not act.countries and not act.regions:
            self.note(
                "no recipient country or region; exported, but IATI's data-quality rules "
                "(3.7.1) expect one: give the countries in the project form or the XLSX "
                "template"
            )
        if not act.sectors:
            self.note(
                "no sector; exported, but IATI's data-quality rules (6.2.2) expect one: give "
                "OECD DAC sector codes in the project form or the XLSX template"
            )
        if any(
            m.kind == "budget"
            and m.period_start
            and m.period_end
            and m.period_end > one_year_after(m.period_start)
            for m in act.money
        ):
            self.note(
                "a budget covers more than a year; exported, but IATI's data-quality rules "
                "(7.5.3) expect budget periods of a year at most: give one budget per year"
            )
        out = self.out
        append = out.append
        head = "<iati-activity"
        if act.last_updated is not None:
            head += f' last-updated-datetime="{act.last_updated.isoformat()}"'
        if act.language:
            head += f' xml:lang="{attr(act.language)}"'
        if act.currency:
            head += f' default-currency="{attr(act.currency)}"'
        append(head + ">\n")
        ind = INDENT
        inner = ind + INDENT
        append(f"{ind}<iati-identifier>{text(act.identifier)}</iati-identifier>\n")
        append(
            f'{ind}<reporting-org ref="{attr(reporting.ref or "")}" '
            f'type="{attr(reporting.type or "")}">\n'
        )
        self.texts(inner, "reporting-org", reporting.names, required=True)
        append(f"{ind}</reporting-org>\n")
        self.text_element(ind, "title", act.title)
        if act.description or not act.other_descriptions:  # the schema wants one
            self.text_element(ind, "description", act.description, ' type="1"')
        for kind, texts in act.other_descriptions:
            self.text_element(ind, "description", texts, f' type="{attr(kind)}"')
        participants = act.participants
        if not participants:
            self.note("no participating organisation; the reporting one is given as accountable")
            self.org(ind, "participating-org", reporting, ' role="2"')
        for part in participants:
            self.org(ind, "participating-org", part.org, f' role="{CODE_BY_ROLE[part.role]}"')
        append(f'{ind}<activity-status code="{attr(status)}"/>\n')
        for kind, day in dates:
            tag = f'{ind}<activity-date type="{attr(kind)}" iso-date="{day.isoformat()}"'
            stated = self.date_notes.get(kind)
            if stated:
                # The schema's way of giving a month or year: iso-date bounds the period.
                # Digits read alike in every language; without the activity's default
                # language the narrative still names one (IATI rule 4.1.1), English.
                lang = "" if act.language else ' xml:lang="en"'
                append(
                    f"{tag}>\n{inner}<narrative{lang}>{_xml_text(stated, 'activity-date')}"
                    f"</narrative>\n{ind}</activity-date>\n"
                )
            else:
                append(tag + "/>\n")
        for share in act.countries:
            code = alpha2(share.country)
            if code is None:
                self.note(f"country {share.country} has no alpha-2 code; left out")
                continue
            if share.percentage is not None:
                append(
                    f'{ind}<recipient-country code="{code}" '
                    f'percentage="{decimal_text(share.percentage)}"/>\n'
                )
            else:
                append(f'{ind}<recipient-country code="{code}"/>\n')
        for region in act.regions:
            self.share(ind, "recipient-region", region, True)
        for loc in act.locations:
            self.location(ind, loc)
        for sector in act.sectors:
            self.share(ind, "sector", sector, False)
        for money in act.money:
            if money.kind == "budget":
                self.budget(ind, money)
        for money in act.money:
            if money.kind == "transaction":
                self.transaction(ind, money)
        for doc in act.documents:
            self.document(ind, doc)
        for result in act.results:
            self.result(ind, result)
        append("</iati-activity>\n")
        return "".join(out)

    def share(self, ind: str, tag: str, share: CodeShare, code_first: bool) -> None:
        """A region (code, then vocabulary) or a sector (vocabulary, then code)."""
        code, vocabulary = attr(share.code), attr(share.vocabulary)
        if code_first:
            head = f' code="{code}" vocabulary="{vocabulary}"'
        else:
            head = f' vocabulary="{vocabulary}" code="{code}"'
        if share.percentage is not None:
            head += f' percentage="{decimal_text(share.percentage)}"'
        at = self.open(ind, tag, head)
        self.texts(ind + INDENT, tag, share.names)
        self.close(at, ind, tag)

    def location(self, ind: str, loc: Location) -> None:
        at = self.open(ind, "location", f' ref="{attr(loc.ref)}"' if loc.ref else "")
        append = self.out.append
        inner = ind + INDENT
        if loc.reach:
            append(f'{inner}<location-reach code="{attr(loc.reach)}"/>\n')
        for vocabulary, code in loc.ids:
            append(f'{inner}<location-id vocabulary="{attr(vocabulary)}" code="{attr(code)}"/>\n')
        if loc.name:
            self.text_element(inner, "name", loc.name)
        if loc.description:
            self.text_element(inner, "description", loc.description)
        for vocabulary, code, level in loc.administrative:
            head = f'{inner}<administrative vocabulary="{attr(vocabulary)}" code="{attr(code)}"'
            append(f'{head} level="{level}"/>\n' if level is not None else head + "/>\n")
        if loc.point is not None:
            append(
                f'{inner}<point srsName="{WGS84}">\n'
                f"{inner}{INDENT}<pos>{loc.point[0]} {loc.point[1]}</pos>\n{inner}</point>\n"
            )
        if loc.exactness:
            append(f'{inner}<exactness code="{attr(loc.exactness)}"/>\n')
        if loc.location_class:
            append(f'{inner}<location-class code="{attr(loc.location_class)}"/>\n')
        if loc.feature_designation:
            append(f'{inner}<feature-designation code="{attr(loc.feature_designation)}"/>\n')
        self.close(at, ind, "location")

    def value(self, ind: str, money: Money, fallback: date | None) -> None:
        day = money.value_date or fallback
        head = f'{ind}<value value-date="{day.isoformat() if day else ""}"'
        if money.currency and money.currency != self.act.currency:
            head += f' currency="{attr(money.currency)}"'
        self.out.append(f"{head}>{decimal_text(money.value)}</value>\n")

    def budget(self, ind: str, money: Money) -> None:
        if money.period_start is None or money.period_end is None:
            self.note("budget without a period; left out")
            return
        head = f"{ind}<budget"
        if money.type:
            head += f' type="{attr(money.type)}"'
        if money.status:
            head += f' status="{attr(money.status)}"'
        inner = ind + INDENT
        self.out.append(
            f'{head}>\n{inner}<period-start iso-date="{money.period_start.isoformat()}"/>\n'
            f'{inner}<period-end iso-date="{money.period_end.isoformat()}"/>\n'
        )
        self.value(inner, money, money.period_start)
        self.out.append(f"{ind}</budget>\n")

    def transaction(self, ind: str, money: Money) -> None:
        if money.date is None or money.type is None:
            self.note("transaction without a type or a date; left out")
            return
        append = self.out.append
        inner = ind + INDENT
        append(
            f'{ind}<transaction ref="{attr(money.ref)}">\n'
            if money.ref
            else f"{ind}<transaction>\n"
        )
        append(
            f'{inner}<transaction-type code="{attr(money.type)}"/>\n'
            f'{inner}<transaction-date iso-date="{money.date.isoformat()}"/>\n'
        )
        self.value(inner, money, money.date)
        if money.description:
            self.text_element(inner, "description", money.description)
        if money.provider is not None:
            self.org(inner, "provider-org", money.provider)
        if money.receiver is not None:
            self.org(inner, "receiver-org", money.receiver)
        append(f"{ind}</transaction>\n")

    def document(self, ind: str, doc: DocumentLink) -> None:
        append = self.out.append
        inner = ind + INDENT
        append(f'{ind}<document-link url="{attr(doc.url)}" format="{attr(doc.format)}">\n')
        self.text_element(inner, "title", doc.title)
        if doc.description:
            self.text_element(inner, "description", doc.description)
        for code in doc.categories:
            append(f'{inner}<category code="{attr(code)}"/>\n')
        for code in doc.languages:
            append(f'{inner}<language code="{attr(code)}"/>\n')
        if doc.date is not None:
            append(f'{inner}<document-date iso-date="{doc.date.isoformat()}"/>\n')
        append(f"{ind}</document-link>\n")

    def result(self, ind: str, result: IatiResult) -> None:
        head = f'{ind}<result type="{attr(result.type)}"'
        if result.aggregation_status is not None:
            head += f' aggregation-status="{_bool(result.aggregation_status)}"'
        self.out.append(head + ">\n")
        inner = ind + INDENT
        self.text_element(inner, "title", result.title)
        if result.description:
            self.text_element(inner, "description", result.description)
        for ind_ in result.indicators:
            self.indicator(inner, ind_)
        self.out.append(f"{ind}</result>\n")

    def indicator(self, ind: str, indicator: IatiIndicator) -> None:
        append = self.out.append
        head = f'{ind}<indicator measure="{attr(indicator.measure)}"'
        if indicator.ascending is not None:
            head += f' ascending="{_bool(indicator.ascending)}"'
        if indicator.aggregation_status is not None:
            head += f' aggregation-status="{_bool(indicator.aggregation_status)}"'
        append(head + ">\n")
        inner = ind + INDENT
        self.text_element(inner, "title", indicator.title)
        if indicator.description:
            self.text_element(inner, "description", indicator.description)
        for vocabulary, code, uri in indicator.references:
            ref = f'{inner}<reference vocabulary="{attr(vocabulary)}" code="{attr(code)}"'
            append(f'{ref} indicator-uri="{attr(uri)}"/>\n' if uri else ref + "/>\n")
        periods: dict[tuple[date, date], list[Observation]] = {}
        for obs in indicator.observations:
            if obs.kind is ValueKind.BASELINE:
                self.baseline(inner, obs)
                continue
            if obs.period_start is None or obs.period_end is None:
                self.note("result value without a period; left out")
                continue
            periods.setdefault((obs.period_start, obs.period_end), []).append(obs)
        deeper = inner + INDENT
        for (start, end), values in periods.items():
            append(
                f"{inner}<period>\n"
                f'{deeper}<period-start iso-date="{start.isoformat()}"/>\n'
                f'{deeper}<period-end iso-date="{end.isoformat()}"/>\n'
            )
            for kind, tag in ((ValueKind.TARGET, "target"), (ValueKind.ACTUAL, "actual")):
                for obs in values:
                    if obs.kind is kind:
                        self.point(deeper, tag, obs, f' value="{decimal_text(obs.value)}"')
            append(f"{inner}</period>\n")
        append(f"{ind}</indicator>\n")

    def baseline(self, ind: str, obs: Observation) -> None:
        year = obs.year or (obs.period_end.year if obs.period_end else None)
        if year is None or year <= 0:
            self.note("baseline without a year; left out")
            return
        head = f' year="{year}" value="{decimal_text(obs.value)}"'
        if obs.period_end is not None:
            head += f' iso-date="{obs.period_end.isoformat()}"'
        self.point(ind, "baseline", obs, head)

    def point(self, ind: str, tag: str, obs: Observation, head: str) -> None:
        at = self.open(ind, tag, head)
        inner = ind + INDENT
        for name, value in obs.dimensions:
            self.out.append(f'{inner}<dimension name="{attr(name)}" value="{attr(value)}"/>\n')
        if obs.comment:
            self.text_element(inner, "comment", obs.comment)
        self.close(at, ind, tag)
