"""What a newcomer met in the first hour (a review at stop 29): a year with no control
measure, a database of another kind, an infinite quantity, units as people write them."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from greenfolio.domain.units import canonical_unit
from greenfolio.interfaces.cli.app import app
from greenfolio.services.database import Database

runner = CliRunner()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_limits_in_a_year_before_any_control_measure() -> None:
    code, text = _run(
        "methods", "montreal", "limits", "NGA", "--group", "C/I", "--baseline", "344.88",
        "--year", "2012",
    )  # fmt: skip
    assert code == 0, text
    assert "Control: no control measure in force" in text
    assert "Traceback" not in text and "┏" not in text  # no empty table


@pytest.mark.parametrize(
    "url", ["mysql://x/y", "foo://bar", "http://x", "postgresql+psycopg2://a@b/c"]
)
def test_a_database_of_another_kind_is_refused_in_words(url: str) -> None:
    code, text = _run("figures", "--year", "2021", "--db", url)
    assert code == 2, text
    assert "is not one Greenfolio works with" in text
    assert "postgresql://user@host:5432/dbname" in text


@pytest.mark.parametrize("given", ["inf", "1e400", "nan"])
def test_a_quantity_must_be_finite(given: str) -> None:
    code, text = _run("methods", "montreal", "convert", given, "t", "HCFC-22", "--to", "odp")
    assert code == 2, text
    assert "it must be a finite number" in text


def test_an_infinite_energy_is_not_stored(db: Database) -> None:
    url = db.engine.url.render_as_string(hide_password=False)
    code, text = _run(
        "methods", "ghg", "mitigation", "--energy", "inf", "--factor", "0.6", "--lifetime",
        "10", "--factor-source", "grid", "--store", "--json", "--db", url,
    )  # fmt: skip
    assert code == 2, text
    assert "--energy: inf was given; it must be a finite number" in text


@pytest.mark.parametrize(
    ("unit", "odp"),
    [("tonnes", "5.5"), ("Metric tonnes", "5.5"), ("kilogrammes", "0.0055"), ("t", "5.5")],
)
def test_convert_reads_units_as_people_write_them(unit: str, odp: str) -> None:
    code, text = _run(
        "methods", "montreal", "convert", "100", unit, "HCFC-22", "--to", "odp", "--json"
    )
    assert code == 0, text
    run = json.loads(text)
    assert f"{run['outputs']['quantities']['value']['value']:g}" == odp


def test_odp_and_co2e_tonnes_as_written_are_stored_units() -> None:
    for written in ("ODP t", "ODP tonnes", "t PAO", "т ОРС", "ODP_t"):
        assert canonical_unit(written) == "ODP_tonne", written
    for written in ("t CO2-eq", "tonnes CO2e", "t CO2e"):
        assert canonical_unit(written) == "tCO2e", written
