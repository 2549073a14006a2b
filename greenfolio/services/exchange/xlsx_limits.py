"""Limits a workbook must keep before any part of it is parsed: its zip directory
(parts, unpacked size, compression ratio) and the element counts of the parts openpyxl
builds an object for each element of (styles, shared strings, the workbook). A small
file that unpacks to gigabytes, or a few MB of tiny elements that cost gigabytes once
read, is refused unread; sheets are streamed row by row and capped as they are read
(``cells.iter_rows``).
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from greenfolio.domain.exchange import Problem, RefusedError
from greenfolio.services.exchange import file_kind

DEFAULT_MAX_BYTES = 200 * 1024**2
MiB = 1024**2


@dataclass(frozen=True, slots=True)
class Limits:
    """What a workbook may hold before it is refused (generous for real portfolios)."""

    max_bytes: int = DEFAULT_MAX_BYTES
    """Size of the file itself."""
    unpacked: int = 256 * MiB
    """All parts together, unpacked."""
    part: int = 64 * MiB
    """Any part but a sheet, unpacked: openpyxl holds shared strings and styles whole in
    memory (sheets it streams)."""
    ratio: int = 100
    """Unpacked size over packed size, for any part above ``RATIO_FLOOR``."""
    entries: int = 2_000
    rows: int = 100_000
    """Rows per sheet (by row number)."""
    columns: int = 200
    cells: int = 5_000_000
    """Filled cells per sheet."""


LIMITS = Limits()
RATIO_FLOOR = 1 * MiB
SHEETS = "xl/worksheets/"
UNREAD = (SHEETS, "xl/drawings/", "xl/charts/", "xl/media/", "xl/pivotCache", "xl/pivotTables/",
          "xl/printerSettings/", "xl/externalLinks/", "customXml/")  # fmt: skip
"""Parts that openpyxl streams (sheets) or, reading for values, does not open."""
SHARED_STRINGS_TYPE = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
)
CELL_FORMATS = 65_490
"""Excel's own limit on unique cell formats in a workbook ("Excel specifications and
limits", Microsoft support): a workbook any spreadsheet program saved stays within it."""
SHARED_STRINGS = 1_000_000
"""Distinct texts in a workbook: ten for each of the 100,000 rows accepted."""
ELEMENTS = {"styles": 150_000, "strings": 5_000_000, "other": 100_000}
"""Elements of a part openpyxl builds objects for, by kind (styles: each format, font,
fill and border; shared strings: each text and its runs). A part made of millions of
small elements packs well within the size limits yet costs gigabytes once read."""


def _refuse(path: Path, message: str, message_id: str = "file_too_big_unpacked") -> RefusedError:
    return RefusedError([Problem(message, file=path.name, message_id=message_id)])


def check_zip(path: Path, limits: Limits = LIMITS) -> None:
    """Refuse a workbook whose zip directory promises too much, before any part is read."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        other = file_kind.not_xlsx(path)  # an XML file, an old .xls: say what it is
        if other is not None:
            raise _refuse(path, f"{other[0]}; the file is refused", other[1]) from exc
        if file_kind.kind(path) == "zip":  # begins as a workbook does: cut short or damaged
            raise _refuse(
                path,
                "the workbook is cut short or damaged (its table of contents cannot be "
                "read); download or save it again from the spreadsheet program and import "
                "that; the file is refused",
                "file_damaged",
            ) from exc
        raise _refuse(
            path,
            f"not an XLSX workbook (not a readable zip file: {exc}); the file is refused",
            "file_not_xlsx",
        ) from exc
    if len(entries) > limits.entries:
        raise _refuse(
            path,
            f"the workbook holds {len(entries):,} parts, more than the {limits.entries:,} "
            "accepted; the file is refused unread (save it again from a spreadsheet program)",
        )
    total = sum(e.file_size for e in entries)
    if total > limits.unpacked:
        raise _refuse(
            path,
            f"the workbook unpacks to {total / MiB:,.0f} MiB, more than the "
            f"{limits.unpacked / MiB:,.0f} MiB accepted; the file is refused unread. Split "
            "the data into several files",
        )
    for entry in entries:
        if entry.file_size > limits.part and not entry.filename.startswith(SHEETS):
            raise _refuse(
                path,
                f"the part {entry.filename!r} unpacks to {entry.file_size / MiB:,.0f} MiB, more "
                f"than the {limits.part / MiB:,.0f} MiB accepted for it; the file is refused "
                "unread. Split the data into several files",
            )
        if entry.file_size > RATIO_FLOOR:
            ratio = entry.file_size / max(entry.compress_size, 1)
            if ratio > limits.ratio:
                raise _refuse(
                    path,
                    f"the part {entry.filename!r} unpacks {ratio:,.0f} times larger than it "
                    f"is stored (at most {limits.ratio} is accepted): the file looks like a "
                    "zip bomb and is refused unread. Save it again from a spreadsheet program",
                )
    _check_elements(path)


def _check_elements(path: Path) -> None:
    """Refuse a workbook whose styles, shared strings or other parts openpyxl holds whole
    have more elements than any spreadsheet program writes, counting them in a stream
    (each element dropped once counted) before openpyxl builds an object for each."""
    try:
        _count_parts(path)
    except UNREADABLE:
        return  # a broken part: openpyxl refuses the file in words (``cells.open_workbook``)


UNREADABLE = (zipfile.BadZipFile, OSError, EOFError, zlib.error, ValueError, RuntimeError,
              NotImplementedError)  # fmt: skip
"""What reading a damaged or encrypted part raises."""


def _count_parts(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        strings = _shared_strings_parts(archive)
        for entry in archive.infolist():
            name = entry.filename
            if name.startswith(UNREAD) or not name.endswith((".xml", ".rels")):
                continue
            kind = (
                "strings" if name in strings else "styles" if name == "xl/styles.xml" else "other"
            )
            counted = _count(archive, name, ELEMENTS[kind], "xf" if kind == "styles" else "si")
            if counted is None:
                continue
            total, named = counted
            if total > ELEMENTS[kind]:
                raise _refuse(
                    path,
                    f"the part {name!r} holds more than {ELEMENTS[kind]:,} XML elements, more "
                    "than a spreadsheet program writes there; the file is refused unread. "
                    "Save it again from a spreadsheet program",
                )
            cap = {"styles": CELL_FORMATS, "strings": SHARED_STRINGS}.get(kind)
            if cap is not None and named > cap:
                what = "cell formats" if kind == "styles" else "distinct texts"
                raise _refuse(
                    path,
                    f"the workbook holds {named:,} {what}, more than the {cap:,} accepted; "
                    "the file is refused unread. Save it again from a spreadsheet program, "
                    "or split the data into several files",
                )


def _shared_strings_parts(archive: zipfile.ZipFile) -> set[str]:
    """The parts ``[Content_Types].xml`` declares as shared strings (openpyxl finds them
    by that, whatever their name)."""
    found = {"xl/sharedStrings.xml"}
    try:
        raw = archive.read("[Content_Types].xml")
    except KeyError:
        return found
    try:
        root = etree.fromstring(raw, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return found  # openpyxl says the file cannot be read
    for el in root:
        if el.get("ContentType") == SHARED_STRINGS_TYPE and el.get("PartName"):
            found.add(str(el.get("PartName")).lstrip("/"))
    return found


def _count(archive: zipfile.ZipFile, name: str, cap: int, local: str) -> tuple[int, int] | None:
    """Elements in part ``name`` (stopping past ``cap``), and those named ``local``; None
    for a part that is no well-formed XML (openpyxl then refuses the file in words)."""
    total = named = 0
    try:
        with archive.open(name) as stream:
            for _event, el in etree.iterparse(
                stream, events=("start",), resolve_entities=False, no_network=True
            ):
                total += 1
                if el.tag.rpartition("}")[2] == local:
                    named += 1
                if total > cap:
                    break
                if total % 4096 == 0:
                    _drop_done(el)
    except etree.XMLSyntaxError:
        return None
    return total, named


def _drop_done(el: Any) -> None:
    """Free the elements already counted (their earlier siblings, up the tree)."""
    while el is not None:
        parent = el.getparent()
        if parent is None:
            return
        while el.getprevious() is not None:
            del parent[0]
        el = parent
