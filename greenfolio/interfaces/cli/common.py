"""What every ``greenfolio`` command shares: consoles, the --db and --json options, error
handling with meaningful exit codes (``EXIT_CODES``), tables and
numbers as people write them, progress bars and JSON output.
"""

from __future__ import annotations

import errno
import os
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

# Typer carries its own copy of Click (typer._click): the parser and context used here are
# that copy's, so that negative numbers and option names work with the Typer in the lock.
from typer._click.core import Context
from typer._click.globals import get_current_context
from typer._click.parser import _OptionParser, _ParsingState
from typer.core import TyperCommand, TyperOption

from greenfolio.domain.errors import GreenfolioError, InvalidFields
from greenfolio.interfaces.cli.help_text import ReadableHelp

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table


# Building the app and printing --help import only Typer, Rich and what is above: the
# services, the database layer (SQLAlchemy, Alembic), pydantic and the report stack are
# imported by the commands that use them, when they run (tests/test_cli_imports.py).


# Tables written to a pipe or a log are read later, in any window: give them room rather
# than the 80 columns Rich assumes, unless COLUMNS says otherwise.
def _pipe_width() -> int | None:
    """Tables written to a pipe or a file get 160 columns (no terminal to fit); a terminal,
    or ``COLUMNS``, gives its own width. Read when a command first prints."""
    return None if os.environ.get("COLUMNS") or sys.stdout.isatty() else 160


class _LateConsole:
    """A Rich console made when first used: importing Rich costs about as much again as
    a bare Python start, and a command that prints through it no more than it needs
    (plain lines, JSON, ``plain_table``) should not pay for it."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    def made(self) -> Console:
        if self._console is None:
            options = dict(self._options)
            if options.pop("pipe_width", False):
                options["width"] = _pipe_width()
            self._console = _console_class()(**options)
        return self._console

    def forget(self) -> None:
        """Made again at the next print: a command run after another in one process (a
        test's runner, a library caller) gets the width of its own environment."""
        self._console = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.made(), name)


def _console_class() -> type[Console]:
    """Rich's console, but a closed pipe (``| head``) raises BrokenPipeError for the
    command to end on as every command does (``pipe_closed``): Rich's own answer was to
    exit with status 1, which says "a bug"."""
    from rich.console import Console

    class PipedConsole(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            raise BrokenPipeError(errno.EPIPE, "the output was closed")

    return PipedConsole


def _late_console(**options: Any) -> Console:
    return cast("Console", _LateConsole(**options))


out = _late_console(soft_wrap=True, pipe_width=True)
err = _late_console(stderr=True, soft_wrap=True)


def fresh_consoles() -> None:
    """Each command's consoles are made for its own environment (see ``forget``)."""
    for console in (out, err):
        cast(_LateConsole, console).forget()


def escape(text: str) -> str:
    """Text shown literally in Rich markup (Rich's own escape, imported when used: only
    text about to be printed through a console is escaped)."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


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
    PIPE_CLOSED = 141
    """What reads the output stopped reading (``| head``): 128 + SIGPIPE, the status a
    shell reports for a program its closed pipe ended."""


EXIT_CODES: tuple[tuple[int, str], ...] = (
    (ExitCode.OK, "done"),
    (ExitCode.UNEXPECTED, "unexpected error (a bug: please report it with the command run)"),
    (ExitCode.INVALID, "invalid input or unknown record; nothing was written"),
    (ExitCode.DATABASE, "database unreachable or not at the current schema"),
    (ExitCode.PARTIAL, "done in part: some records left out or refused, the rest written"),
    (ExitCode.WANTING, "checked and found wanting (validate, audit verify)"),
    (ExitCode.PIPE_CLOSED, "output closed early (e.g. piped into head): the command stopped"),
)
"""The one table of exit codes every command keeps to (printed by ``greenfolio --help``)."""


def exit_code_help() -> str:
    """The exit-code table as help text (Typer's Markdown-free epilog: one line each)."""
    lines = [f"{code}  {meaning}" for code, meaning in EXIT_CODES]
    return "Exit codes:\n\n" + "\n\n".join(lines)


def _label(field: str) -> str:
    """How the running command names ``field``: its option (``--period-start``) or
    argument (``QUANTITY``), else the field's own name."""
    ctx = get_current_context(silent=True)
    params = ctx.command.params if ctx is not None else []
    # The field itself, else the option it is given through with a unit added
    # (``--activity`` for ``activity_t``).
    named = [p for p in params if p.name and (field == p.name or field.startswith(p.name + "_"))]
    for param in sorted(named, key=lambda p: len(p.name or ""), reverse=True)[:1]:
        if isinstance(param, TyperOption):
            return max(param.opts, key=len)
        return (param.name or field).upper()
    option = "--" + field.replace("_", "-")
    if any(option in getattr(p, "opts", ()) for p in params):
        return option
    return field


def warn(text: str) -> None:
    """A warning: the command goes on, but the person should know."""
    err.print(f"[bold yellow]warning:[/] {escape(text)}", highlight=False)


@contextmanager
def errors() -> Iterator[None]:
    """Turn known failures into one clear line and a meaningful exit code.

    Field checks that fail (pydantic's, or the domain's ``InvalidFields``) are named the way
    the running command names them, with what was given and what is allowed, so that no
    command has to translate them itself.
    """
    try:
        yield
    except InvalidFields as exc:
        err.print(f"[bold red]error:[/] {escape(exc.describe(_label))}", highlight=False)
        raise typer.Exit(ExitCode.INVALID) from exc
    except GreenfolioError as exc:
        from greenfolio.interfaces.cli.words import refusal

        err.print(f"[bold red]error:[/] {escape(refusal(exc))}", highlight=False)
        raise typer.Exit(ExitCode.INVALID) from exc
    except Exception as exc:
        code = _library_failure(exc)
        if code is None:
            code = _file_failure(exc)
        if code is None:
            raise
        raise typer.Exit(code) from exc


FILE_REASONS = {
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the disk is read-only",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EISDIR: "it is a folder",
    errno.ENOTDIR: "part of the path is a file, not a folder",
    errno.ENOENT: "no such file or folder",
    errno.ENAMETOOLONG: "the name is too long",
}


def _file_failure(exc: Exception) -> int | None:
    """Say a file the command could not read or write (a full disk, no permission), with
    exit 2; None for anything else. A closed pipe is not one (see ``pipe_closed``)."""
    if isinstance(exc, BrokenPipeError) or not isinstance(exc, OSError):
        return None
    if exc.filename is None or exc.errno not in FILE_REASONS:
        return None
    err.print(
        f"[bold red]error:[/] cannot use {escape(str(exc.filename))}: {FILE_REASONS[exc.errno]}.",
        highlight=False,
    )
    return ExitCode.INVALID


def pipe_closed() -> int:
    """What reads the output has stopped reading (``greenfolio … | head -1``): send what
    is still unwritten nowhere, so that Python does not complain as it exits, and give
    the exit code to stop with. As a program ended by SIGPIPE, nothing is said."""
    from contextlib import suppress

    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for stream in (sys.stdout, sys.stderr):
            with suppress(OSError, ValueError, AttributeError):  # no file behind it (a test's)
                os.dup2(devnull, stream.fileno())
    finally:
        os.close(devnull)
    return ExitCode.PIPE_CLOSED


def _library_failure(exc: Exception) -> int | None:
    """Say a pydantic field check or a database refusal and give its exit code; None for
    anything else. Neither library is imported here: an exception of theirs can only
    arise once they are loaded, so until then there is nothing to tell apart."""
    if "pydantic" in sys.modules:
        import pydantic

        if isinstance(exc, pydantic.ValidationError):
            text = InvalidFields(exc.errors(include_url=False)).describe(_label)
            err.print(f"[bold red]error:[/] {escape(text)}", highlight=False)
            return ExitCode.INVALID
    if "sqlalchemy" in sys.modules:
        from sqlalchemy.exc import OperationalError

        if isinstance(exc, OperationalError):
            from greenfolio.services.database import refusal
            from greenfolio.store.engine import Failure

            kind, message = refusal(exc)
            if kind is Failure.DOWN:
                said = " ".join(str(exc.orig).split()).rstrip(".")
                ended = said if said.endswith(("?", "!")) else said + "."
                message = (
                    f"{escape(ended)} Check the --db URL or $GREENFOLIO_DB, "
                    "and run `greenfolio db upgrade` on a new database."
                )
            err.print(f"[bold red]database error:[/] {message}", highlight=False)
            return ExitCode.DATABASE
    return None


def progress() -> Progress:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=cast("_LateConsole", err).made(),
        transient=False,
        disable=not err.is_terminal,
    )


def print_json(data: Any) -> None:
    import json

    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def split_choices(values: str, allowed: tuple[str, ...], what: str) -> list[str]:
    """A comma-separated list of codes, or "all"; "EN" or "PDF" read as "en", "pdf" (the
    codes are lower case, and a capital is no other choice)."""
    values = values.strip()
    if values.lower() == "all":
        return list(allowed)
    items = [v.strip().lower() for v in values.split(",") if v.strip()]
    for item in items:
        if item not in allowed:
            raise GreenfolioError(f"unknown {what} {item!r}: choose from {', '.join(allowed)}")
    return items


def number(value: float | int | None) -> str:
    """A number as people write it: 72,000,000 and 3.9999, never 7.2e+07."""
    if value is None:
        return ""
    if float(value).is_integer() and abs(value) < 1e18:
        return f"{int(value):,}"
    return f"{Decimal(f'{float(value):.10g}'):,f}"


def table(*headers: str, title: str | None = None, wrap: tuple[str, ...] = ()) -> Table:
    """A table that never cuts a cell: keys, codes and numbers stay on one line, the
    ``wrap`` columns (names, titles) wrap at words, and whatever still does not fit folds
    onto the next line instead of ending in an ellipsis."""
    from rich.table import Column, Table

    columns = [
        Column(h, overflow="fold", no_wrap=h not in wrap, min_width=16 if h in wrap else None)
        for h in headers
    ]
    return Table(*columns, title=title)


def plain_table(
    headers: tuple[str, ...], rows: Sequence[tuple[str, ...]], title: str | None = None
) -> str:
    """A small table of short cells in the same box drawing as ``table``, as text: for
    commands whose whole output is a few lines, without importing Rich."""
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]

    def line(left: str, fill: str, mid: str, right: str) -> str:
        return left + mid.join(fill * (w + 2) for w in widths) + right

    def cells(bar: str, values: tuple[str, ...]) -> str:
        return bar + bar.join(f" {v.ljust(w)} " for v, w in zip(values, widths, strict=True)) + bar

    lines = [line("┏", "━", "┳", "┓"), cells("┃", headers), line("┡", "━", "╇", "┩")]
    lines += [cells("│", row) for row in rows]
    lines.append(line("└", "─", "┴", "┘"))
    if title:
        lines.insert(0, " " * ((len(lines[0]) - len(title)) // 2) + title)
    return "\n".join(lines)


_NEGATIVE = re.compile(r"^-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


class _NumbersParser(_OptionParser):
    """Click's parser, but a negative number (``-1``, ``-0.5``) that is no option of the
    command is a value, not "No such option: -1"."""

    def _process_opts(self, arg: str, state: _ParsingState) -> None:
        name = arg.split("=", 1)[0]
        if _NEGATIVE.match(arg) and name not in self._long_opt and name not in self._short_opt:
            state.largs.append(arg)
            return
        super()._process_opts(arg, state)


class NumbersCommand(ReadableHelp, TyperCommand):
    """Every ``greenfolio`` command: takes negative numbers as values (and then says which
    value is out of range) instead of mistaking them for options; its help reads as
    ``ReadableHelp`` makes it."""

    def make_parser(self, ctx: Context) -> _OptionParser:
        parser = super().make_parser(ctx)
        parser.__class__ = _NumbersParser
        return parser


def use_numbers_command(app: typer.Typer) -> None:
    """Give every command of ``app`` and its sub-apps the negative-number-aware parser."""
    for info in app.registered_commands:
        if info.cls in (None, TyperCommand):
            info.cls = NumbersCommand
    for group in app.registered_groups:
        if group.typer_instance is not None:
            use_numbers_command(group.typer_instance)
