"""Aggregation rules, unit safety and review state, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from greenfolio.domain.errors import NotFoundError, UnitMismatchError, ValidationError
from greenfolio.services import figures, portfolio, results
from greenfolio.services.database import Database
from greenfolio.services.figures import FigureSpec, Window
from greenfolio.store.tables import ResultRow


def _work(db: Database, key: str, *terms: str) -> None:
    portfolio.register_work(
        db, portfolio.WorkSpec(key=key, kind="project", title={"en": key}, terms=list(terms))
    )


def _verified(db: Database, **fields: Any) -> int:
    rid = results.record(db, results.ResultSpec(**fields))
    results.apply_review(db, [rid], "submit")
    results.apply_review(db, [rid], "verify", actor="user:checker")
    return rid


def _figure(db: Database, **params: Any) -> figures.Figure:
    window = params.pop("window", None)
    with db.transaction() as session:
        return figures.compute(session, FigureSpec("f", "indicator", params, window))


def test_sum_converts_units(db: Database) -> None:
    _work(db, "p1", "programme:pops")
    a = _verified(db, work="p1", indicator="pops_destroyed", value=2, unit="t")
    b = _verified(db, work="p1", indicator="pops_destroyed", value=500, unit="kg")
    fig = _figure(db, indicator="pops_destroyed")
    assert fig.value == pytest.approx(2.5)
    assert fig.unit == "t"
    assert sorted(fig.result_ids) == sorted([a, b])


def test_a_country_reached_by_two_projects_counts_once(db: Database) -> None:
    _work(db, "p1")
    _work(db, "p2")
    for work, country in [("p1", "BRA"), ("p2", "BRA"), ("p2", "THA")]:
        _verified(db, work=work, indicator="countries_supported", value=1, country=country)
    fig = _figure(db, indicator="countries_supported")
    assert fig.value == 2
    assert list(fig.items) == ["BRA", "THA"]
    assert len(fig.result_ids) == 3


def test_unverified_or_returned_results_change_no_figure(db: Database) -> None:
    _work(db, "p1")
    _verified(db, work="p1", indicator="participants", value=100)
    draft = results.record(db, results.ResultSpec(work="p1", indicator="participants", value=7))
    submitted = results.record(
        db, results.ResultSpec(work="p1", indicator="participants", value=11)
    )
    results.apply_review(db, [submitted], "submit")
    returned = _verified(db, work="p1", indicator="participants", value=13)
    results.apply_review(db, [returned], "return", "figure double-counts the Vienna event")
    fig = _figure(db, indicator="participants")
    assert fig.value == 100
    assert draft not in fig.result_ids and submitted not in fig.result_ids
    results.apply_review(db, [submitted], "verify", actor="user:checker")
    assert _figure(db, indicator="participants").value == 111


def test_returning_needs_a_reason(db: Database) -> None:
    _work(db, "p1")
    rid = _verified(db, work="p1", indicator="participants", value=1)
    with pytest.raises(ValidationError, match="needs a reason"):
        results.apply_review(db, [rid], "return", "  ")


def test_sex_disaggregation_keeps_totals_apart(db: Database) -> None:
    _work(db, "p1")
    _verified(db, work="p1", indicator="participants", value=300, qualifier="more_than")
    _verified(db, work="p1", indicator="participants", value=100, sex="female")
    total = _figure(db, indicator="participants")
    women = _figure(db, indicator="participants", sex="female")
    assert (total.value, total.qualifier.value) == (300, "more_than")
    assert women.value == 100


def test_count_by_status_latest_and_max(db: Database) -> None:
    _work(db, "p1")
    _verified(db, work="p1", indicator="mia_countries", value=22, milestone="completed")
    _verified(db, work="p1", indicator="mia_countries", value=5, milestone="under_way")
    assert _figure(db, indicator="mia_countries", status="completed").value == 22
    assert _figure(db, indicator="mia_countries", status="under_way").value == 5
    with pytest.raises(ValidationError, match="'status' parameter"):
        _figure(db, indicator="mia_countries")


def test_period_window_and_classification_filter(db: Database) -> None:
    _work(db, "mp", "convention:montreal")
    _work(db, "other")
    _verified(
        db,
        work="mp",
        indicator="ghg_avoided",
        value=5,
        unit="ktCO2e",
        period_start=date(2020, 1, 1),
        period_end=date(2020, 12, 31),
    )
    _verified(
        db,
        work="mp",
        indicator="ghg_avoided",
        value=9,
        period_start=date(2019, 1, 1),
        period_end=date(2019, 12, 31),
    )
    _verified(
        db,
        work="other",
        indicator="ghg_avoided",
        value=100,
        period_start=date(2020, 1, 1),
        period_end=date(2020, 12, 31),
    )
    in_2020 = Window(date(2020, 1, 1), date(2020, 12, 31))
    assert _figure(db, indicator="ghg_avoided", convention="montreal", window=in_2020).value == 5000
    assert _figure(db, indicator="ghg_avoided", window=in_2020).value == 5100


def test_stored_units_of_another_kind_are_refused_with_their_records(db: Database) -> None:
    """A row that bypassed validation (e.g. an old import) still cannot corrupt a total."""
    _work(db, "p1")
    good = _verified(db, work="p1", indicator="ods_phased_out", value=10, unit="t")
    with db.transaction() as session:
        row = session.get(ResultRow, good)
        assert row is not None
        bad = ResultRow(
            work_id=row.work_id,
            indicator_code="ods_phased_out",
            value=3,
            unit="ODP_tonne",
            review_state="verified",
        )
        session.add(bad)
        session.flush()
        bad_id = bad.id
    with pytest.raises(UnitMismatchError) as info:
        _figure(db, indicator="ods_phased_out")
    text = str(info.value)
    assert "ods_phased_out" in text and f"[{bad_id}]" in text and "ODP_tonne" in text


def test_a_result_in_the_wrong_unit_is_refused_at_entry(db: Database) -> None:
    _work(db, "p1")
    with pytest.raises(ValidationError, match="cannot be converted to 't'"):
        results.record(
            db, results.ResultSpec(work="p1", indicator="ods_phased_out", value=3, unit="ODP_tonne")
        )
    with pytest.raises(NotFoundError, match=r"unknown indicator .ods_phased_ot.*ods_phased_out"):
        results.record(db, results.ResultSpec(work="p1", indicator="ods_phased_ot", value=3))


def test_a_failed_service_call_changes_nothing(db: Database) -> None:
    with pytest.raises(ValidationError):
        portfolio.register_work(
            db,
            portfolio.WorkSpec(
                key="bad", kind="project", title={"en": "x"}, terms=["programme:no_such_programme"]
            ),
        )
    with db.transaction() as session:
        assert session.query(ResultRow).count() == 0
        from greenfolio.store.tables import WorkRow

        assert session.query(WorkRow).filter_by(key="bad").count() == 0
