# cython: language_level=3
"""Results, indicators, baselines and periods for the compiled IATI reader:
``iati_results`` in C, giving up wherever it would report something."""

from lxml.includes.tree cimport xmlNode

from greenfolio.services.exchange.iati_native_values cimport (
    Reading,
    _date_of,
    _first,
    _get,
    _is,
    _narratives,
    _stripped,
)

from greenfolio.domain.iati import IatiIndicator, IatiResult, Observation
from greenfolio.domain.results import FIRST_YEAR, LAST_YEAR, ValueKind
from greenfolio.services.exchange import codelists
from greenfolio.services.exchange.iati_native_values import GiveUp
from greenfolio.services.exchange.iati_values import read_boolean, whole_number

cdef object GIVE_UP = GiveUp()
cdef object INF = float("inf")
cdef object NINF = float("-inf")
cdef object BASELINE = ValueKind.BASELINE
cdef object TARGET = ValueKind.TARGET
cdef object ACTUAL = ValueKind.ACTUAL
cdef frozenset RESULT_TYPES = codelists.codes("ResultType")
cdef frozenset MEASURES = codelists.codes("IndicatorMeasure")
cdef frozenset INDICATOR_VOCABULARIES = codelists.codes("IndicatorVocabulary")


cdef object _observed(xmlNode* node):
    raw = _get(node, b"value")
    if raw is None or not raw.strip():
        return None
    try:
        value = float(raw)
    except ValueError:
        raise GIVE_UP
    if value != value or value == INF or value == NINF or value < 0:
        raise GIVE_UP
    return value


cdef list _dimensions(xmlNode* node):
    cdef list out = []
    cdef xmlNode* child = node.children
    while child is not NULL:
        if _is(child, b"dimension"):
            out.append((_stripped(child, b"name"), _stripped(child, b"value")))
        child = child.next
    return out


cdef void _baseline(Reading ctx, xmlNode* node, object indicator) except *:
    value = _observed(node)
    year_raw = _stripped(node, b"year")
    year = whole_number(year_raw)
    if value is None:
        return
    day = _date_of(_get(node, b"iso-date"))
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        raise GIVE_UP
    if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise GIVE_UP
    indicator.observations.append(
        Observation(
            BASELINE,
            value,
            None,
            day,
            year or (day.year if day else None),
            _dimensions(node),
            _narratives(ctx, _first(node, b"comment")),
        )
    )


cdef void _period(Reading ctx, xmlNode* node, object indicator) except *:
    start = end = None
    cdef xmlNode* child = node.children
    while child is not NULL:
        if _is(child, b"period-start"):
            start = _date_of(_get(child, b"iso-date"))
        elif _is(child, b"period-end"):
            end = _date_of(_get(child, b"iso-date"))
        child = child.next
    if start is None or end is None or start > end:
        raise GIVE_UP
    if not (FIRST_YEAR <= start.year <= LAST_YEAR and FIRST_YEAR <= end.year <= LAST_YEAR):
        raise GIVE_UP
    observations = indicator.observations
    child = node.children
    while child is not NULL:
        if _is(child, b"target"):
            kind = TARGET
        elif _is(child, b"actual"):
            kind = ACTUAL
        else:
            child = child.next
            continue
        value = _observed(child)
        if value is not None:
            observations.append(
                Observation(
                    kind,
                    value,
                    start,
                    end,
                    None,
                    _dimensions(child),
                    _narratives(ctx, _first(child, b"comment")),
                )
            )
        child = child.next


cdef object _indicator(Reading ctx, xmlNode* node):
    measure = _stripped(node, b"measure")
    if measure not in MEASURES:
        raise GIVE_UP
    indicator = IatiIndicator(
        measure[:8],
        {},
        {},
        read_boolean(_get(node, b"ascending")),
        read_boolean(_get(node, b"aggregation-status")),
    )
    cdef xmlNode* child = node.children
    while child is not NULL:
        if _is(child, b"title"):
            indicator.title = _narratives(ctx, child)
        elif _is(child, b"description"):
            indicator.description = _narratives(ctx, child)
        elif _is(child, b"reference"):
            vocabulary = _stripped(child, b"vocabulary")
            if vocabulary not in INDICATOR_VOCABULARIES:
                raise GIVE_UP
            indicator.references.append(
                (
                    vocabulary,
                    _stripped(child, b"code"),
                    _stripped(child, b"indicator-uri") or None,
                )
            )
        elif _is(child, b"baseline"):
            _baseline(ctx, child, indicator)
        elif _is(child, b"period"):
            _period(ctx, child, indicator)
        child = child.next
    return indicator


cdef void read_result(Reading ctx, xmlNode* node, object act) except *:
    kind = _stripped(node, b"type")
    if kind not in RESULT_TYPES:
        raise GIVE_UP
    result = IatiResult(kind[:8], {}, {}, read_boolean(_get(node, b"aggregation-status")))
    indicators = result.indicators
    cdef xmlNode* child = node.children
    while child is not NULL:
        if _is(child, b"title"):
            result.title = _narratives(ctx, child)
        elif _is(child, b"description"):
            result.description = _narratives(ctx, child)
        elif _is(child, b"indicator"):
            indicators.append(_indicator(ctx, child))
        child = child.next
    if not indicators:
        raise GIVE_UP
    act.results.append(result)
