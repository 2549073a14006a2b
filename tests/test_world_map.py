"""The world map's countries are the UN's: areas Natural Earth draws apart are joined."""

from __future__ import annotations

from itertools import pairwise

from greenfolio.interfaces.web.svg import WIDTH, country_paths, world_map
from greenfolio.interfaces.writers.charts import _map_spec
from greenfolio.refdata import world
from greenfolio.services.charts import ChartData, Point


def _geometries() -> dict[str, dict[str, object]]:
    geometries = world.countries()["objects"]["countries"]["geometries"]
    return {str(g["properties"]["name"]): g for g in geometries}


def test_areas_the_un_does_not_list_are_drawn_with_their_country() -> None:
    found = _geometries()
    for name in world.JOINED:
        assert name not in found
    # Taiwan (an island of its own) is now a third ring of China's shape
    assert len(found["China"]["arcs"]) == 3  # type: ignore[arg-type]
    assert found["W. Sahara"]["id"] == "732"  # M49 lists it: kept


def test_joined_shapes_are_closed_rings_without_the_line_between() -> None:
    topo = world.countries()
    ends = world._ends(topo["arcs"])
    for code in ("688", "196", "706", "156"):
        geom = next(g for g in topo["objects"]["countries"]["geometries"] if g.get("id") == code)
        arcs_used = [i for poly in geom["arcs"] for ring in poly for i in ring]
        plain = [i if i >= 0 else ~i for i in arcs_used]
        assert len(plain) == len(set(plain)), "a shared arc is still drawn"
        for poly in geom["arcs"]:
            (ring,) = poly
            points = [(ends[i] if i >= 0 else ends[~i][::-1]) for i in ring]
            for (_, end), (start, _) in zip(points, points[1:] + points[:1], strict=True):
                assert end == start


def test_the_web_map_has_no_separate_taiwan_and_no_hole_for_kosovo() -> None:
    paths = country_paths()
    assert "TWN" not in paths
    assert paths["CHN"].count("M") == 3
    assert paths["SRB"].count("M") == 1 and paths["SOM"].count("M") == 1


def test_no_country_crosses_the_map_from_edge_to_edge() -> None:
    """Russia and Fiji run over the 180th meridian: drawn unbroken past the edge and once
    more a map's width over, no subpath may jump across the map (a line over it all)."""
    for code, path in country_paths().items():
        for sub in path.split("M")[1:]:
            xs = [float(p.split(",")[0]) for p in sub.rstrip("Z").split()]
            jumps = [abs(b - a) for a, b in pairwise(xs)]
            assert max(jumps, default=0) < WIDTH / 2, code
    assert country_paths()["RUS"].count("M") > country_paths()["BRA"].count("M")


def test_a_record_naming_taiwan_is_counted_on_chinas_shape() -> None:
    """Taiwan is drawn with China (above): a count for TWN would land on no shape; it goes
    to China's, on the web map and in the report's."""

    assert world.counts_drawn({"TWN": 2, "CHN": 1, "BRA": 3}) == {"CHN": 3, "BRA": 3}
    page = world_map({"TWN": 2}, str, str, "map")
    assert 'data-country="CHN"' in page and 'class="reached" data-country="CHN"' in page
    chart = ChartData(id="m", kind="map", unit="project", points=[Point(key="TWN", value=2.0)])
    spec = _map_spec(chart, "en", {"1": "1", "legend": "Projects"})
    assert '{"156": 2}' in spec["transform"][0]["calculate"]


def test_crimea_is_drawn_with_ukraine() -> None:
    """General Assembly resolution 68/262: the shape Natural Earth draws in Russia's holding
    Crimea is Ukraine's, one ring with the mainland (no line at the Perekop isthmus)."""
    topo = world.countries()
    by_id = {g.get("id"): g for g in topo["objects"]["countries"]["geometries"]}

    def rings(code: str) -> list[list[tuple[float, float]]]:
        return [
            world._ring_points(poly[0], topo["arcs"], topo["transform"])
            for poly in world._polygons(by_id[code])
        ]

    simferopol, sevastopol, kyiv, moscow = (34.1, 45.0), (33.5, 44.6), (30.5, 50.45), (37.6, 55.75)
    (ukraine,) = rings("804")
    assert all(world._inside(p, ukraine) for p in (simferopol, sevastopol, kyiv))
    assert not any(world._inside(simferopol, r) for r in rings("643"))
    assert any(world._inside(moscow, r) for r in rings("643"))
    # the web map draws Ukraine in one piece
    assert country_paths()["UKR"].count("M") == 1


def test_an_arabic_legend_step_in_words_reads_from_the_right() -> None:
    """A delegate's review: the Arabic map legend read "أو أكثر 4" ("or more 4"): in the
    chart's left-to-right text the number went first at the left. Each Arabic step opens
    with a right-to-left mark, its numbers isolated left to right."""
    from greenfolio.interfaces.writers.bidi import LRI, PDI
    from greenfolio.interfaces.writers.charts import RLM

    chart = ChartData(id="m", kind="map", unit="project", points=[Point(key="BRA", value=5.0)])
    labels = {"1": "1", "2": "2–3", "4": "4 أو أكثر", "legend": "عدد الأنشطة"}
    spec = _map_spec(chart, "ar", labels)
    values = spec["encoding"]["color"]["legend"]["values"]
    assert f"{RLM}4 أو أكثر" in values and f"{RLM}{LRI}2–3{PDI}" in values
    assert all(v.startswith(RLM) for v in values), values
    english = _map_spec(chart, "en", {"1": "1", "4": "4 or more", "legend": "Projects"})
    assert "4 or more" in english["encoding"]["color"]["legend"]["values"]
