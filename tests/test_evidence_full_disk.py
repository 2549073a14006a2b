"""An evidence file sent when the evidence folder's disk is full: a real small disk (a
64 KiB tmpfs) holds the folder; the upload is refused with HTTP 507 and a message that
says what to do, nothing is recorded or left behind, and once there is room the same kind
of upload works."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pytest

from greenfolio.interfaces.web.i18n import catalogue
from greenfolio.services.database import Database
from greenfolio.services.evidence_store import ENV_DIR
from tests import evidence_files as files
from tests.evidence_files import Setup, make_setup, stored_files
from tests.test_api_support import browser

SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "small-disk"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        message = f"no small disk to fill here (mount: {mounted.stderr.strip()})"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.fixture
def s(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_disk: Path) -> Setup:
    made = make_setup(db, tmp_path, monkeypatch)
    monkeypatch.setenv(ENV_DIR, str(small_disk / "evidence"))
    made.folder = small_disk / "evidence"
    return made


def _send(s: Setup, content: bytes) -> tuple[int, dict[str, object]]:
    answer = s.api.post(
        f"/api/v1/results/{s.result_id}/evidence",
        files={"file": ("report.pdf", content, "application/pdf")},
        headers=s.editor.auth,
    )
    body: dict[str, object] = answer.json()
    return answer.status_code, body


@SQLITE
def test_a_full_evidence_disk_refuses_the_file_and_keeps_nothing(s: Setup) -> None:
    too_big = files.pdf() + b"%" + b"0" * 200_000 + b"\n"
    status, body = _send(s, too_big)
    assert status == 507, body
    error = body["error"]
    assert isinstance(error, dict) and error["code"] == "insufficient_storage"
    assert "no room left" in str(error["message"]) and ENV_DIR in str(error["message"])
    listed = s.api.get(f"/api/v1/results/{s.result_id}/evidence", headers=s.editor.auth)
    assert listed.json() == [] and stored_files(s.folder) == []
    incoming = s.folder / "incoming"
    assert not incoming.exists() or list(incoming.iterdir()) == []
    status, body = _send(s, files.pdf())  # room for a small one: the refusal left none
    assert status == 201, body
    assert len(stored_files(s.folder)) == 1


@SQLITE
def test_the_page_says_so_in_the_readers_language(s: Setup) -> None:
    web, csrf = browser(s.db, s.editor)
    too_big = files.pdf() + b"%" + b"0" * 200_000 + b"\n"
    for lang in ("fr", "ar"):
        web.cookies.set("lang", lang)
        answer = web.post(
            f"/results/{s.result_id}/evidence?lang={lang}",
            data={"csrf": csrf},
            files={"file": ("rapport.pdf", too_big, "application/pdf")},
        )
        assert answer.status_code == 507, answer.text[:300]
        shown = str(lxml.html.fromstring(answer.text).xpath("string(//main)"))
        said = " ".join(catalogue(lang)["err_evidence_store_full"].split())
        assert said in " ".join(shown.split()), lang
    assert stored_files(s.folder) == []
