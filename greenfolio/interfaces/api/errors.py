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

from greenfolio.domain.errors import GreenfolioError
from greenfolio.interfaces.http.refusals import (
    HTTP_CODES,
    STATUS,
    classify,
    is_api,
    page_renderer,
    retry_headers,
)
from greenfolio.services.database import RETRY_AFTER_SECONDS, refusal
from greenfolio.services.locking import StaleVersionError
from greenfolio.store.engine import Failure

__all__ = ["HTTP_CODES", "STATUS", "body", "classify", "error_response", "install"]


class ErrorDetail(BaseModel):
    status: int
    code: str
    message: str
    details: list[dict[str, Any]] = []


class ErrorBody(BaseModel):
    error: ErrorDetail


def body(
    status: int, code: str, message: str, details: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {"error": {"status": status, "code": code, "message": message, "details": details or []}}


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    sent = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    sent.update(headers or {})
    return JSONResponse(
        body(status, code, message, details), status_code=status, headers=sent or None
    )


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
    """Register the handlers: JSON for the API; a request for a page is handed to the
    page renderer the app was assembled with (``greenfolio.interfaces.http.refusals``)."""

    @app.exception_handler(GreenfolioError)
    async def _domain(request: Request, exc: GreenfolioError) -> Any:
        status, code = classify(exc)
        details = [{"current_version": exc.current}] if isinstance(exc, StaleVersionError) else []
        page = None if is_api(request) else page_renderer(request)
        if page is not None:
            response = page(request, status, exc)
            response.headers.update(retry_headers(exc))
            return response
        return error_response(status, code, str(exc), details, retry_headers(exc) or None)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Any:
        page = None if is_api(request) else page_renderer(request)
        if page is not None:
            return page(request, 422, exc)
        details = _clean(exc.errors())
        return error_response(422, "invalid", "the request does not match the API", details)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Any:
        page = None if is_api(request) else page_renderer(request)
        if page is not None:
            return page(request, exc.status_code, exc)
        code = HTTP_CODES.get(exc.status_code, "error")
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
    page = None if is_api(request) else page_renderer(request)
    response = page(request, status, exc) if page is not None else None
    if response is None:
        response = error_response(status, code, message)
    response.headers.update(headers)
    return response
