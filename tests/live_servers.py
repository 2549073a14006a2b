"""Real ``greenfolio serve`` processes for the tests that start servers (scale-out, the
reverse proxy): each on a port of its own, signed in through the real form."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from greenfolio.interfaces.http.context import CSRF_COOKIE, SESSION_COOKIE

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
PASSWORD = "correct horse battery staple 42"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(url: str, *extra: str) -> Iterator[str]:
    """A ``greenfolio serve`` process on a port of its own (``extra``: more options); its
    base URL."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    code = "from greenfolio.interfaces.cli.app import main; main()"
    args = ["serve", "--db", url, "--host", HOST, "--port", str(port), *extra]
    process = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                err = process.stderr.read().decode() if process.stderr else ""
                raise AssertionError(f"the server exited: {err}")
            try:
                if httpx.get(f"http://{HOST}:{port}/login", timeout=2).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("the server did not start")
            time.sleep(0.3)
        yield f"http://{HOST}:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def sign_in(base: str) -> str:
    """Sign in through the form of the server at ``base``; the session cookie's secret."""
    csrf = secrets.token_urlsafe(16)
    with httpx.Client(base_url=base, follow_redirects=False) as web:
        web.cookies.set(CSRF_COOKIE, csrf)
        answer = web.post("/login", data={"csrf": csrf, "username": "ada", "password": PASSWORD})
        assert answer.status_code == 303, answer.text
        return str(answer.cookies[SESSION_COOKIE])


def as_user(base: str, secret: str) -> httpx.Client:
    web = httpx.Client(base_url=base, follow_redirects=False, timeout=60)
    web.cookies.set(SESSION_COOKIE, secret)
    return web
