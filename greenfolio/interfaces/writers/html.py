"""Write a report document as a standalone HTML page."""

from __future__ import annotations

from pathlib import Path

import jinja2

from greenfolio import __version__
from greenfolio.domain.document import Document

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("greenfolio.interfaces.writers", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(doc: Document) -> str:
    return _ENV.get_template("report.html").render(doc=doc, generator=f"greenfolio {__version__}")


def write_html(doc: Document, path: Path) -> Path:
    path.write_text(render_html(doc), encoding="utf-8")
    return path
