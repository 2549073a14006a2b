"""The audit trail: every change to stored records with who, when, before and after,
chained by SHA-256 so that editing or deleting an event is detectable.

No service calls this module to be audited. Listeners on SQLAlchemy's ``Session`` note
each record a transaction touches (ORM flushes and ORM bulk statements alike), read its
state from the database the first time it is touched and again just before the
transaction commits, and append one event per record that really changed, inside the
same transaction: a change and its audit event commit together or not at all.

Child rows of a work item (countries, terms, partners, sectors …) are folded into the
work item's event, so a project's history reads as one record. Bulk inserts (synthetic
portfolios, imports) are recorded as one event per table with the number of rows.
The actor is a context variable set by the web layer, the API and the CLI.
"""

from __future__ import annotations

import getpass
import os
import re
import weakref
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from sqlalchemy import Connection, Engine, event, func, inspect, select
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction

from greenfolio.domain.errors import ValidationError
from greenfolio.services.audit_chain import (
    GENESIS,
    ChainReport,
    Head,
    append,
    head_problems,
    stored_head,
    walk,
)
from greenfolio.services.audit_filter import AuditFilter
from greenfolio.services.audit_state import (
    NOT_AUDITED,
    PARENT,
    check_records,
    child_names,
    snapshots,
    stamp,
)
from greenfolio.services.unit_of_work import UnitOfWork
from greenfolio.store.tables import AuditEventRow, AuditHeadRow, Base, OrganisationRow

__all__ = ["GENESIS", "ChainReport", "Head", "acting_as", "current_actor", "verify"]
_stamp = stamp  # the name other services use for one timestamp form
DETAIL_LIMIT = 1000
"""Past this many rows a bulk UPDATE or DELETE is recorded as one summary event."""
_INFO_KEY = "greenfolio.audit"
_CORE_KEY = "greenfolio.audit.core"
_QUIET_KEY = "greenfolio.audit.quiet"
_NO_HEAD_KEY = "greenfolio.audit.no_head"
_SOURCE_KEY = "greenfolio.audit.source"

Key = tuple[str, tuple[Any, ...]]


def _os_user() -> str:
    """The operating-system account the process runs as, by its user id: not
    ``getpass.getuser()``, which believes LOGNAME and USER (``USER=someone greenfolio
    results verify`` verified a result its importer had entered)."""
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError, OSError):  # no password database (Windows, a bare uid)
        return f"uid{os.getuid()}" if hasattr(os, "getuid") else getpass.getuser()


_ACTOR: ContextVar[str | None] = ContextVar("greenfolio_actor", default=None)
_fallback = [f"local:{_os_user()}"]


def use_cli_actor() -> None:
    """Name changes made from the command line after the operating-system user."""
    _fallback[0] = f"cli:{_os_user()}"


def current_actor() -> str:
    return _ACTOR.get() or _fallback[0]


@contextmanager
def acting_as(actor: str) -> Iterator[None]:
    """Changes made inside the block are recorded as made by ``actor``."""
    token = _ACTOR.set(actor)
    try:
        yield
    finally:
        _ACTOR.reset(token)


def _key_of(obj: Any) -> Key | None:
    mapper = inspect(obj).mapper
    table = str(mapper.local_table.name)
    if table in NOT_AUDITED:
        return None
    if table in child_names():
        work_id = getattr(obj, "work_id", None)
        return (PARENT, (work_id,)) if work_id is not None else None
    pk = mapper.primary_key_from_instance(obj)
    if any(v is None for v in pk):
        return None
    return (table, tuple(pk))


# --- collecting changes ---------------------------------------------------------------


@dataclass
class _Pending:
    before: dict[Key, dict[str, Any] | None] = field(default_factory=dict)
    bulk: Counter[tuple[str, str]] = field(default_factory=Counter)
    """Rows written by statements too large to record one by one, per (action, table)."""


def _pending(session: Session) -> _Pending:
    found = session.info.get(_INFO_KEY)
    if found is None:
        found = session.info[_INFO_KEY] = _Pending()
    assert isinstance(found, _Pending)
    return found


def _capture(conn: Connection, pending: _Pending, keys: Iterable[Key]) -> None:
    by_table: dict[str, list[tuple[Any, ...]]] = {}
    for table, pk in keys:
        if (table, pk) not in pending.before:
            by_table.setdefault(table, []).append(pk)
    for table, pks in by_table.items():
        snaps = snapshots(conn, table, list(dict.fromkeys(pks)))
        for pk in pks:
            pending.before.setdefault((table, pk), snaps.get(pk))


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _ctx: UOWTransaction, _instances: object) -> None:
    dirty = (o for o in session.dirty if session.is_modified(o))
    keys = [k for o in chain(session.new, dirty, session.deleted) if (k := _key_of(o))]
    pending = _pending(session)
    fresh = [k for k in keys if k not in pending.before]
    conn = session.connection()
    if fresh:
        _capture(conn, pending, fresh)
    conn.info[_QUIET_KEY] = True  # the flush's own statements are captured record by record


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _ctx: UOWTransaction) -> None:
    session.connection().info[_QUIET_KEY] = False
    pending = _pending(session)
    for obj in session.new:
        key = _key_of(obj)
        if key is not None:
            pending.before.setdefault(key, None)


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state: ORMExecuteState) -> Any:
    """ORM INSERT/UPDATE/DELETE statements: records they touch are captured like a flush's
    (a summary past ``DETAIL_LIMIT`` rows); the statement then runs unseen by
    ``_core_statement`` so it is not counted twice."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name is None or name in NOT_AUDITED or name not in Base.metadata.tables:
        return None
    pending = _pending(state.session)
    conn = state.session.connection()
    summary: str | None = None
    if state.is_insert:
        summary = "bulk_insert"
    else:
        keys = _touched(conn, name, state)
        if keys is None:
            summary = "bulk_update" if state.is_update else "bulk_delete"
        else:
            _capture(conn, pending, keys)
    conn.info[_QUIET_KEY] = True
    try:
        result = state.invoke_statement()
    finally:
        conn.info[_QUIET_KEY] = False
    if summary is not None:
        params = state.parameters
        rows = len(params) if isinstance(params, list) else max(_rowcount(result), 1)
        pending.bulk[(summary, name)] += rows
    return result


def _rowcount(result: Any) -> int:
    count = getattr(result, "rowcount", -1)
    return int(count) if isinstance(count, int) and count >= 0 else 0


def _touched(conn: Connection, name: str, state: ORMExecuteState) -> list[Key] | None:
    """The records an UPDATE or DELETE will change, or None when there are too many."""
    real = Base.metadata.tables[name]
    child = name in child_names()
    pk_names = ["work_id"] if child else [c.name for c in real.primary_key.columns]
    params = state.parameters
    if isinstance(params, list):  # ORM bulk UPDATE by primary key: one row per dict
        if len(params) > DETAIL_LIMIT:
            return None
        pks = [tuple(p.get(k) for k in pk_names) for p in params]
    else:
        where = getattr(state.statement, "whereclause", None)
        cols = [real.c[k] for k in pk_names]
        query = select(*cols).distinct() if child else select(*cols)
        if where is not None:
            query = query.where(where)
        pks = [tuple(r) for r in conn.execute(query.limit(DETAIL_LIMIT + 1))]
        if len(pks) > DETAIL_LIMIT:
            return None
    return [(PARENT if child else name, pk) for pk in pks if None not in pk]


_DML = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([A-Za-z_]\w*)"?', re.I)


@event.listens_for(Engine, "after_cursor_execute")
def _core_statement(
    conn: Connection,
    cursor: Any,
    statement: str,
    parameters: Any,
    context: Any,
    executemany: bool,
) -> None:
    """Writes made on the connection without the ORM (fast bulk loads) are counted per
    table and recorded as summary events when the session commits."""
    if conn.info.get(_QUIET_KEY):
        return
    found = _DML.match(statement)
    if found is None:
        return
    table = found.group(2)
    if table in NOT_AUDITED or table not in Base.metadata.tables:
        return
    rows = getattr(cursor, "rowcount", -1)
    if not isinstance(rows, int) or rows < 0:
        many = executemany and isinstance(parameters, (list, tuple))
        rows = len(parameters) if many else 1
    if rows:
        verb = found.group(1).split()[0].lower()
        counts = conn.info.setdefault(_CORE_KEY, Counter())
        counts[(f"bulk_{verb}", table)] += rows


def count_bulk(conn: Connection, verb: str, table: str, rows: int) -> None:
    """Rows written on the driver's connection directly (PostgreSQL's COPY), which no
    statement listener sees: counted as ``_core_statement`` counts a bulk statement's."""
    if rows and table not in NOT_AUDITED and table in Base.metadata.tables:
        counts = conn.info.setdefault(_CORE_KEY, Counter())
        counts[(f"bulk_{verb}", table)] += rows


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _clear_core(conn: Connection) -> None:
    conn.info.pop(_CORE_KEY, None)
    conn.info.pop(_QUIET_KEY, None)
    conn.info.pop(_SOURCE_KEY, None)


def bulk_source(session: Session, name: str) -> None:
    """Name what this transaction's writes of many rows at once come from (an imported
    file's name): its bulk events say it, so the trail ties the rows to the file."""
    session.connection().info[_SOURCE_KEY] = name


_ready: weakref.WeakSet[Engine] = weakref.WeakSet()


def _has_trail(conn: Connection) -> bool:
    """Whether the database has the audit tables yet (it may be mid-migration, or at a
    revision from before the head was kept apart: then the events go without it)."""
    if conn.engine in _ready:
        return True
    tables = inspect(conn)
    if not tables.has_table(AuditEventRow.__tablename__):
        return False
    if tables.has_table(AuditHeadRow.__tablename__):
        _ready.add(conn.engine)
        return True
    conn.info[_NO_HEAD_KEY] = True
    return True


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()  # what commit would flush next, so its changes are captured too
    pending = session.info.pop(_INFO_KEY, None) or _Pending()
    conn = session.connection()
    core = conn.info.pop(_CORE_KEY, None)
    if core:
        pending.bulk.update(core)
    if not (pending.before or pending.bulk) or not _has_trail(conn):
        return
    by_table: dict[str, list[tuple[Any, ...]]] = {}
    for table, pk in pending.before:
        by_table.setdefault(table, []).append(pk)
    after = {t: snapshots(conn, t, pks) for t, pks in by_table.items()}
    events: list[dict[str, Any]] = []
    for (table, pk), old in pending.before.items():
        new = after[table].get(pk)
        if old == new:
            continue
        action = "create" if old is None else "delete" if new is None else "update"
        ident = "/".join(str(v) for v in pk)
        events.append(_event(action, table, ident, old, new))
    source = conn.info.pop(_SOURCE_KEY, None)
    for (action, table), rows in sorted(pending.bulk.items()):
        counted = {"rows": rows, **({"source": source} if source else {})}
        events.append(_event(action, table, "*", None, counted))
    if events:
        append(conn, events, current_actor(), head=not conn.info.pop(_NO_HEAD_KEY, False))


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_INFO_KEY, None)


def _event(action: str, entity: str, entity_id: str, before: Any, after: Any) -> dict[str, Any]:
    return {
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "before": before,
        "after": after,
    }


# --- checking the trail -----------------------------------------------------------------


def verify(db: UnitOfWork, head: str | None = None) -> ChainReport:
    """Service call: recompute the chain, compare its end with the stored head (and with
    ``head``, a hash kept elsewhere from ``audit head``), then compare every stored record
    with the trail's last recorded state of it."""
    if head is not None and not re.fullmatch(r"[0-9a-f]{64}", head.strip().lower()):
        raise ValidationError(
            f"--head {head!r} is not an audit head: give the 64 hexadecimal characters "
            "printed by `greenfolio audit head`"
        )
    kept = head.strip().lower() if head is not None else None
    with db.engine.connect() as conn:
        chain = walk(conn, kept)
        problems = [chain.problem] if chain.problem else []
        problems += head_problems(conn, chain, kept)
        state = check_records(conn)
    problems += [str(f) for f in state.findings]
    return ChainReport(
        events=chain.events,
        intact=not problems,
        head=chain.head,
        broken_at=chain.broken_at,
        problem=problems[0] if problems else "",
        findings=tuple(problems),
        records_checked=state.checked,
        records_unrecorded=state.unrecorded,
    )


def current_head(db: UnitOfWork) -> Head | None:
    """Service call: the newest event's id and hash as recorded apart from the trail."""
    with db.engine.connect() as conn:
        return stored_head(conn)


# --- reading the trail ----------------------------------------------------------------


def as_dict(row: AuditEventRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "at": _stamp(row.at) + "Z",
        "actor": row.actor,
        "action": row.action,
        "entity": row.entity,
        "entity_id": row.entity_id,
        "before": row.before,
        "after": row.after,
        "changes": changed_fields(row.before, row.after),
        "hash": row.hash,
    }


def changed_fields(before: Any, after: Any) -> list[str]:
    """The fields whose values differ, for a short summary of an event."""
    old = before if isinstance(before, dict) else {}
    new = after if isinstance(after, dict) else {}
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))


def history(session: Session, entity: str, entity_id: str) -> list[dict[str, Any]]:
    """Every event of one record, oldest first."""
    rows = session.scalars(
        select(AuditEventRow)
        .where(AuditEventRow.entity == entity, AuditEventRow.entity_id == entity_id)
        .order_by(AuditEventRow.id)
    )
    return [as_dict(r) for r in rows]


def organisations_named(session: Session, events: Iterable[dict[str, Any]]) -> dict[int, Any]:
    """The names (by language) of the organisations that events' partner lists hold: the
    trail keeps a partner as its organisation's id, which a reader cannot know."""
    ids = {
        item["org_id"]
        for e in events
        for side in (e.get("before"), e.get("after"))
        if isinstance(side, dict)
        for item in side.get("work_org") or []
        if isinstance(item, dict) and isinstance(item.get("org_id"), int)
    }
    if not ids:
        return {}
    rows = session.execute(
        select(OrganisationRow.id, OrganisationRow.names).where(OrganisationRow.id.in_(ids))
    )
    return {org_id: names for org_id, names in rows}


def organisation_names(db: UnitOfWork, events: list[dict[str, Any]]) -> dict[int, Any]:
    """Service call: :func:`organisations_named` for events already read."""
    with db.transaction() as session:
        return organisations_named(session, events)


def listing(
    db: UnitOfWork,
    entity: str | None = None,
    entity_id: str | None = None,
    actor: str | None = None,
    offset: int = 0,
    limit: int = 50,
    flt: AuditFilter | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """Service call: events, newest first, filtered by record or actor (and by ``flt``:
    period, kind of record and change, project or result); with their count."""
    conds = flt.conditions() if flt else []
    if entity:
        conds.append(AuditEventRow.entity == entity)
    if entity_id:
        conds.append(AuditEventRow.entity_id == entity_id)
    if actor:
        conds.append(AuditEventRow.actor == actor)
    with db.transaction() as session:
        total = session.scalar(select(func.count()).select_from(AuditEventRow).where(*conds)) or 0
        rows = session.scalars(
            select(AuditEventRow)
            .where(*conds)
            .order_by(AuditEventRow.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return [as_dict(r) for r in rows], total


def generation(session: Session) -> int:
    """The id of the newest event: it changes whenever any record changes, so caches of
    derived views (dashboard, map) can be keyed by it."""
    return generation_of(session.connection())


def generation_of(conn: Connection) -> int:
    """``generation`` on a plain connection: cheaper, for a check made on every request."""
    table = Base.metadata.tables[AuditEventRow.__tablename__]
    return conn.execute(select(func.max(table.c.id))).scalar() or 0
