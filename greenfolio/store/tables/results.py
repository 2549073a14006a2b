"""Tables of results: indicators, results with their review, the figure index
(``result_term``), evidence files, method runs, revisions and IATI result frameworks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

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
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from greenfolio.store.tables.base import NEVER_REUSED, Base, utcnow


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
