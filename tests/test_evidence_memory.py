"""An upload is streamed to disk, never held whole in memory: a real server process (uvicorn)
receives a 96 MiB evidence file, and its peak resident memory grows by far less than the
file; the file comes back byte for byte. A file over the limit is refused from its
declared length, before its body is read."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from greenfolio.services.database import Database
from greenfolio.services.evidence_store import ENV_MAX_MB
from tests.evidence_files import make_setup

ROOT = Path(__file__).resolve().parents[1]
SERVE = (
    "import sys, uvicorn\n"
    "from greenfolio.interfaces.api.app import create_app\n"
    "from greenfolio.services.database import Database\n"
    "uvicorn.run(create_app(Database.open(sys.argv[1])), host='127.0.0.1',"
    " port=int(sys.argv[2]), log_level='warning')\n"
)
MiB = 1024 * 1024
SIZE_MIB = 96
"""Larger than the memory a warm server may hold freed but resident, so a file kept in
memory would show in its peak."""


def _peak_mib(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_large_upload_is_streamed_not_held_in_memory(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = make_setup(db, tmp_path, monkeypatch)
    big = tmp_path / "scan.pdf"
    with open(big, "wb") as out:
        out.write(b"%PDF-1.4\n")
        for _ in range(SIZE_MIB):
            out.write(os.urandom(MiB))
    digest = hashlib.sha256(big.read_bytes()).hexdigest()
    port = _port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), ENV_MAX_MB: str(SIZE_MIB + 1)}
    child = subprocess.Popen(
        [sys.executable, "-c", SERVE, str(db.engine.url.database), str(port)], env=env
    )
    try:
        base = f"http://127.0.0.1:{port}/api/v1/results/{s.result_id}/evidence"
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base, headers=s.editor.auth, timeout=2)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        small = httpx.post(
            base, files={"file": ("a.pdf", b"%PDF-1.4\n%small\n")}, headers=s.editor.auth
        )
        assert small.status_code == 201, small.text
        before = _peak_mib(child.pid)
        with open(big, "rb") as handle:
            sent = httpx.post(
                base, files={"file": ("scan.pdf", handle)}, headers=s.editor.auth, timeout=120
            )
        assert sent.status_code == 201, sent.text
        grown = _peak_mib(child.pid) - before
        print(f"peak RSS {before:.1f} MiB before, +{grown:.1f} MiB for a {SIZE_MIB} MiB upload")
        assert sent.json()["sha256"] == digest
        assert grown < SIZE_MIB / 8, f"the server's peak memory grew by {grown:.1f} MiB"
        got = httpx.get(f"{base}/{sent.json()['id']}", headers=s.editor.auth, timeout=120)
        assert hashlib.sha256(got.content).hexdigest() == digest
        # declared longer than the limit allows: refused before the body is read
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            token = s.editor.auth["Authorization"]
            raw.sendall(
                (
                    f"POST /api/v1/results/{s.result_id}/evidence HTTP/1.1\r\n"
                    f"Host: 127.0.0.1\r\nAuthorization: {token}\r\n"
                    "Content-Type: multipart/form-data; boundary=x\r\n"
                    f"Content-Length: {(SIZE_MIB + 2) * MiB}\r\n\r\n--x\r\n"
                ).encode()
            )
            answer = raw.recv(4096).decode("latin-1")
        assert answer.startswith("HTTP/1.1 413"), answer
    finally:
        child.terminate()
        child.wait(timeout=10)
