"""Which database a command works on: --db resolved, an SQLite path checked before the
driver sees it (a folder, a README, a folder that does not exist), the schema required
current (or made, for an import into a new file), and a new file removed again when an
import stores nothing. Split from ``cli.common`` so that opening a database is one concept.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from greenfolio.interfaces.cli.common import ExitCode, err

if TYPE_CHECKING:
    from greenfolio.services.database import Database


def connect(url: str | None) -> Database:
    """The database at ``url`` (as given to --db), its changes recorded in the audit trail
    as made from the command line (``cli:<operating-system user>``)."""
    from greenfolio.services import audit
    from greenfolio.services.database import Database

    require_sqlite_file(url)
    audit.use_cli_actor()
    return Database.open(url)


def shown_db(url: str | None) -> str:
    """The database ``url`` resolves to, as a person would give it to --db: an SQLite
    file by its path, a server by its URL without the password (so that a command one
    command suggests acts on the same database)."""
    from sqlalchemy.engine import make_url

    from greenfolio.store.engine import resolve_url

    parsed = make_url(resolve_url(url))
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return str(parsed.database)
    return parsed.render_as_string(hide_password=True)


SQLITE_HEADER = b"SQLite format 3\x00"
"""The first 16 bytes of every SQLite database file (sqlite.org, "Database File Format")."""


def require_sqlite_file(url: str | None) -> None:
    """Refuse (exit 3) an SQLite ``url`` naming a folder or a file that is not a
    database (a README given as --db): the driver fails later with a traceback."""
    from sqlalchemy.engine import make_url

    from greenfolio.store.engine import resolve_url

    parsed = make_url(resolve_url(url))
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return
    path = Path(str(parsed.database))
    why = None
    if path.is_dir():
        why = "is a folder"
    elif path.is_file() and path.stat().st_size > 0:
        with open(path, "rb") as handle:
            if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                why = "is not a database (not an SQLite file)"
    if why is None:
        return
    err.print(
        f"[bold red]error:[/] --db {path} {why}: give the database file (the demo's is "
        "greenfolio.sqlite where ./scripts/demo ran), or a new file name to make one.",
        highlight=False,
    )
    raise typer.Exit(ExitCode.DATABASE)


def _new_sqlite_file(url: str | None) -> bool:
    """Whether ``url`` names an SQLite file not made yet (absent, or 0 bytes)."""
    from sqlalchemy.engine import make_url

    from greenfolio.store.engine import resolve_url

    parsed = make_url(resolve_url(url))
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return False
    path = Path(str(parsed.database))
    return not path.exists() or (path.is_file() and path.stat().st_size == 0)


def require_folder(url: str | None) -> None:
    """Refuse (exit 3) an SQLite ``url`` in a folder that does not exist, naming it: the
    driver only says "unable to open database file"."""
    from sqlalchemy.engine import make_url

    from greenfolio.store.engine import resolve_url

    parsed = make_url(resolve_url(url))
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return
    folder = Path(str(parsed.database)).resolve().parent
    if folder.is_dir():
        return
    err.print(
        f"[bold red]error:[/] the folder {folder} does not exist, so no database can be made "
        "or opened in it: give --db a file in an existing folder (or make the folder first).",
        highlight=False,
    )
    raise typer.Exit(ExitCode.DATABASE)


def open_db(url: str | None, *, upgrade: bool = False, create: bool = False) -> Database:
    """The database at ``url``, refused (exit 3) unless at the current schema; with
    ``upgrade``, migrated first; with ``create``, an SQLite file not made yet (absent or
    empty) is made at the current schema with the packaged reference data, as
    ``db upgrade`` would (an existing database at an older schema is still refused)."""
    fresh = _new_sqlite_file(url)
    if fresh:
        require_folder(url)
    if fresh and not (create or upgrade):
        # connecting would leave an empty file behind, which the next command then
        # calls "not at the current schema": say what is missing and how to make it
        from sqlalchemy.engine import make_url

        from greenfolio.store.engine import resolve_url

        name = str(make_url(resolve_url(url)).database)
        err.print(
            f"[bold red]error:[/] there is no database at {Path(name).resolve()}. The demo's "
            "is greenfolio.sqlite in the folder where ./scripts/demo ran: run the command "
            "there or give its path with --db. To make a new one: "
            f"`greenfolio db upgrade --db {name}` (empty) or "
            f"`greenfolio import iati FILE.xml --db {name}`.",
            highlight=False,
        )
        raise typer.Exit(ExitCode.DATABASE)
    made = create and fresh
    db = connect(url)
    if made:
        from greenfolio.services import reference

        revision = db.upgrade()
        reference.sync(db)
        err.print(f"created {db.url} at the current schema (revision {revision})", highlight=False)
    elif upgrade:
        db.upgrade()
    elif not db.is_current():
        err.print(
            f"[bold red]error:[/] the database {db.url} is not at the current schema; "
            f"run `greenfolio db upgrade{' --db ' + url if url else ''}` first.",
            highlight=False,
        )
        raise typer.Exit(ExitCode.DATABASE)
    return db


@contextmanager
def import_target(url: str | None) -> Iterator[Database]:
    """``open_db(url, create=True)`` for an import; a database file made here is removed
    again if the import stores no work item (the file could not be read, or it was
    refused): exit 2 means nothing was written, so no new empty database is left either."""
    fresh = _new_sqlite_file(url)
    db = open_db(url, create=True)
    try:
        yield db
    finally:
        if fresh:
            _drop_if_empty(db)


def _drop_if_empty(db: Database) -> None:
    from sqlalchemy import func, select

    from greenfolio.store.tables import WorkRow

    with db.transaction() as session:
        stored = session.scalar(select(func.count()).select_from(WorkRow)) or 0
    if stored:
        return
    path = Path(str(db.engine.url.database))
    db.close()
    for name in (path, *(path.with_name(path.name + end) for end in ("-wal", "-shm", "-journal"))):
        name.unlink(missing_ok=True)
    err.print(f"{path} removed again: nothing was imported into it", highlight=False)
