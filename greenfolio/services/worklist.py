"""The portfolio as the shell sees it: every work item, filtered like the web's project list.

The command line runs with the database's own rights (whoever holds the URL reads
everything), so this listing applies the same filters as ``explorer.projects`` without a
principal, and checks each filter value so that a typo is named instead of matching nothing.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from greenfolio.domain.countries import check_country
from greenfolio.domain.errors import ValidationError
from greenfolio.services import explorer
from greenfolio.services.database import Database
from greenfolio.store.tables import TermRow, WorkRow


@dataclass(frozen=True)
class WorkListing:
    """One slice of the matching work items, and how many match in all."""

    items: list[dict[str, Any]]
    total: int

    def as_dict(self) -> dict[str, Any]:
        return {"items": self.items, "total": self.total, "shown": len(self.items)}


def _check_term(session: Any, scheme: str, code: str) -> None:
    codes = list(session.scalars(select(TermRow.code).where(TermRow.scheme == scheme)))
    if code not in codes:
        near = difflib.get_close_matches(code, codes, n=3, cutoff=0.4)
        hint = f" (did you mean {', '.join(near)}?)" if near else ""
        raise ValidationError(
            f"unknown {scheme.replace('_', ' ')} {code!r}{hint}; choose from "
            f"{', '.join(sorted(codes)) or 'none (run greenfolio db upgrade)'}"
        )


def listing(db: Database, flt: explorer.ProjectFilter, limit: int = 100) -> WorkListing:
    """Service call: work items matching ``flt`` (by key), at most ``limit`` of them."""
    if flt.country:
        flt = explorer.ProjectFilter(**{**flt.__dict__, "country": check_country(flt.country)})
    with db.transaction() as session:
        for scheme in explorer.FILTER_SCHEMES:
            code = getattr(flt, scheme)
            if code:
                _check_term(session, scheme, code)
        conds = explorer.project_conditions(flt)
        total = session.scalar(select(func.count()).select_from(WorkRow).where(*conds)) or 0
        query = explorer.project_rows(conds, WorkRow.key).limit(limit)
        items = [
            {**item, "title": explorer.text_in(item["title"], "en"), "titles": item["title"]}
            for item in explorer.project_dicts(session, session.execute(query).all())
        ]
    return WorkListing(items, total)
