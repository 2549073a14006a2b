"""The Board report written by the command line, as a user builds it, for the tests that
read the files (PDF text, DOCX XML, HTML)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from greenfolio.interfaces.cli.app import app
from greenfolio.services.database import Database


def build_board(db: Database, out: Path, formats: str, langs: str = "all") -> Path:
    """``greenfolio report build`` of the 2021 Board report into ``out``; the folder."""
    url = db.engine.url.render_as_string(hide_password=False)
    args = ["report", "build", "--year", "2021", "--lang", langs, "--format", formats]
    result = CliRunner().invoke(app, [*args, "--out", str(out), "--db", url])
    assert result.exit_code == 0, result.output
    return out
