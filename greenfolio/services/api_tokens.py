"""API tokens: made for a user, listed without their secrets, revoked with every token
made with them, and read back as the principal a script acts as.

Only a token's SHA-256 is stored; the secret is shown once, when it is made.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from greenfolio.domain.errors import NotFoundError, ValidationError
from greenfolio.domain.permissions import (
    SYSTEM,
    Action,
    PermissionDenied,
    Principal,
    allowed,
    require,
)
from greenfolio.domain.text import check_text
from greenfolio.services import audit
from greenfolio.services.credentials import as_utc, digest, utc_now
from greenfolio.services.database import Database
from greenfolio.services.user_records import find_user, principal_of
from greenfolio.store.tables import ApiTokenRow, UserRow

TOKEN_PREFIX = "gf_"


def create_token(
    db: Database, by: Principal | None, username: str, name: str, days: int | None = None
) -> tuple[str, dict[str, Any]]:
    """Service call: a new API token for ``username``; the secret is returned only here.
    Asked with an API token that expires, the new one expires no later (by default when
    the asking token does): a short-lived token never mints a longer-lived one. A signed-in
    browser (a session) or the command line chooses freely."""
    check_text(name, "the token name")
    expires = utc_now() + timedelta(days=days) if days else None
    if by is not None and by.via == "token" and by.token_expires is not None:
        limit = as_utc(by.token_expires)
        if expires is None:
            expires = limit
        elif expires > limit:
            left = (limit - utc_now()).days
            fewer = f" or ask for at most {left} day(s)" if left >= 1 else ""
            raise PermissionDenied(
                f"the API token used expires at {audit._stamp(limit)[:19]}Z and a token can "
                f"only create tokens that expire no later than itself: leave 'days' out (the "
                f"new token then expires with this one){fewer}, or sign in to create a "
                "longer-lived token"
            )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with audit.acting_as(by.actor if by else audit.current_actor()), db.transaction() as session:
        row = find_user(session, username)
        if by is not None and by.user_id != row.id:
            require(by, Action.ADMIN, SYSTEM)
        token = ApiTokenRow(
            user_id=row.id,
            name=name.strip()[:80] or "token",
            prefix=secret[:10],
            token_hash=digest(secret),
            expires_at=expires,
            made_with_id=by.token_id if by is not None and by.via == "token" else None,
        )
        session.add(token)
        session.flush()
        return secret, _token_dict(token)


def _token_dict(row: ApiTokenRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "prefix": row.prefix,
        "created_at": audit._stamp(row.created_at) + "Z",
        "expires_at": audit._stamp(row.expires_at) + "Z" if row.expires_at else None,
        "revoked": row.revoked_at is not None,
        "made_with": row.made_with_id,
    }


def tokens(db: Database, by: Principal | None, username: str | None = None) -> list[dict[str, Any]]:
    """Service call: the tokens of ``username`` (by default the caller's own; another
    user's for administrators and the command line), never their secrets."""
    with db.transaction() as session:
        if username is None:
            if by is None:
                raise ValidationError("say whose tokens to list")
            user_id = by.user_id
        else:
            user_id = find_user(session, username).id
            if by is not None and by.user_id != user_id:
                require(by, Action.ADMIN, SYSTEM)
        rows = session.scalars(
            select(ApiTokenRow).where(ApiTokenRow.user_id == user_id).order_by(ApiTokenRow.id)
        )
        return [_token_dict(r) for r in rows]


def revoke_token(db: Database, by: Principal | None, token_id: int) -> int:
    """Service call: revoke a token and every token made with it, and those made with them
    (whoever they belong to): what a stolen token created goes with it. Returns how many
    tokens were revoked. Someone else's token answers as a missing one, unless asked by an
    administrator."""
    with audit.acting_as(by.actor if by else audit.current_actor()), db.transaction() as session:
        row = session.get(ApiTokenRow, token_id)
        if row is None or (
            by is not None and row.user_id != by.user_id and not allowed(by, Action.ADMIN, SYSTEM)
        ):
            raise NotFoundError(f"no token {token_id}")
        now = utc_now()
        revoked = 0
        level = [row]
        while level:
            for token in level:
                if token.revoked_at is None:
                    token.revoked_at = now
                    revoked += 1
            level = list(
                session.scalars(
                    select(ApiTokenRow).where(ApiTokenRow.made_with_id.in_([t.id for t in level]))
                )
            )
        return revoked


def token_principal(db: Database, secret: str) -> Principal | None:
    """Service call: who a bearer token belongs to, if valid."""
    with db.transaction() as session:
        found = session.execute(
            select(UserRow, ApiTokenRow)
            .join(ApiTokenRow, ApiTokenRow.user_id == UserRow.id)
            .where(ApiTokenRow.token_hash == digest(secret))
        ).first()
        if found is None:
            return None
        row, token = found
        if not row.active or token.revoked_at is not None:
            return None
        if token.expires_at is not None and as_utc(token.expires_at) < utc_now():
            return None
        return principal_of(session, row, "token", token)
