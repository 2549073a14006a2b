"""Benchmark: how long computing every figure of the Board report takes on a large portfolio.

Why this exists: each printed number of a report is a named SQL query over verified
results, and the report is rebuilt interactively (previews, every language, the
provenance appendix). With a realistic portfolio of 100,000 projects (1,000,000
results) the whole set of figures for one year should come back in about a second on
both supported backends. This script builds such a portfolio in a throw-away database,
times ``reporting.compute_figures`` with and without provenance (result ids), compares
it with a single full scan of the result table, and lists the slowest figures so we
know which queries or indexes need work.

Run it as::

    python benchmarks/figures.py [--projects N] [--backend sqlite|postgresql|both]
                                 [--pg-url URL]

PostgreSQL: a new database ``greenfolio_bench_<random>`` is created on the server of
``--pg-url`` (the database named in the URL is only used to issue CREATE/DROP DATABASE)
and dropped at the end, even when the benchmark fails.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from greenfolio.services import demo, reporting, synthetic
from greenfolio.services import figures as figure_queries
from greenfolio.services.database import Database
from greenfolio.services.report_definition import ReportDefinition, load_definition
from greenfolio.store.tables import ResultRow, WorkRow

DEFAULT_PROJECTS = 100_000
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ("sqlite", "postgresql")
REPORT = "board"
YEAR = 2021
TIMED_RUNS = 5
PER_FIGURE_RUNS = 3
SLOWEST_SHOWN = 5
TARGET_S = 1.0
PROGRESS_EVERY = 0.1  # print a load progress line every tenth of the projects
BASELINE_SQL = (
    "SELECT indicator_code, unit, SUM(value) FROM result "
    "WHERE review_state = 'verified' GROUP BY indicator_code, unit"
)


@dataclass(frozen=True)
class Timings:
    """Seconds of each timed run (after one untimed warm-up run)."""

    runs: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    def describe(self) -> str:
        return (
            f"min={min(self.runs):.3f}s median={self.median:.3f}s max={max(self.runs):.3f}s "
            f"(runs={len(self.runs)})"
        )


@dataclass(frozen=True)
class Outcome:
    backend: str
    projects: int
    results: int
    figures: int
    median_s: float

    @property
    def passed(self) -> bool:
        return self.median_s <= TARGET_S

    def summary(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        return (
            f"backend={self.backend} projects={self.projects} results={self.results} "
            f"figures={self.figures} median_s={self.median_s:.3f} target_s={TARGET_S} {verdict}"
        )


def measure(call: Callable[[], object], runs: int = TIMED_RUNS, warmup: bool = True) -> Timings:
    """Run ``call`` once untimed (to warm caches), then ``runs`` timed times."""
    if warmup:
        call()
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return Timings(tuple(seconds))


@contextmanager
def sqlite_database() -> Iterator[str]:
    """A URL to a fresh SQLite file in a temporary directory removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="greenfolio_bench_") as folder:
        yield f"sqlite:///{Path(folder) / 'bench.sqlite'}"


@contextmanager
def postgresql_database(server_url: str) -> Iterator[str]:
    """A URL to a new PostgreSQL database, dropped on exit whatever happened."""
    name = f"greenfolio_bench_{secrets.token_hex(4)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        print(f"created PostgreSQL database {name}", flush=True)
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            print(f"dropped PostgreSQL database {name}", flush=True)
    finally:
        admin.dispose()


@contextmanager
def fresh_database(backend: str, pg_url: str) -> Iterator[str]:
    if backend == "sqlite":
        with sqlite_database() as url:
            yield url
    else:
        with postgresql_database(pg_url) as url:
            yield url


def load_portfolio(db: Database, projects: int) -> int:
    """Migrate, load the demo portfolio and ``projects`` synthetic ones; returns results added."""
    started = time.perf_counter()
    db.upgrade()
    demo.load(db)
    print(f"  schema and demo portfolio loaded in {time.perf_counter() - started:.1f}s", flush=True)
    done = 0
    step = max(1, int(projects * PROGRESS_EVERY))
    next_report = step

    def progress(size: int) -> None:
        nonlocal done, next_report
        done += size
        if done >= next_report or done == projects:
            elapsed = time.perf_counter() - started
            print(f"  loading: {done:,}/{projects:,} projects ({elapsed:.1f}s)", flush=True)
            next_report = (done // step + 1) * step

    added = synthetic.generate(db, projects, progress=progress)
    with db.transaction() as session:
        works = session.scalar(select(func.count()).select_from(WorkRow))
        rows = session.scalar(select(func.count()).select_from(ResultRow))
    print(
        f"  load took {time.perf_counter() - started:.1f}s: {added:,} synthetic results added; "
        f"table now has {works:,} work items and {rows:,} results",
        flush=True,
    )
    return added


def slowest_figures(
    db: Database, definition: ReportDefinition, year: int
) -> list[tuple[float, str, str]]:
    """Each figure timed on its own (median of a few runs), slowest first."""
    timed: list[tuple[float, str, str]] = []
    for spec in definition.figure_specs(year):

        def one(spec: figure_queries.FigureSpec = spec) -> None:
            with db.transaction() as session:
                figure_queries.compute(session, spec)

        seconds = measure(one, runs=PER_FIGURE_RUNS, warmup=False).median
        params = ", ".join(f"{k}={v}" for k, v in spec.params.items())
        timed.append((seconds, spec.id, params))
    return sorted(timed, reverse=True)


def run_backend(backend: str, projects: int, pg_url: str) -> Outcome:
    print(f"\n=== {backend}: {projects:,} synthetic projects ===", flush=True)
    with fresh_database(backend, pg_url) as url:
        db = Database.open(url)
        try:
            added = load_portfolio(db, projects)
            definition = load_definition(REPORT)
            count = len(definition.figure_specs(YEAR))

            full = measure(lambda: reporting.compute_figures(db, definition, YEAR))
            print(f"  compute_figures({REPORT}, {YEAR}) with ids: {full.describe()}")
            bare = measure(lambda: reporting.compute_figures(db, definition, YEAR, with_ids=False))
            print(f"  compute_figures({REPORT}, {YEAR}) values only: {bare.describe()}")
            print(
                f"  provenance overhead (with ids / values only): {full.median / bare.median:.2f}x"
            )

            def scan() -> None:
                with db.engine.connect() as conn:
                    conn.execute(text(BASELINE_SQL)).all()

            baseline = measure(scan)
            print(f"  baseline full scan (SUM by indicator, unit): {baseline.describe()}")
            print(f"  figures with ids / baseline scan: {full.median / baseline.median:.2f}x")

            slowest = slowest_figures(db, definition, YEAR)
            print(
                f"  slowest {SLOWEST_SHOWN} figures (each alone, with ids, median of "
                f"{PER_FIGURE_RUNS}):"
            )
            for seconds, fid, params in slowest[:SLOWEST_SHOWN]:
                print(f"    {seconds:8.3f}s  {fid}  [{params}]")
            over = [fid for seconds, fid, _ in slowest if seconds > TARGET_S]
            if over:
                print(f"  figures slower than {TARGET_S}s on their own: {', '.join(over)}")
            outcome = Outcome(backend, projects, added, count, full.median)
            print(outcome.summary(), flush=True)
            return outcome
        finally:
            db.close()


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--projects",
        type=int,
        default=DEFAULT_PROJECTS,
        help=f"synthetic projects to add, {synthetic.RESULTS_PER_PROJECT} results each "
        f"(default {DEFAULT_PROJECTS:,})",
    )
    parser.add_argument(
        "--backend", choices=[*BACKENDS, "both"], default="both", help="default: both"
    )
    parser.add_argument(
        "--pg-url",
        default=DEFAULT_PG_URL,
        help="PostgreSQL server to create the benchmark database on (default %(default)s)",
    )
    args = parser.parse_args(argv)
    if args.projects < 1:
        parser.error("--projects must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    backends = BACKENDS if args.backend == "both" else (args.backend,)
    outcomes: list[Outcome] = []
    errors: list[str] = []
    for backend in backends:
        try:
            outcomes.append(run_backend(backend, args.projects, args.pg_url))
        except Exception as exc:  # report and go on with the next backend
            traceback.print_exc()
            errors.append(f"backend={backend} ERROR {type(exc).__name__}: {exc}")
    print("\n=== summary ===")
    for outcome in outcomes:
        print(outcome.summary())
    for error in errors:
        print(error)
    return 0 if not errors and all(o.passed for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
