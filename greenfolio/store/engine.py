"""Which database to use and how to connect to it.

The default is an SQLite file ``greenfolio.sqlite`` in the current directory; a
``--db URL`` option or the ``GREENFOLIO_DB`` environment variable chooses another,
e.g. ``postgresql+psycopg://user@host:5432/dbname``.
"""

from __future__ import annotations

import contextlib
import enum
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

DEFAULT_SQLITE_FILE = "greenfolio.sqlite"
ENV_VAR = "GREENFOLIO_DB"


def resolve_url(url: str | None = None) -> str:
    """The database URL: explicit argument, then $GREENFOLIO_DB, then the SQLite default.

    A bare file path is accepted and taken as an SQLite file; ``postgresql://`` URLs
    are given the psycopg 3 driver.
    """
    chosen = url or os.environ.get(ENV_VAR) or DEFAULT_SQLITE_FILE
    if "://" not in chosen:
        return f"sqlite:///{Path(chosen).expanduser()}"
    if chosen.startswith("postgresql://") or chosen.startswith("postgres://"):
        return "postgresql+psycopg://" + chosen.split("://", 1)[1]
    scheme = chosen.split("://", 1)[0].lower()
    if scheme not in SUPPORTED_SCHEMES:
        from greenfolio.domain.errors import ValidationError

        raise ValidationError(
            f"the database {scheme}:// is not one Greenfolio works with: give an SQLite file "
            "by its path (greenfolio.sqlite) or a PostgreSQL server as "
            "postgresql://user@host:5432/dbname"
        )
    return chosen


SUPPORTED_SCHEMES = ("sqlite", "sqlite+pysqlite", "postgresql+psycopg")
"""The databases Greenfolio runs on and the drivers it installs (``postgresql://`` is
given psycopg 3 above)."""


BUSY_TIMEOUT_MS = 2000
"""How long an SQLite statement waits for another connection's write lock before failing."""
WRITE_OPTION = "greenfolio_write"
"""Execution option of a connection whose transaction may write (see ``_sqlite_begin``)."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling is switched off: ``_sqlite_begin`` starts them.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _owner_only_file(dialect: Any, _record: Any, cargs: Any, _cparams: Any) -> None:
    """Before SQLite opens a database file that does not exist yet, make it empty and
    readable by its owner only (O_EXCL, 0600): made by SQLite, it would be readable by
    others until its mode was changed, long enough for another account to open it."""
    name = cargs[0] if cargs else None
    if not isinstance(name, str) or name in ("", ":memory:") or name.startswith("file:"):
        return
    path = Path(name)
    if path.exists() or not path.parent.is_dir():
        return
    # made meanwhile by another connection: SQLite opens it as it is
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def _sqlite_begin(conn: Connection) -> None:
    """Transactions that may write take SQLite's write lock when they begin.

    A deferred transaction that has read and then writes while another connection
    writes fails at once with "database is locked" (SQLite cannot wait there without
    risking a deadlock), half-way through its work. Taking the lock at BEGIN lets it
    wait (the busy timeout) before anything has run, so it can be retried whole.
    Plain reads stay deferred: in WAL mode they never wait for writers.
    """
    immediate = conn.get_execution_options().get(WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url``; on SQLite with foreign keys enforced, WAL, a busy timeout and
    write transactions that lock when they begin."""
    resolved = resolve_url(url)
    engine = create_engine(resolved, future=True)
    if make_url(resolved).get_backend_name() == "sqlite":
        event.listen(engine, "do_connect", _owner_only_file)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


SQLITE_BUSY, SQLITE_LOCKED, SQLITE_FULL = 5, 6, 13
PG_BUSY = frozenset({"55P03", "40001", "40P01", "57014"})
"""Lock not available, serialisation failure, deadlock, statement timeout: try again."""
PG_FULL = frozenset({"53100"})
"""disk_full."""


class Failure(enum.Enum):
    """Why the database refused, in the terms a user can act on."""

    BUSY = "busy"
    FULL = "full"
    DOWN = "down"


def failure(exc: BaseException) -> Failure:
    """Classify a driver error (SQLAlchemy's ``OperationalError`` or the driver's own)."""
    orig = getattr(exc, "orig", None) or exc
    code = getattr(orig, "sqlite_errorcode", None)
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    text = str(orig).lower()
    if code is not None:
        code &= 0xFF  # extended codes (SQLITE_BUSY_SNAPSHOT …) share the primary's low byte
    if code in (SQLITE_BUSY, SQLITE_LOCKED) or state in PG_BUSY or "database is locked" in text:
        return Failure.BUSY
    if code == SQLITE_FULL or state in PG_FULL or "no space left on device" in text:
        return Failure.FULL
    return Failure.DOWN


def describe(engine: Engine) -> str:
    """The URL with any password hidden, for messages."""
    return engine.url.render_as_string(hide_password=True)
