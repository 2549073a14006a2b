"""The Arabic reports: numbers three to ten in words that agree with their counted noun,
footnote calls read after the year (or Latin name) they follow, in the PDF, DOCX and HTML
as written, and the mirrored map legend's range read left to right in the PDF."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from greenfolio.domain.errors import ValidationError
from greenfolio.domain.numbers import arabic_number_word, format_count
from greenfolio.domain.results import Qualifier
from greenfolio.interfaces.writers.bidi import CALL_LEAD
from greenfolio.services import reporting
from greenfolio.services.database import Database
from greenfolio.services.report_definition import load_template
from tests.pdf_text import pdf_text
from tests.report_builds import build_board

_COUNT = re.compile(r'count\("(\w+)", ((?:\w+="[^"]*"(?:, )?)+)\)')
_TEMPLATES = Path(reporting.__file__).parent.parent / "reports"
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f]")


def test_three_to_ten_take_the_gender_opposite_to_the_noun() -> None:
    """Polarity: a masculine singular (بلد) takes the number with tā' marbūṭa, a feminine
    one (دولة) the number without; one, two and 11 on are not words here."""
    assert arabic_number_word(3, "m") == "ثلاثة"  # ثلاثة بلدان
    assert arabic_number_word(3, "f") == "ثلاث"  # ثلاث دول
    assert arabic_number_word(8, "m") == "ثمانية"
    assert arabic_number_word(8, "f") == "ثماني"  # ثماني نساء
    assert arabic_number_word(10, "m") == "عشرة"
    assert arabic_number_word(10, "f") == "عشر"
    assert arabic_number_word(2, "m") is None and arabic_number_word(11, "f") is None
    assert format_count(5, "ar", gender="m") == "خمسة"
    assert format_count(5, "ar") == "5"  # no gender given: the template asked for no word
    assert format_count(30, "ar", Qualifier.MORE_THAN, gender="m") == "أكثر من 30"
    assert format_count(5, "ar", Qualifier.ABOUT, gender="f") == "نحو 5"
    with pytest.raises(ValueError):
        arabic_number_word(3, "n")


@pytest.mark.parametrize("name", ["board", "montreal", "gef"])
def test_each_arabic_count_names_its_nouns_gender(name: str) -> None:
    """Every count that prints its number has the gender of its noun under
    ``counted_nouns``, and every entry there is a count of the template."""
    source = (_TEMPLATES / name / "templates" / "ar.yaml").read_text("utf-8")
    template = load_template(name, "ar")
    genders = template.get("counted_nouns") or {}
    printed = {
        fid
        for fid, args in _COUNT.findall(source)
        if any("{n}" in form for form in re.findall(r'="([^"]*)"', args))
    }
    assert printed, name
    assert set(genders) == printed, (name, set(genders) ^ printed)
    assert set(genders.values()) <= {"m", "f"}


def _at(db: Database, name: str, n: int) -> tuple[str, dict[str, str]]:
    """The Arabic text of report ``name`` with each counted figure set to ``n``, and the
    text of each counted figure's run."""
    definition = reporting.load_definition(name)
    computed = reporting.compute(db, definition, 2021)
    template = load_template(name, "ar")
    counted = template["counted_nouns"]
    figures = {
        fid: dataclasses.replace(fig, value=n, qualifier=Qualifier.EXACT) if fid in counted else fig
        for fid, fig in computed.figures.items()
    }
    document, _ = reporting.render_document(definition, template, "ar", figures, 2021)
    runs = {
        run.figure: run.text
        for para in document.paragraphs()
        for run in para.runs
        if run.figure in counted and run.part == "value"
    }
    return document.plain_text(), runs


@pytest.mark.parametrize(
    ("name", "n", "phrases"),
    [
        (
            "board",
            3,
            (
                "ثلاث وظائف أساسية",  # وظيفة, feminine
                "ثلاثة مجالات تركيز",  # مجال, masculine
                "أنجز ثلاثة بلدان",
                "ثلاث سلاسل قيمة",
                "ثلاثة خبراء دوليين وثلاث مؤسسات دولية",
                "ثلاث موائد مستديرة برلمانية",
                "منهم ثلاث نساء",
                "ثلاثة مشاريع قطرية جديدة",
            ),
        ),
        ("board", 8, ("ثماني وظائف أساسية", "ثمانية بلدان", "ثماني نساء", "ثمانية أدلة")),
        ("board", 10, ("عشر وظائف أساسية", "عشرة مجالات تركيز", "عشر سياسات ولوائح بيئية")),
        ("montreal", 4, ("أربعة بلدان",)),
        ("gef", 5, ("خمسة أشخاص", "منهم خمس نساء")),
    ],
)
def test_arabic_counts_three_to_ten_in_words_that_agree(
    demo_db_module: Database, name: str, n: int, phrases: tuple[str, ...]
) -> None:
    text, runs = _at(demo_db_module, name, n)
    for phrase in phrases:
        assert phrase in text, (phrase, text[:300])
    assert runs
    for fid, run in runs.items():
        assert not re.search(rf"(?<!\d){n}(?!\d)", run), (fid, run)


def test_eleven_and_over_stay_digits(demo_db_module: Database) -> None:
    text, runs = _at(demo_db_module, "board", 11)
    assert "أنجز 11 بلدا" in text
    assert runs and all("11" in run for run in runs.values()), runs


def test_a_count_without_its_nouns_gender_is_an_error(demo_db_module: Database) -> None:
    definition = reporting.load_definition("board")
    computed = reporting.compute(demo_db_module, definition, 2021)
    template = dict(load_template("board", "ar"))
    template["counted_nouns"] = {
        k: v for k, v in template["counted_nouns"].items() if k != "core_functions"
    }
    figures = dict(computed.figures)
    figures["core_functions"] = dataclasses.replace(
        figures["core_functions"], value=4, qualifier=Qualifier.EXACT
    )
    with pytest.raises(ValidationError, match="counted_nouns"):
        reporting.render_document(definition, template, "ar", figures, 2021)


# --- footnote calls after a year or a Latin name ------------------------------------------


@pytest.fixture(scope="module")
def arabic(demo_db_module: Database, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Arabic Board report written as HTML, DOCX and PDF by the CLI."""
    return build_board(demo_db_module, tmp_path_factory.mktemp("ar"), "html,docx,pdf", "ar")


def _calls_after_left_to_right(db: Database) -> list[tuple[int, str]]:
    """(call number, the word before it) for each call after a number ("2021",
    "2018–2021") or a Latin name ("planetGOLD")."""
    built = reporting.build(db, "board", 2021, "ar")
    out = []
    for para in built.document.paragraphs():
        for before, run in zip(para.runs, para.runs[1:], strict=False):
            if run.footnote is None or not before.text.strip():
                continue
            word = before.text.split()[-1]
            if before.lang or re.fullmatch(r"[0-9A-Za-z\u2013-]+", word):
                out.append((run.footnote, word))
    return out


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler's pdftotext")
def test_pdf_calls_follow_the_year_in_reading_order(demo_db_module: Database, arabic: Path) -> None:
    """pdftotext writes each left-to-right stretch of an Arabic line as it is drawn, left to
    right: a call read after "2021" stands on its left ("52021"), as a call after an Arabic
    word stands on the word's left; drawn on its right ("20215") it is read before it."""
    calls = _calls_after_left_to_right(demo_db_module)
    assert len(calls) >= 5 and any(word == "planetGOLD" for _, word in calls), calls
    text = _BIDI_CONTROLS.sub("", pdf_text(arabic / "board-2021-ar.pdf"))
    for number, word in calls:
        after = rf"(?<!\d){number}{re.escape(word)}(?!\d)"
        before = rf"(?<!\d){re.escape(word)}{number}(?!\d)"
        assert re.search(after, text), (number, word)
        assert not re.search(before, text), (number, word)


def test_docx_and_html_calls_open_right_to_left(arabic: Path) -> None:
    """Word and browsers apply the same bidirectional algorithm: the DOCX writes a
    right-to-left mark before each call, the HTML isolates each call right to left."""
    import docx

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    body = docx.Document(str(arabic / "board-2021-ar.docx")).element.body
    refs = 0
    for ref in body.iter(f"{w}footnoteReference"):
        if ref.get(f"{w}customMarkFollows"):
            continue  # the header's * and **
        refs += 1
        run: Any = ref.getparent().getprevious()
        assert "".join(t.text or "" for t in run.iter(f"{w}t")) == CALL_LEAD
    assert refs >= 14
    page = lxml.html.parse(str(arabic / "board-2021-ar.html")).getroot()
    sups = page.xpath('//p[contains(@class, "para")]//sup')
    assert len(sups) >= 14 and all(sup.get("dir") == "rtl" for sup in sups)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler's pdftotext")
def test_pdf_map_legend_reads_its_range_left_to_right(arabic: Path) -> None:
    text = _BIDI_CONTROLS.sub("", pdf_text(arabic / "board-2021-ar.pdf", "-f", "1", "-l", "3"))
    assert "2–3" in text and "3–2" not in text


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler's pdftotext")
def test_pdf_chart_labels_read_their_letter_first(arabic: Path) -> None:
    """A focus-area label of the bar chart starts with its letter, "(أ) البنى …": read right
    to left, the letter stands rightmost on the label's first line, not at its left end."""
    boxes = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>',
        pdf_text(arabic / "board-2021-ar.pdf", "-bbox"),
    )
    # the chart's labels are set smaller than the text (whose "(أ)" stands mid-line)
    small = [
        (float(x), round(float(y), 1), w) for x, y, y2, w in boxes if float(y2) - float(y) < 10
    ]
    found = 0
    for letter in "أبج":
        for x, y, word in small:
            if re.fullmatch(rf"[()]{letter}[()]", _BIDI_CONTROLS.sub("", word)):
                line = [other for other, at, _w in small if at == y]
                assert x == max(line), (letter, x, line)
                found += 1
    assert found == 3, found
