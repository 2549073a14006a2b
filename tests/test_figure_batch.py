"""Figures computed together from one read of the report's window equal each figure's
own queries (``figures.indicator_figure``), provenance included, on both backends."""

from __future__ import annotations

import math
import re
from datetime import date

import pytest
from sqlalchemy import Date, bindparam, select, text

from greenfolio.domain.errors import ValidationError
from greenfolio.services import figure_batch, figure_read, synthetic
from greenfolio.services import figures as figure_queries
from greenfolio.services.database import Database
from greenfolio.services.report_definition import SHIPPED, load_definition
from greenfolio.store.tables import EvidenceFileRow, ResultRow


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


def _with_evidence(db: Database) -> set[int]:
    """Evidence files on some verified results of the Board's window: a current one, a
    replaced one with its replacement and a withdrawn one (only current files count)."""
    with db.transaction() as session:
        ids = list(
            session.scalars(
                select(ResultRow.id)
                .where(
                    ResultRow.review_state == "verified",
                    ResultRow.period_end >= date(2020, 1, 1),
                    ResultRow.period_end <= date(2021, 6, 30),
                )
                .order_by(ResultRow.id)
            )
        )[::7]
        common = {"size": 10, "kind": "pdf", "media_type": "application/pdf"}
        for n, rid in enumerate(ids):
            state = ("current", "replaced", "withdrawn")[n % 3]
            old = EvidenceFileRow(
                result_id=rid, sha256=f"{n:064x}", filename=f"f{n}.pdf", state=state, **common
            )
            session.add(old)
            session.flush()
            if state == "replaced" or n % 4 == 0:
                replaces = old.id if state == "replaced" else None
                session.add(
                    EvidenceFileRow(
                        result_id=rid,
                        sha256=f"{n + 10**6:064x}",
                        filename=f"g{n}.pdf",
                        replaces_id=replaces,
                        **common,
                    )
                )
    return set(ids)


def test_batched_provenance_equals_each_figure_querys(demo_db: Database) -> None:
    """The whole provenance of every figure (result ids, latest period end, method runs,
    evidence files) is the same from the batch as from each figure's own queries; the
    value too, but for the last binary digit of a sum."""
    synthetic.generate(demo_db, 300, seed=5)
    with_files = _with_evidence(demo_db)
    named = 0
    with demo_db.transaction() as session:
        for name in SHIPPED:
            specs = load_definition(name).figure_specs(2021)
            together = figure_batch.compute_all(session, specs)
            for spec in specs:
                got = together[spec.id].provenance()
                alone = figure_queries.compute(session, spec).provenance()
                assert math.isclose(got.pop("value"), alone.pop("value"), rel_tol=1e-12)
                assert got == alone, (name, spec.id)
                named += len(got["evidence"])
                assert {e["result_id"] for e in got["evidence"]} <= with_files
    assert named >= 5  # evidence files named, not only empty lists


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


def test_the_rows_fields_follow_the_columns_read() -> None:
    # The window's rows are named tuples made from the statement's columns by position,
    # and those are the result table's own.
    assert figure_batch.Row._fields == (*figure_read.COLUMNS, "term")
    assert set(figure_read.COLUMNS) <= set(ResultRow.__table__.columns.keys())


def test_a_figure_by_programme_is_read_from_its_index_alone(demo_db: Database) -> None:
    """A part read by term takes every column from ``ix_result_term_figure`` (migration
    0015): the plan visits neither the ``result`` table nor ``result_term``'s own rows,
    evidence join included. PostgreSQL is kept from a sequential or bitmap scan, which
    it would rightly prefer on the demo's few rows."""
    need = figure_read.Need(
        whole=False,
        works=None,
        restrict=("programme:gcip",),
        named=("programme:gcip", "convention:stockholm"),
        own=(("female", "BRA", None), ("any", None, "completed")),
    )
    scope = figure_read.Scope(("actual", "target"), date(2020, 1, 1), date(2021, 12, 31))
    typed, values = figure_read.statement([(need, ["participants"])], scope, True)
    assert " result r" not in typed.text
    dates = (bindparam("lo", scope.lo, type_=Date()), bindparam("hi", scope.hi, type_=Date()))
    with demo_db.transaction() as session:
        if demo_db.engine.dialect.name == "postgresql":
            session.execute(text("SET LOCAL enable_seqscan = off"))
            session.execute(text("SET LOCAL enable_bitmapscan = off"))
            explain = text(f"EXPLAIN {typed.text}").bindparams(*dates)
            plan = "\n".join(session.execute(explain, values).scalars())
            assert "Index Only Scan using ix_result_term_figure on result_term" in plan, plan
            assert not re.search(r" on result(?!_)\b", plan), plan
        else:
            explain = text(f"EXPLAIN QUERY PLAN {typed.text}").bindparams(*dates)
            plan = "\n".join(row[3] for row in session.execute(explain, values))
            assert "USING COVERING INDEX ix_result_term_figure" in plan, plan
            assert not re.search(r"\b(SCAN|SEARCH) r\b", plan), plan
