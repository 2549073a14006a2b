"""Synthetic portfolios for scale tests: N projects with ten results each.

Values are random but well-formed (valid countries, units of the right kind, most
results verified), so every figure query has real work to do. The generator is
seeded, so the same N gives the same portfolio.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from typing import Any

import pycountry
from sqlalchemy import func, insert, select, text

from greenfolio.domain.indicators import Disaggregation, Indicator
from greenfolio.refdata import loader
from greenfolio.services import reference, search
from greenfolio.services.database import Database
from greenfolio.store.tables import ResultRow, WorkRow, WorkTermRow

RESULTS_PER_PROJECT = 10
KEY_PREFIX = "synthetic-"

# Units a result may be entered in, per indicator unit, to exercise conversion.
_ALTERNATIVE_UNITS = {"t": ["t", "kg"], "g_TEQ": ["g_TEQ", "mg_TEQ"], "tCO2e": ["tCO2e", "ktCO2e"]}
_SCALE = {"kg": 1000.0, "mg_TEQ": 1000.0, "ktCO2e": 0.001}


def generate(
    db: Database,
    projects: int,
    seed: int = 2021,
    chunk: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Add ``projects`` synthetic projects (and ten results each); returns results added."""
    reference.sync(db)
    rng = random.Random(seed)
    countries = [c.alpha_3 for c in pycountry.countries]
    inds = list(loader.indicators().values())
    programmes = [f"programme:{t.code}" for t in loader.schemes()["programme"].terms]
    focus = [f"focus_area:{t.code}" for t in loader.schemes()["focus_area"].terms]
    conventions = [f"convention:{t.code}" for t in loader.schemes()["convention"].terms]
    functions = [f"core_function:{t.code}" for t in loader.schemes()["core_function"].terms]
    added = 0
    with db.transaction() as session:
        start = session.scalar(select(func.count()).select_from(WorkRow)) or 0
        first_id = (session.scalar(select(func.max(WorkRow.id))) or 0) + 1
        for offset in range(0, projects, chunk):
            size = min(chunk, projects - offset)
            works: list[dict[str, Any]] = []
            terms: list[dict[str, Any]] = []
            results: list[dict[str, Any]] = []
            for i in range(size):
                wid = first_id + offset + i
                number = start + offset + i
                works.append(
                    {
                        "id": wid,
                        "key": f"{KEY_PREFIX}{number:07d}",
                        "kind": "project",
                        "title": {"en": f"Synthetic project {number}"},
                        "description": {},
                        "status": "implementation",
                        "version": 1,
                    }
                )
                terms.append({"work_id": wid, "term_key": rng.choice(programmes)})
                terms.append({"work_id": wid, "term_key": rng.choice(focus)})
                terms.append({"work_id": wid, "term_key": rng.choice(functions)})
                if rng.random() < 0.5:
                    terms.append({"work_id": wid, "term_key": rng.choice(conventions)})
                results += [_result(rng, wid, inds, countries) for _ in range(RESULTS_PER_PROJECT)]
            session.execute(insert(WorkRow), works)
            session.execute(insert(WorkTermRow), terms)
            search.refresh(session.connection(), [w["id"] for w in works])
            session.execute(insert(ResultRow), results)
            added += len(results)
            if progress:
                progress(size)
        if session.get_bind().dialect.name == "postgresql":
            # Ids were given explicitly: the sequence must move past them, or the next
            # project added (by a user, through the ORM) would be refused a taken id.
            session.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('work_item', 'id'), max(id)) "
                    "FROM work_item"
                )
            )
    _analyze(db)
    return added


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


def _analyze(db: Database) -> None:
    """Refresh planner statistics so figure queries use the indexes after a bulk load."""
    with db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
