"""The benchmarks stay runnable: a small run of each prints its summary line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # end to end; CI runs it, `-m "not slow"` skips it

ROOT = Path(__file__).resolve().parents[1]


def test_figures_benchmark_small_run() -> None:
    result = subprocess.run(
        [sys.executable, "benchmarks/figures.py", "--projects", "300", "--backend", "sqlite"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "backend=sqlite projects=300 results=3000 figures=44" in result.stdout
