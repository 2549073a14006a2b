"""The compiled IATI reader gives the records and problems the Python readers give.

``iati_native`` reads an activity's elements from libxml2's nodes and gives up wherever
something would be reported; ``iati_parse`` then reads the activity with the Python
readers. Both paths are run here on every XML file of the test data and on activities
changed at random (codes, numbers, dates, languages, missing and repeated elements), and
their output compared whole: records, problems, lines and identifiers.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from greenfolio.domain.text import first_bad, first_bad_multiline
from greenfolio.services.exchange import iati_parse
from greenfolio.services.exchange.iati_parse import ActivityReader, Parsed

DATA = Path(__file__).parent / "data"
FILES = sorted(p for p in DATA.rglob("*.xml") if "iati" in p.parts)
EXAMPLES = [
    DATA / "iati" / "files" / n for n in ("iati-example-v203.xml", "es-maec-indonesia-v201.xml")
]
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

try:
    from greenfolio.services.exchange import iati_native, iati_native_values
except ImportError:  # pragma: no cover - reported by test_the_compiled_reader_is_built
    iati_native = iati_native_values = None  # type: ignore[assignment]

needs_native = pytest.mark.skipif(iati_native is None, reason="iati_native is not built")


def test_the_compiled_reader_is_built() -> None:
    """The README's test command installs with a C compiler: the fast path is there."""
    assert iati_native is not None, (
        "the compiled IATI reader (greenfolio/services/exchange/iati_native*.pyx) is not built: "
        "install a C compiler and Python's headers (Debian: gcc python3-dev), then run "
        "./scripts/test again"
    )
    assert iati_parse.iati_native is iati_native


def _read(path: Path, native: bool, monkeypatch: pytest.MonkeyPatch) -> list[Parsed] | str:
    monkeypatch.setattr(iati_parse, "iati_native", iati_native if native else None)
    reader = ActivityReader(path)
    try:
        parsed = list(reader)
    except Exception as exc:  # a refused file: both paths refuse it alike
        return f"{type(exc).__name__}: {exc}"
    return [*parsed, *(Parsed(None, 0, "file", reader.problems),)]


@needs_native
@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(DATA)))
def test_same_output_on_every_test_file(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _read(path, True, monkeypatch) == _read(path, False, monkeypatch)


@needs_native
@pytest.mark.parametrize("name", ["iati-example-v203.xml", "es-maec-indonesia-v201.xml"], ids=str)
def test_clean_activities_take_the_fast_path(name: str) -> None:
    """Not a path that always gives up: every activity the Python readers read without a
    problem about its elements is read by the compiled one."""
    root = etree.parse(str(DATA / "iati" / "files" / name)).getroot()
    activities = [a for a in root if a.tag == "iati-activity"]
    read = [iati_native.read_activity(a) for a in activities]
    assert activities and all(r is not None for r in read)
    python = [iati_parse._read_in_python(a, iati_parse.Context(name, False)) for a in activities]
    assert [r[0] for r in read if r] == [iati_parse.canonical_order(a) for a in python]


@needs_native
def test_the_text_rule_is_the_domains_for_every_character() -> None:
    bad_text = iati_native_values.bad_text
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        assert bad_text(char, False) == (first_bad(char) is not None), hex(code)
        assert bad_text(char, True) == (first_bad_multiline(char) is not None), hex(code)


# ---------------------------------------------------------------- activities changed at random

ATTRIBUTES = {  # the attributes each reader reads, by element
    "iati-activity": ["default-currency", "last-updated-datetime", XML_LANG],
    "reporting-org": ["ref", "type"],
    "participating-org": ["role", "ref", "type", XML_LANG],
    "description": ["type"],
    "activity-status": ["code"],
    "activity-date": ["type", "iso-date"],
    "recipient-country": ["code", "percentage"],
    "recipient-region": ["code", "vocabulary", "percentage"],
    "sector": ["code", "vocabulary", "percentage", "ref", "type"],
    "budget": ["type", "status"],
    "period-start": ["iso-date"],
    "period-end": ["iso-date"],
    "value": ["currency", "value-date"],
    "transaction": ["ref"],
    "transaction-type": ["code"],
    "transaction-date": ["iso-date"],
    "provider-org": ["ref", "type"],
    "receiver-org": ["ref", "type"],
    "location": ["ref"],
    "location-reach": ["code"],
    "exactness": ["code"],
    "location-class": ["code"],
    "location-id": ["vocabulary", "code"],
    "administrative": ["vocabulary", "code", "level"],
    "document-link": ["url", "format"],
    "category": ["code"],
    "language": ["code"],
    "document-date": ["iso-date"],
    "result": ["type", "aggregation-status"],
    "indicator": ["measure", "ascending", "aggregation-status"],
    "reference": ["vocabulary", "code", "indicator-uri"],
    "baseline": ["value", "year", "iso-date"],
    "target": ["value"],
    "actual": ["value"],
    "dimension": ["name", "value"],
    "narrative": [XML_LANG],
    "point": ["srsName"],
    "pos": ["srsName"],
}
VALUES = [
    "", " ", "1", "2", "3", "4", "5", "10", "99", "A1", "abc", "EUR", "eur", " EUR ", "XXX",
    "100", "50.5", "-1", "101", "1e400", "nan", "1_0", " 7 ", "2020-01-01", "2020-13-01",
    "2020-01-01T00:00:00Z", " 2020-01-01 ", "2020-01-01T10:00:00", "2019-12-31",
    "2012-01-01T00:00:00+02:00", "Funding", "funding", "41081", "111", "ID", "id", "ES",
    "XX", "998", "true", "0", "false", "en", "EN", " Fr ", "x\x85", "x\x90y", "٣",
    "https://example.org/a.pdf", "application/pdf", "A01", "B02", "G1", "2.5 -3",
    "0001-01-01T00:00:00+01:00", "1" * 19, "1" * 4301, "0001-01-01", "9999-12-31",
    "1945-12-31", "2201-01-01",
]  # fmt: skip
TEXTS = [
    "", " ", "12", " 12 ", "-3", "nan", "text", "a\tb", "a\nb", "x\x85", "1e400", "1 2",
    "1", "91 0", "1 2 3", "45.5 -200",
]  # fmt: skip

change = st.tuples(
    st.sampled_from(["set", "set", "drop-attribute", "text", "remove", "repeat", "strip-lang"]),
    st.sampled_from(sorted(ATTRIBUTES)),
    st.integers(min_value=0, max_value=10_000),
    st.sampled_from(VALUES),
    st.sampled_from(TEXTS),
)


def _changed(source: Path, changes: list[tuple[str, str, int, str, str]]) -> bytes:
    """The first activities of ``source`` with ``changes``: each an operation on one
    element of a kind a reader reads (picked among those of the kind), with the value or
    text to set."""
    root = etree.parse(str(source)).getroot()
    for activity in [a for a in root if a.tag == "iati-activity"][4:]:
        root.remove(activity)
    for op, tag, pick, value, text in changes:
        elements = list(root.iter(tag))
        if not elements:
            continue
        el = elements[pick % len(elements)]
        attribute = ATTRIBUTES[tag][pick % len(ATTRIBUTES[tag])]
        if op == "set":
            el.set(attribute, value)
        elif op == "drop-attribute":
            el.attrib.pop(attribute, None)
        elif op == "text":
            el.text = text
        elif op == "remove" and tag != "iati-activity":
            el.getparent().remove(el)
        elif op == "repeat" and tag != "iati-activity":
            el.addnext(etree.fromstring(etree.tostring(el)))
        elif op == "strip-lang":
            for node in el.iter():
                node.attrib.pop(XML_LANG, None)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@needs_native
@settings(
    max_examples=1500,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    source=st.sampled_from(EXAMPLES),
    changes=st.lists(change, min_size=1, max_size=6),
)
def test_same_output_on_changed_activities(
    source: Path,
    changes: list[tuple[str, str, int, str, str]],
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path_factory.mktemp("changed") / "changed.xml"
    path.write_bytes(_changed(source, changes))
    assert _read(path, True, monkeypatch) == _read(path, False, monkeypatch)


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
def test_values_out_of_range_are_problems_not_crashes(
    native: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A position without two numbers, a time before the year 1 in UTC and a level of
    4,301 digits: each said at its line, the file read to its end."""
    path = tmp_path / "edges.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">\n'
        '<iati-activity xml:lang="en" last-updated-datetime="0001-01-01T00:00:00+01:00">\n'
        "<iati-identifier>XM-EDGE-1</iati-identifier>\n</iati-activity>\n"
        '<iati-activity xml:lang="en"><iati-identifier>XM-EDGE-2</iati-identifier>\n'
        '<title><narrative>T</narrative></title><activity-date type="1" iso-date="2020-01-01"/>\n'
        "<location><point><pos>1</pos></point>\n"
        f'<administrative vocabulary="G1" code="X" level="{"1" * 4301}"/></location>\n'
        "</iati-activity>\n</iati-activities>\n"
    )
    first, second = _read(path, native, monkeypatch)[:2]
    assert isinstance(first, Parsed) and isinstance(second, Parsed)
    assert first.activity is None
    assert (first.problems[0].line, first.problems[0].message) == (
        3,
        "last-updated-datetime '0001-01-01T00:00:00+01:00' is before the year 1 in UTC",
    )
    assert second.activity is not None
    assert second.activity.locations[0].point is None
    assert second.activity.locations[0].administrative == [("G1", "X", None)]
    assert [(p.line, p.message) for p in second.problems] == [
        (8, "position '1' is not 'latitude longitude'; left out")
    ]


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
def test_a_baseline_outside_the_years_results_may_have_is_left_out(
    native: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A baseline of year 1 or of 9999-12-31 would be stored and verifiable, and export
    wrote it back (review): left out with a warning at its line, the year 2019 kept."""
    path = tmp_path / "baselines.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">\n'
        '<iati-activity xml:lang="en"><iati-identifier>XM-BASE-1</iati-identifier>\n'
        '<title><narrative>T</narrative></title><activity-date type="1" iso-date="2020-01-01"/>\n'
        '<result type="1"><title><narrative>R</narrative></title>\n'
        '<indicator measure="1"><title><narrative>I</narrative></title>\n'
        '<baseline year="0001" iso-date="0001-06-30" value="3"/>\n'
        '<baseline iso-date="9999-12-31" value="4"/>\n'
        '<baseline year="2019" value="5"/>\n'
        "</indicator></result>\n</iati-activity>\n</iati-activities>\n"
    )
    read = _read(path, native, monkeypatch)[0]
    assert isinstance(read, Parsed) and read.activity is not None
    [indicator] = read.activity.results[0].indicators
    assert [(o.value, o.year) for o in indicator.observations] == [(5.0, 2019)]
    assert [(p.line, p.message) for p in read.problems] == [
        (7, "baseline year 0001 is not between the years 1946 and 2200; left out (check the year)"),
        (
            8,
            "baseline year 9999-12-31 is not between the years 1946 and 2200; left out "
            "(check the year)",
        ),
    ]
