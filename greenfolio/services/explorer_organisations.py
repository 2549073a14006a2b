"""Organisation reads: the register with project counts, and one organisation's projects."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from greenfolio.domain.errors import NotFoundError
from greenfolio.domain.permissions import Principal
from greenfolio.services import access
from greenfolio.services.database import Database
from greenfolio.services.explorer_common import need_reader
from greenfolio.store.tables import OrganisationRow, WorkOrgRow, WorkRow


def organisations(db: Database, principal: Principal) -> list[dict[str, Any]]:
    need_reader(principal)
    with db.transaction() as session:
        counts = dict(
            session.execute(
                select(WorkOrgRow.org_id, func.count(func.distinct(WorkOrgRow.work_id))).group_by(
                    WorkOrgRow.org_id
                )
            ).all()
        )
        return [
            {
                "key": o.key,
                "names": o.names,
                "iati_ref": o.iati_ref,
                "kind": o.kind,
                "projects": counts.get(o.id, 0),
            }
            for o in session.scalars(select(OrganisationRow).order_by(OrganisationRow.key))
        ]


def organisation(db: Database, principal: Principal, key: str) -> dict[str, Any]:
    need_reader(principal)
    with db.transaction() as session:
        org = session.scalar(select(OrganisationRow).where(OrganisationRow.key == key))
        if org is None:
            raise NotFoundError(f"no organisation {key!r}")
        vis = access.visible_works(principal.visibility())
        works = session.execute(
            select(WorkRow.key, WorkOrgRow.role)
            .join(WorkOrgRow, WorkOrgRow.work_id == WorkRow.id)
            .where(WorkOrgRow.org_id == org.id, vis)
            .order_by(WorkRow.key)
        ).all()
        return {
            "key": org.key,
            "names": org.names,
            "iati_ref": org.iati_ref,
            "kind": org.kind,
            "projects": [{"key": k, "role": r} for k, r in works],
        }
