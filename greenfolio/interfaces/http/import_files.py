"""Uploaded XLSX templates kept between the preview and the confirmation, for the import
page and the API alike.

An upload is kept in the import folder under its SHA-256 and the uploader's account, so
the confirmation names the file by its hash: the file applied is the one previewed, byte
for byte (its hash is computed again before it is applied), and only its uploader can
apply it; an upload that cannot be applied is not kept. The folder is
``$GREENFOLIO_IMPORT_DIR``, by default ``greenfolio-imports-<uid>`` in the system's
temporary folder, this account's alone (mode 0700, files 0600); uploads older than a day
are removed at each upload.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from starlette.datastructures import UploadFile

from greenfolio.domain.errors import GreenfolioError, ValidationError
from greenfolio.domain.exchange import Problem
from greenfolio.domain.permissions import SYSTEM, Action, Principal, require
from greenfolio.services.database import Database
from greenfolio.services.exchange import xlsx_plan

ENV_FOLDER = "GREENFOLIO_IMPORT_DIR"
MAX_BYTES = 20 * 1024 * 1024
"""Larger than any template a field office fills in (a 100,000-row sheet is about 6 MB)."""
KEEP_SECONDS = 24 * 3600
OUTCOMES = (xlsx_plan.NEW, xlsx_plan.CHANGED, xlsx_plan.UNCHANGED)
_HASH = re.compile(r"^[0-9a-f]{64}$")


def folder() -> Path:
    """Where uploads wait for their confirmation: ``$GREENFOLIO_IMPORT_DIR``, else a folder
    of this operating-system account's own in the temporary folder. A folder another
    account made or may read is refused: it would see, or swap, the uploads."""
    default = Path(tempfile.gettempdir()) / f"greenfolio-imports-{os.getuid()}"
    path = Path(os.environ.get(ENV_FOLDER) or default)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    found = path.stat()
    if found.st_uid != os.getuid() or found.st_mode & 0o077:
        raise GreenfolioError(
            f"the upload folder {path} belongs to another account or others may open it: "
            f"give this server a folder of its own (chmod 700, or set {ENV_FOLDER})"
        )
    return path


def _path(who: Principal, sha: str) -> Path:
    return folder() / f"{who.user_id}-{sha}.xlsx"


def _tidy(now: float) -> None:
    for old in folder().glob("*.xlsx"):
        try:
            if now - old.stat().st_mtime > KEEP_SECONDS:
                old.unlink()
        except OSError:
            continue


def may_import(who: Principal) -> None:
    """Signed in with a role that enters results somewhere (each row is checked later)."""
    if not who.may_edit_somewhere():
        require(who, Action.EDIT, SYSTEM)


async def read_upload(upload: object) -> bytes:
    """The file part of the form, refused past :data:`MAX_BYTES` or if there is none."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ValidationError("choose a file to import", message_id="import_no_file")
    data = bytearray()
    while chunk := await upload.read(64 * 1024):
        data += chunk
        if len(data) > MAX_BYTES:
            raise ValidationError(
                f"the file is larger than {MAX_BYTES // 1024**2} MB",
                message_id="import_too_large",
                params={"mb": MAX_BYTES // 1024**2},
            )
    return bytes(data)


def keep(who: Principal, content: bytes) -> tuple[str, Path]:
    """Keep an upload for its confirmation: its SHA-256 and where it is."""
    sha = hashlib.sha256(content).hexdigest()
    _tidy(time.time())
    target = _path(who, sha)
    partial = target.with_suffix(".part")
    partial.unlink(missing_ok=True)
    with os.fdopen(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600), "wb") as out:
        out.write(content)  # readable by this account alone
    partial.replace(target)
    return sha, target


def previewed(db: Database, who: Principal, content: bytes) -> tuple[str, xlsx_plan.Plan]:
    """The upload's hash and what it would change; kept for its confirmation only if it
    can be applied (a refused file was kept a day for nothing, filling the folder)."""
    sha, path = keep(who, content)
    plan = xlsx_plan.preview(db, who, path)
    if plan.problems:
        path.unlink(missing_ok=True)
    return sha, plan


def kept(who: Principal, sha: str) -> Path:
    """The file ``who`` uploaded with hash ``sha``, checked byte for byte; refused if it is
    gone (or was changed, when it is removed)."""
    path = _path(who, sha) if _HASH.match(sha) else None
    if path is None or not path.exists():
        raise ValidationError("upload the file again", message_id="import_gone")
    if hashlib.sha256(path.read_bytes()).hexdigest() != sha:
        path.unlink(missing_ok=True)
        raise ValidationError("upload the file again", message_id="import_gone")
    return path


def problem_dict(problem: Problem) -> dict[str, Any]:
    """A problem as the API lists it: where, what (English) and its message id."""
    return {
        "sheet": problem.sheet,
        "row": problem.row,
        "column": problem.column,
        "message": problem.message,
        "message_id": problem.message_id,
        "params": {
            k: v if isinstance(v, int | float | str | list) or v is None else str(v)
            for k, v in problem.params
        },
    }


def plan_dict(plan: xlsx_plan.Plan) -> dict[str, Any]:
    """A plan as the API gives it: counts, rows with their outcome, problems, digest."""
    return {
        "counts": {
            o: plan.count(o) for o in (xlsx_plan.NEW, xlsx_plan.CHANGED, xlsx_plan.UNCHANGED)
        },
        "rows": [
            {
                "sheet": r.sheet,
                "part": r.part,
                "row": r.row,
                "project": r.project,
                "outcome": r.outcome,
                "detail": r.detail,
            }
            for r in plan.rows
        ],
        "problems": [problem_dict(p) for p in plan.problems],
        # totals the file's women and men would add up to more than: a warning, as the
        # page gives it (services.breakdowns.with_file_rows)
        "breakdown": plan.breakdown,
        # rows giving women or men of a figure with no total (which they would reach none of)
        "untotalled": plan.untotalled,
        "digest": plan.digest,
    }
