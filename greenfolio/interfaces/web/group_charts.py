"""The dashboard's charts per focus area and convention, in the visitor's language.

Turns ``services.dashboard_charts`` data into, for each group, its title, an SVG of small
multiples (``svg.indicator_rows``) and the same figures as a table: years as the language
writes them (a part-year as its months, "Jan – Jun 2021"), values with their units in
words (``Translator.amount``), statuses and names translated, mirrored in Arabic. Drawn
once per state of the data and language.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

from babel.dates import format_interval

from greenfolio.interfaces.http import labels
from greenfolio.interfaces.web import svg
from greenfolio.interfaces.web.i18n import CLDR, Translator

_lock = threading.Lock()
_drawn: dict[tuple[int, str], tuple[Any, dict[str, Any]]] = {}


def period(window: dict[str, str | None], tr: Translator) -> str:
    """The report window as the language writes a span of days."""
    start, end = window.get("start"), window.get("end")
    if not start or not end:
        return ""
    return tr.period(start, end)


def slice_label(piece: dict[str, Any], tr: Translator) -> str:
    """A year of the window: the year, or for a part-year its months ("Jan – Jun 2021")."""
    if not piece["part"]:
        return str(
            format_interval(
                date.fromisoformat(piece["start"]),
                date.fromisoformat(piece["start"]),
                "y",
                locale=CLDR[tr.lang],
            )
        )
    return str(
        format_interval(
            date.fromisoformat(piece["start"]),
            date.fromisoformat(piece["end"]),
            "yMMM",
            locale=CLDR[tr.lang],
        )
    )


def group_title(chart: dict[str, Any], tr: Translator) -> str:
    name = tr.text(chart["names"])
    if chart["scheme"] == "focus_area" and chart["label"]:
        return tr("dash_focus_area", label=labels.list_letter(chart["label"], tr.lang), name=name)
    return name


def row_title(row: dict[str, Any], tr: Translator) -> str:
    name = tr.text(row["names"])
    if row["status"]:
        return tr(
            "dash_row_status", indicator=name, status=tr.label("milestone", row["status"]).lower()
        )
    return name


def _amount(row: dict[str, Any], key: str, tr: Translator) -> str:
    cell = row["values"].get(key)
    if not cell:
        return "—"
    return tr.amount(cell["value"], cell.get("qualifier") or "exact", row["unit"])


def draw(data: dict[str, Any], tr: Translator) -> dict[str, Any]:
    """Each chart of ``data`` in ``tr``'s language: title, SVG, table headings and rows."""
    key = (id(data), tr.lang)
    found = _drawn.get(key)
    if found is not None and found[0] is data:
        return found[1]
    span = period(data["window"], tr)
    heads = [(s["key"], slice_label(s, tr), s["part"]) for s in data["slices"]]
    out = []
    for chart in data["charts"]:
        title = group_title(chart, tr)
        rows = [
            {
                "indicator": row["indicator"],
                "status": row["status"],
                "title": row_title(row, tr),
                "cells": [_amount(row, k, tr) for k, _, _ in heads],
                "whole": _amount(row, "period", tr),
            }
            for row in chart["rows"]
        ]
        drawn = svg.indicator_rows(
            [
                svg.Row(
                    shown["title"],
                    [
                        svg.Bar(label, (row["values"].get(k) or {}).get("value"), text, part)
                        for (k, label, part), text in zip(heads, shown["cells"], strict=True)
                    ],
                )
                for row, shown in zip(chart["rows"], rows, strict=True)
            ],
            title,
            tr("dash_chart_desc", period=span),
            rtl=tr.dir == "rtl",
            colon=tr("colon"),
        )
        out.append({"key": chart["key"], "title": title, "svg": drawn, "rows": rows})
    result = {
        "year": data["year"],
        "years": data["years"],
        "period": span,
        "heads": [label for _, label, _ in heads],
        "charts": out,
    }
    with _lock:
        for old in [k for k, v in _drawn.items() if v[0] is not data]:
            del _drawn[old]
        _drawn[key] = (data, result)
    return result
