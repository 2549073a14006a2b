"""The rows an IATI activity becomes in the store, and the check that its values fit.

Kept apart from the writer (``iati_store``), which decides what is created, updated or
left out; these functions only shape an ``Activity`` into table rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pycountry

from greenfolio.domain.iati import (
    Activity,
    CodeShare,
    IatiIndicator,
    Money,
    comment_qualifier,
    indicator_code,
    own_indicator,
)
from greenfolio.domain.indicators import Aggregation, Disaggregation
from greenfolio.domain.results import ReviewState, Sex
from greenfolio.domain.run_citation import activity_citation
from greenfolio.services.audit import DETAIL_LIMIT
from greenfolio.services.exchange.iati_json import org_json
from greenfolio.store.tables import (
    IatiIndicatorRow,
    OrganisationRow,
    ResultRow,
    WorkFinanceRow,
    WorkRegionRow,
    WorkRow,
    WorkSectorRow,
)

_SEXES = {"female": Sex.FEMALE, "f": Sex.FEMALE, "male": Sex.MALE, "m": Sex.MALE}


def _limit(model: Any, column: str) -> int:
    length = model.__table__.c[column].type.length
    assert isinstance(length, int)
    return length


_LANGUAGE = _limit(WorkRow, "language")
_ORG_REF = _limit(OrganisationRow, "iati_ref")
_CODE = {"sector": _limit(WorkSectorRow, "code"), "region": _limit(WorkRegionRow, "code")}
_VOCABULARY = {
    "sector": _limit(WorkSectorRow, "vocabulary"),
    "region": _limit(WorkRegionRow, "vocabulary"),
}
_MONEY_TYPE = _limit(WorkFinanceRow, "type")
_MONEY_STATUS = _limit(WorkFinanceRow, "status")
_RESULT_TYPE = _limit(IatiIndicatorRow, "result_type")
_MEASURE = _limit(IatiIndicatorRow, "measure")


def too_long(act: Activity) -> tuple[str, int, int] | None:
    """The first value of ``act`` longer than its column (what, length, limit), or None.

    Only values taken from the file as written need this (codes read through a codelist
    or mapped to Greenfolio's terms are short by construction). SQLite would keep a
    longer value and PostgreSQL refuse the whole file; both now refuse the activity.
    Every activity of an import passes here: the lengths are compared first, and the
    description of a value is only made for one that is too long.
    """
    if act.language is not None and len(act.language) > _LANGUAGE:
        return "xml:lang of the activity", len(act.language), _LANGUAGE
    orgs = [p.org for p in act.participants]
    if act.reporting_org is not None:
        orgs.append(act.reporting_org)
    for org in orgs:
        if org.ref is not None and len(org.ref) > _ORG_REF:
            return "an organisation ref", len(org.ref), _ORG_REF
    for what, shares in (("sector", act.sectors), ("region", act.regions)):
        code_limit, vocabulary_limit = _CODE[what], _VOCABULARY[what]
        for share in shares:
            if len(share.code) > code_limit:
                return f"{what} code", len(share.code), code_limit
            if len(share.vocabulary) > vocabulary_limit:
                return f"{what} vocabulary", len(share.vocabulary), vocabulary_limit
    for m in act.money:
        if m.type is not None and len(m.type) > _MONEY_TYPE:
            return f"{m.kind} type", len(m.type), _MONEY_TYPE
        if m.status is not None and len(m.status) > _MONEY_STATUS:
            return f"{m.kind} status", len(m.status), _MONEY_STATUS
    for result in act.results:
        if result.type is not None and len(result.type) > _RESULT_TYPE:
            return "result type", len(result.type), _RESULT_TYPE
        for i in result.indicators:
            if i.measure is not None and len(i.measure) > _MEASURE:
                return "indicator measure", len(i.measure), _MEASURE
    return None


def chunks(items: list[Any], size: int = DETAIL_LIMIT) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def share_row(wid: int, share: CodeShare) -> dict[str, Any]:
    return {
        "work_id": wid,
        "vocabulary": share.vocabulary,
        "code": share.code,
        "percentage": share.percentage,
        "names": share.names or None,
    }


def money_row(wid: int, ordinal: int, m: Money) -> dict[str, Any]:
    return {
        "work_id": wid,
        "ordinal": ordinal,
        "kind": m.kind,
        "type": m.type,
        "status": m.status,
        "value": m.value,
        "currency": m.currency,
        "value_date": m.value_date,
        "period_start": m.period_start,
        "period_end": m.period_end,
        "transaction_date": m.date,
        "ref": m.ref,
        "description": m.description or None,
        "provider": org_json(m.provider),
        "receiver": org_json(m.receiver),
    }


def _sex(dimensions: list[tuple[str, str]]) -> str | None:
    for name, value in dimensions:
        if name.strip().lower() in ("sex", "gender"):
            sex = _SEXES.get(value.strip().lower())
            if sex is not None:
                return sex.value
    return None


def result_rows(
    act: Activity,
    wid: int,
    origin: str,
    indicators: list[dict[str, Any]],
    framework: list[dict[str, Any]],
    results: list[dict[str, Any]],
    actor: str | None = None,
    registered: Mapping[str, str] | None = None,
) -> None:
    """The indicators, results framework and results of ``act``; each result entered and
    submitted by ``actor``, who imports the file (so that they do not verify it).

    An indicator of Greenfolio's own (``own_indicator``) whose code is in ``registered``
    (registered code → its unit) gives results of that indicator, as an export wrote them:
    in its unit, with their country, entity and qualifier; no indicator of its own."""
    citation = activity_citation(act.identifier)
    submitted = ReviewState.SUBMITTED.value
    for r_no, result in enumerate(act.results, start=1):
        for i_no, ind in enumerate(result.indicators, start=1):
            own = own_indicator(ind)
            if own is not None and registered and own in registered:
                results += own_results(ind, own, registered[own], wid, origin, citation, actor)
                continue
            code = indicator_code(act.identifier, r_no, i_no)
            unit = ind.unit
            by_sex = any(_sex(o.dimensions) for o in ind.observations)
            sums = ind.measure == "1" and result.aggregation_status is not False
            indicators.append(
                {
                    "code": code,
                    "names": ind.title,
                    "unit": unit,
                    "aggregation": (Aggregation.SUM if sums else Aggregation.LATEST).value,
                    "disaggregations": [Disaggregation.SEX.value] if by_sex else [],
                    "gef_core_indicator": None,
                    "source": f"IATI activity {act.identifier}, result {r_no}, indicator {i_no}",
                }
            )
            framework.append(
                {
                    "indicator_code": code,
                    "work_id": wid,
                    "result_no": r_no,
                    "indicator_no": i_no,
                    "result_type": result.type,
                    "result_aggregation": result.aggregation_status,
                    "result_title": result.title,
                    "result_description": result.description or None,
                    "measure": ind.measure,
                    "ascending": ind.ascending,
                    "aggregation_status": ind.aggregation_status,
                    "description": ind.description or None,
                    "indicator_refs": [list(r) for r in ind.references] or None,
                }
            )
            for obs in ind.observations:
                details: dict[str, Any] = {}
                if obs.year is not None:
                    details["year"] = obs.year
                if obs.comment:
                    details["comment"] = obs.comment
                results.append(
                    {
                        "work_id": wid,
                        "indicator_code": code,
                        "value": obs.value,
                        "unit": unit,
                        "qualifier": "exact",
                        "kind": obs.kind.value,
                        "period_start": obs.period_start,
                        "period_end": obs.period_end,
                        "sex": _sex(obs.dimensions),
                        "citation": citation,
                        "review_state": submitted,
                        "entered_by": actor,
                        "submitted_by": actor,
                        "origin": origin,
                        "dimensions": [list(d) for d in obs.dimensions] or None,
                        "details": details or None,
                        "version": 1,
                    }
                )


def own_results(
    ind: IatiIndicator,
    code: str,
    unit: str,
    wid: int,
    origin: str,
    citation: str,
    actor: str | None,
) -> list[dict[str, Any]]:
    """The results of an indicator of Greenfolio's own, as ``iati_export`` wrote them: a
    value in the registered unit, its country, sex and entity as dimensions, a bound or an
    approximation in its English comment."""
    rows = []
    for obs in ind.observations:
        dims = dict((name.strip().lower(), value.strip()) for name, value in obs.dimensions)
        country = dims.get("country", "").upper()
        known = len(country) == 3 and pycountry.countries.get(alpha_3=country) is not None
        entity = dims.get("entity") or None
        rows.append(
            {
                "work_id": wid,
                "indicator_code": code,
                "value": obs.value,
                "unit": unit,
                "qualifier": comment_qualifier(obs.comment, obs.value) or "exact",
                "kind": obs.kind.value,
                "period_start": obs.period_start,
                "period_end": obs.period_end,
                "country": country if known else None,
                "sex": _sex(obs.dimensions),
                "entity": entity[: _limit(ResultRow, "entity")] if entity else None,
                "citation": citation,
                "review_state": ReviewState.SUBMITTED.value,
                "entered_by": actor,
                "submitted_by": actor,
                "origin": origin,
                "dimensions": [list(d) for d in obs.dimensions] or None,
                "details": {"comment": obs.comment} if obs.comment else None,
                "version": 1,
            }
        )
    return rows
