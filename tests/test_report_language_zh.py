"""Chinese in the Board documents as the UN source sets it: its title and headings, footnote
calls before the punctuation, no space between Han text and digits or Latin words, in the
document and in the written PDF and DOCX."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from greenfolio.domain.countries import country_name
from greenfolio.services import reporting
from greenfolio.services.database import Database
from tests.pdf_text import pdf_text
from tests.report_language_rules import ZH_STOPS, value_runs

# --- Chinese as the UN source sets it ----------------------------------------------------
# Source: the Chinese edition of the 2021 report to the Industrial Development Board
# (IDB.49, "工发组织在环境和能源方面的活动"; outlined in the project's seed notes). Its title
# and section headings are printed as the source words them; its footnote calls stand
# before the punctuation ("…事项¹。", "应大会要求¹¹，"). UN Chinese writes no space
# between Han text and digits or Latin words ("大会GC.18/Res.7号决议", "2021年3月",
# "在COVID-19大流行"), nor between a CJK punctuation mark and them ("。2021年"): running
# text is closed up as the header's date line and agenda item are ("2021年7月12日至15日",
# "临时议程项目11"). (Word prints a small gap there of its own when its autospacing is on;
# the text has none.)

ZH_TITLE = "工发组织在环境和能源方面的活动"
ZH_HEADINGS = [
    "一. 引言",
    "二. 工发组织在COVID-19大流行方面的应对措施",
    "三. 技术合作",
    "四. 分析、研究与政策咨询服务",
    "五. 规范职能",
    "六. 召集职能和伙伴关系",
    "七. 前景",
    "八. 需请理事会采取的行动",
]
_HAN = "\u4e00-\u9fff"
_ZH_MARKS = ZH_STOPS + "）》”（《“"
_HAN_SPACE_LATIN = re.compile(f"[{_HAN}][ \u00a0]+[A-Za-z0-9]|[A-Za-z0-9][ \u00a0]+[{_HAN}]")
_PUNCT_SPACE_LATIN = re.compile(f"[{_ZH_MARKS}] +[A-Za-z0-9]|[A-Za-z0-9] +[{_ZH_MARKS}]")


def test_zh_title_and_headings_are_the_source_words(
    board: dict[str, reporting.BuiltReport],
) -> None:
    doc = board["zh"].document
    assert doc.header.title == ZH_TITLE
    assert doc.header.subtitle == "总干事的报告"
    assert [f"{s.label} {s.heading}" for s in doc.sections] == ZH_HEADINGS
    assert "领域的活动" not in doc.header.title


@pytest.mark.parametrize("definition", ["board", "montreal", "gef"])
def test_zh_footnote_calls_stand_before_the_punctuation(
    demo_db_module: Database, definition: str
) -> None:
    """Every call, the template's and the code's (a GWP basis note after a quantity), in
    every zh document: the text before it does not end in a punctuation mark."""
    doc = reporting.build(demo_db_module, definition, 2021, "zh").document
    calls = 0
    for para in doc.paragraphs():
        before = ""
        for run in para.runs:
            if run.footnote is not None:
                calls += 1
                assert before and before[-1] not in ZH_STOPS + " ", (para.key, before[-12:])
            else:
                before += run.text
    assert calls or definition != "board"


def test_zh_spacing_rule_in_the_document(board: dict[str, reporting.BuiltReport]) -> None:
    doc = board["zh"].document
    texts = [
        doc.header.summary or "",
        *(s.heading for s in doc.sections),
    ]
    for para in doc.paragraphs():  # a call between two words stands in for the space
        texts += "".join(r.text if r.footnote is None else "\0" for r in para.runs).split("\0")
    for text in texts:
        assert not _HAN_SPACE_LATIN.search(text), (_HAN_SPACE_LATIN.search(text), text)
        assert not _PUNCT_SPACE_LATIN.search(text), (_PUNCT_SPACE_LATIN.search(text), text)
        assert "  " not in text, text
    assert doc.header.dates_place.startswith("2021年7月12日至15日，")
    assert doc.header.agenda_item == "临时议程项目11"
    assert [note.text for note in doc.header.notes] == ["因技术原因于2021年6月2日重新印发。"]
    body = " ".join(texts)
    for phrase in ("于2021年3月", "共有500多名", "新增了11个", "大会GC.18/Res.7号决议"):
        assert phrase in body, phrase


@pytest.fixture(scope="module")
def zh_written(written: Path) -> Path:
    """The Chinese Board report as DOCX and PDF (from the six-language build)."""
    return written


def _zh_pdf_words(pdf: Path) -> list[tuple[str, float, float, float]]:
    """The PDF's words as poppler finds them (``pdftotext -bbox``: a word ends at a space
    or a change of size), each with its left and right edge and its height: a footnote
    call is a word of its own, smaller than the text beside it."""
    import html

    xml = pdf_text(pdf, "-bbox")
    found = re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        xml,
    )
    return [
        (
            html.unescape(m.group(5)),
            float(m.group(1)),
            float(m.group(3)),
            float(m.group(4)) - float(m.group(2)),
        )
        for m in found
    ]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_zh_pdf_follows_the_spacing_and_footnote_rules(
    zh_written: Path, board: dict[str, reporting.BuiltReport]
) -> None:
    """Read from the PDF's words, from the first section heading on: each footnote call
    (a small word set right against the body word before it) follows no punctuation mark
    and the calls run 1, 2, 3 … to the document's last note; the text has no space between
    Han text and a digit or a Latin letter."""
    words = _zh_pdf_words(zh_written / "board-2021-zh.pdf")
    first = next(i for i, w in enumerate(words) if w[0] == "一.")
    heights = sorted(h for _, _, _, h in words[first:])
    body_height = heights[len(heights) // 2]  # most words are running text
    calls: list[int] = []
    for i in range(first, len(words)):
        text, left, _, height = words[i]
        prev = words[i - 1]
        small = height < 0.75 * body_height and prev[3] >= 0.95 * body_height
        if small and abs(prev[2] - left) < 1.0 and text.isdigit():  # 》 may overhang it
            calls.append(int(text))
            assert prev[0][-1] not in ZH_STOPS, (prev[0], text)
    assert calls == list(range(1, len(board["zh"].document.footnotes) + 1)), calls
    headings = "".join(w[0] for w in words)
    for heading in ZH_HEADINGS:
        assert heading.replace(" ", "") in headings, heading
    text = pdf_text(zh_written / "board-2021-zh.pdf", "-raw")
    cells = {  # a chart table's row, its cells read apart by a space
        " ".join(row) for chart in board["zh"].document.charts for row in chart.table
    }
    for line in text.splitlines():
        if line.strip() not in cells:
            assert not _HAN_SPACE_LATIN.search(line), line
    flat = text.replace("\n", "")  # a Chinese line may end anywhere
    for phrase in ("于2021年3月", "共有500多名", "新增了11个", "在COVID-19大流行", "13,194公吨"):
        assert phrase in flat, phrase


def test_zh_docx_follows_the_spacing_and_footnote_rules(zh_written: Path) -> None:
    """The DOCX XML: no footnote reference right after a punctuation mark, and the text of
    the body (footnote references left out) has no space between Han text and a digit or a
    Latin letter, as the header's date line has none."""
    import docx

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    document = docx.Document(str(zh_written / "board-2021-zh.docx"))
    body = document.element.body
    refs = 0
    for para in body.iter(f"{w}p"):
        before = ""
        for run in para.iter(f"{w}r"):
            if run.find(f"{w}footnoteReference") is not None:
                refs += 1
                assert before and before[-1] not in ZH_STOPS + " \0", before[-15:]
            else:
                before += "".join(t.text or "" for t in run.iter(f"{w}t"))
                continue
            before += "\0"  # a call between two words stands in for the space
        for part in before.split("\0"):
            assert not _HAN_SPACE_LATIN.search(part), (_HAN_SPACE_LATIN.search(part), part)
            assert not _PUNCT_SPACE_LATIN.search(part), part
    assert refs >= 14


def test_zh_country_lists_follow_the_english_names(
    board: dict[str, reporting.BuiltReport],
) -> None:
    """The UN Chinese text lists countries in the order of their English names (the
    source's "柬埔寨、印度尼西亚、尼泊尔、菲律宾和越南"): so does every list in the zh document."""
    built = board["zh"]
    lists = 0
    for fid, fig in built.figures.items():
        runs = value_runs(built.document, fid)
        if not fig.items or not runs or fig.unit != "country":
            continue
        lists += 1
        english = sorted(
            fig.items, key=lambda c: country_name(c, "en").casefold().removeprefix("the ")
        )
        where = [runs[0].index(country_name(c, "zh")) for c in english]
        assert where == sorted(where), (fid, runs[0])
    assert lists >= 8


def test_zh_docx_prints_only_the_spaces_of_its_text(zh_written: Path) -> None:
    """Word's own Han-Latin gap is off in the zh DOCX's defaults (the PDF's is off too), so
    the text prints closed up as it is written, in the header's date line and running text
    alike."""
    import docx

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    styles = docx.Document(str(zh_written / "board-2021-zh.docx")).styles.element
    ppr = styles.find(f"{w}docDefaults/{w}pPrDefault/{w}pPr")
    assert ppr is not None
    values = {child.tag: child.get(f"{w}val") for child in ppr}
    assert values.get(f"{w}autoSpaceDE") == "0" and values.get(f"{w}autoSpaceDN") == "0"
    tags = [child.tag for child in ppr]
    assert tags.index(f"{w}autoSpaceDE") + 1 == tags.index(f"{w}autoSpaceDN")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_zh_number_keeps_its_symbol_unit_on_its_line(
    zh_written: Path, board: dict[str, reporting.BuiltReport]
) -> None:
    """A unit written as a Latin symbol ("mg TEQ") follows its number across a no-break
    space and keeps its own words together, so the PDF never ends a line with "119,489" or
    "mg"; a unit in Han words follows it with no space ("13,194公吨")."""
    text = board["zh"].document.plain_text()
    assert "119,489\u00a0mg\u00a0TEQ" in text and "11,705\u00a0mg\u00a0TEQ" in text
    assert "13,194公吨" in text
    lines = pdf_text(zh_written / "board-2021-zh.pdf", "-layout").splitlines()
    for number in ("119,489", "11,705"):
        body = [line for line in lines if number in line and "TEQ" in line]
        assert body and all(f"{number} mg TEQ" in line for line in body), (number, body)


def test_the_montreal_summary_names_the_protocol_as_a_title(demo_db_module: Database) -> None:
    """A delegate's review: the Chinese Montreal summary wrote 蒙特利尔议定书 without the
    title marks the Board report gives it (《蒙特利尔议定书》), and "报告年度2020" without
    its colon."""
    doc = reporting.build(demo_db_module, "montreal", 2020, "zh").document
    head = doc.header
    text = " ".join([head.title, head.agenda_item, *(p.text for p in doc.paragraphs())])
    assert "《蒙特利尔议定书》" in text and "《关于消耗臭氧层物质的蒙特利尔议定书》" in text
    assert not re.search(r"(?<![《的])蒙特利尔议定书|蒙特利尔议定书(?!》)", text), text
    assert head.session == "报告年度：2020"
