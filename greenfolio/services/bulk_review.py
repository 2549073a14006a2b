"""One review action (verify or return, with one reason) on several results at once.

Each result is reviewed in its own transaction: it is locked, read as stored and checked
(the reviewer's roles on its stored project and country, its review state, the version the
reviewer saw when one is given, and the four-eyes rule: nobody verifies a result they
entered, submitted or last revised). The results allowed are done; the others are
reported, each with its reason, and left exactly as they were.

A result whose breakdown by sex adds up to more than its total (as a total or as one of
the parts) is not verified in bulk: in a list of twenty the warning on its row is easy to
miss, and one of the figures is wrong. It is refused with that reason and verified, once
checked, on its own page, which shows the sum beside the total. Returning it in bulk is
fine: that is what the figures need.

Why not all or nothing: the selection is a working list, not one change. A reviewer who
ticks twenty submitted results and finds that two were entered by themselves wants the
other eighteen verified and the two named, not twenty refused; and since each result's
review is whole and audited on its own, a partly applied selection leaves no record
half-changed. (The command line's ``review`` keeps its all-or-none behaviour:
``entry.review_results``.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from greenfolio.domain.errors import GreenfolioError, NotFoundError, ValidationError
from greenfolio.domain.permissions import Action, Principal
from greenfolio.domain.text import check_text, readable
from greenfolio.services import access, audit, breakdowns, explorer
from greenfolio.services.database import Database
from greenfolio.services.locking import StaleVersionError
from greenfolio.store.tables import ResultRow, WorkRow

BULK_ACTIONS = {"verify": Action.REVIEW, "return": Action.REVIEW}
MAX_SELECTED = 500
"""More results than one review screen lists; a larger request is refused whole."""


@dataclass(frozen=True)
class Refused:
    """A result left as it was, and why (the refusal, in English with its message id)."""

    result_id: int
    error: GreenfolioError


@dataclass
class Outcome:
    """What a bulk review did: the results changed (as stored after the change) and the
    ones refused, each in the order they were selected."""

    done: list[dict[str, Any]] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)


def check_request(action: str, ids: Sequence[int], note: str | None) -> list[int]:
    """The request as a whole: a known action, a reason to return, some results (each
    once, in the order given). A bad request changes nothing."""
    if action not in BULK_ACTIONS:
        raise ValidationError(
            f"unknown review action {action!r}: use verify or return",
            message_id="bulk_action",
        )
    if note is not None:
        check_text(note, "the note", multiline=True)
    if action == "return" and not readable(note):
        raise ValidationError(
            "returning results needs one reason, given to all of them", message_id="bulk_reason"
        )
    unique = list(dict.fromkeys(int(i) for i in ids))
    if not unique:
        raise ValidationError("select at least one result", message_id="bulk_none")
    if len(unique) > MAX_SELECTED:
        raise ValidationError(
            f"select at most {MAX_SELECTED} results at once; {len(unique)} were selected",
            message_id="bulk_too_many",
            params={"max": MAX_SELECTED, "count": len(unique)},
        )
    return unique


def _one(
    db: Database,
    principal: Principal,
    result_id: int,
    action: str,
    note: str | None,
    expected: int | None,
    versions: Mapping[int, int] | None = None,
) -> list[dict[str, Any]]:
    """``action`` on one result, and on the parts of its breakdown by sex that go with it
    (``breakdowns.follow_parts``): the results changed, the one asked for first."""
    with audit.acting_as(principal.actor), db.transaction() as session:
        row = session.get(ResultRow, result_id, with_for_update=True)
        missing = NotFoundError(
            f"no result {result_id}", message_id="bulk_missing", params={"result": result_id}
        )
        if row is None:
            raise missing
        session.refresh(row)  # locked: the checks below read the record as it is now
        access.readable_result(session, principal, row, missing)  # unreadable: as missing
        access.require_result_write(
            session, principal, BULK_ACTIONS[action], row.work_id, row.country, None
        )
        if expected is not None and row.version != expected:
            stale = StaleVersionError(
                f"result {result_id} changed since it was listed (now at version "
                f"{row.version}); look at it again before reviewing it",
                row.version,
            )
            stale.message_id, stale.params = "bulk_stale", {"result": result_id}
            raise stale
        if action == "verify" and breakdowns.around(session, principal, [row]):
            raise ValidationError(
                f"result {result_id} takes part in a breakdown by sex that adds up to more "
                "than its total; check it and verify it on its own page",
                message_id="bulk_breakdown",
                params={"result": result_id},
            )
        changed = breakdowns.review_with_parts(session, principal, row, action, note, versions)
        session.flush()
        work = session.get(WorkRow, row.work_id)
        key = work.key if work else None
        return [explorer.result_dict(r, key) for r in changed]


def review_each(
    db: Database,
    principal: Principal,
    ids: Sequence[int],
    action: str,
    note: str | None = None,
    versions: Mapping[int, int] | None = None,
) -> Outcome:
    """Service call: ``action`` on each selected result the principal may apply it to,
    one transaction per result; ``versions`` (id → version seen) refuses any result
    changed since it was listed."""
    access.need_signed_in(principal)
    chosen = check_request(action, ids, note)
    note = note.strip() if note else None
    outcome = Outcome()
    moved: set[int] = set()
    for result_id in chosen:
        if result_id in moved:  # a part that went with its total, selected too
            continue
        expected = (versions or {}).get(result_id)
        try:
            changed = _one(db, principal, result_id, action, note, expected, versions)
        except GreenfolioError as exc:
            outcome.refused.append(Refused(result_id, exc))
            continue
        outcome.done.extend(changed)
        moved.update(int(r["id"]) for r in changed)
    return outcome
