"""French and Spanish in the Board documents as a UN editor reads them: footnote calls
before the punctuation, en dashes in year ranges, no line break where the UN editions allow
none, country lists worked into the sentence."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from greenfolio.domain.results import Qualifier
from greenfolio.domain.typography import (
    NBSP,
    NNBSP,
    typeset,
)
from greenfolio.services import reporting
from greenfolio.services.report_definition import load_template
from tests.pdf_text import pdf_text

# --- French and Spanish as a UN editor reads them ----------------------------------------

_YEAR_RANGE_HYPHEN = re.compile(r"(?<![\w/.-])(?:19|20)\d\d-(?:19|20)\d\d(?![\w-])")
"""Two years joined by a hyphen ("2018-2021"); a range takes an en dash. Web addresses
("2021-03") and document numbers ("33-3") are not years on both sides."""
_CALL_AFTER_STOP = re.compile(r"[.,;:!?…]\s*$")
_COUNTRY_LISTS = (
    "page_recovery_countries",
    "healthcare_waste_countries",
    "emobility_countries",
    "gcip_adaptation_countries",
    "biochar_countries",
    "planetgold_countries",
    "women_countries",
)


def _breakable(lang: str, text: str) -> list[str]:
    """Places in ``text`` where an ordinary space would let a line break where the UN
    French or Spanish editions do not: after a list label ("a) des"), and in French
    between a number in digits and its word ("500 intervenants") or before a colon."""
    rules = [r"(?<![\w\u00a0])(?:[a-z]|[ivx]{1,4})\) "]
    if lang == "fr":
        rules += [r"\d [^\W\d]", r" :", r"\b(?:de|environ) \d"]
    found = re.finditer("|".join(rules), text)
    return [text[max(0, m.start() - 15) : m.end() + 15] for m in found]


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_footnote_calls_stand_before_the_punctuation(
    board: dict[str, reporting.BuiltReport], lang: str
) -> None:
    """French and Spanish (RAE; UN Spanish and French editions) put the call before the
    full stop or comma it belongs with: "2018–2021¹." """
    calls = 0
    for paragraph in board[lang].document.paragraphs():
        before = ""
        for run in paragraph.runs:
            if run.footnote is not None:
                calls += 1
                assert not _CALL_AFTER_STOP.search(before), (lang, before[-40:])
            else:
                before += run.text
    assert calls >= 10


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_year_ranges_take_an_en_dash(board: dict[str, reporting.BuiltReport], lang: str) -> None:
    text = board[lang].document.plain_text()
    assert not _YEAR_RANGE_HYPHEN.search(text), _YEAR_RANGE_HYPHEN.search(text)
    assert "2018–2021" in text


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_no_line_break_where_the_un_editions_allow_none(
    board: dict[str, reporting.BuiltReport], lang: str
) -> None:
    document = board[lang].document
    text = "\n".join(p.text for p in document.paragraphs())  # the body, footnotes apart
    assert not _breakable(lang, text), _breakable(lang, text)
    leone = {"fr": "Sierra\u00a0Leone", "es": "Sierra\u00a0Leona"}[lang]
    assert leone in text
    assert {"fr": "prioritaires\u00a0: a)\u00a0des", "es": "prioritarias: a)\u00a0una"}[
        lang
    ] in text


def test_french_no_break_rules() -> None:
    text = typeset(
        "plus de 500 intervenants ; a) des i) la (Brésil) a été 2021\ue0031\ue004 L", "fr"
    )
    assert text == (
        f"plus de{NBSP}500{NBSP}intervenants{NNBSP}; a){NBSP}des i){NBSP}la (Brésil) a été "
        "2021\ue0031\ue004 L"
    )
    assert typeset("a) una; b) la (Brasil) a", "es") == f"a){NBSP}una; b){NBSP}la (Brasil) a"


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_country_lists_are_worked_into_the_sentence(
    board: dict[str, reporting.BuiltReport], lang: str
) -> None:
    """No list of countries is hung after a colon ("dans les pays suivants : …"): each is
    part of its sentence, so no introducing phrase repeats from paragraph to paragraph."""
    built = board[lang]
    for paragraph in built.document.paragraphs():
        before = ""
        for run in paragraph.runs:
            if run.figure in _COUNTRY_LISTS and run.part == "value":
                assert not before.rstrip(" \u00a0").endswith(":"), (lang, before[-50:])
            if run.footnote is None:
                before += run.text
    text = built.document.plain_text()
    for phrase in ("pays suivants", "siguientes países", "países siguientes"):
        assert phrase not in text, phrase


def test_spanish_names_the_global_bioenergy_partnership_as_fao_does(
    board: dict[str, reporting.BuiltReport],
) -> None:
    """FAO's Spanish press release of 25 September 2006 (source in es.yaml)."""
    text = board["es"].document.plain_text()
    assert "Asociación Mundial de la Bioenergía" in text
    assert "Alianza Mundial sobre la Bioenergía" not in text


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["fr", "es"])
def test_written_files_keep_the_french_and_spanish_rules(written: Path, lang: str) -> None:
    """The same rules read back from the DOCX XML (calls, no-break spaces) and the PDF text
    (ranges): what the writers print, not only what the templates give them."""
    import zipfile

    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(written / f"board-2021-{lang}.docx") as package:
        root = etree.fromstring(package.read("word/document.xml"))
    calls = 0
    for paragraph in root.iter(f"{w}p"):
        before = ""
        for node in paragraph.iter(f"{w}t", f"{w}footnoteReference"):
            if node.tag == f"{w}footnoteReference":
                calls += 1
                assert not _CALL_AFTER_STOP.search(before), (lang, before[-40:])
            else:
                before += node.text or ""
        assert not _breakable(lang, before), _breakable(lang, before)
        assert not _YEAR_RANGE_HYPHEN.search(before), before
    assert calls >= 10
    if shutil.which("pdftotext"):
        pdf = pdf_text(written / f"board-2021-{lang}.pdf")
        assert not _YEAR_RANGE_HYPHEN.search(pdf), _YEAR_RANGE_HYPHEN.search(pdf)
        assert "2018–2021" in pdf


def test_montreal_french_reach_sentence_repeats_its_preposition() -> None:
    """The Montreal template's reach sentence (its demo names no country, so it is rendered
    here from a figure): "un appui au Brésil, à la Chine et à l'Uruguay", no colon list."""
    from greenfolio.services.figures import Figure

    fig = Figure("countries", "indicator", {}, 3, "", Qualifier.EXACT, (), ("URY", "CHN", "BRA"))
    none = Figure("training_countries", "indicator", {}, 0, "", Qualifier.EXACT, ())
    renderer = reporting._Renderer("fr", {"countries": fig, "training_countries": none}, {})
    template = load_template("montreal", "fr")
    text = renderer.plain(renderer.render(template["paragraphs"]["reach"], "reach"))
    assert "un appui au\u00a0Brésil, à\u00a0la\u00a0Chine et à\u00a0l’Uruguay." in text, text
    assert "suivants" not in text
