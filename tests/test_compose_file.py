"""``deploy/compose.yaml``, ``deploy/Caddyfile`` and ``deploy/Dockerfile`` read as the
tools that run them would, without a Docker daemon (none runs where the tests run):

- the compose file is valid under the Compose Specification's own JSON schema (carried in
  ``tests/data/compose``, Apache-2.0, with its source);
- what the files name exists: every command a service runs is a Greenfolio command with
  those options, each process listens where Caddy sends requests, only Caddy publishes a
  port, the app processes start after the migration and the migration after a healthy
  database, and every path the Dockerfile copies is in the repository.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import jsonschema_rs
import pytest
import yaml

from tests.live_servers import HOST, free_port

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
SCHEMA = Path(__file__).parent / "data" / "compose" / "compose-spec.json"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    found: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return found


def _apps(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: spec
        for name, spec in compose["services"].items()
        if spec.get("command", [])[1:2] == ["serve"]
    }


def test_the_compose_file_is_valid_under_the_compose_specification(
    compose: dict[str, Any],
) -> None:
    validator = jsonschema_rs.Draft7Validator(json.loads(SCHEMA.read_text()))
    errors = [
        f"{'/'.join(map(str, e.instance_path))}: {e.message}"
        for e in validator.iter_errors(compose)
    ]
    assert errors == []
    # the schema itself catches a misplaced key: the check is not vacuous
    broken = {**compose, "services": {"app1": {"command": 1, "portz": ["8080"]}}}
    assert not validator.is_valid(broken)


def test_each_service_runs_a_greenfolio_command_that_exists(compose: dict[str, Any]) -> None:
    commands = [s["command"] for s in compose["services"].values() if "command" in s]
    commands.append(["greenfolio", "users", "create-admin"])  # the README's next step
    assert len(commands) >= 4
    for command in commands:
        assert command[0] == "greenfolio"
        words = [w for w in command[1:] if not w.startswith("-") and not re.match(r"^[\d.]+$", w)]
        shown = subprocess.run(
            [sys.executable, "-m", "greenfolio", *words, "--help"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert shown.returncode == 0, (command, shown.stderr)
        for option in (w for w in command[1:] if w.startswith("--")):
            assert option in shown.stdout, (command, option)


def test_caddy_sends_requests_where_the_processes_listen(compose: dict[str, Any]) -> None:
    caddy = (DEPLOY / "Caddyfile").read_text()
    upstreams = re.search(r"reverse_proxy ([^{]+)\{", caddy)
    assert upstreams is not None
    listening = {
        f"{name}:{spec['command'][spec['command'].index('--port') + 1]}"
        for name, spec in _apps(compose).items()
    }
    assert set(upstreams[1].split()) == listening and len(listening) == 2
    proxy = compose["services"]["proxy"]
    assert proxy["volumes"] == ["./Caddyfile:/etc/caddy/Caddyfile:ro"]
    site = re.search(r"^:(\d+) \{", caddy, re.M)
    assert site is not None and proxy["ports"] == [f"{site[1]}:{site[1]}"]


def test_only_the_proxy_is_published_and_the_processes_start_in_order(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    assert [n for n, s in services.items() if "ports" in s] == ["proxy"]
    assert services["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert services["migrate"]["command"] == ["greenfolio", "db", "upgrade"]
    for spec in _apps(compose).values():
        assert spec["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
        assert spec["environment"]["GREENFOLIO_DB"].startswith("postgresql+psycopg://")
        assert "@db:5432/" in spec["environment"]["GREENFOLIO_DB"]
    assert "healthcheck" in services["db"]


def test_every_path_the_dockerfile_copies_is_in_the_repository() -> None:
    copied = [
        line.split()[1:-1]
        for line in (DEPLOY / "Dockerfile").read_text().splitlines()
        if line.startswith("COPY ")
    ]
    assert copied
    for sources in copied:
        for source in sources:
            assert (ROOT / source).exists(), source


def test_the_image_installs_the_fonts_the_reports_need() -> None:
    from greenfolio.interfaces.writers.fonts import PACKAGES

    steps = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    installs = [line for line in steps.splitlines() if "apt-get install" in line]
    assert installs
    assert set(PACKAGES.values()) <= set(installs[0].split())


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_the_dockerfile_steps_give_a_working_install(empty_db: Any, tmp_path: Path) -> None:
    """The image's Python steps, run here in a new virtual environment (no Docker daemon
    where the tests run): the locked runtime requirements with their hashes, then the
    package from exactly the paths the Dockerfile copies, not editable. The install then
    upgrades an empty PostgreSQL database, writes the demo's reports in every format and
    serves the sign-in page: its package data (templates, reference data, report
    definitions) is all there."""
    build = tmp_path / "app"
    for line in (DEPLOY / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY "):
            *sources, target = line.split()[1:]
            for source in sources:
                # into a folder ("./", "dir/"): under its own name, as Docker puts it
                dest = (
                    build / target / Path(source).name if target.endswith("/") else build / target
                )
                if (ROOT / source).is_dir():
                    shutil.copytree(ROOT / source, dest)
                else:
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy(ROOT / source, dest)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    runs = [
        line.removeprefix("RUN ").split(" && ")[0].split()
        for line in (DEPLOY / "Dockerfile").read_text().splitlines()
        if line.startswith("RUN pip install")
    ]
    assert len(runs) == 2
    for words in runs:
        subprocess.run([*pip, *words[1:]], cwd=build, check=True, capture_output=True)
    env = {**os.environ, "GREENFOLIO_DB": str(empty_db.url)}
    env.pop("PYTHONPATH", None)
    cli = str(venv / "bin" / "greenfolio")
    done = subprocess.run([cli, "db", "upgrade"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "out"
    demo = [cli, "demo", "--out", str(out), "--lang", "all", "--format", "html,docx,pdf"]
    done = subprocess.run(demo, env=env, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert len(list(out.glob("board-2021-*.pdf"))) == 6
    port = free_port()
    serve = subprocess.Popen(
        [cli, "serve", "--host", HOST, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = httpx.get(f"http://{HOST}:{port}/login", timeout=5)
                break
            except httpx.TransportError:
                assert serve.poll() is None and time.monotonic() < deadline
                time.sleep(0.3)
        assert answer.status_code == 200 and "<form" in answer.text
    finally:
        serve.terminate()
        serve.wait(timeout=30)
