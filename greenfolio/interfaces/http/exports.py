"""Lists as CSV or XLSX downloads, for the API routes and the pages alike: the columns the
page shows, headed in the reader's language, every matching row, streamed.

Rows come in batches from ``services.list_rows``. CSV is written batch by batch into a
``StreamingResponse``. XLSX uses openpyxl's write-only mode (openpyxl is already a
dependency; write-only worksheets append rows to a temporary file instead of keeping cells
in memory), saved to an unnamed temporary file that is then streamed and closed.

Spreadsheet programs run a cell that starts with ``= + - @`` (or a tab or carriage return)
as a formula: in CSV such text gets a leading apostrophe; in XLSX it is written as a string
cell, which is never evaluated. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import IO, Any

from fastapi.responses import StreamingResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from greenfolio.domain.errors import ValidationError
from greenfolio.domain.indicators import Disaggregation
from greenfolio.domain.languages import RIGHT_TO_LEFT, UN_LANGUAGES
from greenfolio.interfaces.http import labels
from greenfolio.refdata.loader import indicators

CSV_MEDIA = "text/csv; charset=utf-8"
XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")
RISKY_START = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 64 * 1024

DOWNLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the page as JSON, or with format=csv|xlsx (or Accept: text/csv) every "
        "matching row as a download",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            XLSX_MEDIA: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}

Cell = str | int | float | date | None
Getter = Callable[[dict[str, Any], str], Cell]


class _Words:
    """The catalogue of one language as :class:`labels.Texts`, so the downloads name
    stored codes with the same words as the pages."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, key: str, /, **values: Any) -> str:
        text = labels.catalogue(self.lang).get(key) or labels.catalogue("en").get(key) or key
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in labels.catalogue(self.lang) or key in labels.catalogue("en")

    def text(self, names: Any) -> str:
        return _text(names, self.lang)

    def country(self, code: str | None) -> str:
        return labels.country(code, self.lang)


def _word(group: str) -> Getter:
    """A column showing the word for the row's stored code of ``group``."""
    field = {"status": "status", "unit": "unit", "state": "review_state"}.get(group, group)
    return lambda r, lang: labels.label(_Words(lang), group, r.get(field))


@cache
def _indicator_names() -> dict[str, Any]:
    return {code: ind.names for code, ind in indicators().items()}


def _indicator(row: dict[str, Any], lang: str) -> str:
    """The indicator's name in the reader's language (its code only if it has none)."""
    names = _indicator_names().get(row["indicator"])
    return _text(names, lang) if names else str(row["indicator"])


def _terms(row: dict[str, Any], lang: str) -> str:
    words = _Words(lang)  # separators as the pages write them: "；" in Chinese, "؛ " in Arabic
    return words("group_sep").join(labels.term(words, key) for key in row["terms"])


def _text(names: Any, lang: str) -> str:
    if not isinstance(names, dict) or not names:
        return str(names or "")
    return str(names.get(lang) or names.get("en") or next(iter(names.values()), ""))


def _countries(row: dict[str, Any], lang: str) -> str:
    return _Words(lang)("list_sep").join(labels.country(c, lang) for c in row["countries"])


def _said(part: str) -> Getter:
    """A column of an audit event as the page says it (``http.audit_query.download`` puts
    ``event_text.describe``'s sentences in ``said``): changes one a line."""

    def get(row: dict[str, Any], lang: str) -> str:
        value = row["said"][part]
        text = "\n".join(value) if isinstance(value, list) else str(value)
        # the marks that keep a key whole in an Arabic sentence on a page would stay
        # in a spreadsheet's cell as invisible characters (and in what is pasted from it)
        return text.translate(_NO_ISOLATES)

    return get


_NO_ISOLATES = dict.fromkeys(range(0x2066, 0x206A))
"""LRI, RLI, FSI and PDI (``event_text`` isolates names with FSI … PDI)."""


def _number(value: float | None) -> Cell:
    """A value as a person writes it: 1500, not 1500.0."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _unit(row: dict[str, Any], lang: str) -> str:
    """The unit's one word in the reader's language, whatever the row's value: a sheet
    filters and pivots by it, and "страна" beside "стран", or "شخص" beside "شخصًا", split
    one unit in two (the page, which reads as text, says "1 страна")."""
    return labels.label(_Words(lang), "unit", row["unit"])


def _by_sex(code: str) -> bool:
    """Whether the indicator counts women and men apart (people, not tonnes)."""
    ind = indicators().get(code)
    return ind is not None and Disaggregation.SEX in ind.disaggregations


def _sex(row: dict[str, Any], lang: str) -> str:
    """The part a result counts; a total says so, as the pages do ("Всего", "合计"). Empty
    for an indicator that is not counted by sex: tonnes have no "total" of women and men."""
    words = _Words(lang)
    if row["sex"]:
        return labels.label(words, "sex", row["sex"])
    return words("sex_everyone_short") if _by_sex(str(row["indicator"])) else ""


def _day(value: str | None) -> Cell:
    """A stored date as a date: the spreadsheet's own date cell, ISO 8601 in CSV."""
    return date.fromisoformat(value[:10]) if value else None


@dataclass(frozen=True)
class Column:
    header: str
    """The message key of the column's heading, as on the page."""
    get: Getter


COLUMNS: dict[str, tuple[Column, ...]] = {
    "projects": (
        Column("key", lambda r, lang: r["key"]),
        Column("title", lambda r, lang: _text(r["title"], lang)),
        Column("kind", lambda r, lang: labels.label(_Words(lang), "work_kind", r.get("kind"))),
        Column("status", _word("status")),
        Column("countries", _countries),
        Column("classification", _terms),
    ),
    "results": (
        Column("#", lambda r, lang: r["id"]),
        Column("project", lambda r, lang: r["project"]),
        Column("title", lambda r, lang: _text(r["project_title"], lang)),
        Column("indicator", _indicator),
        Column("value", lambda r, lang: _number(r["value"])),
        Column("unit", _unit),
        Column(
            "qualifier", lambda r, lang: labels.label(_Words(lang), "qualifier", r["qualifier"])
        ),
        Column("value_kind", lambda r, lang: labels.label(_Words(lang), "value_kind", r["kind"])),
        Column("period_start", lambda r, lang: _day(r["period_start"])),
        Column("period_end", lambda r, lang: _day(r["period_end"])),
        Column("country", lambda r, lang: labels.country(r["country"], lang)),
        Column("sex", _sex),
        Column("entity", lambda r, lang: r.get("entity") or ""),
        Column("citation", lambda r, lang: r.get("citation") or ""),
        Column("evidence", lambda r, lang: r.get("evidence") or ""),
        Column("review_state", _word("state")),
    ),
    "review": (
        Column("#", lambda r, lang: r["id"]),
        Column("project", lambda r, lang: _text(r["project_title"], lang)),
        Column("indicator", _indicator),
        Column("value", lambda r, lang: _number(r["value"])),
        Column("unit", _unit),
        Column("value_kind", lambda r, lang: labels.label(_Words(lang), "value_kind", r["kind"])),
        Column("period_start", lambda r, lang: _day(r["period_start"])),
        Column("period_end", lambda r, lang: _day(r["period_end"])),
        Column("country", lambda r, lang: labels.country(r["country"], lang)),
        Column("sex", _sex),
        Column("evidence_files", lambda r, lang: r.get("evidence_files")),
        Column("review_state", _word("state")),
    ),
    "audit": (
        Column("#", lambda r, lang: r["id"]),
        Column("when", lambda r, lang: r["at"]),
        Column("who", _said("who")),
        Column("what", _said("what")),
        Column("changed", _said("changes")),
    ),
}


def choose_format(fmt: str | None, accept: str | None) -> str | None:
    """The download asked for: ``format=`` first, then the Accept header; None for JSON."""
    if fmt:
        if fmt not in FORMATS:
            raise ValidationError(f"unknown format {fmt!r}: use format=csv or format=xlsx")
        return fmt
    for part in (accept or "").split(","):
        media = part.split(";")[0].strip().lower()
        if media == "text/csv":
            return "csv"
        if media == XLSX_MEDIA:
            return "xlsx"
    return None


def headers(kind: str, lang: str) -> list[str]:
    if lang not in UN_LANGUAGES:
        raise ValidationError(f"unknown language {lang!r}: use one of {', '.join(UN_LANGUAGES)}")
    words = labels.catalogue(lang)
    return [words.get(c.header, c.header) for c in COLUMNS[kind]]


def inert(value: Cell) -> Cell:
    """A CSV cell a spreadsheet will not run: risky text gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(RISKY_START):
        return "'" + value
    return value


def _rows(kind: str, batches: Iterable[list[dict[str, Any]]], lang: str) -> Iterator[list[Cell]]:
    columns = COLUMNS[kind]
    for batch in batches:
        for row in batch:
            yield [c.get(row, lang) for c in columns]


def csv_chunks(kind: str, batches: Iterable[list[dict[str, Any]]], lang: str) -> Iterator[bytes]:
    """The list as CSV, one chunk per batch; a BOM so that spreadsheets read UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([inert(h) for h in headers(kind, lang)])
    for batch in batches:
        for row in _rows(kind, [batch], lang):
            writer.writerow([inert(cell) for cell in row])
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


SHEET_NAMES = {"results": "results", "review": "review_queue", "projects": "nav_portfolio"}
"""The message whose words name a list's sheet (the page's heading)."""


def write_xlsx(
    kind: str, batches: Iterable[list[dict[str, Any]]], lang: str, out: IO[bytes]
) -> None:
    """The list as one XLSX sheet in ``out``, written row by row (write-only mode)."""
    book = Workbook(write_only=True)
    named = labels.catalogue(lang).get(SHEET_NAMES.get(kind, kind), kind)
    sheet = book.create_sheet(re.sub(r"[\[\]:*?/\\]", " ", str(named))[:31] or kind)
    if lang in RIGHT_TO_LEFT:
        sheet.sheet_view.rightToLeft = True

    def cell(value: Cell) -> Any:
        if isinstance(value, bool) or not isinstance(value, str):
            return value
        made = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        made.data_type = "s"  # never a formula, whatever the text starts with
        return made

    sheet.append([cell(h) for h in headers(kind, lang)])
    for row in _rows(kind, batches, lang):
        sheet.append([cell(v) for v in row])
    book.save(out)


def _file_chunks(handle: IO[bytes]) -> Iterator[bytes]:
    try:
        while chunk := handle.read(CHUNK):
            yield chunk
    finally:
        handle.close()


def download(
    kind: str, batches: Iterable[list[dict[str, Any]]], lang: str, fmt: str
) -> StreamingResponse:
    """The response for a list download in ``fmt`` (``csv`` or ``xlsx``)."""
    headers(kind, lang)  # an unknown language is refused before anything is streamed
    if fmt == "csv":
        return StreamingResponse(
            csv_chunks(kind, batches, lang),
            media_type=CSV_MEDIA,
            headers={"Content-Disposition": f'attachment; filename="{kind}.csv"'},
        )
    if fmt != "xlsx":
        raise ValidationError(f"unknown format {fmt!r}: use format=csv or format=xlsx")
    # Closed (and so removed) by _file_chunks once sent, or below on failure.
    handle = tempfile.TemporaryFile(prefix="greenfolio-export-")  # noqa: SIM115
    try:
        write_xlsx(kind, batches, lang, handle)
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    return StreamingResponse(
        _file_chunks(handle),
        media_type=XLSX_MEDIA,
        headers={"Content-Disposition": f'attachment; filename="{kind}.xlsx"'},
    )
