"""An import says what it does not keep: the example file's planned disbursements, policy
markers, the document links of its results and its qualitative targets were dropped with
"0 warnings" (a data manager's review, stop 29). Both readers count the same."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from greenfolio.services.exchange import iati_parse
from greenfolio.services.exchange.iati_parse import ActivityReader, count_unread
from tests.conftest import DATA

EXAMPLE = DATA / "iati" / "files" / "iati-example-v203.xml"
SPANISH = DATA / "iati" / "files" / "es-maec-indonesia-v201.xml"


def _counted(path: Path) -> dict[str, int]:
    """Element counts read straight off the file with XPath, as a baseline."""
    root = etree.parse(str(path)).getroot()
    found: dict[str, int] = {}
    for element in root.xpath("iati-activity/*"):
        if element.tag not in iati_parse.TOP_READ:
            found[element.tag] = found.get(element.tag, 0) + 1
    for element in root.xpath("iati-activity/result/*"):
        if element.tag not in iati_parse.RESULT_READ:
            found["result/" + element.tag] = found.get("result/" + element.tag, 0) + 1
    for element in root.xpath("iati-activity/result/indicator/*"):
        if element.tag not in iati_parse.INDICATOR_READ:
            key = "result/indicator/" + element.tag
            found[key] = found.get(key, 0) + 1
    for place, read in (
        ("transaction", iati_parse.TRANSACTION_READ),
        ("location", iati_parse.LOCATION_READ),
        ("result/indicator/baseline", iati_parse.OBSERVED_READ),
        ("result/indicator/period", iati_parse.PERIOD_READ),
        ("result/indicator/period/target", iati_parse.OBSERVED_READ),
        ("result/indicator/period/actual", iati_parse.OBSERVED_READ),
    ):
        for element in root.xpath(f"iati-activity/{place}/*"):
            if element.tag not in read:
                key = f"{place}/{element.tag}"
                found[key] = found.get(key, 0) + 1
    qualitative = root.xpath(
        "count(iati-activity/result/indicator/period/*[self::target or self::actual][not(@value)])"
    )
    if qualitative:
        found["qualitative"] = int(qualitative)
    return found


@pytest.mark.parametrize("path", [EXAMPLE, SPANISH], ids=["example", "spanish"])
@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
def test_both_readers_count_what_no_reader_keeps(path: Path, native: bool) -> None:
    if native and iati_parse.iati_native is None:
        pytest.skip("the compiled reader is not built")
    activities = list(etree.parse(str(path)).getroot().iterchildren("iati-activity"))
    if native:
        unread = iati_parse.iati_native.Unread()
        for activity in activities:
            unread.count(activity)
        counts = unread.as_dict()
    else:
        counts = {}
        for activity in activities:
            count_unread(activity, counts)
    assert counts == _counted(path)
    assert ActivityReader(path).unread == {}  # nothing read yet


def test_the_import_says_it_once_per_file(iati_reader: str) -> None:
    reader = ActivityReader(EXAMPLE)
    assert sum(1 for _ in reader) > 0
    said = [p.message for p in reader.problems]
    elements = [m for m in said if m.startswith("not kept")]
    assert len(elements) == 1
    assert "34 × <planned-disbursement>" in elements[0]
    assert "117 × <policy-marker>" in elements[0]
    assert "<result/document-link>" in elements[0]
    # what a transaction or a location holds beyond what is kept is said too (a data
    # manager's finding: aid types and flow types went unsaid)
    assert "<transaction/aid-type>" in elements[0]
    assert "<location/activity-description>" in elements[0]
    assert any(m.startswith("2 target or actual values") for m in said)


def test_the_compiled_reader_lists_what_the_readers_store() -> None:
    if iati_parse.iati_native is None:
        pytest.skip("the compiled reader is not built")
    assert iati_parse.iati_native.read_names() == (
        iati_parse.TOP_READ,
        iati_parse.RESULT_READ,
        iati_parse.INDICATOR_READ,
        iati_parse.PERIOD_READ,
        iati_parse.OBSERVED_READ,
        iati_parse.TRANSACTION_READ,
        iati_parse.LOCATION_READ,
    )


def test_a_file_of_countless_element_names_is_said_in_one_short_line(
    tmp_path: Path, iati_reader: str
) -> None:
    """A hostile file with a name per element: the warning lists twenty and counts the
    rest, and only so many names are kept while reading (34 MB of warning, 952 MB)."""
    names = "".join(f"<x{i}/>" for i in range(3000))
    path = tmp_path / "many.xml"
    path.write_text(
        '<iati-activities version="2.03"><iati-activity><iati-identifier>XM-X-1'
        f"</iati-identifier>{names}</iati-activity></iati-activities>",
        "utf-8",
    )
    reader = ActivityReader(path)
    assert sum(1 for _ in reader) == 1
    (said,) = [p.message for p in reader.problems if p.message.startswith("not kept")]
    assert said.count("×") == iati_parse.LISTED_KINDS
    assert said.endswith("and 2980 more of other kinds")
    assert len(said) < 1000
    assert len(reader.unread) <= iati_parse.KINDS_KEPT + 1
