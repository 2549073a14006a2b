"""The HTTP status and stable code of each kind of failure, for the API's JSON errors and
the web pages alike; and the hook through which the assembled app renders a failure met
on a page (so the API's handlers never import the pages)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request
from fastapi.responses import Response

from greenfolio.domain.errors import (
    GreenfolioError,
    NotFoundError,
    UnitMismatchError,
    ValidationError,
)
from greenfolio.domain.file_types import FileTooLarge, UnsupportedFileType
from greenfolio.domain.permissions import NotAuthenticated, PermissionDenied
from greenfolio.services.accounts import BadCredentials, RateLimited
from greenfolio.services.evidence_store import StoreFull, StoreNotConfigured
from greenfolio.services.locking import StaleVersionError, VersionRequired
from greenfolio.services.report_jobs import TooManyJobs

STATUS: list[tuple[type[Exception], int, str]] = [
    (NotAuthenticated, 401, "unauthenticated"),
    (BadCredentials, 401, "unauthenticated"),
    (PermissionDenied, 403, "forbidden"),
    (NotFoundError, 404, "not_found"),
    (StaleVersionError, 409, "conflict"),
    (VersionRequired, 428, "version_required"),
    (RateLimited, 429, "rate_limited"),
    (TooManyJobs, 429, "rate_limited"),
    (UnitMismatchError, 422, "unit_mismatch"),
    (FileTooLarge, 413, "too_large"),
    (UnsupportedFileType, 415, "unsupported_media_type"),
    (StoreNotConfigured, 503, "not_configured"),
    (StoreFull, 507, "insufficient_storage"),
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
    507: "insufficient_storage",
}

PageRenderer = Callable[[Request, int, Exception], Response]
"""Renders a failure as a page: the request, the HTTP status and the exception."""


def classify(exc: Exception) -> tuple[int, str]:
    """The HTTP status and the stable code (``conflict``, ``forbidden`` …) of ``exc``."""
    for kind, status, code in STATUS:
        if isinstance(exc, kind):
            return status, code
    return 500, "internal"


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def page_renderer(request: Request) -> PageRenderer | None:
    """The page renderer the app was assembled with (None: an API-only app)."""
    found = getattr(request.app.state, "error_page", None)
    return found if callable(found) else None


def retry_headers(exc: Exception) -> dict[str, str]:
    """``Retry-After`` for a refusal that says how long to wait (a throttled sign-in), so a
    script need not read the wait out of the sentence."""
    seconds = exc.params.get("seconds") if isinstance(exc, RateLimited) else None
    return {"Retry-After": str(int(seconds))} if seconds else {}
