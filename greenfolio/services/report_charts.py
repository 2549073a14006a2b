"""A report's charts as its document places them: caption, labels, axis, notes and, for
a chart of one bar or of two segments, the table every writer prints; and the writers'
words (``reports/labels.yaml``) these and the rest of the document use.

Split from ``services.reporting``, which fills the templates' prose.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from typing import Any

from greenfolio.domain.document import NAMED, UNNAMED, ChartRef
from greenfolio.domain.errors import NotFoundError
from greenfolio.domain.numbers import format_figure
from greenfolio.domain.typography import typeset
from greenfolio.domain.un_dates import un_date
from greenfolio.refdata.loader import read_yaml
from greenfolio.services import charts as chart_queries
from greenfolio.services import report_units
from greenfolio.services.charts import ChartData
from greenfolio.services.report_definition import ReportDefinition


def need(template: dict[str, Any], lang: str, *path: str) -> Any:
    node: Any = template
    for part in path:
        if not isinstance(node, dict) or part not in node:
            raise NotFoundError(
                f"{lang} template lacks {'.'.join(path)}: add it to templates/{lang}.yaml"
            )
        node = node[part]
    return node


@lru_cache(maxsize=1)
def _labels() -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = read_yaml("greenfolio.reports", "labels.yaml")
    return table


def words(lang: str) -> dict[str, str]:
    """The writers' words (Figure, Sources …) in ``lang``; a missing one is an error."""
    table = _labels()
    out = {}
    for key, names in table.items():
        if not names.get(lang):
            raise NotFoundError(f"reports/labels.yaml has no {lang} text for {key!r}")
        out[key] = str(names[lang])
    return out


# UN editorial style for numbering graphics (United Nations Editorial Manual, "Maps and
# figures, including photographs", https://www.un.org/dgacm/en/content/editorial-manual/maps):
# "maps are numbered with arabic numerals and form their own series"; "Figures (charts,
# graphs and photographs) form their own series and are numbered with roman numerals. Where
# there are more than 20 figures, however, they should normally be numbered with arabic
# numerals. If there is only one figure in a document, it is not numbered and the word
# 'Figure' is omitted from the heading." The Manual "deals primarily with English style but
# is applicable, mutatis mutandis, to texts in other languages" (1983 edition, introductory
# note), so every language numbers this way, except Arabic: the Arabic versions write the
# roman numerals of headings as ordinal words ("I. Introduction" is "أولا - مقدمة" in
# A/75/89 and A/71/1007, UN aligned bitexts at conferences.unite.un.org), so an Arabic figure
# takes the ordinal adjective agreeing with الشكل (masculine): الشكل الأول, الشكل الثاني …
# Chinese likewise: the Chinese versions write those roman numerals as Chinese numerals (the
# 2021 source, IDB.49 report in Chinese, heads its chapters "一. 引言", "二. …", "七. 前景"),
# so a Chinese figure is 图一, 图二 …
_ROMAN = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
_AR_ORDINALS = (
    *("الأول", "الثاني", "الثالث", "الرابع", "الخامس"),
    *("السادس", "السابع", "الثامن", "التاسع", "العاشر"),
)
_ZH_NUMERALS = "一二三四五六七八九十"
_ARABIC_NUMERALS_FROM = 21  # "more than 20 figures": arabic numerals


def roman(number: int) -> str:
    """``number`` (1-39) in roman numerals, as UN documents number their figures."""
    out = ""
    for value, letters in _ROMAN:
        while number >= value:
            out += letters
            number -= value
    return out


def chinese_numeral(number: int) -> str:
    """``number`` (1-20) in Chinese numerals (一, 十一, 二十), as the Chinese versions write
    the roman numerals of the English."""
    tens, units = divmod(number, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _ZH_NUMERALS[tens - 1] + "十")
    return head + (_ZH_NUMERALS[units - 1] if units else "")


def chart_labels(kinds: list[str], lang: str) -> list[str]:
    """Each chart's number line in ``lang`` ("Figure II", "Map 1"), in document order.

    Maps and figures are two series; a lone figure has no number line (empty string)."""
    figures = sum(1 for kind in kinds if kind != "map")
    space = "" if lang == "zh" else " "  # "地图1": no space beside Han text
    out, maps, seen = [], 0, 0
    for kind in kinds:
        if kind == "map":
            maps += 1
            out.append(f"{words(lang)['map']}{space}{maps}")
            continue
        seen += 1
        if figures == 1:
            out.append("")
        elif figures >= _ARABIC_NUMERALS_FROM:
            out.append(f"{words(lang)['figure']}{space}{seen}")
        elif lang == "ar":
            ordinal = _AR_ORDINALS[seen - 1] if seen <= len(_AR_ORDINALS) else str(seen)
            out.append(f"{words(lang)['figure']} {ordinal}")
        elif lang == "zh":
            out.append(f"{words(lang)['figure']}{chinese_numeral(seen)}")
        else:
            out.append(f"{words(lang)['figure']} {roman(seen)}")
    return out


def _shows_nothing(data: ChartData | None) -> bool:
    return data is not None and not any(p.value for p in data.points) and not data.counted


def chart_refs(
    definition: ReportDefinition,
    template: dict[str, Any],
    lang: str,
    charts: Mapping[str, ChartData],
    year: int,
) -> tuple[ChartRef, ...]:
    refs = []
    # A chart with nothing to show is left out (its paragraph says none was reported): an
    # empty frame with an axis from 0 to 1 reads as a result of nothing.
    specs = [s for s in definition.chart_specs(year) if not _shows_nothing(charts.get(s.id))]
    numbers = chart_labels([spec.kind for spec in specs], lang)
    for number, spec in enumerate(specs, start=1):
        text = need(template, lang, "charts", spec.id)
        data = charts.get(spec.id)
        labels = {str(k): str(v) for k, v in (text.get("labels") or {}).items()}
        if spec.kind == "map":
            labels.update(_map_legend(lang))
        if data is not None and data.counted:  # the two segments' legend
            for key in (NAMED, UNNAMED):
                labels[key] = words(lang)[f"chart_{key}"]
        if data is not None:
            for key, names in data.term_names.items():
                labels.setdefault(key, str(names.get(lang) or key))
            missing = [
                p.key
                for p in data.points
                if data.kind == "bar" and p.key not in labels and not p.key.isdigit()
            ]
            if missing:
                raise NotFoundError(
                    f"{lang} template: chart {spec.id!r} has no label for {', '.join(missing)}"
                )
        notes, source_line = _chart_notes(spec, data, lang, year)
        table: tuple[tuple[str, ...], ...] = _single_bar_table(data, labels, lang)
        head: tuple[str, ...] = ()
        if data is not None and data.counted:
            table, head = _segments_table(data, labels, lang)
        linked = list(notes)
        linked[source_line] += ("" if lang == "zh" else " ") + typeset(
            words(lang)["chart_source_see"], lang
        )
        title = str(need(text, lang, "title"))
        if table and data is not None and data.points[0].key.isdigit() and "title_single" in text:
            # a chart by year with one year of values is that year's table: its title
            # says the year (a delegate read "…, by year" over one row)
            title = str(text["title_single"]).format(year=data.points[0].key)
        refs.append(
            ChartRef(
                spec.id,
                spec.after,
                typeset(title, lang),
                {key: typeset(label, lang) for key, label in labels.items()},
                _axis(text, data, lang),
                notes,
                table,
                tuple(linked),
                source_line,
                head,
                typeset(numbers[number - 1], lang),
            )
        )
    return tuple(refs)


def _map_legend(lang: str) -> dict[str, str]:
    """The map legend's words: its title under "legend" and each shade's range of
    project counts under the count it starts at ("1", "2–3", "4 or more")."""
    said = words(lang)
    out = {"legend": typeset(said["map_legend_title"], lang)}
    steps = chart_queries.MAP_STEPS
    for low, high in zip(steps, (*steps[1:], None), strict=True):
        if high is None:
            text = said["map_legend_more"].format(n=format_figure(low, lang))
        elif high - low == 1:
            text = format_figure(low, lang)
        else:
            text = f"{format_figure(low, lang)}–{format_figure(high - 1, lang)}"
        out[str(low)] = typeset(text, lang)
    return out


def _single_bar_table(
    data: ChartData | None, labels: Mapping[str, str], lang: str
) -> tuple[tuple[str, ...], ...]:
    """A bar chart with one bar that has a value becomes a one-row table, decided here
    once for every format: (category label, value as the text writes it)."""
    if data is None or data.kind != "bar" or len(data.points) != 1:
        return ()
    point = data.points[0]
    value = format_figure(point.value, lang, point.qualifier)
    return ((typeset(labels.get(point.key, point.key), lang), typeset(value, lang)),)


def unnamed_cell(data: ChartData, key: str, lang: str) -> str:
    """The countries counted without names beside bar ``key`` as a table cell ("—" where
    none): one wording for the chart's own table and its entry in the sources."""
    extra = data.unnamed.get(key, 0.0)
    return typeset(format_figure(extra, lang), lang) if extra else "—"


def _segments_table(
    data: ChartData, labels: Mapping[str, str], lang: str
) -> tuple[tuple[tuple[str, ...], ...], tuple[str, ...]]:
    """A chart of named and unnamed countries as a table: per bar its label, the distinct
    countries named and those counted without names (``unnamed_cell``); with its heads."""
    rows = []
    for point in data.points:
        named = format_figure(point.value, lang, point.qualifier)
        rows.append(
            (
                typeset(labels.get(point.key, point.key), lang),
                typeset(named, lang),
                unnamed_cell(data, point.key, lang),
            )
        )
    return tuple(rows), (typeset(labels[NAMED], lang), typeset(labels[UNNAMED], lang))


def _chart_notes(
    spec: chart_queries.ChartSpec, data: ChartData | None, lang: str, year: int
) -> tuple[tuple[str, ...], int]:
    """The lines under a chart's caption and which of them says where the figures come
    from (the line HTML links to its sources entry): under a map what its shading means;
    under a chart that adds countries counted without names, how its two segments count;
    under a chart of cumulative totals (``cumulative: true``), that they are; then the source,
    in words a delegate reads, with the chart's reporting period; under a map the United
    Nations disclaimer."""
    said = words(lang)
    cumulative = bool(spec.params.get("cumulative"))
    source = said["chart_source_cumulative" if cumulative else "chart_source_records"]
    window = spec.window
    if window is not None and window.start is not None and window.end is not None:
        start, end = _shown_period(spec, data, window.start, window.end)
        source = source.format(start=un_date(start, lang), end=un_date(end, lang))
    else:  # no period: the records alone
        source = source.split("(" if lang != "zh" else "（")[0].rstrip() + (
            "。" if lang == "zh" else "."
        )
    lines = [source]
    if data is not None and data.counted:
        lines = [said["chart_counted_countries"], source]
    if cumulative:
        lines = [said["chart_cumulative"].format(year=year), *lines]
    if spec.kind == "map":
        lines = [said["map_shading"], source, said["map_disclaimer"]]
    return tuple(typeset(line, lang) for line in lines), lines.index(source)


def _shown_period(
    spec: chart_queries.ChartSpec, data: ChartData | None, start: date, end: date
) -> tuple[date, date]:
    """The period a chart's source line names: its reporting window, narrowed for a chart
    by year to the years it shows (one bar for 2020 says 2020, not the five years and a
    half it looked through)."""
    if spec.params.get("group_by") != "year" or data is None or not data.points:
        return start, end
    years = sorted(int(p.key) for p in data.points)
    return max(start, date(years[0], 1, 1)), min(end, date(years[-1], 12, 31))


def _axis(text: Mapping[str, Any], data: ChartData | None, lang: str) -> str:
    """A chart's value axis: the unit's words from ``units.yaml`` (as the text prints
    them), or the template's title for a count ("countries")."""
    unit_words = report_units.axis_label(data.unit, lang) if data is not None else None
    return typeset(unit_words or str(text.get("axis", "")), lang)
