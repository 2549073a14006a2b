"""Service: import results from a filled-in Greenfolio XLSX template.

Every cell of every row is checked before anything is written: known work item and
indicator, a number, a unit of the indicator's kind, dates in order, an ISO country,
a sex only where the indicator is broken down by sex. Headings and the dropdown columns
(indicator, unit, kind, qualifier, country, sex) may be given by their codes or by the
words the template offers, in any of the six languages (``xlsx_template`` says how a word
is read back); a word is then checked as its code would be. A project is given by its key
or by the words its template's Project dropdown offers for it (``xlsx_offer``). Each
problem names sheet, row and column and says how to fix it; if there is any, nothing is
written (each row read by ``xlsx_rows``). Otherwise all rows are stored in one transaction and
submitted for review. A row
identical to one an earlier import of a template already stored is skipped, so
re-importing is safe.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from greenfolio.domain.exchange import Problem, RefusedError, Severity, Summary
from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.services import audit, breakdowns, entry, reference
from greenfolio.services import results as result_service
from greenfolio.services.database import Database
from greenfolio.services.exchange import (
    file_kind,
    xlsx_matches,
    xlsx_projects,
    xlsx_rows,
    xlsx_sheets,
)
from greenfolio.services.exchange import xlsx_template as template
from greenfolio.services.exchange.cells import SheetReader, iter_rows, open_workbook, read_rows
from greenfolio.services.exchange.xlsx_template import HEADERS, LISTS_SHEET, MARKER
from greenfolio.store.tables import IndicatorRow, ResultRow, WorkRow

ORIGIN = "xlsx"

Progress = Callable[[int, int | None, str], None]
"""Told (rows done, rows in all if known, the stage: "reading", "checking", "storing")."""
"""Called with (rows done, rows in all, if known) while the sheet is read, then checked."""


def import_results(
    db: Database,
    path: Path,
    progress: Progress | None = None,
    also_count: bool = False,
    submit: bool = True,
) -> Summary:
    """Service call: check the whole template, then store all its rows or none. A row
    that would stand beside a result under review or verified (both counting) is added
    only with ``also_count``, the explicit yes the import page asks for too; without it
    the file is refused, each such row named. ``submit`` False keeps the results drafts."""
    summary = Summary(files=[str(path)])
    try:
        checked = read_checked(db, path, progress)
    except RefusedError as refused:
        summary.problems = refused.problems
        summary.refused_files = 1
        return summary
    with db.transaction() as session:
        matches = xlsx_matches.match(session, checked.specs)
        summary.problems = overlaps(checked, matches)
        if summary.problems and not also_count:
            summary.problems.append(
                Problem(
                    f"{len(summary.problems)} row(s) would stand beside results already under "
                    "review or verified, and both would count: give --also-count if both "
                    "should, or have a reviewer return those results and import the file "
                    "again to correct them; nothing from this file is kept",
                    sheet=checked.results_sheet,
                )
            )
            summary.refused_files = 1
            return summary
        summary.problems += repeats(checked, matches)
        summary.problems += _breakdown_warnings(session, checked, matches)
        summary.updated += xlsx_projects.apply(session, checked.updates)
        summary.created, revised, summary.skipped = store_results(
            session, checked.specs, matches, f"xlsx import {path.name}", progress, submit
        )
        summary.updated += revised
    return summary


def _breakdown_warnings(
    session: Session, checked: Checked, matches: list[xlsx_matches.Match]
) -> list[Problem]:
    """The totals the file's women and men would add up to more than, as warnings (the
    page shows them above its preview): said, never refused."""
    works = dict(
        session.execute(
            select(WorkRow.key, WorkRow.id).where(WorkRow.key.in_({s.work for s in checked.specs}))
        ).all()
    )
    new_rows = [
        (checked.rows[i], works[spec.work], spec)
        for i, (spec, m) in enumerate(zip(checked.specs, matches, strict=True))
        if m.outcome in (xlsx_matches.NEW, xlsx_matches.OVERLAPS) and spec.work in works
    ]
    found = []
    for excess in breakdowns.with_file_rows(session, None, new_rows):
        total = excess["total"]
        where = f"row {-total['id']}" if total["id"] < 0 else f"result {total['id']}"
        rows = ", ".join(str(-p["id"]) for p in excess["parts"] if p["id"] < 0)
        found.append(
            Problem(
                f"the breakdown by sex in row(s) {rows} adds up to {excess['parts_sum']:g}, "
                f"more than the total of {total['value']:g} ({where}): check the figures",
                severity=Severity.WARNING,
                sheet=checked.results_sheet,
                row=-max(p["id"] for p in excess["parts"] if p["id"] < 0) if rows else None,
            )
        )
    for group in breakdowns.untotalled(session, None, new_rows):
        found.append(
            Problem(
                f"row(s) {', '.join(map(str, group))} give women or men of a figure that has "
                "no total, in the file or stored: figures count totals, so these reach none; "
                "add a row without sex giving the total (it may be more than the parts)",
                severity=Severity.WARNING,
                sheet=checked.results_sheet,
                row=group[0],
            )
        )
    return found


def overlaps(checked: Checked, matches: list[xlsx_matches.Match]) -> list[Problem]:
    """Warnings for the new rows beside stored results of the same identity."""
    return [
        xlsx_matches.overlap(checked.results_sheet, checked.rows[i], m, checked.value_column)
        for i, m in enumerate(matches)
        if m.outcome == xlsx_matches.OVERLAPS
    ]


def repeats(checked: Checked, matches: list[xlsx_matches.Match]) -> list[Problem]:
    """Warnings for the rows that repeat an earlier row of the file (imported once) or
    stand beside one with another value (both count)."""
    sheet, rows, column = checked.results_sheet, checked.rows, checked.value_column
    found = []
    for i, m in enumerate(matches):
        for first, said in ((m.repeats, "cell_row_repeated"), (m.alongside, "cell_row_alongside")):
            if first is not None:
                found.append(xlsx_matches.earlier_row(sheet, rows[i], rows[first], column, said))
    return found


def store_results(
    session: Session,
    specs: list[result_service.ResultSpec],
    matches: list[xlsx_matches.Match],
    submitted_by: str | None = None,
    progress: Progress | None = None,
    submit: bool = True,
) -> tuple[int, int, int]:
    """Store the checked rows (in the caller's transaction) as ``matches`` says and
    submit each new or revised one for review, as ``submitted_by`` (default:
    the current actor); with ``submit`` False they stay drafts (their evidence files are
    attached before they go to a reviewer, which a submitted result no longer takes).
    Returns (created, revised, skipped). Dates, sectors and partners (the Projects
    sheet) go first, by the caller."""
    actor = submitted_by or audit.current_actor()
    created = revised = skipped = 0
    for done, (spec, found) in enumerate(zip(specs, matches, strict=True), start=1):
        if progress is not None and done % 100 == 0:
            progress(done, len(specs), "storing")
        if found.outcome == xlsx_matches.UNCHANGED:
            skipped += 1
            continue
        if found.outcome == xlsx_matches.REVISES:
            row = session.get(ResultRow, found.results[0])
            assert row is not None and row.version == found.version
            indicator = reference.indicator(session, spec.indicator)
            # what the row says; an empty cell (and what the template has no column for,
            # such as a milestone) leaves the stored field as it is
            given = {k: v for k, v in spec.model_dump().items() if v is not None}
            entry.revise_row(session, row, given, actor, indicator.unit)
            revised += 1
        else:  # new, or new beside others of its identity (warned of)
            row = result_service.add(session, spec)
            row.origin = ORIGIN
            created += 1
        if submit:
            result_service.review(session, row.id, "submit", actor=submitted_by)
    if progress is not None:
        progress(len(specs), len(specs), "storing")
    return created, revised, skipped


@dataclass(frozen=True)
class Checked:
    """A template read and checked: what it would store, and where each part was found."""

    specs: list[result_service.ResultSpec]
    updates: list[xlsx_projects.ProjectUpdate]
    rows: list[int]
    """The row number of each of ``specs``."""
    results_sheet: str
    projects_sheet: str
    """The sheets' names as the file writes them (a template is written in its reader's
    language)."""
    value_column: str = "value"
    """The Value column as messages name it ("C (Value)")."""


def read_checked(
    db: Database,
    path: Path,
    progress: Progress | None = None,
    visible: ColumnElement[bool] | None = None,
) -> Checked:
    """Every row of the template checked against the stored records: the results, the
    project changes and each result's row number; or ``RefusedError`` listing every
    problem by sheet, row and column. With ``visible`` (``access.visible_works`` of the
    uploader) a project outside it is refused as an unknown one, and a "did you mean"
    hint names only projects within it."""
    workbook = open_workbook(path)
    try:
        names = workbook.sheetnames
        allowed: set[str] | None = None
        listed: dict[str, dict[str, str]] = {}
        lang = "en"
        stated: str | None = None  # the language the template says it was written in
        prefilled = False
        if LISTS_SHEET in names:
            table = read_rows(workbook[LISTS_SHEET], path.name)
            marker: tuple[Any, ...] = table[0] if table else ()
            if len(marker) >= 3 and marker[0] == MARKER and marker[2]:
                allowed = {c for c in str(marker[2]).split(",") if c}
                listed = _listed(table)
                if len(marker) >= 4 and marker[3] in UN_LANGUAGES:
                    lang = stated = str(marker[3])
                prefilled = len(marker) >= 5 and bool(marker[4])
        results_sheet = xlsx_sheets.find_sheet(names, xlsx_sheets.RESULTS)
        if results_sheet is None and file_kind.is_mlf_progress_report(workbook, path.name):
            raise RefusedError(
                [
                    Problem(
                        "this is a Multilateral Fund progress report, not a Greenfolio "
                        "results template: use `greenfolio import mlf-apr`",
                        file=path.name,
                        message_id="import_is_mlf_apr",
                    )
                ]
            )
        if results_sheet is None:
            raise RefusedError(
                [
                    Problem(
                        "no sheet named 'Results' (or its name in another of the six "
                        "languages); use a Greenfolio template",
                        file=path.name,
                        message_id="import_no_results_sheet",
                    )
                ]
            )
        rows = iter_rows(
            workbook[results_sheet],
            path.name,
            progress=(lambda done, total: progress(done, total, "reading")) if progress else None,
        )
        header = next(rows, None) or ()
        headers, labels, missing = xlsx_sheets.find_columns(
            tuple(header), HEADERS, template.headings
        )
        if missing:
            raise RefusedError(
                [
                    Problem(
                        f"no column headed {template.heading(k, lang)!r}; do not rename or "
                        "delete columns",
                        file=path.name,
                        sheet=results_sheet,
                        row=1,
                        message_id="import_no_column",
                        params=(("column", template.heading(k, lang)),),
                    )
                    for k in missing
                ]
            )
        # A template for one project has it in its rows: a row with nothing else is empty.
        skip = headers["work"] if prefilled else None
        data = [
            (n, r)
            for n, r in enumerate(rows, start=2)
            if any(v is not None for i, v in enumerate(r) if i != skip)
        ]
        projects_sheet, projects, project_columns, project_labels = xlsx_projects.read_sheet(
            workbook, path.name, lang
        )
    finally:
        workbook.close()
    projects_sheet = projects_sheet or xlsx_sheets.sheet_name(xlsx_sheets.PROJECTS, lang)
    with db.transaction() as session:
        # A project the uploader may not read is not known to them: refused as unknown,
        # never checked against its stored fields (whose problems would tell them).
        query = select(WorkRow.id, WorkRow.key)
        works = {
            key: wid
            for wid, key in session.execute(query if visible is None else query.where(visible))
        }
    hints = sorted(works)
    updates, project_problems = xlsx_projects.check_sheet(
        db, path.name, projects_sheet, projects, (project_columns, project_labels), hints
    )
    cells = SheetReader(path.name, results_sheet, headers, labels, stated)
    with db.transaction() as session:
        # Every indicator, not only those typed by code: a cell may name one in words.
        codes = list(session.scalars(select(IndicatorRow.code))) if data else []
        indicators = reference.indicators(session, codes)  # one query for them all
    words = xlsx_rows.Words(indicators, listed, lang)
    specs: list[result_service.ResultSpec] = []
    spec_rows: list[int] = []
    for done, (n, row) in enumerate(data, start=1):
        cells.at(n, row)
        spec = xlsx_rows.check_row(cells, works, words, allowed, hints)
        if spec is not None:
            specs.append(spec)
            spec_rows.append(n)
        if progress is not None and done % 100 == 0:
            progress(done, len(data), "checking")
    if progress is not None:
        progress(len(data), len(data), "checking")
    if cells.problems or project_problems:
        raise RefusedError(project_problems + cells.problems)
    if not specs and not updates:
        raise RefusedError(
            [
                Problem(
                    "the Results and Projects sheets have no rows to import",
                    file=path.name,
                    sheet=results_sheet,
                    message_id="import_empty",
                )
            ]
        )
    return Checked(specs, updates, spec_rows, results_sheet, projects_sheet, cells.column("value"))


def _listed(table: list[tuple[Any, ...]]) -> dict[str, dict[str, str]]:
    """The words of a template's own Lists sheet by column: for each dropdown column,
    its words (compared as ``xlsx_template.normal`` does) to their codes, and under
    ``<key>:shown`` the words as written (how a refusal lists the choices)."""
    if len(table) < 2:
        return {}
    heads = [str(h or "") for h in table[1]]
    found: dict[str, dict[str, str]] = {}
    for index, key in enumerate(heads):
        if key not in template.LIST_KEYS or heads[index + 1 : index + 2] != [f"{key}_code"]:
            continue
        pairs = [
            (str(row[index]), str(row[index + 1]))
            for row in table[2:]
            if len(row) > index + 1 and row[index] is not None and row[index + 1] is not None
        ]
        found[key] = {template.normal(text): code for text, code in pairs}
        found[f"{key}:shown"] = dict(pairs)
    return found
