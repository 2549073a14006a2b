"""Writing files whole or not at all.

A report or export is written to a temporary file beside its final path and renamed over
it only once complete, so a failed or interrupted build never leaves a truncated file
where a good one was, and readers never see a half-written one.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path in ``path``'s folder; renamed to ``path`` when the block succeeds,
    removed when it fails. The writer creates the file (so the usual umask applies)."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        yield tmp
        with open(tmp, "rb+") as written:  # on disk before it takes the final name
            os.fsync(written.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: Path, text: str) -> Path:
    """``path.write_text`` in UTF-8, whole or not at all."""
    with replacing(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path


def write_bytes(path: Path, data: bytes) -> Path:
    """``path.write_bytes``, whole or not at all."""
    with replacing(path) as tmp:
        tmp.write_bytes(data)
    return path
