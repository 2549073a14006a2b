"""What every ``greenfolio`` command shares: consoles, the --db and --json options, error
handling with meaningful exit codes, opening the database, progress bars and JSON output.

Exit codes: 0 success, 2 invalid input or unknown record, 3 database unreachable or not
at the current schema, 1 anything unexpected.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.exc import OperationalError

from greenfolio.domain.errors import GreenfolioError
from greenfolio.services.database import Database, refusal
from greenfolio.store.engine import Failure

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL or SQLite file path "
        "(default: $GREENFOLIO_DB, else ./greenfolio.sqlite).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


class ExitCode:
    OK = 0
    UNEXPECTED = 1
    INVALID = 2
    DATABASE = 3
    PARTIAL = 4
    """Done in part: some records left out or refused, the rest written (imports, exports)."""
    WANTING = 5
    """Checked and found wanting (``validate``, ``audit verify``)."""


@contextmanager
def errors() -> Iterator[None]:
    """Turn known failures into one clear line and a meaningful exit code."""
    try:
        yield
    except GreenfolioError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(ExitCode.INVALID) from exc
    except OperationalError as exc:
        kind, message = refusal(exc)
        if kind is Failure.DOWN:
            message = (
                f"{exc.orig}. Check the --db URL or $GREENFOLIO_DB, "
                "and run `greenfolio db upgrade` on a new database."
            )
        err.print(f"[bold red]database error:[/] {message}", highlight=False)
        raise typer.Exit(ExitCode.DATABASE) from exc


def open_db(url: str | None, *, upgrade: bool = False) -> Database:
    db = Database.open(url)
    if upgrade:
        db.upgrade()
    elif not db.is_current():
        err.print(
            f"[bold red]error:[/] the database {db.url} is not at the current schema; "
            f"run `greenfolio db upgrade{' --db ' + url if url else ''}` first.",
            highlight=False,
        )
        raise typer.Exit(ExitCode.DATABASE)
    return db


def progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
        disable=not err.is_terminal,
    )


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def split_choices(values: str, allowed: tuple[str, ...], what: str) -> list[str]:
    items = (
        list(allowed) if values == "all" else [v.strip() for v in values.split(",") if v.strip()]
    )
    for item in items:
        if item not in allowed:
            raise GreenfolioError(f"unknown {what} {item!r}: choose from {', '.join(allowed)}")
    return items
