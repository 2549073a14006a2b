"""Write a report document as PDF with Typst: a UN-style header block, paragraphs numbered
across sections, footnotes at the page foot, page numbers, charts, embedded fonts."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import typst

from greenfolio.domain.document import Document, Paragraph
from greenfolio.interfaces.files import write_bytes
from greenfolio.interfaces.writers.charts import RenderedChart

SERIF = {"zh": ("Noto Serif CJK SC", "Noto Serif"), "ar": ("Noto Naskh Arabic", "Noto Serif")}
DEFAULT_SERIF = ("Noto Serif", "Noto Serif CJK SC", "Noto Naskh Arabic")


def _s(text: str) -> str:
    """A Typst string literal, so no character of the text is read as markup."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'#"{escaped}"'


def _paragraph(para: Paragraph, notes: Mapping[int, str]) -> str:
    body = []
    for run in para.runs:
        if run.footnote is not None:
            body.append(f"#footnote[{_s(notes.get(run.footnote, ''))}]")
        else:
            body.append(_s(run.text))
    return f"#grid(columns: (2.4em, 1fr), [{para.number}.], [{''.join(body)}])\n"


def typst_source(doc: Document, chart_files: Mapping[str, str]) -> str:
    fonts = SERIF.get(doc.lang, DEFAULT_SERIF)
    font_list = ", ".join(f'"{f}"' for f in fonts)
    region = ', region: "cn"' if doc.lang == "zh" else ""
    head = doc.header
    notes = {n.number: n.text for n in doc.footnotes}
    out = [
        f"#set document(title: {_s(head.title)[1:]})\n",
        '#set page(paper: "a4", margin: (x: 2.3cm, top: 2.4cm, bottom: 2.6cm), '
        'numbering: "1", number-align: center)\n',
        f'#set text(font: ({font_list},), size: 10.5pt, lang: "{doc.lang}"{region}, '
        f"dir: {doc.direction}, hyphenate: false)\n",
        "#set par(justify: true, leading: 0.7em, spacing: 0.9em)\n",
        "#show footnote.entry: set text(size: 8.5pt)\n",
        f'#grid(columns: (1fr, auto), [#text(size: 13pt, weight: "bold")[{_s(head.organ)}]], '
        f'[#text(weight: "bold")[{_s(head.symbol)}]])\n',
        "#v(-0.4em)\n#line(length: 100%, stroke: 1.2pt)\n",
        "#grid(columns: (1fr, auto), row-gutter: 0.45em, "
        f"[{_s(head.session)}], [{_s(head.distribution)}], "
        f"[{_s(head.dates_place)}], [{_s(head.original_language)}], "
        f"[{_s(head.agenda_item)}], [])\n",
        "#line(length: 100%, stroke: 0.6pt)\n#v(1em)\n",
        f'#text(size: 14pt, weight: "bold")[{_s(head.title)}]\n\n',
        f'#text(style: "italic")[{_s(head.subtitle)}]\n\n',
    ]
    if head.summary:
        out.append(f"#block(stroke: 0.5pt, inset: 8pt, width: 100%)[{_s(head.summary)}]\n\n")
    for section in doc.sections:
        out.append(
            f'#v(0.6em)\n#text(size: 11.5pt, weight: "bold")'
            f"[{_s(section.label + ' ' + section.heading)}]\n\n"
        )
        for para in section.paragraphs:
            out.append(_paragraph(para, notes))
            for chart in doc.charts_after(para.key):
                caption = f"{doc.words.get('figure', '')} {chart.number}. {chart.caption}"
                out.append(
                    f'#align(center)[#image("{chart_files[chart.id]}", width: 88%)\n'
                    f"#text(size: 9pt)[{_s(caption)}]]\n"
                )
    return "".join(out)


@lru_cache(maxsize=1)
def system_fonts() -> typst.Fonts:
    """The system's fonts, searched once per process (a search costs ~0.15 s)."""
    return typst.Fonts()


def write_pdf(doc: Document, path: Path, charts: Mapping[str, RenderedChart] | None = None) -> Path:
    """Compile the document with Typst; fonts come from the system (Noto families).
    Charts go in as SVG, so they stay vectors in the PDF."""
    with tempfile.TemporaryDirectory(prefix="greenfolio-pdf-") as tmp:
        folder = Path(tmp)
        files = {}
        for chart_id, chart in (charts or {}).items():
            name = f"chart-{chart_id}.svg"
            (folder / name).write_text(chart.svg, encoding="utf-8")
            files[chart_id] = name
        source = folder / "report.typ"
        source.write_text(typst_source(doc, files), encoding="utf-8")
        compiler = typst.Compiler(root=str(folder), font_paths=system_fonts())
        pdf = compiler.compile(input=str(source))
        if not isinstance(pdf, bytes):
            raise TypeError("Typst returned no single PDF")
        write_bytes(path, pdf)
    return path
