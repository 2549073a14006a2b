"""A database handle that hands out one transaction per service call, and what to tell
a user when the database refuses (busy, disk full, unreachable)."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from greenfolio.store import migrate
from greenfolio.store.engine import WRITE_OPTION, Failure, describe, failure, make_engine

WRITE_ATTEMPTS = 3
"""How often a transaction tries to take SQLite's write lock (each waiting the busy
timeout) before the caller is told that the database is busy."""

RETRY_AFTER_SECONDS = 2
"""What a client is told to wait before trying again when the database is busy."""
MESSAGES = {
    Failure.BUSY: "the database is busy, try again",
    Failure.FULL: "the disk holding the database is full; free some space, then try again",
    Failure.DOWN: "the database is not reachable; try again",
}


def refusal(exc: BaseException) -> tuple[Failure, str]:
    """Why the database refused (a driver error) and what to tell the user, in English;
    the web pages say the same in the visitor's language."""
    kind = failure(exc)
    return kind, MESSAGES[kind]


_READING: ContextVar[bool] = ContextVar("greenfolio_reading", default=False)


@contextmanager
def reading() -> Iterator[None]:
    """Transactions opened inside only read (a GET request, a report build).

    On SQLite they then do not take the write lock, so they go on, from a snapshot, while
    another connection writes (a long import); a write made in one anyway is not retried.
    """
    token = _READING.set(True)
    try:
        yield
    finally:
        _READING.reset(token)


class Database:
    """An engine plus a session factory; ``transaction()`` commits or rolls back whole."""

    def __init__(self, engine: Engine) -> None:
        # Importing the audit module registers its session listeners, so every change made
        # through any Database is recorded, whichever interface (or library caller) made it.
        # The search module's listener likewise keeps the full-text index current.
        from greenfolio.services import audit, search  # noqa: F401

        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str | None = None) -> Database:
        return cls(make_engine(url))

    @property
    def url(self) -> str:
        return describe(self.engine)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: everything inside commits together or not at all.

        On SQLite the write lock is taken when the transaction begins, waiting for another
        writer and retrying a few times; if it is still held, the ``OperationalError``
        ("database is locked") reaches the caller before anything has run.
        """
        session, begun = self._begin()
        try:
            with begun:
                yield session
        finally:
            session.close()

    def _begin(self) -> tuple[Session, SessionTransaction]:
        sqlite = self.engine.dialect.name == "sqlite"
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            session = self._sessions()
            begun = session.begin()
            if not sqlite or _READING.get():
                return session, begun
            try:
                session.connection(execution_options={WRITE_OPTION: True})
                return session, begun
            except OperationalError as exc:
                begun.rollback()
                session.close()
                if failure(exc) is not Failure.BUSY or attempt == WRITE_ATTEMPTS:
                    raise
                time.sleep(random.uniform(0.05, 0.2) * attempt)  # jitter, so waiters spread out
        raise AssertionError("unreachable")

    def upgrade(self) -> str | None:
        """Apply pending migrations; returns the revision now in force."""
        return migrate.upgrade(self.engine)

    def is_current(self) -> bool:
        return migrate.current_revision(self.engine) == migrate.head_revision()

    def close(self) -> None:
        self.engine.dispose()
