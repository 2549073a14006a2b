"""What kind of file an import was given, read from its first bytes, so that a file of the
wrong kind is refused by what it is ("this is a spreadsheet"), not by what the parser
trips on ("not well-formed XML: Start tag expected", "not a zip file").
"""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path
from typing import Any

from greenfolio.domain.exchange import Problem, RefusedError

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls), old Word files
_HEAD = 4096
_BOMS = {
    codecs.BOM_UTF8: "utf-8",
    # UTF-32's marks first: little-endian UTF-32's begins with UTF-16's
    codecs.BOM_UTF32_LE: "utf-32-le",
    codecs.BOM_UTF32_BE: "utf-32-be",
    codecs.BOM_UTF16_LE: "utf-16-le",
    codecs.BOM_UTF16_BE: "utf-16-be",
}

XLSX_COMMANDS = (
    "use `greenfolio import xlsx` for a Greenfolio results template, or "
    "`greenfolio import mlf-apr` for a Multilateral Fund progress report"
)


def kind(path: Path) -> str | None:
    """``xlsx``, ``ods``, ``docx``, ``zip``, ``xls``, ``pdf``, ``html`` or ``xml`` for a file whose
    first bytes say so; ``text`` for other text (CSV, Markdown), ``binary`` for other
    bytes; None for an empty or unreadable file."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(_HEAD)
    except OSError:
        return None
    if head.startswith(_ZIP):
        return _zip_kind(path)
    if head.startswith(_OLE):
        return "xls"
    if head.startswith(b"%PDF"):
        return "pdf"
    for bom, codec in _BOMS.items():
        if head.startswith(bom):
            # a text saved with a byte-order mark (Excel's "CSV UTF-8", UTF-16 text)
            body = head[len(bom) :].decode(codec, errors="ignore").lstrip()
            if body[:14].lower().startswith(("<!doctype html", "<html")):
                return "html"
            if body.startswith("<"):
                return "xml"
            return "text" if body else None
    text = head.lstrip(b" \t\r\n")
    if text[:14].lower().startswith((b"<!doctype html", b"<html")):
        return "html"  # a web page (a report's HTML): not XML a reader can take
    # '<' in UTF-16 or UTF-32 of any byte order (the prolog check says which it reads)
    if text.startswith(b"<") or head.startswith((b"\x00<", b"<\x00", b"\x00\x00")):
        return "xml"
    if not text:
        return None  # empty: the parser says so
    controls = sum(1 for byte in text if byte < 9 or 13 < byte < 32)
    return "binary" if controls else "text"


def _opening(path: Path) -> str:
    """The first words of a text file, as a reader would see them."""
    with open(path, "rb") as handle:
        head = handle.read(200)
    codec = next((c for bom, c in _BOMS.items() if head.startswith(bom)), None)
    if codec is not None:
        text = head.decode(codec, errors="replace").lstrip("\ufeff")
    else:
        text = head.decode("utf-8", errors="replace")
    shown = text.lstrip().split("\n", 1)[0].strip()
    return shown if len(shown) <= 30 else shown[:30] + "…"


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return "zip"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if b"opendocument.spreadsheet" in mimetype:
        return "ods"
    if "word/document.xml" in names:
        return "docx"
    return "zip"


_NOT_XML = {
    "xlsx": f"this is a spreadsheet (XLSX), not XML: {XLSX_COMMANDS}",
    "ods": "this is an OpenDocument spreadsheet, not XML: save it as XLSX and " + XLSX_COMMANDS,
    "xls": "this is an old Excel spreadsheet (.xls), not XML: save it as XLSX and " + XLSX_COMMANDS,
    "docx": "this is a Word document, not XML: IATI activity files are XML (.xml)",
    "pdf": "this is a PDF document, not XML: IATI activity files are XML (.xml)",
    "zip": "this is a ZIP archive, not XML: unpack it and give the XML files inside",
    "html": "this is a web page (HTML), not an IATI XML file: give the activity file "
    "itself (.xml), as the publisher's registry entry links it",
}

_NOT_XLSX = {
    "xml": "this is an XML file, not an XLSX workbook: an IATI activity file is imported "
    "with `greenfolio import iati` (and checked with `greenfolio validate iati`)",
    "ods": "this is an OpenDocument spreadsheet, not XLSX: save it as XLSX (Excel "
    "2007 or later) and import that",
    "xls": "this is an old Excel spreadsheet (.xls), not XLSX: save it as XLSX (Excel "
    "2007 or later) and import that",
    "docx": "this is a Word document, not an XLSX workbook",
    "pdf": "this is a PDF document, not an XLSX workbook",
    "text": "this is a text file (CSV or other), not an XLSX workbook: open it in a "
    "spreadsheet program, save it as XLSX (Excel 2007 or later) and import that",
}


def refuse_unless_xml(path: Path) -> None:
    """Refuse a file whose first bytes show another kind (a spreadsheet, a PDF, a ZIP
    archive), naming the command that reads it."""
    found = kind(path)
    params: tuple[tuple[str, str], ...] = ()
    if found == "text":
        params = (("opening", _opening(path)),)
        said = (
            f"this is not XML: the file begins with «{_opening(path)}», where an XML file begins "
            "with '<' (IATI activity files are XML)"
        )
    elif found == "binary":
        said = "this is not XML, nor text of any kind: IATI activity files are XML (.xml)"
    elif found in _NOT_XML:
        said = _NOT_XML[found]
    else:
        return
    said_as = f"iati_file_not_xml_{found}"
    raise RefusedError([Problem(said, file=path.name, message_id=said_as, params=params)])


_NOT_XLSX_IDS = {
    "xml": "file_is_xml",
    "ods": "file_is_ods",
    "xls": "file_is_xls",
    "text": "file_is_text",
}
"""The catalogue entry a page says each kind with (others: ``file_not_xlsx``)."""


def not_xlsx(path: Path) -> tuple[str, str] | None:
    """Why ``path`` is not an XLSX workbook when its first bytes show another kind (XML,
    ODS, XLS, PDF), in words naming what reads it, with the catalogue entry a page says
    it with; None when they do not tell."""
    found = kind(path)
    if found is None or found not in _NOT_XLSX:
        return None
    return _NOT_XLSX[found], _NOT_XLSX_IDS.get(found, "file_not_xlsx")


def is_mlf_progress_report(workbook: Any, file: str) -> bool:
    """Whether the first sheet is headed as a Multilateral Fund annual progress report
    (``mlf_apr.COLUMNS``): most of its columns by name."""
    from greenfolio.services.exchange.cells import iter_rows, normalise_header
    from greenfolio.services.exchange.mlf_apr import COLUMNS

    if not workbook.worksheets:
        return False
    header = next(iter_rows(workbook.worksheets[0], file), None) or ()
    found = {normalise_header(v) for v in header if v is not None}
    return sum(normalise_header(c) in found for c in COLUMNS.values()) * 2 > len(COLUMNS)
