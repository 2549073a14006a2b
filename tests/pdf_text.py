"""The text of a PDF as poppler's pdftotext reads it, for the tests that check documents
as a reader sees them (``options``: "-raw", "-bbox", "-layout" …)."""

from __future__ import annotations

import subprocess
from pathlib import Path


def pdf_text(path: Path, *options: str) -> str:
    return subprocess.run(
        ["pdftotext", *options, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
