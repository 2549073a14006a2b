"""The world map and the charts, drawn on the server as SVG.

The map decodes the packaged Natural Earth TopoJSON (``refdata.world``: UN areas) once,
projects it equirectangularly and shades each country by the number of projects that
reached it. A group chart draws several indicators as small multiples, each on its own
scale, year by year, labelled with values in words and mirrored right to left. No JavaScript
and no network: pages stay light and work offline.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise

import pycountry
from markupsafe import Markup, escape

from greenfolio.refdata import world

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
    topo = world.countries()
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
        # A ring that runs over the 180th meridian jumps from one edge of the map to the
        # other (a line across the whole map): it is drawn unbroken past the edge, and
        # again a map's width over, so that each side shows its part (the box clips).
        unwrapped, shift = [points[0]], 0.0
        for (px, _), (x, y) in pairwise(points):
            if x - px > WIDTH / 2:
                shift -= WIDTH
            elif px - x > WIDTH / 2:
                shift += WIDTH
            unwrapped.append((x + shift, y))
        xs = [x for x, _ in unwrapped]
        offsets = [0.0]
        if max(xs) > WIDTH:
            offsets.append(-WIDTH)
        if min(xs) < 0:
            offsets.append(WIDTH)
        return "".join(
            "M" + " ".join(f"{x + dx:.1f},{y:.1f}" for x, y in unwrapped) + "Z" for dx in offsets
        )

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
    colon: str = ": ",
) -> Markup:
    """The map: every country drawn, those reached shaded by their number of projects
    (an area drawn with its country counted with it: ``world.counts_drawn``); ``colon``
    as the reader's language writes one (French " : ", Chinese "：")."""
    counts = world.counts_drawn(counts)
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
            f"<title>{escape(name(code))}{escape(colon)}{escape(label(count))}</title></path>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def legend(top: int, label: Callable[[int], str], caption: str, colon: str = ": ") -> Markup:
    """What the shades count, and swatches from one project to the most any country has."""
    swatches = "".join(f'<span class="swatch" style="background:{c}"></span>' for c in _SHADES)
    return Markup(
        f'<span class="legend">{escape(caption)}{escape(colon)}{escape(label(1))} {swatches} '
        f"{escape(label(max(top, 1)))}</span>"
    )


@dataclass(frozen=True)
class Bar:
    """One year of an indicator: its label (the year, or the months of a part-year), its
    value (None: no verified result that year) and that value in words with its unit."""

    label: str
    value: float | None
    text: str
    part: bool = False


@dataclass(frozen=True)
class Row:
    """One indicator of a chart: its name and a bar per year, drawn on its own scale."""

    title: str
    bars: Sequence[Bar]


_WIDE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
_TOKENS = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]|[^\s\u2e80-\u9fff]+|\s+")
CHART_WIDTH = 360.0
"""Viewbox width of a group chart: drawn for a phone and scaled up, never wider than its box."""


_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def _ems(text: str) -> float:
    """Estimated width of ``text`` in ems: wide (CJK) characters one em, Cyrillic letters
    about 0.64 (wider than Latin ones in Noto Sans: a Russian indicator name estimated at
    Latin widths ran past the chart's edge), others about half."""
    return sum(1.0 if _WIDE.match(c) else 0.64 if _CYRILLIC.match(c) else 0.56 for c in text)


def _wrap(text: str, size: float, width: float) -> list[str]:
    """``text`` cut into lines no wider than ``width`` at font ``size`` (between words, or
    between any two CJK characters)."""
    lines, line = [], ""
    for token in _TOKENS.findall(text):
        if line.strip() and _ems(line + token) * size > width:
            lines.append(line.strip())
            line = token.lstrip()
        else:
            line += token
    if line.strip():
        lines.append(line.strip())
    return lines or [""]


def indicator_rows(
    rows: Sequence[Row], title: str, desc: str, rtl: bool = False, colon: str = ": "
) -> Markup:
    """Small multiples in one figure: per indicator its name, then for each year a label,
    the value in words and a bar scaled to that indicator's largest value, so indicators
    of different units never share a scale. Right to left: everything mirrored."""
    width, name_size, size, gap = CHART_WIDTH, 13.0, 12.0, 10.0
    body: list[str] = []
    y = 4.0

    def x(at: float) -> float:
        return width - at if rtl else at

    for row in rows:
        for line in _wrap(row.title, name_size, width):
            y += name_size + 3
            body.append(f'<text x="{x(0):.1f}" y="{y:.1f}" class="name">{escape(line)}</text>')
        top = max((b.value for b in row.bars if b.value is not None), default=0.0) or 1.0
        for bar in row.bars:
            y += size + 4
            body.append(f'<text x="{x(0):.1f}" y="{y:.1f}" class="year">{escape(bar.label)}</text>')
            if (_ems(bar.label) + _ems(bar.text) + 1) * size > width:
                y += size + 2  # no room beside the year: the value goes below it
            body.append(
                f'<text x="{x(width):.1f}" y="{y:.1f}" class="value">{escape(bar.text)}</text>'
            )
            y += 4
            body.append(f'<rect x="0" y="{y:.1f}" width="{width:.0f}" height="8" class="track"/>')
            if bar.value is not None and bar.value > 0:
                w = max(1.5, width * min(bar.value / top, 1.0))
                cls = "bar part" if bar.part else "bar"
                body.append(
                    f'<rect x="{x(w) if rtl else 0:.1f}" y="{y:.1f}" width="{w:.1f}" '
                    f'height="8" class="{cls}"><title>{escape(bar.label)}{escape(colon)}'
                    f"{escape(bar.text)}</title></rect>"
                )
            y += 8
        y += gap
    height = y
    return Markup(
        f'<svg class="rows" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'direction="{"rtl" if rtl else "ltr"}" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        f"<desc>{escape(desc)}</desc>{''.join(body)}</svg>"
    )
