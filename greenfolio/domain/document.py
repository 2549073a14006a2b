"""The report as a document: header, numbered paragraphs, footnotes.

Writers (HTML, DOCX) turn this model into files; nothing here knows a file format.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Run:
    """A piece of paragraph text: plain, a computed figure, or a footnote mark.

    ``part`` says what of the figure the text shows: its value, or its period or date.
    ``lang`` is set on text written in another language than the document's (a partner's
    name kept as given); writers mark it with that language.
    ``title`` is set on the title of a publication (a guide, a report, a framework), which
    English, French and Spanish UN documents set in italics (UN Editorial Manual, "Italics").
    """

    text: str
    figure: str | None = None
    footnote: int | None = None
    part: str = "value"
    lang: str | None = None
    title: bool = False


@dataclass(frozen=True)
class Paragraph:
    key: str
    number: int | None
    runs: tuple[Run, ...]
    style: str = "body"

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs if run.footnote is None)


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    heading: str
    paragraphs: tuple[Paragraph, ...]


@dataclass(frozen=True)
class Footnote:
    number: int
    text: str


@dataclass(frozen=True)
class HeaderNote:
    """A footnote of the document header, marked with asterisks as UN documents mark them
    (the reissue note on the symbol, the provisional agenda's symbol on the agenda item).

    ``anchor`` names the header line that carries the mark: symbol, agenda_item or title.
    """

    mark: str
    anchor: str
    text: str


@dataclass(frozen=True)
class Header:
    """The block at the top of a governing-body document.

    Every field but the first six is printed only when known; none is ever guessed.
    ``block_lang`` is the language of the distribution block (symbol, "Distr.", date of
    issue, language, original), which Russian, Chinese and Arabic editions print in English.
    """

    organ: str
    session: str
    dates_place: str
    agenda_item: str
    title: str
    subtitle: str
    symbol: str = ""
    distribution: str = ""
    date_of_issue: str = ""
    language: str = ""
    original_language: str = ""
    summary: str = ""
    block_lang: str = ""
    notes: tuple[HeaderNote, ...] = ()
    paper_economy: str = ""
    agenda_title: str = ""
    """The agenda item's own title, printed under the item as UN documents do."""

    def marks(self, anchor: str) -> str:
        """The footnote marks the header line ``anchor`` carries ("" when none)."""
        return "".join(note.mark for note in self.notes if note.anchor == anchor)

    def block(self) -> tuple[str, ...]:
        """The distribution block, top to bottom, known lines only."""
        lines = (self.distribution, self.date_of_issue, self.language, self.original_language)
        return tuple(line for line in lines if line)


NAMED, UNNAMED = "segment_named", "segment_unnamed"
"""The keys, in a chart's labels, of the legend words of its two segments: the countries
named and those counted without names (``labels.yaml``: ``chart_segment_…``)."""


@dataclass(frozen=True)
class ChartRef:
    """A chart placed after a paragraph, with its caption and localised labels."""

    id: str
    after: str
    caption: str
    labels: Mapping[str, str] = field(default_factory=dict)
    axis: str = ""
    notes: tuple[str, ...] = ()
    """Lines printed under the caption: the source of the numbers and, under a map, what
    its shading means and the United Nations map disclaimer."""
    table: tuple[tuple[str, ...], ...] = ()
    """Set when a bar chart would show a single bar with a value: its (label, value as
    text) rows, which every writer prints as a small table in place of the drawing (one
    bar compares nothing). Also set, with ``table_with_drawing``, for a chart whose bars
    have two segments: (label, named, counted without names) per bar, printed under the
    drawing so each number can be read. Empty: draw the chart alone."""
    linked_notes: tuple[str, ...] = ()
    """The notes as the HTML prints them: the same lines, the source's line ending with a
    pointer to the document's sources section (which the HTML links and the other formats
    do not have). Empty: ``notes``."""
    source_line: int = 0
    """Which of the notes says where the figures come from (the HTML links it)."""
    table_head: tuple[str, ...] = ()
    """The headings of the table's value columns. Empty: the value axis's unit alone (a
    single bar's table, printed in place of the drawing)."""
    label: str = ""
    """The number line printed above the title, in UN style ("Figure II", "Map 1", Arabic
    "الشكل الثاني"; ``services.report_charts.chart_labels``). Empty: a document's only
    figure, which UN documents leave unnumbered."""

    @property
    def full_title(self) -> str:
        """Number and title on one line, for the text export and the sources section."""
        return f"{self.label}. {self.caption}" if self.label else self.caption

    @property
    def table_with_drawing(self) -> bool:
        """The table is printed under the drawing, not in its place (a segments table,
        the one with headings of its own)."""
        return bool(self.table_head)

    @property
    def drawn(self) -> bool:
        """Whether the chart is drawn: always, except a single bar's table alone."""
        return not self.table or self.table_with_drawing

    @property
    def table_columns(self) -> tuple[str, ...]:
        """The headings of the table's value columns, as every writer prints them."""
        return self.table_head or (self.axis,)


@dataclass(frozen=True)
class Document:
    lang: str
    direction: str
    header: Header
    sections: tuple[Section, ...]
    footnotes: tuple[Footnote, ...] = field(default=())
    charts: tuple[ChartRef, ...] = field(default=())
    words: Mapping[str, str] = field(default_factory=dict)
    """Words writers add around the prose (Figure, Sources …), in the document's language."""

    def charts_after(self, paragraph_key: str) -> list[ChartRef]:
        return [c for c in self.charts if c.after == paragraph_key]

    def paragraphs(self) -> list[Paragraph]:
        return [p for s in self.sections for p in s.paragraphs]

    def plain_text(self) -> str:
        """All visible text in reading order, for search and for tests that read it back."""
        head = self.header
        parts = [
            head.symbol,
            *head.block(),
            head.organ,
            head.session,
            head.dates_place,
            head.agenda_item,
            head.title,
            head.subtitle,
            head.summary,
            *(f"{note.mark} {note.text}" for note in head.notes),
            head.paper_economy,
        ]
        for section in self.sections:
            parts.append(f"{section.label} {section.heading}")
            for para in section.paragraphs:
                prefix = f"{para.number}. " if para.number is not None else ""
                parts.append(prefix + para.text)
        parts += [f"{note.number} {note.text}" for note in self.footnotes]
        parts += [c.full_title for c in self.charts]
        return "\n".join(p for p in parts if p)


UPRIGHT_SCRIPTS = frozenset(("zh", "ar"))
"""Languages whose scripts are not set in italics (Chinese and Arabic UN documents
emphasise otherwise): the writers set the subtitle ("Report of the Director General")
upright in them."""

HYPHENATED = frozenset(("ru",))
"""Languages whose justified paragraphs the writers let divide words at line ends (by
the language's own patterns): Russian, whose long words otherwise leave wide gaps."""
