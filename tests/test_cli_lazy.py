"""A command builds only what it runs: the groups of ``greenfolio methods`` are built when
one is asked for, and a calculator's few lines print without Rich, as Rich would draw them.
"""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from typer._click import Context
from typer.main import get_command

from greenfolio.interfaces.cli.app import GreenfolioGroup, app
from greenfolio.interfaces.cli.common import plain_table, table
from greenfolio.interfaces.cli.methods import MethodsGroup


@pytest.mark.parametrize("name", sorted(MethodsGroup.lazy))
def test_the_listed_summary_of_a_methods_group_is_its_own_help(name: str) -> None:
    entry = MethodsGroup.lazy[name]
    command = entry.load(name)
    assert command.name == name
    assert (command.help or "").strip().splitlines()[0] == entry.summary


def test_only_the_group_asked_for_is_built() -> None:
    root = get_command(app)
    assert isinstance(root, GreenfolioGroup)
    assert "methods" not in root.commands and "demo" not in root.commands
    ctx = Context(root)
    methods = root.get_command(ctx, "methods")
    assert isinstance(methods, MethodsGroup)
    assert set(methods.commands) == {"list", "run", "result", "recompute"}
    montreal = methods.get_command(Context(methods), "montreal")
    assert montreal is not None and "convert" in getattr(montreal, "commands", {})
    assert set(methods.commands) == {"list", "run", "result", "recompute", "montreal"}
    listed = methods.list_commands(Context(methods))
    assert listed == list(MethodsGroup.order)


def test_the_plain_table_looks_like_the_rich_one() -> None:
    rows = [("value", "2,255.5", "t CO₂e"), ("avoided_residue", "0.005", "g TEQ")]
    grid = table("output", "value", "unit", title="montreal.convert 1.1")
    for row in rows:
        grid.add_row(*row)
    buffer = io.StringIO()
    Console(file=buffer, width=100, color_system=None, legacy_windows=False).print(grid)
    drawn = [line.rstrip() for line in buffer.getvalue().splitlines()]
    plain = plain_table(("output", "value", "unit"), rows, "montreal.convert 1.1")
    assert plain.splitlines() == drawn
