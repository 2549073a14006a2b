"""Benchmark: every figure of the Board report on a large portfolio, with and without
provenance, against one grouped query over the same window.

Why this exists: each printed number of a report is a named SQL query over verified
results, and the report is rebuilt interactively (previews, every language, the
provenance appendix). With 100,000 projects (1,000,000 results) the whole set of figures
for one year, result ids included, should cost at most twice one grouped query over the
report's window (``SUM(value)`` of the verified results of the report's indicators, of
the kinds its figures take, by indicator and unit, measured in the same run): the fair
baseline, since every figure is a slice of those rows. The
first call after a write is timed and counted (no untimed warm-up), then warm calls;
values-only calls show what provenance costs. Peak RSS is the process's (getrusage).

Run it as::

    python benchmarks/figures.py [--projects N] [--backend sqlite|postgresql|both]
                                 [--pg-url URL] [--reuse [--sqlite FILE] [--pg-db NAME]]

Without ``--reuse`` a throw-away database is built (SQLite in a temporary folder; on
PostgreSQL ``greenfolio_bench_<random>``, dropped at the end even when the benchmark
fails); with it, the database of ``bench_db`` is built once and kept.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import bench_db
from sqlalchemy import bindparam, create_engine, func, select, text
from sqlalchemy.engine import make_url

from greenfolio.services import demo, reporting
from greenfolio.services import figures as figure_queries
from greenfolio.services.database import Database
from greenfolio.services.report_definition import ReportDefinition, load_definition, window
from greenfolio.store.tables import ResultRow, WorkRow

REPORT = "board"
YEAR = 2021
TIMED_RUNS = 5
PER_FIGURE_RUNS = 3
SLOWEST_SHOWN = 5
TARGET_RATIO = 2.0
PROGRESS_EVERY = 0.1  # print a load progress line every tenth of the projects
BASELINE_SQL = (
    "SELECT indicator_code, unit, SUM(value) FROM result "
    "WHERE review_state = 'verified' AND kind IN :kinds AND indicator_code IN :codes "
    "AND period_end >= :start AND period_end <= :end "
    "GROUP BY indicator_code, unit"
)
"""The baseline: one grouped query over the rows the figures read (verified results of the
report's indicators, of the kinds its figures take, in its window), which both backends
answer from the figure index alone."""
WIDE_SQL = (
    "SELECT indicator_code, unit, SUM(value) FROM result "
    "WHERE review_state = 'verified' AND period_end >= :start AND period_end <= :end "
    "GROUP BY indicator_code, unit"
)
"""The baseline used until 2026-11-30: every indicator and kind of the window, which the
backends read from the table (PostgreSQL: a bitmap heap scan three times slower than the
baseline above), so it flattered the figures. Printed for comparison only."""


@dataclass(frozen=True)
class Outcome:
    backend: str
    projects: int
    results: int
    figures: int
    ratio: float
    first_ratio: float

    @property
    def passed(self) -> bool:
        """The target holds for the median and for the first (cold) call alike."""
        return max(self.ratio, self.first_ratio) <= TARGET_RATIO

    def summary(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        return (
            f"backend={self.backend} projects={self.projects} results={self.results} "
            f"figures={self.figures} with_ids/baseline={self.ratio:.2f}x "
            f"first call {self.first_ratio:.2f}x target≤{TARGET_RATIO}x (both) {verdict}"
        )


def measure(call: Callable[[], object], runs: int = TIMED_RUNS) -> bench_db.Timings:
    """``runs`` timed calls, the first one included."""
    return bench_db.Timings(tuple(bench_db.seconds(call) for _ in range(runs)))


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


def fresh_database(backend: str, pg_url: str) -> AbstractContextManager[str]:
    """A URL to a new, empty database of ``backend``, removed afterwards."""
    return sqlite_database() if backend == "sqlite" else postgresql_database(pg_url)


@contextmanager
def database(backend: str, args: argparse.Namespace) -> Iterator[tuple[Database, int]]:
    """The portfolio's database and the number of synthetic results it holds."""
    if args.reuse:
        db = bench_db.portfolio_of(bench_db.url_of(backend, args), args.projects)
        with db.transaction() as session:
            added = session.scalar(select(func.count()).select_from(ResultRow)) or 0
        try:
            yield db, added
        finally:
            db.close()
        return
    with fresh_database(backend, args.pg_url) as url:
        db = Database.open(url)
        try:
            yield db, load_portfolio(db, args.projects)
        finally:
            db.close()


def load_portfolio(db: Database, projects: int) -> int:
    """Migrate, load the demo portfolio and ``projects`` synthetic ones; returns results added."""
    started = time.perf_counter()
    db.upgrade()
    demo.load(db)
    print(f"  schema and demo portfolio loaded in {time.perf_counter() - started:.1f}s", flush=True)
    added = bench_db.generate(db, projects, PROGRESS_EVERY)
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

        seconds = measure(one, runs=PER_FIGURE_RUNS).median
        params = ", ".join(f"{k}={v}" for k, v in spec.params.items())
        timed.append((seconds, spec.id, params))
    return sorted(timed, reverse=True)


def report_window(definition: ReportDefinition, year: int) -> tuple[date, date]:
    """The report's own window for ``year`` (the one most of its figures use)."""
    span = window(definition.period, year)
    assert span.start is not None and span.end is not None
    return span.start, span.end


def run_backend(backend: str, args: argparse.Namespace) -> Outcome:
    print(f"\n=== {backend}: {args.projects:,} synthetic projects ===", flush=True)
    with database(backend, args) as (db, added):
        definition = load_definition(REPORT)
        count = len(definition.figure_specs(YEAR))
        start, end = report_window(definition, YEAR)

        specs = [s for s in definition.figure_specs(YEAR) if s.query == "indicator"]
        grouped = text(BASELINE_SQL).bindparams(
            bindparam("kinds", expanding=True), bindparam("codes", expanding=True)
        )
        values: dict[str, Any] = {
            "start": start,
            "end": end,
            "kinds": sorted({str(s.params.get("kind", "actual")) for s in specs}),
            "codes": sorted({str(s.params["indicator"]) for s in specs}),
        }

        def baseline() -> None:
            with db.engine.connect() as conn:
                conn.execute(grouped, values).all()

        def wide() -> None:
            with db.engine.connect() as conn:
                conn.execute(text(WIDE_SQL), {"start": start, "end": end}).all()

        def with_ids() -> None:
            reporting.compute_figures(db, definition, YEAR)

        def values_only() -> None:
            reporting.compute_figures(db, definition, YEAR, with_ids=False)

        bench_db.write(db)  # cold: the first call after a write, timed like the others
        full = measure(with_ids)
        bare = measure(values_only)
        base = measure(baseline)
        wide_base = measure(wide)
        ratio = full.median / base.median
        first_ratio = full.runs[0] / base.median
        warm = bench_db.Timings(full.runs[1:])
        print(
            f"  baseline: grouped query over the figures' {len(values['codes'])} indicators, "
            f"{start}..{end}  {base.describe()}"
        )
        print(
            f"  (earlier, wider baseline: every indicator of the window  {wide_base.describe()}; "
            f"with ids / it = {full.median / wide_base.median:.2f}x)"
        )
        print(f"  {count} figures with provenance (ids)    {full.describe()}")
        print(f"    of which the first call (cold)     {full.runs[0] * 1000:7.1f}ms")
        print(f"    the later calls (warm)             {warm.describe()}")
        print(f"  {count} figures, values only          {bare.describe()}")
        print(
            f"  with ids / baseline = {ratio:.2f}x (first call {first_ratio:.2f}x, warm "
            f"{warm.median / base.median:.2f}x; target ≤ {TARGET_RATIO}x for the median and the "
            f"first call); with ids / values only = {full.median / bare.median:.2f}x"
        )
        slowest = slowest_figures(db, definition, YEAR)
        print(
            f"  slowest {SLOWEST_SHOWN} figures (each alone, with ids, median of "
            f"{PER_FIGURE_RUNS}):"
        )
        for seconds, fid, params in slowest[:SLOWEST_SHOWN]:
            print(f"    {seconds * 1000:8.1f}ms  {fid}  [{params}]")
        print(f"  peak RSS of this process: {bench_db.peak_rss_mib():.0f} MiB")
        outcome = Outcome(backend, args.projects, added, count, ratio, first_ratio)
        print(outcome.summary(), flush=True)
        return outcome


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    bench_db.add_arguments(parser)
    parser.add_argument(
        "--reuse", action="store_true", help="use (or build once) the kept database of bench_db"
    )
    args = parser.parse_args(argv)
    if args.projects < 1:
        parser.error("--projects must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    outcomes: list[Outcome] = []
    errors: list[str] = []
    for backend in bench_db.backends(args):
        try:
            outcomes.append(run_backend(backend, args))
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
