"""More of the command line in words: countries by their names, an indicator's rule, a
calculation's title, outputs and details, and the outbox's statuses; --json keeps the
codes for scripts (tests/test_cli_words.py is the first part).
"""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from greenfolio.domain.indicators import Aggregation
from greenfolio.interfaces.cli import method_words
from greenfolio.interfaces.cli.app import app
from greenfolio.services.database import Database
from greenfolio.store.tables import MailRow

runner = CliRunner()
sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def _url(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)


def _cells(text: str) -> set[str]:
    return {c.strip() for line in text.splitlines() for c in re.split("[│┃]", line)}


@sqlite_only
def test_figures_and_explain_name_countries(demo_db: Database) -> None:
    url = _url(demo_db)
    code, text = _run("figures", "--year", "2021", "--db", url)
    assert code == 0, text
    cells = _cells(text)
    assert "Brazil, Thailand, Uruguay" in cells
    assert "Cambodia, Indonesia, Nepal, Philippines, Viet Nam" in cells
    assert not re.search(r"\b(BRA|THA|URY|KHM|VNM|PHL)\b", text), text
    code, text = _run("explain", "biochar_countries", "--db", url)
    assert code == 0 and "items: Cambodia, Indonesia, Nepal, Philippines, Viet Nam" in text
    code, text = _run("figures", "--year", "2021", "--json", "--db", url)
    figures = {f["id"]: f for f in json.loads(text)["figures"]}
    assert figures["page_recovery_countries"]["items"] == ["BRA", "THA", "URY"]


@sqlite_only
def test_indicators_say_their_rule_in_words(demo_db: Database) -> None:
    url = _url(demo_db)
    code, text = _run("indicators", "list", "--db", url)
    assert code == 0, text
    cells = _cells(text)
    assert {"Sum of the values", "Countries, each counted once"} <= cells
    for rule in Aggregation:
        assert rule.value not in cells, rule
    assert "distinct_countries" not in text and "count_by_status" not in text
    code, text = _run("indicators", "list", "--json", "--db", url)
    rules = {r["code"]: r["aggregation"] for r in json.loads(text)}
    assert rules["countries_supported"] == "distinct_countries"


def test_a_calculation_says_its_title_outputs_and_details_in_words() -> None:
    code, text = _run("methods", "montreal", "convert", "10", "t", "HCFC-22", "--to", "co2e")
    assert code == 0, text
    assert "Metric, ODP and CO₂-equivalent tonnes (version 1.2)" in text
    assert "Quantity converted" in _cells(text)
    assert "GWP basis: IPCC AR4" in text and "Substance: HCFC-22" in text
    assert "montreal.convert" not in text and "gwp_basis" not in text and "ar4" not in text
    code, text = _run(
        "methods", "upops", "avoided", "--category", "1c", "--from", "1", "--to", "4",
        "--activity", "100",
    )  # fmt: skip
    assert code == 0, text
    assert {"Releases avoided to air", "Total releases avoided"} <= _cells(text)
    assert "avoided_air" not in text and "factor_table" not in text
    assert "stockholm.upops_avoided" not in text
    code, text = _run("methods", "montreal", "limits", "NGA", "--group", "C/I", "--year", "2021")
    assert code == 0, text
    assert "Party: Nigeria" in text and "Party type: Article 5, group 1" in text
    assert "NGA" not in text and "A5G1" not in text and "party_type" not in text
    code, text = _run(
        "methods", "montreal", "compliance", "NGA", "--group", "C/I", "--baseline", "300",
        "--series", "2020=200,2021=230",
    )  # fmt: skip
    assert code == 0 and "Compliant: no" in text and "False" not in text, text


def test_json_of_a_calculation_keeps_the_names() -> None:
    code, text = _run(
        "methods", "montreal", "convert", "10", "t", "HCFC-22", "--to", "co2e", "--json"
    )
    run = json.loads(text)
    assert code == 0 and run["method"] == "montreal.convert"
    assert run["outputs"]["details"]["gwp_basis"] == "ar4"
    assert "value" in run["outputs"]["quantities"]


def test_every_release_output_has_words() -> None:
    """The outputs named after a vector or pathway each have words of their own; a name
    added later is spelled out, never shown with underscores."""
    from greenfolio.methods.mercury import PATHWAYS
    from greenfolio.refdata.factor_tables import VECTORS

    names = {f"release_{p}" for p in PATHWAYS} | {"input_total"}
    names |= {f"{k}_{v}" for k in ("release", "avoided") for v in (*VECTORS, "total")}
    assert names <= set(method_words.OUTPUTS)
    assert method_words.output("a_new_output") == "A new output"
    assert method_words.detail("compliant", True) == "Compliant: yes"


@sqlite_only
def test_the_outbox_says_statuses_in_words(db: Database) -> None:
    with db.transaction() as session:
        for status in ("pending", "sent", "failed"):
            session.add(
                MailRow(
                    recipient="a@example.org",
                    subject=f"s-{status}",
                    body="b",
                    reason="review",
                    status=status,
                    attempts=1,
                )
            )
    code, text = _run("mail", "outbox", "--db", _url(db))
    assert code == 0, text
    cells = _cells(text)
    assert {"Waiting", "Sent", "Not sent"} <= cells
    assert not {"pending", "sent", "failed"} & cells
    code, text = _run("mail", "outbox", "--json", "--db", _url(db))
    assert {r["status"] for r in json.loads(text)} == {"pending", "sent", "failed"}


@sqlite_only
def test_an_empty_outbox_says_so_in_words(db: Database) -> None:
    """No table of headings alone: the newcomer reads that nothing was queued."""
    code, text = _run("mail", "outbox", "--db", _url(db))
    assert code == 0, text
    assert "The outbox is empty" in text
    assert "subject" not in text
    # mail off (no GREENFOLIO_SMTP_HOST here): it says why nothing is queued
    assert "mail is not configured" in " ".join(text.split())
    code, text = _run("mail", "outbox", "--json", "--db", _url(db))
    assert json.loads(text) == []
