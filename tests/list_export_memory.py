"""Run by tests/test_list_exports.py in subprocesses of their own. ``fill`` adds synthetic
projects (ten results each) and an admin with a token, printed; ``export`` downloads the
whole lists and prints the process's peak resident memory (KiB) after warming up on a few
rows and after the downloads, with the sizes downloaded, as JSON.

Usage: python -m tests.list_export_memory fill DATABASE_FILE PROJECTS
       python -m tests.list_export_memory export DATABASE_FILE TOKEN
"""

from __future__ import annotations

import json
import os
import resource
import sys

from fastapi.testclient import TestClient

from greenfolio.domain.permissions import Grant, Role, Scope
from greenfolio.interfaces.api.app import create_app
from greenfolio.services import accounts, api_tokens, synthetic
from greenfolio.services.database import Database

DOWNLOADS = (
    ("/api/v1/projects", "csv"),
    ("/api/v1/projects", "xlsx"),
    ("/api/v1/results", "csv"),
)


def peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def fill(path: str, projects: int) -> None:
    db = Database.open(path)
    db.upgrade()
    synthetic.generate(db, projects)
    admin = [Grant(Role.ADMIN, Scope.parse("all"))]
    accounts.create_user(db, None, "exporter", "a long passphrase 1", admin)
    token, _ = api_tokens.create_token(db, None, "exporter", "memory")
    print(token)


def export(path: str, token: str) -> None:
    db = Database.open(path)
    api = TestClient(create_app(db))
    auth = {"Authorization": f"Bearer {token}"}
    # Warm up every code path on a few rows, so that imports and caches come before.
    for fmt in ("csv", "xlsx"):
        for list_path in ("/api/v1/projects", "/api/v1/results"):
            few = {"format": fmt, "project": "none", "q": "none"}
            assert api.get(list_path, params=few, headers=auth).status_code == 200
    # Building the app hashes a dummy password (a brief peak of tens of MiB): a forked
    # child starts its own peak from the memory in use now, so only the export counts.
    child = os.fork()
    if child:
        _, status = os.waitpid(child, 0)
        sys.exit(os.waitstatus_to_exitcode(status))
    try:
        db.engine.dispose(close=False)  # the child opens connections of its own
        before = peak_kib()
        sizes: dict[str, int] = {}
        for list_path, fmt in DOWNLOADS:
            with api.stream("GET", list_path, params={"format": fmt}, headers=auth) as got:
                assert got.status_code == 200, got.read()
                sizes[f"{list_path}?format={fmt}"] = sum(len(c) for c in got.iter_bytes())
        print(json.dumps({"before": before, "after": peak_kib(), "sizes": sizes}), flush=True)
        os._exit(0)
    except BaseException as exc:  # the child must never return into the caller's code
        print(repr(exc), file=sys.stderr, flush=True)
        os._exit(1)


if __name__ == "__main__":
    if sys.argv[1] == "fill":
        fill(sys.argv[2], int(sys.argv[3]))
    else:
        export(sys.argv[2], sys.argv[3])
