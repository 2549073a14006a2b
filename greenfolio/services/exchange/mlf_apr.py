"""Service: import a Multilateral Fund Annual Progress Report (APR) spreadsheet.

Each row is a project: it becomes a work item keyed by its MLF code (``mlf:`` + the
project or legacy code), with its country, implementing agency and the Fund as funder,
status and dates, funding approved and disbursed (US$), remarks, and results: the
tonnes to be phased out as targets and the tonnes phased out as actuals, each under an
indicator of the right unit (see ``greenfolio.domain.mlf``). Results are submitted for
review. The whole file is checked first; if any cell is wrong nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pycountry
from sqlalchemy.orm import Session

from greenfolio.domain.errors import NotFoundError
from greenfolio.domain.exchange import Problem, RefusedError, Severity, Summary
from greenfolio.domain.iati import (
    ACTUAL_END,
    ACTUAL_START,
    PLANNED_END,
    PLANNED_START,
    Activity,
    CodeShare,
    CountryShare,
    Money,
    OrgRef,
    Participant,
)
from greenfolio.domain.indicators import Aggregation, Disaggregation
from greenfolio.domain.mlf import (
    AGENCIES,
    CO2E_INDICATOR,
    CO2E_NAMES,
    CO2E_SOURCE,
    FUND_KEY,
    FUND_NAME,
    MLF_COUNTRIES,
    STATUSES,
    tonnes_indicator,
)
from greenfolio.domain.results import ReviewState, ValueKind
from greenfolio.domain.work import OrgRole
from greenfolio.services import audit
from greenfolio.services.database import Database
from greenfolio.services.exchange import xlsx_sheets
from greenfolio.services.exchange.cells import SheetReader, iter_rows, map_headers, open_workbook
from greenfolio.services.exchange.iati_store import ActivityWriter
from greenfolio.store.tables import IndicatorRow

ORIGIN = "mlf-apr"
KEY_PREFIX = "mlf:"
USD = "USD"

COLUMNS = {
    "meta_code": "Meta Code",
    "project_code": "Project Code",
    "legacy_code": "Legacy Code",
    "agency": "Agency",
    "cluster": "Cluster",
    "region": "Region",
    "country": "Country",
    "type": "Type",
    "sector": "Sector",
    "title": "Project Title",
    "approved": "Date Approved",
    "completion_proposal": "Date of Completion per Proposal",
    "status": "Status",
    "first_disbursement": "First Disbursement Date",
    "planned_completion": "Planned Date of Completion",
    "completed": "Date Completed (Actual)",
    "financial_completion": "Date of Financial Completion",
    "cons_target": "Consumption ODP/MT to be Phased Out per Proposal",
    "prod_target": "Production ODP/MT to be Phased Out per Proposal",
    "cons_co2_target": "Consumption to be Phased Out per Proposal in CO2-eq Tonnes",
    "prod_co2_target": "Production to be Phased Out per Proposal in CO2-eq Tonnes",
    "cons_actual": "Consumption ODP/MT Phased Out",
    "cons_co2_actual": "Consumption Phased Out in CO2-eq Tonnes",
    "prod_actual": "Production ODP/MT Phased Out",
    "prod_co2_actual": "Production Phased Out in CO2-eq Tonnes",
    "funding": "Approved Funding plus Adjustments (US$)",
    "support": "Support Costs Approved Funding plus Adjustments (US$)",
    "disbursed": "Funds Disbursed (US$)",
    "support_disbursed": "Support Cost Disbursed (US$)",
    "committed": "Funds Committed (US$)",
    "completion_agreement": "Date of Completion per Agreements or per Decisions",
    "remarks_previous": "Remarks (as of 31 December XXXX)",
    "remarks_current": "Remarks (Current year)",
    "gender": "Gender Policy for All Projects Approved from 85th Mtg (Yes/No)",
}
REQUIRED = ("agency", "country", "title", "approved", "status")
# (target column, actual column, stream) for ODP/MT and CO2-eq figures.
TONNES = (
    ("cons_target", "cons_actual", "consumption"),
    ("prod_target", "prod_actual", "production"),
)
CO2E = (
    ("cons_co2_target", "cons_co2_actual", "consumption"),
    ("prod_co2_target", "prod_co2_actual", "production"),
)


@dataclass(slots=True)
class _Figure:
    indicator: str
    unit: str
    kind: ValueKind
    value: float
    stream: str
    start: date | None
    end: date | None


@dataclass(slots=True)
class _Project:
    activity: Activity
    row: int
    figures: list[_Figure] = field(default_factory=list)


def _country(cells: SheetReader) -> str | None:
    raw = cells.text("country", required=True)
    if raw is None:
        return None
    code = raw.upper()
    if code in MLF_COUNTRIES:
        return MLF_COUNTRIES[code]
    try:
        return str(pycountry.countries.lookup(raw).alpha_3)
    except LookupError:
        cells.problem(
            "country",
            f"{raw!r} is neither a Multilateral Fund country code nor a country name known "
            "to ISO 3166; the project is kept without a country — correct the cell",
            Severity.WARNING,
        )
        return None


def _dates_in_order(cells: SheetReader, dates: dict[str, date | None]) -> None:
    """An end before its start (a completion dated before the first disbursement) is left
    out with a warning naming both cells: stored, the project could not be saved again
    and its IATI export would break IATI's rule 11.1.3."""
    pairs = (
        (PLANNED_START, PLANNED_END, "approved", "planned_completion"),
        (ACTUAL_START, ACTUAL_END, "first_disbursement", "completed"),
    )
    for start_type, end_type, start_key, end_key in pairs:
        start, end = dates[start_type], dates[end_type]
        if start is None or end is None or end >= start:
            continue
        dates[end_type] = None
        cells.problem(
            end_key,
            f"{end.isoformat()} is before {cells.column(start_key)} ({start.isoformat()}); "
            "this end date is left out. Correct one of the two in the file and import it "
            "again, or give the date on the project's page",
            severity=Severity.WARNING,
            message_id="mlf_dates_order",
            end=end.isoformat(),
            start=start.isoformat(),
            start_column=cells.column(start_key),
        )


def _read_row(cells: SheetReader, as_of: date) -> _Project | None:
    code = cells.text("project_code", max_length=150) or cells.text("legacy_code", max_length=150)
    if code is None:
        cells.problem("legacy_code", "is empty, and so is Project Code: a project needs a code")
    agency = cells.text("agency", required=True)
    title = cells.text("title", required=True)
    approved = cells.day("approved", required=True)
    status_raw = cells.text("status", required=True)
    status = STATUSES.get(status_raw.upper()) if status_raw else None
    if status_raw and status is None:
        cells.problem(
            "status", f"{status_raw!r} is not an APR status; use one of {', '.join(STATUSES)}"
        )
    country = _country(cells)
    dates = {
        PLANNED_START: approved,
        ACTUAL_START: cells.day("first_disbursement"),
        PLANNED_END: cells.day("planned_completion") or cells.day("completion_proposal"),
        ACTUAL_END: cells.day("completed"),
    }
    _dates_in_order(cells, dates)
    extras: dict[str, str | float | None] = {
        "source": "Multilateral Fund Annual Progress Report",
        "mlf_meta_code": cells.text("meta_code"),
        "mlf_cluster": cells.text("cluster"),
        "mlf_region": cells.text("region"),
        "mlf_type": cells.text("type"),
        "mlf_country": cells.text("country"),
        "gender_policy": cells.text("gender"),
        "funds_committed_usd": cells.number("committed"),
    }
    for key in ("completion_proposal", "financial_completion", "completion_agreement"):
        day = cells.day(key)
        extras[key] = day.isoformat() if day else None
    funding = cells.number("funding")
    support = cells.number("support")
    disbursed = cells.number("disbursed")
    support_disbursed = cells.number("support_disbursed")
    figures: list[_Figure] = []
    end = dates[PLANNED_END]
    cluster = cells.text("cluster")
    for target_key, actual_key, stream in TONNES:
        indicator, unit = tonnes_indicator(code or "", cluster)
        figures += _figures(
            cells, indicator, unit, target_key, actual_key, stream, approved, end, as_of
        )
    for target_key, actual_key, stream in CO2E:
        figures += _figures(
            cells, CO2E_INDICATOR, "tCO2e", target_key, actual_key, stream, approved, end, as_of
        )
    remarks = [
        ("4", cells.text("remarks_previous")),
        ("4", cells.text("remarks_current")),
    ]
    if code is None or agency is None or title is None or approved is None:
        return None
    ref, name = AGENCIES.get(agency.upper(), (None, agency))
    act = Activity(
        identifier=f"{KEY_PREFIX}{code}",
        title={"en": title},
        other_descriptions=[(kind, {"en": text}) for kind, text in remarks if text],
        language="en",
        currency=USD,
        status=status,
        dates={k: v for k, v in dates.items() if v is not None},
        countries=[CountryShare(country=country, percentage=100.0)] if country else [],
        participants=[
            Participant(org=OrgRef(ref=ref, names={"en": name}), role=OrgRole.IMPLEMENTING),
            Participant(org=OrgRef(names={"en": FUND_NAME}), role=OrgRole.FUNDING),
        ],
        extras={k: v for k, v in extras.items() if v is not None},
    )
    sector = cells.text("sector", max_length=40)
    if sector:
        act.sectors.append(CodeShare(code=sector, vocabulary="99", names={"en": sector}))
    for value, kind, label, day in (
        (funding, "2", "approved funding plus adjustments", approved),
        (support, "2", "agency support costs approved plus adjustments", approved),
        (disbursed, "3", f"funds disbursed to {as_of.isoformat()}", as_of),
        (support_disbursed, "3", f"support costs disbursed to {as_of.isoformat()}", as_of),
    ):
        if value:
            act.money.append(
                Money(
                    kind="transaction",
                    value=value,
                    type=kind,
                    currency=USD,
                    value_date=day,
                    date=day,
                    description={"en": label},
                )
            )
    return _Project(activity=act, row=cells.row_number, figures=figures)


def _figures(
    cells: SheetReader,
    indicator: str,
    unit: str,
    target_key: str,
    actual_key: str,
    stream: str,
    start: date | None,
    end: date | None,
    as_of: date,
) -> list[_Figure]:
    out: list[_Figure] = []
    target = cells.number(target_key)
    if target:
        out.append(_Figure(indicator, unit, ValueKind.TARGET, target, stream, start, end))
    actual = cells.number(actual_key)
    if actual:
        out.append(_Figure(indicator, unit, ValueKind.ACTUAL, actual, stream, start, as_of))
    return out


def read(
    path: Path,
    as_of: date | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> tuple[list[_Project], list[Problem], date]:
    """Every project of the file, or a refusal listing every wrong cell."""
    workbook = open_workbook(path)
    try:
        sheet = workbook.worksheets[0]
        rows = iter_rows(sheet, path.name, progress=progress)
        header = next(rows, None)
        if header is None:
            raise RefusedError(
                [Problem("the first sheet is empty", file=path.name, sheet=sheet.title)]
            )
        headers, missing = map_headers(header, COLUMNS)
        absent = [k for k in REQUIRED if k in missing]
        if "legacy_code" in missing and "project_code" in missing:
            absent.append("legacy_code")
        if absent and xlsx_sheets.find_sheet(workbook.sheetnames, xlsx_sheets.RESULTS):
            raise RefusedError(  # one line, not a line for each column it lacks
                [
                    Problem(
                        "this is a Greenfolio results template, not a Multilateral Fund "
                        "progress report: use `greenfolio import xlsx` (or the web import page)",
                        file=path.name,
                        message_id="import_is_template",
                    )
                ]
            )
        if absent:
            raise RefusedError(
                [
                    Problem(
                        f"no column headed {COLUMNS[k]!r}; is this the APR import layout?",
                        file=path.name,
                        sheet=sheet.title,
                        row=1,
                    )
                    for k in absent
                ]
            )
        cells = SheetReader(path.name, sheet.title, headers, COLUMNS)
        raw_rows = [
            (n, row) for n, row in enumerate(rows, start=2) if any(v is not None for v in row)
        ]
    finally:
        workbook.close()
    if as_of is None:
        years = []
        for n, row in raw_rows:
            cells.at(n, row)
            day = cells.day("approved")
            if day is not None:
                years.append(day.year)
        cells.problems.clear()
        as_of = date(max(years), 12, 31) if years else date.today()
    projects: list[_Project] = []
    seen: dict[str, int] = {}
    for n, row in raw_rows:
        cells.at(n, row)
        project = _read_row(cells, as_of)
        if project is None:
            continue
        first = seen.get(project.activity.identifier)
        if first is not None:
            cells.problem("legacy_code", f"the project code is already used in row {first}")
            continue
        seen[project.activity.identifier] = n
        projects.append(project)
    errors = [p for p in cells.problems if p.severity is Severity.ERROR]
    if errors:
        raise RefusedError(cells.problems)
    return projects, cells.problems, as_of


def _ensure_indicators(session: Session, codes: set[str]) -> None:
    for code in sorted(codes):
        if session.get(IndicatorRow, code) is not None:
            continue
        if code != CO2E_INDICATOR:
            raise NotFoundError(
                f"indicator {code!r} is not in the database; run `greenfolio db upgrade` first"
            )
        session.add(
            IndicatorRow(
                code=CO2E_INDICATOR,
                names=CO2E_NAMES,
                unit="tCO2e",
                aggregation=Aggregation.SUM.value,
                disaggregations=[Disaggregation.COUNTRY.value],
                source=CO2E_SOURCE,
            )
        )
    session.flush()


def import_apr(
    db: Database,
    path: Path,
    as_of: date | None = None,
    *,
    update_existing: bool = False,
    progress: Callable[[int, int | None], None] | None = None,
) -> Summary:
    """Service call: import one APR file in one transaction, all rows or none.

    A stored project of the same key that no APR import made is not overwritten unless
    ``update_existing``: the file is refused, naming it.
    """
    summary = Summary(files=[str(path)])
    try:
        projects, problems, as_of = read(path, as_of, progress)
    except RefusedError as refused:
        summary.problems = refused.problems
        summary.refused_files = 1
        return summary
    by_id = {p.activity.identifier: p for p in projects}
    citation = f"Multilateral Fund APR, {path.name}"
    actor = audit.current_actor()

    def results(act: Activity, work_id: int) -> list[dict[str, Any]]:
        project = by_id[act.identifier]
        country = act.countries[0].country if act.countries else None
        return [
            {
                "work_id": work_id,
                "indicator_code": f.indicator,
                "value": f.value,
                "unit": f.unit,
                "qualifier": "exact",
                "kind": f.kind.value,
                "period_start": f.start,
                "period_end": f.end,
                "country": country,
                "citation": f"{citation}, row {project.row}",
                "review_state": ReviewState.SUBMITTED.value,
                # whoever imports the spreadsheet entered and submitted it: not its verifier
                "entered_by": actor,
                "submitted_by": actor,
                "origin": ORIGIN,
                "dimensions": [["stream", f.stream]],
                "version": 1,
            }
            for f in project.figures
        ]

    try:
        with db.transaction() as session:
            audit.bulk_source(session, path.name)
            _ensure_indicators(session, {f.indicator for p in projects for f in p.figures})
            fund = OrgRef(names={"en": FUND_NAME})
            writer = ActivityWriter(
                session,
                origin=ORIGIN,
                extra_results=results,
                org_keys={fund.key(): FUND_KEY},
                update_existing=update_existing,
            )
            for project in projects:
                writer.add(project.activity, project.row, path.name, salt=repr(project.figures))
            writer.flush()
            if writer.refused:
                raise RefusedError(
                    [*problems, *writer.problems, Problem("nothing was imported", file=path.name)]
                )
    except RefusedError as refused:
        summary.problems = refused.problems
        summary.refused_files = 1
        return summary
    summary.created, summary.updated, summary.skipped = (
        writer.created,
        writer.updated,
        writer.skipped,
    )
    summary.problems = problems + writer.problems
    return summary
