"""The demo report carries every figure of the 2021 Board report, in zh and en, HTML and
DOCX, each with a provenance file; numbers are read back from the generated text."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import docx
import lxml.html
import pytest
from typer.testing import CliRunner

from greenfolio.interfaces.cli.app import app
from greenfolio.services import reporting
from greenfolio.services.database import Database
from greenfolio.services.report_definition import load_definition
from greenfolio.store.tables import ResultRow
from tests.outline import EXPECTED, NAMES, read_number

LANGS = ("zh", "en")


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Run `greenfolio demo` once, as a new user would, into a fresh folder."""
    folder = tmp_path_factory.mktemp("demo")
    db_file = folder / "demo.sqlite"
    result = CliRunner().invoke(app, ["demo", "--db", str(db_file), "--out", str(folder / "out")])
    assert result.exit_code == 0, result.output
    return folder / "out", str(db_file)


def _figure_spans(html_path: Path) -> dict[str, list[str]]:
    tree = lxml.html.parse(str(html_path))
    spans: dict[str, list[str]] = {}
    for span in tree.getroot().xpath("//a[@class='figure'][not(@data-part)]"):
        spans.setdefault(span.get("data-figure"), []).append(span.text_content())
    return spans


def test_demo_writes_every_document_with_provenance(demo_run: tuple[Path, str]) -> None:
    out, _ = demo_run
    for lang in LANGS:
        for fmt in ("html", "docx"):
            doc = out / f"board-2021-{lang}.{fmt}"
            prov = out / f"board-2021-{lang}.{fmt}.provenance.json"
            assert doc.stat().st_size > 5000
            data = json.loads(prov.read_text("utf-8"))
            assert data["document"]["file"] == doc.name
            assert {f["id"] for f in data["figures"]} == set(EXPECTED)


@pytest.mark.parametrize("lang", LANGS)
def test_every_figure_reads_back_from_the_html(demo_run: tuple[Path, str], lang: str) -> None:
    out, _ = demo_run
    spans = _figure_spans(out / f"board-2021-{lang}.html")
    for fid, expected in EXPECTED.items():
        assert fid in spans, f"figure {fid} missing from the {lang} report"
        text = spans[fid][0]
        if isinstance(expected, list):
            for code in expected:
                assert NAMES[lang][code] in text, (fid, code, text)
        else:
            assert read_number(text, lang) == (float(expected[0]), expected[1]), (fid, text)


@pytest.mark.parametrize("lang", LANGS)
def test_approximate_forms_as_the_source_writes_them(demo_run: tuple[Path, str], lang: str) -> None:
    out, _ = demo_run
    text = lxml.html.parse(str(out / f"board-2021-{lang}.html")).getroot().text_content()
    wanted = {
        "en": [
            "more than 700\u00a0metric tonnes",
            "about 72 million tonnes of CO₂-equivalent",
            "13,194",
            "more than 300",
            "12–15 July 2021",
            "Forty-ninth session",
        ],
        "zh": [
            "700多公吨",
            "约7,200万吨二氧化碳当量",
            "13,194公吨",
            "300多名",
            "第四十九届会议",
            "2021年7月12日至15日",
        ],
    }[lang]
    for phrase in wanted:
        assert phrase in text, phrase


@pytest.mark.parametrize("lang", LANGS)
def test_docx_opens_and_holds_every_paragraph(demo_run: tuple[Path, str], lang: str) -> None:
    out, db_file = demo_run
    built = reporting.build(Database.open(db_file), "board", 2021, lang)
    texts = [p.text for p in docx.Document(str(out / f"board-2021-{lang}.docx")).paragraphs]
    # the text as written: no invisible word joiner (U+2060) for a search to trip on; the
    # hyphen of a name or code is Word's non-breaking hyphen (read as "-")
    joined = "\n".join(texts)
    assert "\u2060" not in joined
    paragraphs = built.document.paragraphs()
    assert len(paragraphs) == 27
    for para in paragraphs:
        # footnote marks are Word footnote references (no text in the paragraph)
        assert f"{para.number}.\t{para.text}" in joined
    with zipfile.ZipFile(out / f"board-2021-{lang}.docx") as package:
        notes = package.read("word/footnotes.xml").decode("utf-8")
    assert "\u2060" not in notes
    notes = notes.replace('</w:t><w:noBreakHyphen/><w:t xml:space="preserve">', "-")
    for note in built.document.footnotes:
        assert note.text.replace("&", "&amp;") in notes


def test_provenance_points_at_verified_results(demo_run: tuple[Path, str]) -> None:
    out, db_file = demo_run
    data = json.loads((out / "board-2021-en.html.provenance.json").read_text("utf-8"))
    with Database.open(db_file).transaction() as session:
        for fig in data["figures"]:
            assert fig["query"] and "parameters" in fig and "value" in fig
            for rid in fig["result_ids"]:
                row = session.get(ResultRow, rid)
                assert row is not None and row.review_state == "verified"
    pops = next(f for f in data["figures"] if f["id"] == "pops_destroyed")
    assert pops["value"] == 13194 and len(pops["result_ids"]) == 1


def test_figures_match_the_outline_on_each_backend(demo_db: Database) -> None:
    values = reporting.compute_figures(demo_db, load_definition("board"), 2021)
    for fid, expected in EXPECTED.items():
        fig = values[fid]
        if isinstance(expected, list):
            assert sorted(fig.items) == sorted(expected), fid
            assert fig.value == len(expected)
        else:
            assert (fig.value, fig.qualifier.value) == (expected[0], expected[1]), fid


def test_a_changed_verified_result_changes_the_report(demo_db: Database) -> None:
    from greenfolio.services import results

    rid = results.record(
        demo_db,
        results.ResultSpec(
            work="idb49-pops-programme",
            indicator="pops_destroyed",
            value=6,
            unit="t",
            period_end="2021-06-30",
        ),
    )
    before = reporting.build(demo_db, "board", 2021, "en").document.plain_text()
    assert "13,194\u00a0metric tonnes" in before
    results.apply_review(demo_db, [rid], "submit")
    unverified = reporting.build(demo_db, "board", 2021, "en").document.plain_text()
    assert "13,194\u00a0metric tonnes" in unverified
    results.apply_review(demo_db, [rid], "verify", actor="user:checker")
    after = reporting.build(demo_db, "board", 2021, "zh").document.plain_text()
    assert "13,200公吨" in after


def test_an_unknown_figure_in_a_template_names_it(demo_db: Database) -> None:
    from greenfolio.domain.errors import NotFoundError
    from greenfolio.services.report_definition import load_template
    from greenfolio.services.reporting import render_document

    definition = load_definition("board")
    template = load_template("board", "en")
    template["paragraphs"]["action"] = 'We reached {{ num("no_such_figure") }} goals.'
    figs = reporting.compute_figures(demo_db, definition, 2021)
    with pytest.raises(NotFoundError, match=r"paragraph action: unknown figure .no_such_figure."):
        render_document(definition, template, "en", figs, 2021)
