"""Which database to use and how to connect to it.

The default is an SQLite file ``greenfolio.sqlite`` in the current directory; a
``--db URL`` option or the ``GREENFOLIO_DB`` environment variable chooses another,
e.g. ``postgresql+psycopg://user@host:5432/dbname``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
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
    return chosen


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url`` with foreign keys enforced on SQLite."""
    resolved = resolve_url(url)
    engine = create_engine(resolved, future=True)
    if make_url(resolved).get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def describe(engine: Engine) -> str:
    """The URL with any password hidden, for messages."""
    return engine.url.render_as_string(hide_password=True)
