"""Write a report document as DOCX with python-docx, in the form of a UN document.

A4 pages with the margins of the PDF; the header block as a borderless table (organ and
symbol, session, dates and place, agenda item, and the distribution block in its own
language); real Word footnotes (the header's marked * and **, the body's numbered); a
running head on the pages after the first and the paper-economy notice at the foot of the
first; every run tagged with its language and fonts; Arabic right to left throughout, with
numeric ranges and addresses isolated left to right.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from docx import Document as new_docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from greenfolio.domain.document import HYPHENATED, UPRIGHT_SCRIPTS, Document, Header
from greenfolio.domain.typography import raised_letters
from greenfolio.interfaces import files
from greenfolio.interfaces.writers import bidi
from greenfolio.interfaces.writers.charts import RenderedChart
from greenfolio.interfaces.writers.docx_parts import (
    OWN_LANG,
    Footnotes,
    add_text,
    after_in_ppr,
    right_to_left,
    tag_document,
)


def _page_setup(out: Any) -> None:
    section = out.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Cm(2.3)
    section.top_margin, section.bottom_margin = Cm(2.4), Cm(2.8)
    section.header_distance, section.footer_distance = Cm(1.2), Cm(1.2)
    section.different_first_page_header_footer = True
    style = out.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(10.5)
    for name in ("Heading 1", "Heading 2"):
        heading = out.styles[name]
        heading.font.color.rgb = None
        heading.paragraph_format.keep_with_next = True
        heading.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    # Figure and map numbers and titles in Word's own Caption style (a table of figures
    # and the navigation pane find them), set as the UN prints them: centred, upright,
    # black, the text's size; the title's run is bold.
    caption = out.styles["Caption"]
    caption.font.color.rgb = None
    caption.font.bold = False
    caption.font.italic = False
    caption.font.size = Pt(10.5)
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.keep_with_next = True


def _hyphenated(out: Any) -> None:
    """Word divides words at line ends (``w:autoHyphenation``, by its dictionary for the
    text's language), as the PDF does for the languages of ``HYPHENATED``. Placed after
    ``w:defaultTabStop``, where the settings schema wants it."""
    settings = out.settings.element
    mark = OxmlElement("w:autoHyphenation")
    tab = settings.find(qn("w:defaultTabStop"))
    if tab is not None:
        tab.addnext(mark)
    else:
        settings.insert(0, mark)


def _text_spaces_only(out: Any) -> None:
    """Chinese: Word adds its own gap between Han text and digits or Latin letters
    (autoSpaceDE/DN, on by default); turned off in the document defaults, the text prints
    as it is written, as the PDF does: closed up ("于2021年3月", as the header's date line
    "2021年7月12日至15日"; ``typography.chinese_spaces``)."""
    defaults = out.styles.element.find(qn("w:docDefaults"))
    ppr_default = defaults.find(qn("w:pPrDefault"))
    if ppr_default is None:
        ppr_default = OxmlElement("w:pPrDefault")
        defaults.append(ppr_default)
    ppr = ppr_default.find(qn("w:pPr"))
    if ppr is None:
        ppr = OxmlElement("w:pPr")
        ppr_default.append(ppr)
    later = {qn(f"w:{tag}") for tag in _AFTER_AUTOSPACE}
    follower = next((child for child in ppr if child.tag in later), None)
    for name in ("w:autoSpaceDE", "w:autoSpaceDN"):  # in the order CT_PPr lists them
        element = OxmlElement(name)
        element.set(qn("w:val"), "0")
        if follower is None:
            ppr.append(element)
        else:
            follower.addprevious(element)


_AFTER_AUTOSPACE = [
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
]
"""The children of w:pPr that come after w:autoSpaceDN in the schema (ECMA-376 CT_PPr)."""


NUMBER_COLUMN = Pt(25.2)
"""The width of a paragraph's number, as in the PDF (2.4em of 10.5 pt): the text is indented
by it and its wrapped lines stay under the text, not under the number."""
BOX_INSET = Pt(8)
"""The summary box's inner margin, as in the PDF (8 pt)."""


def _hanging(paragraph: Any) -> None:
    """A numbered paragraph: the number hangs in the indent, the tab after it goes to the
    text (start side, so right in Arabic: w:ind left is the start of a bidi paragraph)."""
    fmt = paragraph.paragraph_format
    fmt.left_indent = NUMBER_COLUMN
    fmt.first_line_indent = -NUMBER_COLUMN
    fmt.tab_stops.add_tab_stop(NUMBER_COLUMN)


def _boxed(paragraph: Any) -> None:
    """The summary in a box of 0.5 pt lines, its text 8 pt inside, as the PDF draws it.
    Word draws a paragraph's border ``w:space`` points outside its text, so the paragraph
    is indented by the inset to keep the box's sides on the margins."""
    fmt = paragraph.paragraph_format
    fmt.left_indent = fmt.right_indent = BOX_INSET
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    for side in ("top", "left", "bottom", "right"):
        line = OxmlElement(f"w:{side}")
        line.set(qn("w:val"), "single")
        line.set(qn("w:sz"), "4")  # eighths of a point
        line.set(qn("w:space"), "8" if side in ("left", "right") else "4")
        line.set(qn("w:color"), "000000")
        borders.append(line)
    p_pr.insert_element_before(borders, *after_in_ppr("w:pBdr"))


_TC_AFTER_BORDERS = (
    "w:shd",
    "w:noWrap",
    "w:tcMar",
    "w:textDirection",
    "w:tcFitText",
    "w:vAlign",
    "w:hideMark",
)
"""What follows w:tcBorders in a cell's properties (the schema's order)."""


def _rule_below(row: Any, eighths: int) -> None:
    """A line under a table row, ``eighths`` of a point thick, as the PDF draws under the
    header's organ line (1.2 pt) and under its meeting and distribution block (0.6 pt)."""
    for cell in row.cells:
        tc_pr = cell._tc.get_or_add_tcPr()
        borders = OxmlElement("w:tcBorders")
        line = OxmlElement("w:bottom")
        line.set(qn("w:val"), "single")
        line.set(qn("w:sz"), str(eighths))
        line.set(qn("w:space"), "0")
        line.set(qn("w:color"), "000000")
        borders.append(line)
        tc_pr.insert_element_before(borders, *_TC_AFTER_BORDERS)


class _Writer:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.out = new_docx()
        self.notes = Footnotes(self.out)
        self.rtl = doc.direction == "rtl"

    def text(self, paragraph: Any, text: str, **style: Any) -> None:
        """Add ``text`` as runs; in Arabic, ranges and addresses become isolated LTR runs.
        The hyphen of a name or code ("COVID-19") is Word's non-breaking hyphen."""
        if not self.rtl:
            for piece, up in raised_letters(text):
                run = paragraph.add_run()
                add_text(run._r, piece)
                run.font.superscript = up or None
                for key, value in style.items():
                    setattr(run.font, key, value)
            return
        for piece, ltr in bidi.spans(text):
            run = paragraph.add_run()
            add_text(run._r, f"{bidi.LRI}{piece}{bidi.PDI}" if ltr else piece)
            if ltr:
                run._r.set(OWN_LANG, "ar:ltr")
            for key, value in style.items():
                setattr(run.font, key, value)

    def foreign(self, paragraph: Any, text: str, lang: str) -> None:
        """Text kept in its own language (a partner's name as given), tagged with it;
        isolated left to right in a right-to-left document."""
        rtl = self.doc.direction == "rtl"
        run = paragraph.add_run(f"{bidi.LRI}{text}{bidi.PDI}" if rtl else text)
        run._r.set(OWN_LANG, lang)

    def _chart_table(
        self, heads: tuple[str, ...], rows: tuple[tuple[str, ...], ...], keep: bool = False
    ) -> None:
        """A chart's table, small and centred: each bar's label and its values under their
        headings (right to left in Arabic); ``keep``: its rows keep with the notes after."""
        table = self.out.add_table(rows=1 + len(rows), cols=1 + len(heads))
        table.style = "Table Grid"
        table.alignment = 1  # centre
        # its heading row repeats on a next page (right to left: docx_parts.right_to_left)
        table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
        for cell, head in zip(table.rows[0].cells[1:], heads, strict=True):
            self.text(cell.paragraphs[0], head, bold=True)
        for row, values in zip(table.rows[1:], rows, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                self.text(cell.paragraphs[0], value)
        # as the PDF sets it: the labels at the start, the values and their headings at the
        # end of their cells (jc "right" is the end in a right-to-left paragraph)
        for row in table.rows:
            for cell in row.cells[1:]:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        # the last row keeps with the notes after it; the rows before it may go over to the
        # next page (under their repeated headings): a whole table kept with its figure
        # moved to the next page as one block and left half a page blank (Russian, p. 3)
        for cell in table.rows[-1].cells if keep else ():
            cell.paragraphs[0].paragraph_format.keep_with_next = True

    def block_line(self, cell: Any, text: str, head: Header, bold: bool = False) -> Any:
        """A line of the symbol and distribution block, in the block's language: in an
        Arabic edition the block is English, set left to right ("26 May 2021", "IDB.49/8*";
        a right-to-left paragraph printed "May 2021 26" and "*IDB.49/8")."""
        paragraph = cell.add_paragraph()
        block = head.block_lang or self.doc.lang
        for piece, up in raised_letters(text):
            run = paragraph.add_run(piece)
            run.bold = bold
            run.font.superscript = up or None
            if block != self.doc.lang:
                run._r.set(OWN_LANG, block)
        if block != self.doc.lang and self.rtl:
            # right_to_left then leaves this paragraph's direction as set
            ltr = OxmlElement("w:bidi")
            ltr.set(qn("w:val"), "0")
            paragraph._p.get_or_add_pPr().insert_element_before(ltr, *after_in_ppr("w:bidi"))
        return paragraph

    def header(self) -> None:
        head = self.doc.header
        notes = {note.anchor: note for note in head.notes}
        table = self.out.add_table(rows=2, cols=2)
        organ, symbol_cell = table.rows[0].cells
        left, right = table.rows[1].cells
        self.text(organ.paragraphs[0], head.organ, bold=True, size=Pt(13))
        if head.symbol:
            para = self.block_line(symbol_cell, head.symbol, head, bold=True)
            if "symbol" in notes:
                note = notes["symbol"]
                self.notes.reference(para, self._isolated(note.text), note.mark)
        for i, line in enumerate((head.session, head.dates_place, head.agenda_item)):
            para = left.paragraphs[0] if i == 0 else left.add_paragraph()
            self.text(para, line)
            if i == 2 and "agenda_item" in notes:
                note = notes["agenda_item"]
                self.notes.reference(para, note.text, note.mark)
        if head.agenda_title:
            self.text(left.add_paragraph(), head.agenda_title, bold=True)
        for line in head.block():
            self.block_line(right, line, head)
        for cell in (symbol_cell, right):
            if not cell.paragraphs[0].text and len(cell.paragraphs) > 1:
                cell._tc.remove(cell.paragraphs[0]._p)
        # flush with the page's edge: the right one, or in Arabic (the block set left to
        # right, in the column drawn on the left) the left one, as the PDF sets it
        edge = WD_ALIGN_PARAGRAPH.LEFT if self.rtl else WD_ALIGN_PARAGRAPH.RIGHT
        for cell in (symbol_cell, right):
            for para in cell.paragraphs:
                para.alignment = edge
        _rule_below(table.rows[0], 10)
        _rule_below(table.rows[1], 5)
        title = self.out.add_heading(level=1)
        self.text(title, head.title)
        if "title" in notes:
            note = notes["title"]
            self.notes.reference(title, self._isolated(note.text), note.mark)
        upright = self.doc.lang in UPRIGHT_SCRIPTS
        self.text(self.out.add_paragraph(), head.subtitle, italic=not upright)
        if head.summary:
            summary = self.out.add_paragraph()
            summary.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            _boxed(summary)
            self.text(summary, head.summary)

    def _isolated(self, text: str) -> str:
        return bidi.isolated(text) if self.rtl else text

    def pages(self) -> None:
        """Running head from page 2, page numbers, the paper-economy notice on page 1."""
        head = self.doc.header
        section = self.out.sections[0]
        running = section.header.paragraphs[0]
        self.text(running, head.symbol or head.title, size=Pt(8.5))
        running.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        number = section.footer.paragraphs[0]
        number.alignment = WD_ALIGN_PARAGRAPH.CENTER
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), "PAGE")
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "2"
        run.append(text)
        field.append(run)
        number._p.append(field)
        first = section.first_page_footer.paragraphs[0]
        if head.paper_economy:
            self.text(first, head.paper_economy, size=Pt(8))

    def body(self, charts: Mapping[str, RenderedChart] | None) -> None:
        doc = self.doc
        notes = {n.number: n.text for n in doc.footnotes}
        for section in doc.sections:
            heading = self.out.add_heading(level=2)
            self.text(heading, f"{section.label} {section.heading}")
            for para in section.paragraphs:
                p = self.out.add_paragraph()
                p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
                _hanging(p)
                p.add_run(f"{bidi.paragraph_number(para.number, doc.direction)}\t")
                for run in para.runs:
                    if run.footnote is not None:
                        if doc.direction == "rtl":  # the call after a year, not before it
                            p.add_run(bidi.CALL_LEAD)
                        self.notes.reference(p, self._isolated(notes.get(run.footnote, "")))
                    elif run.lang:
                        self.foreign(p, run.text, run.lang)
                    elif run.title:  # a publication's title, in italics (UN style)
                        self.text(p, run.text, italic=True)
                    else:
                        self.text(p, run.text)
                for chart in doc.charts_after(para.key):
                    # UN style: the number line, then the title in bold, above the graphic;
                    # notes and source below. Each paragraph keeps with the next, so the
                    # heading, graphic and notes share a page.
                    heads = []
                    if chart.label:
                        heads.append(self.out.add_paragraph(style="Caption"))
                        self.text(heads[-1], chart.label)
                    heads.append(self.out.add_paragraph(style="Caption"))
                    self.text(heads[-1], chart.caption, bold=True)
                    for head in heads:  # on the paragraph too: not every reader follows styles
                        head.paragraph_format.keep_with_next = True
                    drawn = chart.drawn  # one bar: a table
                    if drawn and charts and chart.id in charts:
                        shape = self.out.add_picture(io.BytesIO(charts[chart.id].png), width=Cm(15))
                        # the figure's words for a screen reader (Word's "alt text")
                        words = " ".join(w for w in (chart.label, chart.caption) if w)
                        shape._inline.docPr.set("descr", words)
                        self.out.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
                        # with its notes; a table after it may start on the next page
                        self.out.paragraphs[-1].paragraph_format.keep_with_next = bool(
                            chart.notes and not chart.table
                        )
                    if chart.table:
                        self._chart_table(chart.table_columns, chart.table, bool(chart.notes))
                    for index, note in enumerate(chart.notes):
                        line = self.out.add_paragraph()
                        self.text(line, note, size=Pt(8))
                        line.paragraph_format.keep_with_next = index < len(chart.notes) - 1
                        if index == 0 and chart.table:  # not touching the table's rule
                            line.paragraph_format.space_before = Pt(4)


def write_docx(
    doc: Document, path: Path, charts: Mapping[str, RenderedChart] | None = None
) -> Path:
    writer = _Writer(doc)
    out = writer.out
    _page_setup(out)
    if doc.lang == "zh":
        _text_spaces_only(out)
    if doc.lang in HYPHENATED:
        _hyphenated(out)
    core = out.core_properties
    core.title = doc.header.title
    core.subject = doc.header.subtitle
    core.language = doc.lang
    # python-docx's template names itself as author and says it made the file in 2013
    core.author = core.comments = ""
    core.created = core.modified = datetime.now(UTC).replace(microsecond=0)
    writer.header()
    writer.pages()
    writer.body(charts)
    writer.notes.write(doc.lang)
    tag_document(out, doc.lang)
    if writer.rtl:
        right_to_left(out)
    with files.replacing(path) as tmp:
        out.save(str(tmp))
    return path
