"""Read the results of an IATI activity: results, indicators, baselines, periods, values.

Values that are not numbers (IATI allows any text) are reported and not recorded as
results, as are negative values; a result without an indicator is left out.
"""

from __future__ import annotations

from lxml import etree

from greenfolio.domain.iati import Activity, IatiIndicator, IatiResult, Narratives, Observation
from greenfolio.domain.results import FIRST_YEAR, LAST_YEAR, ValueKind
from greenfolio.domain.text import quoted
from greenfolio.services.exchange import codelists
from greenfolio.services.exchange.iati_values import (
    Context,
    narratives,
    read_boolean,
    read_date,
    whole_number,
)


def _dimensions(el: etree._Element) -> list[tuple[str, str]]:
    return [
        ((d.get("name") or "").strip(), (d.get("value") or "").strip())
        for d in el.iterchildren("dimension")
    ]


def _comment(ctx: Context, el: etree._Element) -> Narratives:
    comment = next(el.iterchildren("comment"), None)
    return narratives(ctx, comment) if comment is not None else {}


def _observed(ctx: Context, el: etree._Element, what: str) -> float | None:
    raw = el.get("value")
    if raw is None or not raw.strip():
        return None
    try:
        value = float(raw)
    except ValueError:
        ctx.warn(el, f"{what} value {quoted(raw)} is not a number; not recorded as a result")
        return None
    if value != value or value in (float("inf"), float("-inf")) or value < 0:
        ctx.warn(
            el, f"{what} value {quoted(raw)} is not a finite, non-negative number; not recorded"
        )
        return None
    return value


def _indicator(ctx: Context, el: etree._Element) -> IatiIndicator:
    measure = (el.get("measure") or "").strip()
    if not codelists.known("IndicatorMeasure", measure):
        ctx.warn(el, f"indicator measure {quoted(measure)} is not in the IndicatorMeasure codelist")
    ind = IatiIndicator(
        measure=measure[:8],
        ascending=read_boolean(el.get("ascending")),
        aggregation_status=read_boolean(el.get("aggregation-status")),
    )
    for child in el:
        tag = child.tag
        if tag == "title":
            ind.title = narratives(ctx, child)
        elif tag == "description":
            ind.description = narratives(ctx, child)
        elif tag == "reference":
            vocabulary = (child.get("vocabulary") or "").strip()
            if not codelists.known("IndicatorVocabulary", vocabulary):
                ctx.warn(child, f"indicator vocabulary {quoted(vocabulary)} is not in the codelist")
            ind.references.append(
                (
                    (child.get("vocabulary") or "").strip(),
                    (child.get("code") or "").strip(),
                    (child.get("indicator-uri") or "").strip() or None,
                )
            )
        elif tag == "baseline":
            _baseline(ctx, child, ind)
        elif tag == "period":
            _result_period(ctx, child, ind)
    return ind


def _in_years(year: int | None) -> bool:
    """Whether a stated year (None: none stated) lies in the years results may have."""
    return year is None or FIRST_YEAR <= year <= LAST_YEAR


def _baseline(ctx: Context, el: etree._Element, ind: IatiIndicator) -> None:
    value = _observed(ctx, el, "baseline")
    year_raw = (el.get("year") or "").strip()
    year = whole_number(year_raw)
    if value is None:
        return
    day = read_date(ctx, el, el.get("iso-date"), "baseline iso-date")
    if not _in_years(year) or not _in_years(day.year if day else None):
        ctx.warn(
            el,
            f"baseline year {year_raw or day} is not between the years {FIRST_YEAR} and "
            f"{LAST_YEAR}; left out (check the year)",
        )
        return
    ind.observations.append(
        Observation(
            kind=ValueKind.BASELINE,
            value=value,
            period_end=day,
            year=year or (day.year if day else None),
            dimensions=_dimensions(el),
            comment=_comment(ctx, el),
        )
    )


def _result_period(ctx: Context, el: etree._Element, ind: IatiIndicator) -> None:
    start = end = None
    for child in el:
        if child.tag == "period-start":
            start = read_date(ctx, child, child.get("iso-date"), "period-start iso-date")
        elif child.tag == "period-end":
            end = read_date(ctx, child, child.get("iso-date"), "period-end iso-date")
    if start is None or end is None:
        ctx.warn(el, "result period without period-start or period-end; left out")
        return
    if start > end:
        ctx.warn(el, f"result period starts ({start}) after it ends ({end}); left out")
        return
    if not _in_years(start.year) or not _in_years(end.year):
        ctx.warn(
            el,
            f"result period {start} to {end} is not between the years {FIRST_YEAR} and "
            f"{LAST_YEAR}; left out (check the year)",
        )
        return
    for child in el:
        tag = child.tag
        if tag not in ("target", "actual"):
            continue
        value = _observed(ctx, child, tag)
        if value is None:
            continue
        ind.observations.append(
            Observation(
                kind=ValueKind.TARGET if tag == "target" else ValueKind.ACTUAL,
                value=value,
                period_start=start,
                period_end=end,
                dimensions=_dimensions(child),
                comment=_comment(ctx, child),
            )
        )


def read_result(el: etree._Element, act: Activity, ctx: Context) -> None:
    kind = (el.get("type") or "").strip()
    if not codelists.known("ResultType", kind):
        ctx.warn(el, f"result type {quoted(kind)} is not in the ResultType codelist")
    aggregation = read_boolean(el.get("aggregation-status"))
    result = IatiResult(type=kind[:8], aggregation_status=aggregation)
    for child in el:
        tag = child.tag
        if tag == "title":
            result.title = narratives(ctx, child)
        elif tag == "description":
            result.description = narratives(ctx, child)
        elif tag == "indicator":
            result.indicators.append(_indicator(ctx, child))
    if not result.indicators:
        ctx.warn(el, "result without an indicator; left out")
        return
    act.results.append(result)
