"""Full-text search (``q=``) on SQLite (FTS5) and PostgreSQL (tsvector, GIN): titles,
descriptions and classification names in every language, CJK by character, the last
word as a prefix, FTS syntax in a query taken as plain words, and an index that follows
edits, imports and bulk loads — used by the query plan, never a scan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select, text

from greenfolio.domain import search_text
from greenfolio.services import audit, explorer, portfolio, search, synthetic
from greenfolio.services.database import Database
from greenfolio.services.exchange.iati_import import import_file
from greenfolio.services.portfolio import WorkSpec
from greenfolio.store import migrate
from greenfolio.store.tables import AuditEventRow, TermRow, WorkRow, WorkTermRow
from tests.test_api_support import User, add_user, client

MINAMATA = "idb49-minamata-mia"


@pytest.fixture
def api(demo_db: Database) -> tuple[TestClient, User, Database]:
    admin = add_user(demo_db, "root", "admin@all")
    return client(demo_db), admin, demo_db


def _found(web: TestClient, user: User, q: str) -> dict[str, Any]:
    response = web.get("/api/v1/projects", params={"q": q, "per_page": 200}, headers=user.auth)
    assert response.status_code == 200, (q, response.text)
    body: dict[str, Any] = response.json()
    return body


def _keys(web: TestClient, user: User, q: str) -> set[str]:
    return {p["key"] for p in _found(web, user, q)["items"]}


def test_mercury_in_three_languages_finds_the_minamata_work(
    api: tuple[TestClient, User, Database],
) -> None:
    web, admin, _ = api
    everything = _found(web, admin, "")["total"]
    for q in ("mercury", "汞", "mercure", "Mercure", "MERCURY"):
        keys = _keys(web, admin, q)
        assert MINAMATA in keys, q
        assert len(keys) < everything, q  # a search, not the whole portfolio


def test_arabic_finds_a_word_with_or_without_its_article(
    api: tuple[TestClient, User, Database],
) -> None:
    """The Minamata work's Arabic convention name says "الزئبق" (mercury, with the article):
    a user types "زئبق", "الزئبق", "بالزئبق" or a prefix, and hamza seats as they come."""
    web, admin, _ = api
    everything = _found(web, admin, "")["total"]
    for q in ("زئبق", "الزئبق", "بالزئبق", "زئب", "اتفاقية ميناماتا", "إتفاقية ميناماتا"):
        keys = _keys(web, admin, q)
        assert MINAMATA in keys, q
        assert len(keys) < everything, q
    assert MINAMATA not in _keys(web, admin, "زئبقي")  # another word, not a form of this one


def test_arabic_words_are_indexed_with_and_without_their_article() -> None:
    assert search_text.document(["بالزئبق للتنمية الى"]).split() == [
        "بالزيبق",
        "زيبق",
        "للتنمية",
        "تنمية",
        "الى",  # "ilā" (to): too short to be an article and a word
    ]
    assert search_text.query_words("والزئبق Mercury") == ["زيبق", "mercury"]


def test_one_chinese_character_and_a_chinese_title(api: tuple[TestClient, User, Database]) -> None:
    web, admin, _ = api
    assert MINAMATA in _keys(web, admin, "俣")  # in the Chinese title 水俣公约初步评估 only
    assert MINAMATA in _keys(web, admin, "初步评估")
    assert MINAMATA in _keys(web, admin, "水俣 评估")
    assert MINAMATA not in _keys(web, admin, "俣 蒙")


def test_prefix_of_the_last_word(api: tuple[TestClient, User, Database]) -> None:
    web, admin, _ = api
    assert MINAMATA in _keys(web, admin, "merc")
    assert MINAMATA in _keys(web, admin, "initial assess")
    assert MINAMATA not in _keys(web, admin, "assess initial")  # only the last word
    assert _keys(web, admin, "mercuryx") == set()


def test_french_title_word_with_and_without_accents(db: Database) -> None:
    admin = add_user(db, "root", "admin@all")
    portfolio.register_work(
        db,
        WorkSpec(
            key="fr-dechets",
            kind="project",
            title={"en": "E-waste", "fr": "Élimination des déchets électroniques"},
            description={"fr": "Collecte sécurisée à Dakar"},
            terms=["programme:pops"],
        ),
    )
    web = client(db)
    for q in ("déchets", "dechets", "ÉLIMINATION", "sécurisée", "dakar", "electroni"):
        assert _keys(web, admin, q) == {"fr-dechets"}, q
    # The classification's names in other languages are searched too.
    for q in ("стойкие", "contaminantes orgánicos", "持久性", "persistent organic pollut"):
        assert "fr-dechets" in _keys(web, admin, q), q


@pytest.mark.parametrize(
    "q",
    [
        '"mercury',
        'mercury"',
        "mercury*",
        "-mercury",
        "mercury OR",
        "NEAR(mercury",
        "mercury:*",
        "'mercury'",
        "mercury & | ! ( ) \\",
        "mercury NOT",
    ],
)
def test_fts_syntax_is_taken_as_plain_words(api: tuple[TestClient, User, Database], q: str) -> None:
    web, admin, _ = api
    everything = _found(web, admin, "")["total"]
    found = _found(web, admin, q)
    assert found["total"] < everything
    # Operators are no operators: the query's words are looked for, all of them.
    if search_text.query_words(q) == ["mercury"]:
        assert MINAMATA in {p["key"] for p in found["items"]}, q


@pytest.mark.parametrize("q", ['"', "*", "-", "   ", "NEAR(", "OR", "AND NOT", "(", "^"])
def test_bare_operators_never_fail_nor_match_everything_unless_empty(
    api: tuple[TestClient, User, Database], q: str
) -> None:
    web, admin, _ = api
    everything = _found(web, admin, "")["total"]
    found = _found(web, admin, q)["total"]
    if search_text.query_words(q):
        assert found < everything, q
    else:  # nothing left to look for: no filter
        assert found == everything, q


def test_control_characters_are_still_refused(api: tuple[TestClient, User, Database]) -> None:
    web, admin, _ = api
    response = web.get("/api/v1/projects", params={"q": "mer\x00cury"}, headers=admin.auth)
    assert response.status_code == 400
    assert "search" in response.json()["error"]["message"]


def test_the_projects_page_searches_too(demo_db: Database) -> None:
    web = client(demo_db, public=True)
    page = web.get("/projects", params={"q": "汞"})
    assert page.status_code == 200
    assert MINAMATA in page.text or "Minamata initial assessments" in page.text
    other = web.get("/projects", params={"q": "zzzznothing"})
    assert other.status_code == 200 and MINAMATA not in other.text


def test_the_index_follows_a_title_edit_through_the_api(
    api: tuple[TestClient, User, Database],
) -> None:
    web, admin, db = api
    project = web.get(f"/api/v1/projects/{MINAMATA}", headers=admin.auth).json()
    body = {
        "key": MINAMATA,
        "kind": project["kind"],
        "title": {"en": "Zanzibar clove survey", "zh": "桂皮调查"},
        # sent empty to clear them ("水俣公约" is also its convention's name; a field left
        # out is kept as stored)
        "description": {},
        "terms": [],
        "version": project["version"],
    }
    response = web.put(f"/api/v1/projects/{MINAMATA}", json=body, headers=admin.auth)
    assert response.status_code == 200, response.text
    assert MINAMATA in _keys(web, admin, "zanzibar")
    assert MINAMATA in _keys(web, admin, "桂")
    assert MINAMATA not in _keys(web, admin, "俣")
    assert MINAMATA not in _keys(web, admin, "initial assessments")
    # The index is derived data: the trail records the edit, not the index's rows.
    with db.engine.connect() as conn:
        entities = set(conn.scalars(select(AuditEventRow.entity)))
    assert "work_item" in entities and "work_search" not in entities
    with db.transaction() as session:
        history = audit.history(session, "work_item", str(project["id"]))
    assert history and all("work_search" not in str(event) for event in history)
    assert audit.verify(db).intact


ACTIVITY = """<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03" generated-datetime="2024-01-01T00:00:00">
 <iati-activity last-updated-datetime="{stamp}" default-currency="USD">
  <iati-identifier>XM-DAC-41123-SEARCH-1</iati-identifier>
  <reporting-org ref="XM-DAC-41123" type="40"><narrative>UNIDO</narrative></reporting-org>
  <title><narrative>{title}</narrative><narrative xml:lang="fr">{french}</narrative></title>
  <description><narrative>Quokka habitat</narrative></description>
  <activity-status code="2"/>
 </iati-activity>
</iati-activities>
"""


def test_the_index_follows_an_iati_import_and_its_update(db: Database, tmp_path: Path) -> None:
    admin = add_user(db, "root", "admin@all")
    web = client(db)
    path = tmp_path / "activity.xml"
    path.write_text(
        ACTIVITY.format(stamp="2024-01-01T00:00:00", title="Okapi reserve", french="Réserve"),
        encoding="utf-8",
    )
    summary = import_file(db, path)
    assert summary.created == 1, [str(e) for e in summary.errors]
    key = "XM-DAC-41123-SEARCH-1"
    assert _keys(web, admin, "okapi") == {key}
    assert _keys(web, admin, "quokka") == {key}  # the description
    assert _keys(web, admin, "réserve") == {key}
    path.write_text(
        ACTIVITY.format(stamp="2024-06-01T00:00:00", title="Narwhal survey", french="Narval"),
        encoding="utf-8",
    )
    summary = import_file(db, path)
    assert summary.updated == 1, [str(e) for e in summary.errors]
    assert _keys(web, admin, "narwhal") == {key}
    assert _keys(web, admin, "narv") == {key}
    assert _keys(web, admin, "okapi") == set()


def test_synthetic_bulk_load_is_searchable(db: Database) -> None:
    admin = add_user(db, "root", "admin@all")
    synthetic.generate(db, 30, chunk=7)
    web = client(db)
    assert _found(web, admin, "synthetic project")["total"] == 30
    with db.engine.connect() as conn:
        keys = conn.scalars(
            select(WorkRow.key).where(WorkRow.title["en"].as_string() == "Synthetic project 17")
        )
        key = keys.one()
    assert _keys(web, admin, "synthetic project 17") == {key}


def test_the_migration_builds_documents_for_existing_work(empty_db: Database) -> None:
    migrate.upgrade(empty_db.engine, "0006_ops")
    with empty_db.engine.begin() as conn:
        conn.execute(
            insert(WorkRow).values(
                key="before-0007", kind="project", title={"zh": "汞废物", "en": "Waste"}
            )
        )
    empty_db.upgrade()
    condition = search.condition("汞")
    assert condition is not None
    with empty_db.engine.connect() as conn:
        assert conn.scalars(select(WorkRow.key).where(condition)).all() == ["before-0007"]


def _plan(db: Database, q: str) -> str:
    """The plan of the projects page's query (its conditions, order and limit)."""
    conditions = explorer.project_conditions(explorer.ProjectFilter(q=q))
    stmt = select(WorkRow.id, WorkRow.key).where(*conditions).order_by(WorkRow.key).limit(50)
    with db.engine.connect() as conn:
        sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
        if conn.dialect.name == "sqlite":
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}").all()
            return "\n".join(str(r[-1]) for r in rows)
        # The test database is too small for the planner to prefer any index: with
        # sequential and plain index scans off, what is left must be the GIN index (a
        # plan without it would be a scan, which is never off).
        conn.execute(text("SET enable_seqscan = off"))
        conn.execute(text("SET enable_indexscan = off"))
        return "\n".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {sql}"))


def test_the_search_uses_the_full_text_index(demo_db: Database) -> None:
    for q in ("mercury", "汞", "merc"):
        plan = _plan(demo_db, q)
        if demo_db.engine.dialect.name == "sqlite":
            assert "SCAN work_search_fts VIRTUAL TABLE INDEX 0:M" in plan, plan  # MATCH
            assert "SEARCH work_item USING INTEGER PRIMARY KEY" in plan, plan
            assert "SCAN work_item" not in plan, plan
        else:
            assert "Bitmap Index Scan on ix_work_search_tsv" in plan, plan
            assert "Seq Scan on work_search" not in plan, plan


def test_hostile_queries_never_raise_in_the_database(db: Database) -> None:
    hostile = [
        '"',
        '""',
        "*",
        "a*b",
        "NEAR(a b, 2)",
        "a OR b",
        "a AND NOT b",
        "x:*",
        "^x",
        "{a b}: c",
        "a + b",
        "'); DROP TABLE work_item; --",
        "\\",
        "%_%",
        "ＡＢＣ",
        "ﬁ",
    ]
    with db.engine.connect() as conn:
        for q in hostile:
            condition = search.condition(q)
            if condition is not None:
                conn.scalars(select(WorkRow.key).where(condition)).all()
        assert conn.scalar(select(func.count()).select_from(WorkRow)) is not None


def test_renaming_a_classification_term_updates_the_works_under_it(demo_db: Database) -> None:
    with demo_db.transaction() as session:
        term = session.get(TermRow, "programme:minamata_asgm")
        assert term is not None
        term.names = {**term.names, "en": "Quicksilver programme"}
    condition = search.condition("quicksilver")
    assert condition is not None
    with demo_db.engine.connect() as conn:
        found = set(conn.scalars(select(WorkRow.key).where(condition)))
        linked = set(
            conn.scalars(
                select(WorkRow.key)
                .join(WorkTermRow, WorkTermRow.work_id == WorkRow.id)
                .where(WorkTermRow.term_key == "programme:minamata_asgm")
            )
        )
    assert MINAMATA in found and found == linked


def test_the_kept_index_equals_a_rebuild(db: Database, tmp_path: Path) -> None:
    """Documents kept batch by batch through an import are those a full rebuild makes."""
    path = tmp_path / "activity.xml"
    path.write_text(
        ACTIVITY.format(stamp="2024-01-01T00:00:00", title="Okapi 保护区", french="Réserve"),
        encoding="utf-8",
    )
    assert import_file(db, path).created == 1
    demo_rows = "SELECT work_id, document FROM work_search ORDER BY work_id"
    with db.engine.begin() as conn:
        kept = conn.execute(text(demo_rows)).all()
        search.refresh_all(conn)
        rebuilt = conn.execute(text(demo_rows)).all()
    assert kept == rebuilt and len(kept) == 1
    assert "保 护 区" in kept[0][1] and "okapi" in kept[0][1]
