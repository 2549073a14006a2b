"""IATI import and export against the real files, the conformance suites and hostile input."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from lxml import etree
from sqlalchemy import func, select
from typer.testing import CliRunner

from greenfolio.domain.exchange import RefusedError, Severity
from greenfolio.domain.iati import (
    LEGACY_DATE_TYPES,
    ROLE_BY_CODE,
    STATUS_BY_CODE,
    UNIT_BY_MEASURE,
    Activity,
    OrgRef,
)
from greenfolio.domain.results import ReviewState, ValueKind
from greenfolio.interfaces.cli.app import app
from greenfolio.services import portfolio, reference
from greenfolio.services.database import Database
from greenfolio.services.exchange import codelists
from greenfolio.services.exchange.iati_export import ExportFilter, export
from greenfolio.services.exchange.iati_import import import_file, import_files
from greenfolio.services.exchange.iati_load import load_activities
from greenfolio.services.exchange.iati_parse import ActivityReader
from greenfolio.services.exchange.iati_rules import check_file, load_ruleset
from greenfolio.services.portfolio import WorkSpec
from greenfolio.store.tables import (
    IatiIndicatorRow,
    IndicatorRow,
    ResultRow,
    WorkFinanceRow,
    WorkRow,
)
from tests.conftest import DATA, _drop_pg_database, _new_pg_database

IATI = DATA / "iati"
FILES = IATI / "files"
REAL = sorted(FILES.glob("*.xml"))
CURRENT = [FILES / "es-maec-indonesia-v201.xml", FILES / "iati-example-v203.xml"]
SHOULD_PASS = sorted((IATI / "conformance" / "should-pass").rglob("*.xml"))
SHOULD_FAIL = sorted((IATI / "conformance" / "should-fail").rglob("*.xml"))
PUBLISHER = OrgRef(ref="XM-DAC-41123", type="40", names={"en": "UNIDO"})


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    """The 2.03 schema from the shared test data (not the package's copy)."""
    return etree.XMLSchema(etree.parse(str(IATI / "schemas-2.03" / "iati-activities-schema.xsd")))


def _activities(file: Path) -> list[Activity]:
    return [p.activity for p in ActivityReader(file) if p.activity is not None]


def _records(db: Database) -> dict[str, Activity]:
    with db.transaction() as session:
        ids = list(session.scalars(select(WorkRow.id).order_by(WorkRow.key)))
        return {a.identifier: a for a in load_activities(session, ids)}


def _count(db: Database, table: type) -> int:
    with db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def _valid(schema: etree.XMLSchema, path: Path) -> None:
    doc = etree.parse(str(path))
    assert schema.validate(doc), schema.error_log.filter_from_errors()[:5]


def test_the_conformance_counts_are_those_of_the_suite() -> None:
    assert (len(SHOULD_PASS), len(SHOULD_FAIL)) == (58, 225)


def test_every_should_pass_document_imports_plain_and_strict(db: Database) -> None:
    for strict in (False, True):
        for path in SHOULD_PASS:
            summary = import_file(db, path, strict=strict)
            assert summary.errors == [], (path, [str(e) for e in summary.errors])
            assert summary.created + summary.updated + summary.skipped == 1, path
    # Each document's activity has an empty identifier: it is kept under a key made from
    # the file name, and said so in a warning.
    assert _count(db, WorkRow) == len({p.stem for p in SHOULD_PASS})


def test_strict_refuses_every_should_fail_document_with_its_reason(db: Database) -> None:
    for path in SHOULD_FAIL:
        summary = import_file(db, path, strict=True)
        assert summary.created == summary.updated == 0, path
        reasons = [e for e in summary.errors if "schema" in e.message or "XML" in e.message]
        assert reasons, (path, [str(e) for e in summary.errors])
        first = reasons[0]
        assert first.file == path.name and first.line and first.element, str(first)
    assert _count(db, WorkRow) == 0


def test_without_strict_invalid_activities_are_reported_and_left_out(db: Database) -> None:
    path = IATI / "conformance" / "should-fail" / "01-empty-activity.xml"
    summary = import_file(db, path, validate=True)
    assert summary.created == 0
    (error,) = summary.errors
    assert (error.file, error.element) == (path.name, "iati-activity") and error.line
    assert "iati-identifier" in error.message


def test_real_files_import_and_reimport_duplicates_nothing(db: Database) -> None:
    summary = import_files(db, REAL)
    assert summary.errors == []
    assert summary.created == 83 + 13 + 287 + 16
    # 1.0x files are accepted, with a warning for each activity.
    legacy = [w for w in summary.warnings if "1.0x activity" in w.message]
    assert len(legacy) == 287 + 16
    works, money = _count(db, WorkRow), _count(db, WorkFinanceRow)
    again = import_files(db, REAL)
    assert (again.created, again.updated, again.skipped) == (0, 0, summary.created)
    assert (_count(db, WorkRow), _count(db, WorkFinanceRow)) == (works, money)


def test_imported_and_registered_projects_draw_ids_from_one_sequence(db: Database) -> None:
    """The import hands out ids itself (PostgreSQL: from the id sequence, for COPY); a
    project registered by hand before and after it never collides with them."""
    before = portfolio.register_work(
        db, WorkSpec(key="XM-HAND-1", kind="project", title={"en": "Entered by hand"})
    )
    summary = import_file(db, CURRENT[1])
    assert summary.errors == [] and summary.created > 0
    after = portfolio.register_work(
        db, WorkSpec(key="XM-HAND-2", kind="project", title={"en": "Entered later"})
    )
    with db.transaction() as s:
        ids = list(s.scalars(select(WorkRow.id)))
        imported = s.scalars(select(WorkRow.id).where(WorkRow.key.not_like("XM-HAND-%"))).all()
    assert len(ids) == len(set(ids))
    assert after > max(imported) > min(imported) > before


def test_an_import_never_takes_a_deleted_projects_id(db: Database) -> None:
    """A project deleted last leaves its id behind (and its audit history under it): the
    import's own id hand-out skips it as the database's sequence does."""
    gone = portfolio.register_work(
        db, WorkSpec(key="XM-HAND-GONE", kind="project", title={"en": "Deleted"})
    )
    with db.transaction() as s:
        s.delete(s.get(WorkRow, gone))
    assert import_file(db, CURRENT[1]).created > 0
    with db.transaction() as s:
        taken = set(s.scalars(select(WorkRow.id)))
    assert gone not in taken


def test_iati_fields_land_where_they_belong(db: Database) -> None:
    import_files(db, [FILES / "iati-example-v203.xml"])
    acts = _records(db)
    act = acts["NL-1-PPR-24706"]
    parsed = next(
        a for a in _activities(FILES / "iati-example-v203.xml") if a.identifier == act.identifier
    )
    assert act.title == parsed.title and act.description == parsed.description
    assert act.currency == "EUR" and act.language == "nl"
    assert act.reporting_org is not None and act.reporting_org.ref == "XM-DAC-7"
    assert [m.value for m in act.money] == [m.value for m in parsed.money]
    assert act.locations and act.locations[0].point == parsed.locations[0].point
    assert act.documents[0].url == parsed.documents[0].url
    with db.transaction() as session:
        rows = session.scalars(select(ResultRow).order_by(ResultRow.id)).all()
        frame = session.scalars(select(IatiIndicatorRow)).one()
        indicator = session.get(IndicatorRow, frame.indicator_code)
        assert indicator is not None
        assert indicator.unit == "count" and indicator.disaggregations == ["sex"]
    assert [r.kind for r in rows] == [ValueKind.BASELINE, ValueKind.TARGET, ValueKind.ACTUAL]
    assert [r.value for r in rows] == [10.0, 10.0, 11.0]
    assert {r.review_state for r in rows} == {ReviewState.SUBMITTED.value}
    assert rows[0].dimensions == [["sex", "female"], ["age", "adult"]] and rows[0].sex == "female"


@pytest.fixture
def other_db(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Database]:
    """A second, migrated database on the same backend, to import an export into."""
    if backend == "sqlite":
        second = Database.open(str(tmp_path / "second.sqlite"))
        second.upgrade()
        reference.sync(second)
        yield second
        second.close()
        return
    name, url = _new_pg_database(request.getfixturevalue("pg_server"))
    second = Database.open(url)
    try:
        second.upgrade()
        reference.sync(second)
        yield second
    finally:
        second.close()
        _drop_pg_database(name)


def test_export_is_schema_valid_and_round_trips(
    db: Database, other_db: Database, tmp_path: Path, schema: etree.XMLSchema
) -> None:
    summary = import_files(db, REAL)
    assert summary.errors == []
    out = tmp_path / "export.xml"
    done = export(db, out, ExportFilter(verified_only=False), publisher=PUBLISHER)
    world_bank = {a.identifier for a in _activities(FILES / "worldbank-v1.xml")}
    # Another publisher's reporting organisation recorded without a type (OCHA's 1.0x
    # file) is not given the exporting publisher's type: those activities wait for it.
    untyped = {
        key
        for key, record in _records(db).items()
        if record.reporting_org is not None
        and (record.reporting_org.ref or record.reporting_org.names)
        and not record.reporting_org.type
        and record.reporting_org.ref != PUBLISHER.ref
    } - world_bank
    assert untyped
    # A record with no status waits for one: IATI requires it and none is made up.
    no_status = {key for key, record in _records(db).items() if record.status is None}
    assert no_status
    left_out = world_bank | untyped | no_status
    assert done.exported == summary.created - len(left_out)
    # The World Bank's 1.0x file gives no activity dates, which IATI 2.03 requires.
    assert {p.activity for p in done.problems if "dates" in p.message} == world_bank
    said = {p.activity for p in done.problems if "this activity records" in p.message}
    assert said - world_bank == untyped
    assert {p.activity for p in done.problems if "no activity status" in p.message} == no_status
    assert all(
        "project form" in p.message and p.severity is Severity.ERROR
        for p in done.problems
        if "no activity status" in p.message
    )
    _valid(schema, out)

    again = import_files(other_db, [out])
    assert again.errors == [] and again.created == done.exported
    first, second = _records(db), _records(other_db)
    assert set(second) == set(first) - left_out
    current = {a.identifier for path in CURRENT for a in _activities(path)}
    for key, record in second.items():
        original = first[key]
        if key not in current:
            # 1.0x records lack what 2.03 requires; the export filled it in and said so:
            # the publisher's organisation type and the reporting organisation as
            # accountable participant.
            assert record.reporting_org is not None and record.reporting_org.type == "40"
            record.reporting_org.type = (
                original.reporting_org.type if original.reporting_org else None
            )
            if not original.participants:
                assert [p.org.ref for p in record.participants] == [record.reporting_org.ref]
                record.participants = []
        assert record == original, key
    again_out = tmp_path / "again.xml"
    export(other_db, again_out, ExportFilter(verified_only=False), publisher=PUBLISHER)
    _valid(schema, again_out)
    # Importing the export back into the first store changes nothing it did not have.
    back = import_files(db, [out])
    assert back.created == 0 and back.errors == []


def test_export_filters(db: Database, tmp_path: Path, schema: etree.XMLSchema) -> None:
    import_files(db, CURRENT)
    out = tmp_path / "idn.xml"
    summary = export(db, out, ExportFilter(countries=["IDN"]))
    assert summary.exported == 83
    _valid(schema, out)
    keys = {a.identifier for a in _activities(out)}
    assert all(k.startswith("ES-DIR3") for k in keys)
    summary = export(db, out, ExportFilter(reporting_org="XM-DAC-7", verified_only=True))
    acts = _activities(out)
    assert summary.exported == len(acts) == 13
    # Nothing is verified yet: the result framework is exported without values.
    values = [o for a in acts for r in a.results for i in r.indicators for o in i.observations]
    assert any(a.results for a in acts) and values == []
    # ... and the summary says how many wait for their review, and how to publish them
    waiting = [p.message for p in summary.problems if "wait for their review" in p.message]
    assert waiting == [
        "3 results of the exported activities wait for their review and are not published: "
        "verify them, or export with --all-results to publish submitted results too"
    ]
    everything = export(db, out, ExportFilter(reporting_org="XM-DAC-7", verified_only=False))
    assert not [p for p in everything.problems if "wait for their review" in p.message]


def test_updates_follow_last_updated_datetime(db: Database, tmp_path: Path) -> None:
    source = (FILES / "iati-example-v203.xml").read_text("utf-8")
    import_files(db, [FILES / "iati-example-v203.xml"])
    newer = tmp_path / "newer.xml"
    newer.write_text(
        source.replace(
            'last-updated-datetime="2018-06-22T10:22:07"',
            'last-updated-datetime="2019-01-01T00:00:00"',
            1,
        ).replace("ICTJ 2013-2014", "ICTJ 2013-2015", 1),
        "utf-8",
    )
    summary = import_files(db, [newer])
    assert (summary.created, summary.updated, summary.skipped) == (0, 1, 12)
    assert _records(db)["NL-1-PPR-24706"].title == {"nl": "ICTJ 2013-2015"}
    older = import_files(db, [FILES / "iati-example-v203.xml"])
    assert older.updated == 0 and older.skipped == 13
    assert any("newer version" in w.message for w in older.warnings)
    assert _records(db)["NL-1-PPR-24706"].title == {"nl": "ICTJ 2013-2015"}


HOSTILE = {
    "billion-laughs.xml": """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<iati-activities version="2.03"><iati-activity><iati-identifier>XM-1</iati-identifier>
<title><narrative>&lol3;</narrative></title></iati-activity></iati-activities>
""",
    "external-entity.xml": """<?xml version="1.0"?>
<!-- a comment first -->
<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<iati-activities version="2.03"><iati-activity><iati-identifier>XM-2</iati-identifier>
<title><narrative>&xxe;</narrative></title></iati-activity></iati-activities>
""",
}


def test_bombs_and_external_entities_are_refused_unread(db: Database, tmp_path: Path) -> None:
    import_files(db, [FILES / "iati-example-v203.xml"])
    before = _records(db)
    for name, text in HOSTILE.items():
        path = tmp_path / name
        path.write_text(text, "utf-8")
        for strict in (False, True):
            summary = import_file(db, path, strict=strict)
            (error,) = summary.errors
            assert error.file == name and error.element == "!DOCTYPE"
            assert error.line == (2 if name.startswith("billion") else 3)
            assert "DOCTYPE" in error.message
    undeclared = tmp_path / "undeclared.xml"
    undeclared.write_text(
        HOSTILE["external-entity.xml"].replace(
            '<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n', ""
        )
    )
    (error,) = import_file(db, undeclared).errors
    assert "Entity 'xxe' not defined" in error.message and error.line == 4
    assert _records(db) == before


def test_a_doctype_in_utf32_and_nested_activities_are_refused(db: Database, tmp_path: Path) -> None:
    """A DOCTYPE written in UTF-32 without a byte order mark (its defaults would set the
    status), and an activity inside another (reading it cleared its parent's elements):
    both refused at their line by import and by validate, and nothing stored."""
    before = _records(db)
    dtd = tmp_path / "utf32.xml"
    dtd.write_bytes(
        (
            '<!DOCTYPE iati-activities [<!ATTLIST activity-status code CDATA "4">]>\n'
            '<iati-activities version="2.03"><iati-activity xml:lang="en">'
            "<iati-identifier>XM-32</iati-identifier><activity-status/>"
            "</iati-activity></iati-activities>\n"
        ).encode("utf-32-le")
    )
    nested = tmp_path / "nested.xml"
    nested.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">\n'
        '<iati-activity xml:lang="en"><iati-identifier>XM-OUTER</iati-identifier>\n'
        "<iati-activity><iati-identifier>XM-INNER</iati-identifier></iati-activity>\n"
        "</iati-activity>\n</iati-activities>\n"
    )
    ruleset = load_ruleset("standard")
    for path, line, words in ((dtd, 1, "DOCTYPE"), (nested, 4, "inside <iati-activity>")):
        (error,) = import_file(db, path).errors
        assert words in error.message and error.line == line, error
        with pytest.raises(RefusedError) as refused:
            check_file(path, ruleset)
        assert words in refused.value.problems[0].message
    deep = tmp_path / "deep.xml"
    deep.write_text(
        '<iati-activities version="2.03"><iati-activity>'
        + "<a>" * 300
        + "</a>" * 300
        + "</iati-activity></iati-activities>"
    )
    (error,) = import_file(db, deep).errors
    # libxml2's advice to programmers (XML_PARSE_HUGE) is not passed on to the user
    assert "Excessive depth" in error.message and "XML_PARSE_HUGE" not in error.message
    assert "nesting deeper than 256 elements" in error.message
    assert _records(db) == before


def test_size_cap_and_broken_files_change_nothing(db: Database, tmp_path: Path) -> None:
    big = FILES / "ocha-test-data-v1.xml"
    (error,) = import_file(db, big, max_bytes=1024 * 1024).errors
    assert "above the limit" in error.message and error.file == big.name
    # A file that breaks off half-way: the activities before the break are not kept.
    text = (FILES / "es-maec-indonesia-v201.xml").read_text("utf-8")
    cut = tmp_path / "interrupted.xml"
    cut.write_text(text[: len(text) // 2], "utf-8")
    summary = import_file(db, cut)
    assert summary.created == 0 and "not well-formed" in summary.errors[0].message
    assert _count(db, WorkRow) == 0
    # The same when the break comes after whole batches have been written.
    body = text[text.index("<iati-activity>") : text.rindex("</iati-activities>")]
    copies = "".join(
        body.replace("<iati-identifier>ES-", f"<iati-identifier>R{n}-ES-") for n in range(8)
    )
    many = text[: text.index("<iati-activity>")] + copies
    long_cut = tmp_path / "long-interrupted.xml"
    long_cut.write_text(many + "<iati-activity><title>", "utf-8")
    summary = import_file(db, long_cut)
    assert summary.created == 0 and summary.errors[0].line
    assert _count(db, WorkRow) == 0
    # Re-running with the whole file then works.
    whole = tmp_path / "whole.xml"
    shutil.copy(FILES / "es-maec-indonesia-v201.xml", whole)
    assert import_file(db, whole).created == 83


def test_titles_and_descriptions_keep_every_language(db: Database, tmp_path: Path) -> None:
    text = (FILES / "iati-example-v203.xml").read_text("utf-8")
    marker = "<narrative>ICTJ 2013-2014</narrative>"
    assert marker in text
    path = tmp_path / "languages.xml"
    path.write_text(
        text.replace(
            marker,
            marker + '<narrative xml:lang="fr">ICTJ 2013-2014 (fr)</narrative>'
            '<narrative xml:lang="zh">国际过渡正义中心</narrative>',
            1,
        ),
        "utf-8",
    )
    import_files(db, [path])
    title = _records(db)["NL-1-PPR-24706"].title
    assert title == {"nl": "ICTJ 2013-2014", "fr": "ICTJ 2013-2014 (fr)", "zh": "国际过渡正义中心"}


def test_cli_import_and_export_with_json(
    db: Database, tmp_path: Path, schema: etree.XMLSchema
) -> None:
    runner = CliRunner()
    url = db.engine.url.render_as_string(hide_password=False)
    result = runner.invoke(app, ["import", "iati", *map(str, CURRENT), "--json", "--db", url])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["created"], data["updated"], data["skipped"], data["errors"]) == (96, 0, 0, [])
    out = tmp_path / "out.xml"
    result = runner.invoke(
        app, ["export", "iati", "--out", str(out), "--country", "IDN", "--json", "--db", url]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["exported"] == 83
    _valid(schema, out)
    # --prefix repeated selects the keys that start with any of them (it kept the last)
    both = runner.invoke(app, ["export", "iati", "--out", str(out), "--json", "--db", url,
                               "--prefix", "NL-1-PPR-24", "--prefix", "NL-1-PPR-25"])  # fmt: skip
    assert both.exit_code == 0, both.output
    assert {a.identifier for a in _activities(out)} == {"NL-1-PPR-24706", "NL-1-PPR-25275"}
    # an imported indicator is listed by its title, its code under it
    listed = runner.invoke(app, ["results", "list", "--work", "NL-1-PPR-24706", "--db", url])
    assert listed.exit_code == 0, listed.output
    lines = [line for line in listed.output.splitlines() if "iati." in line]
    assert lines, listed.output
    assert "Indicator title" in listed.output.split(lines[0])[0].splitlines()[-1]
    rows = json.loads(
        runner.invoke(
            app, ["results", "list", "--work", "NL-1-PPR-24706", "--json", "--db", url]
        ).stdout
    )
    assert {(r["indicator"][:5], r["indicator_name"]) for r in rows} == {
        ("iati.", "Indicator title")
    }
    # the template lists it by that title too (its only name is in Dutch), not by its code
    made = runner.invoke(app, ["template", "xlsx", "--out", str(tmp_path / "t.xlsx"), "--db", url])
    assert made.exit_code == 0, made.output
    book = openpyxl.load_workbook(tmp_path / "t.xlsx")
    listed = [str(c.value) for row in book.worksheets[-1].iter_rows() for c in row if c.value]
    assert any(v.startswith("Indicator title") for v in listed), listed[:20]
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(HOSTILE["billion-laughs.xml"], "utf-8")
    result = runner.invoke(app, ["import", "iati", str(bomb), "--json", "--db", url])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["errors"][0]["line"] == 2


def test_codes_are_checked_against_the_codelists(db: Database, tmp_path: Path) -> None:
    text = (FILES / "iati-example-v203.xml").read_text("utf-8")
    path = tmp_path / "codes.xml"
    wrong = (
        text.replace('<sector code="15220"', '<sector code="99999"', 1)
        .replace('default-currency="EUR"', 'default-currency="EUX"', 1)
        .replace('<recipient-region code="998"', '<recipient-region code="9999"', 1)
    )
    assert wrong != text
    path.write_text(wrong, "utf-8")
    summary = import_files(db, [path])
    assert summary.errors == [] and summary.created == 13
    found = {(w.element, w.message.split(" is not")[0]) for w in summary.warnings}
    assert ("sector", "sector '99999'") in found
    assert ("recipient-region", "region '9999'") in found
    assert ("iati-activity", "currency 'EUX'") in found
    # each at its line, but what the file gave that is not kept, said once for the file
    placed = [w for w in summary.warnings if not w.message.startswith(("not kept", "2 target"))]
    assert all(w.line and w.file == "codes.xml" for w in placed)


def test_a_missing_activity_date_is_said_not_dropped_silently(db: Database, tmp_path: Path) -> None:
    """An activity-date without its iso-date is left out with a warning at its line; an
    activity left with no date at all is named, since export needs one."""
    root = etree.parse(str(FILES / "iati-example-v203.xml")).getroot()
    first, second = [a for a in root if a.tag == "iati-activity"][:2]
    planned = next(d for d in first.iterchildren("activity-date") if d.get("type") == "1")
    del planned.attrib["iso-date"]
    for day in list(second.iterchildren("activity-date")):
        second.remove(day)
    path = tmp_path / "dates.xml"
    etree.ElementTree(root).write(str(path), xml_declaration=True, encoding="UTF-8")
    summary = import_files(db, [path])
    assert summary.errors == [] and summary.created == 13
    said = {(w.activity, w.element, w.message) for w in summary.warnings}
    ident1, ident2 = first.findtext("iati-identifier"), second.findtext("iati-identifier")
    assert (ident1, "activity-date", "activity date of type 1 has no iso-date; left out") in said
    assert any(
        a == ident2 and m.startswith("activity has no activity date; IATI requires at least one")
        for a, _e, m in said
    ), said
    line = next(w.line for w in summary.warnings if w.element == "activity-date")
    assert (
        line
        == etree.parse(str(path))
        .getroot()
        .xpath("//activity-date[@type='1'][not(@iso-date)]")[0]
        .sourceline
    )


def test_code_mappings_follow_the_shipped_codelists() -> None:
    """Greenfolio's own tables of IATI codes cover exactly the 2.03 codelists."""
    assert set(STATUS_BY_CODE) == codelists.codes("ActivityStatus")
    assert set(ROLE_BY_CODE) == codelists.codes("OrganisationRole")
    assert set(UNIT_BY_MEASURE) == codelists.codes("IndicatorMeasure")
    assert set(LEGACY_DATE_TYPES.values()) == codelists.codes("ActivityDateType")
    assert {"GBP", "USD", "EUR"} <= codelists.codes("Currency")
    assert "AN" not in codelists.codes("Country")  # withdrawn codes are not accepted


def test_a_repeated_identifier_names_where_it_was_first_read(db: Database, tmp_path: Path) -> None:
    root = etree.parse(str(FILES / "iati-example-v203.xml")).getroot()
    first = next(a for a in root if a.tag == "iati-activity")
    raw = etree.tostring(first).decode("utf-8")
    path = tmp_path / "twice.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">\n'
        f"{raw}\n{raw}\n</iati-activities>\n",
        "utf-8",
    )
    second_line = 3 + raw.count("\n") + 1
    summary = import_file(db, path)
    ident = first.findtext("iati-identifier")
    assert (summary.created, summary.refused) == (1, 1)
    found = [p for p in summary.problems if "already read" in p.message]
    assert [(p.line, p.activity) for p in found] == [(second_line, ident)]
    assert "was already read at twice.xml:3;" in found[0].message


def test_the_first_value_longer_than_its_column_is_named() -> None:
    from greenfolio.domain.iati import CodeShare, Money
    from greenfolio.services.exchange.iati_rows import too_long

    act = Activity(identifier="XM-1", language="en")
    assert too_long(act) is None
    act.money.append(Money("transaction", 1.0, "1" * 9, "EUR", None))
    act.sectors.append(CodeShare("1" * 41, "1"))
    # sectors are checked before money, as the store's columns are listed
    assert too_long(act) == ("sector code", 41, 40)
    act.sectors.clear()
    assert too_long(act) == ("transaction type", 9, 8)


TWO_YEAR_BUDGET = """<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03">
 <iati-activity xml:lang="en" default-currency="EUR">
  <iati-identifier>XM-DAC-41123-BUDGET</iati-identifier>
  <reporting-org ref="XM-DAC-41123" type="40"><narrative>UNIDO</narrative></reporting-org>
  <title><narrative>Two years in one budget</narrative></title>
  <description><narrative>A budget for 2020 and 2021 together.</narrative></description>
  <activity-status code="2"/>
  <activity-date type="1" iso-date="2020-01-01"/>
  <recipient-country code="DZ"/>
  <sector vocabulary="1" code="41020"/>
  <budget type="1" status="1">
   <period-start iso-date="2020-01-01"/><period-end iso-date="2021-12-31"/>
   <value value-date="2020-01-01">1000</value>
  </budget>
 </iati-activity>
</iati-activities>
"""


def test_export_says_a_budget_longer_than_a_year(db: Database, tmp_path: Path) -> None:
    """A data manager's finding: export wrote a two-year budget without a word, and
    `validate iati` then refused it (IATI rule 7.5.3, an error)."""
    source = tmp_path / "budget.xml"
    source.write_text(TWO_YEAR_BUDGET, "utf-8")
    assert import_file(db, source).created == 1
    out = tmp_path / "out.xml"
    summary = export(db, out, ExportFilter(prefix="XM-DAC-41123-BUDGET"))
    assert summary.exported == 1
    said = [p.message for p in summary.problems if "7.5.3" in p.message]
    assert said and said[0].startswith("a budget covers more than a year")
    failed = {f.case.rule_id for f in check_file(out, load_ruleset("standard")).findings}
    assert "7.5.3" in failed
