"""Titles of publications: italics in English, French and Spanish, as UN documents set them
(UN Editorial Manual, "Italics": "the titles of books, United Nations publications …",
https://www.un.org/dgacm/en/content/editorial-manual/italics); never in Chinese, Russian or
Arabic, whose templates mark a title with the language's own signs (《》 in the Chinese
source, 000_*.txt). Names of organizations and programmes stay in roman."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

import docx
import lxml.html
import pytest

from greenfolio.domain.document import Document
from greenfolio.domain.errors import ValidationError
from greenfolio.interfaces.writers.docx import write_docx
from greenfolio.interfaces.writers.html import render_html
from greenfolio.interfaces.writers.pdf import typst_source
from greenfolio.services import reporting
from greenfolio.services.database import Database

TITLES = {
    "en": [
        "Clean Energy Mini-Grid Policy Development Guide",
        "International Framework for Eco-Industrial Parks",
        "International Framework",
    ],
    "fr": ["Cadre international pour les parcs éco-industriels", "Cadre international"],
    "es": ["Marco Internacional para Parques Ecoindustriales", "Marco Internacional"],
}
"""The titles the Board templates mark with title(), in reading order."""


def _plain(text: str) -> str:
    """Text as read: no-break spaces as spaces, no word joiners (the DOCX writer adds them
    after hyphens so that "Mini-Grid" does not break)."""
    return text.replace("\u2060", "").replace("\u00a0", " ").replace("\u202f", " ")


@pytest.fixture(scope="module")
def documents(demo_db_module: Database) -> Iterator[dict[str, Document]]:
    """The Board report's documents without their charts (drawing them is slow, and their
    captions hold no title of a publication)."""
    yield {
        lang: dataclasses.replace(
            reporting.build(demo_db_module, "board", 2021, lang).document, charts=()
        )
        for lang in ("en", "fr", "es", "zh", "ru", "ar")
    }


def _titles(doc: Document) -> list[str]:
    return [_plain(r.text) for p in doc.paragraphs() for r in p.runs if r.title]


def _html_titles(doc: Document) -> list[str]:
    root = lxml.html.fromstring(render_html(doc))
    return [_plain(c.text_content()) for c in root.xpath("//p[@class='para']//cite | //p//i")]


def _docx_italics(doc: Document, folder: Path) -> list[str]:
    """The italic text of the numbered paragraphs, consecutive italic runs joined."""
    path = write_docx(doc, folder / f"{doc.lang}.docx")
    found: list[str] = []
    for para in docx.Document(str(path)).paragraphs:
        if not para.text[:1].isdigit() and "\t" not in para.text[:6]:
            continue
        current = ""
        for run in para.runs:
            if run.italic:
                current += run.text
            elif current:
                found.append(_plain(current))
                current = ""
        if current:
            found.append(_plain(current))
    return found


def _typst_titles(doc: Document) -> list[str]:
    """The text of each #emph[…] of the PDF's Typst source: its string literals joined
    (the writer sets text as literals, a hyphenated word in a box)."""
    source = typst_source(doc, {})
    bodies = [part.split("]", 1)[0] for part in source.split("#emph[")[1:]]
    return [_plain("".join(re.findall(r'"((?:[^"\\]|\\.)*)"', body))) for body in bodies]


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_titles_of_publications_are_italic_in_every_format(
    documents: dict[str, Document], lang: str, tmp_path: Path
) -> None:
    doc = documents[lang]
    assert _titles(doc) == TITLES[lang]
    assert _html_titles(doc) == TITLES[lang]
    assert _docx_italics(doc, tmp_path) == TITLES[lang]
    assert _typst_titles(doc) == TITLES[lang]


def test_a_title_reads_as_part_of_its_sentence(documents: dict[str, Document]) -> None:
    """The count's words before the title and the sentence after it join with one space."""
    text = _plain(next(p.text for p in documents["en"].paragraphs() if p.key == "minigrids"))
    assert text.startswith(
        "A new guide, the Clean Energy Mini-Grid Policy Development Guide, published in March 2021,"
    ), text


@pytest.mark.parametrize("lang", ["zh", "ru", "ar"])
def test_no_italics_where_un_documents_use_marks(
    documents: dict[str, Document], lang: str, tmp_path: Path
) -> None:
    doc = documents[lang]
    assert _titles(doc) == []
    assert _html_titles(doc) == []
    assert _docx_italics(doc, tmp_path) == []
    assert _typst_titles(doc) == []


def test_the_chinese_guide_keeps_its_book_title_marks(documents: dict[str, Document]) -> None:
    """As in the Chinese source (《2030 年国家经济战略》, 《蒙特利尔议定书》): upright."""
    text = next(p.text for p in documents["zh"].paragraphs() if p.key == "minigrids")
    assert "《清洁能源微型电网政策拟订指南》" in text


def test_a_title_is_plain_text() -> None:
    """A footnote or a figure inside a title is an error naming the template and place."""
    renderer = reporting._Renderer("en", {}, {"year": 2021})
    with pytest.raises(ValidationError, match=r"en template, paragraph p: .*title"):
        renderer.render('{{ title("A guide" ~ fn("x")) }}', "paragraph p")
    assert renderer.runs(renderer.render('{{ title("A guide") }}', "paragraph p"))[0].title
    zh = reporting._Renderer("zh", {}, {"year": 2021})
    assert zh.runs(zh.render('{{ title("《指南》") }}', "paragraph p"))[0].title is False
