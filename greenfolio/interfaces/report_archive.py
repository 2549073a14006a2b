"""Reports built from the web, kept with their provenance files: the history of the
reports page.

Each build gets a folder ``<archive>/<id>/`` holding the document, its provenance JSON
(every figure's query, records and method runs, and the document's SHA-256) and
``build.json`` (who built it, when, which definition, year, language and format). The
archive is ``$GREENFOLIO_REPORT_ARCHIVE``; by default, with SQLite, the folder
``<database file>.reports`` beside the database; with PostgreSQL the setting is required
(without it reports are built and downloaded but not kept). Files are found again by the
build's id and the kind of file, never by a path from a request.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from greenfolio.domain.errors import NotFoundError
from greenfolio.interfaces import files
from greenfolio.services.database import Database

ENV_ARCHIVE = "GREENFOLIO_REPORT_ARCHIVE"
META = "build.json"
KINDS = ("document", "provenance")
_ID = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{8}$")


def folder(db: Database) -> Path | None:
    """Where built reports are kept, or None when there is nowhere to keep them."""
    configured = os.environ.get(ENV_ARCHIVE)
    if configured:
        return Path(configured).expanduser()
    url = db.engine.url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        path = Path(url.database)
        return path.with_name(path.name + ".reports")
    return None


def keep(
    archive: Path,
    document: Path,
    provenance: Path,
    *,
    by: str,
    definition: str,
    year: int,
    lang: str,
    fmt: str,
) -> dict[str, Any]:
    """Copy a built document and its provenance into a new build folder; its record."""
    now = datetime.now(UTC)
    build_id = f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"
    target = archive / build_id
    target.mkdir(parents=True, mode=0o750)
    entry: dict[str, Any] = {
        "id": build_id,
        "at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "by": by,
        "definition": definition,
        "year": year,
        "lang": lang,
        "format": fmt,
    }
    for kind, source in (("document", document), ("provenance", provenance)):
        data = source.read_bytes()
        files.write_bytes(target / source.name, data)
        entry[kind] = {
            "file": source.name,
            "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    files.write_text(target / META, json.dumps(entry, ensure_ascii=False, indent=2))
    return entry


def history(archive: Path | None, limit: int = 100) -> list[dict[str, Any]]:
    """The builds kept, newest first."""
    if archive is None or not archive.is_dir():
        return []
    out = []
    for entry in sorted((p for p in archive.iterdir() if _ID.match(p.name)), reverse=True):
        try:
            out.append(json.loads((entry / META).read_text("utf-8")))
        except (OSError, ValueError):
            continue  # a build being written, or damaged: not listed
        if len(out) >= limit:
            break
    return out


def kept_file(archive: Path | None, build_id: str, kind: str) -> tuple[Path, dict[str, Any]]:
    """The document or provenance file of a kept build, and the build's record."""
    if archive is None or not _ID.match(build_id) or kind not in KINDS:
        raise NotFoundError(f"no kept report {build_id!r}", message_id="report_not_kept")
    try:
        entry = json.loads((archive / build_id / META).read_text("utf-8"))
    except (OSError, ValueError):
        raise NotFoundError(f"no kept report {build_id!r}", message_id="report_not_kept") from None
    path = archive / build_id / Path(str(entry[kind]["file"])).name
    if not path.is_file():
        raise NotFoundError(f"no kept report {build_id!r}", message_id="report_not_kept")
    return path, entry
