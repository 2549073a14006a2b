"""Evidence files on results: add, replace, withdraw, list and open them on behalf of a
principal.

Reading follows the result: whoever may read a result (checked against the record as
stored, as ``explorer.result`` does) may list and download its files; anonymous visitors
of a public server see none (files may hold what a published figure does not). Changing
them follows revising it: edit rights on the result as stored, and only while it is a
draft or returned, so a submitted or verified figure keeps the evidence its reviewer saw.

Nothing is deleted: a replaced file's row becomes ``replaced`` (the new row names it in
``replaces_id``), a withdrawn one ``withdrawn``; both stay listed and downloadable, and
each change is in the audit trail (table ``evidence_file``). The file is put in the store
before the row is committed, so a row never names a file the store lacks.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from greenfolio.domain.errors import NotFoundError, ValidationError
from greenfolio.domain.file_types import (
    FileKind,
    clean_filename,
    kind_from_head,
    kind_from_zip,
    refuse_type,
)
from greenfolio.domain.permissions import Action, NotAuthenticated, Principal, require
from greenfolio.domain.results import ReviewState
from greenfolio.domain.text import check_text
from greenfolio.services import access, audit
from greenfolio.services.database import Database
from greenfolio.services.evidence_store import EvidenceStore
from greenfolio.store.tables import AuditEventRow, EvidenceFileRow, ResultRow

CURRENT, REPLACED, WITHDRAWN = "current", "replaced", "withdrawn"
CHANGEABLE = frozenset({ReviewState.DRAFT.value, ReviewState.RETURNED.value})
MAX_ZIP_PARTS = 20_000
"""A ZIP archive (or Office file) listing more parts than this is refused unread."""
NOTE_LIMIT = 2000


def as_dict(row: EvidenceFileRow, replaced_by: int | None = None) -> dict[str, Any]:
    return {
        "id": row.id,
        "result_id": row.result_id,
        "filename": row.filename,
        "kind": row.kind,
        "media_type": row.media_type,
        "size": row.size,
        "sha256": row.sha256,
        "state": row.state,
        "replaces_id": row.replaces_id,
        "replaced_by_id": replaced_by,
        "uploaded_by": row.uploaded_by,
        "uploaded_at": audit._stamp(row.uploaded_at) + "Z",
        "ended_by": row.ended_by,
        "ended_at": audit._stamp(row.ended_at) + "Z" if row.ended_at else None,
        "note": row.note,
    }


# --- what the file is ---------------------------------------------------------------------


def _zip_parts(path: Path) -> list[str]:
    """The part names of a ZIP archive, after checking from its end record that it lists
    no more than ``MAX_ZIP_PARTS`` (so a hostile directory is never loaded)."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        tail_len = min(size, 65_536 + 22)
        handle.seek(size - tail_len)
        tail = handle.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 12:
        raise ValueError("no end of central directory")
    if int.from_bytes(tail[at + 10 : at + 12], "little") > MAX_ZIP_PARTS:
        raise ValueError("too many parts")
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


def identify(path: Path, head: bytes, given_name: str | None) -> FileKind:
    """The kind of the spooled file, from its content (``UnsupportedFileType`` if none)."""
    shown = given_name or "the file"
    kind = kind_from_head(head)
    if kind is None:
        raise refuse_type(shown)
    if kind.code in ("zip", "odt", "ods", "odp"):
        try:
            parts = _zip_parts(path)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise refuse_type(shown) from exc
        kind = kind_from_zip(parts, kind)
    return kind


# --- the checks ---------------------------------------------------------------------------


def _readable(session: Session, principal: Principal, result_id: int) -> ResultRow:
    """The result, if ``principal`` may see its evidence (as reading the result)."""
    if principal.user_id is None:
        raise NotAuthenticated("sign in to see the evidence files of a result")
    row = session.get(ResultRow, result_id)
    if row is None:
        raise access.missing_result(result_id)
    stored = access.readable_result(session, principal, row, access.missing_result(result_id))
    require(principal, Action.READ, access.with_country(stored.read_target(), row.country))
    return row


def _changeable(session: Session, principal: Principal, result_id: int) -> ResultRow:
    """The result, locked, if ``principal`` may change its evidence now."""
    access.need_signed_in(principal)
    row = session.get(ResultRow, result_id, with_for_update=True)
    if row is None:
        raise access.missing_result(result_id)
    access.readable_result(session, principal, row, access.missing_result(result_id))
    access.require_result_write(
        session, principal, Action.EDIT, row.work_id, row.country, row.country
    )
    if row.review_state not in CHANGEABLE:
        raise ValidationError(
            f"result {result_id} is {row.review_state}: its evidence changes only while it "
            "is a draft or returned (a reviewer must return it first)",
            message_id="evidence_locked",
            params={"result": result_id},
        )
    return row


def check_may_change(db: Database, principal: Principal, result_id: int) -> None:
    """Service call: refuse early (before an upload is read) whoever may not add evidence
    to the result now; the write checks again."""
    with db.transaction() as session:
        _changeable(session, principal, result_id)


def _current(session: Session, result_id: int, evidence_id: int) -> EvidenceFileRow:
    row = session.get(EvidenceFileRow, evidence_id, with_for_update=True)
    if row is None or row.result_id != result_id:
        raise NotFoundError(
            f"result {result_id} has no evidence file {evidence_id}",
            message_id="evidence_missing",
            params={"result": result_id, "evidence": evidence_id},
        )
    if row.state != CURRENT:
        raise ValidationError(
            f"evidence file {evidence_id} is {row.state} already; only a current file can be "
            "replaced or withdrawn",
            message_id="evidence_not_current",
            params={"file": row.filename},
        )
    return row


def _note(note: str | None) -> str | None:
    if note is None or not note.strip():
        return None
    if len(note) > NOTE_LIMIT:
        raise ValidationError(f"the note is longer than {NOTE_LIMIT} characters")
    return check_text(note.strip(), "the note", multiline=True)


# --- service calls ------------------------------------------------------------------------


def add(
    db: Database,
    principal: Principal,
    store: EvidenceStore,
    result_id: int,
    spooled: Path,
    *,
    sha256: str,
    size: int,
    head: bytes,
    filename: str | None,
    replaces: int | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """Service call: keep the spooled file as evidence of the result (replacing the
    current file ``replaces``, which stays in the history)."""
    kind = identify(spooled, head, filename)
    name = clean_filename(filename, kind, sha256)
    said = _note(note)
    with audit.acting_as(principal.actor), db.transaction() as session:
        _changeable(session, principal, result_id)
        now = datetime.now(UTC)
        if replaces is not None:
            old = _current(session, result_id, replaces)
            old.state, old.ended_by, old.ended_at = REPLACED, principal.actor, now
        row = EvidenceFileRow(
            result_id=result_id,
            sha256=sha256,
            size=size,
            kind=kind.code,
            media_type=kind.media_type,
            filename=name,
            state=CURRENT,
            replaces_id=replaces,
            uploaded_by=principal.actor,
            uploaded_at=now,
            note=said,
        )
        session.add(row)
        session.flush()
        store.put(sha256, spooled)
        return as_dict(row)


def withdraw(
    db: Database, principal: Principal, result_id: int, evidence_id: int, note: str | None
) -> dict[str, Any]:
    """Service call: withdraw a current file (it stays listed, marked withdrawn)."""
    said = _note(note)
    with audit.acting_as(principal.actor), db.transaction() as session:
        _changeable(session, principal, result_id)
        row = _current(session, result_id, evidence_id)
        row.state, row.ended_by, row.ended_at = WITHDRAWN, principal.actor, datetime.now(UTC)
        if said:
            row.note = said
        session.flush()
        return as_dict(row)


def files_of(session: Session, result_id: int) -> list[dict[str, Any]]:
    """Every evidence file of a result, oldest first, each with what replaced it."""
    rows = list(
        session.scalars(
            select(EvidenceFileRow)
            .where(EvidenceFileRow.result_id == result_id)
            .order_by(EvidenceFileRow.id)
        )
    )
    successor = {r.replaces_id: r.id for r in rows if r.replaces_id is not None}
    return [as_dict(r, successor.get(r.id)) for r in rows]


def events(session: Session, files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The audit events of these evidence files, oldest first (for a result's history)."""
    if not files:
        return []
    rows = session.scalars(
        select(AuditEventRow)
        .where(
            AuditEventRow.entity == EvidenceFileRow.__tablename__,
            AuditEventRow.entity_id.in_([str(f["id"]) for f in files]),
        )
        .order_by(AuditEventRow.id)
    )
    return [audit.as_dict(r) for r in rows]


def listing(db: Database, principal: Principal, result_id: int) -> list[dict[str, Any]]:
    """Service call: the result's evidence files, current and past."""
    with db.transaction() as session:
        _readable(session, principal, result_id)
        return files_of(session, result_id)


def open_file(
    db: Database, principal: Principal, store: EvidenceStore, result_id: int, evidence_id: int
) -> tuple[dict[str, Any], BinaryIO]:
    """Service call: one evidence file (current or past) and its content, open."""
    with db.transaction() as session:
        _readable(session, principal, result_id)
        row = session.get(EvidenceFileRow, evidence_id)
        if row is None or row.result_id != result_id:
            raise NotFoundError(
                f"result {result_id} has no evidence file {evidence_id}",
                message_id="evidence_missing",
                params={"result": result_id, "evidence": evidence_id},
            )
        found = as_dict(row)
    return found, store.get(found["sha256"])


@dataclass
class StoreCheck:
    """What ``check_store`` found: files compared and the problems, one line each."""

    checked: int = 0
    problems: list[str] = field(default_factory=list)


def check_store(db: Database, store: EvidenceStore) -> StoreCheck:
    """Service call: every evidence file a row names, read back from the store and hashed
    again, so a file missing or changed in the folder is reported with its rows."""
    with db.transaction() as session:
        rows = session.execute(
            select(EvidenceFileRow.sha256, EvidenceFileRow.id, EvidenceFileRow.result_id).order_by(
                EvidenceFileRow.id
            )
        ).all()
    named: dict[str, list[str]] = {}
    for sha256, file_id, result_id in rows:
        named.setdefault(sha256, []).append(f"file {file_id} of result {result_id}")
    found = StoreCheck()
    for sha256, owners in named.items():
        found.checked += 1
        where = ", ".join(owners)
        if not store.exists(sha256):
            found.problems.append(f"{where}: missing from the store ({sha256})")
            continue
        digest = hashlib.sha256()
        with store.get(sha256) as handle:
            while chunk := handle.read(1024 * 1024):
                digest.update(chunk)
        if digest.hexdigest() != sha256:
            found.problems.append(f"{where}: the stored file no longer hashes to {sha256}")
    return found
