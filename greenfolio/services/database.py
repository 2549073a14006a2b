"""A database handle that hands out one transaction per service call."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from greenfolio.store import migrate
from greenfolio.store.engine import describe, make_engine


class Database:
    """An engine plus a session factory; ``transaction()`` commits or rolls back whole."""

    def __init__(self, engine: Engine) -> None:
        # Importing the audit module registers its session listeners, so every change made
        # through any Database is recorded, whichever interface (or library caller) made it.
        from greenfolio.services import audit  # noqa: F401

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
        """One unit of work: everything inside commits together or not at all."""
        session = self._sessions()
        try:
            with session.begin():
                yield session
        finally:
            session.close()

    def upgrade(self) -> str | None:
        """Apply pending migrations; returns the revision now in force."""
        return migrate.upgrade(self.engine)

    def is_current(self) -> bool:
        return migrate.current_revision(self.engine) == migrate.head_revision()

    def close(self) -> None:
        self.engine.dispose()
