"""One JSON shape for every API error, and the HTTP status of each kind of failure.

``{"error": {"status": 409, "code": "conflict", "message": "…", "details": […]}}``:
clients can branch on ``code``; ``message`` says what to fix.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException

from greenfolio.api.deps import LANG_COOKIE
from greenfolio.domain.errors import (
    GreenfolioError,
    NotFoundError,
    UnitMismatchError,
    ValidationError,
)
from greenfolio.domain.permissions import NotAuthenticated, PermissionDenied, Principal
from greenfolio.services.accounts import BadCredentials, RateLimited
from greenfolio.services.database import RETRY_AFTER_SECONDS, refusal
from greenfolio.services.locking import StaleVersionError, VersionRequired
from greenfolio.store.engine import Failure

STATUS: list[tuple[type[Exception], int, str]] = [
    (NotAuthenticated, 401, "unauthenticated"),
    (BadCredentials, 401, "unauthenticated"),
    (PermissionDenied, 403, "forbidden"),
    (NotFoundError, 404, "not_found"),
    (StaleVersionError, 409, "conflict"),
    (VersionRequired, 428, "version_required"),
    (RateLimited, 429, "rate_limited"),
    (UnitMismatchError, 422, "unit_mismatch"),
    (ValidationError, 422, "invalid"),
    (GreenfolioError, 400, "bad_request"),
]
HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    428: "version_required",
    429: "rate_limited",
}


class ErrorDetail(BaseModel):
    status: int
    code: str
    message: str
    details: list[dict[str, Any]] = []


class ErrorBody(BaseModel):
    error: ErrorDetail


def classify(exc: Exception) -> tuple[int, str]:
    for kind, status, code in STATUS:
        if isinstance(exc, kind):
            return status, code
    return 500, "internal"


def body(
    status: int, code: str, message: str, details: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {"error": {"status": status, "code": code, "message": message, "details": details or []}}


def error_response(
    status: int, code: str, message: str, details: list[dict[str, Any]] | None = None
) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body(status, code, message, details), status_code=status, headers=headers)


def _clean(errors: Any) -> list[dict[str, Any]]:
    out = []
    for e in errors:
        out.append(
            {
                "loc": [str(p) for p in e.get("loc", ())],
                "msg": str(e.get("msg", "")),
                "type": str(e.get("type", "")),
            }
        )
    return out


RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": code.replace("_", " ")}
    for status, code in (
        (400, "bad_request"),
        (401, "unauthenticated"),
        (403, "forbidden"),
        (404, "not_found"),
        (422, "invalid"),
    )
}
WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **RESPONSES,
    409: {"model": ErrorBody, "description": "the record changed since it was read"},
    428: {"model": ErrorBody, "description": "the write did not say which version it changes"},
}


def install(app: FastAPI) -> None:
    """Register the handlers; the web pages install their own for HTML requests."""

    @app.exception_handler(GreenfolioError)
    async def _domain(request: Request, exc: GreenfolioError) -> Any:
        status, code = classify(exc)
        details = [{"current_version": exc.current}] if isinstance(exc, StaleVersionError) else []
        if not request.url.path.startswith("/api/"):
            from greenfolio.web.pages import error_page

            return error_page(request, status, str(exc))
        return error_response(status, code, str(exc), details)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Any:
        details = _clean(exc.errors())
        if not request.url.path.startswith("/api/"):
            from greenfolio.web.pages import error_page

            text = "; ".join(f"{'.'.join(d['loc'][1:])}: {d['msg']}" for d in details)
            return error_page(request, 422, text)
        return error_response(422, "invalid", "the request does not match the API", details)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Any:
        code = HTTP_CODES.get(exc.status_code, "error")
        if not request.url.path.startswith("/api/"):
            from greenfolio.web.pages import error_page

            return error_page(request, exc.status_code, str(exc.detail))
        return error_response(exc.status_code, code, str(exc.detail))

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError) -> Any:
        message = f"the database refused a value: {str(exc.orig).splitlines()[0]}"
        return error_response(400, "bad_request", message)

    @app.exception_handler(IntegrityError)
    async def _clash(request: Request, exc: IntegrityError) -> Any:
        message = "the change clashes with another record (a duplicate, or a reference in use)"
        return error_response(409, "conflict", message)

    @app.exception_handler(OperationalError)
    async def _down(request: Request, exc: OperationalError) -> Any:
        return database_refused(request, exc)


DB_STATUS = {
    Failure.BUSY: (503, "busy"),
    Failure.FULL: (507, "disk_full"),
    Failure.DOWN: (503, "unavailable"),
}


def database_refused(request: Request, exc: OperationalError) -> Response:
    """Busy (503, Retry-After), disk full (507) or unreachable (503), as JSON for the API
    and as a page in the visitor's language for the web pages."""
    kind, message = refusal(exc)
    status, code = DB_STATUS[kind]
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if kind is Failure.BUSY else {}
    if request.url.path.startswith("/api/"):
        response: Response = error_response(status, code, message)
    else:
        from greenfolio.web.i18n import Translator, negotiate
        from greenfolio.web.pages import error_page

        if not isinstance(getattr(request.state, "principal", None), Principal):
            # Who is asking is not looked up again: the database has just refused.
            request.state.principal = Principal("anonymous", via="anonymous")
        lang = negotiate(
            request.query_params.get("lang"),
            request.cookies.get(LANG_COOKIE),
            request.headers.get("accept-language"),
        )
        text = Translator(lang)(f"db_{kind.value}")
        response = error_page(request, status, text)
    response.headers.update(headers)
    return response
