"""The plan check of benchmarks/api_load.py tells a capped index walk from a full scan,
on plans both backends printed for the 100,000-project benchmark database (issue 11)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import load_plans

PAGE_WALK = (
    "SELECT work_item.id FROM work_item WHERE (work_item.id IN (SELECT work_term.work_id FROM "
    'work_term WHERE work_term.term_key = ?)) IS 1 ORDER BY work_item."key" ASC, work_item.id '
    "LIMIT ? OFFSET ?"
)
CAPPED_COUNT = "SELECT count(*) FROM (SELECT work_item.id FROM work_item WHERE 1 LIMIT 10001) AS a"
FULL_COUNT = "SELECT count(*) FROM work_item LIMIT 5"
# EXPLAIN QUERY PLAN detail lines SQLite gave for these statements at 100,000 projects.
WALK_PLAN = [
    "SCAN work_item USING COVERING INDEX ix_work_item_key_id",
    "LIST SUBQUERY 1",
    "SEARCH work_term USING COVERING INDEX ix_work_term_term_key (term_key=?)",
]
COUNT_PLAN = ["CO-ROUTINE a", "SCAN work_item USING COVERING INDEX ix_work_item_kind", "SCAN a"]
FULL_PLAN = ["SCAN work_item USING COVERING INDEX ix_work_item_kind"]


def test_a_page_walk_in_key_order_capped_by_its_limit_is_no_scan() -> None:
    assert load_plans.sqlite_scans(PAGE_WALK, WALK_PLAN) == (
        [],
        ["SCAN work_item USING COVERING INDEX ix_work_item_key_id"],
    )


def test_a_count_stopping_at_its_cap_is_no_scan() -> None:
    scans, walks = load_plans.sqlite_scans(CAPPED_COUNT, COUNT_PLAN)
    assert scans == [] and len(walks) == 1


def test_an_aggregate_over_the_whole_table_stays_a_scan_though_the_statement_has_a_limit() -> None:
    scans, walks = load_plans.sqlite_scans(FULL_COUNT, FULL_PLAN)
    assert scans == ["SCAN work_item USING COVERING INDEX ix_work_item_kind"] and walks == []


def test_a_sorted_walk_or_a_table_scan_or_an_uncapped_walk_stays_a_scan() -> None:
    sorted_plan = ["SCAN work_item", "USE TEMP B-TREE FOR ORDER BY"]
    assert load_plans.sqlite_scans(PAGE_WALK, sorted_plan)[0] == ["SCAN work_item"]
    # A table scan (no index) is not a walk in key order, LIMIT or not.
    assert load_plans.sqlite_scans(PAGE_WALK, ["SCAN work_item"])[0] == ["SCAN work_item"]
    uncapped = PAGE_WALK.replace(" LIMIT ? OFFSET ?", "")
    assert load_plans.sqlite_scans(uncapped, WALK_PLAN)[0] == [WALK_PLAN[0]]
    # The LIMIT of an inner level does not cap the outer level's walk.
    inner = (
        "SELECT work_item.id FROM work_item WHERE work_item.id IN (SELECT result.work_id FROM "
        "result LIMIT 3)"
    )
    assert load_plans.sqlite_scans(inner, [WALK_PLAN[0]])[0] == [WALK_PLAN[0]]


def test_postgresql_sequential_scans_are_found_under_a_limit_too() -> None:
    # PostgreSQL's plan (EXPLAIN FORMAT JSON, fields trimmed) of a capped count of a search
    # at 100,000 projects before it read the search table alone: the Limit does not hide
    # the Seq Scan hashed under it.
    plan = {
        "Node Type": "Aggregate",
        "Plans": [
            {
                "Node Type": "Limit",
                "Plans": [
                    {
                        "Node Type": "Hash Join",
                        "Plans": [
                            {"Node Type": "Bitmap Heap Scan", "Relation Name": "work_search"},
                            {
                                "Node Type": "Hash",
                                "Plans": [{"Node Type": "Seq Scan", "Relation Name": "work_item"}],
                            },
                        ],
                    }
                ],
            }
        ],
    }
    sizes = {"work_item": 100_033.0}
    assert list(load_plans._pg_scans(plan, sizes)) == [("Seq Scan on work_item", False)]


def _pg_count(read: float) -> dict[str, object]:
    """PostgreSQL's plan (EXPLAIN ANALYZE, trimmed) of the list's capped count at 100,000
    projects, ``SELECT count(*) FROM (SELECT id FROM work_item WHERE … LIMIT 10001)``, its
    Seq Scan having read ``read`` rows (returned, then removed by its filter)."""
    returned = min(read, 10_001.0)
    scan = {
        "Node Type": "Seq Scan",
        "Parent Relationship": "Outer",
        "Relation Name": "work_item",
        "Actual Rows": returned,
        "Rows Removed by Filter": read - returned,
        "Actual Loops": 1,
    }
    limit = {"Node Type": "Limit", "Parent Relationship": "Outer", "Plans": [scan]}
    return {"Node Type": "Aggregate", "Plans": [limit]}


SIZES = {"work_item": 100_033.0, "result": 1_000_063.0}


def test_a_postgresql_count_stopped_by_its_limit_early_is_a_capped_walk() -> None:
    # the Limit stopped the scan at its 10,001st row: a tenth of the table
    assert list(load_plans._pg_scans(_pg_count(10_001), SIZES)) == [("Seq Scan on work_item", True)]


def test_a_postgresql_limit_that_did_not_stop_the_scan_or_sits_above_a_sort_is_a_scan() -> None:
    # a filter matching fewer rows than the limit: the scan read the whole table
    assert list(load_plans._pg_scans(_pg_count(100_033), SIZES)) == [
        ("Seq Scan on work_item", False)
    ]
    sort = {
        "Node Type": "Limit",
        "Plans": [
            {
                "Node Type": "Sort",
                "Parent Relationship": "Outer",
                "Plans": [
                    {
                        "Node Type": "Seq Scan",
                        "Parent Relationship": "Outer",
                        "Relation Name": "result",
                        "Actual Rows": 10,
                        "Actual Loops": 1,
                    }
                ],
            }
        ],
    }
    assert list(load_plans._pg_scans(sort, SIZES)) == [("Seq Scan on result", False)]
