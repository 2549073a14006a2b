"""The sign-in, sign-out, language and account pages.

Signing in starts a new session (ending the one the browser held) and renews the
pre-sign-in CSRF cookie; from then on the session's forms carry the session's own CSRF
token (an HMAC of its secret). Changing one's password keeps this session only and
revokes the user's API tokens.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from greenfolio.domain.errors import ValidationError
from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.domain.permissions import SYSTEM, Action, Principal, require
from greenfolio.interfaces.http.context import (
    CSRF_COOKIE,
    LANG_COOKIE,
    SESSION_COOKIE,
    resolve_principal,
)
from greenfolio.interfaces.http.refusals import classify, retry_headers
from greenfolio.interfaces.web.rendering import (
    Csrf,
    Db,
    after_sign_in,
    check_csrf,
    redirect,
    render,
    safe_next,
    said,
    secure,
)
from greenfolio.services import accounts, api_tokens

router = APIRouter(include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request, next_page: Annotated[str | None, Query(alias="next")] = None
) -> Response:
    return render(request, "login.html", next=after_sign_in(next_page), errors=[])


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    db: Db,
    csrf: Csrf,
    username: Annotated[str, Form(max_length=80)],
    password: Annotated[str, Form(max_length=200)],
    next_page: Annotated[str | None, Form(alias="next", max_length=500)] = None,
) -> Response:
    check_csrf(request, csrf)
    address = request.client.host if request.client else "unknown"
    try:
        who = accounts.authenticate(db, username.strip(), password, address)
    except (accounts.BadCredentials, accounts.RateLimited) as exc:
        # The form again, with what went wrong above it (401, or 429 while throttled).
        page = render(
            request,
            "login.html",
            status=classify(exc)[0],
            next=after_sign_in(next_page),
            errors=[said(request, exc)],
            username=username.strip(),
        )
        page.headers.update(retry_headers(exc))
        return page
    assert who.user_id is not None
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        accounts.end_session(db, old)
    secret = accounts.start_session(db, who.user_id)
    response = RedirectResponse(after_sign_in(next_page), status_code=303)
    _set_session(request, response, secret)
    # A browser where no language was chosen (a new device) opens in the account's own
    # language, the one its messages are in; a choice made in this browser stands.
    mine = accounts.me(db, who).language
    if mine and not request.cookies.get(LANG_COOKIE) and not request.query_params.get("lang"):
        _set_language(request, response, mine)
    return response


def _set_language(request: Request, response: Response, code: str) -> None:
    response.set_cookie(
        LANG_COOKIE, code, max_age=365 * 86400, samesite="lax", secure=secure(request)
    )


def _set_session(request: Request, response: Response, secret: str) -> None:
    """The session cookie, and a new pre-sign-in CSRF cookie (the forms of the session
    use the session's own token from now on)."""
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(accounts.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=secure(request),
    )
    _renew_csrf_cookie(request, response)


def _renew_csrf_cookie(request: Request, response: Response) -> None:
    response.set_cookie(
        CSRF_COOKIE,
        secrets.token_urlsafe(24),
        httponly=True,
        samesite="strict",
        secure=secure(request),
    )


@router.post("/logout")
def logout(request: Request, db: Db, csrf: Csrf) -> Response:
    check_csrf(request, csrf)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        accounts.end_session(db, cookie)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    _renew_csrf_cookie(request, response)
    return response


@router.get("/lang/{code}")
def switch_language(
    code: str, request: Request, next_page: Annotated[str | None, Query(alias="next")] = None
) -> Response:
    if code not in UN_LANGUAGES:
        raise ValidationError(f"unknown language {code!r}", message_id="unknown_language")
    response = RedirectResponse(safe_next(next_page), status_code=303)
    _set_language(request, response, code)
    return response


def _signed_in(request: Request) -> Principal:
    who = resolve_principal(request)
    if who.user_id is None:
        require(who, Action.EDIT, SYSTEM)
    return who


NEW_TOKEN_COOKIE = "gf_new_token"
"""Carries a token just made to the page that shows it, once: creating it answers with a
redirect, so that reloading the page cannot send the form again and make another."""


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, db: Db) -> Response:
    who = _signed_in(request)
    secret = request.cookies.get(NEW_TOKEN_COOKIE)
    if secret:  # shown only if it is a live token of this account
        found = api_tokens.token_principal(db, secret)
        secret = secret if found is not None and found.user_id == who.user_id else None
    page = render(
        request,
        "account.html",
        tokens=api_tokens.tokens(db, who),
        secret=secret,
        **_contact(db, who),
    )
    if NEW_TOKEN_COOKIE in request.cookies:
        page.delete_cookie(NEW_TOKEN_COOKIE, path="/account")
    return page


def _contact(db: Db, who: Principal) -> dict[str, Any]:
    """The notification form's values (email and language) and its language choices."""
    mine = accounts.me(db, who)
    return {
        "contact": {"email": mine.email or "", "language": mine.language or ""},
        "languages": UN_LANGUAGES,
    }


@router.post("/account/tokens", response_class=HTMLResponse)
def create_token(
    request: Request, db: Db, csrf: Csrf, name: Annotated[str, Form(min_length=1, max_length=80)]
) -> Response:
    check_csrf(request, csrf)
    who = _signed_in(request)
    secret, _ = api_tokens.create_token(db, who, who.name, name)
    done = RedirectResponse("/account", status_code=303)
    done.set_cookie(
        NEW_TOKEN_COOKIE,
        secret,
        max_age=120,
        path="/account",
        httponly=True,
        samesite="strict",
        secure=secure(request),
    )
    return done


@router.post("/account/tokens/{token_id}/revoke", response_class=HTMLResponse)
def revoke_token(
    request: Request, db: Db, csrf: Csrf, token_id: Annotated[int, Path(ge=1, le=2**31 - 1)]
) -> Response:
    """Revoke one of one's tokens, and with it every token made with it."""
    check_csrf(request, csrf)
    who = _signed_in(request)
    revoked = api_tokens.revoke_token(db, who, token_id)
    return render(
        request,
        "account.html",
        tokens=api_tokens.tokens(db, who),
        secret=None,
        revoked=max(revoked, 1),
        **_contact(db, who),
    )


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    db: Db,
    csrf: Csrf,
    current: Annotated[str, Form(max_length=200)],
    new: Annotated[str, Form(max_length=200)],
) -> Response:
    """A new password for the signed-in user: their other sessions end and their API
    tokens are revoked; this browser stays signed in."""
    check_csrf(request, csrf)
    who = _signed_in(request)
    try:
        address = request.client.host if request.client else "unknown"
        session_secret = request.cookies.get(SESSION_COOKIE)
        accounts.change_own_password(db, who, current, new, session_secret, address)
    except (accounts.BadCredentials, accounts.RateLimited, ValidationError) as exc:
        return render(
            request,
            "account.html",
            status=429 if isinstance(exc, accounts.RateLimited) else 422,
            tokens=api_tokens.tokens(db, who),
            secret=None,
            errors=[said(request, exc)],
            **_contact(db, who),
        )
    return redirect("/account")
