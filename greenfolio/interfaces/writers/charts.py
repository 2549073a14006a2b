"""Render chart data offline with Vega-Lite (vl-convert), each chart drawn once.

Vega-Lite draws each chart of a language once, to SVG: the HTML page embeds it and Typst
places it in the PDF as vectors. DOCX, which cannot hold SVG, gets a PNG rasterised from
that same SVG, and only when a DOCX is written. Every chart has words (the world map its
legend), so each is drawn once per language: a ``Painter`` keeps what it drew.

Labels come localised from the caller; numbers on the bars use Greenfolio's own number
style and the axes the same decimal and group marks (from CLDR, as the text has them).
Right-to-left languages get mirrored bar charts: labels on the right, bars growing to the
left; and a mirrored map legend, at the right, read from the right, its ranges isolated.
Fonts are the Noto families installed by the test command (CJK and Arabic included;
DejaVu Sans for Arabic, whose Noto face lacks brackets).
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pycountry
import vl_convert as vlc
from babel.numbers import get_decimal_symbol, get_group_symbol

from greenfolio.domain.document import NAMED, UNNAMED
from greenfolio.domain.languages import CLDR_LOCALES, RIGHT_TO_LEFT
from greenfolio.domain.numbers import format_figure
from greenfolio.domain.typography import GROUP_MARK, digit_groups
from greenfolio.interfaces.writers import bidi, fonts
from greenfolio.refdata import world

if TYPE_CHECKING:  # the writers need no database layer
    from greenfolio.services.charts import ChartData

SIZES = {"ar": 9}
"""Text size in px where it differs from Vega's 10: Vega in vl-convert estimates text widths
whatever the font, an estimate DejaVu Sans (the Arabic charts' font, ``fonts.SANS``)
exceeds at 10 px."""
GREEN, GREY = "#2c6e2f", "#d9d9d9"
PALE = "#cfe6cc"
"""The segment of countries counted without names: pale, outlined in dashes, so that it
reads apart from the solid named countries in colour, in grey and on paper."""

RenderHook = Callable[[str, str, str], None]
"""Told (chart id, language, "svg" or "png") each time a chart is drawn
with Vega-Lite ("svg") or rasterised for DOCX ("png")."""
_hooks: list[RenderHook] = []
_hooks_lock = threading.Lock()


def _drawn(chart_id: str, lang: str, fmt: str) -> None:
    for hook in list(_hooks):
        hook(chart_id, lang, fmt)


@contextmanager
def watching_renders() -> Iterator[list[tuple[str, str, str]]]:
    """Record every drawing made while the block runs: (chart id, language, format)."""
    seen: list[tuple[str, str, str]] = []

    def hook(chart_id: str, lang: str, fmt: str) -> None:
        seen.append((chart_id, lang, fmt))

    with _hooks_lock:
        _hooks.append(hook)
    try:
        yield seen
    finally:
        with _hooks_lock:
            _hooks.remove(hook)


class RenderedChart:
    """One chart drawn in one language: its SVG, and a PNG made from it when asked."""

    def __init__(self, chart_id: str, lang: str, svg: str) -> None:
        self.id = chart_id
        self.lang = lang
        self.svg = svg
        self._png: bytes | None = None
        self._lock = threading.Lock()

    @property
    def png(self) -> bytes:
        """The SVG rasterised at twice its size (for DOCX), made once."""
        with self._lock:
            if self._png is None:
                self._png = bytes(vlc.svg_to_png(self.svg, scale=2))
                _drawn(self.id, self.lang, "png")
            return self._png


@lru_cache(maxsize=4)
def _fonts_registered(dirs: tuple[str, ...]) -> bool:
    for folder in dirs:
        if Path(folder).is_dir():
            vlc.register_font_directory(folder)
    return True


def register_fonts() -> None:
    """Make the configured fonts known to the chart renderer (once per configuration)."""
    _fonts_registered(fonts.chart_dirs())


@lru_cache(maxsize=8)
def number_locale(lang: str) -> dict[str, Any]:
    """A d3 number locale with the decimal and group marks the report's text uses."""
    cldr = CLDR_LOCALES[lang]
    return {
        "decimal": get_decimal_symbol(cldr),
        "thousands": GROUP_MARK.get(lang) or get_group_symbol(cldr),
        "grouping": [3],
        "currency": ["", ""],
    }


LINE = "\n"
"""Joins a wrapped label's lines; the axis splits the label there."""
RLM = "\u200f"
"""Right-to-left mark: opens and ends each line of an Arabic label, so that a label's
leading "(أ)" is read first (at the right) and a closing bracket stays with it; the chart's
text is laid out left to right, where a bracket opening the line would otherwise go left."""


def _rows(chart: ChartData, lang: str, labels: dict[str, str]) -> list[dict[str, Any]]:
    """One row per category: its label, its value (None: no result) and the value as
    text ("—" where there is none, so an empty year does not read as zero)."""
    points = {p.key: p for p in chart.points}
    keys: Sequence[str] = chart.keys or [p.key for p in chart.points]
    mark = RLM if lang in RIGHT_TO_LEFT else ""
    rows = []
    for key in keys:
        point = points.get(key)
        value = point.value if point is not None else None
        extra = chart.unnamed.get(key, 0.0)
        text = format_figure(point.value, lang, point.qualifier) if point is not None else "—"
        if extra:  # "named + counted without names", the named first in reading order
            parts = [text, format_figure(extra, lang)]
            text = " + ".join(reversed(parts) if lang in RIGHT_TO_LEFT else parts)
        rows.append(
            {
                "label": labels.get(key, key) + mark,
                "lines": [mark + line + mark for line in wrap_label(labels.get(key, key), lang)],
                "value": value,
                "at": value or 0.0,
                "unnamed": extra,
                "total": (value or 0.0) + extra,
                "text": digit_groups(text, lang),
            }
        )
    return rows


LABEL_WIDTH = {"zh": 14}
"""How many characters a category label's line holds before it wraps (28 elsewhere): a
label is wrapped, never cut (Chinese after a space or a "、", else between characters)."""


def wrap_label(text: str, lang: str) -> list[str]:
    """A category label in lines of at most ``LABEL_WIDTH`` characters, broken between
    words; a word longer than a line keeps its own line (in Chinese it is broken)."""
    width = LABEL_WIDTH.get(lang, 28)
    if lang == "zh":  # pieces end at a space or an enumeration comma; a longer one is split
        pieces = [
            chunk[i : i + width]
            for chunk in re.findall(r"[^\s、，]+[\s、，]*|[\s、，]+", text)
            for i in range(0, len(chunk), width)
        ]
        glue = ""
    else:
        pieces, glue = text.split(), " "
    lines: list[str] = []
    for piece in pieces:
        if lines and len(lines[-1]) + len(glue) + len(piece.rstrip()) <= width:
            lines[-1] += glue + piece
        else:
            lines.append(piece)
    return [line.strip() for line in lines] or [""]


def nice_ticks(
    top: float, width: float, lang: str, across: bool = True, whole: bool = False
) -> list[float]:
    """Values for the value axis's ticks from 0 to ``top`` or just past it, at a round step
    (1, 2 or 5 times a power of ten) wide enough that no two labels of the axis, written
    as the text writes numbers, can meet over the axis's ``width`` px (labels side by
    side when ``across``, else stacked: a column chart's axis); ``whole``: the values are
    counts, so the step is a whole number."""
    if top <= 0:
        return [0.0, 1.0]
    size = SIZES.get(lang, 10)
    step = 1.0
    while step * 10 < top:
        step *= 10
    step /= 10
    for _ in range(12):
        for factor in (1, 2, 5):
            candidate = step * factor
            if whole and candidate < 1:
                continue
            count = math.ceil(top / candidate)
            ticks = [round(candidate * i, 9) for i in range(count + 1)]
            widest = max(len(format_figure(t, lang)) for t in ticks) * size * 0.62 + 20
            if not across:
                widest = size * 2.0
            if width / count >= widest:
                return ticks
        step *= 10
    return [0.0, top]


def _bar_spec(chart: ChartData, lang: str, labels: dict[str, str], axis: str) -> dict[str, Any]:
    """Bars by category, growing from the start of the line (the right in Arabic); a
    chart by year has columns, the years running in reading order."""
    rtl = lang in RIGHT_TO_LEFT
    rows = _rows(chart, lang, labels)
    by_year = bool(chart.keys) and all(key.isascii() and key.isdigit() for key in chart.keys)
    category: dict[str, Any] = {
        "field": "label",
        "type": "nominal",
        "sort": None,
        "title": None,
        "scale": {"domain": [row["label"] for row in rows]},
    }
    measure: dict[str, Any] = {"field": "value", "type": "quantitative", "title": axis}
    top = max((row["total"] for row in rows), default=0.0)
    length = 200 if by_year else 420
    whole = all(row["total"] == int(row["total"]) for row in rows)
    ticks = nice_ticks(top, length, lang, across=not by_year, whole=whole)
    measure["scale"] = {"domain": [0, ticks[-1]], "nice": False}
    measure_axis: dict[str, Any] = {"values": ticks, "labelOverlap": False, "labelFlush": True}
    if by_year:
        category["axis"] = {"labelAngle": 0}
        category["scale"]["reverse"] = rtl
        measure["axis"] = {  # the unit written level above the axis, not turned on its side
            **measure_axis,
            "orient": "right" if rtl else "left",
            "titleAngle": 0,
            "titleAnchor": "end",
            "titleAlign": "left" if rtl else "right",
            "titleBaseline": "bottom",
            "titleX": 0,
            "titleY": -10,
        }
        encoding = {"x": category, "y": measure}
        text_mark: dict[str, Any] = {"type": "text", "baseline": "bottom", "dy": -3}
        size = {"width": max(160, 56 * len(rows)), "height": 200}
    else:
        category["axis"] = {  # labels wrapped in lines, never cut
            "labelLimit": 0,
            "labelExpr": f"split(datum.value, {json.dumps(LINE)})",
            "orient": "right" if rtl else "left",
        }
        category["scale"]["domain"] = [LINE.join(row["lines"]) for row in rows]
        category["field"] = "wrapped"
        for row in rows:
            row["wrapped"] = LINE.join(row["lines"])
        measure["scale"]["reverse"] = rtl
        measure["axis"] = measure_axis
        encoding = {"y": category, "x": measure}
        text_mark = {"type": "text", "align": "right" if rtl else "left", "dx": -3 if rtl else 3}
        lines = max((len(row["lines"]) for row in rows), default=1)
        size = {"width": 420, "height": max(40, (16 + 12 * lines) * len(rows))}
    value_channel = "x" if not by_year else "y"
    at = {**measure, "field": "total"}
    text_position = {value_channel: at}
    layers: list[dict[str, Any]] = [{"mark": {"type": "bar", "color": GREEN}}]
    if any(row["unnamed"] for row in rows) and not by_year:
        layers = _segments(labels, {**measure, "field": "at"}, value_channel)
        size["height"] += 16 * 2 + 10  # the legend's two lines under the bars
    layers.append({"mark": text_mark, "encoding": {**text_position, "text": {"field": "text"}}})
    return {**size, "data": {"values": rows}, "encoding": encoding, "layer": layers}


def _segments(labels: dict[str, str], start: dict[str, Any], channel: str) -> list[dict[str, Any]]:
    """Two segments per bar, with a legend under the chart: the distinct countries named
    (solid, from zero) and, stacked after them, those counted without names (pale,
    dashed outline), whose words say they may overlap the named ones. The legend sits
    under the bars at the start of the line (``vegalite_spec`` anchors it in Arabic)."""
    named, unnamed = labels.get(NAMED, ""), labels.get(UNNAMED, "")
    scale = {"domain": [named, unnamed], "range": [GREEN, PALE]}
    legend = {
        "title": None,
        "orient": "bottom",
        "direction": "vertical",
        "labelLimit": 0,
        "symbolType": "square",
        "symbolStrokeColor": GREEN,
    }
    return [
        {
            "mark": {"type": "bar"},
            "encoding": {"color": {"datum": named, "scale": scale, "legend": legend}},
        },
        {
            "transform": [{"filter": "datum.unnamed > 0"}],
            "mark": {"type": "bar", "stroke": GREEN, "strokeDash": [3, 2], "strokeWidth": 1},
            "encoding": {
                channel: start,
                f"{channel}2": {"field": "total"},
                "color": {"datum": unnamed, "scale": scale, "legend": legend},
            },
        },
    ]


SHADES = ("#a8d5a2", "#5fa35a", GREEN)
"""The map's greens, lightest for the fewest projects (one per step of its legend)."""


LEGEND_SYMBOL = 12
"""The width of a legend's square as Vega draws it (10 px and its white stroke)."""
LEGEND_GAP = 4
"""Vega's default gap between a legend's square and its label."""


def _map_spec(chart: ChartData, lang: str, labels: dict[str, str]) -> dict[str, Any]:
    """Countries shaded by their number of projects, in steps whose words (and the
    legend's title) come from the caller: ``labels["legend"]`` and, under the count each
    step starts at ("1", "2", "4"), the step's range as the text writes it. In Arabic the
    legend is mirrored: at the right under the map, its title ending there, its steps
    read from the right (fewest first), each label at the left of its square; a range
    ("2–3") is a left-to-right isolate, never read as "3–2"."""
    rtl = lang in RIGHT_TO_LEFT
    steps = sorted(int(key) for key in labels if key.isascii() and key.isdigit())
    # an Arabic step that holds words ("4 أو أكثر") opens with a right-to-left mark: in the
    # chart's left-to-right text its number went first at the left ("أو أكثر 4" read)
    words = {
        low: (RLM + bidi.isolated(labels[str(low)]) if rtl else labels[str(low)]) for low in steps
    }
    counts: dict[str, int] = {}
    drawn = world.counts_drawn({p.key: int(p.value) for p in chart.points})
    for code, n in drawn.items():
        country = pycountry.countries.get(alpha_3=code)
        if country is not None:
            counts[country.numeric] = n
    band = '""'
    for low in steps:  # the highest step a country reaches names its band
        band = f"datum.n >= {low} ? {json.dumps(words[low])} : {band}"
    names = [words[low] for low in steps]
    legend: dict[str, Any] = {
        "title": labels.get("legend", ""),
        "values": names,
        "orient": "bottom",
        "direction": "horizontal",
        "symbolType": "square",
    }
    if rtl:
        legend.update(
            values=names[::-1],
            labelAlign="right",
            labelOffset=-(LEGEND_SYMBOL + LEGEND_GAP),
            titleAnchor="end",
        )
    return {
        "width": 520,
        "height": 270,
        "data": {
            "values": world.countries(),
            "format": {"type": "topojson", "feature": "countries"},
        },
        "projection": {"type": "equalEarth"},
        "transform": [
            {"calculate": f"{json.dumps(counts)}[datum.id] || 0", "as": "n"},
            {"calculate": band, "as": "band"},
        ],
        "mark": {"type": "geoshape", "stroke": "white", "strokeWidth": 0.3},
        "encoding": {
            "color": {
                "field": "band",
                "type": "nominal",
                "scale": {"domain": [*names, ""], "range": [*SHADES[: len(names)], GREY]},
                "legend": legend,
            }
        },
        # Vega's layout of the legends under a chart: in Arabic they end at its right
        **({"config": {"legend": {"layout": {"bottom": {"anchor": "end"}}}}} if rtl else {}),
    }


def vegalite_spec(
    chart: ChartData, lang: str, labels: dict[str, str], axis: str = ""
) -> dict[str, Any]:
    """The Vega-Lite specification of one chart in one language."""
    if chart.kind == "map":
        spec = _map_spec(chart, lang, labels)
    else:
        spec = _bar_spec(chart, lang, labels, axis)
    spec["$schema"] = "https://vega.github.io/schema/vega-lite/v5.json"
    font, size = fonts.SANS.get(lang, fonts.LATIN_SANS), SIZES.get(lang, 10)
    own = spec.pop("config", {})  # the chart's own settings (a mirrored map's legend)
    spec["config"] = {
        # Vega's own screen-reader labels are English ("X-axis titled …"): left out; the
        # figure's caption, notes and table (or sources entry) say it in the document's language.
        "aria": False,
        "font": font,
        "view": {"stroke": None},
        "axis": {"labelFontSize": size, "titleFontSize": size + 1},
        "text": {"fontSize": size + 1},
        "legend": {"labelFontSize": size, "titleFontSize": size + 1, "titleLimit": 400},
    }
    spec["config"]["legend"].update(own.get("legend", {}))
    if chart.kind == "bar" and lang in RIGHT_TO_LEFT:  # a legend under the bars, on the right
        spec["config"]["legend"]["layout"] = {"bottom": {"anchor": "end"}}
    return spec


_LINES = re.compile(
    r'<text ([^>]*)transform="translate\(([-\d.]+),([-\d.]+)\)"([^>]*)>(<tspan>.*?)</text>'
)
_LINE = re.compile(r'<tspan(?: x="0" dy="([-\d.]+)")?>(.*?)</tspan>')


def _one_text_per_line(svg: str) -> str:
    """A label of several lines as one ``<text>`` per line, each placed on its own: Vega
    writes the lines as ``<tspan>``s of one text, which the PDF's SVG reader (usvg, in
    Typst) runs together in right-to-left text."""

    def split(match: re.Match[str]) -> str:
        before, x, y, after, body = match.groups()
        out, at = [], float(y)
        for dy, line in _LINE.findall(body):
            at += float(dy or 0)
            out.append(f'<text {before}transform="translate({x},{at:g})"{after}>{line}</text>')
        return "".join(out)

    return _LINES.sub(split, svg)


def draw_svg(spec: dict[str, Any], lang: str) -> str:
    """Vega-Lite to SVG, with the number marks of ``lang`` on the axes. Vega places every
    text left to right (mirroring is in the layout), so the SVG says so: inside a
    right-to-left page a browser would otherwise anchor its labels from the other end."""
    register_fonts()
    svg = str(vlc.vegalite_to_svg(spec, format_locale=number_locale(lang)))
    return _one_text_per_line(svg.replace("<svg ", '<svg style="direction: ltr" ', 1))


class Painter:
    """Draws the charts of one build, each language's drawing once."""

    def __init__(self) -> None:
        self._drawn: dict[tuple[str, str], RenderedChart] = {}

    def draw(
        self, chart: ChartData, lang: str, labels: dict[str, str], axis: str = ""
    ) -> RenderedChart:
        key = (chart.id, lang)
        found = self._drawn.get(key)
        if found is None:
            svg = draw_svg(vegalite_spec(chart, lang, labels, axis), lang)
            _drawn(*key, "svg")
            found = self._drawn[key] = RenderedChart(chart.id, key[1], svg)
        return found
