"""Run calculation methods, keep every run, make results from runs, and recompute them.

A run stores the method id and version, its inputs, its outputs and the version of the
reference data it used, so that any result made from it can be explained and, after a
reference-data update, recomputed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from greenfolio.domain.errors import NotFoundError, ValidationError
from greenfolio.domain.run_citation import run_citation
from greenfolio.domain.text import CheckedText
from greenfolio.domain.units import compatible, convert
from greenfolio.methods import registry
from greenfolio.methods.base import Outcome

# Computing without storing and the catalogue need no database: they live in the registry
# (so that ``greenfolio methods …`` without --store does not load SQLAlchemy) and are
# offered here too, beside the calls that store runs.
from greenfolio.methods.registry import calculate as calculate
from greenfolio.methods.registry import list_methods as list_methods
from greenfolio.services import results
from greenfolio.services.audit import current_actor
from greenfolio.services.database import Database
from greenfolio.store.tables import MethodRunRow, ResultRevisionRow, ResultRow, ReviewEventRow


def _store(
    session: Session, method_id: str, raw: Mapping[str, Any], actor: str | None
) -> MethodRunRow:
    method = registry.get(method_id)
    parsed, outcome = method.run(raw)
    row = MethodRunRow(
        method=method.id,
        method_version=method.version,
        refdata_version=method.refdata_version(),
        inputs=parsed.model_dump(mode="json", by_alias=True),
        outputs=outcome.as_dict(),
        actor=actor,
    )
    session.add(row)
    session.flush()
    return row


def as_dict(row: MethodRunRow) -> dict[str, Any]:
    return {
        "run_id": row.id,
        "method": row.method,
        "method_version": row.method_version,
        "refdata_version": row.refdata_version,
        "inputs": row.inputs,
        "outputs": row.outputs,
    }


def run(
    db: Database, method_id: str, inputs: Mapping[str, Any], actor: str | None = None
) -> dict[str, Any]:
    """Service call: compute and store one run."""
    with db.transaction() as session:
        return as_dict(_store(session, method_id, inputs, actor))


class FromRun(CheckedText):
    """Where to put a run's output: which output, which work item and indicator."""

    model_config = ConfigDict(extra="forbid")
    multiline_fields = frozenset({"citation"})
    run_id: int
    output: str
    work: str
    indicator: str
    period_start: date | None = None
    period_end: date | None = None
    country: str | None = None
    citation: str | None = None


def _output(row: MethodRunRow, key: str) -> tuple[float, str]:
    quantities = row.outputs.get("quantities", {})
    if key not in quantities:
        raise ValidationError(
            f"run {row.id} ({row.method}) has no output {key!r}; it has: {', '.join(quantities)}"
        )
    q = quantities[key]
    return float(q["value"]), str(q["unit"])


def result_from_run(db: Database, spec: FromRun) -> int:
    """Service call: a draft result holding one output of a stored run, linked to it."""
    with db.transaction() as session:
        return add_from_run(session, spec).id


def add_from_run(session: Session, spec: FromRun) -> ResultRow:
    """A draft result holding one output of a stored run, linked to it."""
    run_row = session.get(MethodRunRow, spec.run_id)
    if run_row is None:
        raise NotFoundError(f"no method run with id {spec.run_id}")
    value, unit = _output(run_row, spec.output)
    row = results.add(
        session,
        results.ResultSpec(
            work=spec.work,
            indicator=spec.indicator,
            value=value,
            unit=unit,
            period_start=spec.period_start,
            period_end=spec.period_end,
            country=spec.country,
            citation=spec.citation or run_citation(run_row.id, run_row.method),
        ),
    )
    row.method_run_id, row.output_key = run_row.id, spec.output
    return row


def _changed(old: float, new: float) -> bool:
    return not math.isclose(old, new, rel_tol=1e-9, abs_tol=1e-12)


def recompute(db: Database, apply: bool = False, actor: str | None = None) -> list[dict[str, Any]]:
    """Service call: every result made from a run whose value the current reference data
    would change, with old and new values. With ``apply``, store new runs, update those
    results and send them back to review (state submitted)."""
    changes: list[dict[str, Any]] = []
    with db.transaction() as session:
        rows = session.execute(
            select(ResultRow, MethodRunRow)
            .join(MethodRunRow, MethodRunRow.id == ResultRow.method_run_id)
            .order_by(ResultRow.id)
        ).all()
        fresh: dict[int, MethodRunRow] = {}
        outcomes: dict[int, Outcome] = {}  # one re-run per run, however many results use it
        for result, old_run in rows:
            method = registry.get(old_run.method)
            if old_run.id not in outcomes:
                outcomes[old_run.id] = method.run(old_run.inputs)[1]
            outcome = outcomes[old_run.id]
            quantity = outcome.quantities.get(result.output_key or "")
            if quantity is None or not compatible(quantity.unit, result.unit):
                continue
            new_value = convert(quantity.value, quantity.unit, result.unit)
            if not _changed(result.value, new_value):
                continue
            change = {
                "result_id": result.id,
                "run_id": old_run.id,
                "method": old_run.method,
                "output": result.output_key,
                "unit": result.unit,
                "old_value": result.value,
                "new_value": new_value,
                "difference": new_value - result.value,
                "old_refdata": old_run.refdata_version,
                "new_refdata": method.refdata_version(),
            }
            if apply:
                if old_run.id not in fresh:
                    fresh[old_run.id] = _store(session, old_run.method, old_run.inputs, actor)
                before = result.review_state
                who = actor or current_actor()
                # the version replaced is kept whole, as a revision keeps it: its value, and
                # the run it came from (whoever ran that one does not verify this one)
                kept = {k: v for k, v in results.as_dict(result).items() if k != "work"}
                session.add(
                    ResultRevisionRow(
                        result_id=result.id, version=result.version, data=kept, actor=who
                    )
                )
                result.value, result.method_run_id = new_value, fresh[old_run.id].id
                result.review_state, result.version = "submitted", result.version + 1
                # Whoever applies the recomputation changed the figure: not its verifier.
                result.revised_by = result.submitted_by = who
                note = (
                    f"recomputed by {old_run.method} with reference data "
                    f"{method.refdata_version()}: {change['old_value']:g} -> {new_value:g}"
                )
                result.review_note = note
                session.add(
                    ReviewEventRow(
                        result_id=result.id,
                        action="recompute",
                        from_state=before,
                        to_state="submitted",
                        note=note,
                        actor=who,
                    )
                )
                change["new_run_id"] = fresh[old_run.id].id
            changes.append(change)
    return changes
