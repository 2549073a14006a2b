"""The world map and the charts, drawn on the server as SVG.

The map decodes the packaged Natural Earth TopoJSON (``geo/countries-110m.json``) once,
projects it equirectangularly and shades each country by the number of projects that
reached it. Charts are plain bar charts of one indicator over the years. No JavaScript
and no network: pages stay light and work offline.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from importlib import resources

import pycountry
from markupsafe import Markup, escape

WIDTH, NORTH, SOUTH = 960.0, 84.0, -58.0
"""Map width in px and the latitudes kept (Antarctica and the far north are cut)."""
_K = WIDTH / 360.0
HEIGHT = (NORTH - SOUTH) * _K
_SHADES = ("#d7eadb", "#a8d5b4", "#74bb8a", "#3f9a61", "#1d7342", "#0b4d2a")
_NONE = "#e4e6e3"


def _project(lon: float, lat: float) -> tuple[float, float]:
    return (lon + 180.0) * _K, (NORTH - lat) * _K


@cache
def country_paths() -> dict[str, str]:
    """SVG path data per ISO alpha-3 code, from the packaged TopoJSON."""
    raw = resources.files("greenfolio.web").joinpath("geo/countries-110m.json").read_text()
    topo = json.loads(raw)
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs: list[list[tuple[float, float]]] = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append(_project(x * sx + tx, y * sy + ty))
        arcs.append(points)

    def ring(indices: list[int]) -> str:
        points: list[tuple[float, float]] = []
        for i in indices:
            part = arcs[i] if i >= 0 else arcs[~i][::-1]
            points.extend(part if not points else part[1:])
        if not points:
            return ""
        body = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        return f"M{body}Z"

    out: dict[str, str] = {}
    for geom in topo["objects"]["countries"]["geometries"]:
        country = pycountry.countries.get(numeric=str(geom.get("id") or "").zfill(3))
        if country is None:
            continue
        polygons = geom["arcs"] if geom["type"] == "MultiPolygon" else [geom["arcs"]]
        out[country.alpha_3] = "".join(ring(r) for poly in polygons for r in poly)
    return out


def _shade(count: int, top: int) -> str:
    if count <= 0:
        return _NONE
    step = math.log1p(count) / math.log1p(max(top, 1))
    return _SHADES[min(len(_SHADES) - 1, int(step * (len(_SHADES) - 1) + 0.5))]


def world_map(
    counts: Mapping[str, int],
    name: Callable[[str], str],
    label: Callable[[int], str],
    title: str,
) -> Markup:
    """The map: every country drawn, those reached shaded by their number of projects."""
    top = max(counts.values(), default=1)
    parts = [
        f'<svg class="map" viewBox="0 0 {WIDTH:.0f} {HEIGHT:.0f}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for code, path in sorted(country_paths().items()):
        count = counts.get(code, 0)
        cls = "reached" if count else "other"
        parts.append(
            f'<path d="{path}" fill="{_shade(count, top)}" class="{cls}" data-country="{code}">'
            f"<title>{escape(name(code))}: {escape(label(count))}</title></path>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def legend(top: int, label: Callable[[int], str]) -> Markup:
    """Swatches from one project to the most any country has."""
    swatches = "".join(f'<span class="swatch" style="background:{c}"></span>' for c in _SHADES)
    return Markup(
        f'<span class="legend">{escape(label(1))} {swatches} {escape(label(max(top, 1)))}</span>'
    )


def bar_chart(
    points: Sequence[tuple[str, float | None]],
    fmt: Callable[[float], str],
    title: str,
    rtl: bool = False,
) -> Markup:
    """Bars of one indicator per year, each labelled with its value."""
    width, height, pad, top_pad = 280.0, 140.0, 22.0, 18.0
    values = [v for _, v in points if v is not None]
    top = max(values, default=0.0) or 1.0
    n = max(len(points), 1)
    slot = (width - 2 * pad) / n
    bar = slot * 0.62
    order = list(reversed(points)) if rtl else list(points)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
        'class="axis"/>',
    ]
    for i, (year, value) in enumerate(order):
        x = pad + i * slot + (slot - bar) / 2
        cx = x + bar / 2
        parts.append(f'<text x="{cx:.1f}" y="{height - 6:.1f}" class="tick">{escape(year)}</text>')
        if value is None:
            continue
        h = (height - pad - top_pad) * (value / top)
        y = height - pad - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" class="bar">'
            f"<title>{escape(year)}: {escape(fmt(value))}</title></rect>"
        )
        parts.append(
            f'<text x="{cx:.1f}" y="{y - 4:.1f}" class="value">{escape(fmt(value))}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
