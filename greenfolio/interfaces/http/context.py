"""Request context shared by the API and the pages: the database, who is asking, the
version a write claims to change, and the CSRF check for cookie-authenticated writes.

Scripts authenticate with ``Authorization: Bearer <token>``; browsers with the session
cookie. A cookie alone never authorises an unsafe request: a form must carry the CSRF
token in its ``csrf`` field and an API call in the ``X-CSRF-Token`` header. For a signed-in
browser the token is an HMAC of the session's secret (``accounts.csrf_token``), so it is
tied to the session and new at every sign-in; before signing in (the sign-in form itself)
it is the random ``gf_csrf`` cookie, renewed at sign-in and sign-out.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass

from fastapi import Request

from greenfolio.domain.errors import ValidationError
from greenfolio.domain.permissions import NotAuthenticated, PermissionDenied, Principal
from greenfolio.services import accounts, api_tokens
from greenfolio.services.database import Database

SESSION_COOKIE = "gf_session"
CSRF_COOKIE = "gf_csrf"
LANG_COOKIE = "gf_lang"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')


@dataclass(frozen=True)
class Settings:
    db: Database
    public: bool = False
    """Whether anonymous visitors may read verified data (public read-only mode)."""


def settings(request: Request) -> Settings:
    found = request.app.state.greenfolio
    assert isinstance(found, Settings)
    return found


async def get_db(request: Request) -> Database:
    return settings(request).db


def resolve_principal(request: Request) -> Principal:
    """Who is asking: a token's owner, a session's user, or the (public) anonymous."""
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    conf = settings(request)
    found: Principal | None = None
    auth = request.headers.get("authorization")
    if auth:
        scheme, _, secret = auth.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise NotAuthenticated("use 'Authorization: Bearer <token>'")
        found = api_tokens.token_principal(conf.db, secret.strip())
        if found is None:
            raise NotAuthenticated("the API token is unknown, expired or revoked")
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            found = accounts.session_principal(conf.db, cookie)
    if found is None:
        found = Principal(
            "public" if conf.public else "anonymous", public=conf.public, via="anonymous"
        )
    request.state.principal = found
    return found


def csrf_expected(request: Request) -> str:
    """The CSRF token this browser must send back: its session's, or before signing in
    its ``gf_csrf`` cookie ("" if it has neither)."""
    session_secret = request.cookies.get(SESSION_COOKIE)
    if session_secret:
        return accounts.csrf_token(session_secret)
    return request.cookies.get(CSRF_COOKIE, "")


def csrf_ok(request: Request, sent: str) -> bool:
    expected = csrf_expected(request)
    return bool(expected) and hmac.compare_digest(sent.encode(), expected.encode())


def seal(request: Request, *parts: object) -> str:
    """A mark binding ``parts`` to this browser's session (an HMAC keyed by its CSRF token):
    a page that confirms what a redirect says happened ("role removed", "result deleted")
    shows it only with the mark, so a link made elsewhere cannot make it say so."""
    key = csrf_expected(request).encode()
    text = "\x1f".join(str(p) for p in parts).encode()
    return hmac.new(key, text, "sha256").hexdigest()[:32] if key else ""


def seal_ok(request: Request, given: str | None, *parts: object) -> bool:
    expected = seal(request, *parts)
    return bool(expected and given) and hmac.compare_digest(str(given), expected)


def api_principal(request: Request) -> Principal:
    """The principal of an API call; cookie-authenticated writes need the CSRF header."""
    principal = resolve_principal(request)
    unsafe = principal.via == "session" and request.method not in SAFE_METHODS
    if unsafe and not csrf_ok(request, request.headers.get("x-csrf-token", "")):
        raise PermissionDenied(
            "a browser session may change data through the API only with the "
            "X-CSRF-Token header; scripts should use an API token"
        )
    return principal


def expected_version(request: Request, in_body: int | None = None) -> int | None:
    """The version a write claims to change: the If-Match header, else a body field."""
    header = request.headers.get("if-match")
    if header:
        match = _ETAG.match(header)
        if match is None:
            raise ValidationError(f'If-Match must be an ETag such as "3", not {header!r}')
        said = int(match.group(1))
        if in_body is not None and in_body != said:
            # two versions read: the older one would be overwritten unseen
            raise ValidationError(
                f"If-Match says version {said} and the body version {in_body}; give the "
                "version you read, once",
                message_id="version_twice",
                params={"header": said, "body": in_body},
            )
        return said
    return in_body


def etag(version: int) -> str:
    return f'"{version}"'
