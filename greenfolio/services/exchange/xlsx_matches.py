"""What each result row of a template is to the results already stored.

A field office that corrects a figure in its sheet and uploads it again means to replace
the figure, not to add a second one beside it: both would count in the Board's totals.
So a row is compared with the stored results of its project that have the same
indicator, kind, period, country, sex and entity (the row's *identity*):

- a stored result equal in every field: the row is stored already (``UNCHANGED``);
- none with its identity: a new result (``NEW``);
- one, a draft or returned: the row corrects it (``REVISES``; the old version is kept;
  an empty cell leaves its field as stored), as the preview says before anything is
  stored; not one a method run computed, whose value is the run's output;
- one under review or verified, or several: a new result that ``OVERLAPS`` them, shown
  with a warning that both will count and how to correct one instead (a reviewer returns
  it): a second batch of the same period is real, so it is not refused, but an import
  never changes what a reviewer holds, nor guesses which of several to change.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from greenfolio.domain.exchange import Problem, Severity
from greenfolio.services import results as result_service
from greenfolio.services.entry import REVISABLE
from greenfolio.store.tables import ResultRow, WorkRow

NEW, UNCHANGED, REVISES, OVERLAPS = "new", "unchanged", "revises", "overlaps"

_IDENTITY = ("indicator", "kind", "period_start", "period_end", "country", "sex", "entity")
_COMPARED = ("value", "unit", "qualifier")


@dataclass(frozen=True)
class Match:
    """What one row is to the stored results; ``results`` are those it names."""

    outcome: str
    results: tuple[int, ...] = ()
    before: tuple[float, str] | None = None
    """The value and unit of the result the row revises."""
    version: int | None = None
    """The version of the result the row revises (a change since the preview shows)."""
    repeats: int | None = None
    """The index (among the rows) of an earlier row of the file this one repeats exactly:
    stored once, and said (it is not "unchanged": nothing was stored before)."""
    alongside: int | None = None
    """The index of an earlier row of the file with the same identity and another value:
    both count, which is said (two sites' figures are real; a correction is not)."""


def _plain(value: Any) -> Any:
    return value.value if hasattr(value, "value") else value


def _spec_fields(spec: result_service.ResultSpec) -> dict[str, Any]:
    return {k: _plain(v) for k, v in spec.model_dump(mode="python").items()}


def _row_fields(row: ResultRow) -> dict[str, Any]:
    return {
        "indicator": row.indicator_code,
        "kind": row.kind,
        "period_start": row.period_start,
        "period_end": row.period_end,
        "country": row.country,
        "sex": row.sex,
        "entity": row.entity,
        "value": row.value,
        "unit": row.unit,
        "qualifier": row.qualifier,
    }


def _identity(work: str, fields: dict[str, Any]) -> tuple[Any, ...]:
    return (work, *(fields[k] for k in _IDENTITY))


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return all(a[k] == b[k] for k in _COMPARED)


def match(session: Session, specs: list[result_service.ResultSpec]) -> list[Match]:
    """Each row's match among the stored results of its project (any origin: a figure
    entered on a page counts as much as an imported one), in the order of ``specs``."""
    stored: dict[tuple[Any, ...], list[tuple[ResultRow, dict[str, Any]]]] = defaultdict(list)
    keys = sorted({s.work for s in specs})
    for row, key in session.execute(
        select(ResultRow, WorkRow.key)
        .join(WorkRow, WorkRow.id == ResultRow.work_id)
        .where(WorkRow.key.in_(keys))
        .order_by(ResultRow.id)
    ):
        fields = _row_fields(row)
        stored[_identity(key, fields)].append((row, fields))
    found: list[Match] = []
    taken: dict[int, int] = {}  # result id → index of the row that revises it
    written: dict[tuple[Any, ...], tuple[int, dict[str, Any]]] = {}  # earlier rows of the file
    for index, spec in enumerate(specs):
        fields = _spec_fields(spec)
        identity = _identity(spec.work, fields)
        same = stored.get(identity, [])
        if any(_same(fields, f) for _, f in same):
            found.append(Match(UNCHANGED, tuple(r.id for r, _ in same)))
            continue
        if identity in written and _same(fields, written[identity][1]):
            first = written[identity][0]
            found.append(Match(UNCHANGED, tuple(r.id for r, _ in same), repeats=first))
            continue
        earlier = written[identity][0] if identity in written else None
        written.setdefault(identity, (index, fields))
        if not same:
            found.append(Match(NEW))
        elif (
            len(same) == 1
            and same[0][0].review_state in REVISABLE
            and same[0][0].method_run_id is None  # its value is the run's output
            and same[0][0].id not in taken
        ):
            row = same[0][0]
            taken[row.id] = index
            found.append(Match(REVISES, (row.id,), (row.value, row.unit), row.version))
        else:
            found.append(Match(OVERLAPS, tuple(r.id for r, _ in same)))
        if earlier is not None:  # beside an earlier row of the file: both count, said
            found[-1] = replace(found[-1], alongside=earlier)
    return found


EARLIER_ROW = {
    "cell_row_repeated": "the same result as row {first}, in every field: imported once",
    "cell_row_alongside": "the same project, indicator, kind, period, country, sex and entity "
    "as row {first}, with another value: both will count. If one corrects the other, keep one "
    "row; if they are separate figures, name each in the Entity column",
}
"""The warnings of a row that stands beside an earlier row of the file: one it repeats in
every field (``Match.repeats``), or one of the same result (``Match.alongside``)."""


def earlier_row(sheet: str, row: int, first_row: int, column: str, message_id: str) -> Problem:
    """The warning ``message_id`` (``EARLIER_ROW``) of ``row``, naming ``first_row``."""
    return Problem(
        EARLIER_ROW[message_id].format(first=first_row),
        severity=Severity.WARNING,
        sheet=sheet,
        row=row,
        column=column,
        message_id=message_id,
        params=(("first", first_row),),
    )


def overlap(sheet: str, row: int, found: Match, column: str = "value") -> Problem:
    """The warning of a new row beside stored results of the same identity."""
    listed = ", ".join(f"#{i}" for i in found.results)
    return Problem(
        f"result(s) {listed} of the same project, indicator, period, country, sex and entity "
        "are stored already, under review or verified: both will count. If this row corrects "
        "one, have a reviewer return it first (an import then corrects it); a separate "
        "figure is best named in the Entity column",
        severity=Severity.WARNING,
        sheet=sheet,
        row=row,
        column=column,
        message_id="cell_result_overlaps",
        params=(("results", listed),),
    )
