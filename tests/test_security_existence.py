"""A record the asker may not read answers exactly as a missing one (same status, same
message with the key or id it was asked by), through the API and the pages, so that
nobody outside a project's scope learns that its key or a result's id exists; a record
they may read but not change keeps its 403 refusal. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from greenfolio.domain.permissions import Grant, Principal, Role, Scope
from greenfolio.services import entry, portfolio
from greenfolio.services.database import Database
from greenfolio.services.evidence_store import ENV_DIR
from greenfolio.services.portfolio import WorkSpec
from greenfolio.services.results import ResultSpec
from tests.test_api_support import add_user, browser, client

ROOT = Principal("root", (Grant(Role.ADMIN, Scope.parse("all")),), 1)
HIDDEN, MADE_UP = "hidden-khm-1", "hidden-khm-2"  # near no readable key: no hint
NO_RESULT = 2_000_000_000


def _spec(key: str, country: str) -> WorkSpec:
    return WorkSpec(key=key, kind="project", title={"en": f"Project {key}"}, countries=[country])


@pytest.fixture
def world(db: Database) -> dict[str, Any]:
    portfolio.register_work(db, _spec(HIDDEN, "KHM"))
    portfolio.register_work(db, _spec("ex-bra", "BRA"))
    portfolio.register_work(db, _spec("ex-reg", "IDN"))
    hidden = entry.create_result(
        db, ROOT, ResultSpec(work=HIDDEN, indicator="pops_destroyed", value=1, country="KHM")
    )
    entry.review_result(db, ROOT, hidden["id"], "submit", None, 1)
    # a Brazilian figure on a regional project: readable to the Brazil editor, not theirs
    shown = entry.create_result(
        db, ROOT, ResultSpec(work="ex-reg", indicator="pops_destroyed", value=2, country="BRA")
    )
    entry.review_result(db, ROOT, shown["id"], "submit", None, 1)
    editor = add_user(db, "exbra", "editor@country:BRA", "reviewer@country:BRA")
    return {"db": db, "editor": editor, "hidden": hidden["id"], "shown": shown["id"]}


def _said(response: Response, *names: object) -> tuple[int, str]:
    """The status and the refusal with the asked key or id blanked out."""
    text = response.text
    if response.headers.get("content-type", "").startswith("application/json"):
        text = str(response.json())
    else:
        text = text.split("<main", 1)[-1].split("</main>", 1)[0]
        text = re.sub(r'name="csrf" value="[^"]*"', "", text)
    for name in names:
        text = text.replace(str(name), "<asked>")
    return response.status_code, text


def _same(hidden: Response, missing: Response, *names: object) -> int:
    assert _said(hidden, *names) == _said(missing, *names), (hidden.text, missing.text)
    return hidden.status_code


def _api_calls(api: TestClient, auth: dict[str, str], key: str, rid: int) -> list[Response]:
    result = f"/api/v1/results/{rid}"
    body = {"work": key, "indicator": "pops_destroyed", "value": 3, "country": "BRA"}
    put = _spec(key, "BRA").model_dump(mode="json") | {"version": 1}
    bulk = {"ids": [rid], "action": "verify"}
    return [
        api.get(f"/api/v1/projects/{key}", headers=auth),
        api.put(f"/api/v1/projects/{key}", json=put, headers=auth),
        api.post("/api/v1/results", json=body, headers=auth),
        api.get(result, headers=auth),
        api.patch(result, json={"value": 5, "version": 2}, headers=auth),
        api.post(f"{result}/review", json={"action": "verify", "version": 2}, headers=auth),
        api.post("/api/v1/results/review", json=bulk, headers=auth),
        api.get(f"{result}/evidence", headers=auth),
        api.get(f"{result}/evidence/1", headers=auth),
        api.post(f"{result}/evidence/1/withdraw", json={}, headers=auth),
    ]


def test_an_unreadable_record_answers_as_a_missing_one_in_the_api(
    world: dict[str, Any],
) -> None:
    api, auth = client(world["db"]), world["editor"].auth
    hidden = _api_calls(api, auth, HIDDEN, world["hidden"])
    missing = _api_calls(api, auth, MADE_UP, NO_RESULT)
    statuses = [
        _same(h, m, HIDDEN, MADE_UP, world["hidden"], NO_RESULT)
        for h, m in zip(hidden, missing, strict=True)
    ]
    assert statuses[:6] == [404] * 6, [r.text for r in hidden]
    assert hidden[6].json()["refused"][0]["status"] == 404  # the bulk review's refusal
    # the record is where it was, as it was
    detail = client(world["db"]).get(
        f"/api/v1/results/{world['hidden']}", headers=add_user(world["db"], "r", "viewer").auth
    )
    assert (detail.json()["value"], detail.json()["review_state"]) == (1, "submitted")


def test_the_signed_out_learn_nothing_from_a_change_they_try(
    world: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone not signed in is asked to sign in before any record is looked up: the
    same answer whether the project key or result id they try exists or not (reads of a
    server that is not public are refused the same way)."""
    monkeypatch.setenv(ENV_DIR, str(tmp_path / "evidence"))  # required on PostgreSQL
    api = client(world["db"])
    hidden = _api_calls(api, {}, HIDDEN, world["hidden"])
    missing = _api_calls(api, {}, MADE_UP, NO_RESULT)
    statuses = [
        _same(h, m, HIDDEN, MADE_UP, world["hidden"], NO_RESULT)
        for h, m in zip(hidden, missing, strict=True)
    ]
    assert set(statuses) == {401}, statuses


def test_an_unreadable_record_answers_as_a_missing_one_in_the_pages(
    world: dict[str, Any],
) -> None:
    web, csrf = browser(world["db"], world["editor"])
    names = (HIDDEN, MADE_UP, world["hidden"], NO_RESULT)

    def calls(key: str, rid: int) -> list[Response]:
        form = {"csrf": csrf, "indicator": "pops_destroyed", "value": "3", "country": "BRA"}
        return [
            web.get(f"/projects/{key}"),
            web.get(f"/projects/{key}/edit"),
            web.get(f"/projects/{key}/results/new"),
            web.post(f"/projects/{key}/results", data=form),
            web.get(f"/results/{rid}"),
            web.post(f"/results/{rid}/edit", data={"csrf": csrf, "value": "5", "version": "2"}),
            web.post(
                f"/results/{rid}/review", data={"csrf": csrf, "action": "verify", "version": "2"}
            ),
        ]

    statuses = [
        _same(h, m, *names)
        for h, m in zip(calls(HIDDEN, world["hidden"]), calls(MADE_UP, NO_RESULT), strict=True)
    ]
    assert statuses == [404] * len(statuses)


def test_a_readable_record_one_may_not_change_is_still_refused_as_forbidden(
    world: dict[str, Any],
) -> None:
    api, auth = client(world["db"]), world["editor"].auth
    assert api.get("/api/v1/projects/ex-reg", headers=auth).status_code == 200
    put = _spec("ex-reg", "BRA").model_dump(mode="json") | {"version": 1}
    refused = api.put("/api/v1/projects/ex-reg", json=put, headers=auth)
    assert refused.status_code == 403, refused.text
    body = {"work": "ex-reg", "indicator": "pops_destroyed", "value": 3, "country": "BRA"}
    assert api.post("/api/v1/results", json=body, headers=auth).status_code == 403
    rid = world["shown"]
    assert api.get(f"/api/v1/results/{rid}", headers=auth).status_code == 200
    web, _ = browser(world["db"], world["editor"])
    assert web.get("/projects/ex-reg").status_code == 200
    assert web.get("/projects/ex-reg/edit").status_code == 403
    assert web.get("/projects/ex-reg/results/new").status_code == 403
