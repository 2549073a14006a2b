"""Who may do what: the rule itself, and a matrix of every role on every kind of scope
against one project, asked through the API and through the pages, which must agree."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from greenfolio.domain.errors import ValidationError
from greenfolio.domain.permissions import (
    SYSTEM,
    Action,
    Grant,
    NotAuthenticated,
    PermissionDenied,
    Principal,
    Role,
    Scope,
    Target,
    allowed,
    require,
)
from greenfolio.services import entry, explorer, portfolio, results
from greenfolio.services.database import Database
from greenfolio.services.portfolio import WorkSpec
from tests.test_api_support import User, add_project, add_user, browser, client

PROJECT = Target("p-1", frozenset({"pops"}), frozenset({"BRA", "CHN"}))


def _who(*grants: str, public: bool = False) -> Principal:
    parsed = tuple(Grant(Role(g.split("@")[0]), Scope.parse(g.split("@")[1])) for g in grants)
    return Principal("someone", parsed, 1 if grants else None, public=public)


def test_scopes_match_their_facet_only() -> None:
    assert allowed(_who("viewer@programme:pops"), Action.READ, PROJECT)
    assert allowed(_who("viewer@country:chn"), Action.READ, PROJECT)
    assert allowed(_who("viewer@project:p-1"), Action.READ, PROJECT)
    assert not allowed(_who("viewer@project:p-2"), Action.READ, PROJECT)
    assert not allowed(_who("viewer@programme:montreal"), Action.READ, PROJECT)
    assert not allowed(_who("admin@country:BRA"), Action.ADMIN, SYSTEM)
    assert allowed(_who("admin@all"), Action.ADMIN, SYSTEM)


def test_editors_do_not_verify_and_reviewers_do_not_edit() -> None:
    editor, reviewer = _who("editor@all"), _who("reviewer@all")
    assert allowed(editor, Action.SUBMIT, PROJECT) and not allowed(editor, Action.REVIEW, PROJECT)
    assert allowed(reviewer, Action.REVIEW, PROJECT) and not allowed(reviewer, Action.EDIT, PROJECT)


def test_the_public_reads_and_nothing_else() -> None:
    public = _who(public=True)
    assert allowed(public, Action.READ, PROJECT)
    assert public.visibility().verified_only
    with pytest.raises(NotAuthenticated):
        require(public, Action.EDIT, PROJECT)
    with pytest.raises(NotAuthenticated):
        require(_who(), Action.READ, PROJECT)
    with pytest.raises(PermissionDenied, match="may not edit"):
        require(_who("viewer@all"), Action.EDIT, PROJECT)


def test_scope_syntax_is_checked() -> None:
    assert str(Scope.parse("country:bra")) == "country:BRA"
    for bad in ("planet:mars", "country", "all:x"):
        with pytest.raises(ValidationError):
            Scope.parse(bad)


# --- the matrix -------------------------------------------------------------------------

ROLE_CAN = {
    "viewer": {"read"},
    "editor": {"read", "edit", "submit"},
    "reviewer": {"read", "review", "report"},
    "admin": {"read", "edit", "submit", "review", "report", "admin"},
}
"""Written out by hand, not taken from the code under test."""
SCOPES = {
    "all": True,
    "programme:pops": True,
    "country:BRA": True,
    "project:mx-p": True,
    "country:ARG": False,
}
"""Whether each scope covers project mx-p (programme pops, country BRA)."""
SYSTEM_ACTIONS = {"report", "admin"}
ACTIONS = ("read", "edit", "submit", "review", "report", "admin")


def expected(role: str, scope: str, action: str) -> bool:
    if action not in ROLE_CAN[role]:
        return False
    if action in SYSTEM_ACTIONS:
        return scope == "all"
    return SCOPES[scope]


class Matrix:
    """Fixtures for one action at a time: fresh records, so every check starts equal."""

    def __init__(self, db: Database, admin: User) -> None:
        self.db = db
        self.admin = Principal("root", (Grant(Role.ADMIN, Scope.parse("all")),), admin.user_id)

    def result(self, state: str) -> dict[str, Any]:
        spec = results.ResultSpec(work="mx-p", indicator="pops_destroyed", value=2)
        made = entry.create_result(self.db, self.admin, spec)
        if state == "submitted":
            made = entry.review_result(self.db, self.admin, made["id"], "submit", None, 1)
        return made


def _status_ok(status: int) -> bool:
    return status in (200, 201, 303)


def _api_call(web: TestClient, user: User, m: Matrix, action: str) -> int:
    h = user.auth
    if action == "read":
        return web.get("/api/v1/projects/mx-p", headers=h).status_code
    if action == "edit":
        body = {"work": "mx-p", "indicator": "pops_destroyed", "value": 1}
        return web.post("/api/v1/results", json=body, headers=h).status_code
    if action in ("submit", "review"):
        r = m.result("draft" if action == "submit" else "submitted")
        verb = "submit" if action == "submit" else "verify"
        body = {"action": verb, "version": r["version"]}
        return web.post(f"/api/v1/results/{r['id']}/review", json=body, headers=h).status_code
    if action == "report":
        return web.get("/api/v1/reports/board?year=2021&format=html", headers=h).status_code
    return web.get("/api/v1/users", headers=h).status_code


def _page_call(web: TestClient, csrf: str, m: Matrix, action: str) -> int:
    if action == "read":
        return web.get("/projects/mx-p").status_code
    if action == "edit":
        form = {"csrf": csrf, "indicator": "pops_destroyed", "value": "1"}
        return web.post("/projects/mx-p/results", data=form).status_code
    if action in ("submit", "review"):
        r = m.result("draft" if action == "submit" else "submitted")
        verb = "submit" if action == "submit" else "verify"
        form = {"csrf": csrf, "action": verb, "version": str(r["version"])}
        return web.post(f"/results/{r['id']}/review", data=form).status_code
    if action == "report":
        return web.get("/reports").status_code
    return web.get("/admin/users").status_code


RECORD_ACTIONS = frozenset({"read", "edit", "submit", "review"})
"""The actions of the matrix done to a record (the project mx-p or one of its results)."""


@pytest.mark.slow  # about 20 s
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_permission_matrix_api_and_pages_agree(demo_db: Database) -> None:
    db = demo_db
    admin = add_user(db, "root", "admin@all")
    add_project(db, "mx-p", "pops", "BRA")
    matrix = Matrix(db, admin)
    api = client(db)
    checks: list[tuple[str, str, str, bool, int, int]] = []
    for role in ROLE_CAN:
        for scope in SCOPES:
            user = add_user(db, f"{role}-{scope.replace(':', '-')}", f"{role}@{scope}")
            page, csrf = browser(db, user)
            for action in ACTIONS:
                want = expected(role, scope, action)
                via_api = _api_call(api, user, matrix, action)
                via_page = _page_call(page, csrf, matrix, action)
                checks.append((role, scope, action, want, via_api, via_page))
    wrong = [c for c in checks if _status_ok(c[4]) != c[3] or _status_ok(c[5]) != c[3]]
    assert not wrong, "\n".join(
        f"{c[0]}@{c[1]} {c[2]}: want {c[3]}, api {c[4]}, page {c[5]}" for c in wrong
    )
    # a record the user may not read is refused as a missing one (its existence is not
    # theirs to learn); one they may read, and anything not a record, with a 403
    for role, scope, action, want, via_api, via_page in checks:
        if not want:
            hidden = action in RECORD_ACTIONS and not expected(role, scope, "read")
            assert via_api == via_page == (404 if hidden else 403), (role, scope, action)
    assert len(checks) == len(ROLE_CAN) * len(SCOPES) * len(ACTIONS)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_lists_show_only_what_a_scope_may_read(db: Database) -> None:
    add_project(db, "sc-pops", "pops", "BRA")
    add_project(db, "sc-montreal", "montreal_protocol", "ARG")
    api = client(db)
    seen: Callable[[User], set[str]] = lambda u: {  # noqa: E731
        p["key"] for p in api.get("/api/v1/projects?per_page=200", headers=u.auth).json()["items"]
    }
    assert seen(add_user(db, "a", "viewer@country:ARG")) == {"sc-montreal"}
    assert seen(add_user(db, "b", "viewer@programme:pops")) == {"sc-pops"}
    assert seen(add_user(db, "c", "viewer@project:sc-pops")) == {"sc-pops"}
    assert seen(add_user(db, "d", "viewer@all")) >= {"sc-pops", "sc-montreal"}
    assert seen(add_user(db, "e")) == set()
    refused = api.get(
        "/api/v1/projects/sc-pops", headers=add_user(db, "f", "viewer@country:ARG").auth
    )
    assert refused.status_code == 404  # as a missing project: its key is not theirs to learn


# --- scope checked against the stored record ---------------------------------------------

STORED_CASES = {
    "claim-country": {"all"},
    "move-out": {"all", "project:mx-p"},
    "move-in": {"all"},
}
"""Which scopes (of an editor or admin) may make each change; written out by hand.

claim-country: a result on mx-other (montreal_protocol, URY) that says it is for Brazil;
move-out: mx-p (pops, BRA) changed to programme montreal_protocol in URY; move-in:
mx-other changed to programme pops in Brazil. Only a scope that covers the project both
as stored and as changed allows it (project:mx-p keeps covering mx-p, whatever its
countries)."""
OTHER = WorkSpec(
    key="mx-other",
    kind="project",
    title={"en": "Elsewhere"},
    countries=["URY"],
    terms=["programme:montreal_protocol", "focus_area:b"],
)
BASE = WorkSpec(
    key="mx-p",
    kind="project",
    title={"en": "Test project"},
    countries=["BRA"],
    terms=["programme:pops", "focus_area:b"],
)


def _stored_call(db: Database, case: str, via: str, user: User, web: TestClient, csrf: str) -> int:
    """Make one ``case`` change as ``user`` through the API or a page; the status."""
    portfolio.register_work(db, BASE)  # every call starts from the same stored records
    portfolio.register_work(db, OTHER)
    key = "mx-p" if case == "move-out" else "mx-other"
    version = explorer.project(db, _who("admin@all"), key)["version"]
    if case == "claim-country":
        if via == "api":
            body = {"work": key, "indicator": "pops_destroyed", "value": 1, "country": "BRA"}
            return web.post("/api/v1/results", json=body, headers=user.auth).status_code
        form = {"csrf": csrf, "indicator": "pops_destroyed", "value": "1", "country": "BRA"}
        return web.post(f"/projects/{key}/results", data=form).status_code
    country, programme = ("URY", "montreal_protocol") if case == "move-out" else ("BRA", "pops")
    if via == "api":
        body = (BASE if key == "mx-p" else OTHER).model_dump(mode="json")
        body |= {"countries": [country], "terms": [f"programme:{programme}"], "version": version}
        return web.put(f"/api/v1/projects/{key}", json=body, headers=user.auth).status_code
    form = {
        "csrf": csrf,
        "kind": "project",
        "title_en": "Changed",
        "countries": country,
        "terms": [f"programme:{programme}"],
        "version": str(version),
    }
    return web.post(f"/projects/{key}/edit", data=form).status_code


def test_permission_matrix_checks_the_stored_record(db: Database) -> None:
    """Each editing role on each scope, each change, through the API and the pages: what
    the request says about the record never widens the scope; a refused change leaves
    the stored records as they were."""
    add_user(db, "root", "admin@all")
    api = client(db)
    wrong = []
    for role in ("editor", "admin", "viewer"):
        for scope in SCOPES:
            user = add_user(db, f"s-{role}-{scope.replace(':', '-')}", f"{role}@{scope}")
            page, csrf = browser(db, user)
            for case, scopes in STORED_CASES.items():
                for via, web in (("api", api), ("page", page)):
                    want = role != "viewer" and scope in scopes
                    status = _stored_call(db, case, via, user, web, csrf)
                    # refused with a 403 if the user may read the stored project, else as
                    # a missing one (404)
                    key = "mx-p" if case == "move-out" else "mx-other"
                    read = api.get(f"/api/v1/projects/{key}", headers=user.auth)
                    refusal = 403 if read.status_code == 200 else 404
                    if _status_ok(status) != want or (not want and status != refusal):
                        wrong.append(f"{role}@{scope} {case} via {via}: want {want}, got {status}")
    assert not wrong, "\n".join(wrong)
    other = explorer.project(db, _who("admin@all"), "mx-other")
    assert [r["country"] for r in other["results"]] == ["BRA"] * 4  # @all: 2 roles, 2 ways
