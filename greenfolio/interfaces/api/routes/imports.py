"""The XLSX results template from the API: preview a file (what it would change, its
SHA-256 and the plan's digest), then apply exactly that file, all or nothing. The same
service calls and the same kept uploads as the import page (``http.import_files``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from greenfolio.domain.errors import ValidationError
from greenfolio.domain.exchange import RefusedError
from greenfolio.domain.permissions import Principal
from greenfolio.interfaces.api.deps import api_principal, get_db
from greenfolio.interfaces.api.errors import RESPONSES, WRITE_RESPONSES, error_response
from greenfolio.interfaces.http import import_files
from greenfolio.services.database import Database
from greenfolio.services.exchange import xlsx_plan

router = APIRouter(tags=["import"])
Who = Annotated[Principal, Depends(api_principal)]
Db = Annotated[Database, Depends(get_db)]


class ApplyImport(BaseModel):
    sha256: str = Field(pattern="^[0-9a-f]{64}$", description="the previewed file's SHA-256")
    digest: str = Field(pattern="^[0-9a-f]{64}$", description="the preview's plan digest")
    also_count: bool = Field(
        default=False,
        description="yes to rows the preview marks as standing beside a result under review "
        "or verified (both will count); without it such a file is refused",
    )


@router.post(
    "/imports/xlsx/preview",
    summary="What a filled-in XLSX template would change (multipart, part 'file')",
    responses=RESPONSES,
)
async def preview(request: Request, db: Db, who: Who) -> Any:
    """New, changed and unchanged rows, or the problems that keep the file from being
    applied (200 either way: nothing is stored); apply it with its ``sha256`` and
    ``digest``. A file that can be applied is kept a day, for its uploader only."""
    import_files.may_import(who)
    form = await request.form()
    content = await import_files.read_upload(form.get("file"))
    sha, plan = await run_in_threadpool(import_files.previewed, db, who, content)
    return {"sha256": sha, "can_apply": not plan.problems, **import_files.plan_dict(plan)}


def _apply(db: Database, who: Principal, sent: ApplyImport) -> Any:
    import_files.may_import(who)
    path = import_files.kept(who, sent.sha256)
    try:
        plan = xlsx_plan.apply(db, who, path, sent.digest, sent.also_count)
    except xlsx_plan.PreviewOutdated as exc:
        return error_response(409, "conflict", str(exc))
    except ValidationError as exc:
        return error_response(422, "invalid", str(exc))
    except RefusedError as refused:
        problems = [import_files.problem_dict(p) for p in refused.problems]
        message = "the file cannot be imported; nothing was stored"
        return error_response(422, "invalid", message, problems)
    path.unlink(missing_ok=True)
    return {"sha256": sent.sha256, "applied": True, **import_files.plan_dict(plan)}


@router.post(
    "/imports/xlsx/apply",
    summary="Import the previewed file, all rows or none",
    responses=WRITE_RESPONSES,
)
async def apply(sent: ApplyImport, db: Db, who: Who) -> Any:
    """Applies the file uploaded with ``sha256`` if it still plans to ``digest``; 409 if
    the stored records changed since the preview (preview again), 422 if the file is
    gone or has problems now."""
    return await run_in_threadpool(_apply, db, who, sent)
