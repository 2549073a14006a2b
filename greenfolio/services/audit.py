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
import hashlib
import json
import os
import re
import weakref
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from itertools import chain
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Table,
    and_,
    event,
    func,
    insert,
    inspect,
    or_,
    select,
    text,
)
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction

from greenfolio.services.database import Database
from greenfolio.store.tables import AuditEventRow, Base

GENESIS = "0" * 64
"""The ``prev_hash`` of the first event."""
NOT_AUDITED = frozenset({"audit_event", "audit_head", "user_session", "login_attempt"})
"""Tables that are bookkeeping, not records: the trail itself, sessions, sign-in attempts."""
PARENT = "work_item"
_LOCK_KEY = 0x6766_6175  # PostgreSQL advisory lock that serialises appends to the chain
_CHUNK = 500
DETAIL_LIMIT = 1000
"""Past this many rows a bulk UPDATE or DELETE is recorded as one summary event."""
_INFO_KEY = "greenfolio.audit"
_CORE_KEY = "greenfolio.audit.core"
_QUIET_KEY = "greenfolio.audit.quiet"

Key = tuple[str, tuple[Any, ...]]


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid{os.getuid()}"


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


# --- what a record looks like ---------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return _stamp(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _stamp(at: datetime) -> str:
    """A UTC timestamp in one form on both backends (SQLite gives back naive datetimes)."""
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def _row_dict(table: str, row: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in row.items():
        if name == "updated_at":
            continue
        if name == "password_hash" and value:
            # The hash itself stays out of the trail; a fingerprint shows that it changed.
            value = "argon2:" + hashlib.sha256(str(value).encode()).hexdigest()[:12]
        out[name] = _jsonable(value)
    return out


@cache
def _children() -> tuple[Table, ...]:
    """Tables whose rows belong to one work item (``work_*`` with a ``work_id``)."""
    return tuple(
        t
        for name, t in sorted(Base.metadata.tables.items())
        if name.startswith("work_") and name != PARENT and "work_id" in t.c
    )


def _child_names() -> frozenset[str]:
    return frozenset(t.name for t in _children())


def _snapshots(conn: Connection, table_name: str, pks: list[tuple[Any, ...]]) -> dict[Any, Any]:
    """The current state of each record, read in batches; absent records are left out."""
    table = Base.metadata.tables[table_name]
    pk_cols = list(table.primary_key.columns)
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for start in range(0, len(pks), _CHUNK):
        chunk = pks[start : start + _CHUNK]
        cond: ColumnElement[bool]
        if len(pk_cols) == 1:
            cond = pk_cols[0].in_([p[0] for p in chunk])
        else:
            cond = or_(*(and_(*(c == v for c, v in zip(pk_cols, p, strict=True))) for p in chunk))
        for row in conn.execute(select(table).where(cond)).mappings():
            out[tuple(row[c.name] for c in pk_cols)] = _row_dict(table_name, row)
    if table_name == PARENT and out:
        ids = [pk[0] for pk in out]
        for snap in out.values():
            for child in _children():
                snap[child.name] = []
        for child in _children():
            for start in range(0, len(ids), _CHUNK):
                stmt = select(child).where(child.c.work_id.in_(ids[start : start + _CHUNK]))
                for row in conn.execute(stmt).mappings():
                    item = {k: v for k, v in _row_dict(child.name, row).items() if k != "work_id"}
                    out[(row["work_id"],)][child.name].append(item)
        for snap in out.values():
            for child in _children():
                snap[child.name].sort(key=lambda d: json.dumps(d, sort_keys=True, default=str))
    return out


def _key_of(obj: Any) -> Key | None:
    mapper = inspect(obj).mapper
    table = str(mapper.local_table.name)
    if table in NOT_AUDITED:
        return None
    if table in _child_names():
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
        snaps = _snapshots(conn, table, list(dict.fromkeys(pks)))
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
    child = name in _child_names()
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


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _clear_core(conn: Connection) -> None:
    conn.info.pop(_CORE_KEY, None)
    conn.info.pop(_QUIET_KEY, None)


_ready: weakref.WeakSet[Engine] = weakref.WeakSet()


def _has_trail(conn: Connection) -> bool:
    """Whether the database has the audit table yet (it may be mid-migration)."""
    if conn.engine in _ready:
        return True
    if inspect(conn).has_table(AuditEventRow.__tablename__):
        _ready.add(conn.engine)
        return True
    return False


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
    after = {t: _snapshots(conn, t, pks) for t, pks in by_table.items()}
    events: list[dict[str, Any]] = []
    for (table, pk), old in pending.before.items():
        new = after[table].get(pk)
        if old == new:
            continue
        action = "create" if old is None else "delete" if new is None else "update"
        ident = "/".join(str(v) for v in pk)
        events.append(_event(action, table, ident, old, new))
    for (action, table), rows in sorted(pending.bulk.items()):
        events.append(_event(action, table, "*", None, {"rows": rows}))
    if events:
        append(conn, events, current_actor())


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


# --- the chain ------------------------------------------------------------------------


def chain_hash(prev: str, at: datetime, actor: str, item: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and the event's content in one canonical form."""
    body = {
        "prev": prev,
        "at": _stamp(at),
        "actor": actor,
        "action": item["action"],
        "entity": item["entity"],
        "entity_id": item["entity_id"],
        "before": item["before"],
        "after": item["after"],
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def append(conn: Connection, events: list[dict[str, Any]], actor: str) -> None:
    """Add events after the last one, each hash covering the one before."""
    table = Base.metadata.tables[AuditEventRow.__tablename__]
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    prev = (
        conn.execute(select(table.c.hash).order_by(table.c.id.desc()).limit(1)).scalar() or GENESIS
    )
    at = datetime.now(UTC)
    rows = []
    for item in events:
        digest = chain_hash(prev, at, actor, item)
        rows.append({**item, "at": at, "actor": actor, "prev_hash": prev, "hash": digest})
        prev = digest
    conn.execute(insert(table), rows)


@dataclass(frozen=True)
class ChainReport:
    events: int
    intact: bool
    head: str
    broken_at: int | None = None
    problem: str = ""


def verify(db: Database) -> ChainReport:
    """Service call: recompute every hash in order; the first mismatch is reported."""
    table = Base.metadata.tables[AuditEventRow.__tablename__]
    prev, count = GENESIS, 0
    with db.engine.connect() as conn:
        rows = conn.execution_options(yield_per=2000).execute(select(table).order_by(table.c.id))
        for row in rows.mappings():
            count += 1
            if row["prev_hash"] != prev:
                return ChainReport(
                    count - 1,
                    False,
                    prev,
                    row["id"],
                    f"event {row['id']} does not follow the event before it: an event was "
                    "removed or inserted",
                )
            if chain_hash(prev, row["at"], row["actor"], dict(row)) != row["hash"]:
                return ChainReport(
                    count - 1,
                    False,
                    prev,
                    row["id"],
                    f"event {row['id']} ({row['entity']} {row['entity_id']}) was altered "
                    "after it was written",
                )
            prev = row["hash"]
    return ChainReport(count, True, prev)


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


def listing(
    db: Database,
    entity: str | None = None,
    entity_id: str | None = None,
    actor: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[dict[str, Any]], int]:
    """Service call: events, newest first, filtered by record or actor; with their count."""
    conds = []
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
