"""The audit trail's hash chain and its head.

Each event's hash covers the event before it, so editing or removing an event breaks
every hash after it. Removing the *newest* events leaves a shorter chain that is still
whole; the head (the newest event's id and hash), written in the same transaction as the
events into a table of its own, is what notices that. ``greenfolio audit head`` prints it
so it can also be kept outside the database and given back to ``audit verify --head``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, text, update

from greenfolio.services.audit_state import stamp
from greenfolio.store.tables import AuditEventRow, AuditHeadRow, Base

GENESIS = "0" * 64
"""The ``prev_hash`` of the first event."""
_LOCK_KEY = 0x6766_6175  # PostgreSQL advisory lock that serialises appends to the chain
_HEAD_ID = 1


def chain_hash(prev: str, at: datetime, actor: str, item: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and the event's content in one canonical form."""
    body = {
        "prev": prev,
        "at": stamp(at),
        "actor": actor,
        "action": item["action"],
        "entity": item["entity"],
        "entity_id": item["entity_id"],
        "before": item["before"],
        "after": item["after"],
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def append(conn: Connection, events: list[dict[str, Any]], actor: str, head: bool = True) -> None:
    """Add events after the last one, each hash covering the one before, and move the head."""
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
    if not head:  # a database from before the head was kept (upgraded next)
        return
    newest = conn.execute(select(table.c.id).where(table.c.hash == prev)).scalar_one()
    _set_head(conn, newest, prev)


def _set_head(conn: Connection, event_id: int, digest: str) -> None:
    head = Base.metadata.tables[AuditHeadRow.__tablename__]
    moved = conn.execute(
        update(head).where(head.c.id == _HEAD_ID).values(event_id=event_id, hash=digest)
    )
    if moved.rowcount == 0:
        conn.execute(insert(head).values(id=_HEAD_ID, event_id=event_id, hash=digest))


@dataclass(frozen=True)
class Head:
    event_id: int
    hash: str


def stored_head(conn: Connection) -> Head | None:
    head = Base.metadata.tables[AuditHeadRow.__tablename__]
    row = conn.execute(select(head.c.event_id, head.c.hash).where(head.c.id == _HEAD_ID)).first()
    return Head(int(row[0]), str(row[1])) if row else None


@dataclass(frozen=True)
class ChainReport:
    """What ``audit verify`` found: ``intact`` only when the chain, its head and every
    record check out; ``problem`` is the first thing wrong, ``findings`` all of them."""

    events: int
    intact: bool
    head: str
    broken_at: int | None = None
    problem: str = ""
    findings: tuple[str, ...] = field(default=())
    records_checked: int = 0
    records_unrecorded: int = 0


@dataclass(frozen=True)
class ChainWalk:
    events: int
    last_id: int
    head: str
    hashes: frozenset[str]
    broken_at: int | None = None
    problem: str = ""


def walk(conn: Connection, kept: str | None = None) -> ChainWalk:
    """Recompute every hash in order; stops at the first event that does not follow."""
    table = Base.metadata.tables[AuditEventRow.__tablename__]
    prev, count, last_id = GENESIS, 0, 0
    seen: set[str] = set()
    rows = conn.execution_options(yield_per=2000).execute(select(table).order_by(table.c.id))
    for row in rows.mappings():
        count += 1
        if row["prev_hash"] != prev:
            problem = (
                f"event {row['id']} does not follow the event before it: an event was "
                "removed or inserted"
            )
            return ChainWalk(count - 1, last_id, prev, frozenset(seen), row["id"], problem)
        if chain_hash(prev, row["at"], row["actor"], dict(row)) != row["hash"]:
            problem = (
                f"event {row['id']} ({row['entity']} {row['entity_id']}) was altered "
                "after it was written"
            )
            return ChainWalk(count - 1, last_id, prev, frozenset(seen), row["id"], problem)
        prev, last_id = row["hash"], row["id"]
        if kept is not None and prev == kept:
            seen.add(prev)
    return ChainWalk(count, last_id, prev, frozenset(seen))


def head_problems(conn: Connection, chain: ChainWalk, kept: str | None) -> list[str]:
    """The chain's end against the stored head and against a head kept elsewhere."""
    problems = []
    stored = stored_head(conn)
    if stored is None and chain.events:
        problems.append("the trail's head record is missing: it was deleted")
    elif stored is not None and stored.hash != chain.head:
        if stored.event_id > chain.last_id or not chain.events:
            problems.append(
                f"the newest events were removed: the head records event {stored.event_id} "
                f"but the trail ends at event {chain.last_id or 'none'}"
            )
        else:
            problems.append(
                f"the trail's end (event {chain.last_id}) is not the recorded head "
                f"(event {stored.event_id}): events were removed, added or the head altered"
            )
    if kept is not None and kept not in chain.hashes:
        problems.append(
            f"the kept head {kept[:16]}… is not in the trail: events up to it were removed "
            "or altered"
        )
    return problems
