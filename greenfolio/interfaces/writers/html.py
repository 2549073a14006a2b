"""Write a report document as a standalone HTML page, figures linked to their sources."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2

from greenfolio import __version__
from greenfolio.domain.document import Document
from greenfolio.interfaces import files
from greenfolio.interfaces.writers.charts import RenderedChart

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("greenfolio.interfaces.writers", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(
    doc: Document,
    charts: Mapping[str, RenderedChart] | None = None,
    explanations: Mapping[str, Any] | None = None,
) -> str:
    return _ENV.get_template("report.html").render(
        doc=doc,
        charts=charts or {},
        explanations=explanations or {},
        generator=f"greenfolio {__version__}",
    )


def write_html(
    doc: Document,
    path: Path,
    charts: Mapping[str, RenderedChart] | None = None,
    explanations: Mapping[str, Any] | None = None,
) -> Path:
    return files.write_text(path, render_html(doc, charts, explanations))
