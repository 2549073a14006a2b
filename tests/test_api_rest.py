"""The REST API on SQLite and PostgreSQL: listing, filtering, sorting, pages, records
with versions (ETag), writes with optimistic locking, the error shape, tokens."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from greenfolio.domain.permissions import Action, Role
from greenfolio.services import audit, figures, reporting
from greenfolio.services.database import Database
from greenfolio.services.report_definition import load_definition
from tests.test_api_support import User, add_project, add_user, client


@pytest.fixture
def api(demo_db: Database) -> tuple[TestClient, User, Database]:
    admin = add_user(demo_db, "root", "admin@all")
    return client(demo_db), admin, demo_db


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()["error"]
    assert body["status"] == status and body["code"] == code and body["message"]
    return dict(body)


def test_projects_filter_sort_and_page(api: tuple[TestClient, User, Database]) -> None:
    web, admin, _ = api
    everything = web.get("/api/v1/projects", params={"per_page": 200}, headers=admin.auth).json()
    assert everything["total"] == len(everything["items"]) > 20
    keys = [p["key"] for p in everything["items"]]
    assert keys == sorted(keys)
    backwards = web.get("/api/v1/projects?sort=-key&per_page=5", headers=admin.auth).json()
    assert [p["key"] for p in backwards["items"]] == sorted(keys, reverse=True)[:5]
    second = web.get("/api/v1/projects?per_page=5&page=2", headers=admin.auth).json()
    assert [p["key"] for p in second["items"]] == keys[5:10]
    assert second["pages"] == -(-everything["total"] // 5)
    pops = web.get("/api/v1/projects?programme=pops", headers=admin.auth).json()
    assert pops["items"] and all("programme:pops" in p["terms"] for p in pops["items"])
    brazil = web.get("/api/v1/projects?country=bra", headers=admin.auth).json()["items"]
    assert brazil and all("BRA" in p["countries"] for p in brazil if p["countries"])
    first = everything["items"][0]
    found = web.get("/api/v1/projects", params={"q": first["key"][:12]}, headers=admin.auth)
    assert first["key"] in [p["key"] for p in found.json()["items"]]
    chinese = web.get("/api/v1/projects", params={"q": "项目"}, headers=admin.auth).json()
    assert chinese["total"] >= 1
    none = web.get("/api/v1/projects?year=1995", headers=admin.auth).json()
    assert none["total"] == 0 and none["items"] == []


def test_project_record_has_version_results_and_history(
    api: tuple[TestClient, User, Database],
) -> None:
    web, admin, _ = api
    key = web.get("/api/v1/projects?programme=pops", headers=admin.auth).json()["items"][0]["key"]
    response = web.get(f"/api/v1/projects/{key}", headers=admin.auth)
    assert response.status_code == 200
    project = response.json()
    assert response.headers["etag"] == f'"{project["version"]}"'
    assert any(t["key"] == "programme:pops" for t in project["terms"])
    assert project["results"] and project["results"][0]["review_state"] == "verified"
    assert project["history"][0]["action"] == "create"
    assert set(project["actions"]) == {a.value for a in Action}
    _error(web.get("/api/v1/projects/no-such-thing", headers=admin.auth), 404, "not_found")


def test_reference_lists(api: tuple[TestClient, User, Database]) -> None:
    web, admin, _ = api
    orgs = web.get("/api/v1/organisations", headers=admin.auth).json()
    assert any(o["key"] == "unido" for o in orgs)
    countries = web.get("/api/v1/countries?lang=fr", headers=admin.auth).json()
    by_code = {c["code"]: c for c in countries}
    assert by_code["CHN"]["name"] == "Chine" and by_code["CHN"]["projects"] >= 1
    indicators = web.get("/api/v1/indicators", headers=admin.auth).json()
    assert {"code", "unit", "aggregation"} <= set(indicators[0])
    one = web.get("/api/v1/indicators/pops_destroyed", headers=admin.auth).json()
    assert one["unit"] == "t"


def test_result_entry_review_and_figures(api: tuple[TestClient, User, Database]) -> None:
    web, admin, db = api
    add_project(db, "api-pops", "pops", "BRA")
    before = _figure(db, "pops_destroyed")
    made = web.post(
        "/api/v1/results",
        json={
            "work": "api-pops",
            "indicator": "pops_destroyed",
            "value": 1500,
            "unit": "kg",
            "period_start": "2020-07-01",
            "period_end": "2021-06-30",
            "country": "BRA",
        },
        headers=admin.auth,
    )
    assert made.status_code == 201, made.text
    result = made.json()
    assert result["review_state"] == "draft" and result["version"] == 1
    rid = result["id"]
    submitted = web.post(
        f"/api/v1/results/{rid}/review",
        json={"action": "submit"},
        headers={**admin.auth, "If-Match": '"1"'},
    )
    assert submitted.status_code == 200 and submitted.json()["review_state"] == "submitted"
    assert submitted.headers["etag"] == '"2"'
    refused = web.post(
        f"/api/v1/results/{rid}/review", json={"action": "return", "version": 2}, headers=admin.auth
    )
    assert "reason" in _error(refused, 422, "invalid")["message"]
    own = web.post(
        f"/api/v1/results/{rid}/review", json={"action": "verify", "version": 2}, headers=admin.auth
    )
    assert "someone else must verify it" in _error(own, 403, "forbidden")["message"]
    checker = add_user(db, "checker", "reviewer@all")
    verified = web.post(
        f"/api/v1/results/{rid}/review",
        json={"action": "verify", "version": 2},
        headers=checker.auth,
    )
    assert verified.json()["review_state"] == "verified"
    assert _figure(db, "pops_destroyed") == pytest.approx(before + 1.5)
    detail = web.get(f"/api/v1/results/{rid}", headers=admin.auth).json()
    assert [e["to"] for e in detail["review_events"]] == ["submitted", "verified"]
    assert detail["history"][-1]["actor"] == "user:checker"
    listed = web.get(
        "/api/v1/results", params={"project": "api-pops", "state": "verified"}, headers=admin.auth
    ).json()
    assert [r["id"] for r in listed["items"]] == [rid]


def _figure(db: Database, indicator: str) -> float:
    """The indicator's 2021 figure, straight from the report's figure query."""
    spec = figures.FigureSpec(
        "t",
        "indicator",
        {"indicator": indicator},
        figures.Window(date(2021, 1, 1), date(2021, 12, 31)),
    )
    with db.transaction() as session:
        return figures.indicator_figure(session, spec).value


def test_stale_version_gets_409_and_loses_nothing(api: tuple[TestClient, User, Database]) -> None:
    web, admin, db = api
    add_project(db, "api-lock", "pops", "BRA")
    rid = web.post(
        "/api/v1/results",
        json={"work": "api-lock", "indicator": "pops_destroyed", "value": 10},
        headers=admin.auth,
    ).json()["id"]
    first = web.patch(
        f"/api/v1/results/{rid}", json={"value": 11}, headers={**admin.auth, "If-Match": '"1"'}
    )
    assert first.status_code == 200 and first.json()["version"] == 2
    second = web.patch(
        f"/api/v1/results/{rid}", json={"value": 99}, headers={**admin.auth, "If-Match": '"1"'}
    )
    assert _error(second, 409, "conflict")["details"] == [{"current_version": 2}]
    kept = web.get(f"/api/v1/results/{rid}", headers=admin.auth).json()
    assert (kept["value"], kept["version"]) == (11, 2)
    assert [r["data"]["value"] for r in kept["revisions"]] == [10]
    _error(
        web.patch(f"/api/v1/results/{rid}", json={"value": 5}, headers=admin.auth),
        428,
        "version_required",
    )
    stale_review = web.post(
        f"/api/v1/results/{rid}/review", json={"action": "submit", "version": 1}, headers=admin.auth
    )
    _error(stale_review, 409, "conflict")
    project = web.get("/api/v1/projects/api-lock", headers=admin.auth).json()
    body = {"key": "api-lock", "kind": "project", "title": {"en": "Renamed"}, "version": 1}
    assert web.put("/api/v1/projects/api-lock", json=body, headers=admin.auth).status_code == 200
    stale = web.put("/api/v1/projects/api-lock", json=body, headers=admin.auth)
    _error(stale, 409, "conflict")
    after = web.get("/api/v1/projects/api-lock", headers=admin.auth).json()
    assert after["title"] == {"en": "Renamed"} and after["version"] == project["version"] + 1
    with db.transaction() as session:
        assert sum(e["action"] == "update" for e in audit.history(session, "result", str(rid))) == 1


def test_errors_have_one_shape(api: tuple[TestClient, User, Database]) -> None:
    web, admin, _ = api
    _error(web.get("/api/v1/projects"), 401, "unauthenticated")
    _error(
        web.get("/api/v1/projects", headers={"Authorization": "Bearer nope"}),
        401,
        "unauthenticated",
    )
    bad = web.get("/api/v1/projects?per_page=0", headers=admin.auth)
    assert _error(bad, 422, "invalid")["details"][0]["loc"] == ["query", "per_page"]
    wrong = web.post(
        "/api/v1/results",
        json={
            "work": "idb49-pops-programme",
            "indicator": "pops_destroyed",
            "value": 1,
            "unit": "ODP_tonne",
        },
        headers=admin.auth,
    )
    assert "cannot be converted" in _error(wrong, 422, "invalid")["message"]
    _error(web.get("/api/v1/results/999999", headers=admin.auth), 404, "not_found")
    _error(web.get("/api/v1/nowhere", headers=admin.auth), 404, "not_found")


def test_tokens_and_accounts_through_the_api(api: tuple[TestClient, User, Database]) -> None:
    web, admin, db = api
    made = web.post(
        "/api/v1/users",
        json={
            "username": "fp-bra",
            "password": "x" * 12,
            "roles": [{"role": "editor", "scope": "country:BRA"}],
        },
        headers=admin.auth,
    )
    assert made.status_code == 201, made.text
    assert made.json()["roles"] == [{"role": Role.EDITOR.value, "scope": "country:BRA"}]
    editor = add_user(db, "ed", "editor@all")
    token = web.post("/api/v1/tokens", json={"name": "ci"}, headers=editor.auth).json()
    assert token["token"].startswith("gf_")
    me = web.get("/api/v1/me", headers={"Authorization": f"Bearer {token['token']}"}).json()
    assert me["name"] == "ed" and me["via"] == "token"
    assert web.delete(f"/api/v1/tokens/{token['id']}", headers=editor.auth).status_code == 204
    gone = web.get("/api/v1/me", headers={"Authorization": f"Bearer {token['token']}"})
    _error(gone, 401, "unauthenticated")
    _error(web.get("/api/v1/users", headers=editor.auth), 403, "forbidden")


def test_public_mode_shows_only_verified_data(demo_db: Database) -> None:
    admin = add_user(demo_db, "root", "admin@all")
    add_project(demo_db, "api-public", "pops", "BRA")
    web = client(demo_db, public=True)
    rid = web.post(
        "/api/v1/results",
        json={"work": "api-public", "indicator": "pops_destroyed", "value": 3},
        headers=admin.auth,
    ).json()["id"]
    project = web.get("/api/v1/projects/api-public")
    assert project.status_code == 200 and project.json()["results"] == []
    _error(web.get(f"/api/v1/results/{rid}"), 404, "not_found")
    states = {r["review_state"] for r in web.get("/api/v1/results?per_page=200").json()["items"]}
    assert states == {"verified"}
    denied = web.post(
        "/api/v1/results", json={"work": "api-public", "indicator": "pops_destroyed", "value": 1}
    )
    _error(denied, 401, "unauthenticated")
    assert web.get("/api/v1/dashboard").json()["verified_results"] > 0


def test_openapi_document_lists_every_resource(api: tuple[TestClient, User, Database]) -> None:
    web, _, _ = api
    paths = web.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/projects",
        "/api/v1/organisations",
        "/api/v1/countries",
        "/api/v1/indicators",
        "/api/v1/results",
        "/api/v1/method-runs",
        "/api/v1/figures",
        "/api/v1/reports/{definition}",
        "/api/v1/audit",
    ):
        assert path in paths


def test_figures_and_report_download(api: tuple[TestClient, User, Database]) -> None:
    web, admin, db = api
    listed = web.get("/api/v1/figures?year=2021", headers=admin.auth).json()["figures"]
    direct = reporting.compute_figures(db, load_definition("board"), 2021)
    assert {f["id"]: f["value"] for f in listed} == {k: f.value for k, f in direct.items()}
    report = web.get("/api/v1/reports/board?year=2021&lang=zh&format=html", headers=admin.auth)
    assert report.status_code == 200
    assert "attachment" in report.headers["content-disposition"]
    assert "工发组织" in report.text or "工业发展理事会" in report.text
    viewer = add_user(db, "v", "viewer@all")
    _error(web.get("/api/v1/reports/board?year=2021", headers=viewer.auth), 403, "forbidden")
    assert any(f["result_ids"] for f in listed)  # who may build the report sees the records
    # who may not sees the figures without the records behind them (a hostile review:
    # result ids a Philippines viewer could not open were listed for every figure)
    phl = add_user(db, "vphl", "viewer@country:PHL")
    seen = web.get("/api/v1/figures?year=2021", headers=phl.auth).json()["figures"]
    assert [f["value"] for f in seen] == [f["value"] for f in listed]
    assert not any(k in f for f in seen for k in ("result_ids", "method_runs", "evidence"))


def test_method_runs_through_the_api(api: tuple[TestClient, User, Database]) -> None:
    web, admin, db = api
    methods = web.get("/api/v1/methods", headers=admin.auth).json()
    assert methods
    add_project(db, "api-run", "pops", "BRA")
    _error(web.get("/api/v1/method-runs/424242", headers=admin.auth), 404, "not_found")
    listing = web.get("/api/v1/method-runs", headers=admin.auth).json()
    assert listing["total"] == len(listing["items"])


def test_a_project_sent_back_as_read_keeps_its_typed_dates_and_partners(
    api: tuple[TestClient, User, Database],
) -> None:
    """A hostile review: sending back what the API reads, with only the title changed,
    wiped the project's typed dates ("2021-03" and its citation: the export then wrote a
    made-up day) and, without ``organisations``, its partners. Left-out fields are kept;
    partners read back as the read gives them; a changed start replaces the typed dates."""
    from greenfolio.services.portfolio import stored_spec
    from greenfolio.store.tables import WorkRow

    web, admin, db = api
    key = "idb49-eip-ukraine-strategy"

    def stored() -> dict[str, Any]:
        with db.transaction() as session:
            row = session.query(WorkRow).filter_by(key=key).one()
            return {**stored_spec(session, row), "start": row.start_date, "end": row.end_date}

    before = stored()
    assert any(d["when"] == "2021-03" for d in before["dates"]) and before["organisations"]
    read = web.get(f"/api/v1/projects/{key}", headers=admin.auth).json()
    fields = ("key", "kind", "description", "status", "start", "end", "citation", "countries")
    body = {k: read[k] for k in fields} | {"title": {**read["title"], "en": "Renamed"}}
    body |= {"terms": [t["key"] for t in read["terms"]], "version": read["version"]}
    sent = web.put(f"/api/v1/projects/{key}", json=body, headers=admin.auth)
    assert sent.status_code == 200, sent.text
    after = stored()
    assert after["title"]["en"] == "Renamed"
    assert {k: v for k, v in after.items() if k != "title"} == {
        k: v for k, v in before.items() if k != "title"
    }
    # partners as the read gives them ({key, names, iati_ref, role}) are the same partners
    body = {"key": key, "kind": read["kind"], "title": after["title"]}
    body |= {"organisations": read["organisations"], "version": sent.json()["version"]}
    again = web.put(f"/api/v1/projects/{key}", json=body, headers=admin.auth)
    assert again.status_code == 200, again.text
    assert stored()["organisations"] == before["organisations"]
    # a start that changes is a change of the dates: plain start and end from then on
    body = {"key": key, "kind": read["kind"], "title": after["title"], "start": "2020-01-01"}
    moved = web.put(
        f"/api/v1/projects/{key}", json=body | {"version": again.json()["version"]},
        headers=admin.auth,
    )  # fmt: skip
    assert moved.status_code == 200, moved.text
    now = stored()
    assert (now["start"], now["end"]) == (date(2020, 1, 1), before["end"])
    assert now["organisations"] == before["organisations"]


def test_the_read_gives_the_typed_dates_and_sectors_and_takes_them_back(
    api: tuple[TestClient, User, Database],
) -> None:
    """The API's read left out the activity dates and sectors the service had (a client
    could not see what the IATI export would write). Now both are read, and the whole
    read sent back (dates with their read-only day) changes nothing."""
    from greenfolio.services.portfolio import stored_spec
    from greenfolio.store.tables import WorkRow

    web, admin, db = api
    key = "idb49-eip-ukraine-strategy"

    def stored() -> dict[str, Any]:
        with db.transaction() as session:
            return stored_spec(session, session.query(WorkRow).filter_by(key=key).one())

    before = stored()
    read = web.get(f"/api/v1/projects/{key}", headers=admin.auth).json()
    stated = {d["type"]: d for d in read["dates"]}
    assert any(d["when"] == "2021-03" and d["day"].startswith("2021-03") for d in read["dates"])
    assert all(d["citation"] for d in stated.values()), stated
    assert read["sectors"] == sorted(before["sectors"] or [])
    fields = ("key", "kind", "title", "description", "status", "start", "end", "citation")
    body = {k: read[k] for k in fields} | {"dates": read["dates"], "sectors": read["sectors"]}
    body |= {"countries": read["countries"], "terms": [t["key"] for t in read["terms"]]}
    body |= {"organisations": read["organisations"], "version": read["version"]}
    sent = web.put(f"/api/v1/projects/{key}", json=body, headers=admin.auth)
    assert sent.status_code == 200, sent.text
    assert stored() == before


def test_a_scoped_editor_changes_a_title_by_sending_only_the_title(
    api: tuple[TestClient, User, Database],
) -> None:
    """A hostile review: an editor of Brazil sending key, kind and a new title was refused
    ("may not edit a project outside their roles"): the roles were checked against the
    body as sent, as if it removed Brazil and the programme, before what it leaves out
    was taken as stored. Now checked against the project as it will be; a body that
    does remove Brazil is still refused, and nothing changes."""
    from greenfolio.services.portfolio import stored_spec
    from greenfolio.store.tables import WorkRow

    web, _, db = api
    editor = add_user(db, "edbra", "editor@country:BRA")
    key = "idb49-biogas-brazil"
    read = web.get(f"/api/v1/projects/{key}", headers=editor.auth).json()
    assert "edit" in read["actions"]
    body = {"key": key, "kind": read["kind"], "title": {**read["title"], "en": "Biogas, Brazil"}}
    sent = web.put(
        f"/api/v1/projects/{key}", json=body | {"version": read["version"]}, headers=editor.auth
    )
    assert sent.status_code == 200, sent.text
    with db.transaction() as session:
        row = session.query(WorkRow).filter_by(key=key).one()
        after = stored_spec(session, row)
    assert after["title"]["en"] == "Biogas, Brazil" and after["countries"] == read["countries"]
    assert sorted(after["terms"]) == sorted(t["key"] for t in read["terms"])
    gone = web.put(
        f"/api/v1/projects/{key}",
        json=body | {"countries": [], "version": sent.json()["version"]},
        headers=editor.auth,
    )
    assert gone.status_code == 403, gone.text
    with db.transaction() as session:
        row = session.query(WorkRow).filter_by(key=key).one()
        assert stored_spec(session, row) == after


def test_an_end_sent_alone_as_read_keeps_the_typed_dates(
    api: tuple[TestClient, User, Database],
) -> None:
    """A second review: the end alone, as the read gives it, erased the typed dates (the
    start, not sent, was compared as missing); two versions given at once; an empty title
    in one language beside another."""
    from greenfolio.services.portfolio import stored_spec
    from greenfolio.store.tables import WorkRow

    web, admin, db = api
    key = "idb49-eip-ukraine-strategy"

    def dates() -> list[dict[str, Any]]:
        with db.transaction() as session:
            row = session.query(WorkRow).filter_by(key=key).one()
            return list(stored_spec(session, row)["dates"])

    before = dates()
    read = web.get(f"/api/v1/projects/{key}", headers=admin.auth).json()
    body = {"key": key, "kind": read["kind"], "title": read["title"], "end": read["end"]}
    twice = web.put(
        f"/api/v1/projects/{key}", json=body | {"version": read["version"] - 1},
        headers={**admin.auth, "If-Match": f'"{read["version"]}"'},
    )  # fmt: skip
    assert _error(twice, 422, "invalid")
    sent = web.put(
        f"/api/v1/projects/{key}", json=body | {"version": read["version"]}, headers=admin.auth
    )
    assert sent.status_code == 200, sent.text
    assert dates() == before
    blank = {"key": key, "kind": read["kind"], "title": {**read["title"], "fr": "  "}}
    done = web.put(
        f"/api/v1/projects/{key}", json=blank | {"version": sent.json()["version"]},
        headers=admin.auth,
    )  # fmt: skip
    assert done.status_code == 200, done.text
    got = web.get(f"/api/v1/projects/{key}", headers=admin.auth).json()["title"]
    assert "fr" not in got and got == {k: v for k, v in read["title"].items() if k != "fr"}


@pytest.mark.parametrize("lang_key", ["<i>x</i>", "", "english", "xx"])
def test_a_title_keyed_by_no_language_is_refused(
    api: tuple[TestClient, User, Database], lang_key: str
) -> None:
    """A hostile review: a title keyed "<i>x</i>" or "" was stored and the IATI export then
    wrote it as an xml:lang its own schema refuses."""
    web, admin, _ = api
    body = {"key": "odd-keys", "kind": "project", "title": {lang_key: "odd", "en": "Odd"}}
    refused = web.post("/api/v1/projects", json=body, headers=admin.auth)
    assert _error(refused, 422, "invalid")
    assert web.get("/api/v1/projects/odd-keys", headers=admin.auth).status_code == 404
    body["title"] = {"nl": "Vreemd", "pt-br": "Estranho"}  # languages beyond the six: kept
    assert web.post("/api/v1/projects", json=body, headers=admin.auth).status_code == 201
