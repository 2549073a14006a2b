"""Helpers shared by the API, page and permission tests (no tests of its own).

Users are made through the accounts service; API calls carry a real token, page calls a
real session cookie, so every request passes the same authentication as in production.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from fastapi.testclient import TestClient

from greenfolio.domain.permissions import Grant, Role, Scope
from greenfolio.interfaces.api.app import create_app
from greenfolio.interfaces.api.deps import CSRF_COOKIE, SESSION_COOKIE
from greenfolio.services import accounts, api_tokens, portfolio
from greenfolio.services.database import Database
from greenfolio.services.portfolio import WorkSpec

PASSWORD = "a long enough password"


@dataclass
class User:
    name: str
    token: str
    user_id: int

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def add_user(db: Database, name: str, *grants: str) -> User:
    """A user with grants written ``role@scope`` and an API token."""
    parsed = []
    for text in grants:
        role, _, scope = text.partition("@")
        parsed.append(Grant(Role(role), Scope.parse(scope or "all")))
    info = accounts.create_user(db, None, name, PASSWORD, parsed)
    token, _ = api_tokens.create_token(db, None, name, "tests")
    return User(name, token, info.id)


def client(db: Database, public: bool = False) -> TestClient:
    return TestClient(create_app(db, public=public), follow_redirects=False)


def browser(db: Database, user: User | None, public: bool = False) -> tuple[TestClient, str]:
    """A client holding a signed-in session cookie (or none) and a CSRF cookie, with the
    CSRF token its forms carry (the session's own once signed in)."""
    web = client(db, public)
    csrf = secrets.token_urlsafe(16)
    web.cookies.set(CSRF_COOKIE, csrf)
    if user is not None:
        secret = accounts.start_session(db, user.user_id)
        web.cookies.set(SESSION_COOKIE, secret)
        csrf = accounts.csrf_token(secret)
    return web, csrf


def add_project(
    db: Database, key: str, programme: str, country: str, title: str = "Test project"
) -> None:
    portfolio.register_work(
        db,
        WorkSpec(
            key=key,
            kind="project",
            title={"en": title, "zh": "测试项目"},
            status="implementation",
            countries=[country],
            terms=[f"programme:{programme}", "focus_area:b"],
        ),
    )
