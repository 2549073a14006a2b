"""The IATI 2.03 activity schema, for strict imports, per-activity checks and exports."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

from lxml import etree

from greenfolio.domain.exchange import Problem
from greenfolio.services.exchange.xml_safety import PARSER_OPTIONS, syntax_error

_ELEMENT = re.compile(r"Element '([^']+)'")


@lru_cache(maxsize=1)
def activity_schema() -> etree.XMLSchema:
    """The 2.03 activity schema shipped in ``refdata/iati/schemas`` (with its includes)."""
    folder = resources.files("greenfolio.refdata").joinpath("iati/schemas")
    with resources.as_file(folder) as path:
        parser = etree.XMLParser(no_network=True, resolve_entities=False)
        doc = etree.parse(str(Path(path) / "iati-activities-schema.xsd"), parser)
        return etree.XMLSchema(doc)


def _problem(entry: etree._LogEntry, file: str, activity: str | None) -> Problem:
    match = _ELEMENT.search(entry.message)
    element = match.group(1) if match else None
    message = entry.message.strip()
    return Problem(
        f"not valid against the IATI 2.03 schema: {message}",
        file=file,
        line=entry.line or None,
        activity=activity,
        element=element,
    )


def check_element(element: etree._Element, file: str, activity: str | None = None) -> list[Problem]:
    """Schema problems of one ``iati-activity`` element (empty when it is valid)."""
    schema = activity_schema()
    if schema.validate(element):
        return []
    return [_problem(entry, file, activity) for entry in schema.error_log]


def check_document(path: Path) -> list[Problem]:
    """Schema problems of a whole file, read in a stream (memory stays flat).

    libxml2 does not give line numbers when validating in a stream, so where the whole
    file fails, each ``iati-activity`` is checked on its own to name the line.
    """
    schema = activity_schema()
    etree.clear_error_log()
    try:
        for _event, element in etree.iterparse(
            str(path), events=("end",), tag="iati-activity", schema=schema, **PARSER_OPTIONS
        ):
            element.clear(keep_tail=False)
            parent = element.getparent()
            while parent is not None and element.getprevious() is not None:
                del parent[0]
        return []
    except etree.XMLSyntaxError as exc:
        first = str(exc.msg if hasattr(exc, "msg") else exc)
    return _locate(path, first)


LISTED = 100
"""Schema problems of a refused file listed one by one; the rest are counted."""


def _root_problem(first: str, file: str, line: int | None) -> Problem:
    return Problem(
        f"not valid against the IATI 2.03 schema: {first.split(' (<string>')[0]}",
        file=file,
        line=line,
        element="iati-activities",
    )


def _locate(path: Path, first: str) -> list[Problem]:
    """Find where a file that failed stream validation goes wrong, activity by activity."""
    found: list[Problem] = []
    root_line: int | None = None
    more = more_activities = 0  # problems past the first LISTED, counted, not kept
    etree.clear_error_log()
    try:
        for event, element in etree.iterparse(
            str(path),
            events=("start", "end"),
            tag=("iati-activities", "iati-activity"),
            **PARSER_OPTIONS,
        ):
            if event == "start":
                if element.tag == "iati-activities" and root_line is None:
                    root_line = element.sourceline
                continue
            if element.tag != "iati-activity":
                continue
            ident = (element.findtext("iati-identifier") or "").strip() or None
            if len(found) < LISTED:
                found += check_element(element, path.name, ident)
            elif not activity_schema().validate(element):
                more += len(activity_schema().error_log)
                more_activities += 1
            element.clear(keep_tail=False)
            parent = element.getparent()
            while parent is not None and element.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as exc:
        message, line = syntax_error(exc)
        found.append(Problem(f"not well-formed XML: {message}", file=path.name, line=line))
    match = _ELEMENT.search(first)
    if found and match and match.group(1) == "iati-activities":
        # the root's own problem (a missing version), which no activity's check meets
        found.insert(0, _root_problem(first, path.name, root_line))
    if more:
        found.append(
            Problem(
                f"and {more} more schema problems in {more_activities} more activities, not "
                f"listed (the first {LISTED} are); correct these and check the file again",
                file=path.name,
            )
        )
    if not found:
        found.append(
            Problem(
                f"not valid against the IATI 2.03 schema: {first.split(' (<string>')[0]}",
                file=path.name,
                line=root_line,
                element=match.group(1) if match else None,
            )
        )
    return found
