"""Issue 11, lists at scale: a long project list counts its matches up to a cap and says
there are more; downloads read batch after batch from where the last one ended (keyset)
and still give every row once, in the list's order, for every sort; pages in key order
(each filter checked per row) list exactly the projects that match. On SQLite and
PostgreSQL (speed itself is measured in benchmarks/explorer.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from greenfolio.domain.permissions import Grant, Principal, Role, Scope
from greenfolio.services import explorer, list_rows, portfolio, synthetic
from greenfolio.services.database import Database
from greenfolio.services.portfolio import WorkSpec
from greenfolio.store.tables import WorkRow, WorkTermRow

READER = Principal("reader", (Grant(Role.VIEWER, Scope.parse("all")),), 1)
PF = explorer.ProjectFilter
EXTRA_PROJECTS = 40


@pytest.fixture
def many(demo_db: Database) -> Database:
    synthetic.generate(demo_db, EXTRA_PROJECTS, seed=11)
    return demo_db


def every_page(db: Database, flt: explorer.ProjectFilter, sort: str = "key") -> list[str]:
    keys: list[str] = []
    page = 1
    while True:
        found = explorer.projects(db, READER, flt, sort, page, 7)
        keys += [p["key"] for p in found.items]
        if page >= found.as_dict()["pages"]:
            return keys
        page += 1


def test_a_long_list_counts_up_to_the_cap_and_says_there_are_more(many: Database) -> None:
    exact = explorer.projects(many, READER, PF())
    assert exact.total > EXTRA_PROJECTS and not exact.more
    capped = explorer.projects(many, READER, PF(), count_cap=10)
    assert (capped.total, capped.more) == (10, True)
    assert capped.as_dict()["more"] is True
    assert capped.items == exact.items  # the page itself is the same
    at_cap = explorer.projects(many, READER, PF(), count_cap=exact.total)
    assert (at_cap.total, at_cap.more) == (exact.total, False)


def test_pages_list_exactly_the_matching_projects_in_order(many: Database) -> None:
    with many.transaction() as session:
        rows = session.execute(
            select(WorkRow.key, WorkTermRow.term_key).join(
                WorkTermRow, WorkTermRow.work_id == WorkRow.id
            )
        ).all()
    for scheme, code in (("focus_area", "a"), ("programme", "pops")):
        expected = sorted({key for key, term in rows if term == f"{scheme}:{code}"})
        assert expected, f"the fixture has projects under {scheme}:{code}"
        assert every_page(many, PF(**{scheme: code})) == expected
        assert every_page(many, PF(**{scheme: code}), "-key") == expected[::-1]


@pytest.mark.parametrize("sort", sorted(explorer.PROJECT_SORTS))
def test_project_downloads_give_every_row_once_in_list_order(many: Database, sort: str) -> None:
    # Projects sharing a start date and an update time, so the id breaks the ties.
    for n in range(3):
        portfolio.register_work(
            many,
            WorkSpec(key=f"tie-{n}", kind="project", title={"en": "Tie"}, status="closed"),
        )
    listed = [p["key"] for p in explorer.projects(many, READER, PF(), sort, 1, 200).items]
    assert len(listed) > 3 * 7
    batches = list(list_rows.projects(many, READER, PF(), sort, size=7))
    assert len(batches) > 3
    assert [p["key"] for batch in batches for p in batch] == listed


@pytest.mark.parametrize("sort", sorted(explorer.RESULT_SORTS))
def test_result_downloads_give_every_row_once_in_list_order(many: Database, sort: str) -> None:
    listed: list[int] = []
    page = 1
    while True:
        found = explorer.results(many, READER, sort=sort, page=page, per_page=200)
        listed += [r["id"] for r in found.items]
        if page >= found.as_dict()["pages"]:
            break
        page += 1
    assert len(listed) == found.total > 200
    batches = list(list_rows.results(many, READER, sort=sort, size=90))
    assert len(batches) > 3
    assert [r["id"] for batch in batches for r in batch] == listed


@pytest.mark.parametrize(
    "flt",
    [PF(focus_area="a"), PF(programme="pops"), PF(country="CHN"), PF(q="mercury")],
    ids=["focus area", "programme", "country", "search"],
)
def test_one_facet_is_counted_from_its_index_as_many_as_its_pages_list(
    many: Database, flt: explorer.ProjectFilter
) -> None:
    # A filter of one facet is counted from that facet's index alone (no work table):
    # the count still equals the projects its pages list, and the cap still holds.
    listed = every_page(many, flt)
    assert listed, f"the fixture has projects for {flt.active()}"
    found = explorer.projects(many, READER, flt)
    assert (found.total, found.more) == (len(listed), False)
    if len(listed) > 1:
        capped = explorer.projects(many, READER, flt, count_cap=len(listed) - 1)
        assert (capped.total, capped.more) == (len(listed) - 1, True)
