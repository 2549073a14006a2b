"""The caller, their API tokens, and user administration (admins)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import Field

from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.domain.permissions import Grant, NotAuthenticated, Principal, Role, Scope
from greenfolio.domain.text import CheckedText
from greenfolio.interfaces.api.deps import SESSION_COOKIE, api_principal, get_db
from greenfolio.interfaces.api.errors import RESPONSES
from greenfolio.interfaces.http.links import public_base
from greenfolio.services import account_links, accounts, api_tokens
from greenfolio.services.database import Database

router = APIRouter(tags=["accounts"], responses=RESPONSES)
Who = Annotated[Principal, Depends(api_principal)]
Db = Annotated[Database, Depends(get_db)]
Username = Annotated[str, Path(max_length=80)]


class RoleIn(CheckedText):
    role: Role
    scope: str = Field(
        default="all", max_length=200, description="all, programme:X, country:ISO3, project:KEY"
    )

    def grant(self) -> Grant:
        return Grant(self.role, Scope.parse(self.scope))


class UserIn(CheckedText):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=accounts.MIN_PASSWORD_LENGTH, max_length=200)
    display_name: str = Field(default="", max_length=200)
    roles: list[RoleIn] = Field(default_factory=list)
    email: str | None = Field(default=None, max_length=254)
    language: str | None = Field(default=None, description=", ".join(UN_LANGUAGES))


class PasswordChangeIn(CheckedText):
    current: str = Field(min_length=1, max_length=200)
    new: str = Field(min_length=accounts.MIN_PASSWORD_LENGTH, max_length=200)


class ContactIn(CheckedText):
    email: str | None = Field(default=None, max_length=254, description="empty: no email")
    language: str | None = Field(default=None, description=", ".join(UN_LANGUAGES))


class InvitationIn(RoleIn):
    email: str = Field(min_length=3, max_length=254)
    username: str | None = Field(default=None, max_length=80, description="proposed user name")
    language: str | None = Field(default=None, description="of the invitation email")


class LinkUseIn(CheckedText):
    token: str = Field(min_length=10, max_length=100, description="the secret of the link")
    password: str = Field(min_length=accounts.MIN_PASSWORD_LENGTH, max_length=200)
    username: str | None = Field(default=None, max_length=80, description="invitations only")
    display_name: str = Field(default="", max_length=200)


class TokenIn(CheckedText):
    name: str = Field(min_length=1, max_length=80)
    days: int | None = Field(default=None, ge=1, le=3650)


def _signed_in(who: Principal) -> Principal:
    if who.user_id is None:
        raise NotAuthenticated("sign in or send an API token")
    return who


@router.get("/me", summary="Who the caller is and what roles they hold")
def me(who: Who) -> dict[str, Any]:
    return {
        "name": who.name,
        "signed_in": who.user_id is not None,
        "via": who.via,
        "roles": [{"role": g.role.value, "scope": str(g.scope)} for g in who.grants],
        "public": who.public,
    }


@router.get("/tokens", summary="The caller's API tokens (never their secrets)")
def list_tokens(who: Who, db: Db) -> list[dict[str, Any]]:
    return api_tokens.tokens(db, _signed_in(who))


@router.post("/tokens", status_code=201, summary="A new API token; its secret is shown once")
def create_token(req: TokenIn, who: Who, db: Db) -> dict[str, Any]:
    me_ = _signed_in(who)
    secret, info = api_tokens.create_token(db, me_, me_.name, req.name, req.days)
    return {**info, "token": secret}


@router.delete("/tokens/{token_id}", status_code=204, summary="Revoke a token")
def revoke_token(token_id: Annotated[int, Path(ge=1, le=2**31 - 1)], who: Who, db: Db) -> Response:
    api_tokens.revoke_token(db, _signed_in(who), token_id)
    return Response(status_code=204)


@router.get("/users", summary="Every account with its roles (admins)")
def list_users(who: Who, db: Db) -> list[dict[str, Any]]:
    return [u.as_dict() for u in accounts.users(db, _signed_in(who))]


@router.post("/users", status_code=201, summary="Create an account (admins)")
def create_user(req: UserIn, who: Who, db: Db) -> dict[str, Any]:
    grants = [r.grant() for r in req.roles]
    made = accounts.create_user(
        db,
        _signed_in(who),
        req.username,
        req.password,
        grants,
        req.display_name,
        email=req.email,
        language=req.language,
    )
    return made.as_dict()


@router.post("/users/{username}/roles", summary="Grant a role on a scope (admins)")
def grant_role(username: Username, req: RoleIn, who: Who, db: Db) -> dict[str, Any]:
    return accounts.grant(db, _signed_in(who), username, req.grant()).as_dict()


@router.delete("/users/{username}/roles", summary="Revoke a role on a scope (admins)")
def revoke_role(
    username: Username,
    who: Who,
    db: Db,
    role: Role,
    scope: Annotated[str, Query(max_length=200)] = "all",
) -> dict[str, Any]:
    grant = Grant(role, Scope.parse(scope))
    return accounts.revoke(db, _signed_in(who), username, grant).as_dict()


@router.post(
    "/account/password",
    summary="Change one's own password (the current one is checked, rate-limited)",
    description="Every API token of the caller is revoked (the one sending this too) and "
    "their other sessions end; a browser session making the call stays signed in.",
)
def change_password(req: PasswordChangeIn, who: Who, db: Db, request: Request) -> dict[str, int]:
    me_ = _signed_in(who)
    address = request.client.host if request.client else "unknown"
    keep = request.cookies.get(SESSION_COOKIE) if me_.via == "session" else None
    return accounts.change_own_password(db, me_, req.current, req.new, keep, address)


@router.put("/account/contact", summary="One's email for notifications, and their language")
def set_contact(req: ContactIn, who: Who, db: Db) -> dict[str, Any]:
    me_ = _signed_in(who)
    return accounts.set_contact(db, me_, me_.name, req.email, req.language).as_dict()


@router.post(
    "/users/{username}/password-reset",
    status_code=201,
    summary="Reset a user's password (admins): a one-time link to choose a new one",
    description="The old password stops working and the user's sessions and tokens end. "
    "The link (and its token) is returned once; it is mailed to the user when mail is "
    "configured and they have an address.",
)
def reset_password(username: Username, who: Who, db: Db, request: Request) -> dict[str, Any]:
    base = public_base(request)
    return account_links.reset(db, _signed_in(who), username, base).as_dict(base)


@router.get("/invitations", summary="Invitations not yet used nor expired (admins)")
def list_invitations(who: Who, db: Db) -> list[dict[str, Any]]:
    return account_links.invitations(db, _signed_in(who))


@router.post(
    "/invitations",
    status_code=201,
    summary="Invite someone by email with a role on a scope (admins)",
    description="Returns the one-time link once (it is also mailed when mail is "
    "configured); the invitee chooses a user name and a password with it.",
)
def invite(req: InvitationIn, who: Who, db: Db, request: Request) -> dict[str, Any]:
    base = public_base(request)
    link = account_links.invite(
        db,
        _signed_in(who),
        req.email,
        req.grant(),
        username=req.username,
        language=req.language,
        base_url=base,
    )
    return link.as_dict(base)


@router.post(
    "/account-links/use",
    status_code=201,
    summary="Set a password with a one-time link (invitation or reset); no sign-in needed",
)
def use_link(req: LinkUseIn, db: Db) -> dict[str, Any]:
    made = account_links.use(
        db, req.token, req.password, username=req.username, display_name=req.display_name
    )
    return made.as_dict()
