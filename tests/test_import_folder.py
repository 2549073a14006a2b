"""Uploads waiting for their confirmation are this account's alone: a folder of its own
(another account could make /tmp/greenfolio-imports first and read or swap the uploads),
files readable by the owner only."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from greenfolio.domain.errors import GreenfolioError
from greenfolio.domain.permissions import Principal
from greenfolio.interfaces.http import import_files


def test_uploads_are_the_owners_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(import_files.ENV_FOLDER, str(tmp_path / "uploads"))
    who = Principal(user_id=7, name="ed")
    sha, path = import_files.keep(who, b"PK\x03\x04 workbook")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert import_files.kept(who, sha) == path


def test_a_folder_others_may_open_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_to_all = tmp_path / "open-to-all"
    open_to_all.mkdir(mode=0o777)
    open_to_all.chmod(0o777)
    monkeypatch.setenv(import_files.ENV_FOLDER, str(open_to_all))
    with pytest.raises(GreenfolioError, match="others may open it"):
        import_files.folder()


def test_the_default_folder_is_this_accounts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import tempfile

    monkeypatch.delenv(import_files.ENV_FOLDER, raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the system's temporary folder
    made = import_files.folder()
    assert made == tmp_path / f"greenfolio-imports-{os.getuid()}"
    assert stat.S_IMODE(made.stat().st_mode) == 0o700
