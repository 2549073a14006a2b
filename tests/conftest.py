"""Shared fixtures: a database per backend (SQLite file, PostgreSQL server).

PostgreSQL tests create their own database on the server named by
$GREENFOLIO_TEST_PG (default: the local server, user postgres, trust auth) and drop it
afterwards. Where no server answers they are skipped with a message, except under CI
(CI=true), where that is a failure.

Migrating, loading the reference data and loading the demo portfolio take seconds, so each
test session (each pytest-xdist worker) builds them once per backend as a template and every
test gets its own copy: a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL.
"""

from __future__ import annotations

import os
import queue
import shutil
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import pytest
from sqlalchemy.engine import make_url

from greenfolio.services import demo
from greenfolio.services.database import Database

if TYPE_CHECKING:
    from greenfolio.services.reporting import BuiltReport

PG_URL = os.environ.get("GREENFOLIO_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DATA = Path(__file__).resolve().parent / "data"
"""Files written by others that the tests read (copied from the shared folder; see its README)."""
ARTIFACTS = Path(
    os.environ.get("GREENFOLIO_TEST_ARTIFACTS") or Path(__file__).resolve().parents[1] / "out"
)
"""Where tests leave files for a person to look at (PNG pages, screenshots)."""


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


def _new_pg_database(server: str, template: str | None = None) -> tuple[str, str]:
    name = f"greenfolio_test_{uuid.uuid4().hex[:10]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(_admin_dsn(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{copy}')
        # A throwaway database need not wait for the disk at each commit.
        conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    return name, make_url(server).set(database=name).render_as_string(hide_password=False)


def _drop_pg_database(name: str) -> None:
    with psycopg.connect(_admin_dsn(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class _Dropper:
    """Drops test databases in a background thread, so that the next test need not wait
    for the server to remove the last one's files; ``finish`` waits for all of them."""

    def __init__(self) -> None:
        self.names: queue.Queue[str | None] = queue.Queue()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (name := self.names.get()) is not None:
            _drop_pg_database(name)

    def finish(self) -> None:
        self.names.put(None)
        self.thread.join()


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


def _fill(db: Database, kind: str) -> None:
    from greenfolio.services import reference

    db.upgrade()
    reference.sync(db)
    if kind == "demo":
        demo.load(db)


class Templates:
    """Databases built once per test session, copied for each test."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.built: dict[tuple[str, str], str] = {}
        self.dropper = _Dropper()

    def sqlite(self, kind: str) -> Path:
        """A file holding a ``kind`` database ("migrated" or "demo"), in rollback-journal
        mode so that the one file is the whole database."""
        if ("sqlite", kind) not in self.built:
            path = self.folder / f"{kind}.sqlite"
            db = Database.open(str(path))
            _fill(db, kind)
            db.close()
            with sqlite3.connect(path) as conn:
                conn.execute("PRAGMA journal_mode=DELETE")
            conn.close()
            self.built["sqlite", kind] = str(path)
        return Path(self.built["sqlite", kind])

    def postgres(self, server: str, kind: str) -> str:
        """The name of a PostgreSQL database holding ``kind``, with no one connected to it."""
        if ("postgresql", kind) not in self.built:
            name, url = _new_pg_database(server)
            self.built["postgresql", kind] = name
            db = Database.open(url)
            try:
                _fill(db, kind)
            finally:
                db.close()
        return self.built["postgresql", kind]

    def drop(self) -> None:
        self.dropper.finish()
        for (backend, _), name in self.built.items():
            if backend == "postgresql":
                _drop_pg_database(name)


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    made = Templates(tmp_path_factory.mktemp("templates"))
    yield made
    made.drop()


@pytest.fixture
def db(
    backend: str, tmp_path: Path, templates: Templates, request: pytest.FixtureRequest
) -> Iterator[Database]:
    """A migrated database with the packaged classifications and indicators (and the demo
    portfolio when the test asks for ``demo_db``, which is then this same database)."""
    kind = "demo" if "demo_db" in request.fixturenames else "migrated"
    if backend == "sqlite":
        path = tmp_path / "test.sqlite"
        shutil.copyfile(templates.sqlite(kind), path)
        db = Database.open(str(path))
        yield db
        db.close()
        return
    server = request.getfixturevalue("pg_server")
    name, url = _new_pg_database(server, templates.postgres(server, kind))
    db = Database.open(url)
    try:
        yield db
    finally:
        db.close()
        templates.dropper.names.put(name)


@pytest.fixture
def demo_db(db: Database) -> Database:
    """A migrated database holding the demo portfolio."""
    return db


def _demo_copy(templates: Templates, folder: Path) -> Iterator[Database]:
    shutil.copyfile(templates.sqlite("demo"), folder / "demo.sqlite")
    db = Database.open(str(folder / "demo.sqlite"))
    yield db
    db.close()


@pytest.fixture(scope="module")
def demo_db_module(
    templates: Templates, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """One SQLite copy of the demo portfolio for a whole module (documents built once; their
    wording does not depend on the database backend)."""
    yield from _demo_copy(templates, tmp_path_factory.mktemp("module-demo"))


@pytest.fixture(scope="session")
def demo_db_session(
    templates: Templates, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """One SQLite copy of the demo portfolio for the whole run (per worker), for the
    documents several modules read and none changes."""
    yield from _demo_copy(templates, tmp_path_factory.mktemp("session-demo"))


@pytest.fixture(scope="session")
def board(demo_db_session: Database) -> dict[str, BuiltReport]:
    """The 2021 Board report in the six languages, figures computed once (a module may
    define its own ``board`` over its own database)."""
    from greenfolio.domain.languages import UN_LANGUAGES
    from greenfolio.services import reporting

    definition = reporting.load_definition("board")
    computed = reporting.compute(demo_db_session, definition, 2021)
    return {
        lang: reporting.build(demo_db_session, "board", 2021, lang, computed)
        for lang in UN_LANGUAGES
    }


@pytest.fixture(scope="session")
def written(demo_db_session: Database, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Board report written as DOCX and PDF in the six languages by the CLI."""
    from tests.report_builds import build_board

    return build_board(demo_db_session, tmp_path_factory.mktemp("written"), "docx,pdf")


@pytest.fixture(params=["compiled", "python"])
def iati_reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each IATI reader in turn, for a test both must pass: the compiled one (skipped where
    the install did not build it) and the Python one (the compiled one set aside)."""
    from greenfolio.services.exchange import iati_parse

    if request.param == "compiled" and iati_parse.iati_native is None:
        pytest.skip("the compiled reader is not built")
    if request.param == "python":
        monkeypatch.setattr(iati_parse, "iati_native", None)
    return str(request.param)
