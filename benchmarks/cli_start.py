"""Benchmark: how long ``greenfolio`` takes to start, against ``python -c "import typer"``.

Why: every command a person types, and every script step, pays the start-up; a command
that only prints help or converts a number should cost little more than Python and
Typer themselves. The fair baseline is the least any Typer command line can do: start
Python and import Typer, measured in the same run, interleaved with the commands so that
load on the machine hits all of them alike.

Each command runs once cold, then N times, each time in a fresh process. Bytecode is
cached as an installed package has it (in a temporary ``PYTHONPYCACHEPREFIX``, also when
``PYTHONDONTWRITEBYTECODE`` is set): the cold run compiles it and is reported apart
("cold"); the N runs after it give the minimum and median. Nothing else is kept between
runs but what the operating system caches. Wall time is measured around the process; CPU
time (user + system) and peak resident memory are the process's own, from ``os.wait4``.

Targets (issue 11): ``greenfolio --help`` ≤ 2.5× the baseline; a methods command
(``methods montreal convert 100 t HCFC-22 --to odp``) ≤ 3×. The verdict is on the ratio
of median CPU times (on a shared machine wall time also counts waiting for a core; both
ratios are printed); the script exits 1 if a target is missed. Two rows in brackets show
what Typer itself costs, for reference: a minimal app's help, and a minimal command with
the same parameters as the methods command.

Run: ``python benchmarks/cli_start.py [--runs 20]`` (from the repository root; the
greenfolio package of this checkout is the one measured).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GREENFOLIO = [
    sys.executable,
    "-c",
    "import sys; from greenfolio.interfaces.cli.app import main; sys.argv[0] = 'greenfolio'; "
    "sys.exit(main())",
]
"""What the installed ``greenfolio`` script runs, with this checkout first on the path."""
BASELINE = [sys.executable, "-c", "import typer"]
FLOOR = [
    sys.executable,
    "-c",
    "import typer\napp = typer.Typer()\n@app.command()\ndef a() -> None:\n    'A.'\n"
    "@app.command()\ndef b() -> None:\n    'B.'\napp()",
    "--help",
]
"""For reference, not a target: the least any Typer command line with Rich help pays to
print its help (a Typer app of two commands)."""
FLOOR_COMMAND = [
    sys.executable,
    "-c",
    "import typer\napp = typer.Typer()\n@app.command()\n"
    "def convert(quantity: float, unit: str, substance: str, to: str = typer.Option(...),\n"
    "            gwp: str = 'ar4', composition: str | None = None,\n"
    "            composition_source: str = 'ashrae', store: bool = False,\n"
    "            as_json: bool = False, db: str | None = None) -> None:\n"
    "    print(quantity * 0.055)\n"
    "@app.command()\ndef other() -> None:\n    'B.'\napp()",
    "convert",
    "100",
    "t",
    "HCFC-22",
    "--to",
    "odp",
]
"""For reference, not a target: the least a Typer command with the parameters of
``methods montreal convert`` pays to run (Typer coerces each parameter through pydantic),
computing nothing."""
COMMANDS: dict[str, tuple[list[str], float | None]] = {
    "python -c 'import typer'": (BASELINE, None),
    "(a two-command Typer app --help)": (FLOOR, None),
    "(a Typer command with the same parameters)": (FLOOR_COMMAND, None),
    "greenfolio --help": ([*GREENFOLIO, "--help"], 2.5),
    "greenfolio methods montreal convert 100 t HCFC-22 --to odp": (
        [*GREENFOLIO, "methods", "montreal", "convert", "100", "t", "HCFC-22", "--to", "odp"],
        3.0,
    ),
}


@dataclass
class Runs:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)
    """Peak resident memory of each process, MiB."""


def run_once(argv: list[str], env: dict[str, str], runs: Runs) -> None:
    start = time.perf_counter()
    child = subprocess.Popen(
        argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _pid, status, usage = os.wait4(child.pid, 0)  # this child's own CPU time and memory
    runs.wall.append(time.perf_counter() - start)
    runs.cpu.append(usage.ru_utime + usage.ru_stime)
    runs.rss.append(usage.ru_maxrss / 1024)
    problem = child.stderr.read() if child.stderr else b""
    if child.stderr:
        child.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{problem.decode(errors='replace')}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="Fresh processes per command.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="greenfolio-bench-pyc-") as pycache:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        env["COLUMNS"] = "100"  # the same help layout whatever the terminal
        env["PYTHONPYCACHEPREFIX"] = pycache
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        cold = {name: Runs() for name in COMMANDS}
        measured = {name: Runs() for name in COMMANDS}
        for name, (argv, _target) in COMMANDS.items():
            run_once(argv, env, cold[name])
        for _ in range(args.runs):  # interleaved: load on the machine hits all alike
            for name, (argv, _target) in COMMANDS.items():
                run_once(argv, env, measured[name])

    base = measured["python -c 'import typer'"]
    base_wall, base_cpu = statistics.median(base.wall), statistics.median(base.cpu)
    base_rss = statistics.median(base.rss)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"1 cold + {args.runs} fresh processes each, interleaved; times in ms, memory in MiB; "
        f"load average {load} on {os.cpu_count()} cores"
    )
    print(
        f"{'command':60} {'cold':>6} {'min':>6} {'median':>6} {'cpu min':>7} {'cpu med':>7}"
        f" {'rss':>5} {'wall ×':>6} {'cpu ×':>6} {'rss ×':>6} {'target':>6}"
    )
    missed = False
    for name, (_argv, target) in COMMANDS.items():
        runs = measured[name]
        wall, cpu, rss = (statistics.median(x) for x in (runs.wall, runs.cpu, runs.rss))
        wall_ratio, cpu_ratio = wall / base_wall, cpu / base_cpu
        verdict = ""
        if target is not None:
            met = cpu_ratio <= target
            missed |= not met
            verdict = f"≤{target:g}× {'met' if met else 'MISSED'}"
        print(
            f"{name:60} {cold[name].wall[0] * 1e3:6.0f} {min(runs.wall) * 1e3:6.0f}"
            f" {wall * 1e3:6.0f} {min(runs.cpu) * 1e3:7.0f} {cpu * 1e3:7.0f} {rss:5.0f}"
            f" {wall_ratio:6.2f} {cpu_ratio:6.2f} {rss / base_rss:6.2f} {verdict}"
        )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
