"""The Board report in the form of a UN governing-body document, read back from the files:
the header's fields (printed when the session gives them, never guessed), its * and **
notes, Word's own footnotes and language tags, Typst headings that are neither justified
nor left at a page foot, Arabic ranges and addresses in the right order, PDFs poppler reads
without complaint, and a clear stop when a font is missing."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import lxml.etree
import lxml.html
import pytest
from typer.testing import CliRunner

from greenfolio.domain.document import Document, Header, Paragraph, Run, Section
from greenfolio.domain.errors import ValidationError
from greenfolio.interfaces.cli.app import app
from greenfolio.interfaces.cli.common import ExitCode
from greenfolio.interfaces.writers import fonts
from greenfolio.interfaces.writers.pdf import typst_source, write_pdf
from greenfolio.services import document_form
from greenfolio.services.report_definition import load_definition

runner = CliRunner()
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
LANGS = ("ar", "zh", "en", "fr", "ru", "es")
BUILT = ("ar", "zh", "en", "fr")
REISSUE_ZH = "因技术原因于2021年6月2日重新印发。"
"""The reissue note of the 2021 source document, as it prints it."""
ECONOMY_ZH = "为节约起见，本文件未作印发。敬请各位代表自带文件与会。"
"""The paper-economy notice of the 2021 source document."""
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils not installed (scripts/test)"
)
slow = pytest.mark.slow


def _session_2021() -> dict[str, object]:
    return dict(load_definition("board").session(2021))


# --- the header's fields, from the session -------------------------------------------


def test_the_2021_session_prints_what_the_source_states_and_nothing_more() -> None:
    meta = _session_2021()
    zh = document_form.form_fields(meta, "zh", lambda d: f"{d.year}年{d.month}月{d.day}日")
    assert [(n.mark, n.anchor, n.text) for n in zh["notes"]] == [("*", "title", REISSUE_ZH)]
    assert zh["paper_economy"] == ECONOMY_ZH
    for unknown in ("symbol", "date_of_issue", "original_language", "language"):
        assert unknown not in zh, unknown
    distribution = {
        lang: document_form.form_fields(meta, lang, str)["distribution"] for lang in LANGS
    }
    assert distribution == {
        "ar": "Distr.: General",
        "zh": "Distr.: General",
        "en": "Distr.: General",
        "fr": "Distr. générale",
        "ru": "Distr.: General",
        "es": "Distr. general",
    }


def test_known_fields_are_printed_and_marked_in_reading_order() -> None:
    meta = _session_2021() | {
        "symbol": "TEST.49/1",
        "issued": "2021-05-10",
        "original_language": "en",
        "provisional_agenda_symbol": "TEST.49/0",
    }
    fr = document_form.form_fields(meta, "fr", lambda d: f"{d.day} juin {d.year}")
    assert fr["symbol"] == "TEST.49/1" and fr["date_of_issue"] == "10 mai 2021"
    assert fr["language"] == "Français" and fr["original_language"] == "Original\u00a0: anglais"
    notes = [(n.mark, n.anchor, n.text) for n in fr["notes"]]
    assert notes == [
        ("*", "symbol", "Nouveau tirage pour raisons techniques (2 juin 2021)."),
        ("**", "agenda_item", "TEST.49/0."),
    ]
    en = document_form.form_fields(meta, "en", str)
    assert "language" not in en and en["original_language"] == "Original: English"
    ru = document_form.form_fields(meta, "ru", str)
    assert (ru["block_lang"], ru["language"], ru["original_language"], ru["date_of_issue"]) == (
        "en",
        "Russian",
        "Original: English",
        "10 May 2021",
    )
    ru_2021 = document_form.form_fields(_session_2021(), "ru", lambda d: "2 июня 2021 г.")
    assert ru_2021["notes"][0].text == (  # no-break spaces: the date never breaks apart
        "Переиздано по техническим причинам 2\u00a0июня 2021\u00a0г."
    )
    with pytest.raises(ValidationError, match="distribution 'secret'"):
        document_form.form_fields(meta | {"distribution": "secret"}, "en", str)
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        document_form.form_fields(meta | {"issued": "May 2021"}, "en", str)


# --- the built files -----------------------------------------------------------------


def _known_fields_definition(folder: Path) -> Path:
    """The Board definition with the header fields the 2021 source leaves out, set to
    test values (TEST.49/…), to see them printed."""
    source = Path(__file__).resolve().parents[1] / "greenfolio" / "reports" / "board"
    target = folder / "board-known"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    definition = target / "definition.yaml"
    text = definition.read_text("utf-8").replace(
        "    distribution: general\n",
        "    distribution: general\n    symbol: TEST.49/1\n    issued: 2021-05-10\n"
        "    original_language: en\n    provisional_agenda_symbol: TEST.49/0\n",
    )
    definition.write_text(text.replace("id: board", "id: known"), "utf-8")
    return target


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The shipped Board report and one with every header field known, ar zh en fr, in
    HTML, DOCX and PDF."""
    folder = tmp_path_factory.mktemp("docform")
    db_file = str(folder / "demo.sqlite")
    result = runner.invoke(app, ["demo", "--db", db_file, "--out", str(folder / "demo-out")])
    assert result.exit_code == 0, result.output
    outs = []
    for name, definition in (("board", "board"), ("known", str(_known_fields_definition(folder)))):
        out = folder / name
        args = ["report", "build", "--definition", definition, "--year", "2021"]
        args += ["--lang", ",".join(BUILT), "--format", "html,docx,pdf"]
        result = runner.invoke(app, [*args, "--out", str(out), "--db", db_file])
        assert result.exit_code == 0, result.output
        outs.append(out)
    return outs[0], outs[1]


def _poppler(tool: str, pdf: Path, *args: str) -> tuple[str, str]:
    done = subprocess.run(
        [tool, *args, str(pdf), "-"] if tool == "pdftotext" else [tool, *args, str(pdf)],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout, done.stderr


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@slow
@needs_poppler
@pytest.mark.parametrize("lang", BUILT)
def test_poppler_reads_every_pdf_without_a_syntax_error(
    built: tuple[Path, Path], lang: str
) -> None:
    for out in built:
        pdf = next(out.glob(f"*-2021-{lang}.pdf"))
        for tool in ("pdfinfo", "pdffonts", "pdftotext"):
            _, stderr = _poppler(tool, pdf)
            assert stderr == "", (tool, pdf.name, stderr)


@slow
@needs_poppler
def test_the_zh_pdf_prints_the_source_header_and_leaves_unknown_fields_out(
    built: tuple[Path, Path],
) -> None:
    board, known = built
    text, _ = _poppler("pdftotext", board / "board-2021-zh.pdf")
    page1 = text.split("\f")[0]
    assert "Distr.: General" in page1
    # pdftotext lists the superscript marks of the page foot apart from their notes
    assert _flat(REISSUE_ZH) in _flat(page1) and "工发组织在环境和能源方面的活动*" in page1
    assert _flat(ECONOMY_ZH) in _flat(page1)
    assert "Original" not in text and "原文" not in text and "IDB.49/" not in text
    text, _ = _poppler("pdftotext", known / "known-2021-zh.pdf")
    page1 = text.split("\f")[0]
    for line in ("TEST.49/1", "10 May 2021", "Chinese", "Original: English"):
        assert line in page1, line
    assert "TEST.49/1*" in page1 and "临时议程项目11**" in page1  # closed up, as the source
    assert "TEST.49/0." in page1 and _flat(REISSUE_ZH) in _flat(page1)


@slow
@needs_poppler
def test_the_fr_and_en_headers_in_pdf_and_html(built: tuple[Path, Path]) -> None:
    _, known = built
    fr, _ = _poppler("pdftotext", known / "known-2021-fr.pdf")
    for line in ("Distr. générale", "10 mai 2021", "Français", "Original : anglais"):
        assert line in fr.split("\f")[0].replace("\u00a0", " "), line
    page = lxml.html.parse(str(known / "known-2021-en.html")).getroot()
    block = [div.text_content() for div in page.xpath("//div[@class='block']/div")]
    assert block == ["Distr.: General", "10 May 2021", "Original: English"]
    assert page.xpath("string(//div[@class='symbol'])") == "TEST.49/1*"
    assert page.xpath("string(//div[contains(@class,'agenda')]//sup)") == "**"
    notes = [li.text_content() for li in page.xpath("//ul[@class='header-notes']/li")]
    assert notes == ["* Reissued for technical reasons on 2 June 2021.", "** TEST.49/0."]


@slow
def test_symbol_date_of_issue_and_original_language_given_at_build(
    built: tuple[Path, Path], tmp_path: Path
) -> None:
    """Known once the secretariat registers the document, after the definition was written:
    given for one build, printed in the header, the definition file left as it was."""
    db_file = str(built[0].parent / "demo.sqlite")
    args = ["report", "build", "--year", "2021", "--lang", "en,fr", "--db", db_file]
    given = ["--symbol", "IDB.49/8", "--issued", "2021-05-26", "--original-language", "EN"]
    result = runner.invoke(app, [*args, *given, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    en = lxml.html.parse(str(tmp_path / "board-2021-en.html")).getroot()
    assert en.xpath("string(//div[@class='symbol'])") == "IDB.49/8*"  # the reissue note's mark
    block = [div.text_content() for div in en.xpath("//div[@class='block']/div")]
    assert block == ["Distr.: General", "26 May 2021", "Original: English"]
    fr = lxml.html.parse(str(tmp_path / "board-2021-fr.html")).getroot()
    block = [div.text_content() for div in fr.xpath("//div[@class='block']/div")]
    assert block == ["Distr. générale", "26 mai 2021", "Français", "Original\u00a0: anglais"]
    assert "symbol" not in load_definition("board").session(2021)
    # each field checked before anything is written, the fix named
    for bad, said in (
        (["--symbol", "idb 49"], "e.g. IDB.49/8"),
        (["--symbol", "IDB.49/8<b>"], "not a United Nations symbol"),
        (["--issued", "2021-13-01"], "write it as YYYY-MM-DD"),
        (["--issued", "0001-01-01"], "check the year"),
        (["--issued", "2021-06-15"], "after the reissue of 2021-06-02"),
        (["--original-language", "de"], "ar, zh, en, fr, ru, es"),
    ):
        out = tmp_path / "refused"
        result = runner.invoke(app, [*args, *bad, "--out", str(out)])
        assert result.exit_code == ExitCode.INVALID, (bad, result.output)
        assert said in " ".join(result.output.split()), (bad, result.output)
        assert not out.exists()
    summary = ["report", "build", "--year", "2021", "--definition", "montreal", "--db", db_file]
    result = runner.invoke(app, [*summary, "--symbol", "IDB.49/8", "--out", str(tmp_path / "m")])
    assert result.exit_code == ExitCode.INVALID and "no document header" in result.output
    assert not (tmp_path / "m").exists()


# --- DOCX ----------------------------------------------------------------------------


def _xml(path: Path, part: str) -> lxml.etree._Element:
    with zipfile.ZipFile(path) as z:
        return lxml.etree.fromstring(z.read(part))


def _parts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        types = lxml.etree.fromstring(z.read("[Content_Types].xml"))
    ns = "{http://schemas.openxmlformats.org/package/2006/content-types}"
    return {o.get("PartName"): o.get("ContentType") for o in types.iter(f"{ns}Override")}


@slow
@pytest.mark.parametrize("lang", BUILT)
def test_docx_has_word_footnotes_a_header_part_and_a4_pages(
    built: tuple[Path, Path], lang: str
) -> None:
    _, known = built
    path = known / f"known-2021-{lang}.docx"
    document = docx.Document(str(path))  # opens again
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert round(section.left_margin.cm, 1) == 2.3 and section.different_first_page_header_footer
    parts = _parts(path)
    assert parts["/word/footnotes.xml"].endswith("footnotes+xml")
    assert any(name.startswith("/word/header") for name in parts)
    rels = _xml(path, "word/_rels/document.xml.rels")
    types = {rel.get("Type").rsplit("/", 1)[-1] for rel in rels}
    assert {"footnotes", "header", "footer"} <= types
    body = _xml(path, "word/document.xml")
    notes = _xml(path, "word/footnotes.xml")
    refs = body.findall(f".//{W}footnoteReference")
    ids = [n.get(f"{W}id") for n in notes.findall(f"{W}footnote") if not n.get(f"{W}type")]
    assert [r.get(f"{W}id") for r in refs] == ids and len(ids) >= 4
    custom = [r for r in refs if r.get(f"{W}customMarkFollows") == "1"]
    assert len(custom) == 2  # the reissue note (*) and the provisional agenda (**)
    marks = [n.findtext(f".//{W}t") for n in notes.findall(f"{W}footnote")][2:4]
    assert marks == ["*", "**"]
    settings = _xml(path, "word/settings.xml")
    assert settings.find(f"{W}footnotePr") is not None
    first_footer = " ".join(_xml(path, "word/footer2.xml").itertext()) + " ".join(
        _xml(path, "word/footer1.xml").itertext()
    )
    assert document_form.form_fields({"paper_economy": True}, lang, str)["paper_economy"] in (
        first_footer
    )


@slow
@pytest.mark.parametrize("lang", BUILT)
def test_every_docx_run_carries_its_language_and_arabic_is_right_to_left(
    built: tuple[Path, Path], lang: str
) -> None:
    board, _ = built
    path = board / f"board-2021-{lang}.docx"
    arabic, han = re.compile("[\u0600-\u06ff]"), re.compile("[\u4e00-\u9fff]")
    for part in ("word/document.xml", "word/footnotes.xml", "word/header1.xml"):
        root = _xml(path, part)
        runs = [r for r in root.iter(f"{W}r") if "".join(r.itertext()).strip()]
        assert runs, part
        for run in runs:
            tag = run.find(f"{W}rPr/{W}lang")
            assert tag is not None, (part, "".join(run.itertext()))
            text = "".join(run.itertext())
            if han.search(text):
                assert tag.get(f"{W}eastAsia") == "zh-CN", text
            if arabic.search(text):
                assert tag.get(f"{W}bidi") == "ar-SA"
                assert run.find(f"{W}rPr/{W}rtl") is not None, text
                assert run.find(f"{W}rPr/{W}rFonts").get(f"{W}cs") == "Simplified Arabic"
            if text == "Distr.: General":
                assert tag.get(f"{W}val") == "en-GB" and run.find(f"{W}rPr/{W}rtl") is None
    sect = _xml(path, "word/document.xml").find(f".//{W}body/{W}sectPr")
    assert (sect.find(f"{W}bidi") is not None) == (lang == "ar")
    for part in ("word/document.xml", "word/header1.xml", "word/footer1.xml", "word/footer2.xml"):
        paragraphs = list(_xml(path, part).iter(f"{W}p"))
        bidi = [p.find(f"{W}pPr/{W}bidi") is not None for p in paragraphs]
        assert paragraphs and all(bidi) if lang == "ar" else not any(bidi), part


# --- PDF layout: headings, Arabic order ----------------------------------------------


@slow
@needs_poppler
def test_arabic_ranges_footnote_marks_and_addresses_keep_their_order(
    built: tuple[Path, Path],
) -> None:
    board, _ = built
    pdf = board / "board-2021-ar.pdf"
    text, _ = _poppler("pdftotext", pdf)
    assert re.search(r"2018.2021", text), "the range 2018–2021 is not whole"
    assert not re.search(r"2021\.?\d?.2018", text), "the range was reversed around its mark"
    words, _ = _poppler("pdftotext", pdf, "-bbox")
    assert ">www.un-page.org/</word>" in words
    source = (board / "board-2021-ar.html").read_text("utf-8")
    assert '<bdi dir="ltr">www.un-page.org/</bdi>.' in source


def _synthetic(heading: str, sections: int) -> Document:
    """A document of many short sections, so that some heading falls near a page foot."""
    filler = "Integrated energy and environment work continues across the portfolio. "
    out = []
    for i in range(sections):
        paragraphs = tuple(
            Paragraph(
                f"p{i}-{j}",
                i * 3 + j + 1,
                (Run(f"Paragraph {i}-{j}. " + filler * (2 + (i * 7 + j) % 9)),),
            )
            for j in range(1 + i % 3)
        )
        out.append(Section(f"s{i}", f"{i + 1}.", f"{heading} {i}", paragraphs))
    head = Header("Board", "Session", "Vienna", "Item 1", "A title", "A subtitle")
    return Document("en", "ltr", head, tuple(out))


@needs_poppler
def test_no_heading_is_left_at_a_page_foot_nor_justified(tmp_path: Path) -> None:
    long = (
        "Sustainable and resilient soft and hard infrastructure for industrial development, "
        "climate neutrality and the circular economy in the national commitments"
    )
    doc = _synthetic(long, 40)
    pdf = write_pdf(doc, tmp_path / "headings.pdf")
    text, _ = _poppler("pdftotext", pdf)
    pages = text.split("\f")
    assert len(pages) > 5
    for i, section in enumerate(doc.sections):
        first = section.paragraphs[0].text[:20]
        head_page = next(
            n for n, page in enumerate(pages) if f"{long} {i}" in re.sub(r"\s+", " ", page)
        )
        body_page = next(n for n, page in enumerate(pages) if first in page)
        assert head_page == body_page, (
            f"heading {i} on page {head_page + 1}, its text on {body_page + 1}"
        )
    words, _ = _poppler("pdftotext", pdf, "-bbox-layout")
    root = lxml.html.fromstring(words.encode())
    right = 595.276 - 2.3 * 72 / 2.54
    lines = [
        (float(line.get("xmax")), " ".join(w.text for w in line.iter("word")))
        for line in root.iter("line")
    ]
    heading_lines = [x for x, words_ in lines if words_.startswith("1. Sustainable")]
    body_lines = [x for x, words_ in lines if words_.startswith("Paragraph 0-0.")]
    assert heading_lines and all(x < right - 12 for x in heading_lines), (heading_lines, right)
    assert body_lines and abs(body_lines[0] - right) < 3  # the body is justified


def test_the_typst_source_isolates_arabic_ranges() -> None:
    head = Header("مجلس", "الدورة", "فيينا، 12–15 تموز/يوليه 2021", "البند 11", "عنوان", "تقرير")
    para = Paragraph(
        "p", 1, (Run("للفترة 2018–2021"), Run("1", footnote=1), Run(". انظر www.un-page.org/."))
    )
    doc = Document("ar", "rtl", head, (Section("s", "أولا-", "مقدمة", (para,)),))
    source = typst_source(doc, {})
    # a range is an unbreakable left-to-right box, an address a breakable isolate
    assert '#box(text(dir: ltr, "12–15"))' in source
    assert '#"\u2066www.un-page.org/\u2069"#"."' in source
    # the call is boxed with the word it follows, after a right-to-left mark (so that it
    # stands on the range's left, read after it); the month pair never breaks at its slash
    assert '#box[#box(text(dir: ltr, "2018–2021"))#"\u200f"#footnote[' in source
    assert source.count("#footnote[") == 1
    assert '#box[#"تموز/يوليه"]' in source
    # the paragraph number reads "1-" (right to left: the hyphen on the number's left)
    assert '#grid(columns: (2.4em, 1fr), [#"1-\u200f"]' in source
    english = typst_source(Document("en", "ltr", head, (Section("s", "I.", "Intro", (para,)),)), {})
    # in English only the range is kept whole (a plain box), with no direction or isolate
    assert "[1.]" in english and "\u2066" not in english and "text(dir: ltr" not in english
    assert "\u200f" not in english, "no right-to-left mark before an English call"
    assert '#box("2018–2021")' in english


Word = tuple[float, float, float, float, str]


def _bbox_pages(pdf: Path) -> list[list[Word]]:
    """The words of each page as (xmin, xmax, ymin, ymax, text), bidi controls removed."""
    words, _ = _poppler("pdftotext", pdf, "-bbox")
    parser = lxml.html.HTMLParser(encoding="utf-8")
    root = lxml.html.document_fromstring(words.encode(), parser=parser)
    return [
        [
            (
                float(w.get("xmin")),
                float(w.get("xmax")),
                float(w.get("ymin")),
                float(w.get("ymax")),
                re.sub("[\u2066-\u2069\u200e\u200f]", "", w.text or ""),
            )
            for w in page.iter("word")
        ]
        for page in root.iter("page")
    ]


def _same_line(a: Word, b: Word) -> bool:
    return a is not b and (b[2] <= (a[2] + a[3]) / 2 <= b[3] or a[2] <= (b[2] + b[3]) / 2 <= a[3])


@slow
@needs_poppler
def test_arabic_pdf_reads_as_a_un_arabic_document(built: tuple[Path, Path]) -> None:
    """By rule over the Arabic PDF: every range of the header reads low–high; each paragraph
    number stands at the right margin with its hyphen on its left ("10-" read right to
    left), numbered 1, 2, 3 …; no footnote number stands alone on its line at the page
    foot; every footnote call in the body touches the word it follows (on its right)."""
    board, _ = built
    pdf = board / "board-2021-ar.pdf"
    text, _ = _poppler("pdftotext", pdf)
    header = text.split("\f")[0].split("\n")[:8]
    ranges = [m for line in header for m in re.findall(r"(\d+)\s*[–-]\s*(\d+)", line)]
    assert ranges, header
    assert all(int(low) < int(high) for low, high in ranges), ranges
    assert not re.search(r"^\s*\d+\.\s", text, re.M), "a paragraph number printed as N."
    pages = _bbox_pages(pdf)
    right = max(w[1] for page in pages for w in page)
    numbers: list[int] = []
    notes = calls = 0
    for page in pages:
        for word in page:
            x0, x1, y0, y1, value = word
            line = [w for w in page if _same_line(word, w)]
            if not value.isdigit():
                continue
            if y1 - y0 > 15 and abs(x1 - right) < 1:  # a paragraph number
                hyphens = [w for w in line if w[4] == "-" and w[1] <= x0 + 0.5]
                assert hyphens and x0 - hyphens[0][1] < 1, ("no hyphen on its left", word)
                assert not [w for w in line if w[4] == "-" and w[0] >= x1 - 0.5], word
                numbers.append(int(value))
            elif y1 - y0 < 9.5 and x0 > right - 12:  # a footnote's number, in its column
                notes += 1
                assert line, f"footnote {value} alone on its line"
                assert max(w[1] for w in line) < x0 + 0.5, (word, line[:2])
            elif 9.5 <= y1 - y0 < 12.5 and any(w[3] - w[2] > 15 for w in line):  # a call
                calls += 1
                after = [w for w in line if -1 < w[0] - x1 < 4]
                assert after, f"footnote call {value} split from its word"
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) > 20, numbers
    assert notes >= 14 and calls >= 14, (notes, calls)


@slow
def test_arabic_docx_and_html_isolate_ranges_and_number_paragraphs_as_un_arabic(
    built: tuple[Path, Path],
) -> None:
    """Every numeric range of the Arabic DOCX is a run of its own between LRI and PDI,
    without w:rtl, reading low–high; every range of the HTML is in <bdi dir="ltr">; the
    paragraph numbers are "N-" closed by a right-to-left mark, in the DOCX and the HTML."""
    board, _ = built
    path = board / "board-2021-ar.docx"
    span = re.compile(r"(\d+)\s?[–-]\s?(\d+)")
    numbered = []
    for part in ("word/document.xml", "word/footnotes.xml"):
        for run in _xml(path, part).iter(f"{W}r"):
            text = "".join(t.text or "" for t in run.iter(f"{W}t"))
            if re.fullmatch(r"\d+-\u200f", text):
                numbered.append(int(text[:-2]))
            for match in span.finditer(text):
                if re.search(r"[\u0600-\u06ff]", text) and "/" not in text:
                    raise AssertionError(f"range {match.group()} not isolated in {text!r}")
                if "/" in text:  # inside an address
                    continue
                assert text.startswith("\u2066") and text.endswith("\u2069"), text
                assert run.find(f"{W}rPr/{W}rtl") is None, text
                if "–" in match.group() or len(match.group(1)) == 4:  # not "IWA 33-3"
                    assert int(match.group(1)) < int(match.group(2)), text
    assert numbered == list(range(1, len(numbered) + 1)) and len(numbered) > 20
    header = "".join(_xml(path, "word/document.xml").find(f".//{W}tbl").itertext())
    assert "\u206612–15\u2069" in header.replace("\u2060", "")  # a word joiner may follow a dash
    html = (board / "board-2021-ar.html").read_text("utf-8")
    root = lxml.html.fromstring(html.encode())
    drawn = {e for svg in root.iter("svg") for e in svg.iter()}  # charts: not running text
    for element in root.iter():
        if element.tag == "bdi" or element in drawn:
            continue
        own = (element.text or "") + "".join(child.tail or "" for child in element)
        for match in span.finditer(own):
            if not re.search(r"[\u0600-\u06ff]", own) or "/" in own:  # not Arabic text
                continue
            raise AssertionError(f"range {match.group()} outside <bdi>: {own!r}")
    bdis = [b.text for b in root.iter("bdi") if b.get("dir") == "ltr"]
    assert "12–15" in bdis
    nums = [n.text for n in root.xpath("//p[@class='para']/span[@class='num']")]
    assert nums == [f"{i}-\u200f" for i in range(1, len(nums) + 1)] and len(nums) > 20


@slow
def test_the_arabic_docx_sets_the_english_block_left_to_right(built: tuple[Path, Path]) -> None:
    """In the Arabic edition the symbol and distribution block are English: a right-to-left
    paragraph would print "May 2021 10" and "*TEST.49/1"; each is left to right, flush
    with the page's left edge, as the PDF sets it."""
    _, known = built
    body = _xml(known / "known-2021-ar.docx", "word/document.xml")
    lines = {}
    for p in body.iter(f"{W}p"):
        text = "".join(t.text or "" for t in p.iter(f"{W}t"))
        if text.startswith("TEST.49/1") or text in (
            "Distr.: General",
            "10 May 2021",
            "Original: English",
        ):
            lines[text] = p
    assert len(lines) == 4, sorted(lines)
    for text, p in lines.items():
        (bidi,) = p.findall(f"{W}pPr/{W}bidi")
        assert bidi.get(f"{W}val") == "0", text
        assert p.find(f"{W}pPr/{W}jc").get(f"{W}val") == "left", text
    arabic = next(p for p in body.iter(f"{W}p") if "الدورة" in "".join(p.itertext()))
    assert arabic.find(f"{W}pPr/{W}bidi").get(f"{W}val") in (None, "1", "true")


# --- fonts -----------------------------------------------------------------------------


def _link_fonts(folder: Path, names: tuple[str, ...]) -> None:
    folder.mkdir()
    for directory in fonts.SYSTEM_FONT_DIRS:
        for name in names:
            path = Path(directory) / name
            if path.is_file():
                (folder / name).symlink_to(path)


@pytest.mark.skipif(
    not Path("/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf").is_file(),
    reason="fonts-noto-core not installed (scripts/test installs it)",
)
def test_a_missing_font_stops_the_build_naming_it_and_its_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_file = str(tmp_path / "demo.sqlite")
    result = runner.invoke(app, ["demo", "--db", db_file, "--out", str(tmp_path / "demo-out")])
    assert result.exit_code == 0, result.output
    latin = tmp_path / "latin-only"
    _link_fonts(
        latin,
        (
            "NotoSerif-Regular.ttf",
            "NotoSerif-Bold.ttf",
            "NotoSerif-Italic.ttf",
            "NotoSans-Regular.ttf",
            "NotoSans-Bold.ttf",
        ),
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    args = ["report", "build", "--year", "2021", "--format", "pdf", "--db", db_file]
    monkeypatch.setenv(fonts.FONT_DIRS_ENV, str(empty))
    result = runner.invoke(app, [*args, "--lang", "en", "--out", str(tmp_path / "a")])
    assert result.exit_code == ExitCode.INVALID
    assert "Noto Serif" in result.output and "fonts-noto-core" in result.output
    assert not (tmp_path / "a").exists() or not any((tmp_path / "a").iterdir())
    monkeypatch.setenv(fonts.FONT_DIRS_ENV, str(latin))
    result = runner.invoke(app, [*args, "--lang", "en,zh", "--out", str(tmp_path / "b")])
    assert result.exit_code == ExitCode.INVALID
    message = " ".join(result.output.split())
    assert "Noto Serif CJK SC, Noto Sans CJK SC not found" in message
    assert "apt-get install fonts-noto-cjk" in message and "fonts-noto-core" not in message
    assert not (tmp_path / "b").exists() or not any((tmp_path / "b").iterdir())
    result = runner.invoke(app, [*args, "--lang", "en", "--out", str(tmp_path / "c")])
    assert result.exit_code == 0, result.output
    listed, _ = _poppler("pdffonts", tmp_path / "c" / "board-2021-en.pdf")
    assert "NotoSerif" in listed and "CJK" not in listed


@needs_poppler
def test_a_wrapped_footnote_lines_up_under_its_text(built: tuple[Path, Path]) -> None:
    """A footnote's mark stands in a column of its own: the second line of a long web address
    starts where the first line's text starts, not under the mark."""
    board, _ = built
    words = [w for page in _bbox_pages(board / "board-2021-en.pdf") for w in page]
    first = next(w for w in words if w[4] == "www.greenindustryplatform.org/research/")
    rest = next(w for w in words if w[4].startswith("lessons-learnt-assessing"))
    assert abs(rest[0] - first[0]) < 0.5, (first, rest)
