"""Write a report document as DOCX with python-docx.

Footnote marks are superscript numbers; the notes follow the last section, since
python-docx has no API for page-foot notes. Right-to-left languages get bidirectional
paragraphs and runs, so Word lays them out from the right.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from docx import Document as new_docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from greenfolio.domain.document import Document
from greenfolio.interfaces import files
from greenfolio.interfaces.writers.charts import RenderedChart

_EAST_ASIAN_FONT = {"zh": "SimSun"}


def _set_fonts(docx: object, lang: str) -> None:
    style = docx.styles["Normal"]  # type: ignore[attr-defined]
    style.font.name = "Times New Roman"
    style.font.size = Pt(11)
    east = _EAST_ASIAN_FONT.get(lang)
    if east:
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), east)


def _right_to_left(paragraph: Any) -> None:
    """Mark a paragraph and its runs right-to-left (w:bidi, w:rtl)."""
    p_pr = paragraph._p.get_or_add_pPr()
    p_pr.append(OxmlElement("w:bidi"))
    for run in paragraph.runs:
        run._r.get_or_add_rPr().append(OxmlElement("w:rtl"))


def write_docx(
    doc: Document, path: Path, charts: Mapping[str, RenderedChart] | None = None
) -> Path:
    out = new_docx()
    _set_fonts(out, doc.lang)
    core = out.core_properties
    core.title = doc.header.title
    core.language = doc.lang
    head = doc.header
    for line in (
        head.symbol,
        head.organ,
        head.session,
        head.dates_place,
        head.agenda_item,
        head.distribution,
        head.original_language,
    ):
        if line:
            out.add_paragraph(line)
    out.add_heading(head.title, level=1)
    sub = out.add_paragraph()
    sub.add_run(head.subtitle).italic = True
    if head.summary:
        out.add_paragraph(head.summary)
    for section in doc.sections:
        out.add_heading(f"{section.label} {section.heading}", level=2)
        for para in section.paragraphs:
            p = out.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            p.add_run(f"{para.number}.\t")
            for run in para.runs:
                piece = p.add_run(run.text)
                if run.footnote is not None:
                    piece.font.superscript = True
            for chart in doc.charts_after(para.key):
                if charts and chart.id in charts:
                    out.add_picture(io.BytesIO(charts[chart.id].png), width=Cm(15))
                    out.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
                caption = out.add_paragraph(
                    f"{doc.words.get('figure', '')} {chart.number}. {chart.caption}"
                )
                caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if doc.footnotes:
        out.add_paragraph("—" * 10)
        for note in doc.footnotes:
            p = out.add_paragraph()
            mark = p.add_run(str(note.number))
            mark.font.superscript = True
            p.add_run(f" {note.text}").font.size = Pt(9)
    if doc.direction == "rtl":
        for paragraph in out.paragraphs:
            _right_to_left(paragraph)
    with files.replacing(path) as tmp:
        out.save(str(tmp))
    return path
