"""A result a method run made, and the run's own page, read in the reader's language: the
source names the run and its method from the catalogue (the English stored for the command
line stays stored, unseen), the run's inputs, outputs and details are labelled rows with
names and units in the reader's words and numbers as the language writes them; no JSON,
no field name, no "none"."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from pydantic import BaseModel

from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.domain.run_citation import cited_run, run_citation
from greenfolio.interfaces import report_files
from greenfolio.interfaces.http import run_words
from greenfolio.interfaces.web.i18n import catalogue
from greenfolio.methods import registry
from greenfolio.services import methods, results
from greenfolio.services.database import Database
from greenfolio.store.tables import ResultRow
from tests.test_api_support import add_user, browser

SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
PROJECT = "idb49-biogas-brazil"
MITIGATION = {
    "energy_mwh_per_year": 1000,
    "emission_factor": 0.6,
    "lifetime_years": 10,
    "factor_source": "National grid factor 2020",
}
SAMPLES: dict[str, list[dict[str, Any]]] = {
    "montreal.convert": [
        {"quantity": 100, "substance": "HCFC-22", "to": "co2e"},
        {"quantity": 1, "substance": "R-506", "to": "odp", "composition_source": "mlf"},
        {"quantity": 1, "substance": "R-509", "to": "co2e", "gwp": "mlf"},
        {"quantity": 1, "substance": "R-407H", "to": "co2e"},
        {
            "quantity": 1,
            "substance": "Mine",
            "composition": {"HFC-32": 50, "HFO-1234yf": 50},
            "to": "co2e",
            "gwp": "ar6",
        },
    ],
    "montreal.limits": [
        {"party": "NGA", "group": "C/I", "year": 2025},
        {"party": "NGA", "group": "C/I", "year": 1995, "baseline": 300},
    ],
    "montreal.compliance": [
        {"party": "NGA", "group": "C/I", "baseline": 344.88, "series": {2020: 200, 2021: 330}}
    ],
    "stockholm.upops_releases": [{"category": "1c", "class": "1", "activity_t": 100}],
    "stockholm.upops_avoided": [
        {"category": "1c", "class_before": "1", "class_after": "4", "activity_t": 100}
    ],
    "stockholm.stockpile": [
        {
            "entries": [
                {"pops_type": "PCB", "fate": "destroyed", "tonnes": 10},
                {"pops_type": "DDT", "fate": "safeguarded", "tonnes": 3.5},
            ]
        }
    ],
    "minamata.inventory": [
        {
            "factors": [
                {
                    "category": "coal",
                    "input_g_per_unit": 2.0,
                    "source": "survey 2024",
                    "distribution": {"air": 0.9, "sector_treatment": 0.1},
                }
            ],
            "activities": [{"category": "coal", "amount": 500}],
        }
    ],
    "minamata.asgm": [{"gold_kg": 100, "mercury_to_gold": 1.3, "ratio_source": "survey"}],
    "ghg.grid_factor": [
        {"operating_margin": 0.8, "build_margin": 0.6, "weight_om": 0.5, "weight_bm": 0.5}
    ],
    "ghg.mitigation": [
        MITIGATION,
        {
            **MITIGATION,
            "replication_factor": 2,
            "technical_potential_tco2e": 1000,
            "causality_factor": 0.5,
        },
    ],
}
"""Every method, with the inputs that make each kind of output and detail it has."""
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
STORED = re.compile(r"\b(?:none|null|None|tCO2e|ODP_tonne|g_TEQ)\b|method run|[{}\[\]]")
"""What a stored record shows when printed as it is: JSON, codes, English."""


def _shown(html: str, lang: str) -> str:
    """The page's text as a reader sees it, less the texts it quotes in English (marked
    ``lang="en"``: the reference data's titles) on a page in another language."""
    doc = lxml.html.fromstring(html)
    for node in doc.xpath("//script|//style"):
        node.drop_tree()
    if lang != "en":
        for node in doc.xpath('//main//*[@lang="en"]'):
            node.drop_tree()
    return "\n".join(doc.xpath("//main//text()"))


def _faults(text: str) -> list[str]:
    return sorted(set(SNAKE.findall(text)) | set(STORED.findall(text)))


def _made(db: Database) -> tuple[int, int]:
    """A ghg.mitigation run and the draft result made of its direct output, as
    ``greenfolio methods result`` makes it (no source given)."""
    run = methods.run(db, "ghg.mitigation", MITIGATION)
    rid = methods.result_from_run(
        db,
        methods.FromRun(run_id=run["run_id"], output="direct", work=PROJECT,
                        indicator="ghg_avoided"),
    )  # fmt: skip
    return int(run["run_id"]), rid


@SQLITE
def test_a_result_made_by_a_run_reads_in_the_readers_language(demo_db: Database) -> None:
    run_id, rid = _made(demo_db)
    with demo_db.transaction() as session:
        stored = session.get(ResultRow, rid)
        assert stored is not None
        assert stored.citation == run_citation(run_id, "ghg.mitigation")  # kept as it was
    web, _ = browser(demo_db, add_user(demo_db, "root-admin", "admin@all"))
    for lang in ("fr", "ar", "zh", "en"):
        words = catalogue(lang)
        name = words["method_ghg.mitigation"]
        page = web.get(f"/results/{rid}", params={"lang": lang})
        assert page.status_code == 200
        doc = lxml.html.fromstring(page.text)
        source = doc.xpath('//dd[@data-testid="result-source"]')[0]
        assert source.xpath("string(.)").strip() == words["run_cited"].format(
            run=run_id, method=name
        )
        assert source.xpath(".//a/@href") == [f"/method-runs/{run_id}"]
        text = _shown(page.text, lang)
        faults = [f for f in _faults(text) if lang != "en" or f != "none"]  # an English word
        assert faults == [], (lang, faults)
        inputs = doc.xpath('//table[@data-testid="run-inputs"]')[0]
        rows = {
            r.xpath("string(td[1])"): [c.xpath("string(.)") for c in r.xpath("td")[1:]]
            for r in inputs.xpath("tbody/tr")
        }
        # figures among words, each with its unit after it, in one column
        assert rows[words["run_input_emission_factor"]] == [
            f"{'0,6' if lang == 'fr' else '0.6'} {words['run_unit_tco2e_per_mwh']}"
        ]
        energy = rows[words["run_input_energy_mwh_per_year"]]
        assert energy == [f"{run_words.exact(1000, lang)} {words['run_unit_mwh_per_year']}"]
        assert rows[words["run_input_causality_factor"]] == [words["run_not_given"]]
        # the revision form names the source and does not send it (so keeps it)
        assert doc.xpath('//form//input[@name="citation"]') == []
        hint = doc.xpath('//p[@data-testid="run-source"]')[0].xpath("string(.)")
        assert name in hint
    project = web.get(f"/projects/{PROJECT}", params={"lang": "fr"}).text
    row = lxml.html.fromstring(project).xpath(f'//tr[@data-result="{rid}"]')[0]
    assert row.xpath("string(td[last()])").strip() == f"Calcul {run_id}"


@SQLITE
def test_revising_a_result_made_by_a_run_keeps_its_source(demo_db: Database) -> None:
    run_id, rid = _made(demo_db)
    web, csrf = browser(demo_db, add_user(demo_db, "ed", "editor@all"))
    form = lxml.html.fromstring(web.get(f"/results/{rid}").text).xpath(
        f'//form[@action="/results/{rid}/edit"]'
    )[0]
    sent = {i.get("name"): i.get("value") or "" for i in form.xpath(".//input[@name]")}
    sent |= {s.get("name"): s.xpath("string(option[@selected]/@value)") for s in
             form.xpath(".//select")}  # fmt: skip
    sent |= {"csrf": csrf, "value": "5000", "evidence": "grid study"}
    done = web.post(f"/results/{rid}/edit", data=sent)
    assert done.status_code == 303, done.text
    with demo_db.transaction() as session:
        row = session.get(ResultRow, rid)
        assert row is not None and row.value == 5000
        assert row.citation == run_citation(run_id, "ghg.mitigation")
    history = _shown(web.get(f"/results/{rid}", params={"lang": "fr"}).text, "fr")
    assert "method run" not in history and f"Calcul {run_id}\u00a0:" in history


@SQLITE
@pytest.mark.parametrize("lang", ["fr", "ar", "zh", "ru"])
def test_every_methods_run_page_is_in_words(demo_db: Database, lang: str) -> None:
    web, _ = browser(demo_db, add_user(demo_db, "root-admin", "admin@all"))
    for method, cases in SAMPLES.items():
        for inputs in cases:
            run = methods.run(demo_db, method, inputs)
            page = web.get(f"/method-runs/{run['run_id']}", params={"lang": lang})
            assert page.status_code == 200
            text = _shown(page.text, lang)
            assert _faults(text) == [], (method, inputs, _faults(text))
            assert catalogue(lang)[f"method_{method}"] in text


def _fields(model: type[BaseModel]) -> set[str]:
    """The names of a model's fields as stored (by alias), and of the models it holds."""
    names = set()
    for name, info in model.model_fields.items():
        names.add(info.alias or name)
        for inner in (info.annotation, *getattr(info.annotation, "__args__", ())):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                names |= _fields(inner)
    return names


def test_every_input_output_and_detail_has_words_in_six_languages() -> None:
    inputs, outputs, details = set(), set(), set()
    for method_id, cases in SAMPLES.items():
        method = registry.get(method_id)
        inputs |= _fields(method.inputs)
        for case in cases:
            outcome = registry.calculate(method_id, case)["outputs"]
            outputs |= set(outcome["quantities"])
            details |= set(outcome["details"])
    assert set(SAMPLES) == set(registry.METHODS)
    assert inputs == set(run_words.INPUTS)
    pathways = {o.split("_", 1)[1] for o in outputs if o.startswith(("release_", "avoided_"))}
    assert pathways <= set(run_words.PATHWAYS)
    assert {o for o in outputs if not o.startswith(("release_", "avoided_"))} == set(
        run_words.OUTPUTS
    )
    assert details == set(run_words.DETAILS) | run_words.HIDDEN_DETAILS
    wanted = {f"{g}_{c}" for g, codes in run_words.GROUPS.items() for c in codes}
    wanted |= set(run_words.WORDS) | {f"method_{m}" for m in registry.METHODS}
    for lang in UN_LANGUAGES:
        assert sorted(wanted - set(catalogue(lang))) == [], lang


def test_the_stored_source_of_a_run_is_read_back() -> None:
    assert cited_run(run_citation(7, "ghg.mitigation")) == (7, "ghg.mitigation")
    assert cited_run("method run 7 (ghg.mitigation) and more") is None
    assert cited_run("Project document, para. 4") is None
    assert cited_run(None) is None


@SQLITE
def test_the_reports_sources_name_the_run_in_the_documents_words(
    demo_db: Database, tmp_path: Path
) -> None:
    """The Board report's sources list the records behind a figure with their source: a
    result a run made names the run as the document does ("calcul 5"), not the English
    stored for it."""
    run = methods.run(demo_db, "montreal.convert", {"quantity": 100, "substance": "HCFC-22",
                                                    "to": "co2e"})  # fmt: skip
    rid = methods.result_from_run(
        demo_db,
        methods.FromRun(run_id=run["run_id"], output="value", work="idb49-montreal-portfolio",
                        indicator="ghg_avoided", period_start="2020-01-01",
                        period_end="2020-12-31"),
    )  # fmt: skip
    results.apply_review(demo_db, [rid], "submit")
    results.apply_review(demo_db, [rid], "verify", actor="user:checker")
    n = run["run_id"]
    said = {"fr": f"calcul {n}", "zh": f"计算 {n}", "en": f"calculation {n}"}
    for path in report_files.write_all(demo_db, "board", 2021, list(said), ["html"], tmp_path):
        if path.suffix != ".html":
            continue
        lang = path.stem.rsplit("-", 1)[1]
        root = lxml.html.parse(str(path)).getroot()
        row = root.xpath(f'//section[@id="sources"]//tr[td[1]="{rid}"]')
        assert row, lang
        cell = row[0].xpath("string(td[4])")
        assert "method run" not in cell and cell.endswith(said[lang]), (lang, cell)


@SQLITE
def test_a_published_value_this_composition_does_not_give_is_said_beside_it(
    demo_db: Database,
) -> None:
    """A methods expert's finding: the Ozone Secretariat publishes 1,275.75 t CO2-eq per
    tonne of R-407H, and ASHRAE's shares (HFC-32/125/134a 32.5/15/52.5) give 1,495.125 under
    the same Kigali GWPs; the page showed the published value alone, as if it were this
    result's."""
    web, _ = browser(demo_db, add_user(demo_db, "root-admin", "admin@all"))
    run = methods.run(demo_db, "montreal.convert", {"quantity": 1, "substance": "R-407H",
                                                     "to": "co2e"})  # fmt: skip
    for lang, said in (("en", "this composition gives 1,495.125"),
                       ("fr", "cette composition donne 1\u202f495,125")):  # fmt: skip
        text = _shown(web.get(f"/method-runs/{run['run_id']}", params={"lang": lang}).text, lang)
        assert said in text, lang
    published = {p["system"]: p for p in run["outputs"]["details"]["published"]}
    assert published["ozone"]["co2e_here"] == pytest.approx(1495.125)
    assert "co2e_here" not in published["mlf"]
