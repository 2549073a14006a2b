"""The schema, one table per stored concept. SQLite and PostgreSQL share it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


NEVER_REUSED: dict[str, Any] = {"sqlite_autoincrement": True}
"""Tables whose ids are shown or referenced (in URLs, the audit trail): SQLite would
otherwise give a deleted record's id to the next one, which would then show the
deleted record's history. (PostgreSQL sequences never go back.)"""


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


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


class IndicatorRow(Base):
    __tablename__ = "indicator"
    code: Mapped[str] = mapped_column(String(80), primary_key=True)
    names: Mapped[dict[str, Any]] = mapped_column(JSON)
    unit: Mapped[str] = mapped_column(String(40))
    aggregation: Mapped[str] = mapped_column(String(30))
    disaggregations: Mapped[list[Any]] = mapped_column(JSON, default=list)
    gef_core_indicator: Mapped[str | None] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(Text, default="")


FIGURE_SOUGHT = ("indicator_code", "review_state", "kind", "period_end")
"""The columns of its result a figure seeks by, in this order: they lead
``ix_result_figure`` and follow the term in ``ix_result_term_figure``. The one definition
(``store.derived``, ``services.figure_read`` and the tests import it); migrations keep
their own frozen copies, since a migration must not change when this does."""

RESULT_TERM_COPIED = (
    "sex",
    "milestone",
    "unit",
    "qualifier",
    "value",
    "country",
    "entity",
    "method_run_id",
    "work_id",
)
"""The columns of its result that a ``result_term`` row copies besides those a figure
seeks by (``FIGURE_SOUGHT``): what a figure reads and filters by (migration
0015_figure_terms_wide)."""


RESULT_TERM_OF_RESULT = (*FIGURE_SOUGHT, *RESULT_TERM_COPIED)
"""Every column of its result a ``result_term`` row holds (after ``result_id`` and
``term_key``), in the order of its index."""

FIGURE_INDEX = (*RESULT_TERM_OF_RESULT, "id")
"""The columns of ``ix_result_figure`` (migration 0011_generation widened it)."""


class ResultRow(Base):
    """One value of one indicator for one piece of work, with its review state."""

    __tablename__ = "result"
    __table_args__ = (
        # A figure reads its results from this index alone (filters, then what it adds up
        # and the provenance it traces), and the dashboard's grouped pass reads all of it.
        Index("ix_result_figure", *FIGURE_INDEX),
        # Filters and counts (migration 0011_generation): a country's projects and results,
        # and the projects reached per country on the map, read from the index alone; a
        # year's results; the review queue (newest first) and the state filter (by id).
        Index("ix_result_country", "country", "review_state", "work_id"),
        Index("ix_result_period", "period_end", "work_id"),
        Index("ix_result_review", "review_state", "updated_at"),
        Index("ix_result_state", "review_state", "id"),
        Index("ix_result_indicator", "indicator_code", "period_end"),
        NEVER_REUSED,
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("work_item.id", ondelete="CASCADE"), index=True)
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicator.code"))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(40))
    qualifier: Mapped[str] = mapped_column(String(12), default="exact")
    kind: Mapped[str] = mapped_column(String(10), default="actual")
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    milestone: Mapped[str | None] = mapped_column(String(12))
    country: Mapped[str | None] = mapped_column(String(3))
    sex: Mapped[str | None] = mapped_column(String(8))
    entity: Mapped[str | None] = mapped_column(String(160))
    evidence: Mapped[str | None] = mapped_column(Text)
    citation: Mapped[str | None] = mapped_column(Text)
    review_state: Mapped[str] = mapped_column(String(10), default="draft")
    review_note: Mapped[str | None] = mapped_column(Text)
    method_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("method_run.id", ondelete="SET NULL"), index=True
    )
    output_key: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Separation of duties: who entered, last revised and last submitted the figure.
    entered_by: Mapped[str | None] = mapped_column(String(160))
    revised_by: Mapped[str | None] = mapped_column(String(160))
    submitted_by: Mapped[str | None] = mapped_column(String(160))
    # Exchange: the import that made the result, IATI dimensions and other details.
    origin: Mapped[str | None] = mapped_column(String(20))
    dimensions: Mapped[list[Any] | None] = mapped_column(JSON)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)


CARRIED_SCHEMES = ("programme", "convention")
"""The classifications whose terms ``result_term`` carries (the Board's figures filter by
these; a figure filtering by another scheme reads its indicator's rows whole)."""


class ResultTermRow(Base):
    """A result under one programme or convention term of its project, with what figures
    seek it by and read of it: a figure of one programme reads that programme's results of
    its indicator from ``ix_result_term_figure`` alone, instead of every result of the
    indicator (or each of its results from the ``result`` table).

    Kept by database triggers (migrations 0014_figure_terms, 0015_figure_terms_wide) on
    ``result`` (insert, and an update of any column it copies) and on ``work_term`` (a
    project classified or declassified); deleting a result deletes its rows. No service
    writes it (a bulk load with the triggers off fills it through ``store.derived``)."""

    __tablename__ = "result_term"
    __table_args__ = (
        # Sought by the first five; result_id makes each key unique, so the copied columns
        # after it only let the index answer alone (SQLite has no INCLUDE).
        Index(
            "ix_result_term_figure",
            "term_key",
            *FIGURE_SOUGHT,
            "result_id",
            *RESULT_TERM_COPIED,
        ),
    )
    result_id: Mapped[int] = mapped_column(
        ForeignKey("result.id", ondelete="CASCADE"), primary_key=True
    )
    term_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    indicator_code: Mapped[str] = mapped_column(String(80))
    review_state: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(10))
    period_end: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(8))
    milestone: Mapped[str | None] = mapped_column(String(12))
    unit: Mapped[str] = mapped_column(String(40))
    qualifier: Mapped[str] = mapped_column(String(12))
    value: Mapped[float] = mapped_column(Float)
    country: Mapped[str | None] = mapped_column(String(3))
    entity: Mapped[str | None] = mapped_column(String(160))
    method_run_id: Mapped[int | None] = mapped_column(Integer)
    work_id: Mapped[int] = mapped_column(Integer)


class EvidenceFileRow(Base):
    """A file supporting a result, kept by its SHA-256 in the evidence store.

    Rows are never deleted: replacing a file adds a row (``replaces_id`` names the one it
    replaces, whose state becomes ``replaced``) and withdrawing one sets its state to
    ``withdrawn``; the files themselves stay in the store, so the record's history can
    still be opened.
    """

    __tablename__ = "evidence_file"
    __table_args__ = NEVER_REUSED
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("result.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(10))
    media_type: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(10), default="current")
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_file.id"))
    uploaded_by: Mapped[str | None] = mapped_column(String(160))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_by: Mapped[str | None] = mapped_column(String(160))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(Text)


class MethodRunRow(Base):
    """One run of a calculation method, kept so a result can be recomputed and explained."""

    __tablename__ = "method_run"
    __table_args__ = NEVER_REUSED
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    method: Mapped[str] = mapped_column(String(80), index=True)
    method_version: Mapped[str] = mapped_column(String(20))
    refdata_version: Mapped[str] = mapped_column(String(40))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    outputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    actor: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReviewEventRow(Base):
    """Each review action on a result, kept so the history of a figure can be followed."""

    __tablename__ = "review_event"
    __table_args__ = NEVER_REUSED
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("result.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(10))
    from_state: Mapped[str] = mapped_column(String(10))
    to_state: Mapped[str] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str | None] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


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


class IatiIndicatorRow(Base):
    """Where an indicator made from an IATI result sits in its activity's results.

    Kept so that an export gives back the result and indicator texts, codes and order.
    """

    __tablename__ = "iati_indicator"
    indicator_code: Mapped[str] = mapped_column(
        ForeignKey("indicator.code", ondelete="CASCADE"), primary_key=True
    )
    work_id: Mapped[int] = mapped_column(ForeignKey("work_item.id", ondelete="CASCADE"), index=True)
    result_no: Mapped[int] = mapped_column(Integer)
    indicator_no: Mapped[int] = mapped_column(Integer)
    result_type: Mapped[str] = mapped_column(String(8))
    result_aggregation: Mapped[bool | None] = mapped_column(Boolean)
    result_title: Mapped[dict[str, Any]] = mapped_column(JSON)
    result_description: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    measure: Mapped[str] = mapped_column(String(8))
    ascending: Mapped[bool | None] = mapped_column(Boolean)
    aggregation_status: Mapped[bool | None] = mapped_column(Boolean)
    description: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    indicator_refs: Mapped[list[Any] | None] = mapped_column(JSON)


class UserRow(Base):
    """A person who signs in; the password is kept only as an argon2 hash."""

    __tablename__ = "app_user"
    __table_args__ = NEVER_REUSED
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    email: Mapped[str | None] = mapped_column(String(254))
    """Where notifications go (none without it)."""
    language: Mapped[str | None] = mapped_column(String(2))
    """The language of the user's notifications (English when unset)."""


class RoleGrantRow(Base):
    """A role held on a scope (all, programme:CODE, country:ISO3 or project:KEY)."""

    __tablename__ = "role_grant"
    __table_args__ = NEVER_REUSED
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    scope: Mapped[str] = mapped_column(String(200))


class ApiTokenRow(Base):
    """A token for scripts; only its SHA-256 is stored, the token is shown once."""

    __tablename__ = "api_token"
    __table_args__ = NEVER_REUSED
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    made_with_id: Mapped[int | None] = mapped_column(ForeignKey("api_token.id"), index=True)
    """The token whose bearer created this one (None: created signed in or from the command
    line): revoking a token revokes what was made with it, so a stolen token leaves nothing
    behind once revoked."""


class AccountLinkRow(Base):
    """A one-time link: an invitation (to an email, with a role on a scope) or a password
    reset (for a user). Only the SHA-256 of its secret is stored; it expires and is used
    once (``used_at``)."""

    __tablename__ = "account_link"
    __table_args__ = NEVER_REUSED
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    purpose: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str | None] = mapped_column(String(254))
    username: Mapped[str | None] = mapped_column(String(80))
    role: Mapped[str | None] = mapped_column(String(10))
    scope: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(2))
    created_by: Mapped[str] = mapped_column(String(160))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class MailRow(Base):
    """A notification to send: kept with its outcome (sent, or why not), so that a mail
    server that is down loses no message silently and costs no write."""

    __tablename__ = "mail_outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(Text)


class UserSessionRow(Base):
    """A signed-in browser; the cookie holds a random id, the table its SHA-256."""

    __tablename__ = "user_session"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LoginAttemptRow(Base):
    """Each sign-in attempt, so repeated failures can be slowed down across workers."""

    __tablename__ = "login_attempt"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class LoginThrottleRow(Base):
    """Counted sign-in attempts for one address, or one account from one address, and
    until when further attempts wait (exponential back-off)."""

    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer)
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


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


class ResultRevisionRow(Base):
    """A superseded version of a result, kept whole when the result is revised."""

    __tablename__ = "result_revision"
    __table_args__ = NEVER_REUSED
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("result.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    actor: Mapped[str | None] = mapped_column(String(160))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


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
