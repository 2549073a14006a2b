"""Adding a total's breakdown by sex in one step: the women, men and others it counts,
each a new draft result with the total's project, indicator, unit, kind, period,
milestone, country, entity, source and evidence (its text and its current files).

Entered one by one, each part meant the new-result form again, with the indicator,
period, country and source typed again (three forms where a spreadsheet takes one row).
Here the parts are given as numbers only and added together in one transaction: all of
them or none. A part whose sex already has a result beside the total is refused, naming
it: that one is changed, not doubled; so are parts that, with those beside the total
already, add up to more than it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pydantic
from sqlalchemy import select
from sqlalchemy.orm import Session

from greenfolio.domain import breakdown
from greenfolio.domain.errors import ValidationError
from greenfolio.domain.permissions import Principal
from greenfolio.domain.results import Qualifier, Sex
from greenfolio.services import access, audit, breakdowns, explorer, reference, results
from greenfolio.services.database import Database
from greenfolio.store.tables import EvidenceFileRow, ResultRow, WorkRow

SEXES = breakdown.SEXES
"""The parts, in the order the forms list them."""


def _values(values: Mapping[str, Any]) -> dict[str, float]:
    """The parts given (an empty field is no part), each a plain number, zero or more."""
    unknown = sorted(set(values) - set(SEXES))
    if unknown:
        raise ValidationError(
            f"unknown part {unknown[0]!r}: give female, male or other",
            message_id="breakdown_part_unknown",
            params={"part": unknown[0]},
        )
    out: dict[str, float] = {}
    for sex in SEXES:
        raw = values.get(sex)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        try:
            value = pydantic.TypeAdapter(results.Value).validate_python(raw)
        except pydantic.ValidationError:
            raise ValidationError(
                f"{sex}: {str(raw)!r} is not a number",
                message_id="breakdown_not_number",
                params={"sex": sex, "given": str(raw)},
                field=sex,
            ) from None
        if value < 0 or value != value:
            raise ValidationError(
                f"{sex}: a count is zero or more, not {raw}",
                message_id="breakdown_negative",
                params={"sex": sex},
                field=sex,
            )
        out[sex] = value
    if not out:
        raise ValidationError(
            "give at least one part of the total: women, men or others",
            message_id="breakdown_none",
        )
    return out


def _share_evidence(
    session: Session, principal: Principal, total: ResultRow, parts: list[int]
) -> None:
    """The total's current evidence files, each listed on every part too (the same file in
    the store, by its hash): a reviewer of a part has the attendance list behind it."""
    files = session.scalars(
        select(EvidenceFileRow)
        .where(EvidenceFileRow.result_id == total.id, EvidenceFileRow.state == "current")
        .order_by(EvidenceFileRow.id)
    ).all()
    for part in parts:
        for f in files:
            session.add(
                EvidenceFileRow(
                    result_id=part,
                    sha256=f.sha256,
                    size=f.size,
                    kind=f.kind,
                    media_type=f.media_type,
                    filename=f.filename,
                    uploaded_by=principal.actor,
                    note=f.note,
                )
            )


def add_breakdown(
    db: Database, principal: Principal, total_id: int, values: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Service call: the parts by sex of result ``total_id`` (``values``: sex → number),
    each a new draft result like the total; all added, or none."""
    access.need_signed_in(principal)
    parts = _values(values)
    with audit.acting_as(principal.actor), db.transaction() as session:
        # locked: two requests adding the same part at once are taken one after the other,
        # so the second finds the first's part beside the total and is refused
        total = session.get(ResultRow, total_id, with_for_update=True)
        if total is None:
            raise access.missing_result(total_id)
        access.readable_result(session, principal, total, access.missing_result(total_id))
        access.require_new_result(session, principal, total.work_id, total.country)
        if total.sex is not None:
            raise ValidationError(
                f"result {total_id} counts one part ({total.sex}); a breakdown is added to "
                "the total",
                message_id="breakdown_of_part",
                params={"result": total_id, "sex": total.sex},
            )
        indicator = reference.indicator(session, total.indicator_code)
        if "sex" not in {d.value for d in indicator.disaggregations}:
            raise ValidationError(
                f"indicator {total.indicator_code} is not counted by sex",
                message_id="breakdown_not_by_sex",
                params={"indicator": total.indicator_code},
            )
        # the parts already beside it, as its page lists them (same identity)
        beside = next(
            (p for p in breakdowns.parts_of(session, principal, total) if p["sex"] in parts), None
        )
        if beside is not None:
            raise ValidationError(
                f"{beside['sex']}: result {beside['id']} counts it already beside this total; "
                "change that one",
                message_id="breakdown_exists",
                params={"sex": beside["sex"], "result": beside["id"]},
                field=beside["sex"],
            )
        work = session.get(WorkRow, total.work_id)
        assert work is not None  # a result's project is never removed before it
        made = []
        for sex, value in parts.items():
            spec = results.ResultSpec(
                work=work.key,
                indicator=total.indicator_code,
                value=value,
                unit=total.unit,
                kind=total.kind,
                qualifier=Qualifier.EXACT,
                period_start=total.period_start,
                period_end=total.period_end,
                milestone=total.milestone,
                country=total.country,
                sex=Sex(sex),
                entity=total.entity,
                evidence=total.evidence,
                citation=total.citation,
            )
            made.append(explorer.result_dict(results.add(session, spec), work.key))
        _share_evidence(session, principal, total, [m["id"] for m in made])
        session.flush()
        # parts that add up to more than the total are refused here, where they are typed
        # (stored, they would only be warned of, and the total could not be verified)
        new = {m["id"] for m in made}
        over = [
            e
            for e in breakdowns.around(session, principal, [total]).get(total.id, [])
            if new & set(e["ids"])
        ]
        if over:
            raise ValidationError(
                f"the parts add up to {over[0]['parts_sum']:g}, more than the total of "
                f"{over[0]['total']['value']:g}: correct them (or the total) and add them again",
                message_id="breakdown_over_total",
                params={"value": over[0]["parts_sum"], "upper": over[0]["total"]["value"]},
            )
        return made
