"""Starting ``greenfolio`` is quick: printing help or converting a number does not load the
report, chart and database stack, and no password is hashed on import.

These are checks of what runs, not timings (benchmarks/cli_start.py measures the time):
each command runs in a fresh Python process and reports the modules it imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from greenfolio.interfaces.cli import methods as methods_cli
from greenfolio.interfaces.cli.app import GreenfolioGroup, app
from greenfolio.methods.mercury import PATHWAYS

ROOT = Path(__file__).resolve().parents[1]

HEAVY = ("typst", "vl_convert", "docx", "jinja2", "sqlalchemy", "alembic", "argon2", "openpyxl")
"""What no command that needs neither reports nor the database may import."""
NOT_FOR_HELP = (*HEAVY, "pint", "pydantic", "lxml", "yaml", "babel", "fastapi", "uvicorn")
"""What printing the help may not import either."""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["COLUMNS"] = "100"
    return env


def _python(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _loaded(names: set[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if n.split(".")[0] in packages)


def test_help_imports_neither_the_report_nor_the_database_stack() -> None:
    done = _python("-X", "importtime", "-m", "greenfolio.interfaces.cli.app", "--help")
    assert done.returncode == 0, done.stderr
    assert "Commands" in done.stdout and "methods" in done.stdout and "Exit codes" in done.stdout
    imported = {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "typer" in imported and "greenfolio.interfaces.cli.common" in imported
    assert _loaded(imported, NOT_FOR_HELP) == []
    services = sorted(n for n in imported if n.startswith("greenfolio.services"))
    assert services == []
    # The groups defined in modules of their own are listed without importing them.
    assert "greenfolio.interfaces.cli.methods" not in imported
    assert "greenfolio.interfaces.cli.exchange" not in imported


_RUN = """
import json, sys
from greenfolio.interfaces.cli.app import main
sys.argv = ["greenfolio", *sys.argv[1:]]
try:
    main()
except SystemExit as exit:
    code = exit.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def test_a_methods_command_loads_its_method_only() -> None:
    done = _python(
        "-c", _RUN, "methods", "montreal", "convert", "100", "t", "HCFC-22", "--to", "odp"
    )
    assert done.returncode == 0, done.stderr
    text, report = done.stdout.rsplit("\n{", 1)
    found = json.loads("{" + report)
    assert found["code"] == 0 and "ODP t" in text and "5.5" in text and "ODP_tonne" not in text
    modules = set(found["modules"])
    assert _loaded(modules, HEAVY) == []
    # the unit's words come from the pages' catalogue, read without PyYAML or babel
    assert _loaded(modules, ("yaml", "babel")) == []
    assert "greenfolio.methods.montreal" in modules
    assert not {"greenfolio.methods.ghg", "greenfolio.methods.upops"} & modules


_ACCOUNTS = """
import json, sys, tempfile
from argon2 import PasswordHasher

calls = {"hash": 0, "verify": 0}
hash_, verify = PasswordHasher.hash, PasswordHasher.verify

def counted_hash(self, *args, **kwargs):
    calls["hash"] += 1
    return hash_(self, *args, **kwargs)

def counted_verify(self, *args, **kwargs):
    calls["verify"] += 1
    return verify(self, *args, **kwargs)

PasswordHasher.hash, PasswordHasher.verify = counted_hash, counted_verify
from greenfolio.services import accounts
from greenfolio.services.database import Database

seen = {"import": dict(calls)}
with tempfile.TemporaryDirectory() as folder:
    db = Database.open(folder + "/a.sqlite")
    db.upgrade()
    for attempt in ("first", "second"):
        try:
            accounts.authenticate(db, "nobody", "a long wrong password", "test")
        except accounts.BadCredentials:
            seen[attempt] = dict(calls)
    db.engine.dispose()
print(json.dumps(seen))
"""


def test_no_password_is_hashed_on_import_and_an_unknown_user_still_costs_a_check() -> None:
    done = _python("-c", _ACCOUNTS)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["import"] == {"hash": 0, "verify": 0}
    # The dummy hash is made on the first unknown user, once; each attempt verifies once,
    # as a known user with a wrong password does.
    assert seen["first"] == {"hash": 1, "verify": 1}
    assert seen["second"] == {"hash": 1, "verify": 2}


@pytest.mark.parametrize("name", sorted(GreenfolioGroup.lazy))
def test_the_listed_summary_of_a_lazy_command_is_its_own_help(name: str) -> None:
    entry = GreenfolioGroup.lazy[name]
    command = entry.load(name)
    assert command.name == name
    assert (command.help or "").strip().splitlines()[0] == entry.summary


def test_every_command_is_listed_in_order() -> None:
    from typer._click import Context
    from typer.main import get_command

    group = get_command(app)
    assert isinstance(group, GreenfolioGroup)
    assert group.list_commands(Context(group)) == list(GreenfolioGroup.order)


def test_the_mercury_help_names_the_pathways_of_the_method() -> None:
    assert ",".join(PATHWAYS) == methods_cli._PATHWAY_COLUMNS
