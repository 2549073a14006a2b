"""schemathesis against the OpenAPI document: requests generated from it, valid ones and
invalid ones, sent as an admin, never make the server fail (no 5xx).

Each operation is driven through hypothesis directly (schemathesis' own pytest plugin
does not load under this pytest), with a fixed seed so a failure repeats.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from greenfolio.interfaces.api.app import create_app
from greenfolio.services import demo, reference
from greenfolio.services.database import Database
from tests.test_api_support import add_user

pytestmark = pytest.mark.slow  # end to end; CI runs it, `-m "not slow"` skips it

EXAMPLES = {GenerationMode.POSITIVE: 10, GenerationMode.NEGATIVE: 6}
SLOW = {"GET /api/v1/reports/{definition}": 3, "POST /api/v1/users": 3}
"""Operations that build whole reports or hash passwords get fewer examples."""


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_generated_requests_never_get_a_server_error(db: Database, tmp_path: Path) -> None:
    demo.load(db)
    reference.sync(db)
    admin = add_user(db, "fuzzer", "admin@all")
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(db))
    failures: list[str] = []
    tried: dict[str, int] = {}
    for found in schema.get_all_operations():
        operation = found.ok()
        for mode, examples in EXAMPLES.items():
            _fuzz(
                operation,
                mode,
                min(examples, SLOW.get(operation.label, examples)),
                admin.auth,
                failures,
                tried,
            )
    assert not failures, "\n".join(failures[:20])
    assert len(tried) >= 25, sorted(tried)


def _fuzz(
    operation: Any,
    mode: GenerationMode,
    limit: int,
    auth: dict[str, str],
    failures: list[str],
    tried: dict[str, int],
) -> None:
    """Send up to ``limit`` generated requests; a mode with nothing to vary is skipped."""
    label = operation.label

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=limit,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case: Any) -> None:
        response = case.call(headers=auth)
        tried[label] = tried.get(label, 0) + 1
        if response.status_code >= 500:
            failures.append(
                f"{label} {case.path_parameters} {case.query} {case.body}: "
                f"{response.status_code} {response.text[:300]}"
            )

    try:
        run()
    except Unsatisfiable:
        if mode is GenerationMode.POSITIVE:
            raise  # an operation with no valid request would be a broken document


# --- a stateful run over the write routes, as users of different scopes -------------------

SCOPED = {
    "root": "admin@all",
    "bra": "editor@country:BRA",
    "mont": "editor@programme:montreal_protocol",
    "one": "editor@project:fz-1",
    "rev": "reviewer@country:ARG",
    "both": "editor@country:KHM",
    "look": "viewer@all",
}
PROJECTS = {
    "fz-1": ("pops", ["BRA"]),
    "fz-2": ("montreal_protocol", ["ARG"]),
    "fz-3": ("pops", ["KHM", "IDN"]),
}
COUNTRIES = [None, "BRA", "ARG", "KHM", "URY"]
WRITERS = {"editor", "reviewer", "admin"}


def _covers(scope: str, key: str, programmes: set[str], countries: set[str]) -> bool:
    """The scope rule, written out again here, independent of the code under test."""
    kind, _, value = scope.partition(":")
    if kind == "all":
        return True
    if kind == "programme":
        return value in programmes
    if kind == "country":
        return value in countries
    return key == value


def _snapshot(db: Database) -> dict[str, Any]:
    """Every project and result as stored, read straight from the tables."""
    from sqlalchemy import select

    from greenfolio.store.tables import ResultRow, WorkCountryRow, WorkRow, WorkTermRow

    with db.transaction() as session:
        works = {w.id: w for w in session.scalars(select(WorkRow))}
        countries: dict[int, set[str]] = {i: set() for i in works}
        for c in session.scalars(select(WorkCountryRow)):
            countries[c.work_id].add(c.country)
        programmes: dict[int, set[str]] = {i: set() for i in works}
        for t in session.scalars(select(WorkTermRow)):
            if t.term_key.startswith("programme:"):
                programmes[t.work_id].add(t.term_key.split(":", 1)[1])
        projects = {
            w.key: (w.version, dict(w.title), frozenset(countries[i]), frozenset(programmes[i]))
            for i, w in works.items()
        }
        results = {
            r.id: {
                "project": works[r.work_id].key,
                "value": r.value,
                "country": r.country,
                "state": r.review_state,
                "version": r.version,
                "authors": {r.entered_by, r.submitted_by, r.revised_by},
            }
            for r in session.scalars(select(ResultRow))
        }
    return {"projects": projects, "results": results}


def _facets(snap: dict[str, Any], key: str, country: str | None = None) -> tuple[set, set]:  # type: ignore[type-arg]
    _, _, countries, programmes = snap["projects"][key]
    return set(programmes), set(countries) | ({country} if country else set())


def _changes_allowed(user: str, before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Every record that changed must lie in a writing scope of ``user`` as it was and as
    it is; a verified result must not have been verified by one of its authors."""
    role, _, scope = SCOPED[user].partition("@")
    problems = []

    def inside(snap: dict[str, Any], key: str, country: str | None) -> bool:
        programmes, countries = _facets(snap, key, country)
        return role in WRITERS and _covers(scope, key, programmes, countries)

    for key, now in after["projects"].items():
        old = before["projects"].get(key)
        if old == now:
            continue
        if (old is not None and not inside(before, key, None)) or not inside(after, key, None):
            problems.append(f"{user} changed project {key} outside {scope}")
    for rid, now in after["results"].items():
        old = before["results"].get(rid)
        if old == now:
            continue
        was = inside(before, now["project"], old["country"] if old else None)
        if not was or not inside(after, now["project"], now["country"]):
            problems.append(f"{user} changed result {rid} outside {scope}")
        verified = now["state"] == "verified" and old and old["state"] != "verified"
        if verified and f"user:{user}" in old["authors"]:  # type: ignore[index]
            problems.append(f"{user} verified their own result {rid}")
    return problems


def test_stateful_writes_stay_in_scope_and_never_fail(db: Database) -> None:
    """A hypothesis state machine sends the API's writes (projects, results, review,
    method runs) as users of different scopes, with current or stale versions: no 5xx,
    a refused request changes nothing, and what changes lies in the caller's scope."""
    from hypothesis import strategies as st
    from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test

    from tests.test_api_support import client

    reference.sync(db)
    users = {"root": add_user(db, "root", SCOPED["root"])}
    api = client(db)
    root = users["root"].auth
    for key, (programme, countries) in PROJECTS.items():
        body = {
            "key": key,
            "kind": "project",
            "title": {"en": key},
            "countries": countries,
            "terms": [f"programme:{programme}"],
        }
        assert api.post("/api/v1/projects", json=body, headers=root).status_code == 201
    # a role on a project is given once the project is registered (accounts.check_scope)
    users |= {name: add_user(db, name, grant) for name, grant in SCOPED.items() if name != "root"}
    run = api.post(
        "/api/v1/method-runs",
        json={
            "method": "montreal.convert",
            "inputs": {"quantity": 1, "substance": "HCFC-22", "to": "co2e"},
        },
        headers=root,
    ).json()["run_id"]
    failures: list[str] = []
    names = st.sampled_from(sorted(SCOPED))
    keys = st.sampled_from(sorted(PROJECTS))
    countries = st.sampled_from(COUNTRIES)

    class Writes(RuleBasedStateMachine):
        def call(self, user: str, method: str, url: str, body: dict[str, Any]) -> None:
            before = _snapshot(db)
            response = api.request(method, url, json=body, headers=users[user].auth)
            after = _snapshot(db)
            label = f"{user} {method} {url} {body}"
            if response.status_code >= 500:
                failures.append(f"{label}: {response.status_code} {response.text[:200]}")
            elif response.status_code >= 400 and before != after:
                failures.append(f"{label}: refused ({response.status_code}) but changed data")
            failures.extend(f"{label}: {p}" for p in _changes_allowed(user, before, after))

        def _version(self, snap: dict[str, Any], kind: str, ident: Any, stale: bool) -> int:
            current = snap[kind][ident]["version"] if kind == "results" else snap[kind][ident][0]
            return int(current) - 1 if stale else int(current)

        def _any_result(self, pick: int) -> int | None:
            ids = sorted(_snapshot(db)["results"])
            return ids[pick % len(ids)] if ids else None

        @rule(user=names, key=keys, country=countries, value=st.floats(-5, 1e6))
        def enter_result(self, user: str, key: str, country: str | None, value: float) -> None:
            body = {"work": key, "indicator": "pops_destroyed", "value": value, "country": country}
            self.call(user, "POST", "/api/v1/results", body)

        @rule(user=names, key=keys, country=countries)
        def result_from_run(self, user: str, key: str, country: str | None) -> None:
            body = {"output": "value", "work": key, "indicator": "ghg_avoided", "country": country}
            self.call(user, "POST", f"/api/v1/method-runs/{run}/results", body)

        @rule(
            user=names,
            key=keys,
            new=st.lists(st.sampled_from(COUNTRIES[1:]), min_size=1, max_size=2),
            programme=st.sampled_from(["pops", "montreal_protocol"]),
            stale=st.booleans(),
        )
        def change_project(
            self, user: str, key: str, new: list[str], programme: str, stale: bool
        ) -> None:
            version = self._version(_snapshot(db), "projects", key, stale)
            body = {
                "key": key,
                "kind": "project",
                "title": {"en": f"{key} by {user}"},
                "countries": new,
                "terms": [f"programme:{programme}"],
                "version": version,
            }
            self.call(user, "PUT", f"/api/v1/projects/{key}", body)

        @rule(
            user=names,
            key=st.sampled_from(["fz-new", "fz-new/2", "../x", "new"]),
            country=countries,
        )
        def register_project(self, user: str, key: str, country: str | None) -> None:
            body = {
                "key": key,
                "kind": "project",
                "title": {"en": key},
                "countries": [country] if country else [],
                "terms": ["programme:pops"],
            }
            self.call(user, "POST", "/api/v1/projects", body)

        @rule(
            user=names,
            pick=st.integers(0, 50),
            country=countries,
            value=st.floats(0, 100),
            stale=st.booleans(),
        )
        def revise(
            self, user: str, pick: int, country: str | None, value: float, stale: bool
        ) -> None:
            rid = self._any_result(pick)
            if rid is None:
                return
            version = self._version(_snapshot(db), "results", rid, stale)
            body = {"value": value, "country": country, "version": version}
            self.call(user, "PATCH", f"/api/v1/results/{rid}", body)

        @rule(
            user=names,
            pick=st.integers(0, 50),
            action=st.sampled_from(["submit", "return", "verify"]),
            stale=st.booleans(),
        )
        def review(self, user: str, pick: int, action: str, stale: bool) -> None:
            rid = self._any_result(pick)
            if rid is None:
                return
            version = self._version(_snapshot(db), "results", rid, stale)
            body = {"action": action, "note": "checked", "version": version}
            self.call(user, "POST", f"/api/v1/results/{rid}/review", body)

    run_state_machine_as_test(
        Writes,
        settings=settings(
            max_examples=6,
            stateful_step_count=25,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
    assert not failures, "\n".join(failures[:20])
    states = {r["state"] for r in _snapshot(db)["results"].values()}
    assert len(_snapshot(db)["results"]) > 0 and states, states
