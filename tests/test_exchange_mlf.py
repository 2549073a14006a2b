"""The Multilateral Fund's 2024 APR sample: 214 real projects, totals checked against the sheet."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import openpyxl
from lxml import etree
from sqlalchemy import func, select
from typer.testing import CliRunner

from greenfolio.domain.iati import OrgRef
from greenfolio.domain.mlf import MLF_COUNTRIES
from greenfolio.interfaces.cli.app import app
from greenfolio.services.database import Database
from greenfolio.services.exchange.iati_export import ExportFilter, export
from greenfolio.services.exchange.mlf_apr import import_apr
from greenfolio.store.tables import (
    OrganisationRow,
    ResultRow,
    WorkCountryRow,
    WorkFinanceRow,
    WorkOrgRow,
    WorkRow,
)
from tests.conftest import DATA

SAMPLE = DATA / "mlf" / "apr-sample-2024.xlsx"


def _sheet() -> list[dict[str, object]]:
    """The sample's rows keyed by header, read with openpyxl on its own."""
    book = openpyxl.load_workbook(SAMPLE, read_only=True, data_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    header = [str(h).strip() for h in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def _total(rows: list[dict[str, object]], column: str) -> float:
    return sum(float(r[column] or 0) for r in rows)  # type: ignore[arg-type]


def test_the_sample_imports_with_the_totals_of_the_sheet(db: Database) -> None:
    rows = _sheet()
    summary = import_apr(db, SAMPLE)
    assert summary.errors == [] and summary.created == len(rows) == 214
    kigali = [r for r in rows if "/KIP/" in str(r["Legacy Code"])]
    others = [r for r in rows if r not in kigali]
    target = "Consumption ODP/MT to be Phased Out per Proposal"
    production = "Production ODP/MT to be Phased Out per Proposal"
    with db.transaction() as session:
        sums = dict(
            session.execute(
                select(ResultRow.indicator_code, func.sum(ResultRow.value))
                .where(ResultRow.kind == "target")
                .group_by(ResultRow.indicator_code)
            ).all()
        )
        units = dict(
            session.execute(select(ResultRow.indicator_code, ResultRow.unit).distinct()).all()
        )
        money = dict(
            session.execute(
                select(WorkFinanceRow.type, func.sum(WorkFinanceRow.value)).group_by(
                    WorkFinanceRow.type
                )
            ).all()
        )
        currencies = set(session.scalars(select(WorkFinanceRow.currency).distinct()))
        states = set(session.scalars(select(ResultRow.review_state).distinct()))
        countries = dict(
            session.execute(
                select(WorkRow.key, WorkCountryRow.country).join(
                    WorkCountryRow, WorkCountryRow.work_id == WorkRow.id
                )
            ).all()
        )
        agencies = defaultdict(int)
        for name in session.scalars(
            select(OrganisationRow.key)
            .join(WorkOrgRow, WorkOrgRow.org_id == OrganisationRow.id)
            .where(WorkOrgRow.role == "implementing")
        ):
            agencies[name] += 1
    # ODP tonnes for HCFC work; metric tonnes for the HFCs of Kigali plans, never mixed.
    assert (
        abs(sums["ods_phased_out_odp"] - _total(others, target) - _total(others, production)) < 1e-6
    )
    assert abs(sums["ods_phased_out"] - _total(kigali, target) - _total(kigali, production)) < 1e-6
    assert units == {"ods_phased_out_odp": "ODP_tonne", "ods_phased_out": "t"}
    funding = _total(rows, "Approved Funding plus Adjustments (US$)") + _total(
        rows, "Support Costs Approved Funding plus Adjustments (US$)"
    )
    disbursed = _total(rows, "Funds Disbursed (US$)") + _total(rows, "Support Cost Disbursed (US$)")
    assert abs(money["2"] - funding) < 0.01 and abs(money["3"] - disbursed) < 0.01
    assert currencies == {"USD"} and states == {"submitted"}
    # Every row's country, from the Fund's codes: KAM is Cambodia, ZAM Zambia.
    assert len(countries) == 214
    for row in rows:
        key = f"mlf:{row['Legacy Code']}"
        assert countries[key] == MLF_COUNTRIES[str(row["Country"])]
    assert countries["mlf:KUW/SEV/92/INS/47"] == "KWT"
    by_agency = defaultdict(int)
    for row in rows:
        by_agency[str(row["Agency"])] += 1
    assert sorted(agencies.values()) == sorted(by_agency.values())


def test_reimport_skips_and_a_changed_figure_updates(db: Database, tmp_path: Path) -> None:
    import_apr(db, SAMPLE)
    again = import_apr(db, SAMPLE)
    assert (again.created, again.updated, again.skipped) == (0, 0, 214)
    # openpyxl rewrites some floats to 15 digits, so compare copies saved the same way.
    book = openpyxl.load_workbook(SAMPLE, data_only=True)
    base = tmp_path / "base.xlsx"
    book.save(base)
    import_apr(db, base)
    book.worksheets[0]["V3"] = 1.5  # Consumption ODP/MT Phased Out of TLS/SEV/93/INS/25
    changed = tmp_path / "changed.xlsx"
    book.save(changed)
    summary = import_apr(db, changed)
    assert (summary.created, summary.updated, summary.skipped) == (0, 1, 213)
    with db.transaction() as session:
        actual = session.scalars(
            select(ResultRow.value)
            .join(WorkRow, WorkRow.id == ResultRow.work_id)
            .where(WorkRow.key == "mlf:TLS/SEV/93/INS/25", ResultRow.kind == "actual")
        ).all()
    assert actual == [1.5]


def test_a_bad_cell_refuses_the_whole_file(db: Database, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(SAMPLE, data_only=True)
    sheet = book.worksheets[0]
    sheet["K5"] = "sometime in 2023"
    sheet["R7"] = "lots"
    sheet["M9"] = "XYZ"
    broken = tmp_path / "broken.xlsx"
    book.save(broken)
    summary = import_apr(db, broken)
    places = {(e.sheet, e.row, e.column) for e in summary.errors}
    assert places == {
        ("Sheet1", 5, "K (Date Approved)"),
        ("Sheet1", 7, "R (Consumption ODP/MT to be Phased Out per Proposal)"),
        ("Sheet1", 9, "M (Status)"),
    }
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(WorkRow)) == 0


def test_unknown_countries_are_reported_with_their_row(db: Database, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(SAMPLE, data_only=True)
    book.worksheets[0]["G4"] = "Atlantis"
    odd = tmp_path / "odd.xlsx"
    book.save(odd)
    summary = import_apr(db, odd)
    (warning,) = [w for w in summary.warnings if w.column and w.column.startswith("G")]
    assert warning.row == 4 and "Atlantis" in warning.message
    assert summary.created == 214


def test_mlf_projects_export_as_valid_iati(db: Database, tmp_path: Path) -> None:
    import_apr(db, SAMPLE)
    out = tmp_path / "mlf.xml"
    summary = export(
        db,
        out,
        ExportFilter(prefix="mlf:"),
        publisher=OrgRef(ref="XM-DAC-41123", type="40", names={"en": "UNIDO"}),
    )
    assert summary.exported == 214
    schema = etree.XMLSchema(
        etree.parse(str(DATA / "iati" / "schemas-2.03" / "iati-activities-schema.xsd"))
    )
    assert schema.validate(etree.parse(str(out))), schema.error_log.filter_from_errors()[:3]


def test_cli_import_mlf_apr_json(db: Database) -> None:
    url = db.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, ["import", "mlf-apr", str(SAMPLE), "--json", "--db", url])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["created"], data["updated"], data["skipped"], data["errors"]) == (214, 0, 0, [])


def test_a_spreadsheet_of_the_other_kind_is_named_as_such(db: Database, tmp_path: Path) -> None:
    """A newcomer gave the MLF progress report to `import xlsx` ("no sheet named
    'Results'") and a results template to `import mlf-apr` (five "no column headed …")."""
    from greenfolio.services.exchange.xlsx_import import import_results
    from greenfolio.services.exchange.xlsx_template import write_template

    as_template = import_results(db, SAMPLE)
    assert [p.message_id for p in as_template.errors] == ["import_is_mlf_apr"]
    assert "greenfolio import mlf-apr" in as_template.errors[0].message
    template = write_template(db, ["pops_destroyed"], tmp_path / "template.xlsx", "fr")
    as_report = import_apr(db, template)
    assert [p.message_id for p in as_report.errors] == ["import_is_template"]
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ResultRow)) == 0


def test_an_end_before_its_start_is_left_out_with_a_warning(db: Database) -> None:
    """A data manager's review: row 150 (MOZ/PHA/90/TAS/38) was stored completed on
    2023-06-01, before its first disbursement on 2023-07-11: its page could not be saved
    again and its IATI export broke rule 11.1.3. The completion date is left out, and the
    import says so, naming both cells."""
    from greenfolio.services.portfolio import WorkSpec, stored_spec

    summary = import_apr(db, SAMPLE)
    (warning,) = [w for w in summary.warnings if w.row == 150]
    assert warning.column == "P (Date Completed (Actual))", warning.column
    assert "2023-06-01 is before" in warning.message and "2023-07-11" in warning.message
    with db.transaction() as session:
        row = session.scalars(select(WorkRow).where(WorkRow.key == "mlf:MOZ/PHA/90/TAS/38")).one()
        dates = {d["type"]: d["when"] for d in stored_spec(session, row)["dates"]}
        assert dates.get("actual_start") == "2023-07-11" and "actual_end" not in dates, dates
        WorkSpec.model_validate(stored_spec(session, row))  # saved again as it is


def test_a_reporting_org_given_by_ref_takes_its_stored_name(db: Database, tmp_path: Path) -> None:
    """A data manager's review: `export iati --reporting-org XM-DAC-41123` wrote
    <reporting-org><narrative/> though the store names UNIDO under that ref."""
    import_apr(db, SAMPLE)
    out = tmp_path / "mlf.xml"
    export(db, out, ExportFilter(prefix="mlf:"), publisher=OrgRef(ref="XM-DAC-41123", type="40"))
    names = {
        n.text
        for n in etree.parse(str(out)).getroot().iterfind("iati-activity/reporting-org/narrative")
    }
    assert names == {"United Nations Industrial Development Organization"}, names
