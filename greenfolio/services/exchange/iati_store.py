"""Write IATI activity records to the store in batches.

Rows are inserted in batches of a few hundred activities (see ``bulk``), so a large
file costs a handful of statements per batch rather than a few per row. An activity is
created, updated (children replaced) or skipped by its identifier, its
last-updated-datetime or, where either side has none, a comparison with the stored
record; results are replaced only where this importer made them, so reviews of other
results survive.

A stored project that this importer did not make (entered by hand, or brought by
another importer) is never overwritten silently: its activity is refused with the
reason, unless the caller asks for ``update_existing``. Updates of stored projects go
through the session row by row, so the audit trail records each record changed (the
project with its countries, partners, sectors and finances; each result and indicator
removed or added), not just a count.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.orm import Session

from greenfolio.domain.exchange import Problem, Severity
from greenfolio.domain.iati import (
    Activity,
    OrgRef,
    digest,
    same_record,
)
from greenfolio.domain.keys import HINT, key_problem
from greenfolio.domain.text import quoted
from greenfolio.domain.work import OrgRole, WorkKind
from greenfolio.services import audit, search
from greenfolio.services.exchange.bulk import insert_returning_ids, insert_rows
from greenfolio.services.exchange.iati_json import work_details
from greenfolio.services.exchange.iati_load import aware, load_activities
from greenfolio.services.exchange.iati_orgs import Organisations
from greenfolio.services.exchange.iati_result_match import revise_results
from greenfolio.services.exchange.iati_rows import (
    chunks,
    money_row,
    result_rows,
    share_row,
    too_long,
)
from greenfolio.store.tables import (
    IatiIndicatorRow,
    IndicatorRow,
    ResultRow,
    WorkCountryRow,
    WorkFinanceRow,
    WorkOrgRow,
    WorkRegionRow,
    WorkRow,
    WorkSectorRow,
)

ORIGIN = "iati"
BATCH = 400
ORIGIN_NAMES = {
    "iati": "an IATI import",
    "mlf-apr": "a Multilateral Fund progress report import",
}
"""How a stored project came in, by its ``origin``, as a person reads it."""


# ---------------------------------------------------------------- writing


@dataclass(slots=True)
class _Pending:
    activity: Activity
    fingerprint: str | None
    line: int
    file: str


def registered_units(session: Session) -> dict[str, str]:
    """The registry's own indicators (not those an IATI import made), code → unit: what an
    indicator of Greenfolio's own in a file is put back on."""
    rows = session.execute(
        select(IndicatorRow.code, IndicatorRow.unit).where(~IndicatorRow.code.startswith("iati."))
    )
    return {str(code): str(unit) for code, unit in rows}


class ActivityWriter:
    """Collects parsed activities and stores them batch by batch in one session."""

    def __init__(
        self,
        session: Session,
        origin: str = ORIGIN,
        batch: int = BATCH,
        extra_results: Callable[[Activity, int], list[dict[str, Any]]] | None = None,
        org_keys: dict[str, str] | None = None,
        update_existing: bool = False,
    ) -> None:
        self.session = session
        self.update_existing = update_existing
        if session.get_bind().dialect.name == "sqlite":
            # A large import touches the key index all over; a bigger page cache for
            # this connection keeps those pages in memory. 16 MiB holds the key index of
            # a few hundred thousand activities, and keeps the import's memory the same
            # whatever the file's size (64 MiB made a 200 MB file's import 1.5 times the
            # peak of a 50 MB one's: benchmarks/iati_import.py).
            session.connection().exec_driver_sql("PRAGMA cache_size=-16384")
        self.extra_results = extra_results
        self.org_keys = org_keys or {}
        self.conn: Connection = session.connection()
        self.origin = origin
        self.batch = batch
        self.orgs = Organisations(session)
        self.registered = registered_units(session)
        self.pending: list[_Pending] = []
        self.seen: dict[str, int] = {}
        """Where each identifier was read: file number (in ``files``) * 2**32 + line.
        One int per activity, as the file may hold hundreds of thousands."""
        self.files: list[str] = []
        self.created = 0
        self.updated = 0
        self.skipped = 0
        self.refused = 0
        self.problems: list[Problem] = []
        self.same_stamp: set[str] = set()
        """Identifiers whose last-updated-datetime is the stored one's."""

    def add(self, activity: Activity, line: int, file: str, salt: str | None = None) -> None:
        """Queue an activity for the next batch.

        Whether a stored activity has changed is told by its last-updated-datetime where
        both sides have one, else by comparing the stored record with this one. With
        ``salt`` (what an ``extra_results`` hook will store for it), a fingerprint of
        record and salt is kept and compared instead.
        """
        unusable = key_problem(activity.identifier)
        if unusable is not None:
            self.problems.append(
                Problem(
                    f"{unusable}; this activity is left out ({HINT})",
                    file=file,
                    line=line,
                    activity=activity.identifier,
                    element="iati-identifier",
                )
            )
            return
        first = self.seen.get(activity.identifier)
        if first is not None:
            self.problems.append(
                Problem(
                    f"iati-identifier {quoted(activity.identifier)} was already read at "
                    f"{self.files[first >> 32]}:{first & 0xFFFFFFFF}; this second activity "
                    "is left out",
                    file=file,
                    line=line,
                    activity=activity.identifier,
                    element="iati-identifier",
                )
            )
            self.refused += 1
            return
        if not self.files or self.files[-1] != file:
            self.files.append(file)
        self.seen[activity.identifier] = ((len(self.files) - 1) << 32) | line
        oversized = too_long(activity)
        if oversized is not None:
            what, length, limit = oversized
            self.problems.append(
                Problem(
                    f"{what} is {length} characters long; the store keeps at most {limit}, so "
                    "the activity is left out. Shorten it (or correct the file) and import again",
                    file=file,
                    line=line,
                    activity=activity.identifier,
                )
            )
            self.refused += 1
            return
        fingerprint = None
        if salt is not None:
            fingerprint = hashlib.sha1((digest(activity) + salt).encode("utf-8")).hexdigest()
        self.pending.append(_Pending(activity, fingerprint, line, file))
        if len(self.pending) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        keys = [p.activity.identifier for p in batch]
        existing = {
            key: (wid, version, aware(stamp), dig, origin)
            for wid, key, version, stamp, dig, origin in self.session.execute(
                select(
                    WorkRow.id,
                    WorkRow.key,
                    WorkRow.version,
                    WorkRow.iati_updated,
                    WorkRow.import_digest,
                    WorkRow.origin,
                ).where(WorkRow.key.in_(keys))
            )
        }
        new: list[_Pending] = []
        changed: list[tuple[_Pending, int, int]] = []
        compare: list[tuple[_Pending, int, int]] = []
        for item in batch:
            found = existing.get(item.activity.identifier)
            if found is None:
                new.append(item)
                continue
            wid, version, stamp, dig, origin = found
            if origin != self.origin and not self.update_existing:
                self._refuse_existing(item, origin)
                continue
            verdict = self._unchanged(item, stamp, dig)
            if verdict is None:
                compare.append((item, wid, version))
            elif verdict:
                self.skipped += 1
            else:
                changed.append((item, wid, version))
        if compare:
            stored = load_activities(self.session, [wid for _, wid, _ in compare])
            for (item, wid, version), record in zip(compare, stored, strict=True):
                if same_record(record, item.activity):
                    self.skipped += 1
                    continue
                changed.append((item, wid, version))
                if item.activity.identifier in self.same_stamp:
                    self.problems.append(
                        Problem(
                            "this activity differs from the stored one although its "
                            "last-updated-datetime is the same; the stored project is updated "
                            "from the file. A publisher moves last-updated-datetime on with "
                            "each change",
                            severity=Severity.WARNING,
                            file=item.file,
                            line=item.line,
                            activity=item.activity.identifier,
                            element="iati-activity",
                        )
                    )
        ids: list[int] = []
        if new:
            ids = insert_returning_ids(self.conn, WorkRow, [self._work_row(p) for p in new])
            self.created += len(new)
        codes: list[str] = []
        if changed:
            codes = self._clear([wid for _, wid, _ in changed])
            self.session.execute(
                update(WorkRow),
                [
                    {"id": wid, "version": version + 1, **self._work_row(p)}
                    for p, wid, version in changed
                ],
            )
            self.updated += len(changed)
        self._children([(p.activity, wid) for p, wid in zip(new, ids, strict=True)])
        self._children([(p.activity, wid) for p, wid, _ in changed], tracked=True)
        self._drop_unused(codes)
        # Rows went in with Core statements, past the session's listener: the batch's
        # search documents are made here, a few hundred at a time (for new items from
        # the records in hand, for changed ones from the rows).
        search.add_new(
            self.conn,
            [
                (wid, p.activity.identifier, p.activity.title, p.activity.description)
                for p, wid in zip(new, ids, strict=True)
            ],
        )
        search.refresh(self.conn, [wid for _, wid, _ in changed])

    def _refuse_existing(self, item: _Pending, origin: str | None) -> None:
        key = item.activity.identifier
        how = ORIGIN_NAMES.get(origin or "", f"an import of kind {origin}") if origin else None
        came = f"came from {how}" if how else "was entered by hand or from a data file"
        self.refused += 1
        self.problems.append(
            Problem(
                f"a project with the key {quoted(key)} is already stored and {came}, not from "
                "this import; the activity is left out so that nothing is overwritten. "
                "To replace the stored project with this activity, import again with "
                "--update-existing (every change is kept in the audit trail); to keep "
                "both, give the stored project another key first",
                file=item.file,
                line=item.line,
                activity=key,
                element="iati-identifier",
            )
        )

    def _unchanged(self, item: _Pending, stamp: datetime | None, dig: str | None) -> bool | None:
        """True to skip, False to update, None when only a comparison of records can tell."""
        if item.fingerprint is not None:
            return dig == item.fingerprint
        incoming = item.activity.last_updated
        if incoming is not None and stamp is not None:
            if incoming < stamp:
                self.problems.append(
                    Problem(
                        f"the store holds a newer version (last updated {stamp.isoformat()}) "
                        f"than this file ({incoming.isoformat()}); kept the stored one",
                        severity=Severity.WARNING,
                        file=item.file,
                        line=item.line,
                        activity=item.activity.identifier,
                        element="iati-activity",
                    )
                )
                return True
            if incoming == stamp:
                # the same stamp should mean the same activity; a publisher who edits a
                # file without moving it on is told, and the comparison decides
                self.same_stamp.add(item.activity.identifier)
                return None
            return False
        return None

    def _work_row(self, p: _Pending) -> dict[str, Any]:
        act = p.activity
        return {
            "key": act.identifier,
            "kind": WorkKind.PROJECT.value,
            "title": act.title,
            "description": act.description,
            "status": act.status.value if act.status else None,
            "start_date": act.start,
            "end_date": act.end,
            "origin": self.origin,
            "iati_updated": act.last_updated,
            "import_digest": p.fingerprint,
            "currency": act.currency,
            "language": act.language,
            "details": work_details(act),
        }

    def _clear(self, work_ids: list[int]) -> list[str]:
        """Remove what an update replaces: the project's countries, partners, sectors,
        regions, finances and results framework. Results stay until the new ones are
        matched with them (``iati_result_match.revise_results``); returns the
        framework's indicator codes."""
        s = self.session
        codes = list(
            s.scalars(
                select(IatiIndicatorRow.indicator_code).where(
                    IatiIndicatorRow.work_id.in_(work_ids)
                )
            )
        )
        for table in (WorkCountryRow, WorkOrgRow, WorkSectorRow, WorkRegionRow, WorkFinanceRow):
            s.execute(delete(table).where(table.work_id.in_(work_ids)))
        for chunk in chunks(codes):
            s.execute(delete(IatiIndicatorRow).where(IatiIndicatorRow.indicator_code.in_(chunk)))
        return codes

    def _drop_unused(self, codes: list[str]) -> None:
        """Indicators an import made that no result uses any more."""
        if not codes:
            return
        s = self.session
        used = set(
            s.scalars(
                select(ResultRow.indicator_code)
                .where(ResultRow.indicator_code.in_(codes))
                .distinct()
            )
        )
        framed = set(
            s.scalars(
                select(IatiIndicatorRow.indicator_code).where(
                    IatiIndicatorRow.indicator_code.in_(codes)
                )
            )
        )
        unused = [c for c in codes if c not in used and c not in framed]
        for chunk in chunks(unused):
            s.execute(delete(IndicatorRow).where(IndicatorRow.code.in_(chunk)))

    def _children(self, targets: list[tuple[Activity, int]], tracked: bool = False) -> None:
        """Store the rows that belong to each (activity, work id): in bulk for new
        projects, through the session (so each row is audited) for ``tracked`` updates."""
        if not targets:
            return
        countries: list[dict[str, Any]] = []
        orgs: list[dict[str, Any]] = []
        sectors: list[dict[str, Any]] = []
        regions: list[dict[str, Any]] = []
        money: list[dict[str, Any]] = []
        indicators: list[dict[str, Any]] = []
        framework: list[dict[str, Any]] = []
        results: list[dict[str, Any]] = []
        # who imports the file entered and submitted its results: not their verifier
        actor = audit.current_actor()
        for act, wid in targets:
            countries += [
                {"work_id": wid, "country": c.country, "share": c.percentage} for c in act.countries
            ]
            orgs += self._org_rows(act, wid)
            sectors += [share_row(wid, s) for s in act.sectors]
            regions += [share_row(wid, r) for r in act.regions]
            money += [money_row(wid, i, m) for i, m in enumerate(act.money, start=1)]
            result_rows(
                act, wid, self.origin, indicators, framework, results, actor, self.registered
            )
            if self.extra_results is not None:
                results += self.extra_results(act, wid)
        c = self.conn
        tables: list[tuple[Any, list[dict[str, Any]]]] = [
            (WorkCountryRow, countries),
            (WorkOrgRow, orgs),
            (WorkSectorRow, sectors),
            (WorkRegionRow, regions),
            (WorkFinanceRow, money),
        ]
        if indicators:
            self._store_indicators(indicators, tracked)
        tables += [(IatiIndicatorRow, framework), (ResultRow, results)]
        for table, rows in tables:
            if tracked and table is ResultRow:
                revise_results(self.session, self.origin, [wid for _, wid in targets], rows)
            elif tracked:
                self.session.add_all(table(**row) for row in rows)
            else:
                insert_rows(c, table, rows)
        if tracked:
            self.session.flush()

    def _org_rows(self, act: Activity, wid: int) -> list[dict[str, Any]]:
        seen: set[tuple[int, str]] = set()
        rows: list[dict[str, Any]] = []
        pairs: list[tuple[OrgRef, str]] = [(p.org, p.role.value) for p in act.participants]
        if act.reporting_org is not None:
            pairs.append((act.reporting_org, OrgRole.REPORTING.value))
        for org, role in pairs:
            oid = self.orgs.resolve(org, self.org_keys.get(org.key()) if self.org_keys else None)
            if oid is None or (oid, role) in seen:
                continue
            seen.add((oid, role))
            rows.append({"work_id": wid, "org_id": oid, "role": role})
        return rows

    def _store_indicators(self, rows: list[dict[str, Any]], tracked: bool) -> None:
        codes = [r["code"] for r in rows]
        present = set(
            self.session.scalars(select(IndicatorRow.code).where(IndicatorRow.code.in_(codes)))
        )
        fresh = [r for r in rows if r["code"] not in present]
        if tracked:
            self.session.add_all(IndicatorRow(**r) for r in fresh)
            self.session.flush()
        else:
            insert_rows(self.conn, IndicatorRow, fresh)
        for row in rows:
            if row["code"] in present:
                values = {k: v for k, v in row.items() if k != "code"}
                # Through the session: the audit trail records the indicator's change.
                self.session.execute(
                    update(IndicatorRow).where(IndicatorRow.code == row["code"]).values(**values)
                )
