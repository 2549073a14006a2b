"""``greenfolio tokens create|list|revoke``: API tokens for scripts, on the command line
as on the account page (``services.accounts``); the command line acts for the system, so
it makes, lists and revokes any user's tokens."""

from __future__ import annotations

from typing import Annotated

import typer

from greenfolio.interfaces.cli.common import DbOption, err, errors, out, print_json, table
from greenfolio.interfaces.cli.db_target import open_db

tokens_app = typer.Typer(help="API tokens for scripts.", no_args_is_help=True)


@tokens_app.command("create")
def create_token(
    user: Annotated[str, typer.Option(help="Whose token it is.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "script",
    days: Annotated[int | None, typer.Option(min=1, help="Expire after N days.")] = None,
    db: DbOption = None,
) -> None:
    """Create an API token; the secret is printed once and never stored."""
    from greenfolio.services import api_tokens

    with errors():
        secret, _ = api_tokens.create_token(open_db(db), None, user, name, days)
        out.print(secret, highlight=False)  # alone on standard output, for a script
        err.print(
            "Shown this once and not stored: keep it now. Send it with each API request "
            "as the header 'Authorization: Bearer <token>'; `greenfolio tokens revoke` "
            "ends it.",
            highlight=False,
        )


@tokens_app.command("list")
def list_tokens(
    user: Annotated[str, typer.Option(help="Whose tokens to list.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
    db: DbOption = None,
) -> None:
    """List a user's API tokens (never their secrets): number, name, start of the secret,
    when made and when they expire, and whether revoked."""
    from greenfolio.services import api_tokens

    with errors():
        found = api_tokens.tokens(open_db(db), None, user)
        if as_json:
            print_json(found)
            return
        if not found:
            out.print(
                f"{user} has no API tokens; make one with `greenfolio tokens create --user {user}`",
                highlight=False,
            )
            return
        grid = table("number", "name", "starts with", "created", "expires", "state", wrap=("name",))
        for t in found:
            grid.add_row(
                str(t["id"]),
                t["name"],
                t["prefix"] + "…",
                t["created_at"][:16].replace("T", " "),
                (t["expires_at"] or "never")[:16].replace("T", " "),
                "revoked" if t["revoked"] else "in use",
            )
        out.print(grid)


@tokens_app.command("revoke")
def revoke_token(
    number: Annotated[int, typer.Argument(min=1, help="The token's number, as listed.")],
    db: DbOption = None,
) -> None:
    """Revoke an API token, and every token made with it."""
    from greenfolio.services import api_tokens

    with errors():
        count = api_tokens.revoke_token(open_db(db), None, number)
        more = f", with {count - 1} token(s) made with it" if count > 1 else ""
        out.print(f"Token {number} revoked{more}.")
