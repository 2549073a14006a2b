"""Passwords reach ``users create-admin``, ``users create`` and ``users set-password``
without showing in the process list: from a file, the environment or a hidden prompt on a
real terminal; generated and printed when none is given."""

from __future__ import annotations

import os
import pty
import select
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from greenfolio.interfaces.cli.app import app
from greenfolio.interfaces.cli.common import ExitCode
from greenfolio.services import accounts, reference
from greenfolio.services.database import Database

runner = CliRunner()
ROOT = Path(__file__).parents[1]


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    path = tmp_path / "accounts.sqlite"
    db = Database.open(str(path))
    db.upgrade()
    reference.sync(db)
    db.close()
    yield str(path)


def run(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=env, input=stdin)
    return result.exit_code, result.output


def signs_in(url: str, user: str, secret: str) -> bool:
    db = Database.open(url)
    try:
        return accounts.authenticate(db, user, secret, "127.0.0.1").name == user
    finally:
        db.close()


def test_passwords_come_from_a_file_or_the_environment(url: str, tmp_path: Path) -> None:
    secret_file = tmp_path / "pw"
    secret_file.write_text("from-a-file-123\n", "utf-8")
    code, text = run(
        "users",
        "create-admin",
        "--username",
        "a1",
        "--password-file",
        str(secret_file),
        "--db",
        url,
    )
    assert code == ExitCode.OK and "from-a-file-123" not in text and "password:" not in text
    # the database it went into is named: a newcomer's admin landed in the demo's file
    assert f"admin a1 created in {url}" in " ".join(text.split())
    env = {"GREENFOLIO_PASSWORD": "from-the-env-123"}
    code, text = run("users", "create", "b1", "--role", "viewer", "--db", url, env=env)
    assert code == ExitCode.OK and "password:" not in text
    code, text = run(
        "users", "create", "c1", "--role", "viewer", "--db", url, env={"GREENFOLIO_PASSWORD": ""}
    )
    assert code == ExitCode.OK and "password: " in text  # none given: generated and printed
    code, text = run(
        "users",
        "set-password",
        "c1",
        "--password-file",
        "-",
        "--db",
        url,
        stdin="typed-on-stdin-123\n",
    )
    assert code == ExitCode.OK and "password:" not in text
    code, text = run(
        "users",
        "create",
        "d1",
        "--role",
        "viewer",
        "--password",
        "on-the-command-line",
        "--db",
        url,
    )
    assert code == ExitCode.OK
    assert "warning: --password shows in the process list" in text
    code, text = run(
        "users",
        "create",
        "e1",
        "--role",
        "viewer",
        "--password-file",
        str(tmp_path / "missing"),
        "--db",
        url,
    )
    assert code == ExitCode.INVALID and "--password-file: cannot read" in text
    result = runner.invoke(app, ["users", "create", "--help"], env={"COLUMNS": "200"})
    assert "--password-file" in result.output and "--password " not in result.output

    for user, secret in (
        ("a1", "from-a-file-123"),
        ("b1", "from-the-env-123"),
        ("c1", "typed-on-stdin-123"),
        ("d1", "on-the-command-line"),
    ):
        assert signs_in(url, user, secret)
    assert os.environ.get("GREENFOLIO_PASSWORD") is None


def _read_until(fd: int, needle: bytes, seconds: float = 60) -> bytes:
    seen, end = b"", time.monotonic() + seconds
    while needle not in seen and time.monotonic() < end:
        if select.select([fd], [], [], 0.5)[0]:
            try:
                chunk = os.read(fd, 1024)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    return seen


def test_on_a_terminal_the_password_is_asked_for_hidden(url: str) -> None:
    """A real pseudo-terminal: the prompt asks twice, echoes nothing, prints no password."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the greenfolio command on the terminal
        os.environ["PYTHONPATH"] = str(ROOT)
        os.environ.pop("GREENFOLIO_PASSWORD", None)
        code = "from greenfolio.interfaces.cli.app import main; main()"
        args = ["users", "create", "t1", "--role", "viewer", "--db", url]
        try:
            os.execv(sys.executable, [sys.executable, "-c", code, *args])
        finally:
            os._exit(127)  # never run the rest of the test suite in the child
    seen = _read_until(fd, b"Password (leave empty to generate one): ")
    os.write(fd, b"typed-at-prompt-1\n")
    seen += _read_until(fd, b"Repeat for confirmation: ")
    os.write(fd, b"typed-at-prompt-1\n")
    seen += _read_until(fd, b"created")
    _, status = os.waitpid(pid, 0)
    text = seen.decode()
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert "user t1 created" in text
    assert "typed-at-prompt-1" not in text and "password:" not in text
    assert signs_in(url, "t1", "typed-at-prompt-1")


def _help(*command: str) -> str:
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "2000"})
    assert result.exit_code == 0, result.output
    return " ".join(result.output.replace("│", " ").split())


def test_the_password_file_help_says_what_is_read(url: str, tmp_path: Path) -> None:
    """The demo's password files start with a ``user:`` line: the password is read from
    the ``password:`` line, and the help says so (it said "the first line of this file");
    signing in as an account (``--as``) never generates a password, and its help says so."""
    demo_file = tmp_path / "demo-password"
    demo_file.write_text("user: f1\npassword: from-the-demo-file-1\n", "utf-8")
    code, text = run(
        "users", "create", "f1", "--role", "viewer", "--password-file", str(demo_file), "--db", url
    )
    assert code == ExitCode.OK, text
    assert signs_in(url, "f1", "from-the-demo-file-1")
    for command in (("users", "create"), ("users", "set-password"), ("results", "verify")):
        said = _help(*command)
        assert "'password:' line" in said and "else its first line" in said, command
        assert "the first line of this file" not in said
    assert "generated" in _help("users", "create")
    assert "generated" not in _help("results", "verify").split("--password-file", 1)[1]


def test_serve_without_an_admin_names_the_database_in_its_hint(url: str) -> None:
    """The hint's command acts on the database being served, not on the default one."""
    import socket
    import subprocess

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-m", "greenfolio", "serve", "--db", url, "--port", str(port)]
    server = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stderr is not None
        line = server.stderr.readline()
    finally:
        server.terminate()
        server.wait(timeout=30)
    said = " ".join(line.split())
    assert f"`greenfolio users create-admin --db {url}`" in said, said


def test_a_password_file_of_another_account_is_named_as_such(url: str, tmp_path: Path) -> None:
    """The demo's files name their account: one given with another --as says so, rather
    than "unknown user name or wrong password"."""
    mine = tmp_path / "reviewer-password"
    mine.write_text("user: reviewer\npassword: whatever-123\n", "utf-8")
    code, text = run("results", "submit", "1", "--as", "data-entry", "--password-file", str(mine),
                     "--db", url)  # fmt: skip
    said = " ".join(text.split())
    assert code == ExitCode.INVALID, said
    assert "is the password of 'reviewer' (its 'user:' line), not of 'data-entry'" in said
