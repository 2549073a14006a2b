"""Tables of the portfolio: work items (projects and other pieces of work), their
countries, classifications, partners, sectors, regions and finance, and organisations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from greenfolio.store.tables.base import NEVER_REUSED, Base, utcnow


class TermRow(Base):
    """A classification term (``scheme:code``), copied from the packaged reference data."""

    __tablename__ = "term"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    scheme: Mapped[str] = mapped_column(String(40), index=True)
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(20), default="")
    ordinal: Mapped[int] = mapped_column(Integer, default=0)
    names: Mapped[dict[str, Any]] = mapped_column(JSON)


class OrganisationRow(Base):
    __tablename__ = "organisation"
    __table_args__ = NEVER_REUSED
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    names: Mapped[dict[str, Any]] = mapped_column(JSON)
    iati_ref: Mapped[str | None] = mapped_column(String(120))
    kind: Mapped[str | None] = mapped_column(String(40))


class WorkRow(Base):
    """A project or other reported work (publication, event, policy, alliance …)."""

    __tablename__ = "work_item"
    # The status filter reads its projects in list order (by key) from this index; a page
    # of any other filter walks the projects in key order from the second, alone
    # (migration 0013_listspeed).
    __table_args__ = (
        Index("ix_work_item_status", "status", "key"),
        Index("ix_work_item_key_id", "key", "id"),
        NEVER_REUSED,
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    title: Mapped[dict[str, Any]] = mapped_column(JSON)
    description: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str | None] = mapped_column(String(20))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    citation: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Exchange (IATI, MLF progress reports): where the record came from and its details.
    origin: Mapped[str | None] = mapped_column(String(20))
    iati_updated: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    import_digest: Mapped[str | None] = mapped_column(String(40))
    currency: Mapped[str | None] = mapped_column(String(3))
    language: Mapped[str | None] = mapped_column(String(12))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    countries: Mapped[list[WorkCountryRow]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    terms: Mapped[list[WorkTermRow]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    organisations: Mapped[list[WorkOrgRow]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )


class WorkCountryRow(Base):
    __tablename__ = "work_country"
    # The country filter finds a country's projects here (the key leads with the project).
    __table_args__ = (Index("ix_work_country_country", "country", "work_id"),)
    work_id: Mapped[int] = mapped_column(
        ForeignKey("work_item.id", ondelete="CASCADE"), primary_key=True
    )
    country: Mapped[str] = mapped_column(String(3), primary_key=True)
    share: Mapped[float | None] = mapped_column(Float)


class WorkTermRow(Base):
    __tablename__ = "work_term"
    # A term's projects read from the index alone (migration 0013_listspeed widened it).
    __table_args__ = (Index("ix_work_term_term_key", "term_key", "work_id"),)
    work_id: Mapped[int] = mapped_column(
        ForeignKey("work_item.id", ondelete="CASCADE"), primary_key=True
    )
    term_key: Mapped[str] = mapped_column(ForeignKey("term.key"), primary_key=True)


class WorkSearchRow(Base):
    """The search text of a work item (titles, descriptions, classification names in every
    language), kept by ``greenfolio.services.search``. The full-text index over it is not
    mapped here: an FTS5 table on SQLite, a tsvector column with a GIN index on PostgreSQL
    (migration 0007_search)."""

    __tablename__ = "work_search"
    work_id: Mapped[int] = mapped_column(
        ForeignKey("work_item.id", ondelete="CASCADE"), primary_key=True
    )
    document: Mapped[str] = mapped_column(Text)


class WorkOrgRow(Base):
    __tablename__ = "work_org"
    work_id: Mapped[int] = mapped_column(
        ForeignKey("work_item.id", ondelete="CASCADE"), primary_key=True
    )
    org_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class WorkSectorRow(Base):
    """A sector of a work item in a vocabulary (IATI SectorVocabulary), with its share."""

    __tablename__ = "work_sector"
    work_id: Mapped[int] = mapped_column(
        ForeignKey("work_item.id", ondelete="CASCADE"), primary_key=True
    )
    vocabulary: Mapped[str] = mapped_column(String(10), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    percentage: Mapped[float | None] = mapped_column(Float)
    names: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class WorkRegionRow(Base):
    """A recipient region of a work item (IATI RegionVocabulary), with its share."""

    __tablename__ = "work_region"
    work_id: Mapped[int] = mapped_column(
        ForeignKey("work_item.id", ondelete="CASCADE"), primary_key=True
    )
    vocabulary: Mapped[str] = mapped_column(String(10), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    percentage: Mapped[float | None] = mapped_column(Float)
    names: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class WorkFinanceRow(Base):
    """A budget or a transaction of a work item, in its own currency."""

    __tablename__ = "work_finance"
    __table_args__ = NEVER_REUSED
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("work_item.id", ondelete="CASCADE"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(12))
    type: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str | None] = mapped_column(String(8))
    value: Mapped[float] = mapped_column(Float)
    currency: Mapped[str | None] = mapped_column(String(3))
    value_date: Mapped[date | None] = mapped_column(Date)
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    transaction_date: Mapped[date | None] = mapped_column(Date)
    ref: Mapped[str | None] = mapped_column(Text)
    description: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    provider: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    receiver: Mapped[dict[str, Any] | None] = mapped_column(JSON)
