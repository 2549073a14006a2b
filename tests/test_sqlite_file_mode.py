"""A new SQLite database file is readable by its owner only (it holds password hashes and
every record; the demo's was world-readable beside 0600 password files)."""

from __future__ import annotations

import stat
from pathlib import Path

from sqlalchemy import text

from greenfolio.services.database import Database


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_file_is_the_owners_alone(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    db = Database.open(str(path))
    db.upgrade()
    assert _mode(path) == 0o600
    for journal in tmp_path.glob("new.sqlite-*"):  # WAL and shared memory, if still there
        assert _mode(journal) & 0o077 == 0, journal


def test_a_file_that_holds_data_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite"
    first = Database.open(str(path))
    with first.engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    first.engine.dispose()
    path.chmod(0o640)  # its owner chose to share it with a group
    again = Database.open(str(path))
    with again.engine.connect() as conn:
        conn.execute(text("SELECT count(*) FROM t"))
    assert _mode(path) == 0o640


def test_the_file_is_made_owner_only_before_sqlite_opens_it(tmp_path: Path) -> None:
    """Made by SQLite (0644) and changed after, the file could be opened by another
    account in between: it is made empty with 0600 first (O_EXCL)."""
    from greenfolio.store.engine import _owner_only_file

    path = tmp_path / "fresh.sqlite"
    _owner_only_file(None, None, [str(path)], {})
    assert path.exists() and path.stat().st_size == 0 and _mode(path) == 0o600
    path.chmod(0o640)
    _owner_only_file(None, None, [str(path)], {})  # an existing file is left as it is
    assert _mode(path) == 0o640
    _owner_only_file(None, None, [":memory:"], {})
    _owner_only_file(None, None, [str(tmp_path / "no-such-folder" / "x.sqlite")], {})
    assert not (tmp_path / "no-such-folder").exists()
