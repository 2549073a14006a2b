"""Request bodies have a size limit, checked before the application reads them: an
anonymous visitor could otherwise post a gigabyte to any form or API route (the sign-in
form, a JSON write) and the server would read it whole, into memory (JSON, form fields)
or into its temporary folder (a file part of any form), before refusing the request.

The app is called as ASGI with a body sent in chunks, so the test sees how much of it
the server read before answering."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from greenfolio.interfaces.api.app import create_app
from greenfolio.interfaces.http import body_limit
from greenfolio.interfaces.http.context import SESSION_COOKIE
from greenfolio.services import accounts
from greenfolio.services.database import Database
from tests.test_api_support import add_user, client

CHUNK = 256 * 1024
SENT = 24 * 1024 * 1024
"""Over every limit: the default one and the import's (20 MB)."""


def _filler(kind: str, size: int) -> bytes:
    """Well-formed body of ``kind`` (so no parser stops early): many form fields under
    the framework's per-field cap, one file part, or one long JSON string."""
    if kind.startswith("application/x-www-form-urlencoded"):
        return (b"f=" + b"a" * (CHUNK - 3) + b"&") * (size // CHUNK)
    if kind.startswith("multipart/"):
        head = b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.xlsx"\r\n\r\n'
        return head + b"a" * (size - len(head))
    return b'"' + b"a" * (size - 1)


def _call(
    db: Database, path: str, headers: dict[str, str], total: int = SENT
) -> tuple[int, int, bytes]:
    """POST ``total`` bytes to ``path`` in chunks; the status, the bytes the app took
    from the body and the response's body."""
    app = create_app(db)
    taken = 0
    data = _filler(headers["content-type"], total)
    got: dict[str, Any] = {"status": 0, "body": b""}

    async def receive() -> dict[str, Any]:
        nonlocal taken
        if taken >= total:
            await asyncio.sleep(0.01)
            return {"type": "http.disconnect"}
        chunk = data[taken : taken + CHUNK]
        taken += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": taken < total}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            got["status"] = message["status"]
        elif message["type"] == "http.response.body":
            got["body"] += message.get("body", b"")

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
        "state": {},
    }

    async def run() -> None:
        try:
            await app(scope, receive, send)
        except Exception:  # the app may give up on a disconnected client
            if not got["status"]:
                raise

    asyncio.run(run())
    return got["status"], taken, got["body"]


FORM = {"content-type": "application/x-www-form-urlencoded"}
MULTIPART = {"content-type": "multipart/form-data; boundary=xyz"}
JSON = {"content-type": "application/json"}


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/login", FORM),
        ("/login", MULTIPART),
        ("/api/v1/results", JSON),
        ("/api/v1/account-links/use", JSON),
        ("/import", MULTIPART),
        ("/api/v1/imports/xlsx/preview", MULTIPART),
    ],
)
def test_an_oversized_body_is_refused_unread(
    db: Database, path: str, headers: dict[str, str]
) -> None:
    if "import" in path:  # these routes ask who is asking first
        ed = add_user(db, "ed", "editor@all")
        secret = accounts.start_session(db, ed.user_id)
        signed = ed.auth if path.startswith("/api/") else {"cookie": f"{SESSION_COOKIE}={secret}"}
        headers = {**headers, **signed}
    status, taken, _ = _call(db, path, headers)
    assert status == 413, (path, status)
    limit = body_limit.limit_for(path)
    assert limit is not None
    assert taken <= limit + CHUNK, (path, taken)
    # declared too long: refused before a byte is read
    declared = {**headers, "content-length": str(SENT)}
    status, taken, said = _call(db, path, declared)
    assert (status, taken) == (413, 0), (path, status, taken)
    if path.startswith("/api/"):
        assert b'"too_large"' in said
    else:  # a page says it in the visitor's language, the limit in MB
        assert b"<html" in said and f"{limit // 1024} KB".encode() not in said
        mb = body_limit.megabytes(limit)
        french = _call(db, path, {**declared, "accept-language": "fr"})[2].decode()
        assert f"{mb} Mo" in french or f"{mb} Mo" in french, french[-800:]


def test_requests_under_the_limit_are_read_as_before(db: Database) -> None:
    ed = add_user(db, "ed", "editor@all")
    api = client(db)
    long_note = {"csrf": "wrong", "action": "return", "note": "n" * 900_000}
    assert api.post("/review/bulk", data=long_note).status_code == 403  # the CSRF check
    body = {"name": "n" * 60, "padding": "p" * 1_500_000}
    made = api.post("/api/v1/tokens", json=body, headers=ed.auth)
    assert made.status_code == 201, made.text


def test_the_import_page_refuses_the_anonymous_before_reading_their_file(db: Database) -> None:
    status, taken, _ = _call(db, "/import", MULTIPART, total=8 * 1024 * 1024)
    assert status == 401
    assert taken <= CHUNK
