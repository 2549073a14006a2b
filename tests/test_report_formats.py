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

from greenfolio.domain.document import HYPHENATED
from greenfolio.domain.errors import NotFoundError
from greenfolio.domain.typography import DOCUMENT_SYMBOL
from greenfolio.interfaces.cli.app import app
from greenfolio.services import reporting
from greenfolio.services.database import Database
from greenfolio.services.report_definition import load_definition, load_template
from tests.conftest import ARTIFACTS, Templates
from tests.outline import EXPECTED
from tests.pdf_text import pdf_text

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
    parts = (
        "//p[@class='para'] | //p[@class='summary'] | //ol[@class='footnotes'] | //figcaption"
        " | //div[@class='chart-notes']"
    )
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
    text = pdf_text(path)
    return text


@slow
@needs_poppler
@pytest.mark.parametrize("lang", LANGS)
def test_pdf_carries_every_figure_with_fonts_embedded(six: tuple[Path, str], lang: str) -> None:
    out, db_file = six
    pdf = out / f"board-2021-{lang}.pdf"
    # read across page breaks as a reader does: without the page number and running head
    text = re.sub(r"\n\s*\d+\s*\n\f[^\n]*\n", "\n", _pdf_text(pdf))
    if lang in HYPHENATED:  # a word divided at a line's end, read whole ("Респуб-|лики")
        text = re.sub(r"(?<=[а-яё])[-\u00ad]\n(?=[а-яё])", "", text)
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


# --- chart notes, a qualified value in a chart's table, addresses in PDF footnotes --------


def _docx_text(path: Path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


@slow
@needs_poppler
@pytest.mark.parametrize("lang", LANGS)
def test_chart_notes_say_where_the_figures_come_from_in_each_format(
    six: tuple[Path, str], lang: str
) -> None:
    out, db_file = six
    said = reporting.words(lang)
    pdf = re.sub(r"[\u202a-\u202e\u200e\u200f\s]+", "", _pdf_text(out / f"board-2021-{lang}.pdf"))
    docx_text = _docx_text(out / f"board-2021-{lang}.docx")
    html = (out / f"board-2021-{lang}.html").read_text("utf-8")
    built = reporting.build(Database.open(db_file), "board", 2021, lang)
    for ref in built.document.charts:
        source = ref.notes[ref.source_line]
        window = next(s for s in load_definition("board").chart_specs(2021) if s.id == ref.id)
        assert window.window is not None and window.window.start is not None
        # the period the chart counts, in the document's date form, is in its note (for a
        # chart by year, from the first year it shows)
        start = window.window.start.year
        if window.params.get("group_by") == "year":
            start = min(int(p.key) for p in built.charts[ref.id].points)
        assert str(start) in source, (lang, ref.id, source)
        for note in ref.notes:
            if lang == "ar":  # pdftotext gives an Arabic line's words in another order
                assert all(w.strip("().«»") in pdf for w in note.split()), (lang, ref.id, note)
            else:
                assert re.sub(r"\s+", "", note) in pdf, (lang, ref.id, note)
            assert note in docx_text, (lang, ref.id, note)
        # the HTML's note points to its sources section and links to the chart's entry
        linked = ref.linked_notes[ref.source_line]
        assert said["chart_source_see"] in linked
        # (French sets the ordinal of a first day superior: "1<sup>er</sup> janvier")
        shown = linked.replace("1er ", "1<sup>er</sup> ")
        assert f'<a href="#chart-source-{ref.id}">{shown}</a>' in html.replace("\u2068", "")
    for text in (pdf, docx_text):
        assert "Greenfolio" not in text, lang
        # no pointer to a sources section that a PDF or DOCX does not have
        assert re.sub(r"\s+", "", said["chart_source_see"]) not in re.sub(r"\s+", "", text)
        assert re.sub(r"\s+", "", said["sources"]) not in re.sub(r"\s+", "", text)


@slow
@needs_poppler
@pytest.mark.parametrize("lang", LANGS)
def test_a_one_value_chart_keeps_the_qualifier_its_figure_records(
    six: tuple[Path, str], lang: str
) -> None:
    """ods_by_year has one year with a value, recorded as "more than 700": its table
    prints the qualifier as the text does, in every format."""
    from greenfolio.domain.numbers import format_figure
    from greenfolio.domain.results import Qualifier
    from greenfolio.domain.typography import typeset

    out, db_file = six
    computed = reporting.compute(Database.open(db_file), load_definition("board"), 2021)
    point = computed.charts["ods_by_year"].points[0]
    assert point.qualifier is Qualifier.MORE_THAN, "the demo records more than 700 t"
    expected = typeset(format_figure(point.value, lang, Qualifier.MORE_THAN), lang)
    assert expected != format_figure(point.value, lang)
    built = reporting.build(Database.open(db_file), "board", 2021, lang, computed)
    ref = next(r for r in built.document.charts if r.id == "ods_by_year")
    assert ref.table[0][1] == expected
    pdf = re.sub(
        r"[\u202a-\u202e\u200e\u200f\u2068\u2069\s]+", "", _pdf_text(out / f"board-2021-{lang}.pdf")
    )
    words = [w for w in re.split(r"\s+", expected) if w]
    assert all(w in pdf for w in words), (lang, expected)
    if lang != "ar":  # pdftotext gives an Arabic line's words in another order
        assert re.sub(r"\s+", "", expected) in pdf, (lang, expected)
    assert expected in _docx_tables(out / f"board-2021-{lang}.docx"), lang
    assert f"<td>{expected}</td>" in (out / f"board-2021-{lang}.html").read_text("utf-8")


def _docx_tables(path: Path) -> list[str]:
    return [c.text for t in docx.Document(str(path)).tables for row in t.rows for c in row.cells]


_BIDI = re.compile("[\\s\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]+")


def _map_pages(doc: object, drawn: dict, lines: int, folder: Path) -> tuple[int, list[str]]:
    """Write the PDF with ``lines`` thirds of a line of extra text in the paragraph the map
    follows; the page the map's caption is on, and the text of every page."""
    import dataclasses

    from greenfolio.domain.document import Document, Run
    from greenfolio.interfaces.writers.pdf import write_pdf

    assert isinstance(doc, Document)
    ref = next(c for c in doc.charts if c.id == "countries_map")
    filler = {"zh": "工发组织推动", "ar": "تعمل اليونيدو "}.get(doc.lang, "UNIDO works ")
    sections = tuple(
        dataclasses.replace(
            s,
            paragraphs=tuple(
                dataclasses.replace(p, runs=(*p.runs, Run(filler * (2 * lines))))
                if p.key == ref.after
                else p
                for p in s.paragraphs
            ),
        )
        for s in doc.sections
    )
    path = write_pdf(dataclasses.replace(doc, sections=sections), folder / "map.pdf", drawn)
    pages = [_BIDI.sub("", page) for page in _pdf_text(path).split("\f")]
    key = _BIDI.sub("", ref.caption)
    caption = [i for i, page in enumerate(pages) if key in page]
    assert len(caption) == 1, caption
    return caption[0], pages


@slow
@needs_poppler
@pytest.mark.parametrize("lang", ["en", "fr", "es", "ru", "zh"])
def test_footnote_addresses_break_only_after_a_slash_or_a_dot(
    six: tuple[Path, str], lang: str
) -> None:
    out, db_file = six
    built = reporting.build(Database.open(db_file), "board", 2021, lang)
    # -raw: the lines as set, without pdftotext joining a line that ends in a hyphen
    text = pdf_text(out / f"board-2021-{lang}.pdf", "-raw")
    urls = [n.text for n in built.document.footnotes if "/" in n.text and "." in n.text]
    assert any("-" in url for url in urls), "some address has a hyphen to break at"
    for url in urls:
        # the address as printed: a line may end only after "/" or "." inside it
        pattern = "".join(re.escape(ch) + ("\n?" if ch in "/." else "") for ch in url.rstrip(".。"))
        assert re.search(pattern, text), (lang, url)
        for line in text.splitlines():
            assert not line.startswith("-"), (lang, "a hyphen repeated at a line start", line)


@pytest.mark.parametrize("lang", ["zh", "en", "ar"])
def test_the_map_keeps_its_notes_on_its_page(
    templates: Templates, tmp_path: Path, lang: str
) -> None:
    """Whatever text comes before it, the map's legend words, UN boundary disclaimer and
    source note are set on the page of the map's caption. The text before the map grows a
    third of a line at a time; the length at which the map moves to the next page is found
    by halving, and every length up to five lines before it is written and read."""
    from greenfolio.interfaces.report_files import render_charts

    shutil.copyfile(templates.sqlite("demo"), tmp_path / "demo.sqlite")
    db = Database.open(str(tmp_path / "demo.sqlite"))
    built = reporting.build(db, "board", 2021, lang)
    db.close()
    drawn = render_charts(built)
    doc = built.document
    ref = next(c for c in doc.charts if c.id == "countries_map")
    assert len(ref.notes) == 3
    first = _map_pages(doc, drawn, 0, tmp_path)[0]
    low, high = 0, 3
    while _map_pages(doc, drawn, high, tmp_path)[0] == first:
        low, high = high, high * 2
        assert high < 600, "the map never moved to the next page"
    while high - low > 1:
        mid = (low + high) // 2
        if _map_pages(doc, drawn, mid, tmp_path)[0] == first:
            low = mid
        else:
            high = mid
    for lines in range(max(0, high - 15), high + 2):
        page, pages = _map_pages(doc, drawn, lines, tmp_path)
        for note in ref.notes:
            assert _BIDI.sub("", note)[:14] in pages[page], (lang, lines, page, note)


@slow
@pytest.mark.parametrize("lang", LANGS)
def test_docx_keeps_the_map_with_its_caption_and_notes(six: tuple[Path, str], lang: str) -> None:
    """Word sets the map UN style: its number line ("Map 1"), its title in bold, then the
    picture and its notes, and keeps them on one page: every one of those paragraphs but the
    last is kept with the next."""
    out, db_file = six
    built = reporting.build(Database.open(db_file), "board", 2021, lang)
    ref = next(c for c in built.document.charts if c.id == "countries_map")
    paragraphs = docx.Document(str(out / f"board-2021-{lang}.docx")).paragraphs
    at = next(i for i, p in enumerate(paragraphs) if p.text.endswith(ref.caption))
    block = paragraphs[at - 1 : at + 2 + len(ref.notes)]
    assert _BIDI.sub("", block[0].text) == _BIDI.sub("", ref.label), "number line first"
    assert all(run.bold for run in block[1].runs), "the title in bold"
    assert block[2]._p.xpath(".//pic:pic"), "the picture under the title"
    assert [p.text for p in block[3:]] == list(ref.notes)
    # number and title in Word's Caption style (a table of figures finds them), set upright
    assert [p.style.name for p in block[:2]] == ["Caption", "Caption"]
    assert block[0].style.font.italic is False and block[0].style.font.color.rgb is None
    kept = [
        p.paragraph_format.keep_with_next
        if p.paragraph_format.keep_with_next is not None
        else bool(p.style.paragraph_format.keep_with_next)
        for p in block
    ]
    assert kept == [True] * (len(block) - 1) + [False], kept


@slow
def test_the_html_report_fits_a_phone(six: tuple[Path, str]) -> None:
    """On a 390 px screen nothing is wider than the screen: the charts scale to the column,
    tables scroll within themselves, long addresses and queries in the sources wrap."""
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip(f"{chromium} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    out, _ = six
    PAGES.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=["--no-sandbox"])
        for lang in ("en", "fr", "zh", "ar"):
            page = browser.new_page(viewport={"width": 390, "height": 900})
            page.goto((out / f"board-2021-{lang}.html").as_uri())
            sizes = page.evaluate(
                """() => ({page: document.documentElement.scrollWidth,
                          charts: [...document.querySelectorAll('figure svg')].map(
                            s => s.getBoundingClientRect().width)})"""
            )
            assert sizes["page"] <= 390, (lang, sizes)
            assert sizes["charts"] and all(0 < w <= 390 for w in sizes["charts"]), (lang, sizes)
            page.screenshot(path=str(PAGES / f"board-html-{lang}-390.png"))
            page.close()
        browser.close()


@slow
@needs_poppler
@pytest.mark.parametrize("lang", LANGS)
def test_the_agenda_item_carries_its_title(six: tuple[Path, str], lang: str) -> None:
    """As in UN documents (and the 2021 source: "临时议程项目 11 / 工发组织在环境和能源方面的
    活动"), the agenda item's title stands under the item in every format."""
    out, db_file = six
    built = reporting.build(Database.open(db_file), "board", 2021, lang)
    title = built.document.header.agenda_title
    assert title and title == built.document.header.title
    html = (out / f"board-2021-{lang}.html").read_text("utf-8")
    assert re.search(r'class="meta agenda-title"><strong>[^<]*' + re.escape(title[:8]), html)
    cells = _docx_tables(out / f"board-2021-{lang}.docx")
    assert any(title in cell for cell in cells), (lang, cells[:4])
    page = re.sub(
        r"[\u202a-\u202e\u200e\u200f\s]+", "", pdf_text(out / f"board-2021-{lang}.pdf", "-l", "1")
    )
    flat = re.sub(r"\s+", "", title)
    if lang == "ar":  # pdftotext gives an Arabic line's words in another order
        assert all(page.count(w) >= 2 for w in title.split()), lang
    else:
        assert page.count(flat) >= 2, (lang, page[:300])
