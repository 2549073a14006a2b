"""The command line says stored codes in the pages' English words ("ODP t", "Being
implemented", "Editor (all projects)"), never as the codes (``ODP_tonne``,
``implementation``, ``editor@all``); --json keeps the codes for scripts. The words come
from the pages' catalogue, read by ``refdata.catalogue`` exactly as PyYAML reads it.
"""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest
from typer.testing import CliRunner

from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.interfaces.cli.app import app
from greenfolio.refdata import catalogue
from greenfolio.refdata.loader import parse_yaml
from greenfolio.services.database import Database
from greenfolio.store.tables import ResultRow
from tests.test_api_support import PASSWORD, add_user

runner = CliRunner()
sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200", **(env or {})})
    return result.exit_code, result.output


def _url(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)


def _cells(text: str) -> set[str]:
    """Every cell of the tables in ``text``, stripped."""
    return {c.strip() for line in text.splitlines() for c in re.split("[│┃]", line)}


# --- the catalogue, read without PyYAML ----------------------------------------------------


@pytest.mark.parametrize("lang", UN_LANGUAGES)
def test_each_catalogue_reads_as_pyyaml_reads_it_without_pyyaml(lang: str) -> None:
    text = (
        resources.files("greenfolio.interfaces.web")
        .joinpath(f"messages/{lang}.yaml")
        .read_text("utf-8")
    )
    by_yaml = {str(k): str(v) for k, v in parse_yaml(text).items()}
    assert catalogue._plain_lines(text) == by_yaml  # the quick reading, not the fallback
    assert catalogue.catalogue(lang) == by_yaml


@pytest.mark.parametrize("lang", UN_LANGUAGES)
def test_each_key_is_written_once(lang: str) -> None:
    """YAML keeps the last of two equal keys without a word: a text added twice (two
    branches adding the same message) would silently hide the first."""
    text = (
        resources.files("greenfolio.interfaces.web")
        .joinpath(f"messages/{lang}.yaml")
        .read_text("utf-8")
    )
    keys = re.findall(r"^([A-Za-z][A-Za-z0-9_.]*):", text, re.M)
    assert sorted(k for k in set(keys) if keys.count(k) > 1) == []


@pytest.mark.parametrize(
    "text",
    [
        "a: yes",  # a yes/no, not the word
        "a: 12",
        "on: word",  # the key True
        "a: word # a comment",
        'a: "tab\\there" # note',
        "a: |\n  a block\n  of lines",
        "a: folded\n  onto two lines",
        "'quoted key': x",
        "a: 'single'",
    ],
)
def test_lines_of_other_forms_are_left_to_pyyaml(text: str) -> None:
    assert catalogue._plain_lines(text) is None
    assert catalogue.read(text) == {str(k): str(v) for k, v in parse_yaml(text).items()}


def test_double_quoted_escapes_read_as_yaml_reads_them() -> None:
    text = (
        'a: "x\\ny \\"q\\" \\u2066k\\u2069 \\x41 \\\\ \\/ \\_"\nb: plain text, at 10:30 (marks) "q"'
    )
    assert catalogue._plain_lines(text) == {str(k): v for k, v in parse_yaml(text).items()}


def test_a_code_without_a_word_is_shown_as_stored() -> None:
    assert catalogue.word("unit", "ODP_tonne") == "ODP t"
    assert catalogue.word("status", "implementation") == "Being implemented"
    assert catalogue.word("unit", "barrels of oil") == "barrels of oil"
    assert catalogue.word("unit", None) == ""


# --- what the commands print -----------------------------------------------------------------


@sqlite_only
def test_figures_say_units_and_qualifiers_in_words(demo_db: Database) -> None:
    code, text = _run("figures", "--year", "2021", "--db", _url(demo_db))
    assert code == 0, text
    cells = _cells(text)
    assert {"mg TEQ", "t CO₂e", "value chains", "classification terms", "More than"} <= cells
    assert {"About", "Exact", "policy", "countries"} <= cells
    for code_word in ("mg_TEQ", "tCO2e", "value_chain", "term", "more_than", "about", "exact"):
        assert code_word not in cells, code_word
    code, text = _run("explain", "ods_phased_out", "--db", _url(demo_db))
    assert code == 0 and "ods_phased_out = 700 t (more than)" in text, text
    code, text = _run("figures", "--year", "2021", "--json", "--db", _url(demo_db))
    figures = {f["id"]: f for f in json.loads(text)["figures"]}
    assert (figures["upops_avoided"]["unit"], figures["core_functions"]["unit"]) == (
        "mg_TEQ",
        "term",
    )
    assert figures["ods_phased_out"]["qualifier"] == "more_than"


def test_a_calculator_says_its_units_in_words() -> None:
    code, text = _run("methods", "montreal", "convert", "100", "t", "HCFC-22", "--to", "odp")
    assert code == 0 and "ODP t" in _cells(text) and "ODP_tonne" not in text, text
    code, text = _run(
        "methods", "upops", "avoided", "--category", "1c", "--from", "1", "--to", "4",
        "--activity", "100",
    )  # fmt: skip
    assert code == 0 and "g TEQ" in _cells(text) and "g_TEQ" not in text, text
    code, text = _run(
        "methods", "montreal", "convert", "100", "t", "HCFC-22", "--to", "odp", "--json"
    )
    assert json.loads(text)["outputs"]["quantities"]["value"]["unit"] == "ODP_tonne"


@sqlite_only
def test_work_and_results_lists_say_status_kind_and_unit_in_words(demo_db: Database) -> None:
    url = _url(demo_db)
    code, text = _run("work", "list", "--status", "implementation", "--db", url)
    assert code == 0, text
    rows = [[c.strip() for c in line.split("│")[1:-1]] for line in text.splitlines()]
    kinds = {r[1] for r in rows if r and r[0].startswith("idb49-")}
    statuses = {r[2] for r in rows if r and r[0].startswith("idb49-")}
    assert {"Project", "Programme", "Alliance"} <= kinds and statuses == {"Being implemented"}
    assert not {"project", "programme", "alliance"} & kinds
    code, text = _run("work", "list", "--status", "implementation", "--json", "--db", url)
    assert {i["status"] for i in json.loads(text)["items"]} == {"implementation"}
    code, text = _run("results", "list", "--indicator", "ods_phased_out", "--db", url)
    assert code == 0 and "verified" in _cells(text), text
    code, text = _run("indicators", "list", "--db", url)
    assert "ODP t" in _cells(text) and "ODP_tonne" not in text
    # an empty list says so, naming what was asked, rather than printing an empty table
    code, text = _run("results", "list", "--state", "submitted", "--db", url)
    assert (code, text.strip()) == (0, "No results with state submitted."), text


@sqlite_only
def test_a_unit_read_off_a_list_can_be_typed_back(demo_db: Database) -> None:
    """``results list`` prints "countries"; ``results add --unit countries`` takes it, as
    it takes the code ("country") and "ODP t" for ODP tonnes."""
    url = _url(demo_db)

    def add(indicator: str, value: str, unit: str) -> tuple[int, str]:
        return _run(
            "results", "add", "--work", "idb49-emobility", "--indicator", indicator,
            "--value", value, "--unit", unit, "--period-end", "2021-06-30", "--json",
            "--db", url,
        )  # fmt: skip

    for indicator, value, typed, stored in (
        ("countries_supported", "1", "countries", "country"),
        ("countries_supported", "1", "country", "country"),
        ("ods_phased_out_odp", "2.5", "ODP t", "ODP_tonne"),
    ):
        code, text = add(indicator, value, typed)
        assert code == 0, text
        with demo_db.transaction() as session:
            row = session.get(ResultRow, json.loads(text)["id"])
            assert row is not None and row.unit == stored, (typed, row.unit if row else None)
    code, text = add("ods_phased_out", "2.5", "furlongz")
    assert code != 0 and "furlongz" in text


@sqlite_only
def test_a_refusal_names_roles_in_words(demo_db: Database) -> None:
    url = _url(demo_db)
    add_user(demo_db, "ed", "editor@all", "viewer@country:BRA")
    verify = ("results", "verify", "1", "--as", "ed", "--db", url)
    code, text = _run(*verify, env={"GREENFOLIO_PASSWORD": PASSWORD})
    assert code == 2
    said = " ".join(text.split())  # the message may wrap
    assert "signed in as ed: Your roles do not allow reviewing on the project" in said
    assert "Your roles: Editor (all projects) and Viewer (Brazil)." in said
    assert "editor@all" not in said and " review " not in said
    code, text = _run("users", "list", "--db", url)
    assert "Editor (all projects), Viewer (Brazil)" in text and "@" not in text
    code, text = _run("users", "list", "--json", "--db", url)
    assert code == 0 and "ed" in {u["username"] for u in json.loads(text)}


def test_a_text_ending_in_a_no_break_space_keeps_it_as_yaml_does() -> None:
    text = "a: Total\u00a0\nb: words  \n"
    assert catalogue.read(text) == {k: str(v) for k, v in parse_yaml(text).items()}
    assert catalogue.read(text)["a"] == "Total\u00a0"
