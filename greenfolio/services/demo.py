"""Load the demo portfolio (the 2021 Board report's work and results) into a database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from greenfolio.refdata.loader import read_yaml
from greenfolio.services import portfolio, reference, results
from greenfolio.services.database import Database
from greenfolio.store.tables import ResultRow, WorkRow

DEMO_REVIEWER = "demo loader (checked against the published report)"


def _result_spec(
    work_key: str, raw: dict[str, Any], defaults: dict[str, Any], citation: str
) -> results.ResultSpec:
    fields = {
        "period_start": defaults.get("period_start"),
        "period_end": defaults.get("period_end"),
        "value": 1,
        **raw,
    }
    if isinstance(fields.get("period_start"), str):
        fields["period_start"] = date.fromisoformat(fields["period_start"])
    return results.ResultSpec(work=work_key, citation=citation, **fields)


def load(db: Database, progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Replace the demo work items with the packaged ones, all in one transaction.

    Results are entered as drafts, submitted and verified, so the demo follows the same
    review path as real data; re-running the load gives the same portfolio.
    """
    reference.sync(db)
    data = read_yaml("greenfolio.demo", "portfolio.yaml")
    source, defaults = data["source"], data.get("defaults", {})
    counts = {"organisations": 0, "work": 0, "results": 0}
    works = data["work"]
    with db.transaction() as session:
        for raw in data["organisations"]:
            portfolio.upsert_organisation(session, portfolio.OrganisationSpec(**raw))
            counts["organisations"] += 1
        keys = [w["key"] for w in works]
        for old in session.query(WorkRow).filter(WorkRow.key.in_(keys)):
            session.query(ResultRow).filter(ResultRow.work_id == old.id).delete()
        for done, raw in enumerate(works, start=1):
            raw = dict(raw)
            para = raw.pop("para")
            result_list = raw.pop("results")
            citation = f"{source}, para. {para}"
            portfolio.upsert_work(session, portfolio.WorkSpec(citation=citation, **raw))
            for item in result_list:
                row = results.add(session, _result_spec(raw["key"], item, defaults, citation))
                results.review(session, row.id, "submit")  # entered and submitted by the loader
                results.review(session, row.id, "verify", actor=DEMO_REVIEWER)
                counts["results"] += 1
            counts["work"] += 1
            if progress:
                progress(done, len(works))
    return counts
