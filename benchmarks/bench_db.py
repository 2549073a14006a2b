"""What the large-portfolio benchmarks share: a 100,000-project database built once and
reused (SQLite file, PostgreSQL database), a real write that moves the change
generation on, timings with their quantiles, and the process's peak resident memory.

The portfolio is the demo plus ``synthetic.generate`` (seeded, ten results per project):
building 100,000 projects takes a few minutes (the loader's bulk path: COPY on PostgreSQL,
one transaction of batched inserts on SQLite, indexes built after the rows), so a database
left by an earlier run is reused,
brought to the current schema by ``greenfolio.store.migrate`` (the indexes included).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import count

from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url

from greenfolio.services import demo, portfolio, synthetic
from greenfolio.services.database import Database
from greenfolio.services.portfolio import WorkSpec
from greenfolio.store import migrate
from greenfolio.store.tables import ResultRow, WorkRow

DEFAULT_PROJECTS = 100_000
DEFAULT_SQLITE = "/tmp/greenfolio_bench_100k.sqlite"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_PG_DB = "greenfolio_bench_100k"
BACKENDS = ("sqlite", "postgresql")
WRITE_KEY = "bench-write"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--projects", type=int, default=DEFAULT_PROJECTS)
    parser.add_argument("--backend", choices=[*BACKENDS, "both"], default="both")
    parser.add_argument(
        "--sqlite", default=DEFAULT_SQLITE, help="SQLite file, built once (default %(default)s)"
    )
    parser.add_argument(
        "--pg-url", default=DEFAULT_PG_URL, help="PostgreSQL server (default %(default)s)"
    )
    parser.add_argument(
        "--pg-db", default=DEFAULT_PG_DB, help="its database, built once (default %(default)s)"
    )


def backends(args: argparse.Namespace) -> tuple[str, ...]:
    return BACKENDS if args.backend == "both" else (args.backend,)


def url_of(backend: str, args: argparse.Namespace) -> str:
    """The database URL of ``backend``; a PostgreSQL database is created when missing."""
    if backend == "sqlite":
        return f"sqlite:///{args.sqlite}"
    admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            known = conn.exec_driver_sql(
                "SELECT 1 FROM pg_database WHERE datname = %(name)s", {"name": args.pg_db}
            ).first()
            if known is None:
                conn.exec_driver_sql(f'CREATE DATABASE "{args.pg_db}"')
    finally:
        admin.dispose()
    return make_url(args.pg_url).set(database=args.pg_db).render_as_string(hide_password=False)


def portfolio_of(url: str, projects: int) -> Database:
    """The database at ``url`` with the demo and ``projects`` synthetic projects, built
    when it has none yet, migrated to the current schema either way."""
    db = Database.open(url)
    if migrate.current_revision(db.engine) != migrate.head_revision():
        started = time.perf_counter()
        db.upgrade()
        print(f"  schema brought up to date in {time.perf_counter() - started:.1f}s", flush=True)
    with db.transaction() as session:
        have = session.scalar(
            select(func.count()).select_from(WorkRow).where(WorkRow.key.like("synthetic-%"))
        )
    if not have:
        started = time.perf_counter()
        demo.load(db)
        print(f"  building {projects:,} synthetic projects (once) …", flush=True)
        generate(db, projects)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        print(f"  built in {time.perf_counter() - started:.1f}s", flush=True)
    with db.transaction() as session:
        works = session.scalar(select(func.count()).select_from(WorkRow)) or 0
        results = session.scalar(select(func.count()).select_from(ResultRow)) or 0
    print(f"  {db.url}: {works:,} work items, {results:,} results", flush=True)
    return db


def generate(db: Database, projects: int, every: float = 0.1) -> int:
    """``synthetic.generate`` printing its progress (each tenth of the projects, then the
    index builds and statistics) with the time since it began; returns results added."""
    started = time.perf_counter()
    done = 0
    step = max(1, int(projects * every))
    next_report = step

    def progress(size: int) -> None:
        nonlocal done, next_report
        done += size
        if done >= next_report or done == projects:
            elapsed = time.perf_counter() - started
            print(f"  loading: {done:,}/{projects:,} projects ({elapsed:.1f}s)", flush=True)
            next_report = (done // step + 1) * step

    def note(text: str) -> None:
        print(f"  {text} ({time.perf_counter() - started:.1f}s)", flush=True)

    added = synthetic.generate(db, projects, progress=progress, note=note)
    note(f"{projects:,} projects, {added:,} results loaded")
    return added


_writes = count(1)


def write(db: Database) -> None:
    """A real write through a service (a project's title changes), as a user makes one:
    it appends an audit event, so every cached view is stale afterwards."""
    portfolio.register_work(
        db,
        WorkSpec(
            key=WRITE_KEY,
            kind="project",
            title={"en": f"Benchmark write {next(_writes)}"},
            status="implementation",
            countries=["BRA"],
            terms=["focus_area:b"],
        ),
    )


def seconds(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


@dataclass(frozen=True)
class Timings:
    runs: tuple[float, ...]

    def quantile(self, q: float) -> float:
        ordered = sorted(self.runs)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    def describe(self) -> str:
        ms = [r * 1000 for r in self.runs]
        return (
            f"median={statistics.median(ms):7.1f}ms p99={self.quantile(0.99) * 1000:7.1f}ms "
            f"max={max(ms):7.1f}ms (n={len(ms)})"
        )


def peak_rss_mib() -> float:
    """This process's peak resident set size so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
