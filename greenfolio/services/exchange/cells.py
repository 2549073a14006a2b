"""Reading spreadsheet cells strictly: every value checked, every problem placed.

Both spreadsheet importers (the Multilateral Fund's progress report and Greenfolio's
own templates) read through these helpers, so a cell error always names the sheet, the
row and the column (letter and header) and says what a valid value looks like.

An XLSX file is a zip of XML parts; openpyxl parses them through ``defusedxml`` (a
dependency for that reason), which refuses entity bombs and external entities. Before
openpyxl sees a file it is checked by ``xlsx_limits`` (zip entries, unpacked size,
compression ratio, element counts of the parts read whole), so a file that costs
gigabytes is refused unread; sheets are then streamed row by row (read-only mode) up
to a row and cell cap.

A formula cell keeps the value the spreadsheet program last computed; a file written by
a program that computes nothing (a script, some converters) has formulas without saved
values. Such a cell is reported as such, not as empty.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from defusedxml import DefusedXmlException
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

from greenfolio.domain.activity_dates import hand_typed
from greenfolio.domain.exchange import Problem, RefusedError, Severity
from greenfolio.domain.number_text import AmbiguousNumber, read_number, read_number_as, signs
from greenfolio.domain.text import find as find_text_problem
from greenfolio.services.exchange.xlsx_limits import (
    DEFAULT_MAX_BYTES,
    LIMITS,
    Limits,
    check_zip,
)


class _NoSavedValue:
    """Marks a formula cell the file holds no computed value for."""

    def __repr__(self) -> str:
        return "<formula without a saved value>"


NO_SAVED_VALUE: Any = _NoSavedValue()
FORMULA_MESSAGE = (
    "holds a formula with no saved value (the program that wrote the file did not compute "
    "it); open the file in a spreadsheet program and save it, or type the value"
)


def open_workbook(
    path: Path, max_bytes: int = DEFAULT_MAX_BYTES, limits: Limits = LIMITS
) -> Workbook:
    """A read-only workbook, or a refusal naming the file (missing, too big, not XLSX)."""
    if path.is_dir():
        raise RefusedError(
            [
                Problem(
                    "this is a folder, not a file: pass the XLSX workbook itself (the .xlsx file "
                    "inside it), not the folder",
                    file=str(path),
                    message_id="file_not_xlsx",
                )
            ]
        )
    if not path.is_file():
        raise RefusedError([Problem("no such file", file=str(path), message_id="file_not_xlsx")])
    size = path.stat().st_size
    if size > max_bytes:
        raise RefusedError(
            [
                Problem(
                    f"the file is {size / 1024**2:,.1f} MiB, above the limit",
                    file=path.name,
                    message_id="import_too_large",
                    params=(("mb", max_bytes // 1024**2),),
                )
            ]
        )
    check_zip(path, limits)
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        message, message_id = _unreadable(exc, "file_not_xlsx")
        raise RefusedError([Problem(message, file=path.name, message_id=message_id)]) from exc


def _unreadable(exc: BaseException, message_id: str) -> tuple[str, str]:
    """What to tell of a workbook a library refused, in words (never the exception's own
    repr): a part declaring XML entities or a document type, which no spreadsheet program
    writes, is named as unsafe; anything else as unreadable."""
    causes = [exc, exc.__cause__, exc.__context__]
    if any(isinstance(c, DefusedXmlException) for c in causes):
        return (
            "a part of the workbook declares XML entities or a document type, which no "
            "spreadsheet program writes; the file is refused",
            "file_unsafe_xml",
        )
    if message_id == "file_not_xlsx":
        return (
            "not a readable XLSX workbook; save it as .xlsx from a spreadsheet program",
            message_id,
        )
    return "a sheet of the workbook cannot be read; save the file again", message_id


class _Parser(WorkSheetParser):  # type: ignore[misc]
    """openpyxl's own sheet parser (as read-only mode uses it), marking formula cells
    that have no saved value instead of giving None for them."""

    def parse_cell(self, element: Any) -> dict[str, Any]:
        cell: dict[str, Any] = super().parse_cell(element)
        if cell["value"] is None and element.find(FORMULA_TAG) is not None:
            cell["value"] = NO_SAVED_VALUE
        return cell


def iter_rows(
    sheet: Any,
    file: str,
    limits: Limits = LIMITS,
    progress: Callable[[int, int | None], None] | None = None,
) -> Iterator[tuple[Any, ...]]:
    """The rows of a read-only ``sheet`` as values, from row 1 on, streamed; a part that
    cannot be read, or a sheet past the row, column or cell cap, refuses the file.

    In read-only mode openpyxl parses a sheet only when its rows are read, so unsafe or
    broken XML inside the zip shows up here rather than when the workbook is opened.
    ``progress`` gets (rows read, rows the sheet says it has, if it says).
    """
    book = sheet.parent
    title = getattr(sheet, "title", None)

    def refuse(message: str, message_id: str = "sheet_too_big") -> RefusedError:
        sizes = (("rows", limits.rows), ("columns", limits.columns), ("cells", limits.cells))
        said = sizes if message_id == "sheet_too_big" else ()
        return RefusedError(
            [Problem(message, file=file, sheet=title, message_id=message_id, params=said)]
        )

    expected = sheet.max_row if isinstance(sheet.max_row, int) else None
    counter = 1
    cells = 0
    try:
        with book._archive.open(sheet._worksheet_path) as source:
            parser = _Parser(
                source,
                sheet._shared_strings,
                data_only=True,
                epoch=book.epoch,
                date_formats=book._date_formats,
                timedelta_formats=book._timedelta_formats,
            )
            for index, row in parser.parse():
                if index > limits.rows:
                    raise refuse(
                        f"the sheet goes on past row {limits.rows:,}, the most accepted; "
                        "split the data into several files"
                    )
                width = row[-1]["column"] if row else 0
                if width > limits.columns:
                    raise refuse(
                        f"row {index} reaches column {width:,}, past the {limits.columns} "
                        "accepted; delete the columns on the right that do not belong"
                    )
                cells += len(row)
                if cells > limits.cells:
                    raise refuse(
                        f"the sheet holds more than {limits.cells:,} filled cells, the most "
                        "accepted; split the data into several files"
                    )
                while counter < index:
                    counter += 1
                    yield ()
                values: list[Any] = [None] * width
                for cell in row:
                    values[cell["column"] - 1] = cell["value"]
                counter += 1
                yield tuple(values)
                if progress is not None and index % 1000 == 0:
                    progress(index, expected)
    except RefusedError:
        raise
    except Exception as exc:  # defusedxml, zipfile and openpyxl raise many kinds
        raise refuse(*_unreadable(exc, "file_unreadable")) from exc
    if progress is not None:
        progress(counter - 1, counter - 1)


def read_rows(sheet: Any, file: str, limits: Limits = LIMITS) -> list[tuple[Any, ...]]:
    """Every row of ``sheet`` as values (within the caps); see ``iter_rows``."""
    return list(iter_rows(sheet, file, limits))


def normalise_header(value: Any) -> str:
    return re.sub(r"\s+", " ", str(value or "")).strip().lower()


class SheetReader:
    """Typed access to the cells of one row, collecting problems instead of raising."""

    def __init__(
        self,
        file: str,
        sheet: str,
        headers: dict[str, int],
        labels: dict[str, str],
        lang: str | None = None,
    ):
        self.file = file
        self.sheet = sheet
        self.headers = headers
        self.labels = labels
        self.lang = lang
        """The workbook's language where it is known: how it writes numbers and days."""
        self.signs = signs(lang) if lang else None
        """The decimal and grouping signs of the workbook's language, where it is known
        (a Greenfolio template says it): a typed "1.200" is then read as that language
        writes it."""
        self.problems: list[Problem] = []
        self.row_number = 0
        self.row: tuple[Any, ...] = ()

    def at(self, row_number: int, row: tuple[Any, ...]) -> None:
        self.row_number = row_number
        self.row = row

    def column(self, key: str) -> str:
        index = self.headers[key]
        return f"{get_column_letter(index + 1)} ({self.labels[key]})"

    def problem(
        self,
        key: str,
        message: str,
        severity: Severity = Severity.ERROR,
        message_id: str | None = None,
        **params: Any,
    ) -> None:
        """Note a problem with the cell ``key`` of this row (``message_id`` and ``params``
        say it in the reader's language on the web pages)."""
        self.problems.append(
            Problem(
                message,
                severity=severity,
                file=self.file,
                sheet=self.sheet,
                row=self.row_number,
                column=self.column(key) if key in self.headers else key,
                message_id=message_id,
                params=tuple(params.items()),
            )
        )

    def raw(self, key: str) -> Any:
        index = self.headers.get(key)
        if index is None or index >= len(self.row):
            return None
        value = self.row[index]
        if value is NO_SAVED_VALUE or (isinstance(value, str) and not value.strip()):
            return None
        return value

    def _value(self, key: str) -> tuple[Any, bool]:
        """The cell's value, and whether a problem was already reported for it."""
        index = self.headers.get(key)
        if index is not None and index < len(self.row) and self.row[index] is NO_SAVED_VALUE:
            self.problem(key, FORMULA_MESSAGE, message_id="cell_formula")
            return None, True
        return self.raw(key), False

    def text(self, key: str, required: bool = False, max_length: int | None = None) -> str | None:
        value, reported = self._value(key)
        if reported:
            return None
        if value is None:
            if required:
                self.problem(key, "is empty; this column is required", message_id="cell_empty")
            return None
        text = str(value).strip()
        found = find_text_problem(text, key, multiline=True)
        if found is not None:
            self.problem(key, found.what(), message_id=found.message_id, **found.params)
            return None
        if max_length is not None and len(text) > max_length:
            self.problem(
                key,
                f"is {len(text)} characters long; at most {max_length} fit",
                message_id="cell_too_long",
                length=len(text),
                limit=max_length,
            )
            return None
        return text

    def number(self, key: str, required: bool = False, minimum: float | None = 0.0) -> float | None:
        value, reported = self._value(key)
        if reported:
            return None
        if value is None:
            if required:
                self.problem(key, "is empty; enter a number", message_id="cell_empty_number")
            return None
        if isinstance(value, bool):
            self.problem(
                key, f"is {value!r}; enter a number", message_id="cell_number", value=value
            )
            return None
        if isinstance(value, int | float):
            number = float(value)
        else:
            try:
                text = str(value)
                number = read_number_as(text, *self.signs) if self.signs else read_number(text)
            except AmbiguousNumber as unclear:
                self.problem(
                    key,
                    f"is {value!r}, which reads as {unclear.whole:g} in some languages and "
                    f"{unclear.decimal:g} in others; type it as a number, or without the "
                    "thousands separator",
                    message_id="cell_number_ambiguous",
                    value=str(value),
                    as_whole=unclear.whole,
                    as_decimal=unclear.decimal,
                )
                return None
            except ValueError:
                self.problem(
                    key,
                    f"is {value!r}, not a number; enter digits such as 12.5",
                    message_id="cell_number",
                    value=value,
                )
                return None
        if number != number or number in (float("inf"), float("-inf")):
            self.problem(
                key, f"is {value!r}, not a finite number", message_id="cell_not_finite", value=value
            )
            return None
        if minimum is not None and number < minimum:
            self.problem(
                key,
                f"is {number:g}; it cannot be below {minimum:g}",
                message_id="cell_below",
                value=number,
                minimum=minimum,
            )
            return None
        return number

    def day(self, key: str, required: bool = False) -> date | None:
        value, reported = self._value(key)
        if reported:
            return None
        if value is None:
            if required:
                self.problem(
                    key, "is empty; enter a date (YYYY-MM-DD)", message_id="cell_empty_date"
                )
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            # as people type a day: 31/12/2023, "1 mars 2022", Arabic-Indic digits
            text = hand_typed(str(value).strip(), self.lang)
            if len(text) <= 10:
                return date.fromisoformat(text)
            return datetime.fromisoformat(text).date()  # a day with a time (of a real day)
        except ValueError:
            self.problem(
                key,
                f"is {value!r}, not a date; enter YYYY-MM-DD or an Excel date",
                message_id="cell_date",
                value=value,
            )
            return None


def map_headers(
    header_row: tuple[Any, ...], wanted: dict[str, str]
) -> tuple[dict[str, int], list[str]]:
    """Column index of each wanted key (by header text), and the keys not found."""
    index = {normalise_header(v): i for i, v in enumerate(header_row) if v is not None}
    found = {
        key: index[normalise_header(label)]
        for key, label in wanted.items()
        if normalise_header(label) in index
    }
    missing = [key for key in wanted if key not in found]
    return found, missing
