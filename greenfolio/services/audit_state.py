"""What an audited record looks like: its state as the audit trail records it (child rows
of a work item folded in), and the check of the stored records against the trail's last
recorded state of each.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, and_, func, or_, select

from greenfolio.store.tables import AuditEventRow, Base

NOT_AUDITED = frozenset(
    # work_search: the search index, rebuilt from the audited work items and terms.
    # mail_outbox: notifications sent or not, derived from audited review actions.
    # view_cache: derived views (dashboard, filter choices), recomputed from the records.
    # report_job, report_job_file: report builds and their files; a build only reads the
    # records, and auditing its state changes would advance the change generation (and
    # so recompute every shared view) on each heartbeat.
    # result_term: the results under each programme and convention, kept by database
    # triggers from the audited results and work terms (migration 0014_figure_terms).
    {
        "audit_event",
        "audit_head",
        "user_session",
        "login_attempt",
        "login_throttle",
        "work_search",
        "mail_outbox",
        "view_cache",
        "report_job",
        "report_job_file",
        "result_term",
    }
)
"""Tables that are bookkeeping, not records: the trail itself, sessions, sign-in attempts."""
PARENT = "work_item"
_CHUNK = 500


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return stamp(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def stamp(at: datetime) -> str:
    """A UTC timestamp in one form on both backends (SQLite gives back naive datetimes)."""
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def row_dict(table: str, row: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in row.items():
        if name == "updated_at":
            continue
        if name == "password_hash" and value:
            # The hash itself stays out of the trail; a fingerprint shows that it changed.
            value = "argon2:" + hashlib.sha256(str(value).encode()).hexdigest()[:12]
        out[name] = _jsonable(value)
    return out


@cache
def children() -> tuple[Table, ...]:
    """Tables whose rows belong to one work item (``work_*`` with a ``work_id``)."""
    return tuple(
        t
        for name, t in sorted(Base.metadata.tables.items())
        if name.startswith("work_")
        and name != PARENT
        and name not in NOT_AUDITED
        and "work_id" in t.c
    )


def child_names() -> frozenset[str]:
    return frozenset(t.name for t in children())


def snapshots(conn: Connection, table_name: str, pks: list[tuple[Any, ...]]) -> dict[Any, Any]:
    """The current state of each record, read in batches; absent records are left out."""
    table = Base.metadata.tables[table_name]
    pk_cols = list(table.primary_key.columns)
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for start in range(0, len(pks), _CHUNK):
        chunk = pks[start : start + _CHUNK]
        cond: ColumnElement[bool]
        if len(pk_cols) == 1:
            cond = pk_cols[0].in_([p[0] for p in chunk])
        else:
            cond = or_(*(and_(*(c == v for c, v in zip(pk_cols, p, strict=True))) for p in chunk))
        for row in conn.execute(select(table).where(cond)).mappings():
            out[tuple(row[c.name] for c in pk_cols)] = row_dict(table_name, row)
    if table_name == PARENT and out:
        ids = [pk[0] for pk in out]
        for snap in out.values():
            for child in children():
                snap[child.name] = []
        for child in children():
            for start in range(0, len(ids), _CHUNK):
                stmt = select(child).where(child.c.work_id.in_(ids[start : start + _CHUNK]))
                for row in conn.execute(stmt).mappings():
                    item = {k: v for k, v in row_dict(child.name, row).items() if k != "work_id"}
                    out[(row["work_id"],)][child.name].append(item)
        for snap in out.values():
            for child in children():
                snap[child.name].sort(key=lambda d: json.dumps(d, sort_keys=True, default=str))
    return out


def audited_tables() -> list[str]:
    """Tables whose records the trail follows one by one (child rows count as their work
    item's)."""
    skip = NOT_AUDITED | child_names()
    return [name for name in sorted(Base.metadata.tables) if name not in skip]


@dataclass(frozen=True)
class Finding:
    """A stored record that does not match the trail's last recorded state of it."""

    table: str
    record: str
    problem: str

    def __str__(self) -> str:
        return f"{self.table} {self.record}: {self.problem}"


@dataclass
class StateCheck:
    findings: list[Finding]
    checked: int
    """Records compared with their last recorded state."""
    unrecorded: int
    """Records written by bulk loads, which the trail counts but does not hold one by one."""


def _normal(value: Any) -> Any:
    """One form for a state read now and one read back from the trail's JSON."""
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def _last_events(conn: Connection) -> dict[str, dict[str, tuple[int, str, Any]]]:
    """The newest event of each record, by table and record id."""
    events = Base.metadata.tables[AuditEventRow.__tablename__]
    newest = (
        select(func.max(events.c.id))
        .where(events.c.entity_id != "*")
        .group_by(events.c.entity, events.c.entity_id)
    )
    rows = conn.execute(
        select(events.c.id, events.c.entity, events.c.entity_id, events.c.action, events.c.after)
        .where(events.c.id.in_(newest))
        .execution_options(yield_per=2000)
    )
    out: dict[str, dict[str, tuple[int, str, Any]]] = {}
    for event_id, entity, entity_id, action, after in rows:
        out.setdefault(entity, {})[entity_id] = (event_id, action, after)
    return out


def _bulk_marks(conn: Connection) -> dict[tuple[str, bool], int]:
    """Per table, the newest summary (bulk) event that inserted rows (``False``) and that
    changed or deleted rows (``True``): records they touched are not held one by one, so
    they are counted, not compared. Child tables count as work items."""
    events = Base.metadata.tables[AuditEventRow.__tablename__]
    rows = conn.execute(
        select(events.c.entity, events.c.action, func.max(events.c.id))
        .where(events.c.entity_id == "*")
        .group_by(events.c.entity, events.c.action)
    )
    folded = child_names()
    out: dict[tuple[str, bool], int] = {}
    for entity, action, newest in rows:
        key = (PARENT if entity in folded else entity, action != "bulk_insert")
        out[key] = max(out.get(key, 0), int(newest))
    return out


def _current(conn: Connection, name: str) -> Iterator[dict[tuple[Any, ...], Any]]:
    """The table's records in batches, each in its recorded form."""
    table = Base.metadata.tables[name]
    pk_cols = list(table.primary_key.columns)
    batch: list[tuple[Any, ...]] = []
    for row in conn.execute(select(*pk_cols).order_by(*pk_cols)):
        batch.append(tuple(row))
        if len(batch) == _CHUNK:
            yield snapshots(conn, name, batch)
            batch = []
    if batch:
        yield snapshots(conn, name, batch)


def check_records(conn: Connection) -> StateCheck:
    """Compare every stored record with the trail's last recorded state of it: a record
    changed, added or deleted by other means than Greenfolio (SQL typed at the database,
    a restored file) is reported by table and id."""
    last = _last_events(conn)
    bulk = _bulk_marks(conn)
    result = StateCheck([], 0, 0)
    gone: dict[tuple[str, str], tuple[int, Any]] = {}
    for name in audited_tables():
        recorded = dict(last.get(name, {}))
        loaded, changed = bulk.get((name, False), 0), bulk.get((name, True), 0)
        for batch in _current(conn, name):
            for pk, state in batch.items():
                ident = "/".join(str(v) for v in pk)
                found = recorded.pop(ident, None)
                if (found is None and loaded) or (found is not None and found[0] < changed):
                    result.unrecorded += 1
                    continue
                if found is None:
                    result.findings.append(Finding(name, ident, "no audit event records it"))
                    continue
                result.checked += 1
                problem = _compare(state, *found)
                if problem:
                    result.findings.append(Finding(name, ident, problem))
        for ident, (event_id, action, after) in recorded.items():
            if action != "delete" and event_id > changed:
                gone[(name, ident)] = (event_id, after)
    for (name, ident), (event_id, after) in gone.items():
        if not _cascaded(name, after, last, gone):
            problem = f"was removed outside Greenfolio (last recorded in event {event_id})"
            result.findings.append(Finding(name, ident, problem))
    return result


def _compare(state: Any, event_id: int, action: str, after: Any) -> str:
    if action == "delete":
        return f"exists, but event {event_id} recorded its deletion"
    now, then = _normal(state), _normal(after)
    if now == then:
        return ""
    fields = sorted(k for k in set(now) | set(then) if now.get(k) != then.get(k))
    return f"{', '.join(fields)} changed outside Greenfolio since event {event_id}"


def _cascaded(
    name: str,
    after: Any,
    last: dict[str, dict[str, tuple[int, str, Any]]],
    gone: dict[tuple[str, str], tuple[int, Any]],
) -> bool:
    """Whether a vanished record went with a parent whose deletion is recorded (the
    database deletes dependent rows itself: ``ON DELETE CASCADE``)."""
    if not isinstance(after, dict):
        return False
    for fk in Base.metadata.tables[name].foreign_keys:
        if (fk.ondelete or "").upper() != "CASCADE" or fk.parent.name not in after:
            continue
        parent = fk.column.table.name
        parent_id = str(after[fk.parent.name])
        parent_last = last.get(parent, {}).get(parent_id)
        if parent_last is not None and parent_last[1] == "delete":
            return True
        above = gone.get((parent, parent_id))
        if above is not None and _cascaded(parent, above[1], last, gone):
            return True
    return False
