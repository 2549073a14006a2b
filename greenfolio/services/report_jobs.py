"""Report builds as jobs: asked for on the reports page or through the API, run by any
server process (or ``greenfolio worker``) against the same database, and seen, with
their files, from every process.

The queue is the ``report_job`` table. A process claims the oldest queued job in one
transaction: on PostgreSQL with ``SELECT … FOR UPDATE SKIP LOCKED`` (two processes
claiming at once take different jobs and neither waits), on SQLite inside the
transaction's ``BEGIN IMMEDIATE`` (the database's one write lock: claims follow one
another). A claimed job is ``running`` under a lease (``heartbeat_at``) that its process
renews every ``HEARTBEAT_SECONDS`` while it builds; a job whose lease has run out for
``LEASE_SECONDS`` (its process was killed, or the machine went down) is queued again
by the next claim, and failed, with a message saying so, once it has been tried
``MAX_ATTEMPTS`` times. Every change to a running job names the process holding it, so
a process that lost its lease cannot overwrite the outcome of the one that took over.

The files a build writes (each document and its provenance) are kept in the database
(``report_job_file``, a BLOB on SQLite, ``bytea`` on PostgreSQL): it is the one place
every process already reaches, so no shared folder has to be mounted on each machine,
and a job and its files are committed together. A report is a few megabytes at most.

Why not procrastinate (the PostgreSQL job queue)? Greenfolio runs on SQLite as well,
where procrastinate has no backend (its in-memory connector is for tests); it would be a
second schema to migrate beside Alembic's, a second connection pool (psycopg's async
one) and an asyncio worker, while the state a page shows (queued, running, done,
failed with a message in words) and the files would still need these tables. The claim
is one statement on each backend, the lease a column; that is this module.

Jobs are not audited (``audit_state.NOT_AUDITED``): a build reads the records and
changes none, and each state change and heartbeat would otherwise advance the change
generation that the shared views are kept at. Who asked for a build, and when, stays in
the job's row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from greenfolio.domain.errors import GreenfolioError, NotFoundError, ValidationError
from greenfolio.services.database import Database, reading
from greenfolio.services.report_catalogue import resolve
from greenfolio.services.report_definition import no_session
from greenfolio.store.tables import ReportJobFileRow, ReportJobRow

STATES = ("queued", "running", "done", "failed")
LEASE_SECONDS = 90
"""How long a running job's lease lasts without a heartbeat before another process may
take the job up."""
HEARTBEAT_SECONDS = 15
MAX_ATTEMPTS = 2
"""How many processes may start a job before it is failed (it stopped them all)."""
MAX_WAITING = 3
"""How many builds one person may have waiting or being built at once. Builds run one
after another and each takes seconds and megabytes: without a limit, one account (or a
script holding its token) could queue thousands and hold up everyone's reports."""


class TooManyJobs(GreenfolioError):
    """A person already has ``MAX_WAITING`` builds waiting or being built."""


@dataclass(frozen=True)
class JobFile:
    id: int
    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Job:
    """A report job as pages and the API show it."""

    id: int
    definition: str
    year: int
    languages: tuple[str, ...]
    formats: tuple[str, ...]
    requested_by: str
    requested_at: datetime
    state: str
    attempts: int
    started_at: datetime | None
    finished_at: datetime | None
    message_id: str | None
    """Why it failed, as a catalogue id (``err_<id>``) with ``params``; ``error`` in English."""
    params: dict[str, Any]
    error: str | None
    files: tuple[JobFile, ...] = field(default=())


@dataclass(frozen=True)
class Claimed:
    """A job a process has claimed: what to build."""

    id: int
    definition: str
    year: int
    languages: tuple[str, ...]
    formats: tuple[str, ...]


def _now() -> datetime:
    return datetime.now(UTC)


def enqueue(
    db: Database,
    by: str,
    definition: str,
    year: int,
    languages: Sequence[str],
    formats: Sequence[str],
) -> int:
    """Queue a build of ``definition`` for ``year`` in ``languages`` × ``formats``; its id.

    The definition is chosen by name among the installed ones; the formats must already
    be checked by the caller (the writers know them). The same build asked again by the
    same person while theirs still waits is that job (it will read the records as they
    are when it runs); a person with ``MAX_WAITING`` builds waiting or running is refused
    (``TooManyJobs``) until one of them is done."""
    found = resolve(definition)
    langs = list(dict.fromkeys(languages))
    fmts = list(dict.fromkeys(formats))
    missing = [lang for lang in langs if lang not in found.languages]
    if not langs or missing:
        raise ValidationError(
            f"choose one or more of the languages of {definition!r}: {', '.join(found.languages)}",
            message_id="report_job_languages",
        )
    if not fmts:
        raise ValidationError("choose one or more formats", message_id="report_job_formats")
    if found.years and year not in found.years:  # refused now, not a job failing later
        raise no_session(definition, year, found.years)
    with db.transaction() as session:
        theirs = session.scalars(
            select(ReportJobRow).where(
                ReportJobRow.requested_by == by,
                ReportJobRow.state.in_(("queued", "running")),
            )
        ).all()
        asked = (definition, year, sorted(langs), sorted(fmts))
        for job in theirs:
            same = (job.definition, job.year, sorted(job.languages), sorted(job.formats))
            if job.state == "queued" and same == asked:
                return int(job.id)
        if len(theirs) >= MAX_WAITING:
            raise TooManyJobs(
                f"you already have {len(theirs)} report builds waiting or being built; "
                "ask for another when one of them is ready",
                message_id="report_job_busy",
                params={"n": len(theirs)},
            )
        row = ReportJobRow(
            definition=definition,
            year=year,
            languages=langs,
            formats=fmts,
            requested_by=by,
            requested_at=_now(),
            state="queued",
            attempts=0,
        )
        session.add(row)
        session.flush()
        return int(row.id)


def _stale(now: datetime) -> Any:
    return and_(
        ReportJobRow.state == "running",
        ReportJobRow.heartbeat_at < now - timedelta(seconds=LEASE_SECONDS),
    )


def waiting(db: Database, now: datetime | None = None) -> bool:
    """Whether a job waits to be claimed (a cheap read, before taking a write lock)."""
    when = now or _now()
    query = select(ReportJobRow.id).where(or_(ReportJobRow.state == "queued", _stale(when)))
    with reading(), db.transaction() as session:
        return session.scalar(query.limit(1)) is not None


def _skip_locked(session: Session, query: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return query.with_for_update(skip_locked=True)
    return query  # SQLite: the transaction already holds the database's write lock


def _take_back(session: Session, now: datetime) -> None:
    """Queue again (or fail) the running jobs whose lease has run out."""
    lost = session.scalars(_skip_locked(session, select(ReportJobRow).where(_stale(now))))
    for row in lost:
        row.worker = None
        if row.attempts >= MAX_ATTEMPTS:
            row.state = "failed"
            row.finished_at = now
            row.message_id = "report_job_lost"
            row.message_params = {"n": row.attempts}
            row.error = (
                f"the process building this report stopped {row.attempts} times "
                "(it was ended, or ran out of memory); ask the administrator"
            )
        else:
            row.state = "queued"


def claim(db: Database, worker: str, now: datetime | None = None) -> Claimed | None:
    """Take the oldest queued job for ``worker`` (a process's name), or None."""
    when = now or _now()
    with db.transaction() as session:
        _take_back(session, when)
        query = select(ReportJobRow).where(ReportJobRow.state == "queued")
        row = session.scalars(_skip_locked(session, query.order_by(ReportJobRow.id).limit(1)))
        job = row.first()
        if job is None:
            return None
        job.state = "running"
        job.worker = worker
        job.started_at = when
        job.heartbeat_at = when
        job.attempts += 1
        return Claimed(job.id, job.definition, job.year, tuple(job.languages), tuple(job.formats))


def _mine(job_id: int, worker: str) -> Any:
    return and_(
        ReportJobRow.id == job_id,
        ReportJobRow.state == "running",
        ReportJobRow.worker == worker,
    )


def heartbeat(db: Database, job_id: int, worker: str, now: datetime | None = None) -> bool:
    """Renew ``worker``'s lease on a running job; False if the job is no longer its own."""
    with db.transaction() as session:
        done = session.execute(
            update(ReportJobRow).where(_mine(job_id, worker)).values(heartbeat_at=now or _now())
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]


def finish(db: Database, job_id: int, worker: str, files: Sequence[tuple[str, bytes]]) -> bool:
    """Keep a finished job's files (name, content) and mark it done; False (nothing
    kept) if the job is no longer ``worker``'s."""
    with db.transaction() as session:
        done = session.execute(
            update(ReportJobRow)
            .where(_mine(job_id, worker))
            .values(state="done", finished_at=_now(), heartbeat_at=_now())
        )
        if not done.rowcount:  # type: ignore[attr-defined]
            return False
        for name, data in files:
            session.add(
                ReportJobFileRow(
                    job_id=job_id,
                    name=name,
                    size=len(data),
                    sha256=hashlib.sha256(data).hexdigest(),
                    data=data,
                )
            )
        return True


def fail(
    db: Database,
    job_id: int,
    worker: str,
    error: str,
    message_id: str | None = None,
    params: dict[str, Any] | None = None,
) -> bool:
    """Mark a job failed with why, in English and as a catalogue id with its values."""
    with db.transaction() as session:
        done = session.execute(
            update(ReportJobRow)
            .where(_mine(job_id, worker))
            .values(
                state="failed",
                finished_at=_now(),
                error=error,
                message_id=message_id,
                message_params=dict(params or {}),
            )
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]


def _job(row: ReportJobRow, files: Sequence[JobFile]) -> Job:
    return Job(
        id=row.id,
        definition=row.definition,
        year=row.year,
        languages=tuple(row.languages),
        formats=tuple(row.formats),
        requested_by=row.requested_by,
        requested_at=row.requested_at,
        state=row.state,
        attempts=row.attempts,
        started_at=row.started_at,
        finished_at=row.finished_at,
        message_id=row.message_id,
        params=dict(row.message_params or {}),
        error=row.error,
        files=tuple(files),
    )


def _files(session: Session, ids: Sequence[int]) -> dict[int, list[JobFile]]:
    out: dict[int, list[JobFile]] = {i: [] for i in ids}
    if not ids:
        return out
    query = (
        select(
            ReportJobFileRow.job_id,
            ReportJobFileRow.id,
            ReportJobFileRow.name,
            ReportJobFileRow.size,
            ReportJobFileRow.sha256,
        )
        .where(ReportJobFileRow.job_id.in_(ids))
        .order_by(ReportJobFileRow.id)
    )
    for job_id, file_id, name, size, sha in session.execute(query):
        out[job_id].append(JobFile(file_id, name, size, sha))
    return out


def jobs(db: Database, limit: int = 50) -> list[Job]:
    """The newest jobs first, with their files (not their contents)."""
    with db.transaction() as session:
        rows = session.scalars(
            select(ReportJobRow).order_by(ReportJobRow.id.desc()).limit(limit)
        ).all()
        files = _files(session, [r.id for r in rows])
        return [_job(r, files[r.id]) for r in rows]


def _missing(job_id: int) -> NotFoundError:
    return NotFoundError(
        f"no report job {job_id}", message_id="report_job_missing", params={"id": job_id}
    )


def job(db: Database, job_id: int) -> Job:
    with db.transaction() as session:
        row = session.get(ReportJobRow, job_id)
        if row is None:
            raise _missing(job_id)
        return _job(row, _files(session, [job_id])[job_id])


def job_file(db: Database, job_id: int, file_id: int) -> tuple[str, bytes]:
    """A finished job's file: its name and content."""
    with db.transaction() as session:
        row = session.get(ReportJobFileRow, file_id)
        if row is None or row.job_id != job_id:
            raise _missing(job_id)
        return row.name, bytes(row.data)


def prune(db: Database, keep: int) -> tuple[int, int]:
    """Delete the finished builds of each report, year, languages and formats but the
    newest ``keep``, with their files; returns how many builds and how many bytes of
    files. A build of other languages or formats is another document, kept on its own
    count; builds waiting, being built or failed (which hold no files, and say why they
    failed) stay. Asked for by an administrator (``greenfolio report prune``): the
    documents a build kept are never deleted otherwise."""
    if keep < 1:
        raise ValidationError("keep at least one build of each report and year")
    with db.transaction() as session:
        finished = session.execute(
            select(
                ReportJobRow.id,
                ReportJobRow.definition,
                ReportJobRow.year,
                ReportJobRow.languages,
                ReportJobRow.formats,
            )
            .where(ReportJobRow.state == "done")
            .order_by(ReportJobRow.id.desc())
        ).all()
        seen: dict[tuple[object, ...], int] = {}
        old: list[int] = []
        for job_id, definition, year, languages, formats in finished:
            same = (definition, year, tuple(sorted(languages)), tuple(sorted(formats)))
            count = seen[same] = seen.get(same, 0) + 1
            if count > keep:
                old.append(job_id)
        if not old:
            return 0, 0
        size = 0
        for start in range(0, len(old), 500):
            some = old[start : start + 500]
            size += int(
                session.scalar(
                    select(func.coalesce(func.sum(ReportJobFileRow.size), 0)).where(
                        ReportJobFileRow.job_id.in_(some)
                    )
                )
                or 0
            )
            session.execute(delete(ReportJobFileRow).where(ReportJobFileRow.job_id.in_(some)))
            session.execute(delete(ReportJobRow).where(ReportJobRow.id.in_(some)))
        return len(old), size
