"""What ``greenfolio demo`` says when it is done: how to open the web application, who to
sign in as and where the password is, and the three commands most worth trying next.

The demo creates an admin (if there is none) so the web application can be opened at
once, and the two accounts its results were recorded under: ``data-entry`` (an editor,
who entered and submitted them) and ``reviewer`` (who verified them), so that author and
reviewer differ as they must. Each generated password is written to a file readable only
by its owner, beside the database (or in the output folder for a server database), and
only the files' paths are printed: the demo's output often ends up in terminal
scroll-back, CI logs or screenshots, where a password must not.
"""

from __future__ import annotations

import os
import posixpath
import shlex
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from greenfolio.domain.permissions import Grant, Role, Scope
from greenfolio.services import accounts, audit
from greenfolio.services.database import Database
from greenfolio.services.demo import DEMO_ACTOR, DEMO_CHECKER, DEMO_ENTRY

ADMIN = "admin"
PASSWORD_SUFFIX = ".admin-password"
TEAM = (
    (DEMO_ENTRY, Role.EDITOR, "Demo data entry"),
    (DEMO_CHECKER, Role.REVIEWER, "Demo reviewer"),
)
"""The demo's data-entry and reviewer accounts: who entered its results, who verified them."""


@dataclass(frozen=True)
class Admin:
    username: str
    password_file: Path | None
    """Where the generated password is; None when the admin existed before."""


def password_file(database: Database, out_dir: Path, suffix: str = PASSWORD_SUFFIX) -> Path:
    """Beside an SQLite file; in the output folder for a database on a server."""
    url = make_url(str(database.engine.url))
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        db_file = Path(str(url.database)).resolve()
        return db_file.with_name(db_file.name + suffix)
    return out_dir.resolve() / f"demo{suffix}"


def _write_secret(path: Path, text: str) -> None:
    """Create or replace the file readable and writable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # also when the file was already there with other rights
        os.write(fd, text.encode("utf-8"))
    finally:
        os.close(fd)


def ensure_admin(database: Database, out_dir: Path) -> Admin:
    """The admin to sign in as: an existing one, or a new ``admin`` whose generated
    password is written to the password file."""
    existing = accounts.admins(database)
    if existing:
        kept = password_file(database, out_dir)
        return Admin(existing[0], kept if existing[0] == ADMIN and kept.exists() else None)
    secret = accounts.generate_password()
    path = password_file(database, out_dir)
    with audit.acting_as(DEMO_ACTOR):
        accounts.create_user(
            database, None, ADMIN, secret, [Grant(Role.ADMIN, Scope.parse("all"))], "Demo admin"
        )
    _write_secret(path, f"user: {ADMIN}\npassword: {secret}\n")
    return Admin(ADMIN, path)


def ensure_team(database: Database, out_dir: Path) -> list[Admin]:
    """The data-entry and reviewer accounts the demo's results name: existing ones, or new
    ones whose generated passwords are written to ``….data-entry-password`` and
    ``….reviewer-password`` (mode 0600)."""
    known = {u.username for u in accounts.users(database, None)}
    team = []
    for username, role, display in TEAM:
        path = password_file(database, out_dir, f".{username}-password")
        if username in known:
            team.append(Admin(username, path if path.exists() else None))
            continue
        secret = accounts.generate_password()
        with audit.acting_as(DEMO_ACTOR):
            accounts.create_user(
                database, None, username, secret, [Grant(role, Scope.parse("all"))], display
            )
        _write_secret(path, f"user: {username}\npassword: {secret}\n")
        team.append(Admin(username, path))
    return team


def removed(counts: dict[str, int]) -> str:
    """What ``--reset`` removed, from the counts ``demo.load`` returns."""
    parts = []
    for what in ("work items", "results", "method runs"):
        n = counts.get(f"removed_{what}", 0)
        parts.append(f"{n} {what[:-1] if n == 1 else what}")
    return f"removed: {', '.join(parts)} (their history stays in the audit trail)"


def command_name(argv0: str | None = None) -> str:
    """How to type this command again: ``greenfolio`` when that name on the PATH is this
    program, else its path (``.venv/bin/greenfolio`` after ``./scripts/demo``, whose
    virtual environment a new shell has not activated)."""
    program = Path(argv0 if argv0 is not None else sys.argv[0])
    if program.name != "greenfolio":  # python -m greenfolio, tests: the plain name
        return "greenfolio"
    found = shutil.which("greenfolio")
    if found is not None and Path(found).resolve() == program.resolve():
        return "greenfolio"
    where = os.path.relpath(program.resolve())
    if where.startswith(".."):
        where = str(program.resolve())
    elif "/" not in where:
        where = f"./{where}"
    return shlex.quote(where)


def next_steps(
    admin: Admin,
    db_option: str | None,
    host: str,
    port: int,
    team: list[Admin] | None = None,
    command: str = "greenfolio",
) -> str:
    """The closing text of the demo, with ``--db`` repeated when one was given and the
    command written as it can be typed (``command_name``)."""
    db = f" --db {shlex.quote(db_option)}" if db_option else ""
    if admin.password_file is not None:
        where = f"the password is in {admin.password_file} (readable only by you)"
    else:
        where = f"to set a new password run `{command} users set-password {admin.username}{db}`"
    crew = [
        f"    {m.username!r}: password in {m.password_file}"
        for m in team or []
        if m.password_file is not None
    ]
    if crew:
        crew.insert(0, "  Results were entered by 'data-entry' and verified by 'reviewer':")
    return "\n".join(
        [
            "",
            "Next steps",
            f"  Open the web application: {command} demo --serve{db}",
            f"    (or `{command} serve{db}` to serve without rebuilding the demo),",
            f"    then browse to http://{host}:{port}/ and sign in as {admin.username!r};",
            f"    {where}.",
            *crew,
            "  Three useful commands:",
            f"    {command} report build --year 2021 --lang all --format html,docx,pdf{db}",
            "        the Board report in the six UN languages and three formats",
            f"    {command} figures --year 2021{db}",
            "        every figure of the report with its value, unit and the number of results",
            "        it adds up (--json: which results, method runs and evidence files)",
            f"    {command} import iati {_example_file()} --db mine.sqlite",
            "        a portfolio from IATI 2.03 XML, in a database of its own (here IATI's own",
            "        example file, 13 activities; then your organisation's files the same way)",
            *_activate(command),
        ]
    )


def _activate(command: str) -> list[str]:
    """How to type plain ``greenfolio`` when the command is a virtual environment's."""
    folder = posixpath.dirname(command)
    if not folder or not command.endswith("/greenfolio"):
        return []
    return [
        f"  In a new shell, `source {folder}/activate` first and the command is plain",
        "  `greenfolio`, as the README writes it.",
    ]


EXAMPLE_IATI = Path("tests") / "data" / "iati" / "files" / "iati-example-v203.xml"
"""IATI's example file of the standard, in the repository (tests/data/README.md)."""


def _example_file() -> str:
    """The example IATI file where the command runs in a clone, else a placeholder."""
    return str(EXAMPLE_IATI) if EXAMPLE_IATI.is_file() else "FILE.xml"
