"""A file refused by --strict is counted whole: OCHA's 1.0x file breaks the 2.03 schema 288
times (lxml's count: its root lacks a version, and each of its 287 activities opens with
an element the schema does not expect). The first hundred are listed, the root's own
problem first, and the rest counted (the list was cut at 100 without a word)."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from greenfolio.services.exchange import iati_schema
from tests.conftest import DATA

OCHA = DATA / "iati" / "files" / "ocha-test-data-v1.xml"


def _lxml_count(path: Path) -> int:
    schema = etree.XMLSchema(
        etree.parse(str(DATA / "iati" / "schemas-2.03" / "iati-activities-schema.xsd"))
    )
    schema.validate(etree.parse(str(path)))
    return len(schema.error_log)


def test_every_problem_is_listed_or_counted() -> None:
    problems = iati_schema.check_document(OCHA)
    assert problems[0].element == "iati-activities"
    assert "'version' is required" in problems[0].message
    listed = problems[:-1]
    assert len(listed) == 1 + iati_schema.LISTED
    last = problems[-1].message
    assert last.startswith("and ") and "not listed" in last
    counted = int(last.split()[1])
    assert len(listed) + counted == _lxml_count(OCHA) == 288
