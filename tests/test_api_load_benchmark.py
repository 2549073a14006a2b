"""The load benchmark stays runnable: a tiny run against a small portfolio."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # end to end; CI runs it, `-m "not slow"` skips it

ROOT = Path(__file__).resolve().parents[1]


def test_load_benchmark_small_run(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "benchmarks/api_load.py",
            "--projects",
            "200",
            "--seconds",
            "0.5",
            "--connections",
            "2",
            "--workers",
            "1",
            "--db",
            str(tmp_path / "load.sqlite"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "projects=" in result.stdout
    for page in ("dashboard", "project list", "project page", "api projects"):
        line = next(x for x in result.stdout.splitlines() if x.startswith(page))
        assert "errors=0" in line and "p99=" in line
