"""Where evidence files live: one interface (``EvidenceStore``) addressed by each file's
SHA-256, so the database holds only the hash, and one implementation on the filesystem.

An S3-compatible store can be added later behind the same four methods; nothing else
reads or writes the files. The same content uploaded twice is kept once; a file is never
removed or overwritten (its address is its content).

The folder comes from ``GREENFOLIO_EVIDENCE_DIR``; without it, an SQLite database keeps
its files beside itself (``greenfolio.sqlite`` → ``greenfolio.sqlite.evidence/``). A
PostgreSQL database has no such place: the setting is then required, and a request that
needs the files is refused naming it. ``GREENFOLIO_EVIDENCE_MAX_MB`` sets the size limit
(default ``DEFAULT_MAX_MB``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import BinaryIO, Protocol, cast

from sqlalchemy.engine import make_url

from greenfolio.domain.errors import GreenfolioError, NotFoundError, ValidationError
from greenfolio.services.database import Database

ENV_DIR = "GREENFOLIO_EVIDENCE_DIR"
ENV_MAX_MB = "GREENFOLIO_EVIDENCE_MAX_MB"
DEFAULT_MAX_MB = 25
_SHA256 = re.compile(r"[0-9a-f]{64}")


class StoreNotConfigured(GreenfolioError):
    """No folder for evidence files is configured (HTTP 503: the operator must set it)."""


class StoreFull(GreenfolioError):
    """The evidence folder's disk (or the user's quota on it) is full: nothing was kept
    (HTTP 507: an administrator must make room, then the file can be sent again)."""


FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
"""What a write answers when the disk, a quota or the largest file allowed is reached."""


@contextmanager
def _full_as_refusal(root: Path) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        if exc.errno not in FULL:
            raise
        raise StoreFull(
            f"the evidence folder {root} has no room left ({exc.strerror}); nothing was "
            f"stored: free space on its disk or set {ENV_DIR} to a larger one, then send "
            "the file again",
            message_id="evidence_store_full",
        ) from exc


class EvidenceStore(Protocol):
    """Files kept by the SHA-256 of their content."""

    def put(self, sha256: str, source: Path) -> None:
        """Keep the file at ``source`` (whose content hashes to ``sha256``) under its
        address; nothing happens if the store already holds that content. ``source`` is
        consumed (moved or removed)."""

    def get(self, sha256: str) -> BinaryIO:
        """The stored content, open for reading (``NotFoundError`` if absent)."""

    def exists(self, sha256: str) -> bool:
        """Whether the store holds the content."""

    def spool(self) -> AbstractContextManager[BinaryIO]:
        """A temporary file for an upload in progress, removed when the block ends unless
        ``put`` has taken it."""


def _check_address(sha256: str) -> str:
    if not _SHA256.fullmatch(sha256):
        raise ValidationError(f"{sha256!r} is not a SHA-256 address (64 hexadecimal digits)")
    return sha256


class FilesystemStore:
    """Files under ``root/ab/cd/<sha256>``; uploads are spooled in ``root/incoming`` (same
    filesystem) so a finished file is moved into place whole, by a rename."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha256: str) -> Path:
        _check_address(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def _ready(self, folder: Path) -> Path:
        folder.mkdir(mode=0o750, parents=True, exist_ok=True)
        return folder

    @contextmanager
    def spool(self) -> Iterator[BinaryIO]:
        with _full_as_refusal(self.root):  # a full disk may refuse the folder or the file
            incoming = self._ready(self.root / "incoming")
            handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - removed in finally
                dir=incoming, prefix="upload-", delete=False
            )
        try:
            with _full_as_refusal(self.root):
                yield cast(BinaryIO, handle)
        finally:
            with contextlib.suppress(OSError):  # a full disk may refuse the last flush
                handle.close()
            Path(handle.name).unlink(missing_ok=True)

    def put(self, sha256: str, source: Path) -> None:
        target = self._path(sha256)
        if target.exists():
            source.unlink(missing_ok=True)
            return
        with _full_as_refusal(self.root):
            self._ready(target.parent)
            os.chmod(source, 0o640)
            with open(source, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(source, target)

    def get(self, sha256: str) -> BinaryIO:
        try:
            return open(self._path(sha256), "rb")
        except FileNotFoundError as exc:
            raise NotFoundError(
                f"the evidence file {sha256[:12]}… is missing from the evidence store; an "
                "administrator must restore the evidence folder from a backup"
            ) from exc

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).is_file()


def max_bytes() -> int:
    """The size limit of one evidence file, in bytes."""
    given = os.environ.get(ENV_MAX_MB, "").strip()
    if not given:
        return DEFAULT_MAX_MB * 1024 * 1024
    try:
        megabytes = float(given)
    except ValueError as exc:
        raise StoreNotConfigured(f"{ENV_MAX_MB}={given!r} is not a number of MiB") from exc
    if not 0 < megabytes <= 4096:
        raise StoreNotConfigured(f"{ENV_MAX_MB} must be between 0 and 4096 MiB, not {given}")
    return int(megabytes * 1024 * 1024)


def folder_for(db: Database) -> Path:
    """The evidence folder of ``db``: the setting, else beside an SQLite file."""
    given = os.environ.get(ENV_DIR, "").strip()
    if given:
        return Path(given).expanduser()
    url = make_url(db.engine.url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        path = Path(url.database).expanduser().resolve()
        return path.with_name(path.name + ".evidence")
    raise StoreNotConfigured(
        f"evidence files need a folder: set {ENV_DIR} to a directory the server may write "
        f"(required with {url.get_backend_name()}; an SQLite database keeps them beside itself)",
        message_id="evidence_not_configured",
    )


def store_for(db: Database) -> EvidenceStore:
    """The configured store of ``db``'s evidence files."""
    return FilesystemStore(folder_for(db))
