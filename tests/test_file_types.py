"""The kind of an evidence file is told from its bytes: each accepted kind made by the
program that writes it, and files that only look like one by their name or start."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from greenfolio.domain.file_types import (
    FILENAME_LIMIT,
    KINDS,
    UnsupportedFileType,
    clean_filename,
)
from greenfolio.domain.text import TextError
from greenfolio.services.evidence import MAX_ZIP_PARTS, identify
from tests import evidence_files as files

SAMPLES = {
    "pdf": files.pdf,
    "png": files.png,
    "jpeg": files.jpeg,
    "gif": lambda: files.GIF,
    "webp": lambda: files.WEBP,
    "docx": files.docx,
    "xlsx": files.xlsx,
    "odt": files.odt,
    "zip": files.plain_zip,
}


@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_each_kind_is_told_from_its_content(code: str, tmp_path: Path) -> None:
    content = SAMPLES[code]()
    path = tmp_path / "upload"
    path.write_bytes(content)
    assert identify(path, content[:128], "anything.bin") == KINDS[code]


def test_a_pdf_written_by_a_renderer_is_a_pdf(tmp_path: Path) -> None:
    content = files.rendered_pdf()
    path = tmp_path / "upload"
    path.write_bytes(content)
    assert identify(path, content[:128], None).media_type == "application/pdf"


@pytest.mark.parametrize(
    "content",
    [
        files.exe(),
        b"<!DOCTYPE html><html><script>alert(1)</script></html>",
        b"#!/bin/sh\nrm -rf /\n",
        b"PK\x03\x04 not really an archive",
        b"",
    ],
    ids=["program", "html", "script", "broken zip", "empty"],
)
def test_other_content_is_refused_whatever_its_name(content: bytes, tmp_path: Path) -> None:
    path = tmp_path / "upload"
    path.write_bytes(content)
    with pytest.raises(UnsupportedFileType, match=r"report\.pdf"):
        identify(path, content[:128], "report.pdf")


def test_file_names_keep_their_last_part_and_refuse_control_characters() -> None:
    pdf, sha = KINDS["pdf"], "ab" * 32
    assert clean_filename("C:\\Users\\ana\\Rapport été.pdf", pdf, sha) == "Rapport été.pdf"
    assert clean_filename("../../etc/passwd", pdf, sha) == "passwd.pdf"  # ends as it is
    assert clean_filename("", pdf, sha) == f"evidence-{sha[:12]}.pdf"
    assert clean_filename("..", pdf, sha) == f"evidence-{sha[:12]}.pdf"
    long = clean_filename("x" * 500 + ".pdf", pdf, sha)
    assert len(long) == FILENAME_LIMIT and long.endswith(".pdf")
    with pytest.raises(TextError):
        clean_filename("report\x00.pdf", pdf, sha)
    # the name ends with an extension of the kind read from the content
    assert clean_filename("x.html", pdf, sha) == "x.html.pdf"
    assert clean_filename("photo.JPEG", KINDS["jpeg"], sha) == "photo.JPEG"
    assert clean_filename("photo.png", KINDS["jpeg"], sha) == "photo.png.jpg"
    wrong = clean_filename("y" * 500 + ".html", pdf, sha)
    assert len(wrong) == FILENAME_LIMIT and wrong.endswith("y.pdf")
    # bidirectional controls are taken out (they make a name read otherwise)
    assert clean_filename("invoice\u202efdp.exe", pdf, sha) == "invoicefdp.exe.pdf"
    assert clean_filename("\u2066a\u2069\u200e\u200f\u061c.pdf", pdf, sha) == "a.pdf"


def test_an_archive_listing_too_many_parts_is_refused_unread(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for n in range(MAX_ZIP_PARTS + 1):
            archive.writestr(f"{n}.txt", b"")
    path = tmp_path / "upload"
    path.write_bytes(out.getvalue())
    with pytest.raises(UnsupportedFileType):
        identify(path, out.getvalue()[:128], "many.zip")
