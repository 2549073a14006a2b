"""The results of a project an import updates, matched with those the import stored
before: a reviewer's verification of a result the file gives again unchanged survives."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from greenfolio.domain.results import ReviewState
from greenfolio.services.exchange.iati_rows import chunks
from greenfolio.store.tables import ResultRow

_IDENTITY = (
    "work_id",
    "indicator_code",
    "kind",
    "period_start",
    "period_end",
    "sex",
    "country",
    "entity",
    "dimensions",
)
"""What names one result of an imported project: the same in a later file is the same
result, whatever its value."""
_CONTENT = ("value", "unit", "qualifier", "details", "citation")
"""What a later file may change of a result (a change sends it back for review)."""


def _comparable(value: Any) -> Any:
    """JSON values as text, so that lists and tuples, and dicts in any order, compare."""
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, sort_keys=True, default=str)
    return value


def _identity(values: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(_comparable(values.get(k)) for k in _IDENTITY)


def revise_results(
    session: Session, origin: str, work_ids: list[int], rows: list[dict[str, Any]]
) -> None:
    """The results of updated projects, matched with those this importer stored: one
    the file gives again unchanged is kept as it is, with its reviews (a reviewer's
    verification survives a re-import); one whose value changed is revised in place
    and goes back for review; one the file no longer gives is removed; the rest are
    added. Each change through the session, so the audit trail records it."""
    stored: dict[tuple[Any, ...], list[ResultRow]] = {}
    for row in session.scalars(
        select(ResultRow)
        .where(ResultRow.work_id.in_(work_ids), ResultRow.origin == origin)
        .order_by(ResultRow.id)
    ):
        stored.setdefault(_identity({k: getattr(row, k) for k in _IDENTITY}), []).append(row)
    fresh: list[ResultRow] = []
    for values in rows:
        same = stored.get(_identity(values))
        if not same:
            fresh.append(ResultRow(**values))
            continue
        kept = same.pop(0)
        changes = {
            k: values.get(k)
            for k in _CONTENT
            if _comparable(getattr(kept, k)) != _comparable(values.get(k))
        }
        if not changes:
            continue
        for key, value in changes.items():
            setattr(kept, key, value)
        if kept.review_state != ReviewState.SUBMITTED.value:
            kept.review_state = ReviewState.SUBMITTED.value
            kept.submitted_by = values.get("submitted_by")
        kept.revised_by = values.get("entered_by")
        kept.version = (kept.version or 1) + 1
    gone = [row.id for rows_left in stored.values() for row in rows_left]
    # Deleted in chunks the audit trail records row by row (not as a count).
    for chunk in chunks(gone):
        session.execute(delete(ResultRow).where(ResultRow.id.in_(chunk)))
    session.add_all(fresh)
