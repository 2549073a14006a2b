"""The reverse proxy of ``deploy/`` in front of two real ``greenfolio serve`` processes on one
PostgreSQL, as compose.yaml runs them: Debian's Caddy reads ``deploy/Caddyfile`` itself (only
the listening port and the two upstream addresses are put in for this machine), a user signs in
through it, works through it, and keeps working when one process stops.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from greenfolio.domain.permissions import Grant, Role, Scope
from greenfolio.services import accounts
from greenfolio.services.database import Database
from tests.live_servers import HOST, PASSWORD, ROOT, as_user, free_port, server, sign_in

pytestmark = pytest.mark.slow  # starts two servers and a proxy; CI runs it

CADDYFILE = ROOT / "deploy" / "Caddyfile"


def _caddy() -> str:
    found = shutil.which("caddy")
    if found is None:
        message = "Caddy is not installed (apt-get install caddy; ./scripts/test installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; under CI the proxy test must run")
        pytest.skip(message)
    return found


def _local_caddyfile(port: int, upstreams: list[str]) -> str:
    """deploy/Caddyfile as shipped, with this machine's port and upstreams put in; fails
    when the shipped file no longer has the shape the deployment notes describe."""
    shipped = CADDYFILE.read_text(encoding="utf-8")
    assert ":8080 {" in shipped and "reverse_proxy app1:8000 app2:8000 {" in shipped
    local = shipped.replace(":8080 {", f":{port} {{").replace(
        "reverse_proxy app1:8000 app2:8000 {", f"reverse_proxy {' '.join(upstreams)} {{"
    )
    # No admin endpoint (parallel test runs would share its port) and no certificates.
    return "{\n\tadmin off\n\tauto_https off\n}\n" + local


@contextmanager
def proxy(upstreams: list[str], folder: Path) -> Iterator[str]:
    port = free_port()
    config = folder / "Caddyfile"
    config.write_text(_local_caddyfile(port, upstreams), encoding="utf-8")
    process = subprocess.Popen(
        [_caddy(), "run", "--config", str(config), "--adapter", "caddyfile"],
        env={**os.environ, "HOME": str(folder), "XDG_DATA_HOME": str(folder)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                err = process.stderr.read().decode() if process.stderr else ""
                raise AssertionError(f"Caddy exited: {err}")
            try:
                if httpx.get(f"http://{HOST}:{port}/login", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "Caddy did not start"
            time.sleep(0.2)
        yield f"http://{HOST}:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_the_proxy_spreads_a_session_over_both_processes_and_skips_a_stopped_one(
    demo_db: Database, tmp_path: Path
) -> None:
    accounts.create_user(demo_db, None, "ada", PASSWORD, [Grant(Role.EDITOR, Scope.parse("all"))])
    url = demo_db.engine.url.render_as_string(hide_password=False)
    with server(url) as first, ExitStack() as second_process:
        second = second_process.enter_context(server(url))
        with proxy([first[7:], second[7:]], tmp_path) as front:
            secret = sign_in(front)
            with as_user(front, secret) as web, as_user(second, secret) as direct:
                for _ in range(6):  # round robin: both processes answer for the session
                    me = web.get("/api/v1/me")
                    assert me.status_code == 200 and me.json()["name"] == "ada"
                made = web.post(
                    "/api/v1/projects",
                    json={
                        "key": "behind-the-proxy",
                        "kind": "project",
                        "title": {"en": "Made through the proxy"},
                        "countries": ["GHA"],
                    },
                    headers={"X-CSRF-Token": accounts.csrf_token(secret)},
                )
                assert made.status_code == 201, made.text
                seen = direct.get("/projects/behind-the-proxy")  # the write, on the second
                assert seen.status_code == 200 and "Made through the proxy" in seen.text
                # The second process stops behind the running proxy: it is skipped and the
                # session goes on.
                second_process.close()
                with pytest.raises(httpx.ConnectError):
                    direct.get("/login")
                for _ in range(6):
                    page = web.get("/projects/behind-the-proxy")
                    assert page.status_code == 200 and "Made through the proxy" in page.text
