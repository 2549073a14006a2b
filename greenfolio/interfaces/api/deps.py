"""The request context for the API routes (kept here so routes import it as before;
it lives in ``greenfolio.interfaces.http.context``, shared with the web pages)."""

from __future__ import annotations

from greenfolio.interfaces.http.context import (
    CSRF_COOKIE,
    LANG_COOKIE,
    SAFE_METHODS,
    SESSION_COOKIE,
    Settings,
    api_principal,
    csrf_expected,
    csrf_ok,
    etag,
    expected_version,
    get_db,
    resolve_principal,
    settings,
)

__all__ = [
    "CSRF_COOKIE",
    "LANG_COOKIE",
    "SAFE_METHODS",
    "SESSION_COOKIE",
    "Settings",
    "api_principal",
    "csrf_expected",
    "csrf_ok",
    "etag",
    "expected_version",
    "get_db",
    "resolve_principal",
    "settings",
]
