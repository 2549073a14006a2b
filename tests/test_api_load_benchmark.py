"""The load benchmark stays runnable and prints every field: a --fast run on each backend.

It checks what is printed, not how fast anything was (speed is the benchmark's to show).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # end to end; CI runs it, `-m "not slow"` skips it

ROOT = Path(__file__).resolve().parents[1]
PATHS = (
    "dashboard",
    "list page 1",
    "country",
    "status",
    "focus area",
    "search",
    "search 汞",
    "deep page",
    "api deep page",
    "result page",
)
NUMBER = r"\s+(\d+(?:\.\d+)?|nan)"
ROW = re.compile(
    r"^(?P<path>.+?)\s+(?P<mode>warm|cold)\s+(?P<n>\d+)\s+(?P<err>\d+)"
    + NUMBER * 4
    + r" \| (?P<baseline>(static|static\+SQL) .+?)"
    + NUMBER * 4
    + r" \|"
    + NUMBER * 3
    + r"$"
)


def _run(backend: str) -> str:
    result = subprocess.run(
        [sys.executable, "benchmarks/api_load.py", "--fast", "--backend", backend],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    # 1 says a target of issue 11 was missed (speed, not asserted here); 2 a failed request.
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return result.stdout


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_load_benchmark_prints_every_field(backend: str, request: pytest.FixtureRequest) -> None:
    if backend == "postgresql":
        request.getfixturevalue("pg_server")  # skipped (or failed under CI) without a server
    out = _run(backend)
    head = next(line for line in out.splitlines() if line.startswith("backend="))
    assert f"backend={backend}" in head
    for field in ("projects=", "results=", "workers=", "server_cores=", "load_cores=", "loadavg="):
        assert field in head, head
    # On two or more cores the load generator runs apart from the server.
    assert "(apart)" in head or "cores=1 " in head, head
    rows = {}
    for line in out.splitlines():
        found = ROW.match(line)
        if found:
            rows[found["path"].strip(), found["mode"]] = found
    for path in PATHS:
        for mode in ("warm", "cold"):
            found = rows.get((path, mode))
            assert found is not None, f"no {mode} row for {path}:\n{out}"
            assert found["err"] == "0" and int(found["n"]) > 0, found.group(0)
        assert rows[path, "cold"]["baseline"].startswith("static+SQL (")
        assert rows[path, "warm"]["baseline"].startswith("static ")
    # The cold rows follow a real write each: the writes are counted.
    writes = re.search(r"write \(PATCH draft result\) n=(\d+)", out)
    assert writes and int(writes[1]) == 3 * len(PATHS) + 1, out
    memory = re.search(r"server peak RSS (\d+\.\d) MiB .* baseline .* (\d+\.\d) MiB .* ×", out)
    assert memory and float(memory[1]) > float(memory[2]) > 0, out
    # Every path's statements, run right after a write, were explained.
    for path in PATHS:
        plan = re.search(
            rf"^  plan {re.escape(path)}\s+statements=(\d+) scans of result/work_item: ", out, re.M
        )
        assert plan and int(plan[1]) > 0, f"no plan for {path}:\n{out}"
    assert "target dashboard:" in out and "target search 汞:" in out
    assert "loadavg_end=" in out
