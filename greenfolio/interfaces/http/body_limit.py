"""A size limit on request bodies, checked before the application reads them.

Without it, anyone (signed in or not) could post a gigabyte to any form or API route:
the framework reads a JSON body or form fields whole into memory, and the file parts of
any form into the temporary folder, before a route can check who is asking. A body
declared longer than the route's limit is refused unread; one sent in chunks is refused
as soon as it passes the limit. Routes that receive files have their own limits:
evidence uploads stream through ``http.uploads`` (the evidence store's limit, refused as
it passes), the XLSX import has the import's size.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from greenfolio.interfaces.http.import_files import MAX_BYTES as IMPORT_BYTES

DEFAULT_BYTES = 2 * 1024 * 1024
"""Far more than any form or JSON write holds (a project with descriptions in six
languages is tens of kilobytes)."""
OVERHEAD = 64 * 1024
"""Multipart boundaries, headers and the small fields beside an imported file."""
_BODILESS = frozenset({"GET", "HEAD", "OPTIONS"})
_EVIDENCE = re.compile(r"^(?:/api/v1)?/results/[^/]+/evidence(?:/[^/]+(?:/replace)?)?/?$")
_IMPORTS = frozenset({"/import", "/api/v1/imports/xlsx/preview"})


def limit_for(path: str) -> int | None:
    """The largest body ``path`` accepts, in bytes (None: the route checks as it reads)."""
    if _EVIDENCE.match(path):
        return None
    if path.rstrip("/") in _IMPORTS:
        return IMPORT_BYTES + OVERHEAD
    return DEFAULT_BYTES


class BodyTooLarge(Exception):
    """Raised into the application when a chunked body passes its limit."""


Page = Callable[[Scope, int], Awaitable[bytes]]
"""The HTML page that says, in the visitor's language, that a body of more than ``limit``
bytes was refused (given by the application that assembles the pages)."""


def megabytes(limit: int) -> int:
    """A limit in whole MB, as the refusal states it (the import's 20 MB, not 20544 KB)."""
    return max(1, limit // (1024 * 1024))


async def _refuse(scope: Scope, send: Send, limit: int, page: Page | None = None) -> None:
    text = f"the request is larger than {megabytes(limit)} MB"
    if str(scope.get("path", "")).startswith("/api/"):
        error = {"status": 413, "code": "too_large", "message": text, "details": []}
        body = json.dumps({"error": error}).encode()
        kind = b"application/json"
    elif page is not None:
        body, kind = await page(scope, limit), b"text/html; charset=utf-8"
    else:
        body, kind = text.encode(), b"text/plain; charset=utf-8"
    headers = [
        (b"content-type", kind),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Refuses (413) a request whose body passes its route's limit (plain ASGI)."""

    def __init__(self, app: ASGIApp, page: Page | None = None) -> None:
        self.app = app
        self.page = page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in _BODILESS:
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope["path"])
        if limit is None:
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _refuse(scope, send, limit, self.page)
            return
        received, over, started = 0, False, False

        async def limited() -> Message:
            nonlocal received, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    over = True
                    raise BodyTooLarge
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                if started:
                    return
                started = True
                if over:  # the application answered the cut body: say why instead
                    await _refuse(scope, send, limit, self.page)
                    return
            elif over:
                return
            await send(message)

        try:
            await self.app(scope, limited, guarded)
        except BodyTooLarge:
            if not started:
                started = True
                await _refuse(scope, send, limit, self.page)
