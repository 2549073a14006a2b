"""How ``--help`` shows a command: its text as flowing paragraphs, and each option with the
kind of value it takes in words people know from other tools (TEXT, INTEGER, PATH, a list
of choices), a flag with none.

Typer's Rich help keeps the single line breaks of a docstring in a group's list of
commands ("Whoever entered,⏎ revised …" cut mid-sentence), and shows every option with a
Python type (``--json <bool>``, ``--db <str>``). Every ``greenfolio`` command and group is
of a class that mixes in ``ReadableHelp`` (``common.NumbersCommand``, ``lazy.LazyGroup``),
so no option has to say it itself. Imports Typer only (``--help`` stays quick).
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any, get_args

import typer
from typer._click import Context, HelpFormatter, Parameter
from typer.core import TyperArgument, TyperOption

_WORDS: dict[Any, str] = {
    str: "TEXT",
    int: "INTEGER",
    float: "FLOAT",
    bool: "BOOLEAN",
    Path: "PATH",
}


def flowed(text: str | None) -> str | None:
    """``text`` (a docstring) as paragraphs: the line breaks where the source was wrapped
    become spaces; blank lines still part paragraphs, and a paragraph marked ``\\b`` keeps
    its lines (Click's convention)."""
    if not text:
        return text
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(
        p if p.startswith("\b") else " ".join(line.strip() for line in p.splitlines())
        for p in paragraphs
    )


_SHORT_CHOICES = 24
"""Choices longer than this together (as ``a|b|c``) are listed in the option's help, and
its value is named by the option (``STATUS``): a column cannot wrap ``a|b|c`` at words."""


def _choices(param: TyperOption | TyperArgument, ctx: Context) -> list[str]:
    shown = param.display_type(ctx)[1:-1]  # "<a|b>" or "<list[a|b]>"
    if shown.startswith("list[") and shown.endswith("]"):
        shown = shown[5:-1]
    return shown.split("|")


def _value(param: TyperOption | TyperArgument, ctx: Context) -> str:
    """The kind of value ``param`` takes: its choices, else TEXT, INTEGER, FLOAT, PATH…"""
    desc = param.type_descriptor
    if desc.is_choice:
        shown = "|".join(_choices(param, ctx))
        if len(shown) > _SHORT_CHOICES:
            return (param.name or "value").upper()
        return f"[{shown}]"
    if desc.is_path:
        return "PATH"
    if desc.is_datetime:
        formats = desc.parameter_info.formats
        return "|".join(formats) if formats else "DATETIME"
    annotation = desc.annotation
    if desc.is_tuple:
        return " ".join(_word(a) for a in get_args(annotation))
    if desc.is_list:
        (annotation,) = get_args(annotation)
    return _word(annotation)


def _word(annotation: Any) -> str:
    found = _WORDS.get(annotation)
    if found is not None:
        return found
    return str(getattr(annotation, "__name__", annotation)).upper()


class _ShownOption(TyperOption):
    """An option shown with the value it takes (a flag with none)."""

    def display_type_rich(self, ctx: Context) -> str | None:
        if self.is_flag or self.count:
            return None
        shown = self.metavar if self.metavar is not None else _value(self, ctx)
        return shown + "..." if self.nargs != 1 else shown


class _ShownArgument(TyperArgument):
    """An argument shown by its name (in capitals in the usage line) and its kind."""

    def display_type_rich(self, ctx: Context) -> str | None:
        return _value(self, ctx)

    def _usage_display_name(self) -> str:
        name = self.metavar if self.metavar is not None else (self.name or "").upper()
        if not self.required:
            name = f"[{name}]"
        return name + "..." if self.nargs != 1 else name


def readable(params: list[Parameter], ctx: Context) -> list[Parameter]:
    """``params`` shown as ``_ShownOption`` and ``_ShownArgument`` do (in place); a long
    list of choices is said at the end of the help."""
    for param in params:
        if type(param) is TyperOption:
            param.__class__ = _ShownOption
        elif type(param) is TyperArgument:
            param.__class__ = _ShownArgument
        else:
            continue
        if param.type_descriptor.is_choice:
            choices = _choices(param, ctx)
            said = (param.help or "").rstrip()
            named = all(choice in said for choice in choices)  # the help lists them
            if len("|".join(choices)) > _SHORT_CHOICES and not named:
                param.help = f"{said} Choose from: {', '.join(choices)}.".lstrip()
    return params


class ReadableHelp:
    """Mixed into a command or group class: its help flows as paragraphs, and its options
    show the values they take in words; help piped into ``head`` ends quietly."""

    help: str | None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = flowed(self.help)

    def get_params(self, ctx: Context) -> list[Parameter]:
        return readable(super().get_params(ctx), ctx)  # type: ignore[misc]

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        try:
            super().format_help(ctx, formatter)  # type: ignore[misc]
        except SystemExit as exc:  # Rich's answer to a closed pipe (on_broken_pipe)
            from greenfolio.interfaces.cli.common import pipe_closed

            raise typer.Exit(pipe_closed()) from exc
