"""Record results and move them through review (draft → submitted → returned/verified)."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError
from sqlalchemy import select, union
from sqlalchemy.orm import Session

from greenfolio.domain.countries import check_country
from greenfolio.domain.errors import NotFoundError, ValidationError
from greenfolio.domain.indicators import Disaggregation, Indicator
from greenfolio.domain.permissions import PermissionDenied
from greenfolio.domain.results import (
    Milestone,
    Qualifier,
    ReviewState,
    Sex,
    ValueKind,
    actual_not_begun,
    next_state,
    raise_all,
    result_problems,
)
from greenfolio.domain.text import CheckedText, check_text, readable
from greenfolio.domain.units import canonical_unit
from greenfolio.services import audit, notify, reference
from greenfolio.services.database import Database
from greenfolio.services.portfolio import work_by_key
from greenfolio.store.tables import (
    EvidenceFileRow,
    IndicatorRow,
    MethodRunRow,
    ResultRevisionRow,
    ResultRow,
    ReviewEventRow,
    WorkRow,
)

PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
"""A number as a form or a file's typed cell sends it (the point as decimal sign)."""


def _plain_number(value: Any) -> Any:
    """A value sent as text is a plain decimal number: Python's own reading would take
    "1_000" as 1000 and "nan" as a number."""
    if isinstance(value, bool) or (
        isinstance(value, str) and not PLAIN_NUMBER.fullmatch(value.strip())
    ):  # JSON true is no count of 1
        raise PydanticCustomError("float_parsing", "value is not a number")
    return value


Value = Annotated[float, BeforeValidator(_plain_number)]
"""A result's value: a number, or a text that is plainly one."""
UnitCode = Annotated[str, AfterValidator(canonical_unit)]
"""A unit, stored by the code the pages and lists name it by ("tonnes" is "t")."""


class ResultSpec(CheckedText):
    """A result as written in a data file or given on the command line."""

    model_config = ConfigDict(extra="forbid")
    multiline_fields = frozenset({"evidence", "citation", "note"})
    work: str
    indicator: str
    value: Value
    unit: UnitCode | None = None
    kind: ValueKind = ValueKind.ACTUAL
    qualifier: Qualifier = Qualifier.EXACT
    period_start: date | None = None
    period_end: date | None = None
    milestone: Milestone | None = None
    country: str | None = None
    sex: Sex | None = None
    entity: str | None = None
    evidence: str | None = None
    citation: str | None = None
    note: str | None = Field(default=None, description="why the value is recorded this way")


class PartialResult(ResultSpec):
    """The fields of a result a form could read when others did not (a value that is not
    a number): checked against the indicator so the form shows those problems too."""

    work: str = ""
    value: Value | None = None  # type: ignore[assignment]


def problems(session: Session, spec: ResultSpec | PartialResult) -> list[ValidationError]:
    """Every rule ``spec`` breaks against its indicator, each naming its field, so that a
    form or a sheet shows all of them at once: an unknown country never hides a negative
    value or a reversed period. A field left out of a ``PartialResult`` is not checked."""
    return _problems(reference.indicator(session, spec.indicator), spec)


def _problems(ind: Indicator, spec: ResultSpec | PartialResult) -> list[ValidationError]:
    found = result_problems(
        ind.code,
        spec.value,
        spec.unit or ind.unit,
        ind.unit,
        spec.period_start,
        spec.period_end,
        spec.kind,
    )
    if spec.country:
        try:
            check_country(spec.country)
        except ValidationError as exc:
            found.append(exc)
    if spec.sex is not None and Disaggregation.SEX not in ind.disaggregations:
        found.append(
            ValidationError(f"indicator {ind.code!r} is not disaggregated by sex", field="sex")
        )
    return found


def add(session: Session, spec: ResultSpec) -> ResultRow:
    """Check a result against its indicator (every broken rule at once) and store it as a
    draft."""
    ind = reference.indicator(session, spec.indicator)
    raise_all(_problems(ind, spec))
    work = work_by_key(session, spec.work)
    # checked above with every other rule; here only written as the store keeps it
    country = check_country(spec.country) if spec.country else None
    row = ResultRow(
        work_id=work.id,
        indicator_code=ind.code,
        value=spec.value,
        unit=spec.unit or ind.unit,
        qualifier=spec.qualifier.value,
        kind=spec.kind.value,
        period_start=spec.period_start,
        period_end=spec.period_end,
        milestone=spec.milestone.value if spec.milestone else None,
        country=country,
        sex=spec.sex.value if spec.sex else None,
        entity=spec.entity,
        evidence=spec.evidence,
        citation=spec.citation,
        review_state=ReviewState.DRAFT.value,
        review_note=spec.note,
        entered_by=audit.current_actor(),
    )
    session.add(row)
    session.flush()
    return row


class SeparationOfDuties(PermissionDenied):
    """Someone tried to verify a figure they entered, submitted, revised or documented."""


def _shown(actor: str) -> str:
    return actor.removeprefix("user:")


def changed_by(session: Session, result_ids: Collection[int]) -> dict[int, set[str]]:
    """Everyone who changed each result after it was entered: each revision's author,
    whoever had its value recomputed from a method run, and whoever added, replaced or
    withdrew one of its evidence files; and, as ``run:<actor>``, whoever ran a method run
    its value came from (now or in an earlier version): choosing a calculation's inputs
    makes the figure as much as typing it. Read for many results at once (a review list
    asks for all its rows in one go)."""
    out: dict[int, set[str]] = {rid: set() for rid in result_ids}
    if not out:
        return out
    for rid, actor in session.execute(
        select(ResultRevisionRow.result_id, ResultRevisionRow.actor).where(
            ResultRevisionRow.result_id.in_(out)
        )
    ):
        if actor:
            out[rid].add(actor)
    for rid, actor in session.execute(
        select(ReviewEventRow.result_id, ReviewEventRow.actor).where(
            ReviewEventRow.result_id.in_(out), ReviewEventRow.action == "recompute"
        )
    ):
        if actor:
            out[rid].add(actor)
    for rid, uploaded, ended in session.execute(
        select(
            EvidenceFileRow.result_id, EvidenceFileRow.uploaded_by, EvidenceFileRow.ended_by
        ).where(EvidenceFileRow.result_id.in_(out))
    ):
        out[rid] |= {"evidence:" + a for a in (uploaded, ended) if a}
    runs = select(ResultRow.id, ResultRow.method_run_id).where(ResultRow.id.in_(out))
    earlier = select(
        ResultRevisionRow.result_id, ResultRevisionRow.data["method_run_id"].as_integer()
    ).where(ResultRevisionRow.result_id.in_(out))
    fed = union(runs, earlier).subquery()
    for rid, actor in session.execute(
        select(fed.c[0], MethodRunRow.actor).join(MethodRunRow, MethodRunRow.id == fed.c[1])
    ):
        if actor:
            out[rid].add("run:" + actor)
    return out


def check_separation(row: ResultRow, action: str, actor: str, changed: set[str]) -> None:
    """The rule of separation of duties: nobody verifies a result they entered, submitted,
    revised or recomputed (at any time, not only last), whose evidence they added,
    replaced or withdrew, or whose value came from a method run they ran (``changed``,
    from ``changed_by``): otherwise two people taking
    turns could each make a change and then verify the other's. Returning one's own result is
    allowed: it only takes the figure out of the way to a report (back to its authors
    for a fix), it never makes it count."""
    if action != "verify":
        return
    deeds = [
        (what, deed)
        for what, deed, did in (
            ("entered", "entered", row.entered_by == actor),
            ("submitted", "submitted", row.submitted_by == actor),
            ("revised", "revised", row.revised_by == actor or actor in changed),
            ("added or changed evidence for", "evidence", "evidence:" + actor in changed),
            ("computed", "computed", "run:" + actor in changed),
        )
        if did
    ]
    if deeds:
        did = " and ".join(what for what, _ in deeds)
        raise SeparationOfDuties(
            f"result {row.id} cannot be verified by {_shown(actor)}, who {did} it: "
            "someone else must verify it (whoever enters or changes a figure does not "
            "check it)",
            message_id="separation",
            params={"result": row.id, "deeds": [deed for _, deed in deeds]},
        )


def missing(result_id: int) -> NotFoundError:
    """The refusal of a result id that names no stored result."""
    return NotFoundError(
        f"no result with id {result_id}",
        message_id="result_missing",
        params={"result": result_id},
    )


def review(
    session: Session, result_id: int, action: str, note: str | None = None, actor: str | None = None
) -> ResultRow:
    """Apply a review action; returning a result requires a reason, and verifying one
    needs someone other than its authors (``actor`` defaults to the current actor)."""
    if note is not None:
        check_text(note, "the note", multiline=True)
    row = session.get(ResultRow, result_id)
    if row is None:
        raise missing(result_id)
    if action == "return" and not readable(note):
        raise ValidationError(
            f"returning result {result_id} needs a reason, for its author to read "
            "(--reason on the command line)",
            message_id="return_reason",
            params={"result": result_id},
            field="note",
        )
    actor = actor or audit.current_actor()
    before = ReviewState(row.review_state)
    after = next_state(before, action, result_id)
    if action == "verify":
        check_separation(row, action, actor, changed_by(session, [row.id])[row.id])
    if action in ("submit", "verify"):
        # stored before the rule, or entered some other way: still not sent on for review
        early = actual_not_begun(row.indicator_code, row.kind, row.period_start, row.period_end)
        if early is not None:
            raise early
    row.review_state = after.value
    row.version += 1
    if action == "submit":
        row.submitted_by = actor
    if note:
        row.review_note = note
    session.add(
        ReviewEventRow(
            result_id=row.id,
            action=action,
            from_state=before.value,
            to_state=after.value,
            note=note,
            actor=actor,
        )
    )
    notify.review(session, row, action, actor, note)
    return row


def record(db: Database, spec: ResultSpec) -> int:
    """Service call: store one draft result; returns its id."""
    with db.transaction() as session:
        return add(session, spec).id


def apply_review(
    db: Database, ids: Sequence[int], action: str, note: str | None = None, actor: str | None = None
) -> list[dict[str, Any]]:
    """Service call: apply one review action to several results, all or none (as
    ``actor``, by default whoever runs the process: ``cli:<user>`` from the command line)."""
    with db.transaction() as session:
        return [as_dict(review(session, i, action, note, actor)) for i in ids]


def as_dict(row: ResultRow, work_key: str | None = None) -> dict[str, Any]:
    """A result as plain data, for JSON output and the API."""
    return {
        "id": row.id,
        "work": work_key,
        "indicator": row.indicator_code,
        "value": row.value,
        "unit": row.unit,
        "qualifier": row.qualifier,
        "kind": row.kind,
        "period_start": row.period_start.isoformat() if row.period_start else None,
        "period_end": row.period_end.isoformat() if row.period_end else None,
        "milestone": row.milestone,
        "country": row.country,
        "sex": row.sex,
        "entity": row.entity,
        "evidence": row.evidence,
        "citation": row.citation,
        "review_state": row.review_state,
        "review_note": row.review_note,
        "method_run_id": row.method_run_id,
        "output_key": row.output_key,
        "version": row.version,
    }


def listing(
    db: Database,
    indicator: str | None = None,
    state: ReviewState | None = None,
    work: str | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Service call: results filtered by indicator, review state and work item."""
    with db.transaction() as session:
        query = select(ResultRow, WorkRow.key).join(WorkRow, WorkRow.id == ResultRow.work_id)
        if indicator:
            query = query.where(ResultRow.indicator_code == indicator)
        if state:
            query = query.where(ResultRow.review_state == state.value)
        if work:
            query = query.where(WorkRow.key == work)
        query = query.order_by(ResultRow.id).limit(limit)
        rows = [as_dict(row, key) for row, key in session.execute(query)]
        codes = {r["indicator"] for r in rows}
        names: dict[str, dict[str, str]] = dict(
            session.execute(
                select(IndicatorRow.code, IndicatorRow.names).where(IndicatorRow.code.in_(codes))
            ).all()
        )
        for r in rows:  # an imported indicator's code says nothing: its title does
            found = names.get(r["indicator"]) or {}
            r["indicator_name"] = found.get("en") or next(iter(found.values()), None)
        return rows
