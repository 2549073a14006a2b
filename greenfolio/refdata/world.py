"""The world's countries as the maps draw them: Natural Earth shapes, United Nations areas.

Natural Earth (``geo/countries-110m.json``, see ``geo/README.md``) draws some areas as
countries of their own that the United Nations does not list as countries or areas: the
UN's standard country list (M49, https://unstats.un.org/unsd/methodology/m49/) has no
entry for Taiwan, Kosovo, Northern Cyprus or Somaliland, and ISO 3166-1, which the M49
codes follow, lists Taiwan as "Taiwan, Province of China". Here each such area is joined
to the country the UN list counts it in (``JOINED``): its shape is merged into that
country's, the line between them removed, so a map shades it with that country and draws
no border the UN does not. Western Sahara keeps its own shape: M49 lists it (732).

Natural Earth also draws Crimea inside Russia's shape; the General Assembly affirmed
Ukraine's territorial integrity within its internationally recognized borders (resolution
68/262, 27 March 2014), so the maps draw it with Ukraine (``MOVED``): the part of Russia's
shape that holds a point of Crimea is taken out of Russia and merged into Ukraine.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

JOINED: dict[str, str] = {
    "Taiwan": "156",  # China (ISO 3166-1: "Taiwan, Province of China", 158)
    "Kosovo": "688",  # Serbia (no M49 entry; Security Council resolution 1244 (1999))
    "N. Cyprus": "196",  # Cyprus
    "Somaliland": "706",  # Somalia
}
"""Natural Earth's name of an area drawn apart -> the M49 code of the country it is in."""

DRAWN_WITH: dict[str, str] = {"TWN": "CHN"}
"""The joined areas that have an ISO 3166-1 code of their own (alpha-3), which a record
may name: a map shades them with their country, so their counts go to it."""


MOVED: tuple[tuple[str, str, tuple[float, float]], ...] = (
    ("643", "804", (34.1, 45.0)),  # Crimea (Simferopol): Russia's shape -> Ukraine (A/RES/68/262)
)
"""(M49 code of the country Natural Earth draws it in, M49 code of the country the UN counts
it in, a point inside it as longitude and latitude)."""


def counts_drawn(counts: Mapping[str, int]) -> dict[str, int]:
    """Counts by alpha-3 code as a map draws them: a joined area's added to its country's
    (a project naming both is counted twice there; the map's bands are coarse)."""
    out: dict[str, int] = {}
    for code, n in counts.items():
        host = DRAWN_WITH.get(code, code)
        out[host] = out.get(host, 0) + n
    return out


def _ends(arcs: list[list[list[int]]]) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """First and last point of each (delta-encoded, quantised) arc."""
    out = []
    for arc in arcs:
        x = y = 0
        first: tuple[int, int] | None = None
        for dx, dy in arc:
            x, y = x + dx, y + dy
            if first is None:
                first = (x, y)
        assert first is not None
        out.append((first, (x, y)))
    return out


def _dissolve(
    polygons: list[list[list[int]]], ends: list[tuple[tuple[int, int], tuple[int, int]]]
) -> list[list[list[int]]]:
    """The polygons' rings with every arc two of them share removed, stitched again into
    closed rings (one polygon per ring)."""
    if any(len(poly) != 1 for poly in polygons):
        raise ValueError("a joined country has a hole: its rings cannot be stitched alone")
    used = Counter(i if i >= 0 else ~i for poly in polygons for ring in poly for i in ring)
    left = [i for poly in polygons for ring in poly for i in ring if used[i if i >= 0 else ~i] == 1]

    def start(i: int) -> tuple[int, int]:
        return ends[i][0] if i >= 0 else ends[~i][1]

    def end(i: int) -> tuple[int, int]:
        return ends[i][1] if i >= 0 else ends[~i][0]

    by_start = {start(i): i for i in left}
    rings: list[list[int]] = []
    pending = set(left)
    for first in left:
        if first not in pending:
            continue
        ring, i = [first], first
        pending.discard(first)
        while end(i) != start(first):
            i = by_start[end(i)]
            pending.discard(i)
            ring.append(i)
        rings.append(ring)
    return [[ring] for ring in rings]


def _ring_points(
    ring: list[int], arcs: list[list[list[int]]], transform: Mapping[str, Any]
) -> list[tuple[float, float]]:
    """A ring's points as longitude and latitude (arcs delta-encoded and quantised)."""
    (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
    out: list[tuple[float, float]] = []
    for i in ring:
        x = y = 0
        pts = []
        for dx, dy in arcs[i if i >= 0 else ~i]:
            x, y = x + dx, y + dy
            pts.append((x * sx + tx, y * sy + ty))
        out += pts if i >= 0 else pts[::-1]
    return out


def _inside(point: tuple[float, float], ring: list[tuple[float, float]]) -> bool:
    """Whether ``point`` is inside ``ring`` (even-odd rule)."""
    x, y = point
    found = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            found = not found
    return found


def _polygons(geom: dict[str, Any]) -> list[list[list[int]]]:
    return list(geom["arcs"] if geom["type"] == "MultiPolygon" else [geom["arcs"]])


def _move(topo: dict[str, Any], by_id: dict[str, Any], ends: Any) -> None:
    """Each ``MOVED`` part out of the shape it is drawn in and into its country's."""
    for source, target, point in MOVED:
        donor, host = by_id[source], by_id[target]
        polygons = _polygons(donor)
        part = next(
            p
            for p in polygons
            if _inside(point, _ring_points(p[0], topo["arcs"], topo["transform"]))
        )
        polygons.remove(part)
        donor["type"], donor["arcs"] = "MultiPolygon", polygons
        host["type"], host["arcs"] = "MultiPolygon", _dissolve([*_polygons(host), part], ends)


@cache
def countries() -> dict[str, Any]:
    """The TopoJSON, its ``countries`` object as the UN counts countries (see above)."""
    text = resources.files("greenfolio.refdata").joinpath("geo", "countries-110m.json")
    topo: dict[str, Any] = json.loads(text.read_text("utf-8"))
    geometries = topo["objects"]["countries"]["geometries"]
    by_id = {g.get("id"): g for g in geometries if g.get("id")}
    ends = _ends(topo["arcs"])
    kept = []
    for geom in geometries:
        into = JOINED.get(geom["properties"].get("name", ""))
        if into is None:
            kept.append(geom)
            continue
        host = by_id[into]
        polygons = [
            *(host["arcs"] if host["type"] == "MultiPolygon" else [host["arcs"]]),
            *(geom["arcs"] if geom["type"] == "MultiPolygon" else [geom["arcs"]]),
        ]
        host["type"], host["arcs"] = "MultiPolygon", _dissolve(polygons, ends)
    topo["objects"]["countries"]["geometries"] = kept
    _move(topo, by_id, ends)
    return topo
