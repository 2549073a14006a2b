"""Register projects and other work, with countries, partners and classification."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from datetime import date
from typing import Any

from pydantic import ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session

from greenfolio.domain import activity_dates
from greenfolio.domain.activity_dates import DateType, StatedDate
from greenfolio.domain.countries import check_country
from greenfolio.domain.errors import NotFoundError, ValidationError
from greenfolio.domain.keys import HINT, key_refusal
from greenfolio.domain.languages import is_language_tag
from greenfolio.domain.text import CheckedText
from greenfolio.domain.work import OrgRole, WorkKind, WorkStatus
from greenfolio.services.database import Database
from greenfolio.services.exchange import codelists
from greenfolio.store.tables import (
    OrganisationRow,
    TermRow,
    WorkCountryRow,
    WorkOrgRow,
    WorkRow,
    WorkSectorRow,
    WorkTermRow,
)

DAC_SECTORS = "1"
"""IATI SectorVocabulary 1: the OECD DAC CRS purpose codes (5 digits)."""


class OrganisationSpec(CheckedText):
    model_config = ConfigDict(extra="forbid")
    key: str
    names: dict[str, str]
    iati_ref: str | None = None
    kind: str | None = None


class Participation(CheckedText):
    model_config = ConfigDict(extra="forbid")
    org: str
    role: OrgRole = OrgRole.PARTNER

    @model_validator(mode="before")
    @classmethod
    def _as_read(cls, data: Any) -> Any:
        """A partner as the API reads it ({key, names, iati_ref, kind, role}) is the
        organisation its key names: a client sends back what it read."""
        if isinstance(data, dict) and "org" not in data and "key" in data:
            return {"org": data["key"], "role": data.get("role", OrgRole.PARTNER)}
        return data


class DateSpec(CheckedText):
    """One activity date of a type, as stated: a year, a month or a day (see
    ``domain.activity_dates``), with where it is stated."""

    model_config = ConfigDict(extra="forbid")
    type: DateType
    when: str
    citation: str | None = None
    day: date | None = Field(
        default=None,
        description="read only: the day the export writes for ``when``, as the API reads it "
        "back; a body may send it back unchanged, and it is not stored",
    )

    @field_validator("when", mode="before")
    @classmethod
    def _as_text(cls, value: object) -> object:
        return value.isoformat() if isinstance(value, date) else value

    @model_validator(mode="after")
    def _readable(self) -> DateSpec:
        try:
            activity_dates.parse(self.type, self.when)
        except ValueError as exc:
            # said in the reader's language, naming the date's type, not "dates.0"
            when = self.when if len(self.when) <= 60 else self.when[:60] + "…"
            raise _refused(
                "activity_date", str(exc), when=when, date_type=self.type.value
            ) from None
        return self

    def stated(self) -> StatedDate:
        return activity_dates.parse(self.type, self.when)


def _refused(message_id: str, text: str, **params: str) -> PydanticCustomError:
    """A check of a project that fails: its English text, and the catalogue entry (with
    its params) a page says it with in the reader's language."""
    return PydanticCustomError(
        message_id, "{message}", {"message": text, "message_id": message_id, "params": params}
    )


class WorkSpec(CheckedText):
    """A work item as written in a data file or sent by a client."""

    model_config = ConfigDict(extra="forbid")
    multiline_fields = frozenset({"description", "citation"})
    key: str = Field(description="project key: an IATI identifier or similar (see domain.keys)")
    kind: WorkKind
    title: dict[str, str]
    description: dict[str, str] = Field(default_factory=dict)
    status: WorkStatus | None = None
    start: date | None = None
    end: date | None = None
    citation: str | None = None
    countries: list[str] = Field(default_factory=list)
    terms: list[str] = Field(default_factory=list)
    organisations: list[Participation] = Field(default_factory=list)
    dates: list[DateSpec] = Field(default_factory=list)
    """Typed activity dates; when given, ``start`` and ``end`` follow from them."""
    sectors: list[str] | None = None
    """OECD DAC 5-digit sector codes; None leaves the stored sectors as they are."""

    @field_validator("key")
    @classmethod
    def _usable_key(cls, key: str) -> str:
        found = key_refusal(key)
        if found is not None:
            text, message_id, params = found
            context = {"message": f"{text}: {HINT}", "message_id": message_id, "params": params}
            raise PydanticCustomError("project_key", "{message}", context)
        return key

    @field_validator("countries")
    @classmethod
    def _iso_codes(cls, codes: list[str]) -> list[str]:
        return [check_country(c) for c in codes]

    @field_validator("title", "description")
    @classmethod
    def _languages(cls, texts: dict[str, str]) -> dict[str, str]:
        for key in texts:
            if not is_language_tag(key):
                raise _refused(
                    "text_language",
                    f"{key!r} is not a language code; key each text by its language's "
                    "ISO 639-1 code, such as en, fr, es, ru, zh or ar",
                    code=key,
                )
        # a language sent empty is no text in it (an empty title was stored beside others)
        return {key: text for key, text in texts.items() if text.strip()}

    @field_validator("citation")
    @classmethod
    def _no_empty_citation(cls, citation: str | None) -> str | None:
        return citation if citation and citation.strip() else None

    @field_validator("title")
    @classmethod
    def _has_title(cls, title: dict[str, str]) -> dict[str, str]:
        if not any(v.strip() for v in title.values()):
            raise _refused("work_title", "a work item needs a title in at least one language")
        return title

    @field_validator("sectors")
    @classmethod
    def _dac_codes(cls, codes: list[str] | None) -> list[str] | None:
        if codes is None:
            return None
        known = codelists.codes("Sector")
        for code in codes:
            if code not in known:
                raise _refused(
                    "sector_code",
                    f"{code!r} is not an OECD DAC sector code; give 5-digit codes from the "
                    "IATI Sector codelist, e.g. 41020 (biosphere protection)",
                    code=code,
                )
        return list(dict.fromkeys(codes))

    def _span_as_read(self) -> bool:
        """Whether a start and end given beside typed dates are none, or those the dates
        give (as the API reads a project back): then the typed dates rule."""
        if not (self.start or self.end):
            return True
        try:
            start, end = _span(self.dates)
        except ValueError:
            return False
        return self.start in (None, start) and self.end in (None, end)

    @model_validator(mode="after")
    def _one_way_of_dating(self) -> WorkSpec:
        if self.dates and not self._span_as_read():
            raise _refused(
                "dates_both_ways",
                "give the dates either as start and end or as typed activity dates "
                "(planned or actual start and end), not both",
            )
        seen: set[DateType] = set()
        for spec in self.dates:
            if spec.type in seen:
                raise _refused(
                    "dates_twice",
                    f"two {spec.type.value.replace('_', ' ')} dates; keep one",
                    date_type=spec.type.value,
                )
            seen.add(spec.type)
        wrong = activity_dates.order_refusal([d.stated() for d in self.dates])
        if wrong is not None:
            text, params = wrong
            raise _refused("dates_order", text, **params)
        return self


def _span(dates: Iterable[DateSpec]) -> tuple[date | None, date | None]:
    """The start and end columns typed dates give: the actual date of each, else the
    planned one."""
    stated = {d.type: d.stated().day for d in dates}

    def first(*kinds: DateType) -> date | None:
        return next((stated[k] for k in kinds if k in stated), None)

    return (
        first(DateType.ACTUAL_START, DateType.PLANNED_START),
        first(DateType.ACTUAL_END, DateType.PLANNED_END),
    )


def _store_dates(row: WorkRow, spec: WorkSpec) -> None:
    """Typed dates into ``details`` (which the IATI export reads), start and end columns
    from them; with only a start and an end, those alone (the export infers the types)."""
    details = {
        k: v
        for k, v in (row.details or {}).items()
        if k not in ("dates", "date_notes", "date_citations")
    }
    if not spec.dates:
        row.start_date, row.end_date = spec.start, spec.end
        row.details = details or None
        return
    stated = {d.type: d.stated() for d in spec.dates}
    details["dates"] = {t.code: d.day.isoformat() for t, d in stated.items()}
    notes = {t.code: d.note for t, d in stated.items() if d.note}
    if notes:
        details["date_notes"] = notes
    cited = {d.type.code: d.citation for d in spec.dates if d.citation}
    if cited:
        details["date_citations"] = cited
    row.start_date, row.end_date = _span(spec.dates)
    row.details = details


def stated_dates(row: WorkRow) -> list[StatedDate]:
    """A work item's typed dates as stated (inferred from start and end if it has none)."""
    details = row.details or {}
    stored = details.get("dates")
    if stored is None:
        status = WorkStatus(row.status) if row.status else None
        days = activity_dates.inferred(row.start_date, row.end_date, status)
        return [StatedDate(t, d, d.isoformat()) for t, d in days.items()]
    notes = details.get("date_notes") or {}
    out = []
    for code, iso in sorted(stored.items()):
        day = date.fromisoformat(iso)
        out.append(StatedDate(DateType.from_code(code), day, notes.get(code, day.isoformat())))
    return out


def stored_spec(session: Session, row: WorkRow) -> dict[str, Any]:
    """A stored work item as ``WorkSpec`` fields, for changing a part of it (its dates,
    sectors or partners) and saving the whole through ``upsert_work`` again."""
    org_keys = dict(
        session.execute(
            select(OrganisationRow.id, OrganisationRow.key).where(
                OrganisationRow.id.in_([o.org_id for o in row.organisations])
            )
        ).all()
    )
    cited = (row.details or {}).get("date_citations") or {}
    sectors = session.scalars(
        select(WorkSectorRow.code)
        .where(WorkSectorRow.work_id == row.id, WorkSectorRow.vocabulary == DAC_SECTORS)
        .order_by(WorkSectorRow.code)
    )
    return {
        "key": row.key,
        "kind": row.kind,
        "title": dict(row.title or {}),
        "description": dict(row.description or {}),
        "status": row.status,
        "citation": row.citation,
        "countries": [c.country for c in row.countries],
        "terms": [t.term_key for t in row.terms],
        "organisations": [{"org": org_keys[o.org_id], "role": o.role} for o in row.organisations],
        "dates": [
            {"type": d.type.value, "when": d.stated, "citation": cited.get(d.type.code)}
            for d in stated_dates(row)
        ],
        "sectors": list(sectors),
    }


def _stored_fields(session: Session, row: WorkRow) -> dict[str, Any]:
    """``stored_spec`` as a save would give it again: a work item without typed dates by
    its start and end (the dates ``stored_spec`` infers from them are not stated)."""
    fields = stored_spec(session, row)
    if (row.details or {}).get("dates") is None:
        fields["dates"] = []
        fields["start"], fields["end"] = row.start_date, row.end_date
    return fields


def with_stored(session: Session, row: WorkRow, spec: WorkSpec, sent: Iterable[str]) -> WorkSpec:
    """``spec`` with every field its sender left out taken from the stored ``row``: a client
    that sends back what it read (which has no typed dates and names partners its own way)
    or only what it changes keeps the rest, as the form and the template do. A start and
    an end sent as stored keep the typed dates they were read from ("2021-03", its
    citation); a start or end changed replaces them."""
    given = set(sent) & set(WorkSpec.model_fields)
    merged = _stored_fields(session, row)
    typed = (row.details or {}).get("dates") is not None
    merged.update(spec.model_dump(include=given))
    sent_span = given & {"start", "end"}
    if "dates" not in given and sent_span:
        stored = {"start": row.start_date, "end": row.end_date}
        if typed and all(merged.get(f) == stored[f] for f in sent_span):
            merged["start"] = merged["end"] = None  # sent as read: the typed dates stay
        else:
            merged["dates"] = []
            merged.setdefault("start", row.start_date)
            merged.setdefault("end", row.end_date)
    elif "dates" in given and merged["dates"]:
        merged["start"] = merged["end"] = None
    return WorkSpec.model_validate(merged)


def upsert_organisation(session: Session, spec: OrganisationSpec) -> OrganisationRow:
    row = session.scalar(select(OrganisationRow).where(OrganisationRow.key == spec.key))
    if row is None:
        row = OrganisationRow(key=spec.key)
        session.add(row)
    row.names, row.iati_ref, row.kind = dict(spec.names), spec.iati_ref, spec.kind
    return row


def _check_terms(session: Session, keys: list[str], work: str) -> None:
    known = set(session.scalars(select(TermRow.key)))
    for key in keys:
        if key not in known:
            near = difflib.get_close_matches(key, sorted(known), n=3)
            hint = f" (did you mean {', '.join(near)}?)" if near else ""
            raise ValidationError(
                f"work {work!r}: unknown classification term {key!r}{hint}; terms are "
                "written scheme:code, e.g. focus_area:b or programme:pops"
            )


def _as_stored(session: Session, row: WorkRow) -> WorkSpec | None:
    """The stored work item as a ``WorkSpec`` (None if what is stored no longer passes
    the checks a save makes: any save of it is then a change)."""
    try:
        return WorkSpec.model_validate(_stored_fields(session, row))
    except ValueError:  # pydantic's ValidationError
        return None


def _same(stored: WorkSpec | None, spec: WorkSpec) -> bool:
    """Whether saving ``spec`` would change nothing of ``stored``: lists compared as sets,
    typed dates by what they state, start and end by the days they give."""
    if stored is None:
        return False

    def shape(one: WorkSpec, sectors: list[str] | None) -> tuple[Any, ...]:
        dates = sorted((d.type.value, d.when, d.citation or "") for d in one.dates)
        span = _span(one.dates) if one.dates else (one.start, one.end)
        return (
            one.key,
            one.kind,
            dict(one.title),
            dict(one.description),
            one.status,
            one.citation,
            sorted(set(one.countries)),
            sorted(set(one.terms)),
            sorted({(o.org, o.role.value) for o in one.organisations}),
            dates,
            span,
            sorted(set(sectors or [])),
        )

    sectors = spec.sectors if spec.sectors is not None else stored.sectors
    return shape(stored, stored.sectors) == shape(spec, sectors)


def upsert_work(session: Session, spec: WorkSpec) -> WorkRow:
    """Insert or update a work item by key, replacing its countries, terms and partners."""
    _check_terms(session, spec.terms, spec.key)
    orgs: dict[str, OrganisationRow] = {}
    for part in spec.organisations:
        org = session.scalar(select(OrganisationRow).where(OrganisationRow.key == part.org))
        if org is None:
            raise NotFoundError(
                f"work {spec.key!r}: unknown organisation {part.org!r}; register it first"
            )
        orgs[part.org] = org
    row = session.scalar(select(WorkRow).where(WorkRow.key == spec.key))
    if row is None:
        row = WorkRow(key=spec.key)
        session.add(row)
    elif _same(_as_stored(session, row), spec):
        # saved unchanged (a form sent back, a file imported again): no new version, no
        # audit entry saying nothing changed, and an import still owns what it brought
        return row
    else:
        row.version += 1
        # Edited here: no import owns the record any more, so none overwrites it unasked.
        row.origin = None
    row.kind = spec.kind.value
    row.title, row.description = dict(spec.title), dict(spec.description)
    row.status = spec.status.value if spec.status else None
    row.citation = spec.citation
    _store_dates(row, spec)
    row.countries = [WorkCountryRow(country=c) for c in dict.fromkeys(spec.countries)]
    row.terms = [WorkTermRow(term_key=t) for t in dict.fromkeys(spec.terms)]
    row.organisations = []
    session.flush()
    row.organisations = [
        WorkOrgRow(org_id=orgs[p.org].id, role=p.role.value)
        for p in {(p.org, p.role): p for p in spec.organisations}.values()
    ]
    session.flush()
    if spec.sectors is not None:
        # a sector kept keeps its row (the names and share an IATI import gave it): saving
        # a form unchanged emptied them, and counted as a change
        wanted = list(dict.fromkeys(spec.sectors))
        stored = set(
            session.scalars(
                select(WorkSectorRow.code).where(
                    WorkSectorRow.work_id == row.id, WorkSectorRow.vocabulary == DAC_SECTORS
                )
            )
        )
        gone = stored - set(wanted)
        if gone:
            session.execute(
                delete(WorkSectorRow).where(
                    WorkSectorRow.work_id == row.id,
                    WorkSectorRow.vocabulary == DAC_SECTORS,
                    WorkSectorRow.code.in_(gone),
                )
            )
        session.add_all(
            WorkSectorRow(work_id=row.id, vocabulary=DAC_SECTORS, code=c)
            for c in wanted
            if c not in stored
        )
        session.flush()
    return row


def work_by_key(
    session: Session,
    key: str,
    visible: ColumnElement[bool] | None = None,
    *,
    only_visible: bool = False,
) -> WorkRow:
    """The stored work item ``key``, or a refusal naming the nearest keys among those
    ``visible`` (a condition on ``WorkRow``: the asker's readable projects; none, all).
    With ``only_visible`` a project outside ``visible`` is refused exactly as a missing
    one (its asker may not learn that the key exists)."""
    query = select(WorkRow).where(WorkRow.key == key)
    if only_visible and visible is not None:
        query = query.where(visible)
    row = session.scalar(query)
    if row is None:
        near = nearest_keys(session, key, visible=visible)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise NotFoundError(
            f"unknown work item {key!r}{hint} (`greenfolio work list` or GET "
            "/api/v1/projects lists the keys)",
            message_id="project_missing",
            params={"project": key},
        )
    return row


def nearest_keys(
    session: Session, key: str, n: int = 3, visible: ColumnElement[bool] | None = None
) -> list[str]:
    """The work keys most like ``key`` (among the ``visible`` ones), for a "did you mean"
    hint: a hint never names a project its reader may not see."""
    query = select(WorkRow.key)
    keys = list(session.scalars(query if visible is None else query.where(visible)))
    return difflib.get_close_matches(key, keys, n=n, cutoff=0.5)


def register_work(db: Database, spec: WorkSpec) -> int:
    """Service call: insert or update one work item; returns its id."""
    with db.transaction() as session:
        return upsert_work(session, spec).id
