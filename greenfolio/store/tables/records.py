"""Tables of records kept beside the data: the audit trail and its head, derived
views kept per change generation, and report jobs with their files."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from greenfolio.store.tables.base import NEVER_REUSED, Base, utcnow


class AuditEventRow(Base):
    """One change: who, when, what, before and after, chained to the event before it.

    ``hash`` is the SHA-256 of ``prev_hash`` and this event's content, so editing or
    removing any event breaks every hash after it (``greenfolio audit verify``).
    """

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_record", "entity", "entity_id"), NEVER_REUSED)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(160))
    action: Mapped[str] = mapped_column(String(20))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(200))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHeadRow(Base):
    """The newest audit event's id and hash, written in the same transaction as the event.

    Kept apart from the trail so that deleting the trail's newest events is noticed; the
    hash can also be kept outside the database (``greenfolio audit head``).
    """

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    event_id: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class ViewCacheRow(Base):
    """A derived view (the dashboard, the filter choices) computed at one change generation
    (the newest audit event's id), kept so that every server process reads it rather
    than computing its own copy; a row of an older generation is recomputed when read."""

    __tablename__ = "view_cache"
    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReportJobRow(Base):
    """A report build asked for on a page or through the API, run by whichever server
    process (or ``greenfolio worker``) claims it first; ``heartbeat_at`` is its lease,
    renewed while it runs, so that a build whose process died is taken up again."""

    __tablename__ = "report_job"
    __table_args__ = (Index("ix_report_job_state", "state", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    definition: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    languages: Mapped[list[str]] = mapped_column(JSON)
    formats: Mapped[list[str]] = mapped_column(JSON)
    requested_by: Mapped[str] = mapped_column(String(160))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    state: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(120))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    message_id: Mapped[str | None] = mapped_column(String(60))
    message_params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)


class ReportJobFileRow(Base):
    """A file a report job wrote (a document or its provenance), kept in the database so
    that every server process can hand it out."""

    __tablename__ = "report_job_file"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("report_job.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
