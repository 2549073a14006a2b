"""Method runs are stored, results keep their run, and a reference-data update is caught."""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from greenfolio.interfaces.cli.app import app
from greenfolio.refdata import montreal_tables
from greenfolio.services import methods, reporting, results
from greenfolio.services.database import Database
from greenfolio.services.report_definition import load_definition
from greenfolio.store.tables import MethodRunRow, ResultRevisionRow, ResultRow, ReviewEventRow

runner = CliRunner()


def _co2_result_from_run(db: Database) -> tuple[int, int]:
    run = methods.run(
        db,
        "montreal.convert",
        {"quantity": 100, "substance": "HCFC-22", "to": "co2e"},
        actor="user:runner",
    )
    rid = methods.result_from_run(
        db,
        methods.FromRun(
            run_id=run["run_id"],
            output="value",
            work="idb49-montreal-portfolio",
            indicator="ghg_avoided",
            period_start="2020-01-01",
            period_end="2020-12-31",
        ),
    )
    results.apply_review(db, [rid], "submit")
    results.apply_review(db, [rid], "verify", actor="user:checker")
    return run["run_id"], rid


def _co2_figure(db: Database) -> dict[str, object]:
    figs = reporting.compute_figures(db, load_definition("board"), 2021)
    return figs["co2_avoided"].provenance()


def test_a_run_is_stored_with_its_inputs_and_reference_data(demo_db: Database) -> None:
    run_id, rid = _co2_result_from_run(demo_db)
    with demo_db.transaction() as session:
        run = session.get(MethodRunRow, run_id)
        result = session.get(ResultRow, rid)
        assert run is not None and result is not None
        assert run.method == "montreal.convert" and run.method_version == "1.2"
        assert run.inputs["substance"] == "HCFC-22"
        assert run.outputs["quantities"]["value"] == {"value": 181000.0, "unit": "tCO2e"}
        assert run.refdata_version == montreal_tables.version()
        assert (result.value, result.unit, result.method_run_id) == (181000.0, "tCO2e", run_id)


def test_figures_json_shows_the_run_behind_a_result(demo_db: Database) -> None:
    run_id, rid = _co2_result_from_run(demo_db)
    url = demo_db.engine.url.render_as_string(hide_password=False)
    out = runner.invoke(app, ["figures", "--year", "2021", "--json", "--db", url])
    assert out.exit_code == 0, out.output
    co2 = next(f for f in json.loads(out.output)["figures"] if f["id"] == "co2_avoided")
    assert co2["value"] == 72_000_000 + 181_000
    assert rid in co2["result_ids"]
    assert co2["method_runs"] == [
        {
            "run_id": run_id,
            "method": "montreal.convert",
            "method_version": "1.2",
            "refdata_version": montreal_tables.version(),
            "result_ids": [rid],
            "basis": "ar4",
        }
    ]


def _changed_refdata(tmp_path: Path) -> Path:
    """A copy of the packaged Montreal tables with HCFC-22's GWP changed to 1760."""
    packaged = Path(str(resources.files("greenfolio.refdata").joinpath("montreal")))
    target = tmp_path / "refdata" / "montreal"
    shutil.copytree(packaged, target)
    table = target / "substances.csv"
    text = table.read_text("utf-8")
    assert ",C,C/I,0.055,0.055,0.055,1810.0," in text
    table.write_text(
        text.replace(",C,C/I,0.055,0.055,0.055,1810.0,", ",C,C/I,0.055,0.055,0.055,1760.0,"),
        "utf-8",
    )
    return tmp_path / "refdata"


def test_recompute_lists_and_applies_a_reference_data_change(
    demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id, rid = _co2_result_from_run(demo_db)
    assert methods.recompute(demo_db) == []
    old_version = montreal_tables.version()
    monkeypatch.setenv(montreal_tables.OVERRIDE_ENV, str(_changed_refdata(tmp_path)))
    assert montreal_tables.version() != old_version

    changes = methods.recompute(demo_db)
    assert len(changes) == 1
    change = changes[0]
    assert (change["result_id"], change["run_id"]) == (rid, run_id)
    assert change["old_value"] == 181000 and change["new_value"] == pytest.approx(176000)
    assert change["difference"] == pytest.approx(-5000)
    assert _co2_figure(demo_db)["value"] == 72_181_000  # listing changes nothing

    url = demo_db.engine.url.render_as_string(hide_password=False)
    out = runner.invoke(app, ["methods", "recompute", "--apply", "--json", "--db", url])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)[0]["new_run_id"] != run_id
    assert _co2_figure(demo_db)["value"] == 72_000_000  # back in review: not counted
    with demo_db.transaction() as session:
        recomputed_by = session.scalar(
            select(ReviewEventRow.actor).where(
                ReviewEventRow.result_id == rid, ReviewEventRow.action == "recompute"
            )
        )
        # whoever recomputed it changed it: they may not verify it, even once a later
        # revision by someone else is the last one
        assert recomputed_by and recomputed_by in results.changed_by(session, [rid])[rid]
        # the version replaced is kept whole, with the run it came from: whoever ran that
        # one chose the inputs the new run repeats, and does not verify it either
        (kept,) = session.scalars(
            select(ResultRevisionRow).where(ResultRevisionRow.result_id == rid)
        ).all()
        assert (kept.data["value"], kept.data["method_run_id"]) == (181000, run_id)
        assert "run:user:runner" in results.changed_by(session, [rid])[rid]
    results.apply_review(demo_db, [rid], "verify", actor="user:checker")
    figure = _co2_figure(demo_db)
    assert figure["value"] == pytest.approx(72_176_000)
    runs = figure["method_runs"]
    assert isinstance(runs, list) and runs[0]["refdata_version"] == montreal_tables.version()
    assert methods.recompute(demo_db) == []


def test_methods_cli_examples_print_the_facts_values() -> None:
    def value(*args: str) -> float:
        out = runner.invoke(app, ["methods", *args, "--json"])
        assert out.exit_code == 0, out.output
        data = json.loads(out.output)["outputs"]["quantities"]
        return float(next(iter(data.values()))["value"])

    assert value("montreal", "convert", "100", "t", "HCFC-22", "--to", "odp") == 5.5
    assert value("montreal", "convert", "100", "t", "HCFC-22", "--to", "co2e") == 181000
    assert value("montreal", "convert", "1", "t", "R-410A", "--to", "co2e", "--gwp", "ar6") == (
        pytest.approx(2255.5)
    )
    assert value(
        "montreal", "limits", "NGA", "--group", "C/I", "--baseline", "344.88", "--year", "2025"
    ) == pytest.approx(112.086)
    assert value(
        "upops", "avoided", "--category", "1c", "--from", "1", "--to", "4", "--activity", "100"
    ) == pytest.approx(3.9999)
    assert value(
        "ghg",
        "mitigation",
        "--energy",
        "1000",
        "--factor",
        "0.6",
        "--lifetime",
        "10",
        "--factor-source",
        "national grid study",
    ) == pytest.approx(6000)
    listed = runner.invoke(app, ["methods", "list", "--json"])
    ids = {m["id"] for m in json.loads(listed.output)}
    assert {
        "montreal.convert",
        "stockholm.upops_avoided",
        "minamata.inventory",
        "ghg.mitigation",
    } <= ids


def test_methods_cli_errors_name_the_fix() -> None:
    out = runner.invoke(app, ["methods", "montreal", "convert", "1", "t", "HCFC-2", "--to", "odp"])
    assert out.exit_code == 2 and "did you mean" in out.output
    out = runner.invoke(
        app,
        [
            "methods",
            "montreal",
            "convert",
            "1",
            "t",
            "mix",
            "--to",
            "co2e",
            "--composition",
            "HFC-32=50,HFC-125=40",
        ],
    )
    assert out.exit_code == 2 and "sums to 90 %" in out.output
