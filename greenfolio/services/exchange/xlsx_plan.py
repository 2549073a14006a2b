"""A filled-in XLSX template imported from the web: first a preview of what it would
change, then, on confirmation, all of it or nothing.

The preview reads and checks the file exactly as the command line's import does
(``xlsx_import.read_checked``), then sorts each row against the stored records: a result
row is new, or unchanged when an earlier template import stored the same row (it is
skipped); a Projects row changes its project or leaves it as it is. The uploader's roles
are checked against each project as stored: entering and submitting a result needs
editing and submitting on its project (and country), changing a project needs editing it
as stored and as changed. A row the uploader may not write is an error of that row; so is
an unchanged row of a project they may not read, refused in the same words as a new one,
so that "unchanged" never confirms a record (a draft figure, a project's dates) the
uploader could not open.

The plan has a digest (SHA-256 of every row's outcome). Applying reads the file again,
plans again inside the writing transaction and writes only if the digest is the one the
uploader saw, so what is applied is what was previewed, even if someone changed the
stored records in between (then nothing is written and the uploader previews again).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from greenfolio.domain.errors import GreenfolioError, ValidationError
from greenfolio.domain.exchange import Problem, RefusedError
from greenfolio.domain.permissions import Action, Principal, allowed
from greenfolio.services import access, audit, breakdowns, portfolio
from greenfolio.services import results as result_service
from greenfolio.services.database import Database
from greenfolio.services.exchange import xlsx_import, xlsx_matches, xlsx_projects, xlsx_sheets
from greenfolio.store.tables import ResultRow, WorkRow

NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"


@dataclass(frozen=True)
class PlannedRow:
    """One row of the file and what applying it would do."""

    sheet: str
    """The sheet's name as the file writes it."""
    part: str
    """Which sheet it is: ``xlsx_sheets.RESULTS`` or ``xlsx_sheets.PROJECTS``."""
    row: int
    project: str
    outcome: str
    """``new``, ``changed`` or ``unchanged``."""
    detail: dict[str, Any]


@dataclass
class Plan:
    """What the file would change, or the problems that keep it from being applied."""

    rows: list[PlannedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    breakdown: list[dict[str, Any]] = field(default_factory=list)
    """Totals that the file's women and men would add up to more than
    (``services.breakdowns.with_file_rows``): a warning, which does not stop the import."""
    untotalled: list[list[int]] = field(default_factory=list)
    """Rows that give women or men of a figure with no total in the file or stored, by
    figure (``services.breakdowns.untotalled``): figures count totals, so they reach none."""
    matches: list[xlsx_matches.Match] = field(default_factory=list)
    """What each result row is to the stored results (``xlsx_matches``): what applying
    the plan stores, read once."""

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    @property
    def digest(self) -> str:
        data = [[r.sheet, r.part, r.row, r.project, r.outcome, r.detail] for r in self.rows]
        text = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()


class PreviewOutdated(ValidationError):
    """The stored records changed between the preview and the confirmation."""


def _denied(sheet: str, row: int, exc: GreenfolioError) -> Problem:
    return Problem(
        str(exc),
        sheet=sheet,
        row=row,
        column="work",
        message_id=exc.message_id,
        params=tuple(exc.params.items()),
    )


def _result_detail(spec: result_service.ResultSpec) -> dict[str, Any]:
    return {
        "indicator": spec.indicator,
        "value": spec.value,
        "unit": spec.unit,
        "qualifier": spec.qualifier.value,
        "period_start": spec.period_start.isoformat() if spec.period_start else None,
        "period_end": spec.period_end.isoformat() if spec.period_end else None,
        "country": spec.country,
        "sex": spec.sex.value if spec.sex else None,
        "kind": spec.kind.value,
    }


def _plan(
    session: Session,
    principal: Principal,
    checked: xlsx_import.Checked,
) -> Plan:
    plan = Plan()
    works = {key: wid for wid, key in session.execute(select(WorkRow.id, WorkRow.key))}
    stored = access.StoredProjects()

    def readable(work_id: int, country: str | None) -> bool:
        target = access.with_country(stored.get(session, work_id).read_target(), country)
        return allowed(principal, Action.READ, target)

    specs, updates = checked.specs, checked.updates
    for update in updates:
        work = session.scalar(select(WorkRow).where(WorkRow.key == update.work))
        assert work is not None  # checked by read_checked
        before = portfolio.WorkSpec.model_validate(portfolio.stored_spec(session, work))
        after = xlsx_projects.project_spec(session, work, update)
        changed = before.model_dump(mode="json") != after.model_dump(mode="json")
        if changed or not readable(work.id, None):
            try:
                access.require_project_write(session, principal, work, after)
            except GreenfolioError as exc:
                plan.problems.append(_denied(checked.projects_sheet, update.row, exc))
                continue
        detail = {
            "dates": {k.value: v for k, v in update.dates.items()},
            "sectors": update.sectors,
            "organisations": {k.value: v for k, v in update.organisations.items()},
        }
        outcome = CHANGED if changed else UNCHANGED
        plan.rows.append(
            PlannedRow(
                checked.projects_sheet,
                xlsx_sheets.PROJECTS,
                update.row,
                update.work,
                outcome,
                detail,
            )
        )
    matches = plan.matches = xlsx_matches.match(session, specs)
    new_rows: list[tuple[int, int, result_service.ResultSpec]] = []
    for index, (spec, found) in enumerate(zip(specs, matches, strict=True)):
        row = checked.rows[index]
        work_id = works[spec.work]
        try:
            if found.outcome == xlsx_matches.REVISES:
                stored_row = session.get(ResultRow, found.results[0])
                assert stored_row is not None
                for action in (Action.EDIT, Action.SUBMIT):
                    access.require_result_write(
                        session, principal, action, work_id, stored_row.country, spec.country
                    )
            elif found.outcome != xlsx_matches.UNCHANGED or not readable(work_id, spec.country):
                access.require_new_result(session, principal, work_id, spec.country)
                access.require_result_write(
                    session, principal, Action.SUBMIT, work_id, None, spec.country, new=True
                )
        except GreenfolioError as exc:
            plan.problems.append(_denied(checked.results_sheet, row, exc))
            continue
        said = _result_detail(spec)
        if found.outcome == xlsx_matches.OVERLAPS:
            said["overlaps"] = list(found.results)
        if found.repeats is not None:
            said["repeats"] = checked.rows[found.repeats]
        if found.alongside is not None:
            said["alongside"] = checked.rows[found.alongside]
        outcome = {
            xlsx_matches.NEW: NEW,
            xlsx_matches.OVERLAPS: NEW,
            xlsx_matches.UNCHANGED: UNCHANGED,
            xlsx_matches.REVISES: CHANGED,
        }[found.outcome]
        if found.outcome == xlsx_matches.REVISES and found.before is not None:
            said["revises"] = found.results[0]
            said["before"] = {"value": found.before[0], "unit": found.before[1]}
            said["version"] = found.version
        plan.rows.append(
            PlannedRow(checked.results_sheet, xlsx_sheets.RESULTS, row, spec.work, outcome, said)
        )
        if outcome == NEW:  # an unchanged row is stored already: compared as stored
            new_rows.append((row, works[spec.work], spec))
    plan.breakdown = breakdowns.with_file_rows(session, principal, new_rows)
    plan.untotalled = breakdowns.untotalled(session, principal, new_rows)
    return plan


def _read(db: Database, principal: Principal, path: Path) -> xlsx_import.Checked:
    visible = access.visible_works(principal.visibility())
    return xlsx_import.read_checked(db, path, visible=visible)


def preview(db: Database, principal: Principal, path: Path) -> Plan:
    """Service call: what importing ``path`` would change, for ``principal``; nothing is
    written."""
    try:
        checked = _read(db, principal, path)
    except RefusedError as refused:
        return Plan(problems=list(refused.problems))
    with db.transaction() as session:
        return _plan(session, principal, checked)


def apply(
    db: Database,
    principal: Principal,
    path: Path,
    digest: str,
    also_count: bool = False,
    submit: bool = True,
) -> Plan:
    """Service call: import ``path`` as ``principal`` if it still plans to ``digest`` (the
    preview the uploader confirmed): all its rows in one transaction, or nothing. A row
    that would stand beside a result under review or verified (both counting) is added
    only with ``also_count``, the uploader's explicit yes: one click had added a second
    result where a correction was meant (a programme officer's review). ``submit``: send
    the results to review (else they stay drafts, for their evidence files)."""
    checked = _read(db, principal, path)
    with audit.acting_as(principal.actor), db.transaction() as session:
        plan = _plan(session, principal, checked)
        if plan.problems:
            raise RefusedError(plan.problems)
        if plan.digest != digest:
            raise PreviewOutdated(
                "the stored records changed since the preview; preview the file again",
                message_id="import_outdated",
            )
        beside = [r.row for r in plan.rows if r.detail.get("overlaps")]
        if beside and not also_count:
            raise ValidationError(
                f"{len(beside)} row(s) would be added beside results already under review "
                "or verified, and both would count: confirm that both should count, or have "
                "a reviewer return those results and import the file again to correct them",
                message_id="import_overlaps_unconfirmed",
                params={"count": len(beside)},
            )
        changed = {
            r.project for r in plan.rows if r.part == xlsx_sheets.PROJECTS and r.outcome == CHANGED
        }
        xlsx_projects.apply(session, [u for u in checked.updates if u.work in changed])
        xlsx_import.store_results(session, checked.specs, plan.matches, submit=submit)
    return plan
