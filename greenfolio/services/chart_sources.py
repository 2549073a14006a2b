"""Each chart's own entry in a report's sources: what it plots, point by point, and how
many verified results it counts, so that a chart links to its provenance as a figure does.

A point that is itself a printed figure (a chart drawn from a series of figures) links to
that figure's entry; a map lists its countries by name with their number of projects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from greenfolio.domain.countries import country_name
from greenfolio.domain.document import NAMED, UNNAMED, Document
from greenfolio.domain.numbers import format_figure
from greenfolio.domain.typography import typeset
from greenfolio.services.charts import ChartData
from greenfolio.services.report_charts import unnamed_cell


@dataclass(frozen=True)
class ChartSourceRow:
    label: str
    value: str
    figure: str = ""
    """The id of the printed figure this point is (its entry's anchor), if it is one."""
    unnamed: str = ""
    """Beside the countries named, those counted without names ("—": none); empty in
    a chart without them."""


@dataclass(frozen=True)
class ChartSource:
    anchor: str
    """``chart-source-<chart id>``: the target of the chart's link, never printed."""
    chart: str
    title: str
    heading: str
    """What the values count: the value axis's unit, or the map legend's title."""
    rows: tuple[ChartSourceRow, ...]
    results_total: int
    unnamed_heading: str = ""
    """The heading of the column of countries counted without names, if the chart has it."""


def anchor(chart_id: str) -> str:
    return f"chart-source-{chart_id}"


def entries(
    doc: Document, charts: Mapping[str, ChartData], explained: frozenset[str] = frozenset()
) -> tuple[ChartSource, ...]:
    """One entry per chart of ``doc``, in the document's words and number style;
    ``explained``: the figures that have their own entry (a point links to it)."""
    lang = doc.lang
    out = []
    for ref in doc.charts:
        data = charts[ref.id]
        rows = []
        for point in data.points:
            if data.kind == "map":
                label = country_name(point.key, lang)
            else:
                label = ref.labels.get(point.key, point.key)
            figure = point.key if point.key in explained else ""
            value = typeset(format_figure(point.value, lang, point.qualifier), lang)
            unnamed = unnamed_cell(data, point.key, lang) if data.counted else ""
            rows.append(ChartSourceRow(typeset(label, lang), value, figure, unnamed))
        title = ref.full_title
        heading = ref.labels.get("legend", "") if data.kind == "map" else ref.axis
        unnamed_heading = ""
        if data.counted:  # the two segments, each in its column
            heading, unnamed_heading = ref.labels[NAMED], ref.labels[UNNAMED]
        out.append(
            ChartSource(
                anchor(ref.id),
                ref.id,
                typeset(title, lang),
                heading,
                tuple(rows),
                len(set(data.result_ids)),
                unnamed_heading,
            )
        )
    return tuple(out)
