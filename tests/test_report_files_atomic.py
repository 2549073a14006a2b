"""Report files are written whole or not at all: a build that fails part-way leaves the
file that was there before intact and no temporary files behind (issue 12, item 14)."""

from __future__ import annotations

import dataclasses
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from greenfolio.interfaces import report_files
from greenfolio.services import demo, reference, reporting
from greenfolio.services.database import Database
from greenfolio.services.reporting import BuiltReport


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuiltReport:
    folder = tmp_path_factory.mktemp("atomic")
    db = Database.open(str(folder / "demo.sqlite"))
    db.upgrade()
    reference.sync(db)
    demo.load(db)
    report = reporting.build(db, "board", 2021, "en")
    db.close()
    return report


def _broken(report: BuiltReport) -> BuiltReport:
    """The same report with a title that cannot be encoded (a lone surrogate, as a JSON
    client can send): writing fails after the output file was opened."""
    header = dataclasses.replace(report.document.header, title="Report \ud800")
    document = dataclasses.replace(report.document, header=header)
    return dataclasses.replace(report, document=document)


def test_failed_html_build_keeps_the_previous_file(built: BuiltReport, tmp_path: Path) -> None:
    path, prov = report_files.write(built, "html", tmp_path)
    before, prov_before = path.read_bytes(), prov.read_bytes()
    assert len(before) > 1000
    with pytest.raises(UnicodeEncodeError):
        report_files.write(_broken(built), "html", tmp_path)
    assert path.read_bytes() == before
    assert prov.read_bytes() == prov_before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, prov.name])


@pytest.fixture
def tiny_folder(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB filesystem (tmpfs), so that a write really runs out of space."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    folder = tmp_path / "tiny"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # python-docx
def test_disk_full_during_a_build_keeps_the_previous_files(
    built: BuiltReport, tiny_folder: Path
) -> None:
    paths = [report_files.write(built, fmt, tiny_folder)[0] for fmt in ("html", "docx")]
    kept = {p: p.read_bytes() for p in paths}
    free = os.statvfs(tiny_folder).f_bavail * os.statvfs(tiny_folder).f_frsize
    filler = tiny_folder / "filler"
    filler.write_bytes(b"x" * (free - 8192))  # leave less room than either file needs
    for fmt in ("html", "docx"):
        with pytest.raises(OSError):
            report_files.write(built, fmt, tiny_folder)
    for path, content in kept.items():
        assert path.read_bytes() == content
    leftovers = [p.name for p in tiny_folder.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
