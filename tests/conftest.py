"""Shared fixtures: a database per backend (SQLite file, PostgreSQL server).

PostgreSQL tests create their own database on the server named by
$GREENFOLIO_TEST_PG (default: the local server, user postgres, trust auth) and drop it
afterwards. Where no server answers they are skipped with a message, except under CI
(CI=true), where that is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from greenfolio.services import demo
from greenfolio.services.database import Database

PG_URL = os.environ.get("GREENFOLIO_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DATA = Path(__file__).resolve().parent / "data"
"""Files written by others that the tests read (copied from the shared folder; see its README)."""


def _admin_dsn() -> str:
    url = make_url(PG_URL)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_available() -> str | None:
    try:
        with psycopg.connect(_admin_dsn(), connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)


@pytest.fixture(scope="session")
def pg_server() -> str:
    problem = _pg_available()
    if problem is not None:
        message = f"PostgreSQL not reachable at {PG_URL} ({problem})"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; under CI the PostgreSQL tests must run")
        pytest.skip(message + "; PostgreSQL tests skipped")
    return PG_URL


def _new_pg_database(server: str) -> tuple[str, str]:
    name = f"greenfolio_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_admin_dsn(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, make_url(server).set(database=name).render_as_string(hide_password=False)


def _drop_pg_database(name: str) -> None:
    with psycopg.connect(_admin_dsn(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def empty_db(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Database]:
    """A database with no schema yet, on each backend."""
    if backend == "sqlite":
        db = Database.open(str(tmp_path / "test.sqlite"))
        yield db
        db.close()
        return
    server = request.getfixturevalue("pg_server")
    name, url = _new_pg_database(server)
    db = Database.open(url)
    try:
        yield db
    finally:
        db.close()
        _drop_pg_database(name)


@pytest.fixture
def db(empty_db: Database) -> Database:
    """A migrated database with the packaged classifications and indicators."""
    from greenfolio.services import reference

    empty_db.upgrade()
    reference.sync(empty_db)
    return empty_db


@pytest.fixture
def demo_db(db: Database) -> Database:
    """A migrated database holding the demo portfolio."""
    demo.load(db)
    return db
