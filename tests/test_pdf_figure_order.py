"""In the PDF a figure (a chart, or a table standing for one) follows the paragraph it
illustrates, as in HTML and DOCX: never above it at the top of the page, and on the first
page never above the document's header. Read back in text order (pdftotext), page by page,
for the three report definitions in the six languages."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from greenfolio.domain.document import Document
from greenfolio.interfaces.report_files import render_charts
from greenfolio.interfaces.writers.pdf import write_pdf
from greenfolio.services import reporting
from greenfolio.services.database import Database
from tests.pdf_text import pdf_text

LANGS = ("ar", "zh", "en", "fr", "ru", "es")
BUILDS = (("montreal", 2020), ("gef", 2021), ("board", 2021))
_IGNORED = re.compile(r"[\s\u00ad\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
"""Spaces and direction marks: pdftotext breaks lines, and isolates right-to-left runs."""
_WORDS = re.compile(r"[^\W\d_]+(?:\s+[^\W\d_]+)*")
"""Words without digits or marks between them: digits and brackets in right-to-left text
come back reordered."""

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="poppler-utils not installed (scripts/test installs it)",
)


def _flat(text: str) -> str:
    return _IGNORED.sub("", text)


def _header(pages: list[str], title: str) -> tuple[int, int]:
    """Where the document's title is on the first page (it heads every later one too)."""
    assert _flat(title) in pages[0], title
    return 0, pages[0].find(_flat(title))


def _end(pages: list[str], text: str) -> tuple[int, int]:
    """Where ``text`` ends: the place of its last run of words (up to 30 letters of it)
    that the document has once."""
    for run in reversed(_WORDS.findall(text)):
        key = _flat(run)[-30:]
        found = [(i, page.find(key)) for i, page in enumerate(pages) if key in page]
        if len(key) >= 6 and len(found) == 1 and pages[found[0][0]].count(key) == 1:
            return found[0]
    raise AssertionError(f"no words of {text!r} found once in the PDF")


def _paragraph(doc: Document, key: str) -> str:
    para = next(p for s in doc.sections for p in s.paragraphs if p.key == key)
    return "".join(r.text for r in para.runs if r.footnote is None)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.parametrize("lang", LANGS)
def test_a_figure_follows_its_paragraph_and_the_header(
    demo_db: Database, tmp_path: Path, lang: str
) -> None:
    checked = 0
    for definition, year in BUILDS:
        built = reporting.build(demo_db, definition, year, lang)
        doc = built.document
        path = write_pdf(doc, tmp_path / f"{definition}.pdf", render_charts(built))
        pages = [_flat(page) for page in pdf_text(path).split("\f")]
        header = _header(pages, doc.header.title)
        for chart in doc.charts:
            caption = _end(pages, chart.caption)
            paragraph = _end(pages, _paragraph(doc, chart.after))
            assert header < caption, (definition, chart.id, "above the header")
            assert paragraph < caption, (definition, chart.id, "above its paragraph")
            checked += 1
    assert checked >= 6
