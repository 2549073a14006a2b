"""Derived views kept per change generation: computed once, read by every process.

The generation is the id of the newest audit event. Every write appends its audit events
in its own transaction (``services.audit``), so the generation moves on exactly when
the records change, and every process sees the same number. Two levels keep a view:

- ``local``: this process's memory (list pages, counts), keyed by the generation, so a
  write made by any process is seen on the next request here.
- ``shared``: the ``view_cache`` table as well (dashboard, filter choices), so the
  first process to need a view after a write computes it and the others read it.

Storing a shared view is best effort: if the database is busy the view is still
returned, and whoever reads it next computes it again.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from greenfolio.services import audit
from greenfolio.services.database import Database
from greenfolio.store.engine import BUSY_TIMEOUT_MS
from greenfolio.store.tables import ViewCacheRow

T = TypeVar("T")
ENTRIES = 512
"""Views kept in one process's memory (the oldest go first)."""


@dataclass
class _Memory:
    lock: threading.Lock = field(default_factory=threading.Lock)
    entries: dict[tuple[str, str, int], Any] = field(default_factory=dict)


_memory = _Memory()


def generation(db: Database) -> int:
    """The database's change generation (one indexed lookup)."""
    with db.engine.connect() as conn:
        return audit.generation_of(conn)


def _remember(key: tuple[str, str, int], value: Any) -> None:
    stale = [k for k in _memory.entries if k[:2] == key[:2] or k[2] < key[2]]
    for k in stale:
        del _memory.entries[k]
    while len(_memory.entries) >= ENTRIES:
        del _memory.entries[next(iter(_memory.entries))]
    _memory.entries[key] = value


def local(db: Database, name: str, compute: Callable[[Session], T], gen: int | None = None) -> T:
    """``compute`` once per generation in this process; ``gen`` may be passed by a caller
    making several reads for one request (one lookup, not many)."""
    if gen is None:
        gen = generation(db)
    key = (db.url, name, gen)
    found = _memory.entries.get(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    with _memory.lock:
        found = _memory.entries.get(key)
        if found is None:
            with db.transaction() as session:
                found = compute(session)
            _remember(key, found)
    return found


def _stored(conn: Connection, name: str, gen: int) -> dict[str, Any] | None:
    row = conn.execute(
        select(ViewCacheRow.data).where(ViewCacheRow.name == name, ViewCacheRow.generation == gen)
    ).first()
    return dict(row[0]) if row is not None else None


def _store(db: Database, name: str, gen: int, data: dict[str, Any]) -> None:
    """Keep ``data`` as the view of generation ``gen`` unless a newer one is kept already."""
    sqlite = db.engine.dialect.name == "sqlite"
    with db.engine.connect() as conn:
        if sqlite:  # a reader does not wait behind a long write just to keep a copy
            conn.exec_driver_sql("PRAGMA busy_timeout = 0")
            conn.commit()  # (the pragma began SQLAlchemy's transaction: end it)
        try:
            with conn.begin():
                kept = conn.execute(
                    select(ViewCacheRow.generation).where(ViewCacheRow.name == name)
                ).scalar()
                if kept is not None and kept >= gen:
                    return
                conn.execute(delete(ViewCacheRow).where(ViewCacheRow.name == name))
                conn.execute(insert(ViewCacheRow).values(name=name, generation=gen, data=data))
        except DBAPIError:
            # Busy, or another process stored it first (a duplicate key): only a copy.
            return
        finally:
            if sqlite:  # back in the pool, the connection waits as every other one does
                conn.exec_driver_sql(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                conn.commit()


def shared(db: Database, name: str, compute: Callable[[Session], dict[str, Any]]) -> dict[str, Any]:
    """The view ``name`` at the current generation: from this process's memory, else from
    the database, else computed (and kept in both)."""
    with db.engine.connect() as conn:
        gen = audit.generation_of(conn)
        key = (db.url, name, gen)
        found = _memory.entries.get(key)
        if found is not None:
            return found  # type: ignore[no-any-return]
        found = _stored(conn, name, gen)
    if found is None:
        with _memory.lock:
            found = _memory.entries.get(key)
            if found is None:
                with db.transaction() as session:
                    # As stored (JSON), so the view reads the same whichever process made it.
                    found = json.loads(json.dumps(compute(session)))
                _store(db, name, gen, found)
    with _memory.lock:
        _remember(key, found)
    return found
