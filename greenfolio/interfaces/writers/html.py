"""Write a report document as a standalone HTML page, figures linked to their sources."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from greenfolio import __version__
from greenfolio.domain.document import Document
from greenfolio.domain.typography import raised_letters, unbroken_spans
from greenfolio.interfaces import files
from greenfolio.interfaces.writers import bidi
from greenfolio.interfaces.writers.charts import RenderedChart
from greenfolio.services.chart_sources import ChartSource
from greenfolio.services.report_sources import SourceEntry

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("greenfolio.interfaces.writers", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _islands(text: str, direction: str = "ltr") -> Markup:
    """Escaped ``text``; in right-to-left documents, numeric ranges and addresses are
    isolated left to right (``<bdi dir="ltr">``) so that the bidi algorithm keeps them whole.
    Document symbols (GC.18/Res.7), numeric ranges and hyphenated names are no-wrap spans."""
    if direction != "rtl":
        return _whole_symbols(text, "span")
    return Markup("").join(
        Markup('<bdi dir="ltr">{}</bdi>').format(piece) if ltr else _whole_symbols(piece, "bdi")
        for piece, ltr in bidi.spans(text)
    )


def _whole_symbols(text: str, tag: str) -> Markup:
    """Escaped ``text`` with each span kept whole (``unbroken_spans``) in a ``nowrap``
    element (white-space: nowrap), a left-to-right ``<bdi>`` in right-to-left text."""
    opening = Markup('<bdi dir="ltr" class="nowrap">' if tag == "bdi" else '<span class="nowrap">')
    closing = Markup(f"</{tag}>")
    return Markup("").join(
        opening + escape(piece) + closing if symbol else _raised(piece)
        for piece, symbol in unbroken_spans(text)
    )


def _raised(text: str) -> Markup:
    """Escaped ``text`` with the superior letters of "1er" in ``<sup>``."""
    return Markup("").join(
        Markup("<sup>{}</sup>").format(piece) if up else escape(piece)
        for piece, up in raised_letters(text)
    )


_ENV.filters["islands"] = _islands
_ENV.filters["raised"] = _raised
_ENV.filters["paragraph_number"] = bidi.paragraph_number


def render_html(
    doc: Document,
    charts: Mapping[str, RenderedChart] | None = None,
    sources: Sequence[SourceEntry] = (),
    chart_sources: Sequence[ChartSource] = (),
) -> str:
    """The page; ``sources`` (``services.report_sources``) become its "Sources of the
    figures", in the document's words, and ``chart_sources`` (``services.chart_sources``)
    one entry per chart there, which the chart's source note links to."""
    return _ENV.get_template("report.html").render(
        doc=doc,
        charts=charts or {},
        sources=sources,
        chart_sources={entry.chart: entry for entry in chart_sources},
        generator=f"greenfolio {__version__}",
    )


def write_html(
    doc: Document,
    path: Path,
    charts: Mapping[str, RenderedChart] | None = None,
    sources: Sequence[SourceEntry] = (),
    chart_sources: Sequence[ChartSource] = (),
) -> Path:
    return files.write_text(path, render_html(doc, charts, sources, chart_sources))
