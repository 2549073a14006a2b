"""Evidence files of a result: upload, list, download, replace and withdraw."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from greenfolio.domain.permissions import Principal
from greenfolio.domain.text import CheckedText
from greenfolio.interfaces.api.deps import api_principal, get_db
from greenfolio.interfaces.api.errors import RESPONSES, ErrorBody
from greenfolio.interfaces.http import evidence_files
from greenfolio.services import evidence
from greenfolio.services.database import Database

router = APIRouter(tags=["evidence"], responses=RESPONSES)
Who = Annotated[Principal, Depends(api_principal)]
Db = Annotated[Database, Depends(get_db)]
ResultId = Annotated[int, Path(ge=1, le=2**31 - 1)]
FileId = Annotated[int, Path(ge=1, le=2**31 - 1)]
UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "note": {"type": "string", "maxLength": evidence.NOTE_LIMIT},
                    },
                }
            }
        },
    }
}
UPLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorBody, "description": "the file is over the size limit"},
    415: {"model": ErrorBody, "description": "the file's content is not an accepted kind"},
    503: {"model": ErrorBody, "description": "no evidence folder is configured"},
}


class EvidenceOut(BaseModel):
    id: int
    result_id: int
    filename: str
    kind: str = Field(description="pdf, png, jpeg, gif, webp, docx, xlsx, pptx, odt, ods, odp, zip")
    media_type: str
    size: int
    sha256: str
    state: str = Field(description="current, replaced or withdrawn")
    replaces_id: int | None
    replaced_by_id: int | None
    uploaded_by: str | None
    uploaded_at: str
    ended_by: str | None
    ended_at: str | None
    note: str | None


class Withdrawal(CheckedText):
    multiline_fields = frozenset({"note"})
    note: str | None = Field(default=None, max_length=evidence.NOTE_LIMIT)


@router.post(
    "/results/{result_id}/evidence",
    response_model=EvidenceOut,
    status_code=201,
    summary="Add an evidence file (multipart field 'file'); its type is read from its content",
    openapi_extra=UPLOAD_BODY,
    responses=UPLOAD_RESPONSES,
)
async def add_evidence(result_id: ResultId, request: Request, who: Who, db: Db) -> Any:
    made, _ = await evidence_files.upload(request, db, who, result_id)
    return made


@router.get(
    "/results/{result_id}/evidence",
    response_model=list[EvidenceOut],
    summary="The result's evidence files, current and past",
)
def list_evidence(result_id: ResultId, who: Who, db: Db) -> Any:
    return evidence.listing(db, who, result_id)


@router.get(
    "/results/{result_id}/evidence/{evidence_id}",
    response_class=StreamingResponse,
    summary="Download one evidence file, byte for byte",
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def download_evidence(
    result_id: ResultId, evidence_id: FileId, who: Who, db: Db
) -> StreamingResponse:
    return evidence_files.download(db, who, result_id, evidence_id)


@router.put(
    "/results/{result_id}/evidence/{evidence_id}",
    response_model=EvidenceOut,
    status_code=201,
    summary="Replace a current evidence file (the old one stays in the history)",
    openapi_extra=UPLOAD_BODY,
    responses=UPLOAD_RESPONSES,
)
async def replace_evidence(
    result_id: ResultId, evidence_id: FileId, request: Request, who: Who, db: Db
) -> Any:
    made, _ = await evidence_files.upload(request, db, who, result_id, replaces=evidence_id)
    return made


@router.post(
    "/results/{result_id}/evidence/{evidence_id}/withdraw",
    response_model=EvidenceOut,
    summary="Withdraw a current evidence file (it stays listed, marked withdrawn)",
)
def withdraw_evidence(
    result_id: ResultId, evidence_id: FileId, body: Withdrawal, who: Who, db: Db
) -> Any:
    return evidence.withdraw(db, who, result_id, evidence_id, body.note)
