"""The synthetic loader's bulk path (COPY on PostgreSQL, batched inserts on SQLite, the
secondary indexes and the SQLite full-text index built after the rows) gives the same
portfolio as keeping every index in step, with the same audit counts, indexes and search."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from greenfolio.services import audit, portfolio, reference, synthetic
from greenfolio.services.database import Database
from greenfolio.services.portfolio import WorkSpec
from greenfolio.store.tables import WorkRow

PROJECTS = 25


def _snapshot(db: Database) -> dict[str, Any]:
    """What the load wrote (not when): rows, search documents, indexes, audit counts."""
    with db.engine.connect() as conn:
        q = conn.exec_driver_sql
        snap: dict[str, Any] = {
            "works": q(
                "SELECT id, key, kind, title, description, status, version FROM work_item "
                "ORDER BY id"
            ).all(),
            "terms": q("SELECT work_id, term_key FROM work_term ORDER BY 1, 2").all(),
            "results": q(
                "SELECT id, work_id, indicator_code, value, unit, qualifier, kind, period_start, "
                "period_end, milestone, country, sex, review_state, version FROM result "
                "ORDER BY id"
            ).all(),
            "documents": q("SELECT work_id, document FROM work_search ORDER BY 1").all(),
        }
        if db.engine.dialect.name == "sqlite":
            snap["schema"] = q(
                "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
                "ORDER BY name"
            ).all()
        else:
            snap["schema"] = q(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "ORDER BY 1"
            ).all()
    events, _ = audit.listing(db, entity_id="*")
    snap["audit"] = sorted((e["action"], e["entity"], str(e["after"])) for e in events)
    return snap


def _matches(db: Database, word: str) -> int:
    """Work items the full-text index finds for ``word`` (the index itself, not the text)."""
    with db.engine.connect() as conn:
        if db.engine.dialect.name == "sqlite":
            sql = "SELECT count(*) FROM work_search_fts WHERE work_search_fts MATCH :w"
        else:
            sql = "SELECT count(*) FROM work_search WHERE tsv @@ to_tsquery('simple', :w)"
        return int(conn.execute(text(sql), {"w": word}).scalar() or 0)


@pytest.fixture
def other_db(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Database]:
    """A second migrated database beside ``db`` (``empty_db`` shares its SQLite file)."""
    if backend == "sqlite":
        made = Database.open(str(tmp_path / "other.sqlite"))
        made.upgrade()
        reference.sync(made)
        yield made
        made.close()
        return
    made = request.getfixturevalue("empty_db")
    made.upgrade()
    reference.sync(made)
    yield made


def test_bulk_path_gives_the_same_portfolio(db: Database, other_db: Database) -> None:
    kept = synthetic.generate(db, PROJECTS, seed=3, chunk=7, rebuild_indexes=False)
    notes: list[str] = []
    rebuilt = synthetic.generate(
        other_db, PROJECTS, seed=3, chunk=10, rebuild_indexes=True, note=notes.append
    )
    assert kept == rebuilt == PROJECTS * synthetic.RESULTS_PER_PROJECT
    assert any("indexes built" in n for n in notes)
    one, other = _snapshot(db), _snapshot(other_db)
    for part in ("works", "terms", "results", "documents", "schema", "audit"):
        assert one[part] == other[part], part
    assert len(one["results"]) == kept
    counts = {entity: after for action, entity, after in one["audit"] if action == "bulk_insert"}
    assert counts["work_item"] == str({"rows": PROJECTS})
    assert counts["result"] == str({"rows": kept})
    assert counts["work_term"] == str({"rows": len(one["terms"])})
    assert _matches(db, "synthetic") == _matches(other_db, "synthetic") == PROJECTS


def test_a_rebuilt_index_follows_later_writes(db: Database) -> None:
    synthetic.generate(db, 12, rebuild_indexes=True)
    portfolio.register_work(
        db, WorkSpec(key="after-load", kind="project", title={"en": "Narwhal survey"})
    )
    assert _matches(db, "narwhal") == 1
    assert _matches(db, "synthetic") == 12
    with db.transaction() as session:
        assert session.scalar(select(WorkRow.id).where(WorkRow.key == "after-load")) == 13
