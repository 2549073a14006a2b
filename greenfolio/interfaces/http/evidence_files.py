"""Serving and receiving evidence files over HTTP, shared by the API and the pages: the
download response (byte for byte, the type found in the content, the original name
safely encoded) and an upload read into the store's spool.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import StreamingResponse

from greenfolio.domain.permissions import Principal
from greenfolio.interfaces.http.uploads import receive_file
from greenfolio.services import evidence
from greenfolio.services.database import Database
from greenfolio.services.evidence_store import max_bytes, store_for

CHUNK = 64 * 1024
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9 ._()+,;=@\[\]{}~!#$&\'-]")


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the real one in RFC 5987 form, so
    no name can break the header or reach the browser as anything but a name."""
    fallback = _UNSAFE_ASCII.sub("_", filename).strip() or "evidence"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _chunks(handle: BinaryIO) -> Iterator[bytes]:
    try:
        while chunk := handle.read(CHUNK):
            yield chunk
    finally:
        handle.close()


def download(db: Database, who: Principal, result_id: int, evidence_id: int) -> StreamingResponse:
    """One evidence file as it was uploaded (``X-Content-Type-Options: nosniff`` comes
    with every response, from the app's security headers)."""
    found, handle = evidence.open_file(db, who, store_for(db), result_id, evidence_id)
    return StreamingResponse(
        _chunks(handle),
        media_type=found["media_type"],
        headers={
            "Content-Length": str(found["size"]),
            "Content-Disposition": content_disposition(found["filename"]),
            "ETag": f'"{found["sha256"]}"',
            "Cache-Control": "private, no-cache",
        },
    )


async def upload(
    request: Request,
    db: Database,
    who: Principal,
    result_id: int,
    replaces: int | None = None,
    check_fields: Any = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Read the request's file into the store and record it as evidence of the result;
    ``check_fields`` (the pages' CSRF check) sees the form's text fields before anything
    is stored. Returns the new file and the text fields."""
    from starlette.concurrency import run_in_threadpool

    await run_in_threadpool(evidence.check_may_change, db, who, result_id)
    store = store_for(db)
    limit = max_bytes()
    with store.spool() as spool:
        received = await receive_file(request, spool, limit)
        if check_fields is not None:
            check_fields(received.fields)
        made = await run_in_threadpool(
            lambda: evidence.add(
                db,
                who,
                store,
                result_id,
                Path(spool.name),
                sha256=received.sha256,
                size=received.size,
                head=received.head,
                filename=received.filename,
                replaces=replaces,
                note=received.fields.get("note"),
            )
        )
    return made, received.fields
