"""Write built reports to disk in the requested formats, each with a provenance file."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from greenfolio.domain.errors import ValidationError
from greenfolio.interfaces.writers.docx import write_docx
from greenfolio.interfaces.writers.html import write_html
from greenfolio.services.reporting import BuiltReport

FORMATS = ("html", "docx")


def check_formats(formats: list[str]) -> list[str]:
    for fmt in formats:
        if fmt not in FORMATS:
            raise ValidationError(f"unknown format {fmt!r}: choose from {', '.join(FORMATS)}")
    return formats


def write(built: BuiltReport, fmt: str, out_dir: Path) -> tuple[Path, Path]:
    """Write one format of a built report and its provenance JSON; returns both paths."""
    check_formats([fmt])
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{built.definition}-{built.year}-{built.document.lang}"
    path = out_dir / f"{stem}.{fmt}"
    if fmt == "html":
        write_html(built.document, path)
    else:
        write_docx(built.document, path)
    provenance = built.provenance()
    provenance["document"] = {
        "file": path.name,
        "format": fmt,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    }
    prov_path = out_dir / f"{path.name}.provenance.json"
    prov_path.write_text(json.dumps(provenance, ensure_ascii=False, indent=2), encoding="utf-8")
    return path, prov_path
