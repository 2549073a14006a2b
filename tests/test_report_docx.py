"""The Board report's DOCX set as its PDF is, read from the written files: footnotes numbered
from 1 after the title's * (in Word by the standard, and in LibreOffice), their marks
superscript; numbered paragraphs with a hanging number; a chart table's values at the end
of their cells; the summary in a box; and, in Chinese, numbers that LibreOffice does not
break across lines."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from itertools import pairwise
from pathlib import Path

import pytest
from lxml import etree

from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.services import reporting
from tests.pdf_text import pdf_text

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TEXT_NS = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
OFFICE = shutil.which("libreoffice") or shutil.which("soffice")
needs_office = pytest.mark.skipif(OFFICE is None, reason="LibreOffice not installed")


def _part(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as package:
        return etree.fromstring(package.read(name))


def _word_numbers(document: etree._Element) -> list[str]:
    """The marks Word prints for the document's footnote references, in order: a reference
    with w:customMarkFollows shows the text that follows it and takes no number (ECMA-376
    Part 1, §17.11.14), the others count 1, 2, 3 …"""
    marks, count = [], 0
    for ref in document.iter(f"{W}footnoteReference"):
        if ref.get(f"{W}customMarkFollows") in ("1", "true", "on"):
            marks.append("".join(t.text or "" for t in ref.itersiblings(f"{W}t")))
        else:
            count += 1
            marks.append(str(count))
    return marks


def _office(source: Path, target: str, out: Path) -> Path:
    """``source`` converted by LibreOffice into ``out`` (a profile of its own, so parallel
    tests do not share one)."""
    profile = out / "profile"
    subprocess.run(
        [
            str(OFFICE),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    return out / f"{source.stem}.{target}"


@pytest.mark.slow
@pytest.mark.parametrize("lang", UN_LANGUAGES)
def test_docx_footnotes_number_as_the_pdf_does(
    written: Path, board: dict[str, reporting.BuiltReport], lang: str
) -> None:
    """The title's note is marked * in the reference's own run and takes no number; the
    body's notes are numbered 1 … N as in the PDF; every mark, in the text and at the head
    of its note, is in Word's "footnote reference" style, which is superscript."""
    path = written / f"board-2021-{lang}.docx"
    document, notes = _part(path, "word/document.xml"), _part(path, "word/footnotes.xml")
    count = len(board[lang].document.footnotes)
    assert _word_numbers(document) == ["*", *(str(i) for i in range(1, count + 1))]

    styles = _part(path, "word/styles.xml")
    style = styles.find(f"{W}style[@{W}styleId='FootnoteReference']")
    assert style is not None and style.get(f"{W}type") == "character"
    assert style.find(f"{W}name").get(f"{W}val") == "footnote reference"
    assert style.find(f"{W}rPr/{W}vertAlign").get(f"{W}val") == "superscript"
    text_style = styles.find(f"{W}style[@{W}styleId='FootnoteText']")
    assert text_style.find(f"{W}name").get(f"{W}val") == "footnote text"

    for ref in document.iter(f"{W}footnoteReference"):
        run = ref.getparent()
        assert run.find(f"{W}rPr/{W}rStyle").get(f"{W}val") == "FootnoteReference"
    for note in notes.findall(f"{W}footnote"):
        if note.get(f"{W}type"):
            continue  # the separators
        para = note.find(f"{W}p")
        assert para.find(f"{W}pPr/{W}pStyle").get(f"{W}val") == "FootnoteText"
        lead = para.find(f"{W}r")
        assert lead.find(f"{W}rPr/{W}rStyle").get(f"{W}val") == "FootnoteReference"
        mark = lead.find(f"{W}t")
        assert (lead.find(f"{W}footnoteRef") is not None) != (mark is not None)
        if mark is not None:
            assert mark.text == "*"


@pytest.mark.slow
@needs_office
def test_libreoffice_numbers_the_notes_as_word_does(written: Path, tmp_path: Path) -> None:
    """LibreOffice reads the * as the title note's label (not "1*") and numbers the body's
    notes from 1; the note's text does not repeat the *."""
    path = written / "board-2021-ru.docx"
    flat = etree.parse(str(_office(path, "fodt", tmp_path))).getroot()
    citations = [(c.text, c.get(f"{TEXT_NS}label")) for c in flat.iter(f"{TEXT_NS}note-citation")]
    expected = _word_numbers(_part(path, "word/document.xml"))
    assert [label or text for text, label in citations] == expected
    first = next(flat.iter(f"{TEXT_NS}note"))
    body = "".join(first.find(f"{TEXT_NS}note-body").itertext()).strip()
    assert body.startswith("Переиздано"), body


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["ru", "ar"])
def test_docx_paragraphs_tables_and_summary_are_set_as_in_the_pdf(written: Path, lang: str) -> None:
    """A numbered paragraph hangs its number: indented by the PDF's number column with the
    first line brought back and a tab stop where the text starts; a chart table's value
    cells and their headings at the end (the PDF's "end"); the summary bordered on four
    sides and justified."""
    document = _part(written / f"board-2021-{lang}.docx", "word/document.xml")
    numbered = []
    for p in document.iter(f"{W}p"):
        first = p.find(f"{W}r")
        number = "".join(first.itertext()).replace("\u200f", "") if first is not None else ""
        if re.fullmatch(r"\d+[.-]", number) and first.find(f"{W}tab") is not None:
            numbered.append(p)
    assert len(numbered) == 27
    for p in numbered:
        ind = p.find(f"{W}pPr/{W}ind")
        assert ind is not None and ind.get(f"{W}left") == ind.get(f"{W}hanging") == "504"
        tabs = [tab.get(f"{W}pos") for tab in p.iterfind(f"{W}pPr/{W}tabs/{W}tab")]
        assert tabs == ["504"]
    header = f"{W}tr/{W}trPr/{W}tblHeader"
    tables = [t for t in document.iter(f"{W}tbl") if t.find(header) is not None]
    assert tables
    for table in tables:
        for row in table.iterfind(f"{W}tr"):
            cells = row.findall(f"{W}tc")
            for cell in cells[1:]:
                assert cell.find(f"{W}p/{W}pPr/{W}jc").get(f"{W}val") == "right"
            assert cells[0].find(f"{W}p/{W}pPr/{W}jc") is None
        # the note under a table keeps clear of its bottom rule (it touched it)
        after = table.getnext()
        assert after is not None and after.tag == f"{W}p"
        spacing = after.find(f"{W}pPr/{W}spacing")
        assert spacing is not None and int(spacing.get(f"{W}before")) >= 80
    boxed = [p for p in document.iter(f"{W}p") if p.find(f"{W}pPr/{W}pBdr") is not None]
    assert len(boxed) == 1
    sides = {side.tag.removeprefix(W) for side in boxed[0].find(f"{W}pPr/{W}pBdr")}
    assert sides == {"top", "left", "bottom", "right"}
    assert boxed[0].find(f"{W}pPr/{W}jc").get(f"{W}val") == "both"
    assert "GC.18/Res.7" in "".join(boxed[0].itertext())
    # the header's two rules, as the PDF draws them: 1.2 pt under the organ, 0.6 pt under
    # the meeting and distribution block
    head = next(document.iter(f"{W}tbl"))
    rules = [
        {c.find(f"{W}tcPr/{W}tcBorders/{W}bottom").get(f"{W}sz") for c in row.iter(f"{W}tc")}
        for row in head.iterfind(f"{W}tr")
    ]
    assert rules == [{"10"}, {"5"}]
    # bold, italic and size reach Arabic text too: Word reads the complex-script twins
    styles = _part(written / f"board-2021-{lang}.docx", "word/styles.xml")
    for part in (document, styles):
        for r_pr in part.iter(f"{W}rPr"):
            for plain, twin in (("b", "bCs"), ("i", "iCs"), ("sz", "szCs")):
                if r_pr.find(f"{W}{plain}") is not None:
                    assert r_pr.find(f"{W}{twin}") is not None, (lang, plain)


@pytest.mark.slow
@needs_office
def test_libreoffice_keeps_chinese_numbers_whole(written: Path, tmp_path: Path) -> None:
    """The Chinese DOCX tags its Latin-script text (digits) en-GB and its Han text zh-CN
    (w:eastAsia): LibreOffice then breaks no number across lines ("5|00", "13,|194"), as it
    did with the digits tagged zh-CN."""
    path = written / "board-2021-zh.docx"
    for run in _part(path, "word/document.xml").iter(f"{W}r"):
        tag = run.find(f"{W}rPr/{W}lang")
        if tag is not None and re.search("[0-9]", "".join(run.itertext())):
            assert tag.get(f"{W}val") == "en-GB" and tag.get(f"{W}eastAsia") == "zh-CN"
    text = pdf_text(_office(path, "pdf", tmp_path), "-raw")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    body = [line for line in lines if re.search("[\u4e00-\u9fff]", line)]
    for line, after in pairwise(lines):
        if line in body and after in body:
            assert not (re.search("[0-9],?$", line) and re.match("[0-9]", after)), (line, after)
    for number in ("13,194公吨", "500多名", "73,562公吨"):
        assert number in text.replace(" ", ""), number
