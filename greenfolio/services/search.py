"""Full-text search over work items: the index kept current, and the search condition.

``work_search`` holds one document per work item (key, titles, descriptions and the
names of its classification terms in every language), cut into words by
``greenfolio.domain.search_text``. On SQLite an external-content FTS5 table
(``work_search_fts``) follows it through triggers; on PostgreSQL a generated tsvector
column with a GIN index does (migration 0007_search).

Documents are rebuilt here, not in triggers, because CJK text must be cut into
characters first. Every change made through the ORM is caught by a session listener
(registered on import, as the audit trail's are); writers that insert or update rows in
bulk with Core statements (IATI import, synthetic data) call ``refresh`` for the work
items of each batch.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    BindParameter,
    Boolean,
    ColumnElement,
    Connection,
    Engine,
    Select,
    bindparam,
    delete,
    event,
    func,
    insert,
    inspect,
    literal_column,
    select,
    table,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, UOWTransaction

from greenfolio.domain import search_text
from greenfolio.services import bulk_load
from greenfolio.store.tables import TermRow, WorkRow, WorkSearchRow, WorkTermRow

FTS_TABLE = "work_search_fts"
INSERT_TRIGGER = "work_search_ai"
CHUNK = 500


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, str):
        yield value


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


_ready: weakref.WeakSet[Engine] = weakref.WeakSet()


def _has_index(conn: Connection) -> bool:
    """Whether the database has the search table yet (a database at a revision before
    0007_search, still being upgraded, gets its documents from that migration)."""
    if conn.engine in _ready:
        return True
    if not inspect(conn).has_table(WorkSearchRow.__tablename__):
        return False
    _ready.add(conn.engine)
    return True


def has_index(conn: Connection) -> bool:
    """Whether ``work_search`` exists (writers that build documents themselves ask)."""
    return _has_index(conn)


@contextmanager
def bulk_insert(conn: Connection) -> Iterator[None]:
    """For a load that adds many documents: on SQLite the FTS index is not fed row by row
    by its insert trigger (three times the work of one pass) but rebuilt whole after the
    block, and the trigger made again from its stored definition
    (``bulk_load.triggers_deferred``). Inside the caller's transaction: a failed load gets
    the trigger back with the rollback."""
    if conn.dialect.name != "sqlite" or not _has_index(conn):
        yield
        return
    with bulk_load.triggers_deferred(conn, [WorkSearchRow.__tablename__], INSERT_TRIGGER) as off:
        yield
        if off:  # none: already fed some other way, left so
            conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


def refresh(conn: Connection, work_ids: Iterable[int]) -> None:
    """Rebuild the search documents of ``work_ids`` (those gone lose theirs)."""
    ids = sorted({int(i) for i in work_ids if i is not None})
    if not ids or not _has_index(conn):
        return
    for chunk in _chunks(ids):
        works = conn.execute(
            select(WorkRow.id, WorkRow.key, WorkRow.title, WorkRow.description).where(
                WorkRow.id.in_(chunk)
            )
        ).all()
        links = conn.execute(
            select(WorkTermRow.work_id, WorkTermRow.term_key).where(WorkTermRow.work_id.in_(chunk))
        ).all()
        conn.execute(delete(WorkSearchRow).where(WorkSearchRow.work_id.in_(chunk)))
        rows = documents(conn, works, links)
        if rows:
            conn.execute(insert(WorkSearchRow), rows)


def documents(
    conn: Connection,
    works: Iterable[tuple[int, str, dict[str, Any], dict[str, Any]]],
    links: Iterable[tuple[int, str]],
) -> list[dict[str, Any]]:
    """The ``work_search`` rows of work items given as (id, key, title, description) with
    their (work id, term key) links, without reading them back: bulk loaders hand over
    what they are inserting."""
    texts: dict[int, list[str]] = {}
    for wid, key, title, description in works:
        texts[wid] = [search_text.document([key, *_strings(title), *_strings(description)])]
    pairs = sorted((int(w), str(t)) for w, t in links if w in texts)
    # A few dozen terms classify thousands of works: each term's words are made once.
    names = {
        key: search_text.document([label or "", *_strings(names)])
        for key, label, names in conn.execute(
            select(TermRow.key, TermRow.label, TermRow.names).where(
                TermRow.key.in_({term for _, term in pairs})
            )
        )
    }
    for wid, term in pairs:
        texts[wid].append(names.get(term, ""))
    return [
        {"work_id": wid, "document": " ".join(p for p in parts if p)}
        for wid, parts in texts.items()
    ]


def add_new(
    conn: Connection, works: Iterable[tuple[int, str, dict[str, Any], dict[str, Any]]]
) -> None:
    """The documents of work items inserted just now, from (id, key, title, description):
    the same text ``refresh`` would build for them (a new item has no terms yet), without
    reading the rows back."""
    if not _has_index(conn):
        return
    rows = [
        {
            "work_id": wid,
            "document": search_text.document([key, *_strings(title), *_strings(description)]),
        }
        for wid, key, title, description in works
    ]
    if rows:
        conn.execute(insert(WorkSearchRow), rows)


def refresh_all(conn: Connection) -> None:
    """Rebuild every document (the migration's backfill)."""
    refresh(conn, conn.scalars(select(WorkRow.id)).all())


class Matching(ColumnElement[bool]):
    """``work_item.id IN (…the index's matches…)``, written for the database at hand."""

    inherit_cache = False
    type = Boolean()
    _is_implicitly_boolean = True  # a predicate already: no "= 1" added on SQLite

    def __init__(self, found: list[str]) -> None:
        self.found = found


def _matching(found: list[str], dialect: str) -> Select[Any]:
    """The ids of the work items whose documents hold every word of ``found``: on SQLite
    the FTS5 index's own rowids (its content rowid is the work item's id), on PostgreSQL
    the search table through its GIN index."""
    if dialect == "postgresql":
        tsv: ColumnElement[Any] = literal_column("work_search.tsv")
        query: BindParameter[str] = bindparam(
            "search_query", search_text.tsquery(found), unique=True
        )
        return select(WorkSearchRow.work_id).where(
            tsv.op("@@")(func.to_tsquery(literal_column("'simple'"), query))
        )
    match: BindParameter[str] = bindparam(
        "search_query", search_text.fts5_query(found), unique=True
    )
    return (
        select(literal_column("rowid"))
        .select_from(table(FTS_TABLE))
        .where(literal_column(FTS_TABLE).op("MATCH")(match))
    )


@compiles(Matching)
def _compiled(element: Matching, compiler: Any, **kw: Any) -> str:
    ids = _matching(element.found, compiler.dialect.name)
    return str(compiler.process(WorkRow.id.in_(ids), **kw))


def matched_ids(q: str | None, dialect: str) -> Select[Any] | None:
    """The ids of the work items matching ``q``, each once, read from the full-text index
    without the work table: what a count of the matches needs (joined to ``work_item``
    instead, PostgreSQL hashed all 100,000 projects to count 10,000 of them, issue 11).
    ``None`` when ``q`` has no words."""
    found = search_text.query_words(q)
    return _matching(found, dialect) if found else None


def condition(q: str | None) -> ColumnElement[bool] | None:
    """Work items matching every word of ``q`` (the last as a prefix), through the index;
    ``None`` when ``q`` has no words (no filter)."""
    found = search_text.query_words(q)
    return Matching(found) if found else None


def _changed(obj: Any, *names: str) -> bool:
    state = inspect(obj)
    for name in names:
        hist = state.attrs[name].history
        if hist.added and list(hist.added) != list(hist.deleted):
            return True
    return False


@event.listens_for(Session, "after_flush")
def _follow(session: Session, _flush: UOWTransaction) -> None:
    """Keep the documents of the work items a flush touched (and of the works classified
    under a term whose names changed) in the same transaction."""
    ids: set[int] = set()
    terms: set[str] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, WorkRow):
            if obj in session.dirty and not _changed(obj, "key", "title", "description"):
                continue
            ids.add(obj.id)
        elif isinstance(obj, WorkTermRow):
            ids.add(obj.work_id)
        elif isinstance(obj, TermRow) and obj in session.dirty and _changed(obj, "names", "label"):
            terms.add(obj.key)
    if not ids and not terms:
        return
    conn = session.connection()
    if terms:
        ids.update(conn.scalars(select(WorkTermRow.work_id).where(WorkTermRow.term_key.in_(terms))))
    refresh(conn, ids)
