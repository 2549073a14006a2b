"""Benchmark: requests per second and latency of the web server on a large portfolio.

Why this exists: the explorer is the public face of the data, read far more often than
written. With 100,000 projects (1,000,000 results) a dashboard, the project list and a
project page should each serve hundreds of requests per second on two cores with a p99
under 100 ms. This script builds such a portfolio (demo + synthetic projects), starts
``greenfolio serve`` with worker processes on 127.0.0.1, signs a viewer in, warms each
worker's cache and then drives each page with keep-alive connections for a bounded time,
printing requests per second and p50/p90/p99 latency per page.

Run it as::

    python benchmarks/api_load.py [--projects N] [--workers 2] [--seconds 10]
                                  [--connections 16] [--db FILE_OR_URL]

``--db`` reuses (or builds once and keeps) a database, so later runs skip the build.
Traffic goes only to 127.0.0.1, to the server this script starts and stops.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url

from greenfolio.domain.permissions import Grant, Role, Scope
from greenfolio.services import accounts, demo, reference, synthetic
from greenfolio.services.database import Database
from greenfolio.store import migrate
from greenfolio.store.tables import WorkRow

HOST = "127.0.0.1"
TARGET_P99_MS = 100.0
TARGET_RPS = 200.0
VIEWER = "bench-viewer"


@dataclass(frozen=True)
class Outcome:
    page: str
    requests: int
    errors: int
    seconds: float
    latencies: tuple[float, ...]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def quantile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0

    def describe(self) -> str:
        mean = statistics.fmean(self.latencies) * 1000 if self.latencies else 0.0
        verdict = "ok" if self.quantile(0.99) < TARGET_P99_MS and self.rps >= TARGET_RPS else "MISS"
        return (
            f"{self.page:<14} requests={self.requests:>6} errors={self.errors} "
            f"rps={self.rps:>7.1f} mean={mean:6.1f}ms p50={self.quantile(0.5):6.1f}ms "
            f"p90={self.quantile(0.9):6.1f}ms p99={self.quantile(0.99):6.1f}ms "
            f"max={max(self.latencies, default=0) * 1000:6.1f}ms [{verdict}]"
        )


def prepare(url: str, projects: int) -> Database:
    """Migrate, load the demo and ``projects`` synthetic projects unless already there."""
    db = Database.open(url)
    if migrate.current_revision(db.engine) != migrate.head_revision():
        db.upgrade()
    reference.sync(db)
    with db.transaction() as session:
        have = session.scalar(
            select(func.count()).select_from(WorkRow).where(WorkRow.key.like("synthetic-%"))
        )
    if not have:
        started = time.perf_counter()
        demo.load(db)
        print(f"loading {projects} synthetic projects …", flush=True)
        synthetic.generate(db, projects)
        print(f"portfolio built in {time.perf_counter() - started:.1f}s", flush=True)
    if VIEWER not in {u.username for u in accounts.users(db, None)}:
        accounts.create_user(
            db, None, VIEWER, accounts.generate_password(), [Grant(Role.VIEWER, Scope.parse("all"))]
        )
    return db


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    code = "from greenfolio.interfaces.cli.app import main; main()"
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            code,
            "serve",
            "--db",
            url,
            "--host",
            HOST,
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


async def _get(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str, cookie: str
) -> int:
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nCookie: {cookie}\r\n"
        "Accept-Language: en\r\n\r\n".encode()
    )
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    await reader.readexactly(length)
    return status


async def _drive(
    port: int, paths: Sequence[str], cookie: str, seconds: float, connections: int
) -> tuple[int, int, list[float]]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def one(offset: int) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(HOST, port)
        i = offset
        try:
            while time.perf_counter() < deadline:
                path = paths[i % len(paths)]
                i += connections
                started = time.perf_counter()
                status = await _get(reader, writer, path, cookie)
                latencies.append(time.perf_counter() - started)
                if status != 200:
                    errors += 1
        finally:
            writer.close()

    await asyncio.gather(*(one(n) for n in range(connections)))
    return len(latencies), errors, latencies


def wait_ready(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = process.stderr.read().decode() if process.stderr else ""
            raise SystemExit(f"the server exited: {err}")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def warm(port: int, paths: Sequence[str], cookie: str, workers: int, seconds: float) -> None:
    """Fill each worker's caches (dashboard figures, map) before timing."""
    started = time.perf_counter()
    for path in paths:
        _, errors, _ = asyncio.run(_drive(port, [path], cookie, 0.01, 4 * workers))
        if errors:
            raise SystemExit(f"warm-up of {path} failed")
    asyncio.run(_drive(port, list(paths), cookie, min(2.0, seconds), 4 * workers))
    print(f"warm-up {time.perf_counter() - started:.1f}s", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10.0, help="per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--db", help="database to reuse or build and keep")
    parser.add_argument(
        "--pg-url",
        help="PostgreSQL server: build a throw-away database there (dropped at the end)",
    )
    args = parser.parse_args(argv)
    if not 0 < args.seconds <= 120 or not 0 < args.connections <= 256:
        parser.error("--seconds must be in (0, 120] and --connections in (0, 256]")
    folder = tempfile.TemporaryDirectory(prefix="greenfolio_load_")
    with ExitStack() as stack:
        stack.callback(folder.cleanup)
        if args.pg_url:
            url = stack.enter_context(postgresql_database(args.pg_url))
        else:
            url = args.db or str(Path(folder.name) / "load.sqlite")
        return run(url, args)


@contextmanager
def postgresql_database(server_url: str) -> Iterator[str]:
    """A new PostgreSQL database on ``server_url``'s server, dropped on exit."""
    name = f"greenfolio_load_{secrets.token_hex(4)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def run(url: str, args: argparse.Namespace) -> int:
    """Build or reuse the portfolio at ``url``, serve it and time each page."""
    db = prepare(url, args.projects)
    with db.transaction() as session:
        keys = list(
            session.scalars(
                select(WorkRow.key)
                .where(WorkRow.key.like("synthetic-%"))
                .order_by(func.random())
                .limit(500)
            )
        )
        total = session.scalar(select(func.count()).select_from(WorkRow))
    viewer = next(u for u in accounts.users(db, None) if u.username == VIEWER)
    cookie = f"gf_session={accounts.start_session(db, viewer.id)}"
    db.close()
    rng = random.Random(7)
    pages = {
        "dashboard": ["/"],
        "project list": [f"/projects?page={rng.randint(1, 200)}" for _ in range(200)],
        "project page": [f"/projects/{k}" for k in keys],
        "api projects": [f"/api/v1/projects?page={rng.randint(1, 200)}" for _ in range(200)],
    }
    port = _free_port()
    server = start_server(url, port, args.workers)
    outcomes: list[Outcome] = []
    try:
        wait_ready(port, server)
        warm(port, [p[0] for p in pages.values()], cookie, args.workers, args.seconds)
        print(
            f"backend={make_url(Database.open(url).url).get_backend_name()} projects={total} "
            f"workers={args.workers} connections={args.connections} seconds={args.seconds} "
            f"cores={os.cpu_count()}",
            flush=True,
        )
        for name, paths in pages.items():
            started = time.perf_counter()
            count, errors, lat = asyncio.run(
                _drive(port, paths, cookie, args.seconds, args.connections)
            )
            outcome = Outcome(name, count, errors, time.perf_counter() - started, tuple(lat))
            outcomes.append(outcome)
            print(outcome.describe(), flush=True)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
    return 1 if any(o.errors for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
