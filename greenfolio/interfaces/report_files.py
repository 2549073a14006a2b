"""Write built reports to disk in the requested formats, each with a provenance file."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from greenfolio.domain.errors import ValidationError
from greenfolio.interfaces import files
from greenfolio.interfaces.writers import charts as chart_writer
from greenfolio.interfaces.writers import fonts
from greenfolio.interfaces.writers.charts import RenderedChart
from greenfolio.interfaces.writers.docx import write_docx
from greenfolio.interfaces.writers.html import write_html
from greenfolio.interfaces.writers.pdf import write_pdf
from greenfolio.services import chart_sources, report_sources, reporting
from greenfolio.services import explain as explain_service
from greenfolio.services.database import Database, reading
from greenfolio.services.report_definition import load_definition
from greenfolio.services.reporting import BuiltReport

FORMATS = ("html", "docx", "pdf")


def check_formats(formats: list[str]) -> list[str]:
    for fmt in formats:
        if fmt not in FORMATS:
            raise ValidationError(f"unknown format {fmt!r}: choose from {', '.join(FORMATS)}")
    return formats


def render_charts(
    built: BuiltReport, painter: chart_writer.Painter | None = None
) -> dict[str, RenderedChart]:
    """Draw the report's charts in its language, once for every format; a ``painter``
    shared by the languages of a build keeps what it drew."""
    drawing = painter or chart_writer.Painter()
    out = {}
    for ref in built.document.charts:
        if not ref.drawn:  # printed as a table, not drawn
            continue
        data = built.charts[ref.id]
        out[ref.id] = drawing.draw(data, built.document.lang, dict(ref.labels), ref.axis)
    return out


def write(
    built: BuiltReport,
    fmt: str,
    out_dir: Path,
    charts: Mapping[str, RenderedChart] | None = None,
    explanations: Mapping[str, Any] | None = None,
) -> tuple[Path, Path]:
    """Write one format of a built report and its provenance JSON; returns both paths."""
    check_formats([fmt])
    fonts.check([built.document.lang])
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{built.definition}-{built.year}-{built.document.lang}"
    path = out_dir / f"{stem}.{fmt}"
    drawn = charts if charts is not None else render_charts(built)
    if fmt == "html":
        sources = report_sources.entries(built.document, explanations or {})
        explained = frozenset((explanations or {}).keys())
        per_chart = chart_sources.entries(built.document, built.charts, explained)
        write_html(built.document, path, drawn, sources, per_chart)
    elif fmt == "docx":
        write_docx(built.document, path, drawn)
    else:
        write_pdf(built.document, path, drawn)
    provenance = built.provenance()
    provenance["document"] = {
        "file": path.name,
        "format": fmt,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    }
    prov_path = out_dir / f"{path.name}.provenance.json"
    files.write_text(prov_path, json.dumps(provenance, ensure_ascii=False, indent=2))
    return path, prov_path


def write_all(
    db: Database,
    definition: str,
    year: int,
    langs: list[str],
    formats: list[str],
    out_dir: Path,
    step: Callable[[str], None] | None = None,
    session_fields: dict[str, Any] | None = None,
) -> list[Path]:
    """Compute a report once, then render and write every language and format.

    ``step`` is told after each stage (figures, each language, each file), for progress.
    Building only reads, so on SQLite it does not wait for (or hold up) writers.
    """
    with reading():
        return _write_all(db, definition, year, langs, formats, out_dir, step, session_fields)


def _write_all(
    db: Database,
    definition: str,
    year: int,
    langs: list[str],
    formats: list[str],
    out_dir: Path,
    step: Callable[[str], None] | None,
    session_fields: dict[str, Any] | None,
) -> list[Path]:
    done = step or (lambda _description: None)
    check_formats(formats)
    fonts.check(langs)
    computed = reporting.compute(db, load_definition(definition), year)
    done("figures computed")
    written: list[Path] = []
    painter = chart_writer.Painter()
    for lang in langs:
        built = reporting.build(db, definition, year, lang, computed, session_fields)
        charts = render_charts(built, painter)
        notes = None
        if "html" in formats:
            notes = explain_service.explanations(db, [built.figures[f] for f in built.used])
        done(f"rendered {lang}")
        for fmt in formats:
            written += write(built, fmt, out_dir, charts, notes)
            done(f"wrote {lang} {fmt}")
    return written
