"""Reading one uploaded file from a multipart request as it arrives: written to a spool
file of the evidence store and hashed chunk by chunk, never held whole in memory, and
refused as soon as it passes the size limit (before the rest is read).

Used by the API and the pages alike. The small text fields beside the file (the CSRF
token, a note) are kept, each capped; a second file part or a field over its cap is
refused.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool

from greenfolio.domain.errors import ValidationError
from greenfolio.domain.file_types import HEAD_BYTES, refuse_size

FIELD_LIMIT = 4096
"""Bytes of one text field beside the file (a note, a CSRF token, a version)."""
FIELD_COUNT = 8
OVERHEAD = 64 * 1024
"""Bytes of a request allowed beyond the file itself (boundaries, headers, fields)."""


class BadUpload(ValidationError):
    """A request that is not one multipart form with one file (HTTP 422)."""


@dataclass
class Received:
    """The file part of a request, spooled: its name as sent, size, SHA-256 and first
    bytes; and the text fields sent with it."""

    filename: str | None = None
    size: int = 0
    sha256: str = ""
    head: bytes = b""
    fields: dict[str, str] = field(default_factory=dict)
    found: bool = False


class _Reader:
    """The parser's callbacks: collects fields and writes the file part to ``spool``."""

    def __init__(self, spool: BinaryIO, limit: int, file_field: str) -> None:
        self.spool = spool
        self.limit = limit
        self.file_field = file_field
        self.out = Received()
        self.digest = hashlib.sha256()
        self.pending: list[bytes] = []
        self._header_name = b""
        self._header_value = b""
        self._disposition = b""
        self._name: str | None = None
        self._is_file = False
        self._field = bytearray()

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self.part_begin,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
            "on_header_field": self.header_field,
            "on_header_value": self.header_value,
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
        }

    def part_begin(self) -> None:
        self._disposition = b""
        self._name = None
        self._is_file = False
        self._field = bytearray()

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def header_end(self) -> None:
        if self._header_name.lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name = self._header_value = b""

    def headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        name = options.get(b"name")
        if name is None:
            raise BadUpload("a form part has no name")
        self._name = name.decode("utf-8", "replace")
        if b"filename" in options:
            if self._name != self.file_field or self.out.found:
                raise BadUpload(f"send one file, in the form field {self.file_field!r}")
            self._is_file = True
            self.out.found = True
            # Browsers send a quote in a file name as %22 (HTML's multipart encoding).
            sent = options[b"filename"].decode("utf-8", "replace")
            self.out.filename = sent.replace("%22", '"')
        elif len(self.out.fields) >= FIELD_COUNT:
            raise BadUpload("the form has too many fields")

    def part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if not self._is_file:
            self._field += chunk
            if len(self._field) > FIELD_LIMIT:
                raise BadUpload(f"the form field {self._name!r} is too long")
            return
        self.out.size += len(chunk)
        if self.out.size > self.limit:
            raise refuse_size(self.limit)
        if len(self.out.head) < HEAD_BYTES:
            self.out.head += chunk[: HEAD_BYTES - len(self.out.head)]
        self.digest.update(chunk)
        self.pending.append(chunk)

    def part_end(self) -> None:
        if not self._is_file and self._name is not None:
            self.out.fields[self._name] = self._field.decode("utf-8", "replace")

    def flush(self) -> None:
        for chunk in self.pending:
            self.spool.write(chunk)
        self.pending.clear()


async def receive_file(
    request: Request, spool: BinaryIO, limit: int, file_field: str = "file"
) -> Received:
    """Read the request's multipart body, writing its one file part to ``spool``; a file
    over ``limit`` bytes is refused (``FileTooLarge``) as soon as it passes it, and a
    request that declares a longer body than the limit allows is refused unread."""
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise BadUpload("send the file as multipart/form-data, in the form field 'file'")
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit + OVERHEAD:
        raise refuse_size(limit)
    reader = _Reader(spool, limit, file_field)
    parser = MultipartParser(boundary, reader.callbacks())  # type: ignore[arg-type]
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            if reader.pending:
                await run_in_threadpool(reader.flush)
        parser.finalize()
    except MultipartParseError as exc:
        raise BadUpload(f"the multipart form is malformed ({exc})") from exc
    await run_in_threadpool(spool.flush)
    if not reader.out.found:
        raise BadUpload(f"no file was sent: send one in the form field {file_field!r}")
    reader.out.sha256 = reader.digest.hexdigest()
    return reader.out
