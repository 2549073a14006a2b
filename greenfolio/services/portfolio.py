"""Register projects and other work, with countries, partners and classification."""

from __future__ import annotations

import difflib
from datetime import date

from pydantic import ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import select
from sqlalchemy.orm import Session

from greenfolio.domain.countries import check_country
from greenfolio.domain.errors import NotFoundError, ValidationError
from greenfolio.domain.keys import HINT, key_refusal
from greenfolio.domain.text import CheckedText
from greenfolio.domain.work import OrgRole, WorkKind, WorkStatus
from greenfolio.services.database import Database
from greenfolio.store.tables import (
    OrganisationRow,
    TermRow,
    WorkCountryRow,
    WorkOrgRow,
    WorkRow,
    WorkTermRow,
)


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

    @field_validator("title")
    @classmethod
    def _has_title(cls, title: dict[str, str]) -> dict[str, str]:
        if not any(v.strip() for v in title.values()):
            raise ValueError("a work item needs a title in at least one language")
        return title


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
    else:
        row.version += 1
        # Edited here: no import owns the record any more, so none overwrites it unasked.
        row.origin = None
    row.kind = spec.kind.value
    row.title, row.description = dict(spec.title), dict(spec.description)
    row.status = spec.status.value if spec.status else None
    row.start_date, row.end_date, row.citation = spec.start, spec.end, spec.citation
    row.countries = [WorkCountryRow(country=c) for c in dict.fromkeys(spec.countries)]
    row.terms = [WorkTermRow(term_key=t) for t in dict.fromkeys(spec.terms)]
    row.organisations = []
    session.flush()
    row.organisations = [
        WorkOrgRow(org_id=orgs[p.org].id, role=p.role.value)
        for p in {(p.org, p.role): p for p in spec.organisations}.values()
    ]
    session.flush()
    return row


def work_by_key(session: Session, key: str) -> WorkRow:
    row = session.scalar(select(WorkRow).where(WorkRow.key == key))
    if row is None:
        near = nearest_keys(session, key)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise NotFoundError(f"unknown work item {key!r}{hint}")
    return row


def nearest_keys(session: Session, key: str, n: int = 3) -> list[str]:
    """The work keys most like ``key``, for a "did you mean" hint."""
    keys = list(session.scalars(select(WorkRow.key)))
    return difflib.get_close_matches(key, keys, n=n, cutoff=0.5)


def register_work(db: Database, spec: WorkSpec) -> int:
    """Service call: insert or update one work item; returns its id."""
    with db.transaction() as session:
        return upsert_work(session, spec).id
