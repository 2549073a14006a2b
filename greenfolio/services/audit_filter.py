"""Which audit events a reader asked for: a date range (UTC days), who made the change,
the kind of record and of change, and one record (a project by its key, with its
results, their review steps and their superseded versions; or a result by its number).

The audit page, its CSV/XLSX download and the API build their conditions here, so a
download holds exactly the events the page lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, String, cast, false, or_, select

from greenfolio.domain.errors import ValidationError
from greenfolio.domain.text import check_text
from greenfolio.store.tables import (
    AuditEventRow,
    ResultRevisionRow,
    ResultRow,
    ReviewEventRow,
    WorkRow,
)

ENTITIES = (
    "work_item",
    "result",
    "review_event",
    "result_revision",
    "method_run",
    "organisation",
    "indicator",
    "term",
    "app_user",
    "role_grant",
    "api_token",
    "iati_indicator",
)
"""The kinds of record the page offers (each has a name in the catalogues); the API
takes any table name."""
CHANGES = ("create", "update", "delete")
ACTOR_KINDS = ("user", "cli", "local")
"""How a person's name is written in ``actor``: signed in, on the command line, on the server."""


def _id_text(column: Any) -> ColumnElement[str]:
    return cast(column, String)


@dataclass(frozen=True)
class AuditFilter:
    """The filters of the audit trail; None means "any"."""

    since: date | None = None
    until: date | None = None
    actor: str | None = None
    entity: str | None = None
    change: str | None = None
    record: str | None = None
    entity_id: str | None = None

    def __post_init__(self) -> None:
        for name in ("actor", "record", "entity_id"):
            value = getattr(self, name)
            if value:
                check_text(value, f"the filter {name!r}")
        if self.entity:
            check_text(self.entity, "the filter 'entity'")
        if self.change and self.change not in CHANGES:
            raise ValidationError(f"unknown change {self.change!r}: use create, update or delete")
        if self.since and self.until and self.since > self.until:
            raise ValidationError(
                f"the period starts ({self.since}) after it ends ({self.until})",
                message_id="audit_period",
            )

    def active(self) -> dict[str, str]:
        """The filters set, as query parameters (for links and downloads)."""
        out = {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "actor": self.actor,
            "entity": self.entity,
            "change": self.change,
            "record": self.record,
            "entity_id": self.entity_id,
        }
        return {k: v for k, v in out.items() if v}

    def conditions(self) -> list[ColumnElement[bool]]:
        """SQL conditions on ``AuditEventRow`` (the same on SQLite and PostgreSQL)."""
        conds: list[ColumnElement[bool]] = []
        if self.since:
            conds.append(AuditEventRow.at >= datetime.combine(self.since, time(), UTC))
        if self.until:
            end = datetime.combine(self.until + timedelta(days=1), time(), UTC)
            conds.append(AuditEventRow.at < end)
        if self.actor:
            name = self.actor.strip()
            written = [name, *(f"{kind}:{name}" for kind in ACTOR_KINDS)]
            conds.append(AuditEventRow.actor.in_(written))
        if self.entity:
            conds.append(AuditEventRow.entity == self.entity)
        if self.change:
            conds.append(AuditEventRow.action == self.change)
        if self.entity_id:
            conds.append(AuditEventRow.entity_id == self.entity_id)
        if self.record:
            conds.append(_record(self.record.strip()))
        return conds


def _of(entity: str, ids: Any) -> ColumnElement[bool]:
    return (AuditEventRow.entity == entity) & AuditEventRow.entity_id.in_(ids)


def _record(text: str) -> ColumnElement[bool]:
    """Events of the project whose key is ``text`` (and of its results, their review steps
    and versions), or of the result numbered ``text`` (``#12`` or ``12``)."""
    works = select(WorkRow.id).where(WorkRow.key == text)
    results = select(ResultRow.id).where(ResultRow.work_id.in_(works)).scalar_subquery()
    parts = [
        _of("work_item", select(_id_text(WorkRow.id)).where(WorkRow.key == text)),
        _of("result", select(_id_text(ResultRow.id)).where(ResultRow.id.in_(results))),
        _of(
            "review_event",
            select(_id_text(ReviewEventRow.id)).where(ReviewEventRow.result_id.in_(results)),
        ),
        _of(
            "result_revision",
            select(_id_text(ResultRevisionRow.id)).where(ResultRevisionRow.result_id.in_(results)),
        ),
    ]
    number = text.removeprefix("#")
    if number.isascii() and number.isdigit() and 0 < int(number) < 2**31:
        rid = int(number)
        parts += [
            _of("result", [str(rid)]),
            _of(
                "review_event",
                select(_id_text(ReviewEventRow.id)).where(ReviewEventRow.result_id == rid),
            ),
            _of(
                "result_revision",
                select(_id_text(ResultRevisionRow.id)).where(ResultRevisionRow.result_id == rid),
            ),
        ]
    return or_(false(), *parts)
