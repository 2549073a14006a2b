"""The application factory: one ASGI app serving the REST API (/api/v1, described by
/api/v1/openapi.json), the web pages and their static files.

``create_app`` takes an open database; ``app_from_env`` builds one from
``GREENFOLIO_DB`` and ``GREENFOLIO_PUBLIC`` so that several uvicorn worker processes can
each import it (``greenfolio serve --workers N``).
"""

from __future__ import annotations

import os
from importlib import resources
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from greenfolio import __version__
from greenfolio.interfaces.api import errors
from greenfolio.interfaces.api.deps import Settings
from greenfolio.interfaces.api.routes import (
    accounts,
    audit,
    evidence,
    figures,
    imports,
    methods,
    portfolio,
    report_jobs,
    results,
)
from greenfolio.interfaces.http.body_limit import BodyLimit
from greenfolio.services import accounts as accounts_service
from greenfolio.services import audit as audit_service
from greenfolio.services.database import Database, reading

API_PREFIX = "/api/v1"
ENV_PUBLIC = "GREENFOLIO_PUBLIC"
_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        b"script-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    ),
]


class SecurityHeaders:
    """Adds the same defensive headers to every response (plain ASGI: no per-request cost
    beyond a list append)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class ReadsDoNotLock:
    """GET and HEAD requests only read: their transactions do not wait for SQLite's write
    lock, so pages stay readable while an import writes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            with reading():
                await self.app(scope, receive, send)
            return
        await self.app(scope, receive, send)


def create_app(db: Database, *, public: bool = False) -> FastAPI:
    """The whole server for ``db``; ``public`` lets anonymous visitors read verified data."""
    assert audit_service.GENESIS  # the audit listeners are registered on import
    accounts_service.prepare()  # the first sign-in of an unknown user is not slower
    app = FastAPI(
        title="Greenfolio",
        version=__version__,
        description="Portfolio, results with review, method runs, figures, reports and "
        "the audit trail. Authenticate with `Authorization: Bearer <token>` "
        "(`greenfolio tokens create`). Errors: `{error: {status, code, message, details}}`. "
        "Writes to existing records need the version read (ETag) in `If-Match` or `version`; "
        "a stale one gets 409.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.greenfolio = Settings(db, public)
    errors.install(app)
    api = APIRouter(prefix=API_PREFIX)
    for module in (
        portfolio,
        results,
        evidence,
        methods,
        figures,
        report_jobs,
        audit,
        accounts,
        imports,
    ):
        api.include_router(module.router)
    app.include_router(api)

    from greenfolio.interfaces.web import (
        account_pages,
        audit_pages,
        evidence_pages,
        export_pages,
        import_pages,
        link_pages,
        pages,
        project_pages,
        rendering,
        report_pages,
        result_list_pages,
        result_pages,
        review_pages,
    )

    app.state.error_page = rendering.page_error  # failures met on pages, in the visitor's language
    app.include_router(pages.router)
    # Results before projects: a project's page (/projects/{key:path}) would take
    # /projects/{key}/results/new.
    app.include_router(result_pages.router)
    app.include_router(result_list_pages.router)
    app.include_router(project_pages.router)
    app.include_router(account_pages.router)
    app.include_router(link_pages.router)
    app.include_router(export_pages.router)
    app.include_router(evidence_pages.router)
    app.include_router(review_pages.router)
    app.include_router(audit_pages.router)
    app.include_router(import_pages.router)
    app.include_router(report_pages.router)
    static = resources.files("greenfolio.interfaces.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    app.add_middleware(ReadsDoNotLock)
    app.add_middleware(SecurityHeaders)
    # outermost: a body over its limit is refused unread (pages say so in their language)
    app.add_middleware(BodyLimit, page=rendering.too_large_page)
    return app


def app_from_env() -> Any:
    """Factory for uvicorn workers: the database and mode come from the environment."""
    return create_app(Database.open(), public=os.environ.get(ENV_PUBLIC) == "1")
