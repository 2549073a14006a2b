"""Evidence files on the result page: upload, replace, withdraw (each confirmed with a
ticked box, since the pages run no script) and download.

Every form carries the CSRF token; an upload's token arrives in the multipart body and
is checked before anything is stored. The same services as the API decide who may read
or change the files; a refusal is shown on the result page in the visitor's language.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from greenfolio.domain.errors import GreenfolioError, ValidationError
from greenfolio.interfaces.http import evidence_files
from greenfolio.interfaces.http.context import resolve_principal
from greenfolio.interfaces.http.refusals import classify
from greenfolio.interfaces.web.rendering import Csrf, Db, RecordId, check_csrf, redirect, said
from greenfolio.interfaces.web.result_pages import show_result
from greenfolio.services import evidence

router = APIRouter(include_in_schema=False)
SHOWN = (413, 415, 422)
"""Refusals shown on the result page (the others get the error page: 403, 404 …)."""


def _confirmed(value: str | None) -> None:
    if value != "yes":
        raise ValidationError(
            "tick the box to confirm the change", message_id="evidence_confirm", params={}
        )


def _saved(result_id: int) -> Response:
    response = redirect(f"/results/{result_id}")
    response.headers["location"] += "#evidence"
    return response


async def _upload(
    request: Request, db: Db, result_id: int, replaces: int | None = None
) -> Response:
    who = resolve_principal(request)
    typed: dict[str, str] = {}

    def check(fields: dict[str, str]) -> None:
        check_csrf(request, fields.get("csrf", ""))
        typed.update(fields)
        if replaces is not None:
            _confirmed(fields.get("confirm"))

    try:
        await evidence_files.upload(request, db, who, result_id, replaces, check)
    except GreenfolioError as exc:
        status = classify(exc)[0]
        if status not in SHOWN:
            raise
        errors = [said(request, exc)]
        # the note typed with a refused file is offered again with the next one
        note = typed.get("note", "") if replaces is None else ""
        return await run_in_threadpool(
            lambda: show_result(result_id, request, db, status, errors=errors, evidence_note=note)
        )
    return _saved(result_id)


@router.post("/results/{result_id}/evidence")
async def add_evidence(result_id: RecordId, request: Request, db: Db) -> Response:
    return await _upload(request, db, result_id)


@router.post("/results/{result_id}/evidence/{evidence_id}/replace")
async def replace_evidence(
    result_id: RecordId, evidence_id: RecordId, request: Request, db: Db
) -> Response:
    return await _upload(request, db, result_id, replaces=evidence_id)


@router.post("/results/{result_id}/evidence/{evidence_id}/withdraw")
def withdraw_evidence(
    result_id: RecordId,
    evidence_id: RecordId,
    request: Request,
    db: Db,
    csrf: Csrf,
    confirm: Annotated[str | None, Form(max_length=5)] = None,
    note: Annotated[str | None, Form(max_length=evidence.NOTE_LIMIT)] = None,
) -> Response:
    check_csrf(request, csrf)
    who = resolve_principal(request)
    try:
        _confirmed(confirm)
        evidence.withdraw(db, who, result_id, evidence_id, note)
    except GreenfolioError as exc:
        status = classify(exc)[0]
        if status not in SHOWN:
            raise
        return show_result(result_id, request, db, status, errors=[said(request, exc)])
    return _saved(result_id)


@router.get("/results/{result_id}/evidence/{evidence_id}")
def download_evidence(
    result_id: RecordId, evidence_id: RecordId, request: Request, db: Db
) -> Response:
    response: StreamingResponse = evidence_files.download(
        db, resolve_principal(request), result_id, evidence_id
    )
    return response
