"""Load the demo portfolio (the 2021 Board report's work and results) into a database.

The demo may rebuild a database that holds only its own records (so it can be run
again), and refuses one that holds anything a user entered, imported or changed unless
asked to reset it. Its records are marked (``origin`` "demo"). Four eyes, as with real
data: the audit trail names ``demo`` for the work items, the data-entry account
(``data-entry``) for entering and submitting the results, and a separate reviewer
account (``reviewer``) for verifying them, each in a transaction of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, delete, func, not_, or_, select
from sqlalchemy.orm import Session

from greenfolio.domain.errors import GreenfolioError
from greenfolio.refdata.loader import read_yaml
from greenfolio.services import audit, portfolio, reference, results
from greenfolio.services.database import Database
from greenfolio.services.synthetic import KEY_PREFIX
from greenfolio.store.tables import AuditEventRow, MethodRunRow, ResultRow, WorkRow

DEMO_REVIEWER = "demo loader (checked against the published report)"
DEMO_ACTOR = "demo"
"""Who the audit trail says made the demo's work items."""
DEMO_ENTRY = "data-entry"
"""The account that enters and submits the demo's results."""
DEMO_CHECKER = "reviewer"
"""The account that verifies them (never the one that entered them)."""
ENTRY_ACTOR, CHECKER_ACTOR = f"user:{DEMO_ENTRY}", f"user:{DEMO_CHECKER}"
DEMO_ACTORS = (DEMO_ACTOR, ENTRY_ACTOR, CHECKER_ACTOR)
ORIGIN = "demo"


class DemoRefused(GreenfolioError):
    """The database holds records the demo did not write."""


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


def _date_spec(raw: dict[str, Any], source: str) -> dict[str, Any]:
    """A dated line of the demo file as a typed date citing its paragraph and words."""
    return {
        "type": raw["type"],
        "when": str(raw["when"]),
        "citation": f"{source}, para. {raw['para']}: {raw['words']}",
    }


def _own_work() -> Any:
    """Work items the demo wrote: its own (marked) and generated synthetic ones."""
    return or_(
        func.coalesce(WorkRow.origin, "") == ORIGIN,
        WorkRow.key.startswith(KEY_PREFIX, autoescape=True),
    )


@dataclass
class Holdings:
    """What a database holds that the demo did not write."""

    work: int = 0
    results: int = 0
    changed: int = 0
    """The demo's own records changed since by someone else."""
    method_runs: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.work or self.results or self.changed or self.method_runs)

    def __str__(self) -> str:
        parts = []
        if self.work:
            shown = ", ".join(self.examples[:3]) + (" …" if self.work > 3 else "")
            parts.append(f"{self.work} work item{_s(self.work)} ({shown})")
        if self.results:
            parts.append(f"{self.results} result{_s(self.results)} entered or imported")
        if self.changed:
            parts.append(f"{self.changed} demo record{_s(self.changed)} changed by users")
        if self.method_runs:
            parts.append(f"{self.method_runs} method run{_s(self.method_runs)}")
        return ", ".join(parts)


def _with_sourced_names(key: str, names: dict[str, str]) -> dict[str, str]:
    """The demo's names of a partner and those ``refdata/orgnames`` cites for it in other
    languages (the UN's or the organisation's own: FAO's French and Spanish names), so a
    page in French does not name FAO in English. The demo's own names stay as written."""
    from greenfolio.domain.org_names import table

    entry = table().get(key.replace("-", "_"))
    if entry is None:
        return dict(names)
    given = entry.get("given") or {}
    cited = {str(given["lang"]): str(given["name"])} if given.get("name") else {}
    cited.update({str(k): str(v) for k, v in (entry.get("names") or {}).items() if v})
    return {**cited, **names}


def _s(n: int) -> str:
    return "" if n == 1 else "s"


def holdings(session: Session) -> Holdings:
    """Count the records the demo did not write, or that others changed after it."""
    found = Holdings()
    others = select(WorkRow.key).where(not_(_own_work())).order_by(WorkRow.key)
    found.examples = list(session.scalars(others.limit(3)))
    found.work = session.scalar(select(func.count()).select_from(others.subquery())) or 0
    own_ids = select(WorkRow.id).where(_own_work())
    own_results = and_(
        ResultRow.work_id.in_(own_ids),
        or_(
            func.coalesce(ResultRow.origin, "") == ORIGIN,
            WorkRow.key.startswith(KEY_PREFIX, autoescape=True),
        ),
    )
    # every result the demo did not write: on others' work items, or added to its own
    counted = select(func.count()).select_from(ResultRow).join(WorkRow)
    found.results = session.scalar(counted.where(~own_results)) or 0
    found.method_runs = session.scalar(select(func.count()).select_from(MethodRunRow)) or 0
    touched = (
        select(AuditEventRow.entity, AuditEventRow.entity_id)
        .where(
            AuditEventRow.actor.not_in(DEMO_ACTORS),
            AuditEventRow.entity.in_(("work_item", "result")),
            AuditEventRow.entity_id != "*",
        )
        .distinct()
    )
    own_work_ids = {str(i) for i in session.scalars(own_ids)}
    own_result_ids = {
        str(i) for i in session.scalars(select(ResultRow.id).join(WorkRow).where(own_results))
    }
    for entity, entity_id in session.execute(touched):
        mine = own_work_ids if entity == "work_item" else own_result_ids
        found.changed += entity_id in mine
    return found


def _reset(session: Session) -> dict[str, int]:
    """Remove every work item, result and method run (the audit trail keeps their history).

    Results go first, one statement each table, so the trail records each removal rather
    than leaving it to the database's cascades."""
    removed = {
        "work items": session.scalar(select(func.count()).select_from(WorkRow)) or 0,
        "results": session.scalar(select(func.count()).select_from(ResultRow)) or 0,
        "method runs": session.scalar(select(func.count()).select_from(MethodRunRow)) or 0,
    }
    session.execute(delete(ResultRow))
    session.execute(delete(MethodRunRow))
    session.execute(delete(WorkRow))
    return removed


def _refuse_others(session: Session, db: Database, reset: bool) -> None:
    held = holdings(session)
    if not held.empty and not reset:
        raise DemoRefused(
            f"the database {db.url} holds {held}. The demo would overwrite or mix with "
            "them: use another database (--db), or add --reset to remove every work "
            "item, result and method run first"
        )


def check(db: Database, reset: bool = False) -> None:
    """Service call: refuse (``DemoRefused``) as ``load`` would, before anything is made
    for the demo (its accounts), so that a refused demo changes nothing."""
    with db.transaction() as session:
        _refuse_others(session, db, reset)


def load(
    db: Database, progress: Callable[[int, int], None] | None = None, reset: bool = False
) -> dict[str, int]:
    """Replace the demo work items with the packaged ones.

    Refuses (``DemoRefused``) a database holding records the demo did not write, unless
    ``reset``: then every work item, result and method run is removed first, and the
    counts removed are returned under ``removed_*``. Results follow the same review path
    as real data, in three transactions: the work items (as ``demo``), the results entered
    and submitted (as the data-entry account), then verified (as the reviewer account). A
    run stopped between them leaves the demo's own records only, which the next run
    rebuilds; re-running the load gives the same portfolio.
    """
    reference.sync(db)
    data = read_yaml("greenfolio.demo", "portfolio.yaml")
    source, defaults = data["source"], data.get("defaults", {})
    counts = {"organisations": 0, "work": 0, "results": 0}
    works = data["work"]
    entries: list[tuple[str, str, list[dict[str, Any]]]] = []
    with audit.acting_as(DEMO_ACTOR), db.transaction() as session:
        _refuse_others(session, db, reset)
        if reset:
            counts.update({f"removed_{k}": v for k, v in _reset(session).items()})
        for raw in data["organisations"]:
            spec = {**raw, "names": _with_sourced_names(raw["key"], raw.get("names") or {})}
            portfolio.upsert_organisation(session, portfolio.OrganisationSpec(**spec))
            counts["organisations"] += 1
        keys = [w["key"] for w in works]
        old_ids = select(WorkRow.id).where(WorkRow.key.in_(keys))
        session.execute(delete(ResultRow).where(ResultRow.work_id.in_(old_ids)))
        for raw in works:
            raw = dict(raw)
            para = raw.pop("para")
            citation = f"{source}, para. {para}"
            entries.append((raw["key"], citation, raw.pop("results")))
            raw["dates"] = [_date_spec(d, source) for d in raw.get("dates", [])]
            if data.get("reporting_org"):
                raw["organisations"] = [
                    *raw.get("organisations", []),
                    {"org": data["reporting_org"], "role": "reporting"},
                ]
            work = portfolio.upsert_work(session, portfolio.WorkSpec(citation=citation, **raw))
            work.origin = ORIGIN
            counts["work"] += 1
    ids: list[int] = []
    with audit.acting_as(ENTRY_ACTOR), db.transaction() as session:
        for done, (key, citation, result_list) in enumerate(entries, start=1):
            for item in result_list:
                row = results.add(session, _result_spec(key, item, defaults, citation))
                row.origin = ORIGIN
                results.review(session, row.id, "submit")
                ids.append(row.id)
            if progress:
                progress(done, len(entries))
    with audit.acting_as(CHECKER_ACTOR), db.transaction() as session:
        for result_id in ids:
            results.review(session, result_id, "verify")
            counts["results"] += 1
    return counts
