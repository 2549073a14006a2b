"""Render chart data offline with Vega-Lite (vl-convert): SVG for HTML, PNG for DOCX/PDF.

Labels come localised from the caller; numbers on the bars use Greenfolio's own number
style, axes use the d3 locale of the language. Fonts are the Noto families installed by
the test command (CJK and Arabic included).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import pycountry
import vl_convert as vlc

from greenfolio.domain.numbers import format_figure
from greenfolio.interfaces.writers import fonts
from greenfolio.services.charts import ChartData

D3_LOCALES = {
    "en": "en-GB",
    "zh": "zh-CN",
    "fr": "fr-FR",
    "es": "es-ES",
    "ru": "ru-RU",
    "ar": "ar-EG",
}
GREEN, GREY = "#2c6e2f", "#d9d9d9"


@dataclass(frozen=True)
class RenderedChart:
    id: str
    title: str
    svg: str
    png: bytes


@lru_cache(maxsize=4)
def _fonts_registered(dirs: tuple[str, ...]) -> bool:
    for folder in dirs:
        if Path(folder).is_dir():
            vlc.register_font_directory(folder)
    return True


@lru_cache(maxsize=1)
def _world() -> dict[str, Any]:
    text = resources.files("greenfolio.refdata").joinpath("geo", "countries-110m.json")
    data: dict[str, Any] = json.loads(text.read_text("utf-8"))
    return data


def _bar_spec(chart: ChartData, lang: str, labels: dict[str, str], axis: str) -> dict[str, Any]:
    rows = [
        {"label": labels.get(p.key, p.key), "value": p.value, "text": format_figure(p.value, lang)}
        for p in chart.points
    ]
    return {
        "width": 420,
        "height": max(40, 28 * len(rows)),
        "data": {"values": rows},
        "encoding": {
            "y": {
                "field": "label",
                "type": "nominal",
                "sort": None,
                "title": None,
                "axis": {"labelLimit": 260},
            },
            "x": {"field": "value", "type": "quantitative", "title": axis},
        },
        "layer": [
            {"mark": {"type": "bar", "color": GREEN}},
            {
                "mark": {"type": "text", "align": "left", "dx": 3},
                "encoding": {"text": {"field": "text"}},
            },
        ],
    }


def _map_spec(chart: ChartData) -> dict[str, Any]:
    ids = []
    for p in chart.points:
        country = pycountry.countries.get(alpha_3=p.key)
        if country is not None:
            ids.append(country.numeric)
    return {
        "width": 520,
        "height": 270,
        "data": {"values": _world(), "format": {"type": "topojson", "feature": "countries"}},
        "projection": {"type": "equalEarth"},
        "transform": [
            {"calculate": f"indexof({json.dumps(ids)}, datum.id) >= 0 ? 1 : 0", "as": "reached"}
        ],
        "mark": {"type": "geoshape", "stroke": "white", "strokeWidth": 0.3},
        "encoding": {
            "color": {
                "field": "reached",
                "type": "nominal",
                "scale": {"domain": [1, 0], "range": [GREEN, GREY]},
                "legend": None,
            }
        },
    }


def render(
    chart: ChartData, lang: str, title: str, labels: dict[str, str], axis: str = ""
) -> RenderedChart:
    """Draw one chart in one language."""
    _fonts_registered(fonts.chart_dirs())
    spec = _map_spec(chart) if chart.kind == "map" else _bar_spec(chart, lang, labels, axis)
    spec["$schema"] = "https://vega.github.io/schema/vega-lite/v5.json"
    spec["config"] = {"font": fonts.SANS.get(lang, fonts.LATIN_SANS), "view": {"stroke": None}}
    locale: Any = D3_LOCALES[lang]
    svg = vlc.vegalite_to_svg(spec, format_locale=locale)
    png = vlc.vegalite_to_png(spec, scale=2, format_locale=locale)
    return RenderedChart(chart.id, title, svg, png)
