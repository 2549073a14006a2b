"""Rendering a page in the visitor's language: the template environment, who is asking,
the CSRF token every form carries, error pages and refusals as the visitor reads them.

Every form carries a CSRF token in a hidden field, checked on every unsafe POST: for a
signed-in browser an HMAC of its session's secret, before sign-in a random ``gf_csrf``
cookie (HttpOnly, SameSite=Strict) that is renewed at sign-in and sign-out.
"""

from __future__ import annotations

import posixpath
import secrets
from collections.abc import Callable
from typing import Annotated, Any, TypeVar
from urllib.parse import quote, unquote, urlencode, urlsplit

import jinja2
import pydantic
from fastapi import Depends, Form, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException
from starlette.types import Scope

from greenfolio.domain.errors import GreenfolioError, NotFoundError
from greenfolio.domain.languages import UN_LANGUAGES
from greenfolio.domain.permissions import SYSTEM, Action, PermissionDenied, Principal, Role, allowed
from greenfolio.domain.results import Milestone, Qualifier, Sex, ValueKind
from greenfolio.interfaces.http.body_limit import megabytes
from greenfolio.interfaces.http.context import (
    CSRF_COOKIE,
    LANG_COOKIE,
    csrf_expected,
    csrf_ok,
    get_db,
    resolve_principal,
)
from greenfolio.interfaces.web import form_numbers
from greenfolio.interfaces.web.i18n import Translator, endonym, negotiate
from greenfolio.interfaces.web.refusal_text import (
    Placed,
    invalid_input,
    message,
    placed_input,
    placed_refusal,
    refusal_text,
    refusal_texts,
)
from greenfolio.services.database import Database, refusal

Db = Annotated[Database, Depends(get_db)]
Csrf = Annotated[str, Form(max_length=100)]
RecordId = Annotated[int, Path(ge=1, le=2**31 - 1)]
"""A record's id in a page's path, bounded as in the API: a larger one reached the
database and overflowed SQLite's integers (a 500)."""
T = TypeVar("T")
_env = jinja2.Environment(
    loader=jinja2.PackageLoader("greenfolio.interfaces.web", "templates"),
    autoescape=jinja2.select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)
_env.filters["key"] = lambda key: quote(str(key), safe="")
"""A record key as one URL path segment ("/" too is encoded; the server decodes it once)."""
_env.filters["typed"] = form_numbers.shown
"""A stored number as a person of the page's language types it into a field (2, not 2.0;
0.0000001, not 1e-07; "2,5" in French): ``value|typed(tr.lang)``; text the visitor sent
is shown back as sent."""


CHOICES = {
    "kind": [k.value for k in ValueKind],
    "qualifier": [q.value for q in Qualifier],
    "milestone": [m.value for m in Milestone],
    "sex": [s.value for s in Sex],
    "roles": [r.value for r in Role],
}


# --- rendering ------------------------------------------------------------------------


def lang_of(request: Request) -> str:
    return negotiate(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
    )


def secure(request: Request) -> bool:
    return request.url.scheme == "https"


def who_asks(request: Request) -> Principal:
    try:
        return resolve_principal(request)
    except GreenfolioError:
        return Principal("anonymous", via="anonymous")


def form_number(text: str | None) -> int | None:
    """A whole number a form or link sent (a version, an id); None for anything else
    ("²" is a digit int() refuses)."""
    return int(text) if text and text.isascii() and text.isdigit() else None


def safe_next(target: str | None) -> str:
    """Only paths on this site: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def after_sign_in(target: str | None) -> str:
    """Where signing in leads: ``target`` if :func:`safe_next` allows it, except the
    sign-in and sign-out pages themselves (landing on the sign-in form again): home."""
    found = safe_next(target)
    path = posixpath.normpath(unquote(urlsplit(found).path))
    return "/" if path in ("/login", "/logout") else found


def here_of(request: Request) -> str:
    """This page's path and query, without ``lang`` (so switching language sticks)."""
    query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "lang"])
    return request.url.path + (f"?{query}" if query else "")


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    tr = Translator(lang_of(request))
    who = who_asks(request)
    token = csrf_expected(request)
    fresh = not token
    if fresh:
        token = secrets.token_urlsafe(24)
    html = _env.get_template(template).render(
        tr=tr,
        t=tr,
        who=who,
        can=lambda action: allowed(who, Action(action), SYSTEM),
        signed_in=who.user_id is not None,
        csrf=token,
        path=request.url.path,
        here=here_of(request),
        langs=[(code, endonym(code)) for code in UN_LANGUAGES],
        saved=_saved_message(request, context),
        choices=CHOICES,
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    if fresh:
        response.set_cookie(
            CSRF_COOKIE, token, httponly=True, samesite="strict", secure=secure(request)
        )
    if request.query_params.get("lang") in UN_LANGUAGES:
        response.set_cookie(
            LANG_COOKIE, tr.lang, max_age=365 * 86400, samesite="lax", secure=secure(request)
        )
    return response


def error_page(request: Request, status: int, message: str) -> Response:
    """An error as a page; a visitor who must sign in is sent to the sign-in page."""
    if status == 401 and request.method == "GET":
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        # the sign-in page in the language the link asked for (an Arabic link opened
        # signed out gave an English sign-in page)
        lang = request.query_params.get("lang")
        asked = f"&lang={lang}" if lang in UN_LANGUAGES else ""
        return RedirectResponse(f"/login?next={target}{asked}", status_code=303)
    return render(request, "error.html", status=status, status_code=status, message=message)


async def too_large_page(scope: Scope, limit: int) -> bytes:
    """The page a form gets when its body passed its limit (``http.body_limit``), in the
    visitor's language; who is asking is not looked up (nothing of the request is read)."""
    request = Request(scope)
    request.state.principal = Principal("anonymous", via="anonymous")
    tr = Translator(lang_of(request))
    importing = str(scope.get("path", "")).rstrip("/") == "/import"
    words = tr(
        "err_import_too_large" if importing else "err_request_too_large", mb=megabytes(limit)
    )
    return bytes(error_page(request, 413, words).body)


def page_error(request: Request, status: int, exc: Exception) -> Response:
    """A failure met on a page, said in the visitor's language (the app hands every
    failure of a non-API request here)."""
    tr = Translator(lang_of(request))
    if isinstance(exc, OperationalError):
        # Who is asking is not looked up again: the database has just refused.
        request.state.principal = Principal("anonymous", via="anonymous")
        return error_page(request, status, tr(f"db_{refusal(exc)[0].value}"))
    if isinstance(exc, HTTPException):
        key = f"err_http_{exc.status_code}"
        return error_page(request, status, tr(key) if tr.has(key) else tr("err_http"))
    if isinstance(exc, RequestValidationError):
        return error_page(request, status, tr("err_request_invalid"))
    if isinstance(exc, NotFoundError) and message(tr, exc.message_id, exc.params) is None:
        # A missing record without words of its own: the page's 404 line, never English.
        return error_page(request, status, tr("err_http_404"))
    return error_page(request, status, refusal_text(tr, exc))


def check_csrf(request: Request, token: str) -> None:
    if not csrf_ok(request, token):
        raise PermissionDenied(
            "this form has expired or was sent from another site; reload the page and try again",
            message_id="csrf",
        )


SAID_AFTER = frozenset({"submit", "verify", "return"})
"""Review steps the next page names ("Verified: the result now counts in reports.")
rather than saying "Saved." (catalogue: ``saved_<step>``)."""


def redirect(target: str, saved: bool | str = True) -> RedirectResponse:
    """Go to ``target`` after a change, which the page then confirms: "Saved.", or the
    review step ``saved`` names (one of ``SAID_AFTER``)."""
    sep = "&" if "?" in target else "?"
    mark = saved if isinstance(saved, str) and saved in SAID_AFTER else "1" if saved else ""
    return RedirectResponse(target + (f"{sep}saved={mark}" if mark else ""), status_code=303)


_STATE_AFTER = {"submit": "submitted", "verify": "verified", "return": "returned"}


def _saved_message(request: Request, context: dict[str, Any]) -> str | None:
    """The catalogue key of the confirmation a redirect asked for (None: none). A review
    step is named only on the page of a result in the state that step leaves it in: a
    link carrying ``saved=verify`` cannot make a draft read "Verified". The review queue
    names the result the step was taken on (``saved_result``, read as stored), with its
    number (``saved_<step>_result``)."""
    mark = request.query_params.get("saved")
    if mark == "1":
        return "saved"
    shown = context.get("r")
    listed = context.get("saved_result")
    if shown is None and isinstance(listed, dict):
        shown = listed
    state = shown.get("review_state") if isinstance(shown, dict) else None
    if mark in SAID_AFTER and state == _STATE_AFTER[mark]:
        return f"saved_{mark}_result" if shown is listed else f"saved_{mark}"
    return None


def form_errors(request: Request, exc: pydantic.ValidationError) -> list[str]:
    return invalid_input(Translator(lang_of(request)), exc)


def said_all(request: Request, exc: Exception) -> list[str]:
    """Every problem of a refusal, one per line of the form's error box."""
    return refusal_texts(Translator(lang_of(request)), exc)


def placed(request: Request, exc: Exception) -> Placed:
    """Every problem of a refusal or a failed form check, each with its field."""
    tr = Translator(lang_of(request))
    if isinstance(exc, pydantic.ValidationError):
        return placed_input(tr, exc)
    return placed_refusal(tr, exc)


def problem_context(found: Placed) -> dict[str, Any]:
    """A form's ``errors`` (all of them, in the box above the form) and ``field_errors``
    (those about one field, shown next to it)."""
    by_field: dict[str, list[str]] = {}
    for field, text in found:
        if field:
            by_field.setdefault(field, []).append(text)
    return {"errors": [text for _, text in found], "field_errors": by_field}


def said(request: Request, exc: Exception) -> str:
    """A refusal as the visitor reads it."""
    return refusal_text(Translator(lang_of(request)), exc)


def clean_form(form: dict[str, Any], clearable: tuple[str, ...] = ()) -> dict[str, Any]:
    """Form fields with their text trimmed; empty ones left out so defaults apply, except
    the ``clearable`` ones sent empty: None (a form showing stored values, emptied by the
    user, clears them)."""
    out = {k: v.strip() if isinstance(v, str) else v for k, v in form.items()}
    return {
        k: None if v == "" and k in clearable else v
        for k, v in out.items()
        if v not in (None, "") or (v == "" and k in clearable)
    }


async def in_thread(fn: Callable[..., T], *args: Any) -> T:
    """Runs a blocking call (database work) off the event loop, for async routes that
    read their form first."""
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(fn, *args)
