"""Russian in the Board documents: numerals declined and counts one to ten in words,
no-break spaces, footnote calls before the stop; document symbols and ranges kept whole in
every language's PDF and DOCX."""

from __future__ import annotations

import re
import shutil
from itertools import pairwise
from pathlib import Path

import pytest

from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.domain.numbers import format_count, russian_number_word
from greenfolio.domain.results import Qualifier
from greenfolio.domain.typography import (
    NBSP,
    NO_BREAK_HYPHEN,
    typeset,
    unbroken_hyphens,
    unbroken_spans,
)
from greenfolio.services import report_units, reporting
from tests.pdf_text import pdf_text

# --- Russian: numbers in words, no-break spaces, footnote calls; symbols kept whole ------

_RU_FUNCTION_WORDS = "и|или|а|но|в|во|на|с|со|по|к|ко|о|об|из|до|от|за|для|при|у"


_RU_NUMBER_THEN_WORD = re.compile(rf"\d[ \n](?!(?:{_RU_FUNCTION_WORDS})\b)[а-яё%]")


def test_russian_numerals_decline() -> None:
    assert russian_number_word(4, "genitive", "f") == "четырех"
    assert russian_number_word(3, "dative") == "трем"
    assert russian_number_word(2, "accusative", "f") == "две"
    assert russian_number_word(1, "prepositional", "f") == "одной"
    assert russian_number_word(8, "instrumental") == "восемью"
    assert russian_number_word(11, "genitive") is None
    assert format_count(9, "ru", case="prepositional") == "девяти"
    assert format_count(9, "ru") == "9"  # no case named: the template did not ask for words
    assert format_count(30, "ru", Qualifier.MORE_THAN, case="genitive") == "более 30"
    with pytest.raises(ValueError):
        russian_number_word(3, "locative")


def test_russian_counts_one_to_ten_in_words(board: dict[str, reporting.BuiltReport]) -> None:
    """Every count from one to ten in the Russian text is a word, never a digit; larger
    numbers, bounds ("более 30") and measured quantities keep digits."""
    built = board["ru"]
    checked = 0
    for para in built.document.paragraphs():
        for run in para.runs:
            if run.figure is None or run.part != "value":
                continue
            fig = built.figures[run.figure]
            exact = fig.qualifier is Qualifier.EXACT and fig.value == int(fig.value)
            if exact and 1 <= fig.value <= 10 and not report_units.has_words(fig.unit):
                digits = rf"(?<![\d.]){int(fig.value)}(?![\d.])"
                assert not re.search(digits, run.text), (run.figure, run.text)
                checked += 1
    assert checked >= 10
    text = built.document.plain_text().replace(NBSP, " ")
    for phrase in (
        "в рамках четырех взаимодополняющих основных функций",
        "в трех приоритетных областях",
        "еще для пяти стран",
        "посвящен трем цепочкам",
        "в девяти странах",
        "в четырех развивающихся странах",
        "и еще в семи странах",
        "50 промышленных парков в восьми странах",
        "подготовкой двух аналитических записок",
        "пройдет более 30 парламентских круглых столов с участием более 300 парламентариев, "
        "в том числе 100 женщин",
    ):
        assert phrase in text, phrase


def test_russian_no_break_spaces(board: dict[str, reporting.BuiltReport]) -> None:
    """A number is never apart from the word it counts ("2021 года", "пяти стран" aside,
    digits only), "более"/"около" from their number, a one-letter word from the next."""
    assert typeset("в 2020 году, 12–15 июля 2021 года, около 72 млн тонн", "ru") == (
        f"в{NBSP}2020{NBSP}году, 12–15{NBSP}июля 2021{NBSP}года, около{NBSP}72{NBSP}млн тонн"
    )
    assert typeset("целями 9 и 12; iii) нормативная; консультаций — принятие", "ru") == (
        f"целями{NBSP}9 и{NBSP}12; iii){NBSP}нормативная; консультаций{NBSP}— принятие"
    )
    assert typeset("in 2021 the year", "en") == "in 2021 the year"  # other languages as written
    doc = board["ru"].document
    texts = [doc.plain_text(), *(note.text for note in doc.footnotes)]
    for text in texts:
        assert not _RU_NUMBER_THEN_WORD.search(text), _RU_NUMBER_THEN_WORD.search(text)
        assert not re.search(r"(?<![\w\-])[ВвКкСсУуОоИиАа] ", text)
        assert not re.search(r"\b(?:более|около) \d", text)


def test_russian_footnote_calls_come_before_the_stop(
    board: dict[str, reporting.BuiltReport],
) -> None:
    """Russian sets the footnote call before the full stop or comma ("…годы¹.")."""
    calls = 0
    for para in board["ru"].document.paragraphs():
        for before, run in pairwise(para.runs):
            if run.footnote is not None:
                calls += 1
                assert not before.text.rstrip().endswith((".", ",", ";", ":")), (
                    para.number,
                    before.text[-40:],
                )
    assert calls >= 14


@pytest.mark.slow
def test_russian_pdf_lines_keep_numbers_with_their_words(written: Path) -> None:
    """No line of the Russian PDF ends with a number whose word ("года", "стран") starts
    the next line, nor with a one-letter word, nor does a line start with a dash; the DOCX
    text has no plain space where the rule puts a no-break one."""

    import docx

    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils not installed")
    text = pdf_text(written / "board-2021-ru.pdf", "-raw")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line, after in pairwise(lines):
        if re.fullmatch(r"[\d\s\u00a0]+", line):  # a chart's axis
            continue
        joined = f"{line}\n{after}"
        assert not _RU_NUMBER_THEN_WORD.search(joined[len(line) - 1 : len(line) + 4]), joined
        assert not re.search(r"(?<![\w\-])[ВвКкСсУуОоИиАа]$", line), joined
        assert not after.startswith("—"), joined
    document = docx.Document(str(written / "board-2021-ru.docx"))
    body = " ".join(p.text for p in document.paragraphs)
    assert not _RU_NUMBER_THEN_WORD.search(body), _RU_NUMBER_THEN_WORD.search(body)
    assert "2021\u00a0года" in body


def test_symbols_and_ranges_are_kept_whole() -> None:
    text = "резолюции GC.18/Res.7, IDB.45/8/Add.2 и www.unido.org/files/2021-03/x.pdf, 2018–2021"
    assert [piece for piece, whole in unbroken_spans(text) if whole] == [
        "GC.18/Res.7",
        "IDB.45/8/Add.2",
        "2018–2021",
    ]
    # Word's text keeps them as written (no invisible joiner to defeat a search); only the
    # hyphen of a name or code becomes a non-breaking one
    assert unbroken_hyphens(text) == text
    named = unbroken_hyphens("Буркина-Фасо, Timor-Leste, COVID-19 и HCFC-22 в 2021 году")
    assert named == "Буркина‑Фасо, Timor‑Leste, COVID‑19 и HCFC‑22 в 2021 году"
    assert named.count(NO_BREAK_HYPHEN) == 4


def test_chinese_writes_symbols_and_codes_beside_han_text() -> None:
    """Chinese sets no space beside a symbol or code, which is still one span."""
    text = typeset("大会 GC.18/Res.7 号决议，在 COVID-19 大流行中，2018-2021 年", "zh")
    assert text == "大会GC.18/Res.7号决议，在COVID-19大流行中，2018-2021年"
    assert [piece for piece, whole in unbroken_spans(text) if whole] == [
        "GC.18/Res.7",
        "COVID-19",
        "2018-2021",
    ]


@pytest.mark.slow
@pytest.mark.parametrize("lang", UN_LANGUAGES)
def test_document_symbols_never_break_in_pdf_or_docx(written: Path, lang: str) -> None:
    """No line of the PDF text ends inside a symbol (after its slash), and each symbol of
    the report is found whole on a line; the DOCX text holds each symbol as written, with
    no invisible character (U+2060) an editor's search would trip on, and "COVID-19" with
    Word's non-breaking hyphen."""
    import zipfile

    from lxml import etree

    if shutil.which("pdftotext"):
        pdf = pdf_text(written / f"board-2021-{lang}.pdf")
        lines = pdf.splitlines()
        cut = re.compile(r"(?<![\w./\-])[A-Z][A-Za-z]*(?:\.[A-Za-z0-9]+)*(?:/[A-Za-z0-9.]+)*/$")
        for line in lines:
            assert not cut.search(line.rstrip()), (lang, line)
        for symbol in ("GC.18/Res.7", "IDB.45/8/Add.2", "IDB.48/17"):
            assert any(symbol in line for line in lines), (lang, symbol)
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(written / f"board-2021-{lang}.docx") as package:
        parts = [package.read(name) for name in ("word/document.xml", "word/footnotes.xml")]
    texts = []
    for part in parts:
        root = etree.fromstring(part)
        texts.append("".join(t.text or "" for t in root.iter(f"{w}t")))
        for run in root.iter(f"{w}r"):  # a non-breaking hyphen between a code and its number
            kids = [kid.tag for kid in run]
            for i, tag in enumerate(kids):
                if tag == f"{w}noBreakHyphen":
                    assert kids[i - 1] == kids[i + 1] == f"{w}t", lang
    text = "".join(texts)
    assert "\u2060" not in text, lang
    for symbol in ("GC.18/Res.7", "IDB.45/8/Add.2", "IDB.48/17"):
        assert symbol in text, (lang, symbol)
    body = etree.fromstring(parts[0])
    covid = [
        "".join("-" if kid.tag == f"{w}noBreakHyphen" else kid.text or "" for kid in run)
        for run in body.iter(f"{w}r")
        if run.find(f"{w}noBreakHyphen") is not None
    ]
    assert any("COVID-19" in run for run in covid) or lang == "ar", lang  # ar: كوفيد-19


@pytest.mark.parametrize(
    ("value", "phrases"),
    [
        (2, ["еще для двух стран", "приняла две национальные стратегии", "с двумя странами"]),
        (5, ["опробован в пяти странах", "пополнилась пятью новыми", "пять глобальных альянсов"]),
        (21, ["в 21 стране", "приняла 21 национальную стратегию", "с 21 страной"]),
    ],
)
def test_russian_counts_agree_whatever_the_value(
    board: dict[str, reporting.BuiltReport], value: int, phrases: list[str]
) -> None:
    """The Russian sentences agree with any count, not only the demo's: words from one to
    ten in the governed case, the noun's form by the number ("21 стране")."""
    import dataclasses

    built = board["ru"]
    figures = dict(built.figures)
    for fid in (
        "emobility_pipeline",
        "eip_strategies",
        "ewaste_latam_countries",
        "refrigeration_elearning_countries",
        "gcip_new_projects",
        "circular_alliances",
    ):
        figures[fid] = dataclasses.replace(figures[fid], value=value)
    definition = reporting.load_definition("board")
    template = reporting.load_template("board", "ru")
    doc, _ = reporting.render_document(definition, template, "ru", figures, 2021)
    text = doc.plain_text().replace(NBSP, " ")
    for phrase in phrases:
        assert phrase in text, phrase
