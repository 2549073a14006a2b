"""The audit trail's filters as a page, a download and the API receive them (query
parameters, all text), read into one ``AuditFilter``."""

from __future__ import annotations

from datetime import date

from greenfolio.domain.errors import ValidationError
from greenfolio.services.audit_filter import AuditFilter

PARAMS = ("since", "until", "actor", "entity", "change", "record")


def _day(name: str, text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(
            f"{name} {text!r} is not a date: write it as YYYY-MM-DD",
            message_id="audit_date",
            params={"field": f"audit_{name}"},
        ) from None


def audit_filter(
    since: str | None = None,
    until: str | None = None,
    actor: str | None = None,
    entity: str | None = None,
    change: str | None = None,
    record: str | None = None,
    entity_id: str | None = None,
) -> AuditFilter:
    """The filter asked for; empty parameters are no filter."""
    return AuditFilter(
        since=_day("since", since),
        until=_day("until", until),
        actor=(actor or "").strip() or None,
        entity=entity or None,
        change=change or None,
        record=(record or "").strip() or None,
        entity_id=entity_id or None,
    )
