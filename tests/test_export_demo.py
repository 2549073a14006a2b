"""The demo portfolio as IATI 2.03: the dates the source states, the reporting
organisation the codelists name, what keeps the rest out, and verified results only."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pydantic
import pytest
from lxml import etree
from typer.testing import CliRunner

from greenfolio.domain.work import WorkKind
from greenfolio.interfaces.cli.app import app
from greenfolio.refdata.loader import read_yaml
from greenfolio.services import audit, portfolio, results
from greenfolio.services.database import Database
from tests.conftest import DATA
from tests.outline import DATES

IATI = DATA / "iati"
CODELISTS = IATI / "codelists-2.03"
ALL_KINDS = [arg for kind in WorkKind for arg in ("--kind", kind.value)]
DATE_CODES = {"planned_start": "1", "actual_start": "2", "planned_end": "3", "actual_end": "4"}


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(IATI / "schemas-2.03" / "iati-activities-schema.xsd")))


def _demo() -> dict[str, Any]:
    return read_yaml("greenfolio.demo", "portfolio.yaml")


def _url(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)


def _export(db: Database, out: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(
        app, ["export", "iati", "--out", str(out), "--json", "--db", _url(db), *args]
    )
    return result.exit_code, json.loads(result.stdout) if result.stdout.strip() else {}


def _activities(path: Path) -> dict[str, etree._Element]:
    root = etree.parse(str(path)).getroot()
    return {a.findtext("iati-identifier"): a for a in root.iter("iati-activity")}


def test_the_demo_exports_schema_valid_with_every_dated_work_item(
    demo_db: Database, tmp_path: Path, schema: etree.XMLSchema
) -> None:
    works = _demo()["work"]
    dated = {w["key"] for w in works if w.get("dates")}
    undated = {w["key"] for w in works} - dated
    assert len(dated) == 10 and undated
    out = tmp_path / "demo.xml"
    code, data = _export(demo_db, out, *ALL_KINDS)
    # Some are left out, the rest written: exit 4, as for any partial export.
    assert code == 4, data
    assert data["exported"] == len(dated) and data["skipped"] == len(undated)
    assert schema.validate(etree.parse(str(out))), schema.error_log.filter_from_errors()[:3]
    acts = _activities(out)
    assert set(acts) == dated
    # Each left-out item is named with what keeps it out.
    reasons = {e["activity"]: e["message"] for e in data["errors"]}
    assert set(reasons) == undated
    assert all("no activity dates" in m and "project form" in m for m in reasons.values())
    for act in acts.values():
        rep = act.find("reporting-org")
        assert rep is not None and (rep.get("ref"), rep.get("type")) == ("XM-DAC-41123", "40")
    # The default kinds (projects and programmes): the one the report dates.
    code, data = _export(demo_db, out)
    assert code == 4 and set(_activities(out)) == {"idb49-parliamentary-renewables"}
    assert schema.validate(etree.parse(str(out)))
    # the other kinds are not counted as left out, but said, with the option to take them
    kinds = {w.get("kind") for w in works} - {"project", "programme"}
    assert set(data["other_kinds"]) == kinds
    assert sum(data["other_kinds"].values()) == len(works) - data["exported"] - data["skipped"]
    said = CliRunner().invoke(app, ["export", "iati", "--out", str(out), "--db", _url(demo_db)])
    text = " ".join(said.output.split())
    assert "wrote" in text and ": 1 activity, " in text, text
    assert "not looked at: 13 work item(s) of other kinds (" in text
    assert "add --kind accreditation --kind alliance" in text


def test_an_indicator_says_its_unit_in_words_and_no_internal_code(
    demo_db: Database, tmp_path: Path
) -> None:
    """IATI has no element for an indicator's unit: a measure's description names it in
    each language the indicator has a name in; a count's name says what it counts."""
    from datetime import date

    from sqlalchemy import select, update

    from greenfolio.store.tables import ResultRow, WorkRow

    with demo_db.transaction() as session:  # the work that destroyed POPs gets its dates
        wid = session.scalars(
            select(ResultRow.work_id).where(ResultRow.indicator_code == "pops_destroyed")
        ).first()
        session.execute(
            update(WorkRow).where(WorkRow.id == wid).values(start_date=date(2018, 1, 1))
        )
    out = tmp_path / "demo.xml"
    _export(demo_db, out, *ALL_KINDS, "--all-results")
    said: dict[str, list[str]] = {}
    for ind in etree.parse(str(out)).iter("indicator"):
        title = ind.xpath("string(title/narrative[not(@xml:lang) or @xml:lang='en'])")
        said[title] = sorted(
            f"{n.get(XML_LANG) or 'en'}: {n.text}" for n in ind.xpath("description/narrative")
        )
        # the code stays where a machine reads it (reference), never in the sentences
        code = ind.find("reference").get("code")
        assert all(code not in text for text in said[title])
    assert said["POPs destroyed or phased out"] == sorted(
        [
            "en: Unit of measure: metric tonnes.",
            "ar: وحدة القياس: أطنان مترية.",
            "zh: 计量单位：公吨。",
            "fr: Unité de mesure\u00a0: tonnes métriques.",
            "ru: Единица измерения: метрические тонны.",
            "es: Unidad de medida: toneladas métricas.",
        ]
    )
    assert said["events held"] == []


XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _zh(stated: str) -> str:
    """A stated date as the Chinese source writes it: 2021 年 3 月 20 日."""
    parts = [int(p) for p in stated.split("-")]
    return " ".join(f"{n} {unit}" for n, unit in zip(parts, ("年", "月", "日"), strict=False))


def test_each_recorded_date_is_one_the_source_states(demo_db: Database, tmp_path: Path) -> None:
    works = _demo()["work"]
    out = tmp_path / "demo.xml"
    _export(demo_db, out, *ALL_KINDS)
    acts = _activities(out)
    checked = 0
    for work in works:
        assert "start" not in work and "end" not in work, work["key"]  # typed dates only
        for stated in work.get("dates", []):
            when, para = stated["when"], stated["para"]
            assert para == work["para"], work["key"]
            assert when in DATES[para], (work["key"], when)
            assert _zh(when) in stated["words"], (work["key"], stated["words"])
            el = acts[work["key"]].find(f"activity-date[@type='{DATE_CODES[stated['type']]}']")
            assert el is not None, work["key"]
            iso = date.fromisoformat(el.get("iso-date"))
            # A stated month or year: the day that bounds it on the side the type faces,
            # and the date as stated in the narrative; a stated day: that day, no narrative.
            assert iso.isoformat().startswith(when)
            if len(when) == 10:
                assert el.find("narrative") is None
            elif stated["type"].endswith("start"):
                assert iso.day == 1 and (len(when) == 7 or iso.month == 1)
                assert el.findtext("narrative") == when
            else:
                assert date.fromordinal(iso.toordinal() + 1).day == 1
                assert len(when) == 7 or iso.month == 12
                assert el.findtext("narrative") == when
            checked += 1
        if not work.get("dates") and work["key"] in acts:
            raise AssertionError(f"{work['key']} is exported without a date the source gives")
    assert checked == 12


def _codelist(name: str) -> dict[str, str]:
    root = etree.parse(str(CODELISTS / f"{name}.xml")).getroot()
    return {
        (item.findtext("code") or ""): (item.findtext("name/narrative") or "")
        for item in root.iter("codelist-item")
    }


# Each identifier the demo gives, and the IATI codelist entry that names the organisation.
CITED = {
    "unido": ("CRSChannelCode", "41123", "United Nations Industrial Development Organisation"),
    "eib": ("CRSChannelCode", "42004", "European Investment Bank"),
    "gef": ("CRSChannelCode", "47044", "Global Environment Facility Trust Fund"),
    "fao": ("CRSChannelCode", "41301", "Food and Agricultural Organisation"),
    "mlf": (
        "CRSChannelCode",
        "47078",
        "Multilateral Fund for the Implementation of the Montreal Protocol",
    ),
    "un-women": (
        "CRSChannelCode",
        "41146",
        "United Nations Entity for Gender Equality and the Empowerment of Women",
    ),
    "un-habitat": ("CRSChannelCode", "41120", "United Nations Human Settlement Programme"),
    "unep": ("CRSChannelCode", "41116", "United Nations Environment Programme"),
    "gcf": ("CRSChannelCode", "41317", "Green Climate Fund"),
    "world-bank": ("CRSChannelCode", "44000", "World Bank Group (WB)"),
    "afd": ("OrganisationIdentifier", "FR-3", "French Development Agency"),
}


def test_demo_identifiers_are_those_the_iati_codelists_give() -> None:
    data = _demo()
    assert data["reporting_org"] == "unido"
    agencies = _codelist("OrganisationRegistrationAgency")
    assert agencies["XM-DAC"] == "OECD Development Assistance Committee"
    types = _codelist("OrganisationType")
    refs = {o["key"]: o.get("iati_ref") for o in data["organisations"]}
    assert {k for k, v in refs.items() if v} == set(CITED)
    for key, (listname, code, name) in CITED.items():
        assert _codelist(listname)[code] == name, key
        expected = f"XM-DAC-{code}" if listname == "CRSChannelCode" else code
        assert refs[key] == expected, key
    for org in data["organisations"]:
        kind = org.get("kind")
        assert kind is None or kind in types or not kind.isdigit(), org["key"]


def test_only_verified_results_are_published_unless_all_results(
    demo_db: Database, tmp_path: Path
) -> None:
    key = "idb49-parliamentary-renewables"
    with audit.acting_as("someone"), demo_db.transaction() as session:
        spec = results.ResultSpec(
            work=key,
            indicator="events_held",
            value=17,
            period_start=date(2021, 1, 1),
            period_end=date(2021, 6, 30),
            citation="a field report",
        )
        row = results.add(session, spec)
        results.review(session, row.id, "submit")
    out = tmp_path / "verified.xml"
    code, _ = _export(demo_db, out)
    assert code == 4
    values = {v.get("value") for v in _activities(out)[key].iter("actual")}
    assert "30" in values and "17" not in values
    code, _ = _export(demo_db, out, "--all-results")
    assert code == 4
    values = {v.get("value") for v in _activities(out)[key].iter("actual")}
    assert {"30", "17"} <= values
    # "More than 30", as the source says: the bound travels as a comment.
    comments = [c.findtext("comment/narrative") for c in _activities(out)[key].iter("actual")]
    assert "more than 30" in comments


def test_reporting_org_is_named_as_missing_or_given_on_the_command_line(
    db: Database, tmp_path: Path, schema: etree.XMLSchema, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = portfolio.WorkSpec.model_validate(
        {
            "key": "XM-DAC-41123-T1",
            "kind": "project",
            "title": {"en": "Test project"},
            "dates": [{"type": "planned_start", "when": "2022"}],
            "sectors": ["41020"],
            "status": "pipeline",
        }
    )
    portfolio.register_work(db, spec)
    out = tmp_path / "t.xml"
    result = CliRunner().invoke(app, ["export", "iati", "--out", str(out), "--db", _url(db)])
    assert result.exit_code == 2 and not out.exists()
    assert "--reporting-org REF" in result.output and "no IATI ref and type" in result.output
    code, data = _export(db, out, "--reporting-org", "XM-DAC-41123", "--reporting-org-type", "40")
    assert code == 0 and data["exported"] == 1
    assert schema.validate(etree.parse(str(out)))
    act = _activities(out)["XM-DAC-41123-T1"]
    assert act.find("reporting-org").get("ref") == "XM-DAC-41123"
    assert act.find("sector").attrib == {"vocabulary": "1", "code": "41020"}
    day = act.find("activity-date")
    assert (day.get("type"), day.get("iso-date"), day.findtext("narrative")) == (
        "1",
        "2022-01-01",
        "2022",
    )
    # The same from the environment, as a setting.
    monkeypatch.setenv("GREENFOLIO_REPORTING_ORG", "XM-DAC-41123")
    monkeypatch.setenv("GREENFOLIO_REPORTING_ORG_TYPE", "40")
    code, data = _export(db, out)
    assert code == 0 and data["exported"] == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"dates": [{"type": "actual_end", "when": "2021-13"}]}, "not a date of the calendar"),
        # "March 2021" reads as a month now (written by hand); a quarter does not
        ({"dates": [{"type": "actual_end", "when": "2021Q1"}]}, "write a year (2021)"),
        ({"dates": [{"type": "soon", "when": "2021"}]}, "planned_start"),
        (
            {"start": "2021-01-01", "dates": [{"type": "actual_end", "when": "2021"}]},
            "not both",
        ),
        (
            {
                "dates": [
                    {"type": "planned_start", "when": "2022"},
                    {"type": "planned_end", "when": "2021-06"},
                ]
            },
            "the planned start (2022) is after the planned end (2021-06)",
        ),
        ({"sectors": ["99999"]}, "not an OECD DAC sector code"),
    ],
)
def test_typed_dates_and_sectors_are_checked(
    db: Database, fields: dict[str, Any], message: str
) -> None:
    raw = {"key": "T-2", "kind": "project", "title": {"en": "T"}, **fields}
    with pytest.raises(pydantic.ValidationError, match=re.escape(message)):
        portfolio.WorkSpec.model_validate(raw)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_users_give_the_missing_dates_partners_and_sectors_in_the_project_form(
    demo_db: Database, tmp_path: Path, schema: etree.XMLSchema
) -> None:
    import lxml.html

    from tests.test_api_support import add_user, browser

    key = "idb49-biochar"
    out = tmp_path / "before.xml"
    _, data = _export(demo_db, out)
    assert key in {e["activity"] for e in data["errors"]}
    web, csrf = browser(demo_db, add_user(demo_db, "ida", "editor@all"))
    page = web.get(f"/projects/{key}/edit?lang=fr")
    assert page.status_code == 200
    doc = lxml.html.fromstring(page.text)
    assert doc.xpath("//input[@name='date_planned_start']")
    shown = doc.xpath("//select[@name='org_role']/option[@selected]/text()")
    assert shown[:2] == ["Partenaire", "Partenaire"]  # FAO and GBEP, as stored
    form: dict[str, Any] = {
        "csrf": csrf,
        "version": "1",
        "kind": "project",
        "status": "implementation",
        "countries": "KHM IDN NPL PHL VNM",
        "org": ["fao", "gbep", "unido", ""],
        "org_role": ["partner", "partner", "reporting", "partner"],
        "sectors": "31130",
        # as a browser sends the form: the stored programmes and conventions stay selected
        "terms": doc.xpath("//select[@name='terms']/option[@selected]/@value"),
    }
    assert form["terms"]
    bad = web.post(f"/projects/{key}/edit", data={**form, "date_actual_start": "2020-13"})
    assert bad.status_code == 422 and "«\u00a02020-13\u00a0» n’est pas une date" in bad.text
    # an officer's review: refused in English with the field's internal name ("dates.0")
    bad = web.post(f"/projects/{key}/edit?lang=fr", data={**form, "date_actual_start": "bientôt"})
    said = " ".join(lxml.html.fromstring(bad.text).text_content().split())
    assert "Début effectif : « bientôt » n’est pas une date." in said, said
    assert "dates.0" not in said
    # dates typed as a French officer writes them by hand
    saved = web.post(
        f"/projects/{key}/edit?lang=fr",
        data={**form, "date_actual_start": "2019", "date_planned_end": "juin 2022"},
    )
    assert saved.status_code == 303, saved.text
    out = tmp_path / "after.xml"
    _, data = _export(demo_db, out)
    assert schema.validate(etree.parse(str(out)))
    act = _activities(out)[key]
    dates = {
        d.get("type"): (d.get("iso-date"), d.findtext("narrative"))
        for d in act.iter("activity-date")
    }
    assert dates == {"2": ("2019-01-01", "2019"), "3": ("2022-06-30", "2022-06")}
    assert [s.get("code") for s in act.iter("sector")] == ["31130"]
    assert [p.get("ref") for p in act.iter("participating-org")] == ["XM-DAC-41301", None]
    # The form shows what was saved, as it was stated.
    doc = lxml.html.fromstring(web.get(f"/projects/{key}/edit").text)
    assert doc.xpath("//input[@name='date_planned_end']/@value") == ["2022-06"]
    assert doc.xpath("//input[@name='sectors']/@value") == ["31130"]
    # the history names the sector by its code alone (it read "1 31130", the codelist's
    # number leaking in)
    history = lxml.html.fromstring(web.get(f"/projects/{key}").text)
    changes = " ".join(history.xpath("//table[contains(@class,'history')]//text()"))
    assert "31130" in changes and "1 31130" not in changes


def test_users_give_the_missing_dates_sectors_and_partners_in_the_xlsx_template(
    demo_db: Database, tmp_path: Path, schema: etree.XMLSchema
) -> None:
    from datetime import datetime

    from openpyxl import load_workbook

    from greenfolio.services.exchange.xlsx_import import import_results
    from greenfolio.services.exchange.xlsx_template import write_template

    template = write_template(demo_db, ["countries_supported"], tmp_path / "t.xlsx")

    def filled(rows: list[list[Any]]) -> Path:
        book = load_workbook(template)
        sheet = book["Projects"]
        headers = [c.value for c in sheet[1]]
        assert headers[:6] == [
            "work",
            "planned start",
            "actual start",
            "planned end",
            "actual end",
            "sectors",
        ]
        for row in rows:
            sheet.append(row)
        path = tmp_path / f"filled-{len(rows)}-{rows[0][1]}.xlsx"
        book.save(path)
        return path

    # Wrong cells: each named by sheet, row and column; nothing is written.
    bad = filled(
        [
            ["idb49-gcip", "2022-02-30", None, None, None, "23210 12345", "gef nobody"],
            ["idb49-biochar", 2023, None, 2022, None],
        ]
    )
    summary = import_results(demo_db, bad)
    places = {(p.sheet, p.row, p.column) for p in summary.errors}
    assert ("Projects", 2, "B (planned start)") in places
    assert ("Projects", 2, "F (sectors)") in places
    assert ("Projects", 2, "G (funding organisations)") in places
    assert summary.created == summary.updated == 0 and summary.refused_files == 1
    whole = import_results(demo_db, filled([["idb49-biochar", 2023, None, 2022, None]]))
    (problem,) = whole.errors
    assert problem.row == 2 and "planned start (2023) is after the planned end (2022)" in (
        problem.message
    )
    _, data = _export(demo_db, tmp_path / "x.xml")
    assert {"idb49-gcip", "idb49-biochar"} <= {e["activity"] for e in data["errors"]}

    good = filled([["idb49-gcip", 2022, None, datetime(2025, 6, 30), None, "23210", "gef"]])
    summary = import_results(demo_db, good)
    assert summary.errors == [] and summary.updated == 1
    # the same file again changes nothing, and says so (it said "updated 1")
    again = import_results(demo_db, good)
    assert again.errors == [] and again.updated == 0
    out = tmp_path / "after.xml"
    _, data = _export(demo_db, out)
    assert schema.validate(etree.parse(str(out)))
    act = _activities(out)["idb49-gcip"]
    dates = {
        d.get("type"): (d.get("iso-date"), d.findtext("narrative"))
        for d in act.iter("activity-date")
    }
    assert dates == {"1": ("2022-01-01", "2022"), "3": ("2025-06-30", None)}
    assert [s.get("code") for s in act.iter("sector")] == ["23210"]
    funders = [p.get("ref") for p in act.iter("participating-org") if p.get("role") == "1"]
    assert funders == ["XM-DAC-47044"]

    # An officer's review: partners and sectors by name, as a person types them (the
    # Russian name of the GEF was cut at its spaces into three unknown keys)
    named = filled(
        [["idb49-gcip", 2022, None, datetime(2025, 6, 30), None,
          "Biosphere protection; 23210", "Глобальный экологический фонд; ЮНИДО"]]
    )  # fmt: skip
    summary = import_results(demo_db, named)
    assert summary.errors == [] and summary.updated == 1, summary.errors
    _, data = _export(demo_db, out)
    act = _activities(out)["idb49-gcip"]
    assert sorted(s.get("code") for s in act.iter("sector")) == ["23210", "41020"]
    funders = [p.get("ref") for p in act.iter("participating-org") if p.get("role") == "1"]
    assert sorted(funders) == ["XM-DAC-41123", "XM-DAC-47044"]
    cut = filled([["idb49-gcip", 2022, None, None, None, None, "Глобальный, экологический"]])
    (problem,) = import_results(demo_db, cut).errors
    assert "Глобальный, экологический: no organisation has this name or key" in problem.message


def test_each_rule_the_export_fails_is_named_by_its_warnings(
    demo_db: Database, tmp_path: Path
) -> None:
    """What IATI's data-quality rules say of the export is what the export itself warned
    of, by rule number, so nobody learns of it first from the registry's checks; and
    nothing the export writes on its own (an empty narrative, a date's narrative with no
    language) fails a rule."""
    from greenfolio.services.exchange import iati_rules

    out = tmp_path / "demo.xml"
    code, data = _export(demo_db, out, *ALL_KINDS)
    assert code == 4, data
    warned = " ".join(w["message"] for w in data["warnings"])
    found = iati_rules.check_file(out, iati_rules.load_ruleset("standard"))
    failed = {f.case.rule_id for f in found.findings}
    assert failed, "the demo's gaps (a missing sector) should show"
    unsaid = {rule for rule in failed if f"({rule})" not in warned}
    assert not unsaid, (unsaid, warned)
    assert not failed & {"4.1.1"}, "a narrative the export wrote has no language"


def test_greenfolio_reads_its_own_export_back_onto_its_indicators(
    demo_db: Database, tmp_path: Path, templates: Any
) -> None:
    """A newcomer's round trip: importing the demo's own export made a new ``iati.*``
    indicator per result, counted tonnes as "count" and lost "more than". Each result
    comes back on its registered indicator, in its unit, with its country, sex, entity
    and qualifier; no indicator is made."""
    from sqlalchemy import func, select

    from greenfolio.domain.units import convert
    from greenfolio.services.exchange.iati_import import import_file
    from greenfolio.store.tables import IndicatorRow, ResultRow, WorkRow

    out = tmp_path / "demo.xml"
    code, _ = _export(demo_db, out, "--all-results", *ALL_KINDS)
    assert code == 4
    exported = set(_activities(out))

    def results(db: Database) -> list[tuple[object, ...]]:
        with db.transaction() as session:
            units = dict(session.execute(select(IndicatorRow.code, IndicatorRow.unit)).all())
            rows = session.execute(
                select(ResultRow, WorkRow.key)
                .join(WorkRow, WorkRow.id == ResultRow.work_id)
                .where(ResultRow.review_state.in_(["verified", "submitted"]))
            ).all()
            return sorted(
                (
                    key, r.indicator_code,
                    round(convert(r.value, r.unit, units[r.indicator_code]), 6), r.qualifier,
                    r.kind.replace("planned", "target"), r.period_end, r.country, r.sex, r.entity,
                )
                for r, key in rows
                if key in exported
            )  # fmt: skip

    shutil.copyfile(templates.sqlite("migrated"), tmp_path / "fresh.sqlite")
    fresh = Database.open(str(tmp_path / "fresh.sqlite"))
    try:
        with fresh.transaction() as session:
            before = session.scalar(select(func.count()).select_from(IndicatorRow))
        summary = import_file(fresh, out)
        assert summary.created == len(exported)
        with fresh.transaction() as session:
            assert session.scalar(select(func.count()).select_from(IndicatorRow)) == before
        back = results(fresh)
        assert back == results(demo_db)
        assert any(row[3] == "more_than" for row in back)
        assert any(row[6] for row in back) and any(row[7] for row in back)
    finally:
        fresh.close()
