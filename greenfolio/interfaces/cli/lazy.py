"""Commands loaded when used: ``greenfolio --help`` lists every command by its name and
summary without importing the module that defines it; the module is imported and its
Typer app built only when the command runs or its own help is asked for.

Typer builds every command of an app (resolving each option's type) before it parses
the first argument; with all of Greenfolio's groups that alone would cost more than
importing Typer. The summaries shown in the listing are kept beside the module names (in
``app.py``); tests/test_cli_imports.py checks they match each command's own help.

The modules defining commands (app, methods, results, serve, work, validate) do not use
``from __future__ import annotations``: Typer reads every parameter's annotation when it
builds a command, and from a string that means compiling it, which made up a third of
building the app.
"""

from __future__ import annotations

import importlib
from difflib import get_close_matches
from typing import Any, ClassVar, NamedTuple

import typer
from typer._click import Command, Context, HelpFormatter
from typer._click.exceptions import UsageError
from typer.core import TyperCommand, TyperGroup
from typer.main import get_command_from_info, get_group

from greenfolio.interfaces.cli.common import use_numbers_command
from greenfolio.interfaces.cli.help_text import ReadableHelp


class Lazy(NamedTuple):
    """Where a command is defined: ``module``'s Typer app ``attribute``, and the summary the
    parent's help lists it with. The app is a group of commands, or with ``single`` an app
    of one command that is the command itself (``greenfolio serve``)."""

    module: str
    attribute: str
    summary: str
    single: bool = False

    def load(self, name: str) -> Command:
        """Import the module and build the command, named ``name``, as ``add_typer`` (or
        ``app.command``) would have built it."""
        sub: typer.Typer = getattr(importlib.import_module(self.module), self.attribute)
        use_numbers_command(sub)
        if not isinstance(sub.info.cls, type) or sub.info.cls is TyperGroup:
            sub.info.cls = LazyGroup  # a plain group: its help reads as every group's
        command: Command
        if self.single:
            (info,) = sub.registered_commands
            command = get_command_from_info(
                info,
                pretty_exceptions_short=sub.pretty_exceptions_short,
                rich_markup_mode=sub.rich_markup_mode,
            )
        else:
            command = get_group(sub)
        command.name = name
        return command


class LazyGroup(ReadableHelp, TyperGroup):
    """A Typer group some of whose commands (``lazy``) are loaded on first use, listed in
    the order of ``order`` (the others after them); every group of ``greenfolio``, so
    that its help reads as ``ReadableHelp`` makes it."""

    lazy: ClassVar[dict[str, Lazy]] = {}
    order: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._listing = False

    def list_commands(self, ctx: Context) -> list[str]:
        names = [*super().list_commands(ctx), *(n for n in self.lazy if n not in self.commands)]
        rank = {name: i for i, name in enumerate(self.order)}
        return sorted(names, key=lambda n: rank.get(n, len(rank)))

    def resolve_command(
        self, ctx: Context, args: list[str]
    ) -> tuple[str | None, Command | None, list[str]]:
        """A mistyped command answered with the nearest names, the commands not yet loaded
        among them (Typer looks at the loaded ones only: "result" had no suggestion)."""
        try:
            return super().resolve_command(ctx, args)
        except UsageError as exc:
            if args and "Did you mean" not in exc.message:
                near = get_close_matches(args[0], self.list_commands(ctx))
                if near:
                    named = ", ".join(repr(n) for n in near)
                    exc.message = f"{exc.message.rstrip('.')}. Did you mean {named}?"
            raise

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        entry = self.lazy.get(cmd_name)
        if entry is not None and cmd_name not in self.commands:
            if self._listing:  # the help's list needs the summary only
                return TyperCommand(cmd_name, help=entry.summary)
            self.commands[cmd_name] = entry.load(cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False
