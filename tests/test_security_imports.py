"""Imports that never clobber and never run away (issue 12, items 3, 4, 5 and 9), on
SQLite and PostgreSQL: a hand-entered project is not overwritten by an IATI activity of
the same key unless asked, and then every row changed is audited; partial imports have
their own exit code and summary; wrong encodings, hostile workbooks and control
characters are refused with a message and change nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from greenfolio.domain.exchange import RefusedError
from greenfolio.interfaces.cli.app import app
from greenfolio.services import portfolio
from greenfolio.services.database import Database
from greenfolio.services.exchange.iati_import import import_file
from greenfolio.services.exchange.xlsx_limits import Limits, check_zip
from greenfolio.store.tables import AuditEventRow, ResultRow, WorkRow
from tests.conftest import DATA

EXAMPLE = DATA / "iati" / "files" / "iati-example-v203.xml"
APR = DATA / "mlf" / "apr-sample-2024.xlsx"
HAND_KEY = "NL-1-PPR-24706"  # an activity of the example file
SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def _url(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)


def _work(db: Database, key: str) -> dict[str, object]:
    with db.transaction() as session:
        row = session.scalar(select(WorkRow).where(WorkRow.key == key))
        assert row is not None
        return {
            "title": dict(row.title),
            "origin": row.origin,
            "countries": sorted(c.country for c in row.countries),
            "version": row.version,
        }


def _events_since(db: Database, first: int) -> list[AuditEventRow]:
    with db.transaction() as session:
        rows = list(
            session.scalars(
                select(AuditEventRow).where(AuditEventRow.id > first).order_by(AuditEventRow.id)
            )
        )
        session.expunge_all()
        return rows


def _last_event(db: Database) -> int:
    with db.transaction() as session:
        return int(session.scalar(select(func.max(AuditEventRow.id))) or 0)


def _hand_project(db: Database) -> None:
    portfolio.register_work(
        db,
        portfolio.WorkSpec(
            key=HAND_KEY,
            kind="project",
            title={"en": "Transitional justice", "fr": "Justice transitionnelle"},
            countries=["KHM", "IDN"],
        ),
    )


def test_iati_import_does_not_overwrite_a_hand_entered_project(db: Database) -> None:
    _hand_project(db)
    before = _work(db, HAND_KEY)
    summary = import_file(db, EXAMPLE)
    assert (summary.created, summary.updated, summary.refused) == (12, 0, 1)
    (error,) = summary.errors
    assert error.activity == HAND_KEY and error.line
    assert f"key '{HAND_KEY}' is already stored" in error.message
    assert "entered by hand" in error.message and "--update-existing" in error.message
    assert _work(db, HAND_KEY) == before

    # The command line: a partial import exits 4 with one summary line.
    runner = CliRunner()
    result = runner.invoke(app, ["import", "iati", str(EXAMPLE), "--db", _url(db)])
    assert result.exit_code == 4, result.output
    assert "refused 1 activity" in result.stdout and "imported 12" in result.stdout
    assert _work(db, HAND_KEY) == before
    data = json.loads(
        runner.invoke(app, ["import", "iati", str(EXAMPLE), "--json", "--db", _url(db)]).stdout
    )
    assert data["refused"] == 1 and len(data["errors"]) == 1 and data["reasons"]

    # Asked explicitly: the project is replaced and the change is in the audit trail.
    mark = _last_event(db)
    result = runner.invoke(
        app, ["import", "iati", str(EXAMPLE), "--update-existing", "--db", _url(db)]
    )
    assert result.exit_code == 0, result.output
    after = _work(db, HAND_KEY)
    assert after["origin"] == "iati" and after["title"] == {"nl": "ICTJ 2013-2014"}
    events = _events_since(db, mark)
    (change,) = [e for e in events if e.entity == "work_item" and e.action == "update"]
    assert change.before["title"] == before["title"]
    assert sorted(c["country"] for c in change.before["work_country"]) == ["IDN", "KHM"]
    assert change.after["origin"] == "iati"
    assert not [e for e in events if e.entity.startswith("work_") and e.entity_id == "*"]

    # Re-importing the same file (the project now came from it) keeps working.
    again = import_file(db, EXAMPLE)
    assert (again.errors, again.skipped, again.refused) == ([], 13, 0)

    # An imported project edited by hand is no longer the import's to overwrite.
    portfolio.register_work(
        db,
        portfolio.WorkSpec(key=HAND_KEY, kind="project", title={"en": "Edited after import"}),
    )
    edited = import_file(db, EXAMPLE)
    assert edited.refused == 1 and "entered by hand" in edited.errors[0].message
    assert _work(db, HAND_KEY)["title"] == {"en": "Edited after import"}


def _activity_with_periods(periods: int, title: str, updated: str, plus: int = 0) -> str:
    rows = "".join(
        f'<period><period-start iso-date="{2000 + i // 12}-{i % 12 + 1:02d}-01"/>'
        f'<period-end iso-date="{2000 + i // 12}-{i % 12 + 1:02d}-28"/>'
        f'<actual value="{i + plus}"/></period>'
        for i in range(periods)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">'
        f'<iati-activity last-updated-datetime="{updated}" xml:lang="en">'
        "<iati-identifier>XM-TEST-AUDIT</iati-identifier>"
        '<reporting-org ref="XM-TEST" type="40"><narrative>Test</narrative></reporting-org>'
        f"<title><narrative>{title}</narrative></title>"
        '<activity-status code="2"/>'
        '<result type="1"><title><narrative>Output</narrative></title>'
        '<indicator measure="1"><title><narrative>Trained</narrative></title>'
        f"{rows}</indicator></result>"
        "</iati-activity></iati-activities>\n"
    )


def test_updates_of_imported_projects_are_audited_row_by_row(db: Database, tmp_path: Path) -> None:
    """More results than the audit trail records one by one in a single statement."""
    path = tmp_path / "audit.xml"
    path.write_text(_activity_with_periods(1100, "First", "2020-01-01T00:00:00"), "utf-8")
    assert import_file(db, path).created == 1
    mark = _last_event(db)
    # every value changed: each result is revised in place, each with its own event
    path.write_text(_activity_with_periods(1100, "Second", "2021-01-01T00:00:00", 1), "utf-8")
    summary = import_file(db, path)
    assert (summary.updated, summary.errors) == (1, [])
    events = _events_since(db, mark)
    actions = {(e.action, e.entity) for e in events}
    assert ("update", "work_item") in actions
    assert not [e for e in events if e.entity_id == "*"], "an update recorded only as a count"
    results = [e for e in events if e.entity == "result"]
    revised = {e.entity_id for e in results if e.before is not None and e.after is not None}
    assert len(revised) == 1100
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ResultRow)) == 1100
    # none given any more: each result removed has its own event
    mark = _last_event(db)
    path.write_text(_activity_with_periods(0, "Third", "2022-01-01T00:00:00"), "utf-8")
    assert import_file(db, path).updated == 1
    gone = [e for e in _events_since(db, mark) if e.entity == "result"]
    assert not [e for e in gone if e.entity_id == "*"]
    assert len({e.entity_id for e in gone if e.before is not None and e.after is None}) == 1100
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ResultRow)) == 0


# --- encodings and control characters in IATI files (items 5 and 9) --------------------

_BODY = (
    '<iati-activities version="2.03"><iati-activity xml:lang="fr">'
    "<iati-identifier>XM-ENC-1</iati-identifier>"
    "<title><narrative>Café à Dakar</narrative></title></iati-activity></iati-activities>\n"
)


def test_a_wrong_encoding_declaration_is_refused_not_stored_as_mojibake(
    db: Database, tmp_path: Path
) -> None:
    cases = {
        "latin1-declared-utf8-bytes.xml": ("ISO-8859-1", "utf-8", "'é' would be stored as 'Ã©'"),
        "cp1252-declared-utf8-bytes.xml": ("windows-1252", "utf-8", "bytes are UTF-8"),
        "utf8-declared-latin1-bytes.xml": ("UTF-8", "latin-1", "saved as Latin-1"),
        "undeclared-latin1-bytes.xml": (None, "latin-1", "save it as UTF-8"),
    }
    for name, (declared, encoding, says) in cases.items():
        path = tmp_path / name
        head = f'<?xml version="1.0" encoding="{declared}"?>\n' if declared else ""
        path.write_bytes(head.encode("ascii") + _BODY.encode(encoding))
        summary = import_file(db, path)
        (error,) = summary.errors
        assert says in error.message and error.file == name and error.line, error
        assert (summary.created, summary.refused_files) == (0, 1)
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(WorkRow)) == 0
    # A file whose declaration is right imports, accents intact.
    right = tmp_path / "latin1-right.xml"
    right.write_bytes(b'<?xml version="1.0" encoding="ISO-8859-1"?>\n' + _BODY.encode("latin-1"))
    assert import_file(db, right).created == 1
    assert _work(db, "XM-ENC-1")["title"] == {"fr": "Café à Dakar"}


def test_control_characters_in_iati_text_refuse_the_activity(db: Database, tmp_path: Path) -> None:
    text = EXAMPLE.read_text("utf-8")
    marker = "<narrative>ICTJ 2013-2014</narrative>"
    path = tmp_path / "c1.xml"
    # XML 1.0 cannot carry U+0000-U+001F (the parser refuses them); U+0080-U+009F it can.
    path.write_text(text.replace(marker, "<narrative>ICTJ\u0085 2013-2014</narrative>", 1))
    summary = import_file(db, path)
    (error,) = summary.errors
    assert error.activity == HAND_KEY and error.element == "narrative"
    assert "control character (U+0085) at character 5" in error.message
    assert (summary.created, summary.refused) == (12, 1)
    nul = tmp_path / "nul.xml"
    nul.write_text(text.replace(marker, "<narrative>ICTJ&#0; 2013</narrative>", 1))
    assert import_file(db, nul).refused_files == 1


# --- hostile workbooks (item 4) and formulas without values (item 9) ---------------------

XLSX_WORK = "xlsx-limits"
SHEET = "xl/worksheets/sheet1.xml"  # the Results sheet of a written template
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_MEASURE = """
import json, resource, sys
from pathlib import Path
from greenfolio.services.database import Database
from greenfolio.services.exchange.xlsx_import import import_results
calls = []
summary = import_results(Database.open(sys.argv[2]), Path(sys.argv[1]),
                         progress=lambda done, total, stage: calls.append(done))
print(json.dumps({"rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "errors": [str(p) for p in summary.errors], "progress": calls[-3:]}))
"""


def _template(db: Database, tmp_path: Path) -> Path:
    from greenfolio.services.exchange.xlsx_template import write_template

    portfolio.register_work(
        db, portfolio.WorkSpec(key=XLSX_WORK, kind="project", title={"en": "Limits"})
    )
    return write_template(db, ["pops_destroyed"], tmp_path / "template.xlsx")


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _sheet_head() -> bytes:
    from greenfolio.services.exchange.xlsx_template import HEADERS

    cells = "".join(_inline(f"{chr(65 + i)}1", label) for i, label in enumerate(HEADERS.values()))
    return f'<worksheet xmlns="{_NS}"><sheetData><row r="1">{cells}</row>'.encode()


def _rows(first: int, last: int) -> Iterator[bytes]:
    for n in range(first, last + 1):
        yield (
            f'<row r="{n}">{_inline(f"A{n}", XLSX_WORK)}{_inline(f"B{n}", "pops_destroyed")}'
            f'<c r="C{n}"><v>{n}</v></c></row>'
        ).encode()


def _with_sheet(template: Path, out: Path, parts: Iterable[bytes], extra: int = 0) -> Path:
    """A copy of ``template`` whose Results sheet is ``parts`` (streamed into the zip)."""
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            if entry.filename == SHEET:
                with target.open(
                    zipfile.ZipInfo(SHEET), "w", force_zip64=True
                ) as sheet:  # deflated below
                    for part in parts:
                        sheet.write(part)
            else:
                target.writestr(entry, source.read(entry.filename))
        for n in range(extra):
            target.writestr(f"xl/media/pad{n}.bin", b"")
    return out


def _measure(path: Path, db: Database) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path), _url(db)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _deflated(template: Path, out: Path, parts: Iterable[bytes]) -> Path:
    with (
        zipfile.ZipFile(template) as source,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as target,
    ):
        for entry in source.infolist():
            if entry.filename == SHEET:
                info = zipfile.ZipInfo(SHEET)
                info.compress_type = zipfile.ZIP_DEFLATED
                with target.open(info, "w", force_zip64=True) as sheet:
                    for part in parts:
                        sheet.write(part)
            else:
                target.writestr(entry, source.read(entry.filename))
    return out


@SQLITE
def test_hostile_workbooks_are_refused_unread_in_little_memory(
    db: Database, tmp_path: Path
) -> None:
    from greenfolio.services.exchange.xlsx_import import import_results

    template = _template(db, tmp_path)
    # Too many parts: refused before anything is unpacked (the memory baseline).
    many = _with_sheet(
        template, tmp_path / "many.xlsx", [_sheet_head(), b"</sheetData></worksheet>"], 2100
    )
    baseline = _measure(many, db)
    (error,) = baseline["errors"]
    assert "parts, more than the 2,000 accepted" in error
    row = b"".join(_rows(2, 2)) * 1000
    # 300 MiB of sheet XML that packs into a few MiB: refused by its unpacked size.
    bomb = _deflated(
        template, tmp_path / "bomb.xlsx", [_sheet_head(), *([row * 4] * (300 * 1024 // 200))]
    )
    assert bomb.stat().st_size < 8 * 1024**2
    found = _measure(bomb, db)
    (error,) = found["errors"]
    assert "unpacks to" in error and "refused unread" in error
    assert found["rss_mib"] < baseline["rss_mib"] + 30, found
    # 40 MiB that packs 100 times smaller: refused by the ratio.
    dense = _deflated(
        template, tmp_path / "dense.xlsx", [_sheet_head(), *([row * 4] * (40 * 1024 // 200))]
    )
    (problem,) = import_results(db, dense).errors
    assert f"the part '{SHEET}' unpacks" in problem.message and "zip bomb" in problem.message
    # Parts openpyxl holds whole (shared strings, styles) have a cap of their own.
    with pytest.raises(RefusedError, match=r"unpacks to 0 MiB, more than the 0 MiB accepted"):
        check_zip(template, Limits(part=100))
    check_zip(template)
    # More rows than the cap: streamed with progress, refused at the cap, memory flat.
    long = _deflated(
        template,
        tmp_path / "long.xlsx",
        [
            _sheet_head(),
            *(f'<row r="{n}"><c r="C{n}"><v>1</v></c></row>'.encode() for n in range(2, 120_001)),
            b"</sheetData></worksheet>",
        ],
    )
    found = _measure(long, db)
    (error,) = found["errors"]
    assert "goes on past row 100,000" in error and "split the data" in error
    assert found["progress"] and max(found["progress"]) >= 99_000
    assert found["rss_mib"] < baseline["rss_mib"] + 60, found
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ResultRow)) == 0


def test_a_formula_without_a_saved_value_is_named_as_such(db: Database, tmp_path: Path) -> None:
    import openpyxl

    from greenfolio.services.exchange.xlsx_import import import_results

    template = _template(db, tmp_path)
    book = openpyxl.load_workbook(template)
    sheet = book["Results"]
    sheet.append([XLSX_WORK, "pops_destroyed", "=2+3", "t"])
    sheet.append([XLSX_WORK, "pops_destroyed", 4, "t", None, None, None, None, "\u009bCHN"])
    book.save(tmp_path / "formula.xlsx")
    summary = import_results(db, tmp_path / "formula.xlsx")
    messages = {(p.row, p.column): p.message for p in summary.errors}
    assert "formula with no saved value" in messages[(2, "C (Value)")]
    assert "open the file in a spreadsheet program and save it" in messages[(2, "C (Value)")]
    assert "control character (U+009B) at character 1" in messages[(3, "I (Country)")]
    assert summary.created == 0
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ResultRow)) == 0


def test_values_longer_than_the_store_keeps_refuse_the_activity(
    db: Database, tmp_path: Path
) -> None:
    """Found by the import fuzzing: PostgreSQL refused the whole file with a database
    error where SQLite kept the value; both now leave the one activity out, saying why."""
    text = EXAMPLE.read_text("utf-8")
    cases = {
        "xml:lang of the activity is 40 characters long; the store keeps at most 12": (
            'xml:lang="nl"',
            'xml:lang="' + "x" * 40 + '"',
        ),
        "an organisation ref is 200 characters long; the store keeps at most 120": (
            '<reporting-org ref="XM-DAC-7"',
            '<reporting-org ref="' + "X" * 200 + '"',
        ),
    }
    for n, (says, (old, new)) in enumerate(cases.items()):
        path = tmp_path / f"long-{n}.xml"
        path.write_text(text.replace(old, new, 1), "utf-8")
        summary = import_file(db, path)
        (error,) = summary.errors
        assert says in error.message and error.activity == HAND_KEY, error
        assert summary.refused == 1 and summary.written == 12


@SQLITE
def test_apr_import_refuses_whole_file_over_a_hand_entered_project(db: Database) -> None:
    from greenfolio.services.exchange.mlf_apr import import_apr, read

    projects, _, _ = read(APR)
    key = projects[0].activity.identifier
    portfolio.register_work(
        db, portfolio.WorkSpec(key=key, kind="project", title={"en": "Typed in by hand"})
    )
    summary = import_apr(db, APR)
    assert summary.written == 0 and summary.refused_files == 1
    assert any(f"key '{key}' is already stored" in e.message for e in summary.errors)
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(WorkRow)) == 1
    assert _work(db, key)["title"] == {"en": "Typed in by hand"}
    result = CliRunner().invoke(app, ["import", "mlf-apr", str(APR), "--db", _url(db)])
    assert result.exit_code == 2 and "--update-existing" in result.output
    replaced = import_apr(db, APR, update_existing=True)
    assert replaced.errors == [] and replaced.created == len(projects) - 1
    assert replaced.updated == 1 and _work(db, key)["origin"] == "mlf-apr"


def test_partial_import_summary_groups_the_reasons(db: Database, tmp_path: Path) -> None:
    text = EXAMPLE.read_text("utf-8")
    path = tmp_path / "two-bad.xml"
    stamp = 'last-updated-datetime="2018-06-22T10:22:07"'
    path.write_text(text.replace(stamp, 'last-updated-datetime="yesterday"', 3), "utf-8")
    result = CliRunner().invoke(app, ["import", "iati", str(path), "--db", _url(db)])
    assert result.exit_code == 4, result.output
    first, *_ = result.stdout.splitlines()
    refused = import_file(db, path).refused
    assert refused == 3 and "imported 10" in first and "refused 3 activities" in first
    assert "refused:" in result.stderr
    assert "3 × last-updated-datetime 'yesterday' is not a date and time (e.g. two-bad.xml:3" in (
        result.stderr
    )


def test_an_imports_messages_quote_what_the_file_holds_and_name_the_activity(
    db: Database, tmp_path: Path
) -> None:
    """An IATI data manager's findings: values were quoted as Python writes them
    ('1522\\t0', "Z'Z"); an activity refused for its stamp was not named; and one refused
    for a control character in its title was also told it had no title."""
    text = EXAMPLE.read_text("utf-8")
    first = text.index("<iati-activity ")
    second = text.index("<iati-activity ", first + 1)
    head, one, rest = text[:first], text[first:second], text[second:]
    one = one.replace(
        'last-updated-datetime="2018-06-22T10:22:07"', 'last-updated-datetime="2018-13-45"'
    )
    rest = rest.replace("<narrative>", "<narrative>A\u0085", 1)  # the next activity's title
    rest = rest.replace('<recipient-country code="', "<recipient-country code=\"Z'", 1)
    path = tmp_path / "said.xml"
    path.write_text(head + one + rest, "utf-8")
    summary = import_file(db, path)
    said = [str(p) for p in summary.problems]
    stamp = [p for p in summary.problems if "last-updated-datetime" in p.message]
    assert len(stamp) == 1 and stamp[0].activity == "NL-1-PPR-24706", said
    assert stamp[0].message == "last-updated-datetime '2018-13-45' is not a date and time"
    control = [p for p in summary.problems if "control character (U+0085)" in p.message]
    assert len(control) == 1 and control[0].activity is not None
    assert not [
        p for p in summary.problems if p.activity == control[0].activity and "no title" in p.message
    ]
    country = [p.message for p in summary.problems if p.message.startswith("country 'Z'")]
    assert country and all("\\" not in m and '"' not in m for m in country), country
    assert summary.refused == 2


def _with_part(template: Path, out: Path, name: str, parts: Iterable[bytes]) -> Path:
    """A copy of ``template`` whose part ``name`` is ``parts``, deflated."""
    with (
        zipfile.ZipFile(template) as source,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            if entry.filename != name:
                target.writestr(entry, source.read(entry.filename))
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        with target.open(info, "w", force_zip64=True) as part:
            for chunk in parts:
                part.write(chunk)
    return out


def _styles(formats: int) -> Iterator[bytes]:
    yield (
        f'<styleSheet xmlns="{_NS}"><fonts count="1"><font><sz val="11"/></font></fonts>'
        '<fills count="1"><fill/></fills><borders count="1"><border/></borders><cellXfs>'
    ).encode()
    for n in range(formats):
        yield f'<xf numFmtId="{n % 997}" fontId="0" fillId="0" borderId="0"/>'.encode()
    yield b"</cellXfs></styleSheet>"


@SQLITE
def test_styles_of_a_million_small_formats_are_refused_unread(db: Database, tmp_path: Path) -> None:
    """Sizes alone let a few MB of <xf/> through (within 64 MiB, packing under 100×),
    which openpyxl turned into 1.5 GB of objects: the elements are counted first."""
    template = _template(db, tmp_path)
    fine = _with_part(template, tmp_path / "fine.xlsx", "xl/styles.xml", _styles(1_000))
    baseline = _measure(fine, db)  # an import of a workbook of 1,000 formats
    many = _with_part(template, tmp_path / "styles.xlsx", "xl/styles.xml", _styles(700_000))
    assert many.stat().st_size < 4 * 1024**2
    found = _measure(many, db)
    (error,) = found["errors"]
    assert "'xl/styles.xml' holds more than 150,000 XML elements" in error, error
    assert found["rss_mib"] < baseline["rss_mib"] + 30, (found, baseline)
    # Excel's own cap on cell formats: a workbook within it is read
    formats = _with_part(template, tmp_path / "formats.xlsx", "xl/styles.xml", _styles(70_000))
    with pytest.raises(RefusedError, match="70,000 cell formats, more than the 65,490"):
        check_zip(formats)
    check_zip(fine)


def test_a_reference_to_a_control_character_is_said_in_the_readers_words(
    db: Database, tmp_path: Path
) -> None:
    """libxml2 says "xmlParseCharRef: invalid xmlChar value 1": the name of its own
    function, which a data manager cannot act on."""
    path = tmp_path / "ref.xml"
    text = EXAMPLE.read_text("utf-8").replace("ICTJ 2013-2014", "ICTJ&#1;2013", 1)
    path.write_text(text, "utf-8")
    summary = import_file(db, path)
    assert summary.refused_files == 1
    (problem,) = summary.problems
    assert "xmlParseCharRef" not in problem.message
    assert "a character reference (&#1;) names U+0001, a character XML cannot hold" in (
        problem.message
    )
    assert problem.line == 9


def test_a_code_iati_does_not_know_is_left_out_not_stored_for_export(
    db: Database, tmp_path: Path
) -> None:
    """An IATI data manager's finding: sector '1522<tab>0' was stored with a warning, and
    the export published it without a word."""
    from greenfolio.services.exchange.iati_load import load_activities

    text = EXAMPLE.read_text("utf-8")
    text = text.replace('<sector code="15220">', '<sector code="1522&#9;0">', 1)
    path = tmp_path / "codes.xml"
    path.write_text(text, "utf-8")
    summary = import_file(db, path)
    said = [p.message for p in summary.problems]
    assert "sector '1522<U+0009>0' is not in the IATI Sector (DAC 5-digit) codelist; left out" in (
        said
    )
    with db.transaction() as session:
        wid = session.scalar(select(WorkRow.id).where(WorkRow.key == "NL-1-PPR-24706"))
        (record,) = load_activities(session, [wid])
    assert all("\t" not in s.code for s in record.sectors)
