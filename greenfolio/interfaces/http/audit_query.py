"""The audit trail's filters as a page, a download and the API receive them (query
parameters, all text), read into one ``AuditFilter``; and the trail's download, whose
"who", "what" and "changed" columns say each event in the same sentences as the page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from fastapi.responses import StreamingResponse

from greenfolio.domain.errors import ValidationError
from greenfolio.domain.permissions import Principal
from greenfolio.interfaces.http import exports
from greenfolio.interfaces.http.people import people_names
from greenfolio.interfaces.http.translator import Translator
from greenfolio.services import accounts, audit, explorer, list_rows
from greenfolio.services.audit_filter import AuditFilter
from greenfolio.services.database import Database

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


def download(
    db: Database, who: Principal, flt: AuditFilter, lang: str, fmt: str
) -> StreamingResponse:
    """Every event ``flt`` selects as CSV or XLSX in ``lang``: who and what as the page
    says them (display names, records by name and figure), one changed field a line."""
    rows = list_rows.audit_events(db, who, flt=flt)  # admins only, checked first
    names = people_names(accounts.users(db, who))
    known = {row["code"]: row for row in explorer.indicators(db, who)}
    tr = Translator(lang)

    def said() -> Iterator[list[dict[str, Any]]]:
        for batch in rows:
            orgs = audit.organisation_names(db, batch)
            yield [
                dict(e, said=tr.event(e, names=names, indicators=known, organisations=orgs))
                for e in batch
            ]

    return exports.download("audit", said(), lang, fmt)
