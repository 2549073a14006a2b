"""Data entry and review on behalf of a principal: permission, optimistic locking and the
existing portfolio/results services, in one transaction per call.

A revision of a result keeps the superseded version whole (``result_revision``) and
raises the version; only drafts and returned results can be revised, so a verified
figure changes only after a reviewer has sent it back.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import Enum
from typing import Any

from pydantic import ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from greenfolio.domain.countries import check_country
from greenfolio.domain.errors import NotFoundError, ValidationError
from greenfolio.domain.permissions import (
    SYSTEM,
    Action,
    PermissionDenied,
    Principal,
    require,
)
from greenfolio.domain.results import (
    Milestone,
    Qualifier,
    ReviewState,
    Sex,
    ValueKind,
    raise_all,
    result_problems,
)
from greenfolio.domain.text import CheckedText, check_text
from greenfolio.services import access, audit, breakdowns, explorer, portfolio, reference, results
from greenfolio.services import methods as method_service
from greenfolio.services.database import Database, reading
from greenfolio.services.explorer_method_runs import readable_run
from greenfolio.services.locking import claim
from greenfolio.store.tables import (
    EvidenceFileRow,
    ResultRevisionRow,
    ResultRow,
    ReviewEventRow,
    WorkRow,
)

REVISABLE = frozenset({ReviewState.DRAFT.value, ReviewState.RETURNED.value})
REVIEW_ACTIONS = {"submit": Action.SUBMIT, "return": Action.REVIEW, "verify": Action.REVIEW}


class ResultChanges(CheckedText):
    """Fields of a result to change; those left out keep their value."""

    model_config = ConfigDict(extra="forbid")
    multiline_fields = frozenset({"evidence", "citation"})
    value: results.Value | None = None
    unit: results.UnitCode | None = None
    kind: ValueKind | None = None
    qualifier: Qualifier | None = None
    period_start: date | None = None
    period_end: date | None = None
    milestone: Milestone | None = None
    country: str | None = None
    sex: Sex | None = None
    entity: str | None = Field(default=None, max_length=160)
    evidence: str | None = None
    citation: str | None = None


_REVISED_FIELDS = tuple(ResultChanges.model_fields)


def _snapshot(row: ResultRow) -> dict[str, Any]:
    return {k: v for k, v in explorer.result_dict(row).items() if k not in ("project",)}


def create_result(db: Database, principal: Principal, spec: results.ResultSpec) -> dict[str, Any]:
    """Service call: a new draft result on a project the principal may edit."""
    access.need_signed_in(principal)
    with audit.acting_as(principal.actor), db.transaction() as session:
        work = _project(session, principal, spec.work)
        # An unknown country is one problem among the others ``add`` reports together, so
        # the access check only takes the country when it is a real one.
        access.require_new_result(session, principal, work.id, _country(spec.country)[0])
        row = results.add(session, spec)
        return explorer.result_dict(row, work.key)


def check_result(
    db: Database, principal: Principal, spec: results.PartialResult
) -> list[ValidationError]:
    """Service call: nothing stored; the rules the fields a form could read break, for a
    form that refuses others (a value that is not a number) and shows all at once.
    Reads only: no write lock on SQLite."""
    access.need_signed_in(principal)
    with reading(), db.transaction() as session:
        work = _project(session, principal, spec.work)
        access.require_new_result(session, principal, work.id, _country(spec.country)[0])
        return results.problems(session, spec)


def _project(session: Any, principal: Principal, key: str) -> WorkRow:
    """The project a new result goes to; one its (signed-in) asker may not read is
    refused as a missing one, with the same hint of readable keys."""
    visible = access.visible_works(principal.visibility())
    only = principal.user_id is not None
    return portfolio.work_by_key(session, key, visible, only_visible=only)


def _country(code: str | None) -> tuple[str | None, ValidationError | None]:
    """The country's code if it is one, else None and why not (a problem reported with
    the others, not before them)."""
    if not code:
        return None, None
    try:
        return check_country(code), None
    except ValidationError as exc:
        return None, exc


def revise_result(
    db: Database,
    principal: Principal,
    result_id: int,
    changes: ResultChanges,
    expected_version: int | None,
) -> dict[str, Any]:
    """Service call: change a draft or returned result, keeping the old version."""
    access.need_signed_in(principal)
    with audit.acting_as(principal.actor), db.transaction() as session:
        row = _claimed_result(session, principal, result_id, expected_version)
        if row.review_state not in REVISABLE:
            raise ValidationError(
                f"result {result_id} is {row.review_state}: only draft or returned results "
                "can be revised; a reviewer must return it first"
            )
        given = changes.model_dump(exclude_unset=True)
        new = {k: given.get(k, getattr(row, k)) for k in _REVISED_FIELDS}
        country, bad_country = _country(new["country"])
        access.require_result_write(
            session, principal, Action.EDIT, row.work_id, row.country, country
        )
        ind = reference.indicator(session, row.indicator_code)
        work = session.get(WorkRow, row.work_id)
        assert work is not None
        value = None if new["value"] is None else float(new["value"])
        found = result_problems(
            ind.code,
            value,
            str(new["unit"] or ind.unit),
            ind.unit,
            new["period_start"],
            new["period_end"],
            str(new["kind"]) if new["kind"] is not None else None,
        )
        if value is None:
            found.insert(0, ValidationError(f"result {result_id} needs a value", field="value"))
        if bad_country is not None:
            found.append(bad_country)
        raise_all(found)  # every broken rule at once, nothing changed
        new["country"] = country
        revise_row(session, row, new, principal.actor, ind.unit)
        return explorer.result_dict(row, work.key)


def revise_row(
    session: Session, row: ResultRow, new: dict[str, Any], actor: str, indicator_unit: str
) -> None:
    """Change a checked draft or returned result in the caller's transaction: its
    superseded version is kept whole, its version raised, ``actor`` its last reviser."""
    assert row.review_state in REVISABLE
    session.add(
        ResultRevisionRow(result_id=row.id, version=row.version, data=_snapshot(row), actor=actor)
    )
    for name in _REVISED_FIELDS:
        value = new.get(name, getattr(row, name))
        if isinstance(value, Enum):
            value = value.value
        setattr(row, name, value)
    row.unit = row.unit or indicator_unit
    row.revised_by = actor
    row.version += 1
    session.flush()


def delete_draft(
    db: Database, principal: Principal, result_id: int, expected_version: int | None
) -> str:
    """Service call: delete a result that was never sent to review, at the version read
    (a wrong entry taken back on an explicit request); its revisions and evidence links go
    with it, the audit trail keeps the record. A result that has been in review (submitted,
    returned, verified) is never deleted (a returned one is withdrawn instead:
    ``withdraw_returned``). Returns the key of its project."""
    access.need_signed_in(principal)
    with audit.acting_as(principal.actor), db.transaction() as session:
        row = _claimed_result(session, principal, result_id, expected_version)
        reviewed = session.scalar(  # a recompute from a method run is no review step
            select(ReviewEventRow.id)
            .where(
                ReviewEventRow.result_id == result_id,
                ReviewEventRow.action.in_(("submit", "verify", "return")),
            )
            .limit(1)
        )
        if row.review_state != ReviewState.DRAFT.value or reviewed is not None:
            raise ValidationError(
                f"result {result_id} has been in review: only a draft never submitted can be "
                "deleted; revise it instead (a reviewer must return a submitted one first)",
                message_id="delete_reviewed",
                params={"result": result_id},
            )
        _require_own(session, principal, row, "delete", "delete_not_yours")
        return _remove(session, row)


def withdraw_returned(
    db: Database, principal: Principal, result_id: int, expected_version: int | None
) -> str:
    """Service call: withdraw a result a reviewer returned (a duplicate, an entry made in
    error), at the version read, on an explicit request of whoever entered it, alone, or
    of an administrator. It is removed as a draft is deleted: its revisions, review steps
    and evidence links with it, each recorded by the audit trail, which keeps the record.
    A submitted or verified result is never withdrawn (a reviewer returns it first).
    Returns the key of its project."""
    access.need_signed_in(principal)
    with audit.acting_as(principal.actor), db.transaction() as session:
        row = _claimed_result(session, principal, result_id, expected_version)
        if row.review_state != ReviewState.RETURNED.value:  # as stored, under the lock
            raise ValidationError(
                f"result {result_id} is {row.review_state}: only a result a reviewer "
                "returned can be withdrawn (a draft is deleted; a submitted or verified "
                "result must be returned by a reviewer first)",
                message_id="withdraw_not_returned",
                params={"result": result_id},
            )
        _require_own(session, principal, row, "withdraw", "withdraw_not_yours")
        return _remove(session, row)


def _require_own(
    session: Any, principal: Principal, row: ResultRow, verb: str, message_id: str
) -> None:
    """Taking a result back (``access.may_take_back``), checked on the stored record."""
    changed = results.changed_by(session, [row.id])[row.id]
    if not access.may_take_back(principal, row.entered_by, changed):
        raise PermissionDenied(
            f"result {row.id} was entered or changed by someone else: only whoever "
            f"entered it, alone, or an administrator may {verb} it",
            message_id=message_id,
            params={"result": row.id},
        )


def _remove(session: Any, row: ResultRow) -> str:
    """Delete a result and what belongs to it, each row through the ORM so that the audit
    trail records every one it removes; the key of its project."""
    work = session.get(WorkRow, row.work_id)
    assert work is not None
    for kind in (EvidenceFileRow, ResultRevisionRow, ReviewEventRow):
        # newest first: a replacing evidence file goes before the one it replaced
        for part in session.scalars(
            select(kind).where(kind.result_id == row.id).order_by(kind.id.desc())
        ):
            session.delete(part)
            session.flush()
    session.delete(row)
    return str(work.key)


def _claimed_result(
    session: Any, principal: Principal, result_id: int, expected_version: int | None
) -> ResultRow:
    """The stored result, for a change by an editor of it as stored, locked at the
    version they read (``locking.claim``) and read again under that lock."""
    row = _result(session, principal, result_id)
    access.require_result_write(
        session, principal, Action.EDIT, row.work_id, row.country, row.country
    )
    claim(session, ResultRow, result_id, expected_version, f"result {result_id}")
    session.refresh(row)
    return row


def _result(session: Any, principal: Principal, result_id: int) -> ResultRow:
    """The stored result, refused as missing to whoever may not read it."""
    row = session.get(ResultRow, result_id)
    if row is None:
        raise access.missing_result(result_id)
    access.readable_result(session, principal, row, access.missing_result(result_id))
    return row  # type: ignore[no-any-return]


def review_result(
    db: Database,
    principal: Principal,
    result_id: int,
    action: str,
    note: str | None,
    expected_version: int | None,
    breakdown_checked: bool = False,
) -> dict[str, Any]:
    """Service call: submit, return (with a reason) or verify one result; verifying one
    whose breakdown by sex exceeds its total needs ``breakdown_checked``; submitting a
    total submits the draft parts of its breakdown with it."""
    access.need_signed_in(principal)
    if note is not None:
        check_text(note, "the note", multiline=True)
    needed = REVIEW_ACTIONS.get(action)
    if needed is None:
        raise ValidationError(f"unknown review action {action!r}: use submit, return or verify")
    with audit.acting_as(principal.actor), db.transaction() as session:
        row = _result(session, principal, result_id)
        access.require_result_write(session, principal, needed, row.work_id, row.country, None)
        claim(session, ResultRow, result_id, expected_version, f"result {result_id}")
        session.refresh(row)  # locked now: check the record as it is at the change
        access.require_result_write(session, principal, needed, row.work_id, row.country, None)
        if action == "verify" and not breakdown_checked:
            breakdowns.unchecked(session, principal, row)
        done = breakdowns.review_with_parts(session, principal, row, action, note)[0]
        session.flush()
        work = session.get(WorkRow, done.work_id)
        return explorer.result_dict(done, work.key if work else None)


def review_as_operator(
    db: Database, ids: list[int], action: str, note: str | None, breakdown_checked: bool = False
) -> list[dict[str, Any]]:
    """Service call: one review action on several results as whoever runs the command
    line, all or none; verifying a result whose breakdown by sex exceeds its total needs
    ``breakdown_checked`` (``breakdowns.unchecked``)."""
    if note is not None:
        check_text(note, "the note", multiline=True)
    with db.transaction() as session:
        done: list[dict[str, Any]] = []
        moved: set[int] = set()
        for result_id in ids:
            if result_id in moved:  # a part that went with its total, named too
                continue
            row = session.get(ResultRow, result_id, with_for_update=True)
            if row is None:
                raise results.missing(result_id)
            if action == "verify" and not breakdown_checked:
                breakdowns.unchecked(session, None, row)
            changed = breakdowns.review_with_parts(session, None, row, action, note)
            done.extend(results.as_dict(r) for r in changed)
            moved.update(r.id for r in changed)
        return done


def review_results(
    db: Database,
    principal: Principal,
    ids: list[int],
    action: str,
    note: str | None,
    breakdown_checked: bool = False,
) -> list[dict[str, Any]]:
    """Service call: one review action on several results as a signed-in account, all or
    none (the command line's ``--as``). Each result is locked and checked as stored, so no
    version is needed: the account acts on the record as it is at the change; verifying
    one whose breakdown by sex exceeds its total needs ``breakdown_checked``."""
    access.need_signed_in(principal)
    if note is not None:
        check_text(note, "the note", multiline=True)
    needed = REVIEW_ACTIONS.get(action)
    if needed is None:
        raise ValidationError(f"unknown review action {action!r}: use submit, return or verify")
    done: list[dict[str, Any]] = []
    moved: set[int] = set()
    with audit.acting_as(principal.actor), db.transaction() as session:
        for result_id in ids:
            if result_id in moved:  # a part that went with its total, named too
                continue
            row = session.get(ResultRow, result_id, with_for_update=True)
            missing = access.missing_result(result_id)
            if row is None:
                raise missing
            access.readable_result(session, principal, row, missing)
            access.require_result_write(session, principal, needed, row.work_id, row.country, None)
            if action == "verify" and not breakdown_checked:
                breakdowns.unchecked(session, principal, row)
            changed = breakdowns.review_with_parts(session, principal, row, action, note)
            session.flush()
            work = session.get(WorkRow, row.work_id)
            key = work.key if work else None
            done.extend(explorer.result_dict(r, key) for r in changed)
            moved.update(r.id for r in changed)
    return done


def save_project(
    db: Database,
    principal: Principal,
    spec: portfolio.WorkSpec,
    expected_version: int | None,
    create: bool,
    sent: Iterable[str] | None = None,
) -> dict[str, Any]:
    """Service call: register a new project, or change one at the version read; ``sent``:
    the fields the client gave, the others kept as stored (``portfolio.with_stored``)."""
    access.need_signed_in(principal)
    with audit.acting_as(principal.actor), db.transaction() as session:
        existing = session.scalar(select(WorkRow).where(WorkRow.key == spec.key))
        if create and existing is not None:
            # keys are unique across the portfolio, so a taken key is said to be taken;
            # who may not create the project as asked hears that first, and nobody hears
            # more about a project they may not read than that its key is in use
            access.require_project_write(session, principal, None, spec)
            raise ValidationError(
                f"the project key {spec.key!r} is taken; choose another key "
                "(or, for your own project, change it instead of creating it)",
                message_id="project_key_taken",
                params={"key": spec.key},
                field="key",
            )
        missing = NotFoundError(
            f"no project {spec.key!r}", message_id="project_missing", params={"project": spec.key}
        )
        if not create and existing is None:
            raise missing
        if existing is not None and not create:
            stored = access.stored_project(session, existing.id)
            access.require_readable(principal, stored.read_target(), missing)
        # checked as the project will be, with what the body leaves out as stored: an
        # editor of Brazil changing a title has not asked to remove Brazil
        asked = spec
        if existing is not None and sent is not None:
            asked = portfolio.with_stored(session, existing, spec, sent)
        access.require_project_write(session, principal, existing, asked)
        if existing is not None:
            claim(session, WorkRow, existing.id, expected_version, f"project {spec.key}")
            session.refresh(existing)
            if sent is not None:
                spec = portfolio.with_stored(session, existing, spec, sent)
            access.require_project_write(session, principal, existing, spec)
            access.require_figure_terms_change(session, principal, existing, spec)
        row = portfolio.upsert_work(session, spec)
        return {"key": row.key, "id": row.id, "version": row.version}


def run_method(
    db: Database, principal: Principal, method: str, inputs: dict[str, Any]
) -> dict[str, Any]:
    """Service call: compute and store a method run (editors, on any scope)."""
    if not principal.may_edit_somewhere():
        require(principal, Action.EDIT, SYSTEM)
    with audit.acting_as(principal.actor):
        return method_service.run(db, method, inputs, actor=principal.actor)


def result_from_run(
    db: Database, principal: Principal, spec: method_service.FromRun
) -> dict[str, Any]:
    """Service call: a draft result from a stored run's output, on an editable project
    (checked and written in one transaction)."""
    access.need_signed_in(principal)
    with audit.acting_as(principal.actor), db.transaction() as session:
        work = _project(session, principal, spec.work)
        country = check_country(spec.country) if spec.country else None
        access.require_new_result(session, principal, work.id, country)
        # using a run's output reads the run: only one the editor may read
        readable_run(session, principal, spec.run_id)
        row = method_service.add_from_run(session, spec)
        return explorer.result_dict(row, work.key)
