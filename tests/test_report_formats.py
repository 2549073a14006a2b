"""Every language builds in HTML, DOCX and PDF with every figure present, charts drawn,
fonts embedded, Arabic right to left, and figures linked to their sources."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import docx
import lxml.html
import pytest
from typer.testing import CliRunner

from greenfolio.domain.errors import NotFoundError
from greenfolio.domain.typography import DOCUMENT_SYMBOL
from greenfolio.interfaces.cli.app import app
from greenfolio.services import reporting
from greenfolio.services.database import Database
from greenfolio.services.report_definition import load_definition, load_template
from tests.conftest import ARTIFACTS
from tests.outline import EXPECTED

LANGS = ("ar", "zh", "en", "fr", "ru", "es")
PAGES = ARTIFACTS / "test-artifacts"
runner = CliRunner()
slow = pytest.mark.slow
"""The six-language, three-format build takes tens of seconds (CI runs it)."""
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="poppler-utils not installed (scripts/test installs it)",
)


@pytest.fixture(scope="module")
def six(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The Board report in all six languages and three formats, built in one call."""
    folder = tmp_path_factory.mktemp("six")
    db_file = str(folder / "demo.sqlite")
    result = runner.invoke(app, ["demo", "--db", db_file, "--out", str(folder / "demo-out")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        app,
        [
            "report",
            "build",
            "--definition",
            "board",
            "--year",
            "2021",
            "--lang",
            "all",
            "--format",
            "html,docx,pdf",
            "--out",
            str(folder / "out"),
            "--db",
            db_file,
        ],
    )
    assert result.exit_code == 0, result.output
    return folder / "out", db_file


def _figure_ids(html: Path) -> set[str]:
    root = lxml.html.parse(str(html)).getroot()
    return {a.get("data-figure") for a in root.xpath("//a[@class='figure']")}


@slow
def test_eighteen_documents_each_with_provenance(six: tuple[Path, str]) -> None:
    out, _ = six
    for lang in LANGS:
        for fmt in ("html", "docx", "pdf"):
            assert (out / f"board-2021-{lang}.{fmt}").stat().st_size > 10_000
            prov = json.loads((out / f"board-2021-{lang}.{fmt}.provenance.json").read_text())
            assert {f["id"] for f in prov["figures"]} == set(EXPECTED)
            assert {c["id"] for c in prov["charts"]} == {
                "countries_map",
                "countries_by_focus_area",
                "pops_by_fate",
                "ods_by_year",
            }


@slow
@pytest.mark.parametrize("lang", LANGS)
def test_html_has_every_figure_linked_to_its_explanation(six: tuple[Path, str], lang: str) -> None:
    out, _ = six
    page = out / f"board-2021-{lang}.html"
    assert _figure_ids(page) >= set(EXPECTED)
    root = lxml.html.parse(str(page)).getroot()
    for link in root.xpath("//a[@class='figure']"):
        target = link.get("href").lstrip("#")
        assert root.xpath(f"//article[@id='{target}']"), target
    # four charts: three drawn, and ODS by year (one year with a value) as a table
    assert len(root.xpath("//figure[@class='chart']//svg")) == 3
    assert root.xpath("//figure[@id='chart-ods_by_year']//table[@class='chart-table']")
    pops = root.xpath("//article[@id='explain-pops_destroyed']")[0].text_content()
    # the sources say the value as the text prints it, and name no internal key
    printed = root.xpath("//a[@data-figure='pops_destroyed']")[0].text_content()
    number = re.match(r"[\d.,\u202f\u00a0 ]*\d", printed)
    assert number and re.sub(r"\D", "", number.group()) == "13194", printed
    assert number.group() in pops
    assert "idb49-pops-programme" not in pops and "13194" not in pops


@slow
@pytest.mark.parametrize("lang", LANGS)
def test_html_keeps_document_symbols_whole(six: tuple[Path, str], lang: str) -> None:
    """Every document symbol in the report's text (header, paragraphs, captions, footnotes)
    sits in a no-wrap ``nowrap`` element, and no symbol is left outside one."""
    out, _ = six
    root = lxml.html.parse(str(out / f"board-2021-{lang}.html")).getroot()
    css = "".join(root.xpath("//style/text()"))
    assert re.search(r"\.nowrap\s*\{\s*white-space:\s*nowrap", css)
    kept = [el.text_content() for el in root.xpath("//*[@class='nowrap']")]
    assert {"GC.18/Res.7", "IDB.45/8/Add.2", "IDB.48/17"} <= set(kept), kept
    parts = "//p[@class='para'] | //p[@class='summary'] | //ol[@class='footnotes'] | //figcaption"
    for part in root.xpath(parts):
        for text in part.xpath(".//text()[not(ancestor::*[@class='nowrap'])]"):
            assert not DOCUMENT_SYMBOL.search(text), (lang, text)


@slow
def test_arabic_is_right_to_left_in_html_and_docx(six: tuple[Path, str]) -> None:
    out, _ = six
    root = lxml.html.parse(str(out / "board-2021-ar.html")).getroot()
    assert root.get("dir") == "rtl" and root.get("lang") == "ar"
    assert all(p.get("dir") == "rtl" for p in root.xpath("//p[@class='para']"))
    document = docx.Document(str(out / "board-2021-ar.docx"))
    body = [p for p in document.paragraphs if p.text.strip()]
    assert all(
        p._p.pPr is not None
        and p._p.pPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}bidi")
        is not None
        for p in body
    )
    english = docx.Document(str(out / "board-2021-en.docx"))
    assert (
        english.paragraphs[0]._p.pPr is None
        or english.paragraphs[0]._p.pPr.find(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}bidi"
        )
        is None
    )


def _pdf_text(path: Path) -> str:
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text


@slow
@needs_poppler
@pytest.mark.parametrize("lang", LANGS)
def test_pdf_carries_every_figure_with_fonts_embedded(six: tuple[Path, str], lang: str) -> None:
    out, db_file = six
    pdf = out / f"board-2021-{lang}.pdf"
    # read across page breaks as a reader does: without the page number and running head
    text = re.sub(r"\n\s*\d+\s*\n\f[^\n]*\n", "\n", _pdf_text(pdf))
    flat = re.sub(r"\s+", "" if lang == "zh" else " ", text)
    built = reporting.build(Database.open(db_file), "board", 2021, lang)
    for para in built.document.paragraphs():
        for run in para.runs:
            if run.figure and run.part == "value":
                wanted = re.sub(r"\s+", "" if lang == "zh" else " ", run.text)
                if lang == "ar":
                    wanted = re.sub(r"[\u200e\u200f\u061c]", "", wanted)
                    flat = re.sub(r"[\u200e\u200f\u061c]", "", flat)
                    digits = re.findall(r"\d[\d,.]*", wanted)
                    assert all(d in flat for d in digits), (run.figure, wanted)
                else:
                    assert wanted in flat, (run.figure, wanted)
    fonts = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert fonts, "no fonts listed"
    assert all(line.split()[-5] == "yes" for line in fonts), fonts
    pages = _pdf_text(pdf).count("\f")
    assert pages >= 3


@slow
@needs_poppler
@pytest.mark.parametrize("lang", ["en", "fr", "es", "ru", "zh", "ar"])
def test_keep_png_pages_for_a_person_to_look_at(six: tuple[Path, str], lang: str) -> None:
    out, _ = six
    PAGES.mkdir(parents=True, exist_ok=True)
    prefix = PAGES / f"board-2021-{lang}"
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(out / f"board-2021-{lang}.pdf"), str(prefix)],
        check=True,
    )
    pages = sorted(PAGES.glob(f"board-2021-{lang}-*.png"))
    assert pages and all(p.stat().st_size > 5_000 for p in pages)
    print("PNG pages:", *pages, sep="\n  ")


def test_a_changed_result_changes_the_figure_in_every_language(demo_db: Database) -> None:
    from greenfolio.services import results

    rid = results.record(
        demo_db,
        results.ResultSpec(
            work="idb49-pops-policies",
            indicator="policies_adopted",
            value=4,
            period_end="2021-06-30",
        ),
    )
    results.apply_review(demo_db, [rid], "submit")
    results.apply_review(demo_db, [rid], "verify", actor="user:checker")
    computed = reporting.compute(demo_db, load_definition("board"), 2021)
    assert computed.figures["pops_policies"].value == 235
    for lang in LANGS:
        built = reporting.build(demo_db, "board", 2021, lang, computed)
        texts = [
            r.text
            for p in built.document.paragraphs()
            for r in p.runs
            if r.figure == "pops_policies"
        ]
        assert texts and all("235" in t for t in texts), (lang, texts)


def test_a_missing_translation_fails_the_build_with_its_name(demo_db: Database) -> None:
    definition = load_definition("board")
    computed = reporting.compute(demo_db, definition, 2021)
    template = load_template("board", "fr")
    del template["paragraphs"]["minamata"]
    with pytest.raises(NotFoundError, match=r"fr template lacks paragraphs\.minamata"):
        reporting.render_document(
            definition, template, "fr", computed.figures, 2021, computed.charts
        )
    template = load_template("board", "ru")
    del template["charts"]["pops_by_fate"]["title"]
    with pytest.raises(NotFoundError, match="ru template lacks title"):
        reporting.render_document(
            definition, template, "ru", computed.figures, 2021, computed.charts
        )


@pytest.mark.parametrize("definition", ["montreal", "gef"])
def test_example_definitions_build_in_every_language(
    demo_db: Database, definition: str, tmp_path: Path
) -> None:
    url = demo_db.engine.url.render_as_string(hide_password=False)
    result = runner.invoke(
        app,
        [
            "report",
            "build",
            "--definition",
            definition,
            "--year",
            "2021",
            "--lang",
            "all",
            "--format",
            "html,docx,pdf",
            "--out",
            str(tmp_path),
            "--db",
            url,
        ],
    )
    assert result.exit_code == 0, result.output
    assert len(list(tmp_path.glob(f"{definition}-2021-*.pdf"))) == 6


def test_a_definition_folder_of_ones_own(demo_db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    (folder / "templates").mkdir(parents=True)
    (folder / "definition.yaml").write_text(
        "id: mine\norgan: portfolio_summary\nperiod: {start: [-30, 1, 1], end: [0, 12, 31]}\n"
        "sections: [{key: s, paragraphs: [p]}]\n"
        "figures: {parks: {indicator: parks_assessed}}\n",
        "utf-8",
    )
    (folder / "templates" / "en.yaml").write_text(
        "header: {organ: Mine, session: 'Year {{ year }}', dates_place: here, agenda_item: x,"
        " title: Parks, subtitle: test}\nsection_labels: [I.]\nsections: {s: Parks}\n"
        "paragraphs: {p: 'We assessed {{ num(\"parks\") }} parks.'}\n",
        "utf-8",
    )
    url = demo_db.engine.url.render_as_string(hide_password=False)
    result = runner.invoke(
        app,
        [
            "report",
            "build",
            "--definition",
            str(folder),
            "--year",
            "2021",
            "--lang",
            "en",
            "--format",
            "html",
            "--out",
            str(tmp_path),
            "--db",
            url,
        ],
    )
    assert result.exit_code == 0, result.output
    page = lxml.html.parse(str(tmp_path / "mine-2021-en.html")).getroot().text_content()
    assert "We assessed 50 parks." in page
    result = runner.invoke(
        app,
        [
            "report",
            "build",
            "--definition",
            str(folder),
            "--year",
            "2021",
            "--lang",
            "zh",
            "--db",
            url,
        ],
    )
    assert result.exit_code == 2 and "no zh template" in result.output


def test_explain_prints_the_records_behind_a_figure(demo_db: Database) -> None:
    url = demo_db.engine.url.render_as_string(hide_password=False)
    result = runner.invoke(app, ["explain", "co2_avoided", "--year", "2021", "--json", "--db", url])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["value"] == 72_000_000 and data["query"] == "indicator"
    assert data["results"][0]["work"] == "idb49-montreal-portfolio"
    assert "72 million" in data["results"][0]["note"]
    result = runner.invoke(app, ["explain", "no_such", "--db", url])
    assert result.exit_code == 2 and "no figure 'no_such'" in result.output
