"""IATI data-quality rules: IATI's own meta tests, messages in three languages, exit codes.

The meta tests are IATI-Rulesets' ``meta_tests.sh`` (branch version-2.03): each active
line names a ruleset, a file and whether the file must pass. Every one is run through
``greenfolio validate iati``, which must exit 0 for a file that passes and 5 for one
that fails.
"""

from __future__ import annotations

import codecs
import dataclasses
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from greenfolio.interfaces.cli.app import app
from greenfolio.services.exchange import iati_rules
from tests.conftest import DATA

RULESETS = DATA / "iati" / "rulesets-2.03"
META = RULESETS / "meta_tests"
runner = CliRunner()


def meta_cases() -> list[tuple[str, str, bool]]:
    """The active ``test RULESET FILE EXPECTED`` lines of meta_tests.sh."""
    cases = []
    for line in (RULESETS / "meta_tests.sh").read_text().splitlines():
        m = re.fullmatch(r"test (\S+) (\S+) (True|False)", line.strip())
        if m:
            cases.append((m[1], m[2], m[3] == "True"))
    return cases


def validate(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, ["validate", "iati", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def test_meta_tests_sh_has_83_active_cases() -> None:
    cases = meta_cases()
    assert len(cases) == 83
    assert sum(1 for *_x, passes in cases if passes) == 47


@pytest.mark.parametrize(("ruleset", "file", "passes"), meta_cases())
def test_meta_case(ruleset: str, file: str, passes: bool) -> None:
    code, out, _err = validate(META / f"{file}.xml", "--rules", META / f"{ruleset}.json")
    assert code == (0 if passes else 5), out


def _write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


TWO_BAD = """<?xml version="1.0"?>
<iati-activities version="2.03">
  <iati-activity>
    <iati-identifier>XM-DAC-7-1</iati-identifier>
    <activity-date type="start-planned" iso-date="2021-07-01"/>
    <activity-date type="end-planned" iso-date="2014-03-01"/>
  </iati-activity>
  <iati-activity>
    <iati-identifier>XM-DAC-7-2</iati-identifier>
    <activity-date type="start-planned" iso-date="2020-01-01"/>
    <activity-date type="end-planned" iso-date="2019-12-31"/>
  </iati-activity>
  <iati-activity>
    <iati-identifier>XM-DAC-7-3</iati-identifier>
    <activity-date type="start-planned" iso-date="2019-01-01"/>
    <activity-date type="end-planned" iso-date="2019-12-31"/>
  </iati-activity>
</iati-activities>
"""


def test_messages_in_english_group_repeated_failures(tmp_path: Path) -> None:
    path = _write(tmp_path, "dates.xml", TWO_BAD)
    code, out, _err = validate(path, "--rules", META / "date_order.json")
    assert code == 5
    lines = out.splitlines()
    assert lines[0] == (
        "error: In each <iati-activity>, the date activity-date[@type='start-planned']/@iso-date "
        "must not be later than activity-date[@type='end-planned']/@iso-date. (occurrences: 2)"
    )
    assert lines[1] == (
        "  activity XM-DAC-7-1, line 5, /iati-activities/iati-activity/activity-date[1]/@iso-date: "
        "2021-07-01 is later than 2014-03-01"
    )
    assert lines[2] == (
        "  activity XM-DAC-7-2, line 10, "
        "/iati-activities/iati-activity/activity-date[1]/@iso-date: "
        "2020-01-01 is later than 2019-12-31"
    )
    assert lines[3] == (
        "dates.xml: activities checked: 3; with at least one finding: 2; rules that fail: 1 "
        "(errors: 1, warnings: 0); ruleset “date_order.json”."
    )


def test_messages_in_french_and_chinese(tmp_path: Path) -> None:
    path = _write(tmp_path, "dates.xml", TWO_BAD)
    code, out, _err = validate(path, "--rules", META / "date_order.json", "--lang", "fr")
    assert code == 5
    assert out.splitlines()[0].startswith(
        "erreur\u00a0: Dans chaque élément <iati-activity>, la date "
        "activity-date[@type='start-planned']/@iso-date ne doit pas être postérieure à "
    )
    assert out.splitlines()[1] == (
        "  activité XM-DAC-7-1, ligne 5, /iati-activities/iati-activity/activity-date[1]/@iso-date"
        "\u00a0: 2021-07-01 est postérieure à 2014-03-01"
    )
    code, out, _err = validate(path, "--rules", META / "date_order.json", "--lang", "zh")
    assert code == 5
    assert out.splitlines()[0].startswith("错误：在每个 <iati-activity> 中，日期 ")
    assert out.splitlines()[0].endswith("。（出现次数：2）")
    assert out.splitlines()[1] == (
        "  活动 XM-DAC-7-1，第 5 行，/iati-activities/iati-activity/activity-date[1]/@iso-date："
        "2021-07-01 晚于 2014-03-01"
    )


def test_standard_ruleset_message_severity_and_json_in_arabic(tmp_path: Path) -> None:
    body = """<iati-activities version="2.03"><iati-activity xml:lang="en" default-currency="USD">
  <iati-identifier> XM-DAC-7-1</iati-identifier>
  <reporting-org ref="XM-DAC-7"><narrative>Ministry</narrative></reporting-org>
</iati-activity></iati-activities>"""
    path = _write(tmp_path, "a.xml", body)
    code, out, _err = validate(path, "--json", "--lang", "ar")
    assert code == 5
    data = json.loads(out)
    assert data["kind"] == "activity" and data["checked"] == 1 and not data["passed"]
    by_id = {g["rule_id"]: g for g in data["findings"]}
    spaces = by_id["1.3.1"]  # iati-identifier must not start with a space: a warning
    assert spaces["severity"] == "warning"
    assert spaces["rule"] == "no_spaces"
    assert spaces["message"] == (
        "في كل عنصر <iati-activity>، يجب ألا يبدأ iati-identifier أو ينتهي بمسافات أو فواصل أسطر."
    )
    assert spaces["ruleset_message"].startswith("The iati-identifier should not start")
    assert spaces["xpaths"] == ["/iati-activities/iati-activity/iati-identifier"]
    assert spaces["occurrences"] == [
        {
            "activity": "XM-DAC-7-1",
            "line": 2,
            "xpath": "/iati-activities/iati-activity/iati-identifier",
            "found": "القيمة « XM-DAC-7-1»",
            "values": {"value": " XM-DAC-7-1"},
        }
    ]
    start_date = by_id["6.11.1"]  # no start date: an error
    assert start_date["severity"] == "error"
    assert data["errors"] >= 1 and data["warnings"] >= 1


COMPLIANT = """<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03" generated-datetime="2024-01-01T00:00:00">
  <iati-activity last-updated-datetime="2024-01-01T00:00:00" xml:lang="en" default-currency="USD">
    <iati-identifier>XM-DAC-41114-PROJ-1</iati-identifier>
    <reporting-org ref="XM-DAC-41114" type="40"><narrative>UNDP</narrative></reporting-org>
    <title><narrative>Solar pumps</narrative></title>
    <description type="1"><narrative>Solar irrigation pumps.</narrative></description>
    <participating-org ref="XM-DAC-41114" role="4"/>
    <activity-status code="2"/>
    <activity-date type="1" iso-date="2020-01-01"/>
    <activity-date type="2" iso-date="2020-02-01"/>
    <activity-date type="3" iso-date="2025-12-31"/>
    <recipient-country code="KE"/>
    <sector vocabulary="1" code="23230"/>
    <default-aid-type code="C01"/>
    <budget type="1" status="1">
      <period-start iso-date="2021-01-01"/><period-end iso-date="2021-12-31"/>
      <value value-date="2021-01-01">1000</value>
    </budget>
    <transaction>
      <transaction-type code="3"/><transaction-date iso-date="2021-03-01"/>
      <value value-date="2021-03-01">500</value>
      <receiver-org ref="KE-RCO-1"><narrative>Farmers</narrative></receiver-org>
    </transaction>
    <result type="1">
      <title><narrative>Pumps installed</narrative></title>
      <indicator measure="1"><title><narrative>Pumps</narrative></title>
        <baseline year="2020" value="0"/>
        <period><period-start iso-date="2021-01-01"/><period-end iso-date="2021-12-31"/>
          <target value="10"/><actual value="8"/></period>
      </indicator>
    </result>
  </iati-activity>
</iati-activities>
"""


def test_a_compliant_activity_passes_the_standard_ruleset(tmp_path: Path) -> None:
    code, out, _err = validate(_write(tmp_path, "ok.xml", COMPLIANT))
    assert code == 0, out
    assert out.strip() == (
        "ok.xml: every rule of the ruleset “standard” passes; activities checked: 1."
    )


def test_organisation_file_uses_the_organisation_rules(tmp_path: Path) -> None:
    body = """<iati-organisations version="2.03"><iati-organisation
        last-updated-datetime="2024-01-01T00:00:00" default-currency="USD" xml:lang="en">
  <organisation-identifier>XM-DAC-41114</organisation-identifier>
  <reporting-org ref="XM-DAC-41114" type="40"/>
  <total-budget><period-start iso-date="2020-01-01"/><period-end iso-date="2021-06-30"/>
    <value value-date="2020-01-01">10</value></total-budget>
</iati-organisation></iati-organisations>"""
    code, out, _err = validate(_write(tmp_path, "org.xml", body), "--json")
    assert code == 5
    data = json.loads(out)
    assert data["kind"] == "organisation"
    assert [g["rule_id"] for g in data["findings"]] == ["7.5.3"]
    occurrence = data["findings"][0]["occurrences"][0]
    assert occurrence["organisation"] == "XM-DAC-41114"
    assert occurrence["found"] == "2020-01-01 to 2021-06-30 is longer than a year"


def test_loop_substitutes_each_value(tmp_path: Path) -> None:
    code, out, _err = validate(META / "forloop_bad.xml", "--rules", META / "forloop.json")
    assert code == 5
    assert "For the value “2” of sector[@vocabulary != '1']/@vocabulary:" in out
    assert "sector[@vocabulary = '2']/@percentage must add up to 100" in out
    assert "they add up to 110" in out
    code, _out, _err = validate(META / "forloop_good.xml", "--rules", META / "forloop.json")
    assert code == 0


def test_loop_value_cannot_change_the_expression(tmp_path: Path) -> None:
    # a vocabulary value with a quote is compared as text, not pasted into the XPath
    body = """<iati-activities><iati-activity>
    <sector vocabulary="2' or '1'='1" percentage="50"/>
    <sector vocabulary="3" percentage="100"/></iati-activity></iati-activities>"""
    code, out, _err = validate(_write(tmp_path, "q.xml", body), "--rules", META / "forloop.json")
    assert code == 5
    assert "they add up to 50" in out


def test_camel_case_rule_names_and_unknown_rule_types(tmp_path: Path) -> None:
    camel = _write(
        tmp_path,
        "camel.json",
        json.dumps({"//iati-activity": {"atLeastOne": {"cases": [{"paths": ["title"]}]}}}),
    )
    assert validate(META / "title.xml", "--rules", camel)[0] == 0
    assert validate(META / "empty_activity.xml", "--rules", camel)[0] == 5
    unknown = _write(
        tmp_path,
        "unknown.json",
        json.dumps({"//iati-activity": {"at_most": {"cases": [{"paths": ["title"]}]}}}),
    )
    code, _out, err = validate(META / "title.xml", "--rules", unknown)
    assert code == 2
    assert "context '//iati-activity', rule 'at_most'" in err
    assert "not a rule type" in err


def test_malformed_ruleset_is_refused(tmp_path: Path) -> None:
    bad_xpath = _write(
        tmp_path,
        "x.json",
        json.dumps({"//iati-activity": {"atleast_one": {"cases": [{"paths": ["title[["]}]}}}),
    )
    code, _out, err = validate(META / "title.xml", "--rules", bad_xpath)
    assert code == 2 and "title[[" in err and "case 1" in err
    not_json = _write(tmp_path, "n.json", "{")
    code, _out, err = validate(META / "title.xml", "--rules", not_json)
    assert code == 2 and "not valid JSON" in err
    code, _out, err = validate(META / "title.xml", "--rules", "nonesuch")
    assert code == 2 and "no ruleset 'nonesuch'" in err


@pytest.mark.parametrize(
    ("name", "body", "said"),
    [
        ("broken.xml", "<iati-activities><iati-activity>", "not well-formed XML"),
        ("empty.xml", "", "not well-formed XML"),
        (
            "dtd.xml",
            '<!DOCTYPE x [<!ENTITY a "b">]><iati-activities/>',
            "document type declaration",
        ),
        ("other.xml", "<catalogue><item/></catalogue>", "not an IATI file"),
        (
            "swapped.xml",
            '<iati-organisations version="2.03">\n<iati-activity/></iati-organisations>',
            "swapped.xml:2: <iati-activity> inside <iati-organisations>",
        ),
    ],
)
def test_unreadable_input_exits_2(tmp_path: Path, name: str, body: str, said: str) -> None:
    code, out, err = validate(_write(tmp_path, name, body))
    assert code == 2
    assert said in err
    assert out == ""


def test_missing_file_exits_2_also_with_json(tmp_path: Path) -> None:
    code, out, err = validate(tmp_path / "absent.xml", "--json")
    assert code == 2
    assert json.loads(out)["readable"] is False
    assert "no such file" in err


def test_unknown_language_exits_2() -> None:
    code, _out, err = validate(META / "title.xml", "--lang", "de")
    assert code == 2 and "ar, zh, en, fr, ru, es" in err


def test_check_activity_works_on_an_element_in_a_larger_tree() -> None:
    """The import's own pass hands over one element of the tree it is streaming."""
    from lxml import etree

    root = etree.fromstring(TWO_BAD.encode())
    ruleset = iati_rules.load_ruleset(str(META / "date_order.json"))
    env = iati_rules.default_env(datetime(2024, 1, 1, tzinfo=UTC))
    first = iati_rules.check_activity(root[0], ruleset, env)
    third = iati_rules.check_activity(root[2], ruleset, env)
    assert [(f.activity, f.line) for f in first] == [("XM-DAC-7-1", 5)]
    assert third == []
    assert len(root) == 3  # nothing moved or changed


def test_date_now_uses_the_time_given() -> None:
    ruleset = iati_rules.load_ruleset(str(META / "date_now.json"))
    good = META / "date_now_good.xml"  # last updated 2018-10-24
    early = iati_rules.default_env(datetime(2017, 1, 1, tzinfo=UTC))
    late = iati_rules.default_env(datetime(2019, 1, 1, tzinfo=UTC))
    assert not iati_rules.check_file(good, ruleset, env=early).passed
    assert iati_rules.check_file(good, ruleset, env=late).passed


def test_every_message_template_exists_in_six_languages() -> None:
    from greenfolio.services.exchange.iati_rules_text import messages

    for section, entries in messages().items():
        for key, texts in entries.items():
            assert set(texts) == {"ar", "zh", "en", "fr", "ru", "es"}, (section, key)
            fields = {set(re.findall(r"{(\w+)}", t)).__len__() for t in texts.values()}
            assert len(fields) == 1, (section, key, texts)


def _without_shortcuts(ruleset: iati_rules.Ruleset) -> iati_rules.Ruleset:
    """The same ruleset with no case or context ever skipped."""
    return iati_rules.Ruleset(
        ruleset.name,
        tuple(
            (
                ctx,
                None,
                tuple(
                    dataclasses.replace(c, needs=None, fails=None, ups=None, loop_fails=None)
                    for c in cases
                ),
            )
            for ctx, _needs, cases in ruleset.contexts
        ),
    )


@pytest.mark.parametrize(
    "path",
    [
        *sorted((DATA / "iati" / "files").glob("*.xml")),
        META / "between_dates_bad.xml",
        META / "one_or_all_org_currency_bad.xml",
    ],
    ids=lambda p: p.name,
)
def test_shortcuts_change_no_finding(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Skipping cases by element names or by one XPath of the plain cases' failures,
    evaluating in place instead of on a copy, and reading plain paths without XPath are
    only faster: every finding stays the same as with every case evaluated in full."""
    from greenfolio.services.exchange import iati_rule_eval

    env = iati_rules.default_env(datetime(2024, 6, 1, tzinfo=UTC))
    standard = iati_rules.load_ruleset("standard")
    fast = iati_rules.check_file(path, standard, env=env)

    def key(f: iati_rules.Finding) -> tuple[object, ...]:
        return (f.case.uid, f.activity, f.line, f.path, f.detail, sorted(f.params.items()))

    monkeypatch.setattr(iati_rule_eval, "_simple", lambda expr: None)
    slow = iati_rules.check_file(path, _without_shortcuts(standard), env=env)
    assert fast.checked == slow.checked > 0
    assert sorted(map(key, fast.findings)) == sorted(map(key, slow.findings))


def test_findings_as_import_problems_follow_the_ruleset_severity(tmp_path: Path) -> None:
    """What ``import iati --rules standard`` would report: warnings, errors under strict."""
    from lxml import etree

    from greenfolio.domain.exchange import Severity
    from greenfolio.services.exchange.iati_rules_text import as_problems

    body = """<iati-activities version="2.03"><iati-activity xml:lang="en" default-currency="USD">
  <iati-identifier> XM-DAC-7-1</iati-identifier>
  <reporting-org ref="XM-DAC-7"><narrative>Ministry</narrative></reporting-org>
</iati-activity></iati-activities>"""
    activity = etree.fromstring(body.encode())[0]
    env = iati_rules.default_env(datetime(2024, 1, 1, tzinfo=UTC))
    findings = iati_rules.check_activity(activity, iati_rules.load_ruleset("standard"), env)
    relaxed = as_problems(findings, "a.xml")
    assert {p.severity for p in relaxed} == {Severity.WARNING}
    strict = {p.message: p for p in as_problems(findings, "a.xml", strict=True)}
    spaces = strict[
        "In each <iati-activity>, iati-identifier must not begin or end with spaces or line "
        "breaks. IATI says: The iati-identifier should not start or end with spaces or newlines."
    ]
    assert spaces.severity is Severity.WARNING  # the ruleset calls it a warning
    assert str(spaces) == (
        "a.xml:2, activity XM-DAC-7-1, /iati-activities/iati-activity/iati-identifier: In each "
        "<iati-activity>, iati-identifier must not begin or end with spaces or line breaks. "
        "IATI says: The iati-identifier should not start or end with spaces or newlines. "
        "(the value “ XM-DAC-7-1”)"
    )
    start = strict[
        "Each <iati-activity> must have at least one of: activity-date[@type='1' or @type='2']. "
        "IATI says: The activity must have a planned start date or an actual start date."
    ]
    assert start.severity is Severity.ERROR  # the ruleset calls it an error


def test_huge_files_keep_counting_but_list_only_the_first_places(tmp_path: Path) -> None:
    from greenfolio.services.exchange.iati_rules_text import report_data, text_lines

    activities = "".join(
        f"<iati-activity><iati-identifier>A-{i}</iati-identifier><title/></iati-activity>"
        for i in range(7)
    )
    whole = f'<iati-activities version="2.03">{activities}</iati-activities>'
    path = _write(tmp_path, "many.xml", whole)
    ruleset = iati_rules.load_ruleset(str(META / "title_text_exists.json"))
    report = iati_rules.check_file(path, ruleset, keep=3)
    assert len(report.findings) == 3
    data = report_data(report, "en")
    assert data["with_findings"] == 7
    (only,) = data["findings"]
    assert (only["count"], only["listed"]) == (7, 3)
    assert [o["activity"] for o in only["occurrences"]] == ["A-0", "A-1", "A-2"]
    lines = text_lines(data, "en", shown=2)
    assert lines[0].endswith("(occurrences: 7)")
    assert lines[3] == "  … and 5 more (--json lists more of them)"


@pytest.mark.parametrize("lang", ["ar", "zh", "en", "fr", "ru", "es"])
def test_every_meta_case_reads_in_every_language(lang: str) -> None:
    """Each rule type's sentence and each kind of finding fill in without a gap."""
    from greenfolio.services.exchange.iati_rules_text import report_data, text_lines

    env = iati_rules.default_env(datetime(2024, 1, 1, tzinfo=UTC))
    extra = [
        ("forloop", "forloop_bad", False),
        ("sector_percentage_sum", "sector_percentage_sum_bad", False),
        ("recipient_country", "recipient_country_bad", False),
    ]
    runs = [
        (iati_rules.load_ruleset(str(META / f"{ruleset}.json")), META / f"{file}.xml", passes)
        for ruleset, file, passes in [*meta_cases(), *extra]
    ]
    standard = iati_rules.load_ruleset("standard")
    runs += [(standard, p, False) for p in sorted((DATA / "iati" / "files").glob("*.xml"))]
    seen = set()
    for ruleset, path, passes in runs:
        data = report_data(iati_rules.check_file(path, ruleset, env=env), lang)
        lines = text_lines(data, lang)
        assert not any(re.search(r"{[a-z_]+}", line) for line in lines), lines
        seen |= {g["rule"] for g in data["findings"]}
        assert passes or data["findings"]
    assert seen >= {
        "atleast_one",
        "between_dates",
        "date_now",
        "date_order",
        "dependent",
        "if_then",
        "no_more_than_one",
        "one_or_all",
        "only_one_of",
        "range",
        "regex_matches",
        "regex_no_matches",
        "startswith",
        "strict_sum",
        "sum",
        "time_limit",
        "unique",
    }


@pytest.mark.parametrize(("ruleset", "file", "passes"), meta_cases())
def test_shortcuts_change_no_finding_in_the_meta_cases(
    ruleset: str, file: str, passes: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same comparison on every meta case: its own ruleset, its own file."""
    from greenfolio.services.exchange import iati_rule_eval

    env = iati_rules.default_env(datetime(2024, 6, 1, tzinfo=UTC))
    rules = iati_rules.load_ruleset(str(META / f"{ruleset}.json"))
    path = META / f"{file}.xml"
    fast = iati_rules.check_file(path, rules, env=env)

    def key(f: iati_rules.Finding) -> tuple[object, ...]:
        return (f.case.uid, f.activity, f.line, f.path, f.detail, sorted(f.params.items()))

    monkeypatch.setattr(iati_rule_eval, "_simple", lambda expr: None)
    slow = iati_rules.check_file(path, _without_shortcuts(rules), env=env)
    assert sorted(map(key, fast.findings)) == sorted(map(key, slow.findings))
    assert fast.passed is passes


@pytest.mark.parametrize(
    "expression",
    [
        "count(/iati-activities/iati-activity) = 1",
        "count(../iati-activity) = 1",
        "count(preceding-sibling::iati-activity | following-sibling::iati-activity) = 0",
        "count(//iati-identifier) = 1",
    ],
)
def test_an_expression_that_looks_outside_the_activity_sees_it_alone(
    tmp_path: Path, expression: str
) -> None:
    """Evaluated in place, these would see the neighbours in the streamed tree; such a
    context runs on a copy of the activity in its own document, as IATI's validator does."""
    from lxml import etree

    rules = {
        "/iati-activities/iati-activity": {"evaluates_to_true": {"cases": [{"eval": expression}]}}
    }
    path = _write(tmp_path, "outside.json", json.dumps(rules))
    ruleset = iati_rules.load_ruleset(str(path))
    root = etree.fromstring(TWO_BAD.encode())
    env = iati_rules.default_env(datetime(2024, 1, 1, tzinfo=UTC))
    assert [iati_rules.check_activity(a, ruleset, env) for a in root] == [[], [], []]
    assert iati_rules.check_file(_write(tmp_path, "three.xml", TWO_BAD), ruleset).passed


EDGES = """<?xml version="1.0"?>
<iati-activities version="2.03">
{activities}
</iati-activities>"""
EDGE_ACTIVITY = """<iati-activity last-updated-datetime="{updated}">
  <iati-identifier>XM-DAC-7-{n}</iati-identifier>
  <recipient-country code="KE" percentage="{percentage}"/>
  <budget><period-start iso-date="{start}"/><period-end iso-date="{end}"/>
    <value value-date="{start}">10</value></budget>
</iati-activity>"""
EDGE_VALUES = [
    # last updated: long ago, the day before now in a zone far behind (later than now
    # in UTC), today written with spaces, tomorrow; budget periods a year long from 29
    # February and from 1 January, a day longer, written with spaces; percentages at a
    # bound, past it by less than a double can tell, written otherwise
    ("2010-01-01T00:00:00Z", "2020-02-29", "2021-02-28", "100"),
    ("2024-05-31T20:00:00-49:00", "2020-02-29", "2021-03-01", "0"),
    (" 2024-06-01T00:00:01Z", "2020-01-01", "2021-01-01", "100.00000000000000001"),
    ("2024-06-02", "2020-01-01", "2021-01-02", "1e2"),
    ("2024-05-31T23:59:59+01:00", " 2020-01-01", "2021-01-02", " 100"),
    ("2024-05-25T00:00:00-99:59", "2020-01-01", " 2021-01-02", "-0"),
]


def test_shortcuts_for_dates_near_now_periods_near_a_year_and_bounds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The markers of date_now, time_limit and range skip a case only where it passes:
    the findings at the edges are those of every case evaluated in full."""
    from greenfolio.services.exchange import iati_rule_eval

    activities = "\n".join(
        EDGE_ACTIVITY.format(n=n, updated=u, start=s, end=e, percentage=p)
        for n, (u, s, e, p) in enumerate(EDGE_VALUES)
    )
    path = _write(tmp_path, "edges.xml", EDGES.format(activities=activities))
    env = iati_rules.default_env(datetime(2024, 6, 1, tzinfo=UTC))
    standard = iati_rules.load_ruleset("standard")
    fast = iati_rules.check_file(path, standard, env=env)

    def key(f: iati_rules.Finding) -> tuple[object, ...]:
        return (f.case.uid, f.activity, f.line, f.path, f.detail, sorted(f.params.items()))

    wanted = {("date_now", 1), ("date_now", 2), ("date_now", 3), ("range", 2)}
    wanted |= {("time_limit", 1), ("time_limit", 3), ("time_limit", 4), ("time_limit", 5)}
    found = {
        (f.case.rule, int(f.activity.rsplit("-", 1)[1]))
        for f in fast.findings
        if f.case.rule in ("date_now", "time_limit", "range")
    }
    assert found == wanted
    monkeypatch.setattr(iati_rule_eval, "_simple", lambda expr: None)
    slow = iati_rules.check_file(path, _without_shortcuts(standard), env=env)
    assert sorted(map(key, fast.findings)) == sorted(map(key, slow.findings))


def test_a_total_is_written_as_the_readers_language_writes_numbers() -> None:
    """A newcomer's review: `validate iati --lang fr` said "leur total est 16.66"."""
    path = DATA / "iati" / "files" / "es-maec-indonesia-v201.xml"
    french = runner.invoke(app, ["validate", "iati", str(path), "--rules", "standard",
                                 "--lang", "fr"]).output  # fmt: skip
    assert "leur total est 16,66" in french and "16.66" not in french
    english = runner.invoke(app, ["validate", "iati", str(path), "--rules", "standard"]).output
    assert "they add up to 16.66" in english


def test_iatis_own_sentence_is_kept_in_every_language() -> None:
    """A newcomer's review: with --lang fr the rule's plain sentence (IATI's, in English)
    was dropped, leaving only its XPath form. It is given, said to be in English."""
    example = DATA / "iati" / "files" / "iati-example-v203.xml"
    code, out, _err = validate(example, "--rules", "standard", "--lang", "fr")
    assert code == 5
    assert (
        "  Texte de la règle IATI (en anglais)\u00a0: The activity should also declare an aid "
        "type code from aid type vocabulary 1 - OECD DAC."
    ) in out.splitlines()


def test_a_1_0x_file_is_said_to_be_one() -> None:
    """A newcomer's review: validating the World Bank's 1.0x file reported every title
    missing its narrative (1.0x has none), and nothing said the file was of the old
    standard. The report says so first, in the reader's language, and --json has the
    version."""
    old = DATA / "iati" / "files" / "worldbank-v1.xml"
    code, out, _ = validate(old)
    assert code == 5 and out.splitlines()[0].startswith("note: this file is IATI version 1.0")
    _, french, _ = validate(old, "--lang", "fr")
    assert french.splitlines()[0].startswith("Remarque\u00a0: ce fichier suit la version 1.0")
    code, data, _ = validate(old, "--json")
    assert json.loads(data)["version"].startswith("1.")
    _, current, _ = validate(DATA / "iati" / "files" / "iati-example-v203.xml")
    assert "1.0x" not in current
    # a file that states no version is read by import iati as a 1.0x one: said alike
    # (an IATI data manager's finding: OCHA's file was checked as 2.0x without a word)
    unstated = DATA / "iati" / "files" / "ocha-test-data-v1.xml"
    code, out, _ = validate(unstated)
    assert out.splitlines()[0].startswith("note: this file states no IATI version"), out[:300]
    assert "import iati reads it as the 1.0x standard" in out.splitlines()[0]
    _, chinese, _ = validate(unstated, "--lang", "zh")
    assert chinese.splitlines()[0].startswith("注意：此文件未注明 IATI 版本")


UNREADABLE = {
    # file text (None: a folder; "": no file), what the English says, its message id
    "malformed": ('<?xml version="1.0"?>\n<iati-activities version="2.03"><iati-activity>\n'
                  "</iati-activities>", "not well-formed XML", "not_well_formed"),
    "doctype": ('<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "b">]>\n<iati-activities/>',
                "document type declaration", "doctype_unread"),
    "text": ("# notes\n", "this is not XML", "not_xml_text"),
    "root": ('<?xml version="1.0"?>\n<activities/>', "the root element is <activities>",
             "root_not_iati"),
    "nested": ('<?xml version="1.0"?>\n<iati-activities version="2.03"><iati-activity>'
               "<iati-activity/></iati-activity></iati-activities>",
               "<iati-activity> inside <iati-activity>", "nested"),
    "namespaced": ('<?xml version="1.0"?>\n<iati-activities xmlns="urn:x" version="2.03"/>',
                   'the root element is <iati-activities xmlns="urn:x">', "root_not_iati"),
    "missing": ("", "no such file", "no_such_file"),
    "folder": (None, "is a folder", "folder"),
    "utf32": (codecs.BOM_UTF32_LE + '<iati-activities version="2.03"/>'.encode("utf-32-le"),
              "UTF-32 with a byte-order mark", "utf32_bom"),
    "latin": (b'<?xml version="1.0"?>\n<iati-activities version="2.03"><iati-activity>'
              b"<iati-identifier>caf\xe9</iati-identifier></iati-activity></iati-activities>",
              "the bytes are not in the encoding", "not_well_formed_hint"),
    "charref": ('<?xml version="1.0"?>\n<iati-activities version="2.03"><iati-activity>'
                "<iati-identifier>&#1;</iati-identifier></iati-activity></iati-activities>",
                "a character reference", "not_well_formed_only"),
}  # fmt: skip


def _unreadable(tmp_path: Path, case: str) -> Path:
    text = UNREADABLE[case][0]
    path = tmp_path / f"{case}.xml"
    if text is None:
        path.mkdir()
    elif isinstance(text, bytes):
        path.write_bytes(text)
    elif text:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("case", sorted(UNREADABLE))
@pytest.mark.parametrize("lang", ["fr", "ar", "zh", "ru", "es"])
def test_a_file_that_cannot_be_read_is_said_in_the_readers_language(
    tmp_path: Path, case: str, lang: str
) -> None:
    """Issue 14 asks every message of `validate iati` in six languages; a file that could
    not be read was refused in English whatever --lang said (a reviewer's finding)."""
    from greenfolio.services.exchange.iati_rules_text import say

    path = _unreadable(tmp_path, case)
    english, key = UNREADABLE[case][1], UNREADABLE[case][2]
    code, _out, err = validate(path, "--lang", lang)
    assert code == 2, err
    assert english not in err and say("ui", "error", lang) in err, err
    # the sentence is the messages file's, with the file's own values in it
    fixed = re.split(r"{\w+}", say("file", key, lang, **dict.fromkeys(_PARAMS, "{x}")))
    assert all(part in err for part in fixed if len(part) > 3), (fixed, err)
    code, out, _err = validate(path, "--lang", lang, "--json")
    problem = json.loads(out)["problems"][0]
    assert code == 2 and english not in problem["message"]


_PARAMS = ("message", "opening", "tag", "element", "parent", "expected", "size", "limit", "hint")


@pytest.mark.parametrize("lang", ["fr", "zh"])
def test_a_ruleset_that_cannot_be_read_is_said_in_the_readers_language(
    tmp_path: Path, lang: str
) -> None:
    from greenfolio.services.exchange.iati_rules_text import messages

    not_json = _write(tmp_path, "n.json", "{")
    binary = tmp_path / "b.json"
    binary.write_bytes(b"%PDF-1.4\n\xe2\xe3\xcf\xd3")
    for given, key in (("nonesuch", "ruleset_missing"), (not_json, "ruleset_not_json"),
                       (binary, "ruleset_not_text")):  # fmt: skip
        code, out, err = validate(META / "title.xml", "--rules", given, "--lang", lang, "--json")
        assert code == 2 and "ruleset" not in err and "codec" not in err, err
        first = re.split(r"{\w+}", messages()["file"][key][lang])[0]
        assert first in err and first in json.loads(out)["problems"][0]["message"]


def test_a_rule_on_some_elements_only_says_which() -> None:
    """8.9.1 asks a target's value only of indicators measured 1 to 4 (a data manager's
    finding: the sentence said every target)."""
    code, out, _err = validate(DATA / "iati" / "files" / "iati-example-v203.xml", "--lang", "fr")
    assert code == 5
    line = next(x for x in out.splitlines() if "8.9.1" in x)
    assert "dans chaque result/indicator[@measure='1'" in line


def test_a_file_without_activities_is_said_to_have_none(tmp_path: Path) -> None:
    empty = _write(tmp_path, "empty.xml", '<iati-activities version="2.03"/>')
    code, out, _err = validate(empty, "--lang", "es")
    assert code == 0 and "el archivo no contiene ninguna actividad" in out


def test_a_file_that_cannot_be_read_is_said_as_before_in_english(tmp_path: Path) -> None:
    for case, (_text, english, _key) in UNREADABLE.items():
        code, _out, err = validate(_unreadable(tmp_path, case), "--lang", "en")
        assert code == 2 and english in err and err.startswith("error: "), (case, err)


def test_every_kind_of_unreadable_file_has_its_words() -> None:
    from greenfolio.services.exchange import file_kind
    from greenfolio.services.exchange.iati_rules_text import messages

    kinds = {*file_kind._NOT_XML, "text", "binary"}
    assert {f"not_xml_{k}" for k in kinds} <= set(messages()["file"])


def test_a_loop_rule_goes_on_in_lower_case_after_its_value() -> None:
    """A data manager's review: « … de recipient-region/@vocabulary : Dans chaque »."""
    path = DATA / "iati" / "files" / "es-maec-indonesia-v201.xml"
    _code, out, _err = validate(path, "--lang", "fr")
    assert "de recipient-region/@vocabulary\u00a0: dans chaque élément" in out
    assert ": Dans chaque" not in out


def test_validate_takes_a_size_limit_as_import_does(tmp_path: Path) -> None:
    """Its refusal of a large file named --max-size, which only import took."""
    padding = "<!--" + "x" * 1_200_000 + "-->"
    big = _write(
        tmp_path, "big.xml", f'<iati-activities version="2.03">{padding}</iati-activities>'
    )
    code, _out, err = validate(big, "--max-size", "1", "--lang", "fr")
    assert code == 2 and "au-delà de la limite de 1,0\u00a0Mio" in err and "--max-size" in err
    code, _out, _err = validate(big, "--max-size", "2")
    assert code == 0


def test_an_unnamed_activity_is_said_by_its_place_in_the_file(tmp_path: Path) -> None:
    bare = _write(
        tmp_path, "bare.xml", '<iati-activities version="2.03"><iati-activity/></iati-activities>'
    )
    _code, out, _err = validate(bare, "--lang", "fr")
    assert "activité nº\u00a01 du fichier (sans iati-identifier)" in out and "#1" not in out
    _code, out, _err = validate(bare, "--lang", "fr", "--json")
    assert json.loads(out)["findings"][0]["occurrences"][0]["activity"] == "#1"
