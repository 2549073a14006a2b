"""Passwords on the command line: never as an argument (it shows in the process list to
every user of the machine) but from a file, the environment or a hidden prompt.

Two uses: setting a password (``users create``, ``set-password``: one is generated when
none is given) and signing in as an account (``results verify --as NAME``: never
generated).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from greenfolio.domain.errors import GreenfolioError
from greenfolio.interfaces.cli.common import warn

ENV_PASSWORD = "GREENFOLIO_PASSWORD"
PasswordOption = Annotated[
    str | None,
    typer.Option(
        hidden=True,
        help=f"Deprecated: shows in the process list; use --password-file or ${ENV_PASSWORD}.",
    ),
]
_FILE_FORM = (
    "the value of its 'password:' line (as in the demo's password files, whose first line is "
    "'user: NAME'), else its first line ('-': one line of standard input)."
)
PasswordFileOption = Annotated[
    Path | None,
    typer.Option(
        "--password-file",
        help=f"Read the password from this file: {_FILE_FORM} Else ${ENV_PASSWORD}, else a "
        "prompt on a terminal; with none, one is generated and printed.",
    ),
]
SignInPasswordFileOption = Annotated[
    Path | None,
    typer.Option(
        "--password-file",
        help=f"Read the password of the --as account from this file: {_FILE_FORM} Else "
        f"${ENV_PASSWORD}, else a prompt on a terminal.",
    ),
]


def read_password(given: str | None, file: Path | None) -> tuple[str, bool]:
    """The password to set and whether it was generated (and so must be printed).

    A password on the command line is visible to every user of the machine (``ps``), so
    it comes from a file, the environment or a hidden prompt instead; ``--password`` is
    still accepted for old scripts, with a warning.
    """
    if given is not None and file is not None:
        raise GreenfolioError("give the password one way: --password-file (not --password too)")
    if given is not None:
        warn(
            "--password shows in the process list to every user of this machine; use "
            f"--password-file FILE, ${ENV_PASSWORD} or the prompt instead"
        )
        return given, False
    if file is not None:
        return _from_file(file), False
    env = os.environ.get(ENV_PASSWORD)
    if env:
        return env, False
    if sys.stdin.isatty():
        typed = typer.prompt(
            "Password (leave empty to generate one)",
            default="",
            show_default=False,
            hide_input=True,
            confirmation_prompt=True,
        )
        if typed:
            return str(typed), False
    from greenfolio.services.accounts import generate_password

    return generate_password(), True


def _from_file(file: Path) -> str:
    """The first line of the file, or the value of its ``password:`` line (the demo's file)."""
    return _file_fields(file)[1]


def _file_fields(file: Path) -> tuple[str | None, str]:
    """The account a password file names on a ``user:`` line beside its ``password:``
    line (the demo's files; else None) and the password: that line's value, else the
    file's first line."""
    try:
        text = sys.stdin.readline() if str(file) == "-" else file.read_text("utf-8")
    except OSError as exc:
        raise GreenfolioError(
            f"--password-file: cannot read {file} ({exc.strerror or exc})"
        ) from exc
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    fields: dict[str, str] = {}
    for line in lines:
        label, sep, value = line.partition(":")
        if sep and value.strip():
            fields.setdefault(label.strip().lower(), value.strip())
    if "password" in fields:
        return fields.get("user"), fields["password"]
    if not lines:
        raise GreenfolioError(
            f"--password-file: {file} is empty; write the password on its first line"
        )
    return None, lines[0]  # a one-line file is the password, whatever it holds


def sign_in_password(username: str, file: Path | None) -> str:
    """The password of ``username`` for signing in: from the file, $GREENFOLIO_PASSWORD or a
    hidden prompt; never generated."""
    if file is not None:
        owner, secret = _file_fields(file)
        if owner is not None and owner != username:
            raise GreenfolioError(
                f"--password-file {file} is the password of {owner!r} (its 'user:' line), "
                f"not of {username!r}: give --as {owner}, or the file of {username}"
            )
        return secret
    env = os.environ.get(ENV_PASSWORD)
    if env:
        return env
    if sys.stdin.isatty():
        return str(typer.prompt(f"Password of {username}", hide_input=True))
    raise GreenfolioError(
        f"--as {username}: give the password with --password-file FILE or ${ENV_PASSWORD} "
        "(no terminal to ask on)"
    )
