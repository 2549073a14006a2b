"""Issue 12, item 1: a scope is checked against the record as stored, before and after the
change; what a request claims about itself never widens it. Through the API and the
pages, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from greenfolio.domain.permissions import Grant, Principal, Role, Scope
from greenfolio.interfaces.web.i18n import Translator
from greenfolio.interfaces.web.refusal_text import message
from greenfolio.services import entry, explorer, methods, portfolio
from greenfolio.services.database import Database
from greenfolio.services.portfolio import WorkSpec
from greenfolio.services.results import ResultSpec
from tests.test_api_support import User, add_user, browser, client

ROOT = Principal("root", (Grant(Role.ADMIN, Scope.parse("all")),), 1)
KHM = WorkSpec(
    key="sc-khm",
    kind="project",
    title={"en": "Regional project in Asia"},
    countries=["KHM", "IDN", "NPL"],
    terms=["programme:pops", "focus_area:b"],
)
BRA = WorkSpec(
    key="sc-bra",
    kind="project",
    title={"en": "Project in Brazil"},
    countries=["BRA"],
    terms=["programme:montreal_protocol", "focus_area:b"],
)


def _project(db: Database, key: str) -> dict[str, Any]:
    return explorer.project(db, ROOT, key)


def _results(db: Database, key: str) -> list[int]:
    return [r["id"] for r in _project(db, key)["results"]]


@pytest.fixture
def setup(db: Database) -> tuple[Database, User]:
    portfolio.register_work(db, KHM)
    portfolio.register_work(db, BRA)
    return db, add_user(db, "edbra", "editor@country:BRA")


def test_a_result_claiming_the_editors_country_is_refused_on_another_project(
    setup: tuple[Database, User],
) -> None:
    db, edbra = setup
    api = client(db)
    body = {"work": "sc-khm", "indicator": "pops_destroyed", "value": 3, "country": "BRA"}
    refused = api.post("/api/v1/results", json=body, headers=edbra.auth)
    # a project the editor may not read is refused as a missing one (its key is not
    # theirs to learn, tests/test_security_existence.py)
    assert refused.status_code == 404, refused.text
    assert refused.json()["error"]["message"].startswith("unknown work item 'sc-khm'")
    web, csrf = browser(db, edbra)
    refused_page = web.get("/projects/sc-khm/results/new")
    assert refused_page.status_code == 404
    form = {"csrf": csrf, "indicator": "pops_destroyed", "value": "3", "country": "BRA"}
    assert web.post("/projects/sc-khm/results", data=form).status_code == 404
    assert _results(db, "sc-khm") == []
    # the same editor enters results on their own project, with or without a country
    ok = api.post("/api/v1/results", json={**body, "work": "sc-bra"}, headers=edbra.auth)
    assert ok.status_code == 201, ok.text
    assert web.post("/projects/sc-bra/results", data=form).status_code == 303
    assert len(_results(db, "sc-bra")) == 2


def test_a_project_outside_the_scope_cannot_be_changed_nor_one_moved_out(
    setup: tuple[Database, User],
) -> None:
    db, edbra = setup
    # someone with a wider scope reports a Brazilian figure on the Asian project: the
    # Brazil focal point may now read it, but the project is not theirs to change
    spec = ResultSpec(work="sc-khm", indicator="pops_destroyed", value=1, country="BRA")
    entry.create_result(db, ROOT, spec)
    api = client(db)
    assert api.get("/api/v1/projects/sc-khm", headers=edbra.auth).status_code == 200
    body = KHM.model_dump(mode="json") | {"countries": ["BRA"], "version": 1}
    taken = api.put("/api/v1/projects/sc-khm", json=body, headers=edbra.auth)
    assert taken.status_code == 403, taken.text
    moved = BRA.model_dump(mode="json") | {"countries": ["ARG"], "version": 1}
    out = api.put("/api/v1/projects/sc-bra", json=moved, headers=edbra.auth)
    assert out.status_code == 403, out.text
    web, csrf = browser(db, edbra)
    assert web.get("/projects/sc-khm/edit").status_code == 403
    form = {"csrf": csrf, "kind": "project", "title_en": "Mine", "countries": "BRA", "version": "1"}
    assert web.post("/projects/sc-khm/edit", data=form).status_code == 403
    form = {**form, "countries": "ARG", "terms": ["programme:montreal_protocol"]}
    assert web.post("/projects/sc-bra/edit", data=form).status_code == 403
    assert _project(db, "sc-khm")["countries"] == ["IDN", "KHM", "NPL"]
    assert _project(db, "sc-bra")["countries"] == ["BRA"]
    assert _project(db, "sc-khm")["version"] == _project(db, "sc-bra")["version"] == 1
    # changes that keep the project in scope still work
    kept = BRA.model_dump(mode="json") | {"countries": ["BRA", "ARG"], "version": 1}
    assert api.put("/api/v1/projects/sc-bra", json=kept, headers=edbra.auth).status_code == 200


def test_a_result_is_not_moved_out_of_scope_nor_made_from_a_run_elsewhere(
    setup: tuple[Database, User],
) -> None:
    db, edbra = setup
    made = entry.create_result(
        db, ROOT, ResultSpec(work="sc-khm", indicator="pops_destroyed", value=1, country="BRA")
    )
    api = client(db)
    patch = {"country": "KHM", "version": made["version"]}
    moved = api.patch(f"/api/v1/results/{made['id']}", json=patch, headers=edbra.auth)
    assert moved.status_code == 403, moved.text
    web, csrf = browser(db, edbra)
    form = {"csrf": csrf, "value": "1", "country": "KHM", "version": str(made["version"])}
    assert web.post(f"/results/{made['id']}/edit", data=form).status_code == 403
    assert explorer.result(db, ROOT, made["id"])["country"] == "BRA"
    inputs = {"quantity": 100, "substance": "HCFC-22", "to": "co2e"}
    run = methods.run(db, "montreal.convert", inputs)
    body = {"output": "value", "work": "sc-khm", "indicator": "ghg_avoided", "country": "BRA"}
    url = f"/api/v1/method-runs/{run['run_id']}/results"
    refused = api.post(url, json=body, headers=edbra.auth)
    assert refused.status_code == 403, refused.text
    assert _results(db, "sc-khm") == [made["id"]]
    mine = api.post(url, json={**body, "work": "sc-bra"}, headers=edbra.auth)
    assert mine.status_code == 201, mine.text


def test_a_run_one_may_not_read_cannot_be_read_by_using_its_output(
    setup: tuple[Database, User],
) -> None:
    """A run that made a result on a project the editor may not read is not theirs to
    read; taking its output onto their own project would show them its value and then,
    through the result it made, open the run's inputs."""
    db, edbra = setup
    api = client(db)
    inputs = {"quantity": 100, "substance": "HCFC-22", "to": "co2e"}
    run = methods.run(db, "montreal.convert", inputs)
    entry.result_from_run(
        db,
        ROOT,
        methods.FromRun(
            run_id=run["run_id"], output="value", work="sc-khm", indicator="ghg_avoided"
        ),
    )
    url = f"/api/v1/method-runs/{run['run_id']}"
    missing = api.get("/api/v1/method-runs/99999", headers=edbra.auth)
    closed = api.get(url, headers=edbra.auth)
    assert closed.status_code == missing.status_code == 404
    assert closed.json()["error"]["message"].replace(str(run["run_id"]), "N") == missing.json()[
        "error"
    ]["message"].replace("99999", "N")
    body = {"output": "value", "work": "sc-bra", "indicator": "ghg_avoided"}
    refused = api.post(f"{url}/results", json=body, headers=edbra.auth)
    assert refused.status_code == 404, refused.text
    assert _results(db, "sc-bra") == []
    assert api.get(url, headers=edbra.auth).status_code == 404, "still closed to them"
    listed = api.get("/api/v1/method-runs", headers=edbra.auth).json()
    assert run["run_id"] not in [r["id"] for r in listed["items"]], "nor listed to them"
    # a run of their own, that made nothing yet, is theirs to use
    own = api.post(
        "/api/v1/method-runs",
        json={"method": "montreal.convert", "inputs": inputs},
        headers=edbra.auth,
    )
    assert own.status_code == 201, own.text
    listed = api.get("/api/v1/method-runs", headers=edbra.auth).json()
    assert own.json()["run_id"] in [r["id"] for r in listed["items"]]
    made = api.post(
        f"/api/v1/method-runs/{own.json()['run_id']}/results", json=body, headers=edbra.auth
    )
    assert made.status_code == 201, made.text
    listed = api.get("/api/v1/method-runs", headers=edbra.auth).json()
    assert [r["id"] for r in listed["items"]] == [own.json()["run_id"]]
    assert listed["total"] == 1


def test_a_did_you_mean_hint_names_only_projects_one_may_read(
    setup: tuple[Database, User],
) -> None:
    db, edbra = setup
    api = client(db)
    body = {"work": "sc-khx", "indicator": "pops_destroyed", "value": 3}
    refused = api.post("/api/v1/results", json=body, headers=edbra.auth)
    assert refused.status_code == 404, refused.text
    message = refused.json()["error"]["message"]
    assert "sc-bra" in message and "sc-khm" not in message


def test_a_countrys_editor_changes_only_their_countrys_results_of_a_shared_project(
    db: Database,
) -> None:
    """A hostile review: Sierra Leone's editor entered and changed results for the DR Congo
    in a regional project. A result for one country is that country's alone; results for
    no particular country stay with every editor of the project."""
    portfolio.register_work(
        db,
        WorkSpec(
            key="sc-region",
            kind="project",
            title={"en": "Regional project"},
            countries=["SLE", "COD"],
            terms=["programme:pops"],
        ),
    )
    sle = add_user(db, "ed-sle", "editor@country:SLE")
    sle_reviewer = add_user(db, "rev-sle", "reviewer@country:SLE")
    cod = add_user(db, "ed-cod", "editor@country:COD")
    whole = add_user(db, "ed-pops", "editor@programme:pops")
    api = client(db)
    body = {"work": "sc-region", "indicator": "pops_destroyed", "value": 3}

    def enter(user: User, country: str | None) -> Any:
        return api.post("/api/v1/results", json={**body, "country": country}, headers=user.auth)

    assert enter(sle, "COD").status_code == 403
    assert enter(sle, "SLE").status_code == 201
    assert enter(sle, None).status_code == 201
    theirs = enter(cod, "COD")
    assert theirs.status_code == 201 and enter(whole, "COD").status_code == 201
    rid = theirs.json()["id"]
    version = api.get(f"/api/v1/results/{rid}", headers=sle.auth).json()["version"]  # readable
    changed = api.patch(
        f"/api/v1/results/{rid}", json={"value": 4, "version": version}, headers=sle.auth
    )
    assert changed.status_code == 403, changed.text
    moved = api.patch(
        f"/api/v1/results/{rid}", json={"country": "SLE", "version": version}, headers=sle.auth
    )
    assert moved.status_code == 403, moved.text
    submit = {"action": "submit", "version": version}
    assert api.post(f"/api/v1/results/{rid}/review", json=submit, headers=cod.auth).is_success
    version = api.get(f"/api/v1/results/{rid}", headers=cod.auth).json()["version"]
    verify = {"action": "verify", "version": version}
    refused = api.post(f"/api/v1/results/{rid}/review", json=verify, headers=sle_reviewer.auth)
    assert refused.status_code == 403, refused.text


def test_a_countrys_editor_cannot_redraw_a_shared_projects_countries(db: Database) -> None:
    """A hostile review: the DR Congo's editor set a regional project's countries to the
    DR Congo alone, and Sierra Leone's editors could no longer enter its results."""
    portfolio.register_work(
        db,
        WorkSpec(
            key="sc-shared",
            kind="project",
            title={"en": "Shared"},
            countries=["SLE", "COD"],
            terms=["programme:pops"],
        ),
    )
    cod = add_user(db, "ed-cod", "editor@country:COD")
    whole = add_user(db, "ed-pops", "editor@programme:pops")
    api = client(db)

    def put(user: User, countries: list[str]) -> Any:
        stored = api.get("/api/v1/projects/sc-shared", headers=user.auth).json()
        body = {
            "key": "sc-shared",
            "kind": "project",
            "title": stored["title"],
            "countries": countries,
            "terms": ["programme:pops"],
            "version": stored["version"],
        }
        return api.put("/api/v1/projects/sc-shared", json=body, headers=user.auth)

    refused = put(cod, ["COD"])
    assert refused.status_code == 403, refused.text
    assert "shared by several countries" in refused.json()["error"]["message"]
    assert put(cod, ["SLE", "COD", "BRA"]).status_code == 200  # adding takes nothing away
    assert put(cod, ["SLE", "COD"]).status_code == 403  # removing Brazil is Brazil's
    assert put(whole, ["SLE", "COD"]).status_code == 200
    assert put(cod, ["SLE"]).status_code == 403  # nor move it out of their own scope


def test_a_countrys_editor_cannot_take_a_programme_off_a_project(db: Database) -> None:
    """A hostile review: Brazil's editor emptied a bioenergy project's programmes, and the
    bioenergy reviewer could no longer see, nor verify, the result submitted to them."""
    spec = WorkSpec(
        key="sc-bio",
        kind="project",
        title={"en": "Biogas"},
        countries=["BRA"],
        terms=["programme:pops", "focus_area:b"],
    )
    portfolio.register_work(db, spec)
    bra = add_user(db, "ed-bra", "editor@country:BRA")
    pops = add_user(db, "ed-pops", "editor@programme:pops")
    reviewer = add_user(db, "rev-pops", "reviewer@programme:pops")
    api = client(db)

    def put(user: User, terms: list[str]) -> Any:
        stored = api.get("/api/v1/projects/sc-bio", headers=user.auth).json()
        body = {**spec.model_dump(mode="json"), "terms": terms, "version": stored["version"]}
        return api.put("/api/v1/projects/sc-bio", json=body, headers=user.auth)

    refused = put(bra, ["focus_area:b"])
    assert refused.status_code == 403, refused.text
    error = refused.json()["error"]
    assert "programme(s) pops" in error["message"], error
    assert api.get("/api/v1/projects/sc-bio", headers=reviewer.auth).status_code == 200
    assert put(bra, ["programme:pops", "focus_area:b", "programme:montreal_protocol"]).is_success
    assert put(bra, ["programme:pops", "focus_area:b"]).status_code == 403  # not Montreal's
    assert put(bra, ["programme:pops", "programme:montreal_protocol"]).is_success  # other terms

    assert put(pops, ["programme:pops"]).status_code == 403  # Montreal's to remove
    assert put(add_user(db, "ed-all", "editor@all"), []).is_success
    tr = Translator("fr")  # as the project form says it
    said = message(tr, "project_programmes", {"project": "sc-bio", "programmes": ["pops"]})
    assert said and f"«\u00a0{tr.term('programme:pops')}\u00a0»" in said, said


def test_ones_own_method_run_stays_ones_own(setup: tuple[Database, User]) -> None:
    """A hostile review: a stranger made a result from someone's fresh run on a project
    its maker may not read, and the maker could no longer open or use their own run."""
    db, edbra = setup
    edkhm = add_user(db, "edkhm", "editor@country:KHM")
    api = client(db)
    inputs = {"quantity": 100, "substance": "HCFC-22", "to": "co2e"}
    made = api.post(
        "/api/v1/method-runs", json={"method": "montreal.convert", "inputs": inputs},
        headers=edkhm.auth,
    )  # fmt: skip
    assert made.status_code == 201, made.text
    run = made.json()["run_id"]
    body = {"output": "value", "work": "sc-bra", "indicator": "ghg_avoided"}
    taken = api.post(f"/api/v1/method-runs/{run}/results", json=body, headers=edbra.auth)
    assert taken.status_code == 201, taken.text
    assert api.get(f"/api/v1/method-runs/{run}", headers=edkhm.auth).status_code == 200
    listed = api.get("/api/v1/method-runs", headers=edkhm.auth).json()
    assert run in [r["id"] for r in listed["items"]]
    mine = {"output": "value", "work": "sc-khm", "indicator": "ghg_avoided"}
    used = api.post(f"/api/v1/method-runs/{run}/results", json=mine, headers=edkhm.auth)
    assert used.status_code == 201, used.text


def test_a_taken_key_is_said_to_be_taken_and_nothing_more(setup: tuple[Database, User]) -> None:
    """A hostile review: creating a project under the key of one the asker may not read
    said "project 'sc-khm' exists already; change it with PUT", even to an editor who
    could never create a project for those countries."""
    db, bra = setup
    api = client(db)
    body = {"key": "sc-khm", "kind": "project", "title": {"en": "Mine"}}
    outside = api.post("/api/v1/projects", json={**body, "countries": ["KHM"]}, headers=bra.auth)
    assert outside.status_code == 403, outside.text  # not theirs to create, whatever the key
    taken = api.post("/api/v1/projects", json={**body, "countries": ["BRA"]}, headers=bra.auth)
    assert taken.status_code == 422, taken.text
    assert "is taken; choose another key" in taken.json()["error"]["message"]
    assert api.get("/api/v1/projects/sc-khm", headers=bra.auth).status_code == 404
    assert explorer.project(db, ROOT, "sc-khm")["title"]["en"] == KHM.title["en"]
    web, csrf = browser(db, bra)
    form = {"csrf": csrf, "key": "sc-khm", "kind": "project", "title_en": "Mine",
            "countries": "BRA"}  # fmt: skip
    page = web.post("/projects/new", params={"lang": "fr"}, data=form)
    assert page.status_code == 422
    assert "La clé de projet" in page.text and "est déjà prise" in page.text, page.text[-3000:]
