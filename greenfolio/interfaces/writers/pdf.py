"""Write a report document as PDF with Typst: the UN header block (organ and symbol, session,
dates and place, agenda item, the distribution block), header notes marked * and **,
paragraphs numbered across sections, footnotes at the page foot, the paper-economy notice at
the foot of the first page, page numbers from the second, charts, embedded fonts.

Headings are real headings: never justified, kept with what follows (sticky), listed in the
PDF outline. In right-to-left text, numeric ranges are left-to-right boxes and addresses
left-to-right isolates; paragraph numbers read "10-" (``bidi.paragraph_number``).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from pathlib import Path

import typst

from greenfolio.domain.document import HYPHENATED, UPRIGHT_SCRIPTS, Document, Header, Paragraph
from greenfolio.domain.typography import raised_letters, unbroken_spans
from greenfolio.interfaces.files import write_bytes
from greenfolio.interfaces.writers import bidi, fonts
from greenfolio.interfaces.writers.charts import RenderedChart

_MARK_INFO = b"/MarkInfo<</Marked true/Suspects false>>"
_MARK_INFO_FIXED = b"/MarkInfo<</Marked true" + b" " * len(b"/Suspects false") + b">>"


_PAGE_HEIGHT_MM = 297
_PAGE_WIDTH_MM = 210
_MARGIN_X_CM = 2.3
"""A4's height (``_page``)."""
_MARGIN_BOTTOM_CM = 2.8
"""The page's bottom margin (``_page``)."""

URL = re.compile(r"((?:https?://|www\.)\S+)")
"""A web address in a footnote (kept whole by ``URL.split``)."""
URL_PIECE = re.compile(r"[^/.]*[/.]|[^/.]+")
"""An address's pieces, each ending after a "/" or a "." (the last one may not)."""


def _lit(text: str) -> str:
    """A Typst string literal, so no character of the text is read as markup."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


def _s(text: str) -> str:
    return f"#{_lit(text)}"


def _raised(text: str) -> str:
    """Plain text with the superior letters of "1er" raised (``raised_letters``)."""
    return "".join(f"#super[{_s(p)}]" if up else _s(p) for p, up in raised_letters(text))


class _Typst:
    """Typst markup for one document; right-to-left text gets left-to-right islands."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.rtl = doc.direction == "rtl"

    def text(self, text: str) -> str:
        if not self.rtl:
            return self._whole_symbols(text)
        return "".join(self._piece(piece, ltr) for piece, ltr in bidi.spans(text))

    def _piece(self, piece: str, ltr: bool) -> str:
        """A range is an unbreakable left-to-right box; an address is isolated (LRI … PDI)
        so that a long one may break across lines, each line left to right; a double
        month name ("تموز/يوليه") is a box, never broken at its slash."""
        if not ltr:
            return "".join(
                f"#box[{_s(part)}]" if pair else self._whole_symbols(part)
                for part, pair in bidi.slash_pairs(piece)
            )
        if bidi.is_address(piece):
            return _s(f"{bidi.LRI}{piece}{bidi.PDI}")
        return f"#box(text(dir: ltr, {_lit(piece)}))"

    def note_text(self, text: str) -> str:
        """A footnote's text, its addresses breakable only after a "/" or a "." and never
        hyphenated: each piece up to such a mark is an unbreakable box (Typst would break
        at a hyphen, and in Spanish repeat it on the next line); in right-to-left text the
        address is isolated left to right and may break across lines (``_piece``)."""
        if self.rtl:
            return self.text(text)
        out = []
        for i, piece in enumerate(URL.split(text)):
            if i % 2 == 0:
                out.append(self.text(piece) if piece else "")
                continue
            boxes = "".join(f"#box({_lit(seg)})" for seg in URL_PIECE.findall(piece))
            out.append(boxes)
        return "".join(out)

    def _whole_symbols(self, text: str) -> str:
        """Document symbols (GC.18/Res.7), numeric ranges and hyphenated names as boxes,
        unbreakable and left to right in any text."""
        return "".join(
            (f"#box(text(dir: ltr, {_lit(piece)}))" if self.rtl else f"#box({_lit(piece)})")
            if symbol
            else _raised(piece)
            for piece, symbol in unbroken_spans(text)
        )

    def block_text(self, text: str, head: Header) -> str:
        """A line of the distribution block, in the block's language."""
        block = head.block_lang or self.doc.lang
        if block == self.doc.lang:
            return self.text(text)
        return f'#text(lang: "{block}", dir: ltr, {_lit(text)})'

    def paragraph(self, para: Paragraph, notes: Mapping[int, str]) -> str:
        body: list[str] = []
        last = ""  # the text of the run just before, when it was plain text
        for run in para.runs:
            if run.footnote is not None:
                call = f"#footnote[{self.note_text(notes.get(run.footnote, ''))}]"
                call = f"{_s(bidi.CALL_LEAD)}{call}" if self.rtl else call
                if self.rtl and body:  # the call stays on the line of the word it follows
                    word = re.search(r"\S+$", last) if last else None
                    if word:
                        body[-1] = self.text(last[: word.start()])
                        body.append(f"#box[{self.text(word.group())}{call}]")
                    elif not last:  # a name in its own language
                        body[-1] = f"#box[{body[-1]}{call}]"
                    else:
                        body.append(call)
                else:
                    body.append(call)
                last = ""
            elif run.lang:  # a name kept in its own language
                body.append(
                    f'#text(font: "{fonts.LATIN_SERIF}", lang: "{run.lang}", dir: ltr, '
                    f"{_lit(run.text)})"
                )
                last = ""
            elif run.title:  # a publication's title, in italics (UN style)
                body.append(f"#emph[{self.text(run.text)}]")
                last = ""
            else:
                body.append(self.text(run.text))
                last = run.text
        number = bidi.paragraph_number(para.number, self.doc.direction)
        number = _s(number) if self.rtl else number
        return f"#grid(columns: (2.4em, 1fr), [{number}], [{''.join(body)}])\n"


def _header_note(mark: str, text: str) -> str:
    return f'#footnote(numbering: _ => "{mark}")[{_s(text)}]'


def _header(t: _Typst, head: Header) -> list[str]:
    notes = {note.anchor: note for note in head.notes}

    def marked(anchor: str) -> str:
        note = notes.get(anchor)
        return _header_note(note.mark, note.text) if note else ""

    right = [head.symbol] if head.symbol else []
    block_lines = [t.block_text(line, head) for line in head.block()]
    left = [head.session, head.dates_place, head.agenda_item]
    block = head.block_lang or t.doc.lang
    symbol = (
        f'#text(font: "{fonts.LATIN_SERIF}", lang: "{block}", dir: ltr)'
        f'[#text(weight: "bold", {_lit(head.symbol)})'
        f"{marked('symbol')}]"
        if right
        else ""
    )
    meeting = [t.text(line) for line in left]
    meeting[2] += marked("agenda_item")
    if head.agenda_title:
        meeting.append(f"#strong[{t.text(head.agenda_title)}]")
    lines, newline = "#set par(justify: false, leading: 0.55em)\n", " \\ "
    own = (
        f'#set text(font: "{fonts.LATIN_SERIF}", lang: "{block}", dir: ltr)\n'
        if block != t.doc.lang
        else ""
    )
    cells = [f"[{lines}{newline.join(meeting)}]", f"[{lines}{own}{newline.join(block_lines)}]"]
    subtitle_style = "normal" if t.doc.lang in UPRIGHT_SCRIPTS else "italic"
    return [
        f'#grid(columns: (1fr, auto), [#text(size: 13pt, weight: "bold")[{t.text(head.organ)}]], '
        f"[{symbol}])\n",
        "#v(-0.4em)\n#line(length: 100%, stroke: 1.2pt)\n",
        f"#grid(columns: (1fr, auto), column-gutter: 1em, {', '.join(cells)})\n",
        "#line(length: 100%, stroke: 0.6pt)\n#v(1em)\n",
        f"#heading(level: 1)[{t.text(head.title)}{marked('title')}]\n",
        f'#text(style: "{subtitle_style}")[{t.text(head.subtitle)}]\n\n',
        # Header notes are marked * and **; the body's own notes start again at 1.
        "#counter(footnote).update(0)\n",
    ]


def _page(t: _Typst, head: Header) -> str:
    running = head.symbol or head.title
    notice = (
        f"#block(width: 100%, inset: (top: 4pt), stroke: (top: 0.4pt))"
        f"[#text(size: 8pt)[{t.text(head.paper_economy)}]]"
        if head.paper_economy
        else ""
    )
    return (
        f'#set page(paper: "a4", margin: (x: {_MARGIN_X_CM}cm, top: 2.4cm, '
        f"bottom: {_MARGIN_BOTTOM_CM}cm), "
        "header: context { if here().page() > 1 { "
        f"set text(size: 8.5pt); align(end)[{t.text(running)}] }} }}, "
        "footer: context { if here().page() == 1 { "
        f"[{notice}] }} else {{ align(center, text(size: 9pt, counter(page).display())) }} }})\n"
    )


def typst_source(doc: Document, chart_files: Mapping[str, str]) -> str:
    t = _Typst(doc)
    serif = fonts.SERIF.get(doc.lang)
    family = [serif, fonts.LATIN_SERIF] if serif else [fonts.LATIN_SERIF]
    font_list = ", ".join(f'"{f}"' for f in family)
    # Chinese: the text prints as it is written, with no space between Han text and digits or
    # Latin words (typography.chinese_spaces), in running text as in the header's date line;
    # Typst's own CJK-Latin spacing would add a gap the text does not have.
    region = ', region: "cn", cjk-latin-spacing: none' if doc.lang == "zh" else ""
    # Russian words are long: justified lines without word division leave wide gaps (a
    # delegate's review); Typst divides them by its Russian patterns. Elsewhere none.
    hyphenate = "auto" if doc.lang in HYPHENATED else "false"  # auto: justified text only
    head = doc.header
    notes = {n.number: n.text for n in doc.footnotes}
    out = [
        f"#set document(title: {_lit(head.title)})\n",
        _page(t, head),
        f'#set text(font: ({font_list},), size: 10.5pt, lang: "{doc.lang}"{region}, '
        f"dir: {doc.direction}, hyphenate: {hyphenate})\n",
        "#set par(justify: true, leading: 0.7em, spacing: 0.9em)\n",
        "#set heading(numbering: none)\n",
        "#show heading: set par(justify: false)\n",
        "#show heading: set block(sticky: true, above: 1.3em, below: 0.9em)\n",
        '#show heading.where(level: 1): set text(size: 14pt, weight: "bold")\n',
        '#show heading.where(level: 2): set text(size: 11.5pt, weight: "bold")\n',
        "#show footnote.entry: set text(size: 8.5pt)\n",
        "#show footnote.entry: set par(justify: false)\n",
        # the note's mark in a column of its own, so that a wrapped web address lines up
        # under the text, not under the mark
        "#show footnote.entry: it => grid(columns: (1.2em, 1fr), column-gutter: 0.4em, "
        "align(end, super(numbering(it.note.numbering, "
        "..counter(footnote).at(it.note.location())))), it.note.body)\n",
    ]
    out += _header(t, head)
    if head.summary:
        out.append(f"#block(stroke: 0.5pt, inset: 8pt, width: 100%)[{t.text(head.summary)}]\n\n")
    for section in doc.sections:
        out.append(f"#heading(level: 2)[{t.text(section.label + ' ' + section.heading)}]\n")
        for para in section.paragraphs:
            out.append(t.paragraph(para, notes))
            for chart in doc.charts_after(para.key):
                # UN style: the number line, then the title in bold, above the graphic
                heading = f"#text(size: 9pt)[{t.text(chart.label)}]\n\n" if chart.label else ""
                heading += f'#text(size: 9pt, weight: "bold")[{t.text(chart.caption)}]'
                drawn = ""
                if chart.drawn:  # one bar: a table alone
                    drawn = f'#image("{chart_files[chart.id]}", width: 88%)'
                if chart.table:
                    heads = chart.table_columns
                    cells = "".join(f", [{t.text(cell)}]" for row in chart.table for cell in row)
                    heads_typst = "".join(f", [{t.text(head)}]" for head in heads)
                    align = ", ".join(["start", *["end"] * len(heads)])
                    drawn += (  # unjustified, a size under the text's
                        "\n#block[#set par(justify: false)\n#set text(size: 9pt)\n"
                        f"#table(columns: {1 + len(heads)}, stroke: 0.5pt + gray, inset: 5pt, "
                        f"align: ({align}), []{heads_typst}{cells})]"
                    )
                # Heading, drawing and notes (the map's legend words, the UN boundary
                # disclaimer, the source note) in one block that does not break: they go to
                # the next page together rather than leave the heading or the notes apart
                # from the figure.
                notes_typst = "".join(
                    f"#block(below: 0.3em)[#text(size: 8pt)[{t.text(note)}]]\n"
                    for note in chart.notes
                )
                out.append(
                    _after_its_paragraph(
                        "block(breakable: false, width: 100%)[#set par(justify: false)\n"
                        f"#align(center)[{heading}\n\n{drawn}]\n"
                        f"#align(start)[{notes_typst}]]",
                        f"greenfolio-figure-{re.sub(r'[^A-Za-z0-9_.-]', '-', chart.id)}",
                    )
                )
    return "".join(out)


def _after_its_paragraph(figure: str, anchor: str) -> str:
    """A figure right after the paragraph it illustrates when it fits in what is left of
    the page; otherwise floated to the foot of the page (after the text that follows the
    paragraph, which may push it to the next), the text going on below the paragraph
    rather than leave the rest of the page empty.

    A float to the top of the page could land above the paragraph it follows (Typst moves
    the paragraph's end below it), and on the first page above the document's header: so
    a figure floats to the foot, and only when it does not fit in the space left.

    The space left is counted from a mark set just after the paragraph (``anchor``), not
    from the figure's own place: a figure set in place that did not fit moved whole to the
    next page, where it then "fitted" at the top, and the text waited behind it (half a
    page left empty). Counted to the page's bottom margin (``_page``); footnotes on the
    page may take some of it, and then the figure, set in place, goes to the next page
    whole (after its paragraph all the same)."""
    return (
        f"#metadata(none) <{anchor}>\n"
        f"#context {{ let figure = {figure}\n"
        f"let at = locate(<{anchor}>).position()\n"
        f"let left = {_PAGE_HEIGHT_MM}mm - {_MARGIN_BOTTOM_CM}cm - at.y\n"
        f"let need = (measure(figure, width: {_PAGE_WIDTH_MM}mm - {2 * _MARGIN_X_CM}cm).height\n"
        "+ (1.2em).to-absolute())\n"
        # a figure after one floated from this page or the one before floats too: set in
        # place, it would come before the one it follows, or be measured against a page
        # whose foot the other one takes
        f"let last = {_FLOATED}.get()\n"
        "let behind = last > 0 and at.page <= last + 1\n"
        "if need <= left and not behind { block(above: 1.2em, below: 1.2em, figure) } "
        f"else {{ {_FLOATED}.update(at.page); "
        "place(bottom, float: true, clearance: 1.2em, figure) } }\n"
    )


_FLOATED = 'state("greenfolio-floated-from", 0)'
"""The page the last figure floated from (Typst state): a later figure of that page or
the next floats after it, so that the figures keep their order and none is set in place
on a page whose foot a float takes."""


def _poppler_safe(pdf: bytes) -> bytes:
    """Drop ``/Suspects false`` from the catalogue's MarkInfo, blank for blank so every
    offset in the cross-reference table stays right.

    Typst writes ``/MarkInfo<</Marked true/Suspects false>>`` (valid PDF; false is the
    default), but poppler up to at least 22.12 reports any Suspects value but ``true`` as
    "Syntax Error: Suspects object is wrong type (boolean)" (Catalog::getMarkInfo), which
    every pdftotext, pdfinfo and pdftoppm run then prints.
    """
    return pdf.replace(_MARK_INFO, _MARK_INFO_FIXED, 1)


def write_pdf(doc: Document, path: Path, charts: Mapping[str, RenderedChart] | None = None) -> Path:
    """Compile the document with Typst; fonts come from the system (Noto families) or from
    $GREENFOLIO_FONT_DIRS, and a missing one stops the build (``fonts.check``). Charts go
    in as SVG, so they stay vectors in the PDF."""
    fonts.check([doc.lang])
    with tempfile.TemporaryDirectory(prefix="greenfolio-pdf-") as tmp:
        folder = Path(tmp)
        files = {}
        for chart_id, chart in (charts or {}).items():
            name = f"chart-{chart_id}.svg"
            (folder / name).write_text(chart.svg, encoding="utf-8")
            files[chart_id] = name
        source = folder / "report.typ"
        source.write_text(typst_source(doc, files), encoding="utf-8")
        compiler = typst.Compiler(root=str(folder), font_paths=fonts.typst_fonts())
        pdf = compiler.compile(input=str(source))
        if not isinstance(pdf, bytes):
            raise TypeError("Typst returned no single PDF")
        write_bytes(path, _poppler_safe(pdf))
    return path
