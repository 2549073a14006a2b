"""The review queue: results waiting for the principal, by review state."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from greenfolio.domain.permissions import Action, Principal
from greenfolio.services import access, breakdowns
from greenfolio.services.database import Database
from greenfolio.services.evidence import CURRENT
from greenfolio.services.explorer_common import need_reader
from greenfolio.services.explorer_results import may_verify, result_dict
from greenfolio.services.results import changed_by
from greenfolio.store.tables import EvidenceFileRow, ResultRow, WorkRow


def review_queue(db: Database, principal: Principal, limit: int = 100) -> dict[str, Any]:
    """Service call: results waiting for this principal: submitted ones they may review,
    drafts and returned ones they may submit. Each says how many current evidence files
    it has (``evidence_files``), so a reviewer sees at a glance what backs a figure."""
    need_reader(principal)
    vis = principal.visibility()
    out: dict[str, Any] = {}
    with db.transaction() as session:
        projects = access.StoredProjects()
        for state, action in (
            ("submitted", Action.REVIEW),
            ("returned", Action.SUBMIT),
            ("draft", Action.SUBMIT),
        ):
            conds = [*access.visible_results(vis), ResultRow.review_state == state]
            total = session.scalar(select(func.count()).select_from(ResultRow).where(*conds)) or 0
            items = []
            found = session.execute(
                select(ResultRow, WorkRow.key, WorkRow.title)
                .join(WorkRow, WorkRow.id == ResultRow.work_id)
                .where(*conds)
                .order_by(ResultRow.updated_at.desc(), ResultRow.id.desc())
                .limit(limit)
            ).all()
            # Each project's facets read once for the whole list, not per row.
            projects.load(session, (row.work_id for row, _, _ in found))
            changed = changed_by(session, [row.id for row, _, _ in found])
            files = evidence_counts(session, [row.id for row, _, _ in found])
            # totals exceeded by their breakdown by sex, for all of the list at once
            exceeded = breakdowns.around(session, principal, [row for row, _, _ in found])
            for row, key, title in found:
                actions = projects.get(session, row.work_id).result_actions(principal, row.country)
                if action not in actions:
                    continue
                item = result_dict(row, key)
                item["project_title"] = title
                item["actions"] = sorted(actions)
                item["may_verify"] = may_verify(principal, row, item["actions"], changed[row.id])
                item["evidence_files"] = files.get(row.id, 0)
                item["breakdown"] = exceeded.get(row.id, [])
                items.append(item)
            out[state] = {"items": items, "total": total}
    return out


def evidence_counts(session: Session, result_ids: list[int]) -> dict[int, int]:
    """The number of current (neither replaced nor withdrawn) evidence files of each
    result, read for the whole list at once."""
    if not result_ids:
        return {}
    rows = session.execute(
        select(EvidenceFileRow.result_id, func.count())
        .where(EvidenceFileRow.result_id.in_(result_ids), EvidenceFileRow.state == CURRENT)
        .group_by(EvidenceFileRow.result_id)
    ).all()
    return {rid: int(n) for rid, n in rows}
