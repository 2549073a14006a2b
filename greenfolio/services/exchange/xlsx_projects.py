"""The Projects sheet of the XLSX template: what IATI needs of a work item beyond its
results (activity dates, OECD DAC sectors, participating organisations by role).

One row per registered work item. A filled cell replaces that part of the record; an
empty cell leaves it as it is. Dates are written as the source states them (a year, a
month or a day; see ``domain.activity_dates``); organisations by their Greenfolio keys,
separated by spaces, in the column of their role. Every cell is checked with the rest of
the workbook, and nothing is written unless all of it is valid.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import pydantic
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from greenfolio.domain import activity_dates, org_names
from greenfolio.domain.activity_dates import DateType
from greenfolio.domain.exchange import Problem, RefusedError
from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.domain.text import folded, unambiguous
from greenfolio.domain.work import OrgRole
from greenfolio.refdata.catalogue import catalogue
from greenfolio.services import portfolio
from greenfolio.services.database import Database
from greenfolio.services.exchange import codelists, xlsx_sheets
from greenfolio.services.exchange.cells import SheetReader, iter_rows
from greenfolio.store.tables import OrganisationRow, WorkRow

ROLE_COLUMNS = [OrgRole.FUNDING, OrgRole.ACCOUNTABLE, OrgRole.EXTENDING, OrgRole.IMPLEMENTING]

# (key, header, width, help)
COLUMNS: list[tuple[str, str, int, str]] = [
    ("work", "work", 28, "key of a registered work item, e.g. idb49-biochar"),
    *[
        (
            f"date_{d.value}",
            d.value.replace("_", " "),
            13,
            f"IATI {d.value.replace('_', ' ')} date, as the source states it: a year (2021), "
            "a month (2021-03) or a day (2021-03-15)",
        )
        for d in DateType
    ],
    ("sectors", "sectors", 18, "OECD DAC 5-digit sector codes, separated by spaces"),
    *[
        (
            f"org_{r.value}",
            f"{r.value} organisations",
            22,
            f"keys of the {r.value} organisations (IATI role), separated by spaces; "
            "replaces those of this role",
        )
        for r in ROLE_COLUMNS
    ],
]
HEADERS = {key: header for key, header, _, _ in COLUMNS}
"""The legacy English headings, still accepted on import."""

HEADING_WORDS = {
    "work": "project",
    **{f"date_{d.value}": d.value for d in DateType},
    "sectors": "sectors_dac",
    **{f"org_{r.value}": f"xlsx_orgs_{r.value}" for r in ROLE_COLUMNS},
}
"""The catalogue key of each column's heading (the project form's words where it has them)."""


def heading(key: str, lang: str) -> str:
    """The heading of column ``key`` in ``lang``; English keeps the headings templates
    have always had."""
    if lang == "en":
        return HEADERS[key]
    return catalogue(lang).get(HEADING_WORDS[key]) or HEADERS[key]


def headings(key: str) -> set[str]:
    """Every heading the import accepts for column ``key``."""
    return {HEADERS[key], *(heading(key, lang) for lang in UN_LANGUAGES)}


def write_sheet(book: Workbook, lang: str) -> None:
    """Add the empty Projects sheet, with its headings in ``lang``, to a template."""
    sheet = book.create_sheet(xlsx_sheets.sheet_name(xlsx_sheets.PROJECTS, lang), 1)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="E2EFDA")
    for col, (key, _header, width, _help) in enumerate(COLUMNS, start=1):
        text = heading(key, lang)
        cell = sheet.cell(row=1, column=col, value=text)
        cell.font, cell.fill = bold, fill
        sheet.column_dimensions[get_column_letter(col)].width = max(width, len(text) + 3)
    sheet.freeze_panes = "A2"


def read_sheet(
    workbook: Any, file: str, lang: str
) -> tuple[str | None, list[tuple[int, tuple[Any, ...]]], dict[str, int], dict[str, str]]:
    """The Projects sheet of a workbook, if it has one (in any language): its name as the
    file writes it, its filled rows, where its columns are and their headings as written.
    ``lang``: the template's language, in which a missing column is named."""
    name = xlsx_sheets.find_sheet(workbook.sheetnames, xlsx_sheets.PROJECTS)
    if name is None:
        return None, [], {}, {}
    rows = iter_rows(workbook[name], file)
    header = next(rows, None) or ()
    found, labels, _missing = xlsx_sheets.find_columns(tuple(header), HEADERS, headings)
    data = [(n, r) for n, r in enumerate(rows, start=2) if any(v is not None for v in r)]
    if data and "work" not in found:
        raise RefusedError(
            [
                Problem(
                    f"no column headed {heading('work', lang)!r}; do not rename or delete columns",
                    file=file,
                    sheet=name,
                    row=1,
                    message_id="import_no_column",
                    params=(("column", heading("work", lang)),),
                )
            ]
        )
    return name, data, found, labels


def check_sheet(
    db: Database,
    file: str,
    sheet: str,
    data: list[tuple[int, tuple[Any, ...]]],
    columns: tuple[dict[str, int], dict[str, str]],
    hints: list[str],
) -> tuple[list[ProjectUpdate], list[Problem]]:
    """Each row of the Projects sheet checked, then each changed record as a whole;
    ``columns``: where each column is and its heading as written; ``hints``: the
    projects the uploader knows (all of them, sorted, for the CLI)."""
    if not data:
        return [], []
    cells = SheetReader(file, sheet, *columns)
    with db.transaction() as session:
        works = set(hints)
        orgs = _organisation_words(session)
        updates = []
        seen: dict[str, int] = {}
        for n, row in data:
            cells.at(n, row)
            update = check_row(cells, works, orgs, hints)
            if update is None:
                continue
            if update.work in seen:
                cells.problem(
                    "work",
                    f"{update.work!r} is on row {seen[update.work]} too; keep one",
                    message_id="cell_work_twice",
                    project=update.work,
                    other=seen[update.work],
                )
                continue
            seen[update.work] = n
            updates.append(update)
        if not cells.problems:
            check_whole(session, cells, updates)
    return updates, cells.problems


@dataclass(slots=True)
class ProjectUpdate:
    """What one row changes of a work item."""

    row: int
    work: str
    dates: dict[DateType, str] = field(default_factory=dict)
    sectors: list[str] | None = None
    organisations: dict[OrgRole, list[str]] = field(default_factory=dict)


def _stated(value: Any) -> str:
    """A cell as a stated date: Excel dates as days, numbers (2021) as years."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


_PARTS = re.compile(r"[;,\n\uff0c\uff1b\u3001\u060c\u061b]+")
"""What separates names in a cell: names hold spaces, so keys and codes alone are split
at spaces too."""


def _organisation_words(session: Session) -> dict[str, str]:
    """Organisation keys, and their names in any language as people type them (``folded``),
    to their keys; a name two organisations share is left out."""
    rows = session.execute(select(OrganisationRow.key, OrganisationRow.names)).all()
    listed = org_names.table()  # the names the UN or the organisation uses, by language

    def said(key: str, names: dict[str, str] | None) -> list[str]:
        entry = listed.get(key) or {}
        given = (entry.get("given") or {}).get("name")
        return [
            *(names or {}).values(),
            *(entry.get("names") or {}).values(),
            *(entry.get("abbr") or {}).values(),
            *([given] if given else []),
        ]

    named = unambiguous(
        (text, str(key)) for key, names in rows for text in said(str(key), names) if text
    )
    return {**named, **{str(key): str(key) for key, _ in rows}}


@lru_cache(maxsize=1)
def _sector_words() -> dict[str, str]:
    """DAC sector codes, and their names in the codelist's languages (``folded``)."""
    found = codelists.names("Sector")
    named = unambiguous((text, code) for code, said in found.items() for text in said.values())
    return {**named, **{code: code for code in found}}


def _read_list(text: str, words: dict[str, str]) -> tuple[list[str], list[str]]:
    """The codes a cell names, by code or by name: (found, not understood). Parts are
    separated by commas, semicolons or lines; a part that is no name is read as codes
    separated by spaces ("41020 23210")."""
    found: list[str] = []
    unknown: list[str] = []
    for part in _PARTS.split(text):
        part = part.strip()
        if not part:
            continue
        named = words.get(part) or words.get(folded(part))
        tokens = part.split()
        if named is not None:
            found.append(named)
        elif all(t in words for t in tokens):
            found += [words[t] for t in tokens]
        else:  # said whole: "Глобальный экологический фонд", not three unknown keys
            unknown.append(part)
    return list(dict.fromkeys(found)), list(dict.fromkeys(unknown))


def check_row(
    cells: SheetReader, works: set[str], orgs: dict[str, str], hints: list[str]
) -> ProjectUpdate | None:
    """The row's changes, each cell checked; None (with problems noted) if any is wrong.
    ``hints``: the projects a "did you mean" may name (those the uploader may see)."""
    before = len(cells.problems)
    work = cells.text("work", required=True)
    if work is not None and work not in works:
        near = difflib.get_close_matches(work, hints, n=2)
        hint = f" (did you mean {', '.join(near)}?)" if near else ""
        cells.problem(
            "work",
            f"{work!r} is not a registered work item{hint}; "
            "register it first (the web application's /projects/new page, POST "
            "/api/v1/projects or an IATI import); `greenfolio work list` lists the keys",
            message_id="cell_work",
            project=work,
        )
    update = ProjectUpdate(cells.row_number, work or "")
    for kind in DateType:
        raw = cells.raw(f"date_{kind.value}")
        if raw is None:
            continue
        stated = _stated(raw)
        try:
            activity_dates.parse(kind, stated)
        except ValueError as exc:
            cells.problem(
                f"date_{kind.value}", str(exc), message_id="cell_activity_date", value=stated
            )
            continue
        update.dates[kind] = stated
    sectors = cells.text("sectors")
    if sectors is not None:
        codes, unknown = _read_list(sectors, _sector_words())
        if unknown:
            cells.problem(
                "sectors",
                f"{', '.join(unknown)}: not OECD DAC sector codes; give 5-digit codes from "
                "the IATI Sector codelist, e.g. 41020, or their names as the codelist "
                "writes them (English or French), separated by semicolons",
                message_id="cell_sectors",
                codes=", ".join(unknown),
            )
        update.sectors = codes
    for role in ROLE_COLUMNS:
        text = cells.text(f"org_{role.value}")
        if text is None:
            continue
        keys, unknown = _read_list(text, orgs)
        if unknown:
            cells.problem(
                f"org_{role.value}",
                f"{', '.join(unknown)}: no organisation has this name or key; give "
                "organisations by name (as the project page names them) or key, separated "
                "by semicolons; an organisation new to Greenfolio comes in with the IATI "
                "file of a project it takes part in",
                message_id="cell_orgs",
                keys=", ".join(unknown),
            )
        update.organisations[role] = keys
    return update if len(cells.problems) == before else None


def check_whole(session: Session, cells: SheetReader, updates: list[ProjectUpdate]) -> None:
    """Check each changed record as a whole (e.g. a start after the end), noting problems."""
    for update in updates:
        row = session.scalar(select(WorkRow).where(WorkRow.key == update.work))
        if row is None:
            continue
        cells.at(update.row, cells.row)
        try:
            project_spec(session, row, update)
        except pydantic.ValidationError as exc:
            for error in exc.errors():
                where = ".".join(str(p) for p in error["loc"]) or "work"
                cells.problem(
                    "work",
                    f"after this row's changes: {error['msg']}",
                    message_id="cell_project_whole",
                    field=where,
                )


def project_spec(session: Session, row: WorkRow, update: ProjectUpdate) -> portfolio.WorkSpec:
    fields = portfolio.stored_spec(session, row)
    if update.dates:
        kept = [d for d in fields["dates"] if DateType(d["type"]) not in update.dates]
        fields["dates"] = kept + [
            {"type": kind.value, "when": when} for kind, when in update.dates.items()
        ]
    if update.sectors is not None:
        fields["sectors"] = update.sectors
    if update.organisations:
        roles = {r.value for r in update.organisations}
        fields["organisations"] = [o for o in fields["organisations"] if o["role"] not in roles]
        for role, keys in update.organisations.items():
            fields["organisations"] += [{"org": k, "role": role.value} for k in keys]
    return portfolio.WorkSpec.model_validate(fields)


def apply(session: Session, updates: list[ProjectUpdate]) -> int:
    """Store the checked changes (in the caller's transaction); how many records changed
    (a row that gives what is stored changes nothing)."""
    changed = 0
    for update in updates:
        row = session.scalar(select(WorkRow).where(WorkRow.key == update.work))
        assert row is not None  # checked
        version = row.version
        portfolio.upsert_work(session, project_spec(session, row, update))
        changed += row.version != version
    return changed
