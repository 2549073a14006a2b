"""``import iati --rules``: IATI's data-quality rules in the import's own streaming pass.

Without ``--strict`` every finding is a warning and every activity is imported; with
``--strict`` an activity that breaks a rule the ruleset calls an error is refused and the
rest of the file is imported (exit 4). Each finding names the activity, the line and the
XPath, in the text summary and in ``--json``.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from greenfolio.interfaces.cli.app import app
from greenfolio.services.database import Database
from greenfolio.store.tables import WorkRow

runner = CliRunner()

START_RULE = (
    "Each <iati-activity> must have at least one of: activity-date[@type='1' or @type='2']. "
    "IATI says: The activity must have a planned start date or an actual start date."
)
AID_TYPE_RULE = "In each <iati-activity>, when count(default-aid-type[not(@vocabulary='')])"

# Two activities, valid against the 2.03 schema (so --strict keeps the file): the first
# breaks only a warning rule of the standard ruleset (107.1.1, an aid type from another
# vocabulary without the DAC one), the second only an error rule (6.11.1, no start date).
TWO = """
<iati-activities version="2.03" generated-datetime="2024-01-01T00:00:00Z">
  <iati-activity last-updated-datetime="2023-05-01T00:00:00Z" xml:lang="en" default-currency="USD">
    <iati-identifier>XM-DAC-41114-GOOD-1</iati-identifier>
    <reporting-org ref="XM-DAC-41114" type="40"><narrative>UNDP</narrative></reporting-org>
    <title><narrative>Good activity</narrative></title>
    <description type="1"><narrative>Replacing chillers.</narrative></description>
    <participating-org ref="XM-DAC-41114" role="4" type="40">
      <narrative>UNDP</narrative></participating-org>
    <activity-status code="2"/>
    <activity-date type="1" iso-date="2020-01-01"/>
    <activity-date type="3" iso-date="2022-12-31"/>
    <recipient-country code="ID" percentage="100"/>
    <sector vocabulary="1" code="41010" percentage="100"/>
    <default-aid-type code="1" vocabulary="2"/>
  </iati-activity>
  <iati-activity last-updated-datetime="2023-05-01T00:00:00Z" xml:lang="en" default-currency="USD">
    <iati-identifier>XM-DAC-41114-BAD-2</iati-identifier>
    <reporting-org ref="XM-DAC-41114" type="40"><narrative>UNDP</narrative></reporting-org>
    <title><narrative>Activity without a start date</narrative></title>
    <description type="1"><narrative>Dates missing.</narrative></description>
    <participating-org ref="XM-DAC-41114" role="4" type="40">
      <narrative>UNDP</narrative></participating-org>
    <activity-status code="2"/>
    <activity-date type="3" iso-date="2022-12-31"/>
    <recipient-country code="ID" percentage="100"/>
    <sector vocabulary="1" code="41010" percentage="100"/>
  </iati-activity>
</iati-activities>
"""


def _file(tmp_path: Path) -> Path:
    path = tmp_path / "two.xml"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n' + TWO.lstrip(), encoding="utf-8")
    return path


def _import(db: Database, *args: str) -> tuple[int, str, str]:
    url = db.engine.url.render_as_string(hide_password=False)
    result = runner.invoke(app, ["import", "iati", *args, "--db", url])
    return result.exit_code, result.stdout, result.stderr


def _keys(db: Database) -> set[str]:
    with db.transaction() as session:
        return set(session.scalars(select(WorkRow.key)))


def test_rules_are_warnings_by_default_and_everything_is_imported(
    db: Database, tmp_path: Path
) -> None:
    code, out, _err = _import(db, str(_file(tmp_path)), "--rules", "standard", "--json")
    assert code == 0, out
    data = json.loads(out)
    assert (data["created"], data["refused"], data["errors"]) == (2, 0, [])
    by_message = {w["message"]: w for w in data["warnings"]}
    start = by_message[START_RULE]
    assert (start["activity"], start["line"], start["xpath"]) == (
        "XM-DAC-41114-BAD-2",
        17,
        "/iati-activities/iati-activity",
    )
    assert start["detail"] == "none of them is there"
    (aid,) = [w for m, w in by_message.items() if m.startswith(AID_TYPE_RULE)]
    assert (aid["activity"], aid["line"]) == ("XM-DAC-41114-GOOD-1", 3)
    assert {"XM-DAC-41114-GOOD-1", "XM-DAC-41114-BAD-2"} <= _keys(db)


def test_strict_refuses_the_activity_that_breaks_an_error_rule(
    db: Database, tmp_path: Path
) -> None:
    path = _file(tmp_path)
    code, out, _err = _import(db, str(path), "--rules", "standard", "--strict", "--json")
    assert code == 4, out
    data = json.loads(out)
    assert (data["created"], data["refused"]) == (1, 1)
    (error,) = data["errors"]
    assert error == {
        "severity": "error",
        "message": START_RULE,
        "file": "two.xml",
        "line": 17,
        "activity": "XM-DAC-41114-BAD-2",
        "xpath": "/iati-activities/iati-activity",
        "detail": "none of them is there",
    }
    # the ruleset calls the aid-type rule a warning: it stays one, and its activity is in
    assert any(w["message"].startswith(AID_TYPE_RULE) for w in data["warnings"])
    keys = _keys(db)
    assert "XM-DAC-41114-GOOD-1" in keys and "XM-DAC-41114-BAD-2" not in keys


def test_the_text_summary_groups_each_rule_with_its_places(db: Database, tmp_path: Path) -> None:
    code, out, err = _import(db, str(_file(tmp_path)), "--rules", "standard", "--strict")
    assert code == 4
    assert "imported 1 (created 1, updated 0, unchanged 0); refused 1 activity" in out
    text = " ".join(err.split())
    assert (
        f"{START_RULE} (two.xml:17, activity XM-DAC-41114-BAD-2, /iati-activities/iati-activity)"
    ) in text


def test_without_rules_no_rule_runs(db: Database, tmp_path: Path) -> None:
    code, out, _err = _import(db, str(_file(tmp_path)), "--strict", "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["created"] == 2
    assert not [w for w in data["warnings"] if "xpath" in w]


def test_an_unreadable_ruleset_stops_before_anything_is_imported(
    db: Database, tmp_path: Path
) -> None:
    bad = tmp_path / "rules.json"
    bad.write_text('{"/iati-activities/iati-activity": {"atleast_one": {"cases": [{}]}}', "utf-8")
    code, _out, err = _import(db, str(_file(tmp_path)), "--rules", str(bad))
    assert code == 2
    assert "rules.json is not valid JSON" in " ".join(err.split())
    code, _out, err = _import(db, str(_file(tmp_path)), "--rules", "nonesuch")
    assert code == 2
    assert "give standard or the path of a ruleset JSON file" in " ".join(err.split())
    assert not {"XM-DAC-41114-GOOD-1", "XM-DAC-41114-BAD-2"} & _keys(db)


def _many(tmp_path: Path, n: int) -> Path:
    """``n`` activities that each break the start-date rule (an error rule)."""
    head, rest = TWO.split("<iati-activity ", 1)
    bad = "<iati-activity " + rest.split("<iati-activity ", 1)[1].rsplit("</iati-activities>")[0]
    body = "".join(bad.replace("BAD-2", f"BAD-{i}") for i in range(n))
    path = tmp_path / "many.xml"
    path.write_text(head + body + "</iati-activities>\n", encoding="utf-8")
    return path


def test_an_import_lists_the_first_findings_of_each_rule_and_counts_the_rest(
    db: Database, tmp_path: Path
) -> None:
    from greenfolio.services.exchange.iati_import import import_file
    from greenfolio.services.exchange.iati_rules import load_ruleset

    path, rules = _many(tmp_path, 5), load_ruleset("standard")
    full = import_file(db, path, rules=rules, keep=None)
    capped = import_file(db, path, rules=rules, keep=2)
    started = [p for p in full.warnings if p.message == START_RULE]
    assert [p.activity for p in started] == [f"XM-DAC-41114-BAD-{i}" for i in range(5)]
    kept = [p for p in capped.warnings if p.message == START_RULE]
    assert kept == started[:2]
    (more,) = [p for p in capped.warnings if p.message.startswith(START_RULE + " (")]
    assert more.message == f"{START_RULE} (and 3 more not listed: only the first 2 are)"
    assert capped.written == full.written == 5


def test_a_capped_strict_import_still_says_why_each_activity_is_refused(
    db: Database, tmp_path: Path
) -> None:
    from greenfolio.services.exchange.iati_import import import_file
    from greenfolio.services.exchange.iati_rules import load_ruleset

    path = _many(tmp_path, 4)
    summary = import_file(db, path, rules=load_ruleset("standard"), strict=True, keep=1)
    assert summary.refused == 4 and summary.written == 0
    assert [p.activity for p in summary.errors if p.message == START_RULE] == [
        f"XM-DAC-41114-BAD-{i}" for i in range(4)
    ]
    assert not [p for p in summary.problems if p.message.startswith(START_RULE + " (")]


def test_a_capped_import_counts_every_finding_it_does_not_list(
    db: Database, tmp_path: Path
) -> None:
    """Past the cap a rule's failures are only counted (no finding is made for them):
    for every rule, what is listed and what the closing warning says add up to the
    findings of an import without the cap, on a real file with many of them."""
    import re

    from greenfolio.services.exchange.iati_import import import_file
    from greenfolio.services.exchange.iati_rules import load_ruleset

    path = Path(__file__).parent / "data" / "iati" / "files" / "es-maec-indonesia-v201.xml"
    rules = load_ruleset("standard")
    full = import_file(db, path, rules=rules, keep=None)
    capped = import_file(db, path, rules=rules, keep=3)
    counts: dict[str, int] = {}
    for p in full.warnings:
        if p.xpath:
            counts[p.message] = counts.get(p.message, 0) + 1
    assert max(counts.values()) > 3  # the cap is reached
    listed: dict[str, int] = {}
    for p in capped.warnings:
        more = re.fullmatch(r"(.*) \(and (\d+) more not listed: only the first 3 are\)", p.message)
        if more:
            listed[more[1]] = listed.get(more[1], 0) + int(more[2])
        elif p.xpath:
            listed[p.message] = listed.get(p.message, 0) + 1
    assert listed == counts
    shown = [p.message for p in capped.warnings if p.xpath]
    assert all(shown.count(m) <= 3 for m in set(shown))
