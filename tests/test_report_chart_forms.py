"""What a chart shows besides its bars, in every format: a bar chart with a single bar
that has a value is printed as a table (decided once in the pipeline), with its caption
and source note under it; the map has a drawn legend in the document's language; the
focus-area chart's two segments (countries named, countries counted without names) have a
legend and a table of both numbers; a chart of cumulative totals says so."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import lxml.etree
import pytest

from greenfolio.domain.countries import country_name
from greenfolio.domain.typography import typeset
from greenfolio.interfaces import report_files
from greenfolio.services import reporting
from greenfolio.services.database import Database
from greenfolio.services.report_definition import load_definition, load_template
from tests.pdf_text import pdf_text

LANGS = ["en", "ar", "zh"]
ONE_BAR = "ods_by_year"
FOCUS = "countries_by_focus_area"
sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@sqlite_only
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler) missing")
def test_a_chart_with_one_bar_is_a_table_in_every_format(demo_db: Database, tmp_path: Path) -> None:
    computed = reporting.compute(demo_db, load_definition("board"), 2021)
    data = computed.charts[ONE_BAR]
    # one year with a value in a window of six: the chart's years are those with values
    assert len(data.points) == 1 and data.keys == (data.points[0].key,)
    point = data.points[0]
    report_files.write_all(demo_db, "board", 2021, LANGS, ["html", "docx", "pdf"], tmp_path)
    for lang in LANGS:
        built = reporting.build(demo_db, "board", 2021, lang, computed)
        ref = next(r for r in built.document.charts if r.id == ONE_BAR)
        assert ref.table and len(ref.table) == 1
        label, value = ref.table[0]
        assert label == point.key and value  # a year is its own label
        # its title names that year, not "by year" over one row (a delegate's review)
        single = load_template("board", lang)["charts"][ONE_BAR]["title_single"]
        assert ref.caption == typeset(single.format(year=point.key), lang), (lang, ref.caption)
        source = ref.notes[-1]
        others = [r for r in built.document.charts if r.id != ONE_BAR]  # drawn, map too

        html = (tmp_path / f"board-2021-{lang}.html").read_text("utf-8")
        figure = re.search(rf'<figure[^>]*data-chart="{ONE_BAR}".*?</figure>', html, re.S)
        assert figure is not None
        block = figure.group(0)
        assert "<svg" not in block and '<table class="chart-table">' in block
        assert f"<td>{value}</td>" in block and label in block and ref.axis in block
        # UN style: number line and title above the table, the source note under it
        assert block.index(ref.caption) < block.index("<table") < block.index(source)
        assert html.count("<svg") == len(others), "the other charts and the map drawn"

        with zipfile.ZipFile(tmp_path / f"board-2021-{lang}.docx") as z:
            xml = z.read("word/document.xml").decode()
        texts = re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml)
        at = texts.index(value)
        assert texts[at - 1] == label and ref.axis in texts[at - 3 : at]
        assert any(ref.caption in t for t in texts[:at]), "caption above the table"
        assert not any(ref.caption in t for t in texts[at:]), "caption above the table"
        pictures = xml.count("<pic:pic")
        assert pictures == len(others), "no picture for the one-bar chart"
        if lang == "ar":
            assert "<w:bidiVisual/>" in xml
        from lxml import etree

        w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
        for tbl in etree.fromstring(xml.encode()).iter(f"{w}tbl"):
            names = [etree.QName(c).localname for c in tbl.find(f"{w}tblPr")]
            # once, after the style (CT_TblPr's order: Word refused the file otherwise)
            assert names.count("bidiVisual") == (1 if lang == "ar" else 0), names
            if lang == "ar" and "tblStyle" in names:
                assert names.index("tblStyle") < names.index("bidiVisual"), names
            first = tbl.find(f"{w}tr")
            if len(tbl.findall(f"{w}tr")) > 2:  # a chart's table: its heading row repeats
                assert first.find(f"{w}trPr/{w}tblHeader") is not None

        pdf = pdf_text(tmp_path / f"board-2021-{lang}.pdf")
        flat = re.sub(r"[\u202a-\u202e\u200e\u200f\s]+", " ", pdf)
        # the number line and title, then the table's cells (unit, value, label), then the
        # source note (pdftotext reorders the words of an Arabic line: look in windows)
        figure_word = built.document.words["figure"]
        found = [
            m.start()
            for m in re.finditer(re.escape(ref.axis), flat)
            if label in flat[m.end() : m.end() + 20] and value in flat[m.end() : m.end() + 20]
        ]
        assert len(found) == 1, (lang, "the table once in the PDF")
        before = flat[max(0, found[0] - len(ref.caption) - 80) : found[0]]
        after = flat[found[0] : found[0] + len(source) + 80]
        assert figure_word in before and figure_word not in after, (lang, before, after)
        assert source.split()[0].strip(":") in after, (lang, after)


@sqlite_only
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler) missing")
def test_the_map_has_a_legend_of_projects_per_country_in_each_language(
    demo_db: Database, tmp_path: Path
) -> None:
    computed = reporting.compute(demo_db, load_definition("board"), 2021)
    counts = {p.key: p.value for p in computed.charts["countries_map"].points}
    assert max(counts.values()) >= 4 and min(counts.values()) == 1, "projects, not a flag"
    report_files.write_all(demo_db, "board", 2021, LANGS, ["html", "docx", "pdf"], tmp_path)
    titles = set()
    for lang in LANGS:
        built = reporting.build(demo_db, "board", 2021, lang, computed)
        said = reporting.words(lang)
        ref = next(r for r in built.document.charts if r.id == "countries_map")
        title = ref.labels["legend"]
        titles.add(title)
        steps = [ref.labels[k] for k in ("1", "2", "4")]
        assert steps[2] == said["map_legend_more"].format(n="4")
        svg = report_files.render_charts(built)["countries_map"].svg
        texts = [re.sub("[\u200f\u2066\u2069]", "", t) for t in _svg_texts(svg)]
        assert title in texts and all(step in texts for step in steps), (lang, texts)

        html = (tmp_path / f"board-2021-{lang}.html").read_text("utf-8")
        figure = re.search(r'<figure[^>]*data-chart="countries_map".*?</figure>', html, re.S)
        assert figure is not None and title in figure.group(0)
        pdf = pdf_text(tmp_path / f"board-2021-{lang}.pdf")
        flat = re.sub(r"[\u202a-\u202e\u200e\u200f]", "", pdf)
        if lang == "ar":  # pdftotext gives an Arabic line's words in another order
            assert all(word in flat for word in title.split()), lang
        else:
            assert title in flat, lang
        # DOCX holds the map as a PNG rasterised from this same SVG, legend and all
        png = report_files.render_charts(built)["countries_map"].png
        with zipfile.ZipFile(tmp_path / f"board-2021-{lang}.docx") as z:
            media = [z.read(n) for n in z.namelist() if n.startswith("word/media/")]
        assert png in media, lang
    assert len(titles) == len(LANGS), "the legend is in the document's language"


def _svg_texts(svg: str) -> list[str]:
    root = lxml.etree.fromstring(svg.encode())
    return [(t.text or "") for t in root.iter("{http://www.w3.org/2000/svg}text")]


@sqlite_only
def test_each_chart_links_to_its_own_source_entry_in_html(
    demo_db: Database, tmp_path: Path
) -> None:
    computed = reporting.compute(demo_db, load_definition("board"), 2021)
    report_files.write_all(demo_db, "board", 2021, LANGS, ["html"], tmp_path)
    for lang in LANGS:
        html = (tmp_path / f"board-2021-{lang}.html").read_text("utf-8")
        ids = re.findall(r'<figure class="chart" id="chart-([a-z_]+)"', html)
        assert set(ids) == set(computed.charts), lang
        for chart_id in ids:
            figure = re.search(rf'<figure[^>]*id="chart-{chart_id}".*?</figure>', html, re.S)
            assert figure is not None
            assert f'href="#chart-source-{chart_id}"' in figure.group(0), (lang, chart_id)
            entry = re.search(rf'<article id="chart-source-{chart_id}".*?</article>', html, re.S)
            assert entry is not None, (lang, chart_id)
            body = entry.group(0)
            assert f'href="#chart-{chart_id}"' in body, "and back to the chart"
            data = computed.charts[chart_id]
            assert body.count("<tr>") == len(data.points) + 1, (lang, chart_id)
            for target in re.findall(r'href="#(explain-[a-z_]+)"', body):
                assert f'id="{target}"' in html, (lang, target)
            if data.kind == "map":  # countries by their UN names, with their projects
                assert country_name("PHL", lang) in body and "<td>4</td>" in body
        series = re.search(r'<article id="chart-source-pops_by_fate".*?</article>', html, re.S)
        assert series is not None and 'href="#explain-pops_destroyed"' in series.group(0)


@sqlite_only
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler) missing")
def test_focus_area_chart_shows_named_and_unnamed_countries_apart(
    demo_db: Database, tmp_path: Path
) -> None:
    from tests.test_report_charts import _bars

    computed = reporting.compute(demo_db, load_definition("board"), 2021)
    data = computed.charts[FOCUS]
    named = {p.key: p.value for p in data.points}
    assert named == {"focus_area:a": 6, "focus_area:b": 8, "focus_area:c": 3}
    # (c): 3 named; counted without names 9, 22 + 5 (apart: "5 more") and 4, which may
    # overlap: the bar reaches the largest, 27 (not 3 + 40); the 7 action plans in
    # preparation are left out
    assert dict(data.unnamed) == {"focus_area:a": 0, "focus_area:b": 0, "focus_area:c": 24}
    langs = ["en", "ar"]
    report_files.write_all(demo_db, "board", 2021, langs, ["html", "docx", "pdf"], tmp_path)
    for lang in [*langs, "fr", "zh", "ru", "es"]:
        built = reporting.build(demo_db, "board", 2021, lang, computed)
        said = reporting.words(lang)
        ref = next(r for r in built.document.charts if r.id == FOCUS)
        heads = ref.table_columns
        assert ref.table_with_drawing and heads == (
            ref.labels["segment_named"],
            ref.labels["segment_unnamed"],
        )
        assert [row[1:] for row in ref.table] == [("6", "—"), ("8", "—"), ("3", "24")], lang
        assert ref.notes[0] == typeset(said["chart_counted_countries"], lang)
        fate = next(r for r in built.document.charts if r.id == "pops_by_fate")
        assert fate.notes[0] == typeset(said["chart_cumulative"].format(year=2021), lang)
        assert "2021" in fate.notes[0] and not any(
            r.notes[0] == fate.notes[0] for r in built.document.charts if r.id != fate.id
        )

        svg = report_files.render_charts(built)[FOCUS].svg
        texts = [t.replace("\u200f", "") for t in _svg_texts(svg)]
        flat = " ".join(texts)
        assert all(head.replace("\u202f", " ") in flat.replace("\u202f", " ") for head in heads)
        assert ("24 + 3" if lang == "ar" else "3 + 24") in texts, (lang, texts)
        solid, pale = _bars(svg), _bars(svg, "#cfe6cc")
        assert len(solid) == 3 and len(pale) == 1, (lang, solid, pale)
        c_solid = min(solid, key=lambda b: b[1] - b[0])  # (c): 3 named, the shortest
        (p_left, p_right) = pale[0]
        # the pale segment continues the solid one, 24 to its 3, away from the labels
        if lang == "ar":
            assert abs(p_right - c_solid[0]) < 1
        else:
            assert abs(p_left - c_solid[1]) < 1
        ratio = (p_right - p_left) / (c_solid[1] - c_solid[0])
        assert abs(ratio - 24 / 3) < 0.5, (lang, ratio)
        if lang not in langs:
            continue

        html = (tmp_path / f"board-2021-{lang}.html").read_text("utf-8")
        figure = re.search(rf'<figure[^>]*data-chart="{FOCUS}".*?</figure>', html, re.S)
        assert figure is not None
        block = figure.group(0)
        assert block.index("<svg") < block.index('<table class="chart-table">')
        assert "<td>3</td><td>24</td>" in block and "<td>6</td><td>—</td>" in block
        entry = re.search(rf'<article id="chart-source-{FOCUS}".*?</article>', html, re.S)
        assert entry is not None and "<td>3</td><td>24</td>" in entry.group(0)

        with zipfile.ZipFile(tmp_path / f"board-2021-{lang}.docx") as z:
            xml = z.read("word/document.xml").decode()
        cells = re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml)
        at = cells.index("24")
        assert cells[at - 2 : at] == [ref.table[2][0], "3"], cells[at - 3 : at + 1]

        pdf = pdf_text(tmp_path / f"board-2021-{lang}.pdf")
        pdf = re.sub(r"[\u202a-\u202e\u200e\u200f\u2066-\u2069\s]+", " ", pdf)
        assert re.search(r"\b3 24\b|\b24 3\b", pdf), lang
