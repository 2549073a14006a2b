"""French dates print "1er janvier" with the "er" superior, as French typography sets the
ordinal of a month's first day, in the three formats a delegate reads (the Board report's
chart source notes give "du 1er janvier 2020 au 30 juin 2021")."""

from __future__ import annotations

import dataclasses
import itertools
import re
import subprocess
from pathlib import Path

import docx
import lxml.html
import pytest

from greenfolio.domain.document import Document
from greenfolio.domain.typography import raised_letters
from greenfolio.interfaces.report_files import render_charts, write
from greenfolio.interfaces.writers.pdf import typst_source
from greenfolio.services import reporting
from greenfolio.services.database import Database


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("du 1er janvier 2020", [("du 1", False), ("er", True), (" janvier 2020", False)]),
        ("le 1er\u00a0mars", [("le 1", False), ("er", True), ("\u00a0mars", False)]),
        ("11er x", [("11er x", False)]),  # not a first day
        ("1er", [("1er", False)]),  # no date follows
        ("R-1er a", [("R-1er a", False)]),  # part of a code
        ("1 January 2020", [("1 January 2020", False)]),
    ],
)
def test_only_the_ordinal_of_a_first_day_is_raised(
    text: str, pieces: list[tuple[str, bool]]
) -> None:
    assert raised_letters(text) == pieces


@pytest.fixture(scope="module")
def french(demo_db_module: Database, tmp_path_factory: pytest.TempPathFactory) -> Written:
    """The French Board report written as HTML, DOCX and PDF, charts drawn once."""
    built = reporting.build(demo_db_module, "board", 2021, "fr")
    charts = render_charts(built)
    folder = tmp_path_factory.mktemp("fr")
    paths = {fmt: write(built, fmt, folder, charts)[0] for fmt in ("html", "docx", "pdf")}
    return Written(built.document, paths)


class Written:
    def __init__(self, document: Document, paths: dict[str, Path]) -> None:
        self.document = document
        self.paths = paths


def test_the_french_report_has_a_first_day(french: Written) -> None:
    notes = [note for chart in french.document.charts for note in chart.notes]
    assert any("1er janvier 2020" in note for note in notes)


def test_html_raises_er(french: Written) -> None:
    root = lxml.html.parse(str(french.paths["html"])).getroot()
    sups = [s for s in root.iter("sup") if s.text == "er"]
    assert sups
    for sup in sups:
        before = sup.getprevious()
        text = (before.tail if before is not None else sup.getparent().text) or ""
        assert text.endswith("1"), text
        assert (sup.tail or "").startswith(" janvier")


def test_docx_raises_er(french: Written) -> None:
    raised = 0
    for para in docx.Document(str(french.paths["docx"])).paragraphs:
        runs = para.runs
        for before, run in itertools.pairwise(runs):
            if run.text == "er" and before.text.endswith("1"):
                assert run.font.superscript is True
                raised += 1
        assert all(run.text == "er" for run in runs if run.font.superscript)
    assert raised >= 1


def test_pdf_sets_er_above_the_line(french: Written) -> None:
    """In the PDF, "er" is a word of its own, smaller and higher than the "1" before it."""
    layout = subprocess.run(
        ["pdftotext", "-bbox", str(french.paths["pdf"]), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    words = re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', layout)
    pairs = [
        (words[i], words[i + 1])
        for i in range(len(words) - 1)
        if words[i][2] == "1" and words[i + 1][2] == "er"
    ]
    assert pairs
    for one, er in pairs:
        assert float(er[1]) < float(one[1]) - 2  # its foot well above the line's
        assert float(er[1]) - float(er[0]) < float(one[1]) - float(one[0])  # smaller


def test_other_languages_keep_their_first_day(demo_db_module: Database) -> None:
    english = dataclasses.replace(
        reporting.build(demo_db_module, "board", 2021, "en").document, charts=()
    )
    assert "#super[" not in typst_source(english, {})
