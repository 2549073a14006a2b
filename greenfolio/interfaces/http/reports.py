"""Report files as downloads, for the API route and the reports page alike. A definition
is chosen by name among the installed ones (``services.report_catalogue``), never by a
path."""

from __future__ import annotations

import tempfile
from pathlib import Path

from greenfolio.domain.errors import ValidationError
from greenfolio.interfaces import report_files
from greenfolio.services import reporting
from greenfolio.services.database import Database, reading
from greenfolio.services.report_catalogue import resolve

MEDIA = {
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "json": "application/json",
}


def _check(fmt: str) -> None:
    if fmt not in report_files.FORMATS:
        raise ValidationError(
            f"unknown format {fmt!r}: choose from {', '.join(report_files.FORMATS)}"
        )


def build_file(db: Database, definition: str, year: int, lang: str, fmt: str) -> tuple[bytes, str]:
    """Build one report file in a temporary folder; returns its bytes and file name."""
    _check(fmt)
    source = resolve(definition).source
    with reading():
        built = reporting.build(db, source, year, lang)
    with tempfile.TemporaryDirectory(prefix="greenfolio-report-") as tmp:
        path, _ = report_files.write(built, fmt, Path(tmp))
        return path.read_bytes(), path.name
