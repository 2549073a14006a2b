"""The load generator's side of benchmarks/api_load.py: servers started on chosen cores,
a keep-alive HTTP/1.1 client on asyncio, and the peak memory of a server's processes.

Traffic goes only to 127.0.0.1, to servers the benchmark starts and stops.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Cores:
    """Which cores the servers run on and which the load generator runs on."""

    server: frozenset[int]
    load: frozenset[int]

    @classmethod
    def split(cls) -> Cores:
        """The last core for the load generator, the others for the servers; with one
        core both share it (said in the output)."""
        have = sorted(os.sched_getaffinity(0))
        if len(have) < 2:
            return cls(frozenset(have), frozenset(have))
        return cls(frozenset(have[:-1]), frozenset(have[-1:]))

    def describe(self) -> str:
        apart = "apart" if not self.server & self.load else "SHARED (one core)"
        return f"server_cores={sorted(self.server)} load_cores={sorted(self.load)} ({apart})"


def pin(cores: frozenset[int]) -> None:
    """Run this process (and what it starts from now on) on ``cores``."""
    os.sched_setaffinity(0, cores)


def start_pinned(argv: list[str], cores: Cores, env: dict[str, str] | None = None) -> Popen:
    """Start ``argv`` on the server cores (its worker processes inherit them), then
    return this process to the load core."""
    pin(cores.server)
    try:
        return subprocess.Popen(
            argv,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**os.environ, **(env or {})},
        )
    finally:
        pin(cores.load)


Popen = subprocess.Popen[bytes]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def greenfolio_server(url: str, port: int, workers: int, cores: Cores) -> Popen:
    """``greenfolio serve`` as a user starts it."""
    code = "from greenfolio.interfaces.cli.app import main; main()"
    argv = [sys.executable, "-c", code, "serve", "--db", url, "--host", HOST]
    return start_pinned([*argv, "--port", str(port), "--workers", str(workers)], cores)


def static_server(port: int, workers: int, cores: Cores) -> Popen:
    """The baseline: a minimal Starlette app under the same uvicorn options."""
    argv = [sys.executable, str(HERE / "load_static.py"), str(port), str(workers)]
    return start_pinned(argv, cores)


def wait_ready(port: int, process: Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = process.stderr.read().decode() if process.stderr else ""
            raise SystemExit(f"a server exited: {err}")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("a server did not start")


def stop(process: Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (from /proc)."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in task.read_text().split():
            found += _tree(int(child))
    return found


def _status(pid: int, field: str) -> str:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return line.split(":", 1)[1].strip()
    return ""


@dataclass(frozen=True)
class Memory:
    processes: int
    peak_kib: int  # sum of each process's VmHWM (peak resident set)
    cpus: str

    @property
    def mib(self) -> float:
        return self.peak_kib / 1024


def memory(process: Popen) -> Memory:
    """The peak resident memory of a server: VmHWM of the server process and each of
    its workers from /proc, summed (an upper bound on their peak together)."""
    pids = _tree(process.pid)
    peaks = [int(_status(p, "VmHWM").split()[0] or 0) for p in pids]
    cpus = sorted({_status(p, "Cpus_allowed_list") for p in pids})
    return Memory(len(pids), sum(peaks), ",".join(cpus))


@dataclass
class Client:
    """One keep-alive connection (opened again if the server closed it while idle)."""

    port: int
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    @classmethod
    async def open(cls, port: int) -> Client:
        reader, writer = await asyncio.open_connection(HOST, port)
        return cls(port, reader, writer)

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes = b""
    ) -> tuple[int, bytes]:
        try:
            return await self._request(method, path, headers, body)
        except (asyncio.IncompleteReadError, ConnectionError):
            # uvicorn closes a keep-alive connection idle for 5 s (its default), as while
            # a baseline query runs at 100,000 projects: one new connection, then retry.
            self.writer.close()
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
            return await self._request(method, path, headers, body)

    async def _request(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, bytes]:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body or method != "GET":
            lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


@dataclass(frozen=True)
class Sample:
    """Latencies (seconds) of the requests of one path in one mode, and for how long
    they ran: wall time under concurrent load (warm), or the sum of the timed requests
    on one connection (cold, where each request follows a write that is not timed)."""

    latencies: tuple[float, ...]
    errors: int
    seconds: float

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def ms(self, q: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def drive(
    port: int, paths: Sequence[str], headers: dict[str, str], seconds: float, connections: int
) -> Sample:
    """``connections`` keep-alive connections cycling through ``paths`` for ``seconds``."""
    latencies: list[float] = []
    errors = 0
    started = time.perf_counter()
    deadline = started + seconds

    async def one(offset: int) -> None:
        nonlocal errors
        client = await Client.open(port)
        i = offset
        try:
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                status, _ = await client.request("GET", paths[i % len(paths)], headers)
                latencies.append(time.perf_counter() - t0)
                errors += status != 200
                i += connections
        finally:
            client.close()

    await asyncio.gather(*(one(n) for n in range(connections)))
    return Sample(tuple(latencies), errors, time.perf_counter() - started)
