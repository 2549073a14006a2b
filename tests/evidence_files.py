"""Real files of each kind an evidence upload may be, made by the libraries that write
them (python-docx, openpyxl, zipfile, zlib), plus files that must be refused; and the
project, users and result the evidence tests share (no tests of its own)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from fastapi.testclient import TestClient

from greenfolio.services.database import Database
from greenfolio.services.evidence_store import ENV_DIR
from tests.test_api_support import User, add_project, add_user, client


def pdf() -> bytes:
    """A one-page PDF with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for at in offsets:
        out += b"%010d 00000 n \n" % at
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def png(width: int = 3, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00"
    b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
"""A 1×1 GIF (chromium decodes it: naturalWidth 1)."""
WEBP = (
    b"RIFF\x1a\x00\x00\x00WEBPVP8L\r\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88"
    b"\xfe\x07\x00"
)
"""A 1×1 lossless WebP (chromium decodes it: naturalWidth 1)."""
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10">'
    '<rect width="20" height="10"/></svg>'
)


def jpeg() -> bytes:
    """A JPEG drawn by vl-convert (the chart renderer the reports use)."""
    import vl_convert

    return bytes(vl_convert.svg_to_jpeg(SVG))


def rendered_pdf() -> bytes:
    """A PDF written by vl-convert."""
    import vl_convert

    return bytes(vl_convert.svg_to_pdf(SVG))


def docx() -> bytes:
    document = Document()
    document.add_paragraph("Certificate of destruction: 250 t of PCB oil, 2021.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["site", "tonnes"])
    sheet.append(["Phnom Penh", 250])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def odt() -> bytes:
    """An OpenDocument text: ``mimetype`` first and stored, as the format requires."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text",
            compress_type=zipfile.ZIP_STORED,
        )  # fmt: skip
        archive.writestr("content.xml", "<office:document-content/>")
        archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
    return out.getvalue()


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("photos/site-1.txt", "a field note")
    return out.getvalue()


def exe() -> bytes:
    """The start of a Windows program (MZ header, PE signature)."""
    head = bytearray(b"MZ" + b"\x90\x00" * 29 + b"\x00" * 2)
    head += b"\x80\x00\x00\x00"
    return bytes(head.ljust(0x80, b"\x00") + b"PE\x00\x00" + b"\x4c\x01" + b"\x00" * 200)


@dataclass
class Setup:
    db: Database
    api: TestClient
    editor: User
    reviewer: User
    outsider: User
    viewer: User
    result_id: int
    folder: Path


def make_setup(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Setup:
    """A project in Cambodia with one draft result entered by a Cambodian editor; a
    reviewer, a viewer of Cambodia and an editor of Brazil. On PostgreSQL the evidence
    folder is set (it is required there); on SQLite it is the default beside the file."""
    if db.engine.dialect.name == "sqlite":
        monkeypatch.delenv(ENV_DIR, raising=False)
        assert db.engine.url.database is not None
        folder = Path(db.engine.url.database).resolve().with_name("test.sqlite.evidence")
    else:
        folder = tmp_path / "evidence"
        monkeypatch.setenv(ENV_DIR, str(folder))
    add_project(db, "ev-khm", "pops", "KHM")
    add_project(db, "ev-bra", "montreal_protocol", "BRA")
    editor = add_user(db, "ed-khm", "editor@country:KHM")
    reviewer = add_user(db, "rev", "reviewer@all")
    outsider = add_user(db, "ed-bra", "editor@country:BRA")
    viewer = add_user(db, "view-khm", "viewer@country:KHM")
    api = client(db)
    made = api.post(
        "/api/v1/results",
        json={"work": "ev-khm", "indicator": "pops_destroyed", "value": 250, "unit": "t",
              "period_start": "2021-01-01", "period_end": "2021-12-31"},
        headers=editor.auth,
    )  # fmt: skip
    assert made.status_code == 201, made.text
    return Setup(db, api, editor, reviewer, outsider, viewer, made.json()["id"], folder)


def stored_files(folder: Path) -> list[Path]:
    """Files the store holds (spooled uploads in progress are not kept)."""
    if not folder.exists():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.parent.name != "incoming")
