"""Problems found while exchanging data, and the summary an import or export reports.

Every problem names its place the way the person who must fix it will look for it: a
file, line, activity and element for XML; a sheet, row and column for a spreadsheet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """An error keeps its activity, row or file out of the store; a warning does not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input, with where it is and what to do about it."""

    message: str
    severity: Severity = Severity.ERROR
    file: str | None = None
    line: int | None = None
    activity: str | None = None
    element: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    xpath: str | None = None
    """The concrete XPath of the node a rule failed on (IATI data-quality rules)."""
    detail: str | None = None
    """What was found there, kept out of ``message`` so that repeated failures group."""
    message_id: str | None = None
    """For the web pages: the catalogue key (``err_<id>``) saying ``message`` in the
    reader's language, filled with ``params``; None shows the English ``message``."""
    params: tuple[tuple[str, Any], ...] = ()

    def place(self) -> str:
        """The location as one readable prefix, e.g. ``a.xml:12, activity X, <budget>``."""
        parts: list[str] = []
        if self.file:
            parts.append(f"{self.file}:{self.line}" if self.line else self.file)
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        if self.activity:
            parts.append(f"activity {self.activity}")
        if self.element:
            parts.append(f"<{self.element}>")
        if self.xpath:
            parts.append(self.xpath)
        return ", ".join(parts)

    def __str__(self) -> str:
        place = self.place()
        text = f"{place}: {self.message}" if place else self.message
        return f"{text} ({self.detail})" if self.detail else text

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"severity": self.severity.value, "message": self.message}
        for key in (
            "file",
            "line",
            "activity",
            "element",
            "sheet",
            "row",
            "column",
            "xpath",
            "detail",
        ):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


class RefusedError(Exception):
    """A whole file is refused (unsafe, too large, schema-invalid in strict mode …).

    Carries the problems that explain why, so the caller can report each of them.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems[:5]))


@dataclass(slots=True)
class Summary:
    """What an import did: counts of records and every problem met on the way."""

    created: int = 0
    updated: int = 0
    skipped: int = 0
    refused: int = 0
    """Records (activities, rows) left out because of an error; a refused file counts
    in ``refused_files`` instead."""
    refused_files: int = 0
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def written(self) -> int:
        """Records created, updated or found unchanged: what an import did take in."""
        return self.created + self.updated + self.skipped

    @property
    def partial(self) -> bool:
        """Some records were taken in and some refused."""
        return bool(self.errors) and self.written > 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    def merge(self, other: Summary) -> None:
        self.created += other.created
        self.updated += other.updated
        self.skipped += other.skipped
        self.refused += other.refused
        self.refused_files += other.refused_files
        self.problems.extend(other.problems)
        self.files.extend(other.files)

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": list(self.files),
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
            "refused": self.refused,
            "refused_files": self.refused_files,
            "errors": [p.as_dict() for p in self.errors],
            "warnings": [p.as_dict() for p in self.warnings],
        }


@dataclass(frozen=True)
class ProblemGroup:
    """Problems with the same message: how many, and a few of the records they hit."""

    severity: Severity
    message: str
    count: int
    examples: tuple[str, ...]

    def __str__(self) -> str:
        shown = "; ".join(self.examples)
        # a cell's problem is written after its place ("row 5, column D: is 'tons', …");
        # said first, the cell is its subject
        message = f"the cell {self.message}" if self.message.startswith("is ") else self.message
        if self.count == 1:  # one problem: its place, not "1 × … (e.g. …)"
            return message + (f" ({shown})" if shown else "")
        more = "; …" if self.count > len(self.examples) else ""
        return f"{self.count} × {message}" + (f" (e.g. {shown}{more})" if shown else "")


def _record(problem: Problem) -> str:
    return problem.activity or problem.place()


def group_problems(
    problems: Iterable[Problem],
    examples: int = 3,
    where: Callable[[Problem], str] = _record,
) -> list[ProblemGroup]:
    """Problems grouped by severity and message, most frequent first, so that a summary
    says each reason once instead of once per record; ``where`` names an example (the
    activity by default, ``Problem.place`` for file and line)."""
    groups: dict[tuple[Severity, str], list[str]] = {}
    for p in problems:
        groups.setdefault((p.severity, p.message), []).append(where(p))
    found = [
        ProblemGroup(sev, msg, len(places), tuple(dict.fromkeys(x for x in places if x))[:examples])
        for (sev, msg), places in groups.items()
    ]
    # equal counts keep the order they were met in (rows in the file's order)
    return sorted(found, key=lambda g: (g.severity is not Severity.ERROR, -g.count))
