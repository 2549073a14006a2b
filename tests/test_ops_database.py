"""When the database refuses: SQLite lock waits are retried and then reported as busy,
a full disk is reported as such, on the API, the pages and the command line
(issue 12, item 8)."""

from __future__ import annotations

import os
import pwd
import shutil
import sqlite3
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from greenfolio.interfaces import report_files
from greenfolio.interfaces.cli.app import app
from greenfolio.services import demo, reference
from greenfolio.services.database import Database
from tests.conftest import _admin_dsn
from tests.test_api_support import add_project, add_user, browser, client

runner = CliRunner()
RESULT = {"work": "ops-pops", "indicator": "pops_destroyed", "value": 10, "unit": "kg"}


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    db = Database.open(str(tmp_path / "ops.sqlite"))
    db.upgrade()
    reference.sync(db)
    add_project(db, "ops-pops", "pops", "BRA")
    yield db
    db.close()


def _db_file(db: Database) -> str:
    return str(db.engine.url.database)


class WriteLock:
    """A second, real connection to the same SQLite file holding its write lock."""

    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("UPDATE term SET key = key WHERE key = 'programme:pops'")

    def release(self, after: float = 0.0) -> None:
        time.sleep(after)
        self.conn.execute("ROLLBACK")
        self.conn.close()


def test_a_write_waits_for_another_connections_short_write(sqlite_db: Database) -> None:
    admin = add_user(sqlite_db, "root", "admin@all")
    web = client(sqlite_db)
    lock = WriteLock(_db_file(sqlite_db))
    releaser = threading.Thread(target=lock.release, args=(0.8,))
    releaser.start()
    try:
        created = web.post("/api/v1/results", json=RESULT, headers=admin.auth)
    finally:
        releaser.join()
    assert created.status_code == 201, created.text


def test_read_then_write_is_not_refused_by_a_concurrent_writer(sqlite_db: Database) -> None:
    """A transaction that reads, then writes while another connection writes: SQLite
    refuses the upgrade from reader to writer at once (no busy wait is possible there),
    so write transactions take the lock when they begin and the other writer waits."""
    other_done: list[str] = []

    def other_writer() -> None:
        conn = sqlite3.connect(_db_file(sqlite_db), timeout=5, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("UPDATE term SET key = key WHERE key = 'programme:pops'")
            conn.execute("COMMIT")
            other_done.append("committed")
        except sqlite3.OperationalError as exc:
            other_done.append(str(exc))
        finally:
            conn.close()

    writer = threading.Thread(target=other_writer)
    with sqlite_db.transaction() as session:
        title = session.execute(text("SELECT title FROM work_item WHERE key = 'ops-pops'"))
        assert title.scalar()
        writer.start()
        time.sleep(0.5)  # the other connection now tries to write
        session.execute(text("UPDATE work_item SET status = 'completed' WHERE key = 'ops-pops'"))
    writer.join()
    assert other_done == ["committed"]
    with sqlite_db.transaction() as session:
        status = session.execute(text("SELECT status FROM work_item WHERE key = 'ops-pops'"))
        assert status.scalar() == "completed"


def test_reads_go_on_while_another_connection_writes(sqlite_db: Database) -> None:
    admin = add_user(sqlite_db, "root", "admin@all")
    web = client(sqlite_db)
    lock = WriteLock(_db_file(sqlite_db))
    try:
        started = time.monotonic()
        listed = web.get("/api/v1/projects", headers=admin.auth)
        assert listed.status_code == 200 and time.monotonic() - started < 1.5
    finally:
        lock.release()


def _refused(response: Any, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    return str(error["message"])


def test_a_lock_held_too_long_says_busy_everywhere(sqlite_db: Database) -> None:
    admin = add_user(sqlite_db, "root", "admin@all")
    web = client(sqlite_db)
    page, csrf = browser(sqlite_db, admin)
    lock = WriteLock(_db_file(sqlite_db))
    try:
        api = web.post("/api/v1/results", json=RESULT, headers=admin.auth)
        assert _refused(api, 503, "busy") == "the database is busy, try again"
        assert api.headers["retry-after"] == "2"

        form = {"csrf": csrf, "indicator": "pops_destroyed", "value": "10", "unit": "kg"}
        html = page.post("/projects/ops-pops/results?lang=fr", data=form)
        assert html.status_code == 503 and html.headers["retry-after"] == "2"
        assert "La base de données est occupée" in html.text
        assert "not reachable" not in html.text

        cli = runner.invoke(
            app, ["users", "create", "newcomer", "--role", "viewer", "--db", _db_file(sqlite_db)]
        )
        assert cli.exit_code == 3, cli.output
        assert "the database is busy, try again" in cli.output
        assert "--db URL" not in cli.output
    finally:
        lock.release()
    with sqlite_db.transaction() as session:  # nothing was written by the refused calls
        count = session.execute(text("SELECT count(*) FROM result")).scalar()
        users = session.execute(text("SELECT count(*) FROM app_user")).scalar()
    assert (count, users) == (0, 1)


def test_sqlite_disk_full_is_reported_as_such(sqlite_db: Database) -> None:
    """``PRAGMA max_page_count`` makes SQLite raise the same SQLITE_FULL as a full disk."""
    admin = add_user(sqlite_db, "root", "admin@all")
    with sqlite_db.transaction() as session:
        pages = int(session.execute(text("PRAGMA page_count")).scalar() or 0)

    def cap(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    sqlite_db.engine.dispose()
    event.listen(sqlite_db.engine, "connect", cap)
    web = client(sqlite_db)
    big = {**RESULT, "citation": "x" * 20_000}
    message = _refused(web.post("/api/v1/results", json=big, headers=admin.auth), 507, "disk_full")
    assert "disk holding the database is full" in message


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    folder = tmp_path / "tiny"
    folder.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(folder)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {done.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def test_cli_on_a_full_disk_says_the_disk_is_full(tiny_disk: Path) -> None:
    path = str(tiny_disk / "full.sqlite")
    made = runner.invoke(app, ["db", "upgrade", "--db", path])
    assert made.exit_code == 0, made.output
    free = os.statvfs(tiny_disk).f_bavail * os.statvfs(tiny_disk).f_frsize
    (tiny_disk / "filler").write_bytes(b"x" * free)
    cli = runner.invoke(app, ["users", "create", "newcomer", "--role", "viewer", "--db", path])
    assert cli.exit_code == 3, cli.output
    assert "the disk holding the database is full" in cli.output
    assert "--db URL" not in cli.output


def test_a_report_builds_while_another_connection_writes(
    sqlite_db: Database, tmp_path: Path
) -> None:
    """Building only reads: it neither waits for nor holds up a writer (a long import)."""
    demo.load(sqlite_db, reset=True)
    lock = WriteLock(_db_file(sqlite_db))
    try:
        written = report_files.write_all(sqlite_db, "board", 2021, ["en"], ["html"], tmp_path)
    finally:
        lock.release()
    assert [p.name for p in written] == ["board-2021-en.html", "board-2021-en.html.provenance.json"]


@pytest.fixture
def tiny_tablespace(db: Database) -> Iterator[str]:
    """A PostgreSQL tablespace on a 3 MB tmpfs (root, with the server on this machine)."""
    if os.geteuid() != 0 or db.engine.url.host not in ("127.0.0.1", "localhost"):
        pytest.skip("needs root and the PostgreSQL server on this machine")
    try:
        pwd.getpwnam("postgres")  # the account that must own the tablespace's folder
    except KeyError:
        pytest.skip("no local postgres account")
    folder = Path(f"/tmp/gf-tiny-{uuid.uuid4().hex[:8]}")
    folder.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(folder)], capture_output=True
    )
    if done.returncode != 0:
        folder.rmdir()
        pytest.skip(f"cannot mount a tmpfs: {done.stderr.decode().strip()}")
    shutil.chown(folder, "postgres", "postgres")
    name = f"gf_tiny_{folder.name[-8:]}"
    with psycopg.connect(_admin_dsn(), autocommit=True) as conn:
        conn.execute(f"CREATE TABLESPACE {name} LOCATION '{folder}'")
    try:
        yield name
    finally:
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS filler"))
            conn.execute(text("ALTER TABLE result SET TABLESPACE pg_default"))
        with psycopg.connect(_admin_dsn(), autocommit=True) as conn:
            conn.execute(f"DROP TABLESPACE {name}")
        subprocess.run(["umount", str(folder)], check=True)
        folder.rmdir()


@pytest.mark.parametrize("backend", ["postgresql"])
def test_postgresql_disk_full_is_reported_as_such(
    backend: str, db: Database, tiny_tablespace: str
) -> None:
    add_project(db, "ops-pops", "pops", "BRA")
    admin = add_user(db, "root", "admin@all")
    with db.engine.begin() as conn:
        conn.execute(text(f"ALTER TABLE result SET TABLESPACE {tiny_tablespace}"))
        conn.execute(text(f"CREATE TABLE filler (x text) TABLESPACE {tiny_tablespace}"))
        conn.execute(text("ALTER TABLE filler ALTER COLUMN x SET STORAGE PLAIN"))
    with pytest.raises(OperationalError, match="No space left on device"):
        for _ in range(1000):
            with db.engine.begin() as conn:
                conn.execute(
                    text("INSERT INTO filler SELECT repeat('x', 2000) FROM generate_series(1, 100)")
                )
    web = client(db)
    refused = web.post("/api/v1/results", json=RESULT, headers=admin.auth)
    assert "disk holding the database is full" in _refused(refused, 507, "disk_full")
