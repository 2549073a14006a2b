"""Service: export the portfolio, or a filtered part of it, as IATI 2.03 activity XML.

The file is written in a stream (a batch of records read, then one activity's text at
a time, from ``iati_write``) to a temporary name and moved into place only when
complete, so a failed export never leaves half a file. Where the schema requires
something the record lacks, the export says what it did in the summary.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from greenfolio.domain.errors import GreenfolioError, UnitMismatchError
from greenfolio.domain.exchange import Problem, Severity, group_problems
from greenfolio.domain.iati import (
    IatiIndicator,
    IatiResult,
    Observation,
    OrgRef,
    own_reference,
    qualifier_comment,
)
from greenfolio.domain.results import ReviewState, ValueKind
from greenfolio.domain.units import convert
from greenfolio.domain.work import OrgRole, WorkKind, WorkStatus
from greenfolio.services.collector import relaxed_gc
from greenfolio.services.database import Database
from greenfolio.services.exchange.iati_load import iter_work_ids, load_activities
from greenfolio.services.exchange.iati_write import ActivityWriter, Unwritable
from greenfolio.services.report_units import unit_of_measure
from greenfolio.store.tables import (
    IatiIndicatorRow,
    IndicatorRow,
    OrganisationRow,
    ResultRow,
    WorkCountryRow,
    WorkOrgRow,
    WorkRow,
)

IATI_VERSION = "2.03"


@dataclass(slots=True)
class ExportFilter:
    """Which work items to export; empty fields do not filter."""

    countries: list[str] = field(default_factory=list)
    status: WorkStatus | None = None
    reporting_org: str | None = None
    prefix: str | list[str] | None = None
    """Keys starting with this (or with any of these)."""
    kinds: list[WorkKind] = field(default_factory=lambda: [WorkKind.PROJECT, WorkKind.PROGRAMME])
    verified_only: bool = True
    """Publish verified results only (the default); False adds submitted ones."""


@dataclass(slots=True)
class ExportSummary:
    exported: int = 0
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)
    path: str = ""
    other_kinds: dict[str, int] = field(default_factory=dict)
    """Work items the other filters select but of kinds not asked for (publications,
    events …), by kind: not exported, and not counted as left out."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.path,
            "exported": self.exported,
            "skipped": self.skipped,
            "other_kinds": self.other_kinds,
            "errors": [p.as_dict() for p in self.problems if p.severity is Severity.ERROR],
            "warnings": [p.as_dict() for p in self.problems if p.severity is Severity.WARNING],
        }


def _query(filt: ExportFilter, kinds: list[WorkKind] | None = None) -> Any:
    """The ids of the work items ``filt`` selects (of ``kinds``, by default its own)."""
    chosen = filt.kinds if kinds is None else kinds
    query = select(WorkRow.id).where(WorkRow.kind.in_([k.value for k in chosen]))
    if filt.status is not None:
        query = query.where(WorkRow.status == filt.status.value)
    if filt.prefix:
        prefixes = [filt.prefix] if isinstance(filt.prefix, str) else filt.prefix
        query = query.where(or_(*(WorkRow.key.startswith(p, autoescape=True) for p in prefixes)))
    if filt.countries:
        query = query.where(
            exists().where(
                and_(
                    WorkCountryRow.work_id == WorkRow.id, WorkCountryRow.country.in_(filt.countries)
                )
            )
        )
    if filt.reporting_org:
        query = query.where(
            exists().where(
                and_(
                    WorkOrgRow.work_id == WorkRow.id,
                    WorkOrgRow.role == OrgRole.REPORTING.value,
                    WorkOrgRow.org_id == OrganisationRow.id,
                    OrganisationRow.iati_ref == filt.reporting_org,
                )
            )
        )
    return query.order_by(WorkRow.key)


def _other_results(
    session: Session, ids: list[int], states: list[str]
) -> dict[int, list[IatiResult]]:
    """Results recorded in Greenfolio (not from IATI), one IATI result per indicator."""
    rows = session.execute(
        select(ResultRow, IndicatorRow)
        .join(IndicatorRow, IndicatorRow.code == ResultRow.indicator_code)
        .where(
            ResultRow.work_id.in_(ids),
            ResultRow.review_state.in_(states),
            ~exists().where(IatiIndicatorRow.indicator_code == ResultRow.indicator_code),
        )
        .order_by(ResultRow.work_id, ResultRow.indicator_code, ResultRow.id)
    ).all()
    grouped: dict[int, dict[str, IatiResult]] = defaultdict(dict)
    for row, ind in rows:
        results = grouped[row.work_id]
        result = results.get(ind.code)
        if result is None:
            title = dict(ind.names or {})
            said = {lang: unit_of_measure(ind.unit, lang) for lang in title}
            result = IatiResult(
                type="1",
                title=title,
                indicators=[
                    IatiIndicator(
                        measure="1",
                        title=title,
                        description={lang: text for lang, text in said.items() if text},
                        references=[own_reference(ind.code)],
                    )
                ],
            )
            results[ind.code] = result
        try:
            value = convert(row.value, row.unit, ind.unit)
        except UnitMismatchError:
            continue
        start = row.period_start or row.period_end
        end = row.period_end or row.period_start
        kind = ValueKind(row.kind)
        if kind is ValueKind.PLANNED:
            kind = ValueKind.TARGET
        dims = [
            (name, str(val))
            for name, val in (("country", row.country), ("sex", row.sex), ("entity", row.entity))
            if val
        ]
        # IATI values are plain numbers: a bound or an approximation is said in words.
        result.indicators[0].observations.append(
            Observation(
                kind=kind,
                value=value,
                period_start=start,
                period_end=end,
                year=end.year if kind is ValueKind.BASELINE and end else None,
                dimensions=dims,
                comment=qualifier_comment(row.qualifier, value),
            )
        )
    return {wid: list(found.values()) for wid, found in grouped.items()}


def _named(session: Session, publisher: OrgRef | None) -> OrgRef | None:
    """The reporting organisation given by its ref alone (``--reporting-org REF``) with
    the names of the organisation stored under that ref: it was written with an empty
    narrative though the store knew its name."""
    if publisher is None or publisher.names or not publisher.ref:
        return publisher
    names = session.scalar(
        select(OrganisationRow.names).where(OrganisationRow.iati_ref == publisher.ref).limit(1)
    )
    if not names:
        return publisher
    return OrgRef(ref=publisher.ref, type=publisher.type, names=dict(names))


def _unverified(session: Session, ids: list[int]) -> int:
    """Submitted results of these work items: what publishing verified results only
    leaves out (drafts and returned results are not ready to publish either way)."""
    return int(
        session.scalar(
            select(func.count()).where(
                ResultRow.work_id.in_(ids),
                ResultRow.review_state == ReviewState.SUBMITTED.value,
            )
        )
        or 0
    )


def export(
    db: Database,
    out: Path,
    filt: ExportFilter | None = None,
    publisher: OrgRef | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ExportSummary:
    """Service call: write the selected work items to ``out`` as IATI 2.03 XML."""
    filt = filt or ExportFilter()
    summary = ExportSummary(path=str(out))
    states = [ReviewState.VERIFIED.value]
    if not filt.verified_only:
        states.append(ReviewState.SUBMITTED.value)
    tmp = out.with_name(f".{out.name}.part")
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        with relaxed_gc(), db.transaction() as session:
            total = len(session.scalars(_query(filt)).all())
            rest = [k for k in WorkKind if k not in filt.kinds]
            if rest:
                others = _query(filt, rest).order_by(None).subquery()
                summary.other_kinds = {
                    str(k): int(n)
                    for k, n in session.execute(
                        select(WorkRow.kind, func.count())
                        .where(WorkRow.id.in_(select(others.c.id)))
                        .group_by(WorkRow.kind)
                        .order_by(WorkRow.kind)
                    )
                }
            publisher = _named(session, publisher)
            stamp = datetime.now(UTC).replace(microsecond=0).isoformat()
            with open(tmp, "wb") as xf:
                # What lxml's xmlfile wrote when it serialised element trees.
                xf.write(
                    b"<?xml version='1.0' encoding='utf-8'?>\n"
                    b'<iati-activities version="%s" generated-datetime="%s">\n'
                    % (IATI_VERSION.encode(), stamp.encode())
                )
                waiting = 0
                for ids in iter_work_ids(session, _query(filt)):
                    written_ids: list[int] = []
                    others = _other_results(session, ids, states)
                    notes: dict[int, dict[str, str]] = {}
                    activities = load_activities(session, ids, states, notes)
                    for wid, act in zip(ids, activities, strict=True):
                        act.results = act.results + others.get(wid, [])
                        writer = ActivityWriter(act, publisher, notes.get(wid))
                        try:
                            written = writer.build()
                        except ValueError as exc:  # a value XML cannot carry
                            reason = (
                                str(exc)
                                if isinstance(exc, Unwritable)
                                else "a value holds characters XML cannot carry"
                            )
                            writer.note(reason, Severity.ERROR)
                            written = None
                        summary.problems.extend(writer.problems)
                        if written is None:
                            summary.skipped += 1
                            continue
                        xf.write(written.encode("utf-8"))
                        summary.exported += 1
                        written_ids.append(wid)
                    if filt.verified_only and written_ids:
                        waiting += _unverified(session, written_ids)
                    if progress is not None:
                        progress(summary.exported + summary.skipped, total)
                xf.write(b"</iati-activities>")
                if waiting:
                    summary.problems.append(
                        Problem(
                            f"{waiting} {'result' if waiting == 1 else 'results'} of the "
                            "exported activities wait for their review and are not "
                            "published: verify them, or export with --all-results to publish "
                            "submitted results too",
                            severity=Severity.WARNING,
                            file=out.name,
                        )
                    )
        if summary.exported == 0:
            raise GreenfolioError(
                "nothing to export: none of the work items the filters select could be "
                "written:" + "".join(f"\n  {g}" for g in group_problems(summary.problems)[:10])
                if summary.skipped
                else "nothing to export: no work item matches the filters"
            )
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()
    return summary
