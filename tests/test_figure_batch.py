"""Figures computed together from one read of the report's window equal each figure's
own queries (``figures.indicator_figure``), provenance included, on both backends."""

from __future__ import annotations

import math
from datetime import date

import pytest

from greenfolio.domain.errors import ValidationError
from greenfolio.services import figure_batch, synthetic
from greenfolio.services import figures as figure_queries
from greenfolio.services.database import Database
from greenfolio.services.report_definition import SHIPPED, load_definition


def test_batched_figures_equal_each_figure_query(demo_db: Database) -> None:
    synthetic.generate(demo_db, 200, seed=11)
    checked = 0
    with demo_db.transaction() as session:
        for name in SHIPPED:
            specs = load_definition(name).figure_specs(2021)
            together = figure_batch.compute_all(session, specs)
            bare = figure_batch.compute_all(session, specs, with_ids=False)
            assert list(together) == [s.id for s in specs]
            for spec in specs:
                alone = figure_queries.compute(session, spec)
                got = together[spec.id]
                assert math.isclose(got.value, alone.value, rel_tol=1e-12), (name, spec.id)
                assert got.qualifier == alone.qualifier and got.unit == alone.unit
                assert list(got.result_ids) == list(alone.result_ids), (name, spec.id)
                assert list(got.items) == list(alone.items)
                assert got.last_period_end == alone.last_period_end
                assert [dict(r) for r in got.method_runs] == [dict(r) for r in alone.method_runs]
                assert bare[spec.id].value == got.value and not bare[spec.id].result_ids
                checked += bool(alone.result_ids)
    assert checked >= 30  # figures with records behind them, not only zeros


def test_batched_figures_refuse_as_each_figure_does(demo_db: Database) -> None:
    window = figure_queries.Window(date(2021, 1, 1), date(2021, 12, 31))
    no_status = figure_queries.FigureSpec(
        "x", "indicator", {"indicator": "country_projects"}, window
    )
    with demo_db.transaction() as session:
        with pytest.raises(ValidationError, match="counts by status"):
            figure_batch.compute_all(session, [no_status])
        wrong = figure_queries.FigureSpec(
            "y", "indicator", {"indicator": "pops_destroyed", "unit": "m"}, window
        )
        with pytest.raises(ValidationError, match="not a unit of pops_destroyed"):
            figure_batch.compute_all(session, [wrong])
