"""Reading spreadsheet cells strictly: every value checked, every problem placed.

Both spreadsheet importers (the Multilateral Fund's progress report and Greenfolio's
own templates) read through these helpers, so a cell error always names the sheet, the
row and the column (letter and header) and says what a valid value looks like.

An XLSX file is a zip of XML parts; openpyxl parses them through ``defusedxml`` (a
dependency for that reason), which refuses entity bombs and external entities.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook

from greenfolio.domain.exchange import Problem, RefusedError, Severity
from greenfolio.domain.text import problem as text_problem

DEFAULT_MAX_BYTES = 200 * 1024**2


def open_workbook(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Workbook:
    """A read-only workbook, or a refusal naming the file (missing, too big, not XLSX)."""
    if not path.is_file():
        raise RefusedError([Problem("no such file", file=str(path))])
    size = path.stat().st_size
    if size > max_bytes:
        raise RefusedError(
            [Problem(f"the file is {size / 1024**2:,.1f} MiB, above the limit", file=path.name)]
        )
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        cause = exc.__cause__ or exc.__context__ or exc
        raise RefusedError(
            [
                Problem(
                    f"not a readable, safe XLSX workbook ({type(cause).__name__}: "
                    f"{str(cause).splitlines()[0] if str(cause) else ''}); the file is refused",
                    file=path.name,
                )
            ]
        ) from exc


def read_rows(sheet: Any, file: str) -> list[tuple[Any, ...]]:
    """Every row of ``sheet`` as values; a part that cannot be read refuses the file.

    In read-only mode openpyxl parses a sheet only when its rows are read, so unsafe or
    broken XML inside the zip shows up here rather than when the workbook is opened.
    """
    try:
        return [tuple(row) for row in sheet.iter_rows(values_only=True)]
    except Exception as exc:  # defusedxml, zipfile and openpyxl raise many kinds
        raise RefusedError(
            [
                Problem(
                    f"sheet cannot be read safely ({type(exc).__name__}: {exc}); the file is "
                    "refused",
                    file=file,
                    sheet=getattr(sheet, "title", None),
                )
            ]
        ) from exc


def normalise_header(value: Any) -> str:
    return re.sub(r"\s+", " ", str(value or "")).strip().lower()


class SheetReader:
    """Typed access to the cells of one row, collecting problems instead of raising."""

    def __init__(self, file: str, sheet: str, headers: dict[str, int], labels: dict[str, str]):
        self.file = file
        self.sheet = sheet
        self.headers = headers
        self.labels = labels
        self.problems: list[Problem] = []
        self.row_number = 0
        self.row: tuple[Any, ...] = ()

    def at(self, row_number: int, row: tuple[Any, ...]) -> None:
        self.row_number = row_number
        self.row = row

    def column(self, key: str) -> str:
        index = self.headers[key]
        return f"{get_column_letter(index + 1)} ({self.labels[key]})"

    def problem(self, key: str, message: str, severity: Severity = Severity.ERROR) -> None:
        self.problems.append(
            Problem(
                message,
                severity=severity,
                file=self.file,
                sheet=self.sheet,
                row=self.row_number,
                column=self.column(key) if key in self.headers else key,
            )
        )

    def raw(self, key: str) -> Any:
        index = self.headers.get(key)
        if index is None or index >= len(self.row):
            return None
        value = self.row[index]
        if isinstance(value, str) and not value.strip():
            return None
        return value

    def text(self, key: str, required: bool = False, max_length: int | None = None) -> str | None:
        value = self.raw(key)
        if value is None:
            if required:
                self.problem(key, "is empty; this column is required")
            return None
        text = str(value).strip()
        found = text_problem(text, multiline=True)
        if found is not None:
            self.problem(key, found)
            return None
        if max_length is not None and len(text) > max_length:
            self.problem(key, f"is {len(text)} characters long; at most {max_length} fit")
            return None
        return text

    def number(self, key: str, required: bool = False, minimum: float | None = 0.0) -> float | None:
        value = self.raw(key)
        if value is None:
            if required:
                self.problem(key, "is empty; enter a number")
            return None
        if isinstance(value, bool):
            self.problem(key, f"is {value!r}; enter a number")
            return None
        if isinstance(value, int | float):
            number = float(value)
        else:
            try:
                number = float(str(value).replace(",", "").strip())
            except ValueError:
                self.problem(key, f"is {value!r}, not a number; enter digits such as 12.5")
                return None
        if number != number or number in (float("inf"), float("-inf")):
            self.problem(key, f"is {value!r}, not a finite number")
            return None
        if minimum is not None and number < minimum:
            self.problem(key, f"is {number:g}; it cannot be below {minimum:g}")
            return None
        return number

    def day(self, key: str, required: bool = False) -> date | None:
        value = self.raw(key)
        if value is None:
            if required:
                self.problem(key, "is empty; enter a date (YYYY-MM-DD)")
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip()[:10])
        except ValueError:
            self.problem(key, f"is {value!r}, not a date; enter YYYY-MM-DD or an Excel date")
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
