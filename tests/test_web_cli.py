"""The account commands of the CLI: first admin, users with scoped roles, API tokens."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from greenfolio.interfaces.cli.app import app
from greenfolio.services import accounts
from greenfolio.services.database import Database
from tests.test_api_support import client

runner = CliRunner()


def _url(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_first_admin_users_and_tokens(db: Database) -> None:
    made = runner.invoke(app, ["users", "create-admin", "--db", _url(db)])
    assert made.exit_code == 0, made.output
    password = made.output.split("password:")[1].split()[0]
    assert accounts.authenticate(db, "admin", password, "test").name == "admin"
    again = runner.invoke(app, ["users", "create-admin", "--db", _url(db)])
    assert again.exit_code == 2 and "exists already" in again.output
    focal = runner.invoke(
        app,
        ["users", "create", "fp", "--role", "editor", "--scope", "country:bra", "--db", _url(db)],
    )
    assert focal.exit_code == 0 and "Editor (Brazil)" in focal.output
    bad = runner.invoke(
        app, ["users", "create", "x", "--role", "editor", "--scope", "moon:1", "--db", _url(db)]
    )
    assert bad.exit_code == 2 and "unknown scope" in bad.output
    token = runner.invoke(app, ["tokens", "create", "--user", "fp", "--db", _url(db)])
    secret = token.stdout.strip()  # the token alone on stdout; how to use it on stderr
    assert token.exit_code == 0 and secret.startswith("gf_") and "\n" not in secret
    assert "'Authorization: Bearer <token>'" in token.stderr
    me = client(db).get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).json()
    assert me["roles"] == [{"role": "editor", "scope": "country:BRA"}]
    listed = runner.invoke(app, ["users", "list", "--json", "--db", _url(db)])
    assert '"username": "fp"' in listed.output
    from greenfolio.services import audit

    events, _ = audit.listing(db, entity="app_user")
    assert {e["actor"] for e in events} == {f"cli:{audit._os_user()}"}
    assert all(
        "password_hash" not in str(e["after"]) or "argon2:" in str(e["after"]) for e in events
    )
