"""Synthetic portfolios for scale tests: N projects with ten results each.

Values are random but well-formed (valid countries, units of the right kind, most
results verified), so every figure query has real work to do. The generator is
seeded, so the same N gives the same portfolio.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pycountry
from sqlalchemy import func, select, text

from greenfolio.domain.indicators import Disaggregation, Indicator
from greenfolio.refdata import loader
from greenfolio.services import bulk_load, reference, search
from greenfolio.services.database import Database
from greenfolio.store import derived, migrate
from greenfolio.store.tables import (
    Base,
    ResultRow,
    ResultTermRow,
    WorkRow,
    WorkSearchRow,
    WorkTermRow,
)

RESULTS_PER_PROJECT = 10
KEY_PREFIX = "synthetic-"
REBUILD_FROM = 5_000
"""From this many projects added (and no fewer than are stored already), the tables'
secondary indexes are dropped for the load and built again after it."""
WORKS, TERMS, DOCUMENTS, RESULTS = (
    Base.metadata.tables[row.__tablename__]
    for row in (WorkRow, WorkTermRow, WorkSearchRow, ResultRow)
)
TABLES = (WORKS, TERMS, DOCUMENTS, RESULTS)

# Units a result may be entered in, per indicator unit, to exercise conversion.
_ALTERNATIVE_UNITS = {"t": ["t", "kg"], "g_TEQ": ["g_TEQ", "mg_TEQ"], "tCO2e": ["tCO2e", "ktCO2e"]}
_SCALE = {"kg": 1000.0, "mg_TEQ": 1000.0, "ktCO2e": 0.001}


@dataclass
class _Choices:
    """What the generator picks from (reference data, read once)."""

    countries: list[str] = field(default_factory=lambda: [c.alpha_3 for c in pycountry.countries])
    inds: list[Indicator] = field(default_factory=lambda: list(loader.indicators().values()))
    programmes: list[str] = field(default_factory=lambda: _terms("programme"))
    focus: list[str] = field(default_factory=lambda: _terms("focus_area"))
    conventions: list[str] = field(default_factory=lambda: _terms("convention"))
    functions: list[str] = field(default_factory=lambda: _terms("core_function"))


def _terms(scheme: str) -> list[str]:
    return [f"{scheme}:{t.code}" for t in loader.schemes()[scheme].terms]


@dataclass
class _Batch:
    works: list[dict[str, Any]] = field(default_factory=list)
    terms: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)


def generate(
    db: Database,
    projects: int,
    seed: int = 2021,
    chunk: int = 5000,
    progress: Callable[[int], None] | None = None,
    note: Callable[[str], None] | None = None,
    rebuild_indexes: bool | None = None,
) -> int:
    """Add ``projects`` synthetic projects (and ten results each); returns results added.

    ``progress`` is told the projects of each batch written, ``note`` the slower steps
    after them (index builds, statistics). ``rebuild_indexes`` forces or forbids dropping
    the secondary indexes during the load (default: from ``REBUILD_FROM`` projects on)."""
    reference.sync(db)
    rng = random.Random(seed)
    choices = _Choices()
    say = note or (lambda _: None)
    added = 0
    with bulk_load.transaction(db) as session:
        conn = session.connection()
        start = session.scalar(select(func.count()).select_from(WorkRow)) or 0
        first_id = bulk_load.next_free_id(conn, WorkRow.__table__)  # type: ignore[arg-type]
        rebuild = (
            rebuild_indexes
            if rebuild_indexes is not None
            else projects >= REBUILD_FROM and projects >= start
        )
        names = [t.name for t in TABLES] + [ResultTermRow.__tablename__]
        deferred = bulk_load.indexes_deferred(conn, names, say) if rebuild else nullcontext()
        # With the indexes gone, the result_term triggers would scan work_term per result.
        off = derived.TRIGGERED_TABLES
        triggers = (
            bulk_load.triggers_deferred(conn, off, derived.TRIGGERS) if rebuild else nullcontext()
        )
        documents = search.bulk_insert(conn) if rebuild else nullcontext()
        rows = bulk_load.Loader(conn)
        with bulk_load.fast_writes(conn), deferred, triggers, documents:
            for offset in range(0, projects, chunk):
                size = min(chunk, projects - offset)
                batch = _batch(rng, choices, first_id + offset, start + offset, size)
                rows.insert(WORKS, batch.works)
                rows.insert(TERMS, batch.terms)
                if search.has_index(conn):
                    works = [(w["id"], w["key"], w["title"], w["description"]) for w in batch.works]
                    links = [(t["work_id"], t["term_key"]) for t in batch.terms]
                    rows.insert(DOCUMENTS, search.documents(conn, works, links))
                added += rows.insert(RESULTS, batch.results)
                if progress:
                    progress(size)
            if rebuild:
                filled = derived.fill_result_terms(conn, first_id, first_id + projects - 1)
                say(f"{filled:,} result_term rows written")
        if session.get_bind().dialect.name == "postgresql":
            # Ids were given explicitly: the sequence must move past them, or the next
            # project added (by a user, through the ORM) would be refused a taken id.
            session.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('work_item', 'id'), max(id)) "
                    "FROM work_item"
                )
            )
    _analyze(db, say)
    return added


def _batch(
    rng: random.Random, choices: _Choices, first_id: int, first_number: int, size: int
) -> _Batch:
    """The rows of ``size`` projects: drawn in the same order for the same seed (so the
    same portfolio comes out whatever the batch size)."""
    batch = _Batch()
    for i in range(size):
        wid, number = first_id + i, first_number + i
        batch.works.append(_work(wid, number))
        terms = [rng.choice(choices.programmes), rng.choice(choices.focus)]
        terms.append(rng.choice(choices.functions))
        if rng.random() < 0.5:
            terms.append(rng.choice(choices.conventions))
        batch.terms += [{"work_id": wid, "term_key": t} for t in terms]
        batch.results += [
            _result(rng, wid, choices.inds, choices.countries) for _ in range(RESULTS_PER_PROJECT)
        ]
    return batch


def _work(wid: int, number: int) -> dict[str, Any]:
    return {
        "id": wid,
        "key": f"{KEY_PREFIX}{number:07d}",
        "kind": "project",
        "title": {"en": f"Synthetic project {number}"},
        "description": {},
        "status": "implementation",
        "version": 1,
    }


def _result(
    rng: random.Random, work_id: int, inds: list[Indicator], countries: list[str]
) -> dict[str, Any]:
    ind = rng.choice(inds)
    unit = rng.choice(_ALTERNATIVE_UNITS.get(ind.unit, [ind.unit]))
    year = rng.randint(2015, 2024)
    by_sex = Disaggregation.SEX in ind.disaggregations
    return {
        "work_id": work_id,
        "indicator_code": ind.code,
        "value": round(rng.uniform(1, 500), 2) * _SCALE.get(unit, 1.0),
        "unit": unit,
        "qualifier": "exact",
        "kind": "actual",
        "period_start": date(year, 1, 1),
        "period_end": date(year, 12, 31),
        "milestone": rng.choice(["planned", "under_way", "completed"]),
        "country": rng.choice(countries),
        "sex": rng.choice([None, None, "female", "male"]) if by_sex else None,
        "review_state": "verified" if rng.random() < 0.8 else "submitted",
        "version": 1,
    }


def _analyze(db: Database, say: Callable[[str], None]) -> None:
    """Refresh planner statistics so figure queries use the indexes after a bulk load; on
    PostgreSQL also vacuum the loaded tables, which marks their pages all-visible (until
    then an index-only scan visits the table for every row it reads: 0.1 s became 1 s for
    the dashboard's projects per country at a million results, where autovacuum is off or
    has not come round yet); on SQLite fold the write-ahead log back into the file."""
    started = time.perf_counter()
    if db.engine.dialect.name == "postgresql":
        migrate.vacuum_analyze(db.engine, [*(t.name for t in TABLES), ResultTermRow.__tablename__])
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as conn:
            conn.connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
    say(f"statistics refreshed in {time.perf_counter() - started:.1f}s")
