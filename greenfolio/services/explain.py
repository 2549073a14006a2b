"""Explain a printed figure: its query, parameters, and the records and runs behind it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from greenfolio.domain.errors import NotFoundError
from greenfolio.services import report_units, reporting
from greenfolio.services.database import Database
from greenfolio.services.figures import FUNDER, Figure, listed
from greenfolio.services.report_definition import load_definition
from greenfolio.store.tables import EvidenceFileRow, OrganisationRow, ResultRow, WorkRow


def _result_rows(db: Database, ids: list[int]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    with db.transaction() as session:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            query = (
                select(ResultRow, WorkRow.key, WorkRow.title)
                .join(WorkRow, WorkRow.id == ResultRow.work_id)
                .where(ResultRow.id.in_(chunk))
            )
            for row, key, title in session.execute(query):
                out[row.id] = {
                    "id": row.id,
                    "work": key,
                    "work_title": title,
                    "value": row.value,
                    "unit": row.unit,
                    "qualifier": row.qualifier,
                    "country": row.country,
                    "sex": row.sex,
                    "milestone": row.milestone,
                    "period_start": row.period_start.isoformat() if row.period_start else None,
                    "period_end": row.period_end.isoformat() if row.period_end else None,
                    "evidence": row.evidence,
                    "citation": row.citation,
                    "note": row.review_note,
                    "review_state": row.review_state,
                    "method_run_id": row.method_run_id,
                    "evidence_files": [],
                }
            files = session.scalars(
                select(EvidenceFileRow)
                .where(EvidenceFileRow.result_id.in_(chunk), EvidenceFileRow.state == "current")
                .order_by(EvidenceFileRow.id)
            )
            for f in files:
                out[f.result_id]["evidence_files"].append(
                    {"id": f.id, "sha256": f.sha256, "filename": f.filename, "kind": f.kind}
                )
    return out


def _work_titles(db: Database, keys: set[str]) -> dict[str, dict[str, str]]:
    """The titles of the work items named by figures' parameters, by key."""
    if not keys:
        return {}
    with db.transaction() as session:
        query = select(WorkRow.key, WorkRow.title).where(WorkRow.key.in_(sorted(keys)))
        return {str(key): dict(title) for key, title in session.execute(query)}


def _funder_names(db: Database, keys: set[str]) -> dict[str, dict[str, str]]:
    """The names of the organisations figures count the projects of, by key."""
    if not keys:
        return {}
    with db.transaction() as session:
        query = select(OrganisationRow.key, OrganisationRow.iati_ref, OrganisationRow.names).where(
            OrganisationRow.key.in_(sorted(keys)) | OrganisationRow.iati_ref.in_(sorted(keys))
        )
        out: dict[str, dict[str, str]] = {}
        for key, ref, names in session.execute(query):
            out[str(key if key in keys else ref)] = dict(names or {})
        return out


def explanations(
    db: Database, figures: Iterable[Figure], limit: int = 50
) -> dict[str, dict[str, Any]]:
    """Service call: for each figure its provenance plus the first ``limit`` results used."""
    figs = list(figures)
    wanted = sorted({rid for f in figs for rid in list(f.result_ids)[:limit]})
    rows = _result_rows(db, wanted)
    titles = _work_titles(db, {str(f.params["work"]) for f in figs if f.params.get("work")})
    funders = _funder_names(
        db, {k for f in figs if f.params.get(FUNDER) for k in map(str, listed(f.params[FUNDER]))}
    )
    out = {}
    for fig in figs:
        data = fig.provenance()
        data["results"] = [rows[rid] for rid in list(fig.result_ids)[:limit] if rid in rows]
        data["results_total"] = len(fig.result_ids)
        data["basis"] = report_units.basis(fig)
        if fig.params.get("work"):
            key = str(fig.params["work"])
            data["work_titles"] = {key: titles[key]} if key in titles else {}
        if fig.params.get(FUNDER):
            data["funder_names"] = {
                k: funders[k] for k in map(str, listed(fig.params[FUNDER])) if k in funders
            }
        data["basis_stated"] = data["basis"] not in (None, report_units.BASIS_NOT_STATED)
        out[fig.id] = data
    return out


def explain(db: Database, definition: str, year: int, figure_id: str) -> dict[str, Any]:
    """Service call: the explanation of one figure of a report."""
    defn = load_definition(definition)
    computed = reporting.compute(db, defn, year)
    fig = computed.figures.get(figure_id)
    if fig is None:
        raise NotFoundError(
            f"report {definition!r} has no figure {figure_id!r}; "
            f"`greenfolio figures --year {year}` lists them"
        )
    return explanations(db, [fig], limit=10_000)[figure_id]
