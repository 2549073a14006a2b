"""Report charts: each drawn once per language in the form its writer needs, their content
that of the report's period and units, and mirrored in Arabic.

Drawings are counted through the chart writer's own hook (``watching_renders``), which
every Vega-Lite drawing and every PNG rasterisation reports to.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import lxml.etree
import pytest

from greenfolio.domain.typography import typeset
from greenfolio.domain.un_dates import un_date
from greenfolio.interfaces import report_files
from greenfolio.interfaces.writers.charts import Painter, watching_renders
from greenfolio.services import reporting
from greenfolio.services.database import Database
from greenfolio.services.report_definition import load_definition, load_template

LANGS = ["ar", "zh", "en", "fr", "ru", "es"]
BAR_CHARTS = {"countries_by_focus_area", "pops_by_fate"}
"""The bar charts drawn; ``ods_by_year`` has one year with a value, so it is a table."""
ONE_BAR = "ods_by_year"
SVG = "{http://www.w3.org/2000/svg}"
sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@sqlite_only
def test_each_chart_is_drawn_once_per_language(demo_db: Database, tmp_path: Path) -> None:
    with watching_renders() as drawn:
        report_files.write_all(demo_db, "board", 2021, LANGS, ["html", "pdf"], tmp_path / "a")
    svg = Counter((c, lang) for c, lang, fmt in drawn if fmt == "svg")
    expected = {(c, lang) for c in (*BAR_CHARTS, "countries_map") for lang in LANGS}
    assert set(svg) == expected
    assert set(svg.values()) == {1}
    assert not [d for d in drawn if d[2] == "png"], "no DOCX asked, no PNG made"

    with watching_renders() as drawn:
        report_files.write_all(
            demo_db, "board", 2021, LANGS, ["html", "docx", "pdf"], tmp_path / "b"
        )
    by_format = Counter((c, lang, fmt) for c, lang, fmt in drawn)
    assert {(c, lang) for c, lang, fmt in by_format if fmt == "png"} == expected
    assert set(by_format.values()) == {1}, "each drawing and each PNG made once"
    assert len(drawn) == 2 * (len(BAR_CHARTS) + 1) * len(LANGS)


@sqlite_only
def test_chart_content_matches_the_report_period_and_units(demo_db: Database) -> None:
    definition = load_definition("board")
    computed = reporting.compute(demo_db, definition, 2021)
    specs = {spec.id: spec for spec in definition.chart_specs(2021)}

    by_year = computed.charts["ods_by_year"]
    window = specs["ods_by_year"].window
    assert window is not None and window.start is not None and window.end is not None
    in_window = range(window.start.year, window.end.year + 1)
    assert list(in_window) == [2016, 2017, 2018, 2019, 2020, 2021]
    # the chart's years: those with a value (and any between them), not the whole window
    assert list(by_year.keys) == [p.key for p in by_year.points] == ["2020"]
    assert by_year.unit == "t"

    fate = computed.charts["pops_by_fate"]
    for point in fate.points:
        figure = computed.figures[point.key]
        assert point.value == figure.value
        assert fate.unit == figure.unit == "t"

    for lang in LANGS:
        built = reporting.build(demo_db, "board", 2021, lang, computed)
        drawn = report_files.render_charts(built)
        template = load_template("board", lang)
        for chart_id in BAR_CHARTS:
            texts = _texts(drawn[chart_id].svg)
            # the unit's words from reports/units.yaml, as the text prints them
            axis = next(ref.axis for ref in built.document.charts if ref.id == chart_id)
            assert axis and axis in texts, (lang, chart_id, axis)
            if built.charts[chart_id].unit != "country":  # a count keeps its template's title
                assert "axis" not in template["charts"][chart_id], (lang, chart_id)
        ref = next(ref for ref in built.document.charts if ref.id == ONE_BAR)
        # its source line names the year it shows, not the years it looked through
        source = " ".join(ref.notes)
        for day in (date(2020, 1, 1), date(2020, 12, 31)):
            assert typeset(un_date(day, lang), lang) in source, (lang, source)
        assert "2016" not in source and "2021" not in source, (lang, source)
        # were there values in 2018 and 2020, the writer would draw 2019 between them
        # with a dash, and no year outside them
        gap = dataclasses.replace(
            by_year,
            id=f"gap-{lang}",
            points=[dataclasses.replace(by_year.points[0], key="2018"), by_year.points[0]],
            keys=("2018", "2019", "2020"),
        )
        year_texts = _texts(Painter().draw(gap, lang, dict(ref.labels), ref.axis).svg)
        assert {"2018", "2019", "2020"} <= set(year_texts), (lang, year_texts)
        assert not {"2016", "2017", "2021"} & set(year_texts), (lang, year_texts)
        assert "—" in year_texts, "a year without results shows a dash, not a zero"


def _texts(svg: str) -> list[str]:
    root = lxml.etree.fromstring(svg.encode())
    return [(t.text or "").replace("\u200f", "") for t in root.iter(f"{SVG}text")]


def _bars(svg: str, fill: str = "#2c6e2f") -> list[tuple[float, float]]:
    """The horizontal extent of each bar (absolute x) of colour ``fill``, from the drawn
    SVG (its marks, not its legend's symbols)."""
    root = lxml.etree.fromstring(svg.encode())
    bars: list[tuple[float, float]] = []

    def walk(node: lxml.etree._Element, dx: float) -> None:
        move = re.match(r"translate\(([-\d.e]+),", node.get("transform") or "")
        x = dx + (float(move.group(1)) if move else 0.0)
        shape = re.match(r"M([-\d.e]+),[-\d.e]+h([-\d.e]+)", node.get("d") or "")
        parent = node.getparent()
        in_bars = parent is not None and "mark-rect" in (parent.get("class") or "")
        if node.tag == f"{SVG}path" and node.get("fill") == fill and shape and in_bars:
            start = x + float(shape.group(1))
            end = start + float(shape.group(2))
            bars.append((min(start, end), max(start, end)))
        for child in node:
            walk(child, x)

    walk(root, 0.0)
    return bars


@sqlite_only
def test_arabic_bar_charts_are_mirrored(demo_db: Database) -> None:
    computed = reporting.compute(demo_db, load_definition("board"), 2021)
    edges = {}
    for lang in ("en", "ar"):
        built = reporting.build(demo_db, "board", 2021, lang, computed)
        svg = report_files.render_charts(built)["countries_by_focus_area"].svg
        assert 'style="direction: ltr"' in svg.split(">", 1)[0]
        bars = _bars(svg)
        assert len(bars) == 3
        edges[lang] = (
            {round(a) for a, _b in bars},  # where the bars start, left
            {round(b) for _a, b in bars},  # and right
        )
    en_left, _en_right = edges["en"]
    _ar_left, ar_right = edges["ar"]
    assert len(en_left) == 1, "English bars grow from one left edge"
    assert len(ar_right) == 1, "Arabic bars grow from one right edge"


def _legend(svg: str) -> dict[str, Any]:
    """The map legend as drawn: each label (text, absolute x, anchor) and its square's
    absolute x, left to right, and the title's x and anchor."""
    root = lxml.etree.fromstring(svg.encode())
    found: dict[str, Any] = {"labels": [], "squares": [], "title": None}

    def walk(node: lxml.etree._Element, dx: float, role: str) -> None:
        move = re.match(r"translate\(([-\d.e]+),", node.get("transform") or "")
        x = dx + (float(move.group(1)) if move else 0.0)
        role = node.get("class") or role
        if node.tag == f"{SVG}text" and "role-legend-label" in role:
            found["labels"].append((node.text or "", x, node.get("text-anchor")))
        elif node.tag == f"{SVG}text" and "role-legend-title" in role:
            found["title"] = (x, node.get("text-anchor"))
        elif node.tag == f"{SVG}path" and "role-legend-symbol" in role:
            found["squares"].append(x)
        for child in node:
            walk(child, x, role)

    walk(root, 0.0, "")
    found["labels"].sort(key=lambda label: label[1])
    found["squares"].sort()
    return found


@sqlite_only
def test_arabic_map_legend_is_mirrored_and_keeps_its_ranges(demo_db: Database) -> None:
    """In English the legend starts at the left, fewest projects first, each label right of
    its square; in Arabic it ends at the right, fewest first from the right, each label
    left of its square, and the range "2–3" is a left-to-right isolate (not "3–2")."""
    computed = reporting.compute(demo_db, load_definition("board"), 2021)
    drawn = {}
    for lang in ("en", "ar"):
        built = reporting.build(demo_db, "board", 2021, lang, computed)
        svg = report_files.render_charts(built)["countries_map"].svg
        width = float(lxml.etree.fromstring(svg.encode()).get("width"))
        drawn[lang] = (_legend(svg), width)
    (en, en_width), (ar, ar_width) = drawn["en"], drawn["ar"]
    assert [t for t, _x, _a in en["labels"]] == ["1", "2–3", "4 or more"]
    # each Arabic step opens with a right-to-left mark ("4 أو أكثر" read "أو أكثر 4")
    assert [t for t, _x, _a in ar["labels"]] == [
        "\u200f4 أو أكثر",
        "\u200f\u20662–3\u2069",
        "\u200f1",
    ]
    assert max(en["squares"]) < en_width / 2 < min(ar["squares"])
    assert max(ar["squares"]) > 0.9 * ar_width, "the legend ends at the map's right"
    for (_text, x, anchor), square in zip(en["labels"], en["squares"], strict=True):
        assert anchor == "start" and x > square
    for (_text, x, anchor), square in zip(ar["labels"], ar["squares"], strict=True):
        assert anchor == "end" and x < square
    assert en["title"][1] == "start" and ar["title"][1] == "end"
    assert ar["title"][0] >= max(ar["squares"]), "the title ends at the legend's right"


@sqlite_only
def test_focus_area_chart_and_map_count_the_countries_the_text_names(
    demo_db: Database,
) -> None:
    """Each focus area's bar is the number of distinct countries named by the figures the
    text prints for that area (plus the countries a figure counts without naming them),
    and every country the text names is shaded on the map."""
    from sqlalchemy import select

    from greenfolio.domain.countries import country_name
    from greenfolio.domain.un_names import russian_forms
    from greenfolio.interfaces.writers.charts import vegalite_spec
    from greenfolio.store.tables import ResultRow

    definition = load_definition("board")
    computed = reporting.compute(demo_db, definition, 2021)
    spec = next(s for s in definition.chart_specs(2021) if s.id == "countries_by_focus_area")
    areas = spec.params["figures"]
    assert set(areas) == {"focus_area:a", "focus_area:b", "focus_area:c"}
    chart = computed.charts["countries_by_focus_area"]
    bars = {p.key: p.value for p in chart.points}
    named_by_area: dict[str, set[str]] = {}
    with demo_db.transaction() as session:
        for area, fids in areas.items():
            # recomputed from the figures the text prints: a country figure's own list of
            # countries; a figure that names none counts its value without names; any other
            # figure names the countries of its results (Ukraine's strategy)
            named: set[str] = set()
            largest = 0.0
            # counts the text says are apart are listed together and added up
            entries = [[e] if isinstance(e, str) else list(e) for e in fids]
            for fid in (f for apart in entries for f in apart):
                fig = computed.figures[fid]
                assert fig.result_ids, (area, fid, "a figure with results")
                countries = set(
                    session.scalars(
                        select(ResultRow.country).where(ResultRow.id.in_(list(fig.result_ids)))
                    )
                ) - {None}
                if fig.unit == "country":
                    assert set(fig.items) == countries, (fid, "the figure names its rows")
                named |= countries
            for apart in entries:
                counted = [computed.figures[f] for f in apart]
                largest = max(
                    largest, sum(f.value for f in counted if f.unit == "country" and not f.items)
                )
            named_by_area[area] = named
            assert bars[area] == len(named), (area, bars[area], named)
            # counts without names may overlap: the bar reaches the largest, never their sum
            unnamed = max(0.0, largest - len(named))
            assert chart.unnamed.get(area, 0.0) == unnamed, (area, chart.unnamed, unnamed)
    # the reviewer's case: Ukraine (eco-industrial parks strategy) counts under (a)
    assert "UKR" in named_by_area["focus_area:a"] and bars["focus_area:a"] == 6
    # (b): the Philippines is named by two figures and counted once
    assert bars["focus_area:b"] == 8 and "PHL" in named_by_area["focus_area:b"]
    # (c): three countries named (planetGOLD); the Minamata assessments count 22 completed
    # and 5 more under way (apart: 27 countries), the completed action plans 4 and the
    # e-learning course 9, without names (the 7 action plans in preparation are not
    # counted): the bar reaches 27
    figs = computed.figures
    assessed = figs["mia_completed"].value + figs["mia_under_way"].value
    largest = max(
        assessed, figs["nap_completed"].value, figs["refrigeration_elearning_countries"].value
    )
    assert bars["focus_area:c"] == 3 and chart.unnamed["focus_area:c"] == largest - 3 == 24
    assert chart.counted == ("focus_area:c",)

    shaded = {p.key for p in computed.charts["countries_map"].points}
    for lang in LANGS:
        built = reporting.build(demo_db, "board", 2021, lang, computed)
        text = built.document.plain_text()
        named_in_text = set()
        with demo_db.transaction() as session:
            for fid in built.used:
                ids = list(computed.figures[fid].result_ids)
                named_in_text |= {
                    c
                    for c in session.scalars(select(ResultRow.country).where(ResultRow.id.in_(ids)))
                    if c
                }
        for area_named in named_by_area.values():
            assert area_named <= named_in_text
        for code in named_in_text:
            name = country_name(code, lang)
            forms = {name}
            if lang == "ru" and (declined := russian_forms(code)) is not None:
                forms |= set(declined.cases.values())  # "в Монголии"
            # "the Philippines": the last word of the name
            assert any(f.split()[-1] in text for f in forms), (lang, code, name)
        assert named_in_text <= shaded, (lang, named_in_text - shaded)
        ref = next(r for r in built.document.charts if r.id == "countries_map")
        drawn = vegalite_spec(computed.charts["countries_map"], lang, dict(ref.labels))
        shades = drawn["transform"][0]["calculate"]
        assert '"804"' in shades, "Ukraine (ISO 3166 numeric 804) is shaded"


@sqlite_only
def test_bar_labels_wrap_and_are_never_cut(demo_db: Database) -> None:
    from greenfolio.interfaces.writers.charts import LABEL_WIDTH

    computed = reporting.compute(demo_db, load_definition("board"), 2021)
    for lang in LANGS:
        built = reporting.build(demo_db, "board", 2021, lang, computed)
        drawn = report_files.render_charts(built)
        for chart_id in BAR_CHARTS:
            ref = next(r for r in built.document.charts if r.id == chart_id)
            texts = _texts(drawn[chart_id].svg)
            assert not any("…" in t for t in texts), (lang, chart_id)
            for point in built.charts[chart_id].points:
                # the drawing writes a no-break space as a space (its lines are set apart)
                label = re.sub("[\u00a0\u202f]", " ", ref.labels[point.key])
                glue = "" if lang == "zh" else " "
                # the label's lines, consecutive texts of the drawing, give it back whole
                found = False
                for start, first in enumerate(texts):
                    if not label.startswith(first) or not first:
                        continue
                    joined, end = first, start
                    while len(joined) < len(label) and end + 1 < len(texts):
                        end += 1
                        joined = (joined + glue + texts[end]).replace(glue * 2, glue)
                    if joined.replace(" ", "") == label.replace(" ", ""):
                        found = True
                        lines = texts[start : end + 1]
                        width = LABEL_WIDTH.get(lang, 28)
                        assert all(len(line) <= width or " " not in line for line in lines), (
                            lang,
                            lines,
                        )
                        break
                assert found, (lang, chart_id, label, texts)


def _axis_labels(svg: str, size: int) -> list[tuple[float, float, str]]:
    """The value axis's tick labels of a bar chart as drawn: (left, right, text), left to
    right, each label's width taken as 0.62 em a character (the widest of the digits and
    marks of Noto Sans and DejaVu Sans) and placed by its anchor (Vega flushes the end
    labels inwards)."""
    root = lxml.etree.fromstring(svg.encode())
    out = []
    for group in root.iter(f"{SVG}g"):
        if "role-axis-label" not in (group.get("class") or ""):
            continue
        for text in group.iter(f"{SVG}text"):
            move = re.match(r"translate\(([-\d.e]+),([-\d.e]+)\)", text.get("transform") or "")
            if move and re.fullmatch(r"[\d\s.,\u00a0\u202f]+", text.text or ""):
                x, width = float(move.group(1)), len(text.text or "") * size * 0.62
                anchor = text.get("text-anchor") or "start"
                left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
                out.append((left, left + width, text.text or ""))
    return sorted(out)


@sqlite_only
def test_value_axis_tick_labels_never_overlap(demo_db: Database) -> None:
    computed = reporting.compute(demo_db, load_definition("board"), 2021)
    for lang in LANGS:
        built = reporting.build(demo_db, "board", 2021, lang, computed)
        drawn = report_files.render_charts(built)
        size = 9 if lang == "ar" else 10
        for chart_id in BAR_CHARTS:
            ticks = _axis_labels(drawn[chart_id].svg, size)
            assert len(ticks) >= 3, (lang, chart_id, ticks)
            for (_l1, right, a), (left, _r2, b) in itertools.pairwise(ticks):
                assert left - right >= size * 0.5, (lang, chart_id, a, b, left - right)
        assert len(_axis_labels(drawn["pops_by_fate"].svg, size)) <= 6, "round steps"
