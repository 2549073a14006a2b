"""A role is given only on a scope that names something stored: a country by its ISO
code, a programme among the classifications, a registered project. A typo is refused with
a message that names it and what to write, through the CLI, the API and the service, and
nothing is created."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from greenfolio.domain.errors import ValidationError
from greenfolio.domain.permissions import Grant, Role, Scope
from greenfolio.interfaces.cli.app import app
from greenfolio.services import accounts
from greenfolio.services.database import Database
from greenfolio.store.tables import AccountLinkRow, UserRow
from tests.test_api_support import PASSWORD, add_project, add_user, client

SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@pytest.mark.parametrize(
    ("scope", "said"),
    [
        ("country:BRZ", "unknown country code 'BRZ'"),
        ("programme:montreal", "no programme 'montreal' is stored"),
        ("project:no-such-key", "no project 'no-such-key' is stored"),
    ],
)
def test_a_scope_naming_nothing_stored_is_refused(db: Database, scope: str, said: str) -> None:
    with pytest.raises(ValidationError) as refused:
        accounts.create_user(db, None, "zed", PASSWORD, [Grant(Role.VIEWER, Scope.parse(scope))])
    assert said in str(refused.value) and refused.value.message_id == "scope_unknown"
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(UserRow)) == 0


@SQLITE
def test_stored_scopes_are_taken_and_typos_refused_everywhere(db: Database) -> None:
    add_project(db, "gs-1", "pops", "BRA")
    for scope in ("all", "country:bra", "programme:montreal_protocol", "project:gs-1"):
        accounts.create_user(
            db, None, f"u-{len(scope)}", PASSWORD, [Grant(Role.VIEWER, Scope.parse(scope))]
        )
    url = db.engine.url.render_as_string(hide_password=False)
    made = CliRunner().invoke(
        app, ["users", "create", "ann", "--role", "editor", "--scope", "country:BRZ", "--db", url]
    )
    assert made.exit_code == 2 and "unknown country code 'BRZ'" in made.output
    invited = CliRunner().invoke(
        app,
        [
            "users",
            "invite",
            "li@example.org",
            "--role",
            "viewer",
            "--scope",
            "programme:gcp",
            "--db",
            url,
        ],
    )
    assert invited.exit_code == 2 and "no programme 'gcp' is stored" in invited.output
    admin = add_user(db, "root", "admin@all")
    answer = client(db).post(
        "/api/v1/invitations",
        json={"email": "li@example.org", "role": "reviewer", "scope": "project:gs-2"},
        headers=admin.auth,
    )
    assert answer.status_code == 422 and "no project 'gs-2' is stored" in answer.text
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(AccountLinkRow)) == 0
    with pytest.raises(ValidationError):
        accounts.grant(db, None, "root", Grant(Role.REVIEWER, Scope.parse("country:XXX")))
