"""What kind of file an evidence file is, told from its content, never from its name or
the type a browser claims.

Accepted: PDF, PNG, JPEG, GIF and WebP images, Office Open XML documents (Word, Excel,
PowerPoint), OpenDocument files (text, spreadsheet, presentation) and plain ZIP archives.
Everything else (programs, scripts, HTML, unknown bytes) is refused.

The first bytes decide for most kinds (``kind_from_head``). A ZIP archive is told apart
by the names of its parts (``kind_from_zip``): an OOXML package holds
``[Content_Types].xml`` and a ``word/``, ``xl/`` or ``ppt/`` part; an OpenDocument
package starts with an uncompressed ``mimetype`` part naming its type. Pure functions:
the services read the bytes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from greenfolio.domain.errors import ValidationError
from greenfolio.domain.text import check_text


@dataclass(frozen=True)
class FileKind:
    """A kind of file: its code (stored), media type (served) and usual extension."""

    code: str
    media_type: str
    extension: str


_KINDS = (
    FileKind("pdf", "application/pdf", "pdf"),
    FileKind("png", "image/png", "png"),
    FileKind("jpeg", "image/jpeg", "jpg"),
    FileKind("gif", "image/gif", "gif"),
    FileKind("webp", "image/webp", "webp"),
    FileKind(
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    FileKind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    FileKind(
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pptx",
    ),
    FileKind("odt", "application/vnd.oasis.opendocument.text", "odt"),
    FileKind("ods", "application/vnd.oasis.opendocument.spreadsheet", "ods"),
    FileKind("odp", "application/vnd.oasis.opendocument.presentation", "odp"),
    FileKind("zip", "application/zip", "zip"),
)
KINDS: dict[str, FileKind] = {k.code: k for k in _KINDS}
"""Every accepted kind by its code."""
ZIP_HEAD = b"PK\x03\x04"
EMPTY_ZIP_HEAD = b"PK\x05\x06"
HEAD_BYTES = 128
"""How many first bytes ``kind_from_head`` needs (the ODF ``mimetype`` part fits)."""
_OOXML_PARTS = (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx"))
_ODF_TYPES = {k.media_type: k.code for k in _KINDS if k.code in ("odt", "ods", "odp")}
FILENAME_LIMIT = 200
EXTENSIONS: dict[str, frozenset[str]] = {
    k.code: frozenset({k.extension, *({"jpeg", "jpe"} if k.code == "jpeg" else ())}) for k in _KINDS
}
"""The extensions (lower case) a kept name may end with for each kind."""
_HIDDEN_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
"""Bidirectional controls (marks, embeddings, overrides, isolates) and the line and
paragraph separators: invisible characters that make a name read otherwise than it is
('invoice\u202efdp.exe' shows as 'invoiceexe.pdf')."""


class UnsupportedFileType(ValidationError):
    """A file whose content is not one of the accepted kinds (HTTP 415)."""


class FileTooLarge(ValidationError):
    """A file over the size limit (HTTP 413)."""


def refuse_type(name: str) -> UnsupportedFileType:
    accepted = "PDF, PNG, JPEG, GIF, WebP, Word, Excel, PowerPoint, OpenDocument or ZIP"
    return UnsupportedFileType(
        f"the content of {name!r} is not a file kind accepted as evidence ({accepted}); "
        "the type is read from the file's bytes, not from its name",
        message_id="evidence_type",
        params={"name": name},
    )


def refuse_size(size_limit: int) -> FileTooLarge:
    mib = size_limit / (1024 * 1024)
    shown = f"{mib:g} MiB" if mib >= 1 else f"{size_limit} bytes"
    return FileTooLarge(
        f"the file is larger than the {shown} accepted for evidence; nothing was stored",
        message_id="evidence_size",
        params={"limit": f"{mib:g}"},
    )


def is_zip(head: bytes) -> bool:
    return head.startswith(ZIP_HEAD) or head.startswith(EMPTY_ZIP_HEAD)


def kind_from_head(head: bytes) -> FileKind | None:
    """The kind the first bytes show, or None (a ZIP archive is ``zip`` here until its
    parts are read, except an OpenDocument package, whose first part names its type)."""
    if head.startswith(b"%PDF-"):
        return KINDS["pdf"]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return KINDS["png"]
    if head.startswith(b"\xff\xd8\xff"):
        return KINDS["jpeg"]
    if head.startswith((b"GIF87a", b"GIF89a")):
        return KINDS["gif"]
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return KINDS["webp"]
    if head.startswith(ZIP_HEAD):
        # Local file header: name length at 26, extra length at 28, name from 30.
        name_len = int.from_bytes(head[26:28], "little")
        extra_len = int.from_bytes(head[28:30], "little")
        if head[30 : 30 + name_len] == b"mimetype" and head[8:10] == b"\x00\x00":
            start = 30 + name_len + extra_len
            declared = head[start : start + 60].split(b"PK", 1)[0].decode("ascii", "replace")
            for media, code in _ODF_TYPES.items():
                if declared.startswith(media) and not declared[len(media) :].strip("."):
                    return KINDS[code]
        return KINDS["zip"]
    if head.startswith(EMPTY_ZIP_HEAD):
        return KINDS["zip"]
    return None


def kind_from_zip(names: Iterable[str], head_kind: FileKind) -> FileKind:
    """A ZIP archive's kind from the names of its parts: OOXML when it holds
    ``[Content_Types].xml`` and a Word, Excel or PowerPoint part, else as the head said
    (OpenDocument or plain ZIP)."""
    if head_kind.code != "zip":
        return head_kind
    listed = list(names)
    if "[Content_Types].xml" in listed:
        for prefix, code in _OOXML_PARTS:
            if any(n.startswith(prefix) for n in listed):
                return KINDS[code]
    return head_kind


def clean_filename(given: str | None, kind: FileKind, sha256: str) -> str:
    """The name a file is kept and served under: the last part of what the browser sent
    (some send a whole path), NFC, without control characters (refused, like every text)
    nor bidirectional controls (taken out), ending with an extension of the kind read
    from its content, at most ``FILENAME_LIMIT`` characters keeping the extension; a file
    sent without a name is called after its kind and hash.

    A name whose extension belies the content keeps it and gets the right one after it
    ('x.html' holding a PDF is kept as 'x.html.pdf'): whoever downloads it, and their
    system, goes by the last extension, which now says what the bytes are, while the
    name still shows what the uploader called it."""
    # bidirectional controls are taken out first (the text rule refuses an override,
    # which a file name only loses)
    raw = _HIDDEN_CONTROLS.sub("", (given or "").strip())
    check_text(raw, "the file name")
    name = PureWindowsPath(PurePosixPath(raw).name).name.strip().lstrip(".")
    name = unicodedata.normalize("NFC", name).rstrip(". ")
    if not name:
        return f"evidence-{sha256[:12]}.{kind.extension}"
    stem, dot, ext = name.rpartition(".")
    if not (dot and stem and ext.lower() in EXTENSIONS[kind.code]):
        name = f"{name}.{kind.extension}"
    if len(name) > FILENAME_LIMIT:
        stem, dot, ext = name.rpartition(".")
        ext = ext if dot and len(ext) <= 10 else ""
        keep = FILENAME_LIMIT - (len(ext) + 1 if ext else 0)
        name = (stem if ext else name)[:keep] + (f".{ext}" if ext else "")
    return name
