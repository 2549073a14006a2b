"""Pages of one-time links and contact details: an admin invites someone or resets a
user's password (the link is shown once), the person opens the link and chooses a
password (and, invited, a user name), then is signed in; a signed-in user sets the email
and language of their notifications."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from greenfolio.domain.errors import GreenfolioError, ValidationError
from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.domain.permissions import SYSTEM, Action, Grant, Principal, Role, Scope, require
from greenfolio.interfaces.http.context import SESSION_COOKIE, resolve_principal
from greenfolio.interfaces.http.links import public_base
from greenfolio.interfaces.web.account_pages import _set_session
from greenfolio.interfaces.web.i18n import Translator
from greenfolio.interfaces.web.rendering import (
    Csrf,
    Db,
    check_csrf,
    lang_of,
    redirect,
    render,
    said,
)
from greenfolio.services import account_links, accounts, api_tokens

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=200)]


def _admin(request: Request) -> Principal:
    who = resolve_principal(request)
    require(who, Action.ADMIN, SYSTEM)
    return who


def _until(request: Request, link: account_links.Link | account_links.Pending) -> str:
    return Translator(lang_of(request)).when(link.expires_at.isoformat())


def _invitations(request: Request, db: Db, status: int = 200, **context: object) -> Response:
    who = _admin(request)
    return render(
        request,
        "invitations.html",
        status=status,
        invitations=account_links.invitations(db, who),
        languages=UN_LANGUAGES,
        **{"made": None, "errors": [], "form": {}, **context},
    )


@router.get("/admin/invitations", response_class=HTMLResponse)
def invitations_page(request: Request, db: Db) -> Response:
    return _invitations(request, db)


@router.post("/admin/invitations", response_class=HTMLResponse)
def invite(
    request: Request,
    db: Db,
    csrf: Csrf,
    email: Text,
    role: Annotated[Role, Form()],
    scope: Text = "all",
    username: Annotated[str, Form(max_length=80)] = "",
    language: Annotated[str, Form(max_length=2)] = "",
) -> Response:
    check_csrf(request, csrf)
    who = _admin(request)
    form = {"email": email, "role": role.value, "scope": scope, "username": username}
    try:
        link = account_links.invite(
            db,
            who,
            email,
            Grant(role, Scope.parse(scope)),
            username=username.strip() or None,
            language=language or None,
            base_url=public_base(request),
        )
    except GreenfolioError as exc:
        return _invitations(request, db, 422, errors=[said(request, exc)], form=form)
    made = {
        "text": Translator(lang_of(request))(
            "invitation_made", email=link.email, until=_until(request, link)
        ),
        "url": link.url(public_base(request)),
        "mailed": link.mailed,
    }
    return _invitations(request, db, 201, made=made)


@router.post("/admin/users/{username}/reset", response_class=HTMLResponse)
def reset(username: str, request: Request, db: Db, csrf: Csrf) -> Response:
    check_csrf(request, csrf)
    who = _admin(request)
    link = account_links.reset(db, who, username, public_base(request))
    made = {
        "text": Translator(lang_of(request))(
            "reset_made", username=link.username, until=_until(request, link)
        ),
        "url": link.url(public_base(request)),
        "mailed": link.mailed,
    }
    return _invitations(request, db, 201, made=made)


def _link_page(
    request: Request, db: Db, secret: str, status: int = 200, **context: object
) -> Response:
    pending = account_links.pending(db, secret)
    return render(
        request,
        "welcome.html",
        status=status,
        link=pending,
        until=_until(request, pending),
        secret=secret,
        **{"errors": [], "form": {}, **context},
    )


@router.get("/welcome/{secret}", response_class=HTMLResponse)
def link_page(secret: str, request: Request, db: Db) -> Response:
    return _link_page(request, db, secret)


@router.post("/welcome/{secret}", response_class=HTMLResponse)
def use_link(
    secret: str,
    request: Request,
    db: Db,
    csrf: Csrf,
    password: Text,
    confirm: Text,
    username: Annotated[str, Form(max_length=80)] = "",
    display_name: Text = "",
) -> Response:
    check_csrf(request, csrf)
    form = {"username": username, "display_name": display_name}
    try:
        if password != confirm:
            raise ValidationError("the two passwords differ", message_id="password_mismatch")
        user = account_links.use(
            db, secret, password, username=username or None, display_name=display_name
        )
    except account_links.LinkInvalid:
        raise
    except GreenfolioError as exc:
        return _link_page(request, db, secret, 422, errors=[said(request, exc)], form=form)
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        accounts.end_session(db, old)
    response = RedirectResponse("/account", status_code=303)
    _set_session(request, response, accounts.start_session(db, user.id))
    return response


@router.post("/account/contact", response_class=HTMLResponse)
def set_contact(
    request: Request,
    db: Db,
    csrf: Csrf,
    email: Annotated[str, Form(max_length=254)] = "",
    language: Annotated[str, Form(max_length=2)] = "",
) -> Response:
    check_csrf(request, csrf)
    who = resolve_principal(request)
    if who.user_id is None:
        require(who, Action.EDIT, SYSTEM)
    try:
        accounts.set_contact(db, who, who.name, email.strip() or None, language or None)
    except GreenfolioError as exc:
        return render(
            request,
            "account.html",
            status=422,
            tokens=api_tokens.tokens(db, who),
            secret=None,
            contact={"email": email, "language": language},
            languages=UN_LANGUAGES,
            errors=[said(request, exc)],
        )
    return redirect("/account")
